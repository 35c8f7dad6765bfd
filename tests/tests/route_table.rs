//! The route table is the one list of endpoints: template.yaml (functions and their HttpApi
//! routes), the binaries in functions/src/bin, the API Gateway events in infra/events and the
//! local API server must agree with it exactly. Any of them gaining or losing a route fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use statx_core::http::routes::ASYNC_FUNCTIONS;
use statx_core::http::ROUTES;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

type RouteSet = BTreeSet<(String, String, String)>;

fn table() -> RouteSet {
    ROUTES
        .iter()
        .map(|r| {
            (
                r.function.to_string(),
                r.method.to_string(),
                r.path.to_string(),
            )
        })
        .collect()
}

#[test]
fn route_table_has_no_duplicates() {
    let functions: BTreeSet<_> = ROUTES.iter().map(|r| r.function).collect();
    let endpoints: BTreeSet<_> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(
        functions.len(),
        ROUTES.len(),
        "a function serves two routes"
    );
    assert_eq!(endpoints.len(), ROUTES.len(), "a route is served twice");
    for r in ROUTES {
        assert!(r.path.starts_with("/v1/"), "{r:?}");
        assert!(
            r.function
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{r:?}"
        );
    }
}

fn files_with_ext(dir: &Path, ext: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Every Lambda: one per route plus the async (event-driven) functions.
fn all_functions() -> BTreeSet<String> {
    ROUTES
        .iter()
        .map(|r| r.function)
        .chain(ASYNC_FUNCTIONS.iter().copied())
        .map(str::to_string)
        .collect()
}

#[test]
fn async_functions_are_not_routes() {
    for name in ASYNC_FUNCTIONS {
        assert!(
            ROUTES.iter().all(|r| r.function != *name),
            "{name} is both a route and an async function"
        );
        let src = std::fs::read_to_string(repo().join(format!("functions/src/bin/{name}.rs")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !src.contains("statx_functions::serve(\""),
            "{name}.rs must not serve an HTTP route"
        );
    }
}

#[test]
fn one_binary_per_route() {
    let bins = files_with_ext(&repo().join("functions/src/bin"), "rs");
    assert_eq!(bins, all_functions());
    for name in bins
        .iter()
        .filter(|b| !ASYNC_FUNCTIONS.contains(&b.as_str()))
    {
        let src =
            std::fs::read_to_string(repo().join(format!("functions/src/bin/{name}.rs"))).unwrap();
        assert!(
            src.contains(&format!("statx_functions::serve(\"{name}\")")),
            "{name}.rs must serve its own route"
        );
    }
}

#[test]
fn one_event_per_route() {
    let events = files_with_ext(&repo().join("infra/events"), "json");
    assert_eq!(events, all_functions());
}

#[test]
fn template_functions_match_route_table() {
    let text = std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("template.yaml is plain YAML");
    let resources = doc["Resources"].as_mapping().expect("Resources");
    let mut found = RouteSet::new();
    let mut found_async = BTreeSet::new();
    for (id, res) in resources {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap();
        let binary = res["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: Metadata.BuildProperties.Binary"));
        assert_eq!(
            res["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id}"
        );
        let events = res["Properties"]["Events"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{id}: Events"));
        let apis: Vec<_> = events
            .values()
            .filter(|e| e["Type"].as_str() == Some("HttpApi"))
            .collect();
        if ASYNC_FUNCTIONS.contains(&binary) {
            // An event-driven function: no route, exactly one non-HTTP event source.
            assert!(apis.is_empty(), "{id} is async but has an HttpApi route");
            let sources: Vec<_> = events.values().filter_map(|e| e["Type"].as_str()).collect();
            assert_eq!(sources.len(), 1, "{id}: one event source");
            assert!(
                matches!(sources[0], "EventBridgeRule" | "S3" | "SQS" | "DynamoDB"),
                "{id}: unexpected event source {}",
                sources[0]
            );
            // Failed events must land somewhere: the function's dead-letter queue, or the
            // event source's on-failure destination (streams).
            let on_failure = events
                .values()
                .any(|e| e["Properties"]["DestinationConfig"]["OnFailure"].is_mapping());
            assert!(
                res["Properties"]["DeadLetterQueue"].is_mapping() || on_failure,
                "{id}: an async function needs a dead-letter queue or an on-failure destination"
            );
            assert!(found_async.insert(binary.to_string()), "{id} twice");
            continue;
        }
        assert_eq!(apis.len(), 1, "{id} must have exactly one HttpApi route");
        let p = &apis[0]["Properties"];
        found.insert((
            binary.to_string(),
            p["Method"].as_str().unwrap().to_uppercase(),
            p["Path"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(found, table());
    let expected: BTreeSet<String> = ASYNC_FUNCTIONS.iter().map(|s| s.to_string()).collect();
    assert_eq!(found_async, expected);
}

#[tokio::test]
async fn local_server_serves_every_route() {
    let app = statx_tests::harness::app::TestApp::local().await;
    for r in ROUTES {
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let resp = app.request(None, method, r.path, None).await;
        let expected = if r.handler.needs_auth() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(resp.status, expected, "{r:?}: {}", resp.text);
    }
}

#[test]
fn openapi_matches_route_table() {
    let text = std::fs::read_to_string(repo().join("openapi.yaml")).expect("openapi.yaml");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut found = RouteSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap().to_uppercase();
            let function = op["operationId"].as_str().expect("operationId").to_string();
            let public = op["security"].as_sequence().is_some_and(|s| s.is_empty());
            let route = ROUTES.iter().find(|r| r.function == function);
            if let Some(r) = route {
                assert_eq!(
                    public,
                    !r.handler.needs_auth(),
                    "{function}: security must match the route's auth"
                );
            }
            found.insert((function, method, path.as_str().unwrap().to_string()));
        }
    }
    assert_eq!(found, table());
}

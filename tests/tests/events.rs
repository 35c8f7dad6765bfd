//! Every API Gateway event in infra/events (the ones `sam local invoke -e` would use) is fed
//! through the real handler, parsed by lambda_http exactly as the Lambda runtime does.

use std::path::Path;
use std::sync::Arc;

use lambda_http::Body;
use statx_core::http::{dispatch, ROUTES};
use statx_core::ports::ManualClock;
use statx_core::Config;

/// Embedded adapters in a fresh temporary data directory.
fn local_deps() -> (tempfile::TempDir, Config, statx_core::Deps) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let deps = statx_local::deps(&config, Arc::new(ManualClock::default()), false)
        .unwrap()
        .deps;
    (dir, config, deps)
}

#[tokio::test]
async fn every_event_runs_through_its_handler() {
    let (dir, _, deps) = local_deps();
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/events");
    for route in ROUTES {
        let text = std::fs::read_to_string(events.join(format!("{}.json", route.function)))
            .unwrap_or_else(|e| panic!("{}: {e}", route.function));
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(raw["routeKey"], format!("{} {}", route.method, route.path));
        assert_eq!(raw["version"], "2.0");
        let req = lambda_http::request::from_str(&text).expect("an API Gateway v2 event");
        let resp = dispatch(&deps, route, req).await;
        let status = resp.status().as_u16();
        let body: serde_json::Value = match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("{other:?}"),
        };
        // The events carry placeholder credentials and a code nobody was sent: the public
        // login succeeds, the rest are refused by the real checks.
        let expected = match route.function {
            "login" => 201,
            _ => 401,
        };
        assert_eq!(status, expected, "{}: {body}", route.function);
        assert_eq!(resp.headers()["x-request-id"], "JKJaXmPLvHcESHA=");
    }
    let sent = statx_local::read_sms_outbox(dir.path());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "+12025550123");
}

/// The S3 event of infra/events/finalize_attachment.json (EventBridge "Object Created") through
/// the `finalize_attachment` handler: an upload no attachment asked for is deleted. The
/// end-to-end finalize of real uploads is in the stats suites.
#[tokio::test]
async fn finalize_event_runs_through_its_handler() {
    use statx_core::stats::attachments::Outcome;
    let (_dir, config, deps) = local_deps();
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/events");
    for name in ["finalize_attachment"] {
        let text = std::fs::read_to_string(events.join(format!("{name}.json"))).unwrap();
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(event["source"], "aws.s3", "{name}");
        assert_eq!(event["detail"]["bucket"]["name"], config.bucket.as_str());
        let outcomes = statx_functions::finalize::handle(&deps, &event)
            .await
            .unwrap();
        assert_eq!(outcomes, [Outcome::Orphan], "{name}");
    }
}

/// The stream event of infra/events/notify.json through the `notify` handler: a change that is
/// no stat change is skipped; a stat record that cannot be opened (sealed under another key)
/// is reported as a batch item failure, alone, so only it is retried.
#[tokio::test]
async fn notify_event_runs_through_its_handler() {
    use statx_core::http::routes::ASYNC_FUNCTIONS;
    assert!(ASYNC_FUNCTIONS.contains(&"notify"));
    let (_dir, _, deps) = local_deps();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/events/notify.json");
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let response = statx_functions::notify::handle(&deps, &event).await;
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "4421584600000000017450439092"}]})
    );
}

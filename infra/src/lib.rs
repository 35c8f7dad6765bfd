//! `statx-local-api`: a local stand-in for API Gateway. It serves the route table on 127.0.0.1
//! by turning each HTTP request into the same API Gateway HTTP API (payload 2.0) event a Lambda
//! would receive — path parameters, source IP from the TCP peer, a request id — parsing it with
//! lambda_http exactly as the Lambda runtime does, and calling the same `dispatch`.
//!
//! With the embedded blob store it also plays S3 for presigned URLs: `PUT/GET /_blobs/{key}`
//! (checked with `FileBlobs::verify`), and after an upload under `pending/` it runs the same
//! attachment finalize the `finalize_attachment` Lambda runs on S3's `Object Created` event.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body as AxumBody, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, MethodFilter, MethodRouter};
use axum::Router;
use data_encoding::BASE64;
use serde_json::json;
use statx_core::http::{dispatch, ApiError, Reply, Route, ROUTES};
use statx_core::ports::random::RandomExt;
use statx_core::Deps;
use statx_local::{FileBlobs, SignedOp};

/// API Gateway's own payload limit (10 MB); smaller per-route limits are the handlers' job.
const GATEWAY_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// Largest blob upload accepted (attachments are at most 25 MB; S3's own limit is far above).
const BLOB_BODY_LIMIT: usize = 26 * 1024 * 1024;

/// The router serving every route of the route table.
pub fn router(deps: Deps) -> Router {
    let mut by_path: Vec<(&'static str, MethodRouter<Deps>)> = Vec::new();
    for route in ROUTES {
        let filter = method_filter(route.method);
        let handler = move |state, peer, params, method, uri, headers, body| {
            handle(route, state, peer, params, method, uri, headers, body)
        };
        match by_path.iter_mut().find(|(p, _)| *p == route.path) {
            Some((_, mr)) => *mr = std::mem::take(mr).on(filter, handler),
            None => by_path.push((route.path, on(filter, handler))),
        }
    }
    let mut app = Router::new();
    for (path, mr) in by_path {
        app = app.route(path, mr);
    }
    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(GATEWAY_BODY_LIMIT))
        .with_state(deps)
}

fn method_filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        other => panic!("route table has an unsupported method {other}"),
    }
}

async fn not_found(State(deps): State<Deps>) -> Response {
    let id = deps.random.id();
    to_axum(Reply::from_error(&ApiError::NotFound).into_response(&id))
}

/// A known path with a method it does not have: the same JSON error body and headers as every
/// other answer (API Gateway itself would answer 404 for a route it does not have).
async fn method_not_allowed(State(deps): State<Deps>) -> Response {
    let id = deps.random.id();
    let reply = Reply {
        status: StatusCode::METHOD_NOT_ALLOWED,
        body: json!({ "error": {
            "code": "method_not_allowed",
            "message": "This method is not allowed on this path.",
        } }),
        retry_after: None,
        etag: None,
    };
    to_axum(reply.into_response(&id))
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    route: &'static Route,
    State(deps): State<Deps>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(params): Path<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = deps.random.id();
    let event = gateway_event(
        route,
        &request_id,
        peer,
        &params,
        &method,
        &uri,
        &headers,
        &body,
    );
    match lambda_http::request::from_str(&event.to_string()) {
        Ok(req) => to_axum(dispatch(&deps, route, req).await),
        Err(_) => (StatusCode::BAD_REQUEST, "malformed request").into_response(),
    }
}

/// The API Gateway HTTP API payload 2.0 event for this request.
#[allow(clippy::too_many_arguments)]
pub fn gateway_event(
    route: &Route,
    request_id: &str,
    peer: SocketAddr,
    params: &HashMap<String, String>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> serde_json::Value {
    let mut hdrs = serde_json::Map::new();
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            let key = name.as_str().to_ascii_lowercase();
            let merged = match hdrs.get(&key).and_then(|x| x.as_str()) {
                Some(prev) => format!("{prev},{v}"),
                None => v.to_string(),
            };
            hdrs.insert(key, json!(merged));
        }
    }
    let (body, is_b64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (BASE64.encode(body), true),
    };
    let now = chrono::Utc::now();
    let mut event = json!({
        "version": "2.0",
        "routeKey": format!("{} {}", route.method, route.path),
        "rawPath": uri.path(),
        "rawQueryString": uri.query().unwrap_or(""),
        "headers": hdrs,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "http": {
                "method": method.as_str(),
                "path": uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
            },
            "requestId": request_id,
            "routeKey": format!("{} {}", route.method, route.path),
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_b64,
    });
    if !body.is_empty() {
        event["body"] = json!(body);
    }
    if !params.is_empty() {
        event["pathParameters"] = json!(params);
    }
    event
}

fn to_axum(resp: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = match body {
        lambda_http::Body::Text(t) => t.into_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => Vec::new(),
    };
    Response::from_parts(parts, AxumBody::from(bytes))
}

/// Serve on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, deps: Deps) -> std::io::Result<()> {
    serve_with_blobs(listener, deps, None).await
}

/// Serve the API, and the presigned blob URLs of `blobs` when the embedded store is in use.
pub async fn serve_with_blobs(
    listener: tokio::net::TcpListener,
    deps: Deps,
    blobs: Option<Arc<FileBlobs>>,
) -> std::io::Result<()> {
    let mut app = router(deps.clone());
    if let Some(blobs) = blobs {
        app = blob_router(deps, blobs).merge(app);
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

#[derive(Clone)]
struct BlobState {
    deps: Deps,
    blobs: Arc<FileBlobs>,
}

/// `PUT/GET /_blobs/{key}?op=...&sig=...`: what S3 does with a presigned URL.
pub fn blob_router(deps: Deps, blobs: Arc<FileBlobs>) -> Router {
    Router::new()
        .route("/_blobs/{*key}", get(blob_get).put(blob_put))
        .layer(DefaultBodyLimit::max(BLOB_BODY_LIMIT))
        .with_state(BlobState { deps, blobs })
}

fn blob_error(status: StatusCode, code: &str) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json!({ "error": { "code": code } }).to_string(),
    )
        .into_response()
}

async fn blob_put(
    State(s): State<BlobState>,
    Path(key): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(SignedOp::Put { content_type, len }) = s.blobs.verify(&key, uri.query().unwrap_or(""))
    else {
        return blob_error(StatusCode::FORBIDDEN, "AccessDenied");
    };
    let sent_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if sent_type != Some(content_type.as_str()) {
        return blob_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch");
    }
    if body.len() as u64 != len {
        return blob_error(StatusCode::BAD_REQUEST, "IncompleteBody");
    }
    if let Err(e) = s.blobs.write_object(&key, &content_type, &body).await {
        tracing::error!(cause = %e, "blob write failed");
        return blob_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError");
    }
    // The embedded store's "Object Created" hook.
    if key.starts_with(statx_core::stats::attachments::PENDING_PREFIX) {
        if let Err(e) = statx_core::stats::attachments::finalize(&s.deps, &key).await {
            tracing::error!(cause = %e, "attachment finalize failed");
        }
    }
    StatusCode::OK.into_response()
}

async fn blob_get(State(s): State<BlobState>, Path(key): Path<String>, uri: Uri) -> Response {
    let Ok(SignedOp::Get) = s.blobs.verify(&key, uri.query().unwrap_or("")) else {
        return blob_error(StatusCode::FORBIDDEN, "AccessDenied");
    };
    match s.blobs.read_object(&key).await {
        Ok(Some((ct, bytes))) => (
            StatusCode::OK,
            [
                (axum::http::header::CONTENT_TYPE, ct),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment".to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => blob_error(StatusCode::NOT_FOUND, "NoSuchKey"),
        Err(e) => {
            tracing::error!(cause = %e, "blob read failed");
            blob_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError")
        }
    }
}

/// Run the asynchronous functions on the embedded store's change feed, as the table's stream
/// runs `notify` in AWS: every committed change goes through `notify::on_change`.
pub fn spawn_change_feed(
    store: &statx_local::RedbStore,
    deps: Deps,
) -> tokio::task::JoinHandle<()> {
    use tokio::sync::broadcast::error::RecvError;
    let mut feed = store.subscribe();
    tokio::spawn(async move {
        loop {
            match feed.recv().await {
                Ok(c) => {
                    let outcome = statx_core::notify::on_change(
                        &deps,
                        &c.key,
                        c.old.as_ref(),
                        c.new.as_ref(),
                    )
                    .await;
                    if let Err(e) = outcome {
                        tracing::error!(cause = %e, "notify failed for a change");
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "change feed lagged; some changes were not notified")
                }
                Err(RecvError::Closed) => break,
            }
        }
    })
}

/// What the start-up line says about where things go, true for each backend: with the embedded
/// adapters codes are printed and appended to the outbox under the data directory; with the AWS
/// adapters they go to SNS (moto_server keeps them in its state), nothing is printed.
pub fn startup_note(aws: bool, data_dir: &std::path::Path) -> String {
    if aws {
        "AWS adapters (STATX_BACKEND=aws): data in DynamoDB and S3, SMS codes sent through SNS"
            .to_string()
    } else {
        format!(
            "embedded adapters, data in {}; SMS codes are printed here and appended to {}",
            data_dir.display(),
            data_dir.join("outbox").join("sms.jsonl").display()
        )
    }
}

#[cfg(test)]
mod startup_tests {
    #[test]
    fn the_startup_note_tells_where_codes_go() {
        let dir = std::path::Path::new(".statx");
        let aws = super::startup_note(true, dir);
        assert!(aws.contains("SNS") && !aws.contains("outbox") && !aws.contains("printed"));
        let local = super::startup_note(false, dir);
        assert!(local.contains(".statx/outbox/sms.jsonl") && local.contains("printed"));
    }
}

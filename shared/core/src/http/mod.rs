//! HTTP layer: the route table, one dispatch path shared by every Lambda and the local server,
//! and the mapping of errors to responses.
//!
//! `dispatch` never fails: every error becomes a JSON error response (a handler that returned
//! `Err` to lambda_http would become an opaque 500).

pub mod cursor;
pub mod error;
pub mod request;
pub mod response;
pub mod routes;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use crate::identity::session::{self, Caller};
use crate::ports::random::RandomExt;
use crate::Deps;
pub use error::ApiError;
pub use response::Reply;
pub use routes::{Route, ROUTES};

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;
/// A route handler: owns its context, returns a reply or an error for the one error table.
pub type Handler = fn(Ctx) -> HandlerFuture;

/// Everything a handler gets: the ports, the request, and the authenticated caller (present on
/// every route that requires authentication).
pub struct Ctx {
    pub deps: Deps,
    pub req: Request,
    pub caller: Option<Caller>,
}

impl Ctx {
    /// The authenticated caller; routes that need one are marked `auth: true`.
    pub fn caller(&self) -> Result<&Caller, ApiError> {
        self.caller.as_ref().ok_or(ApiError::Unauthorized)
    }
}

/// API Gateway's request id (or a fresh one when there is none, e.g. in unit tests).
fn request_id(req: &Request, deps: &Deps) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
    .unwrap_or_else(|| deps.random.id())
}

/// The caller's source IP as API Gateway saw it (the TCP peer for the local server).
pub fn source_ip(req: &Request) -> Option<String> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
}

/// Handle one request for `route`: size limit, authentication, handler, error mapping, the
/// headers every response carries, and one access log line (no user data in it).
pub async fn dispatch(deps: &Deps, route: &'static Route, req: Request) -> Response<Body> {
    let request_id = request_id(&req, deps);
    let span = tracing::info_span!("request", request_id = %request_id, function = route.function);
    async move {
        let started = Instant::now();
        let outcome = run(deps, route, req).await;
        let (reply, error) = match outcome {
            Ok(reply) => (reply, None),
            Err(e) => (Reply::from_error(&e), Some(e)),
        };
        let status = reply.status.as_u16();
        let ms = started.elapsed().as_millis() as u64;
        match &error {
            Some(e @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => {
                tracing::error!(status, ms, cause = %e, "request failed")
            }
            _ => tracing::info!(status, ms, "request handled"),
        }
        reply.into_response(&request_id)
    }
    .instrument(span)
    .await
}

async fn run(deps: &Deps, route: &'static Route, req: Request) -> Result<Reply, ApiError> {
    if request::body_bytes(&req).len() > deps.config.max_body_bytes {
        return Err(ApiError::PayloadTooLarge);
    }
    let caller = if route.auth {
        let caller = session::authenticate(
            deps,
            request::header(&req, "x-api-key"),
            request::header(&req, "x-auth-token"),
        )
        .await?;
        Some(caller)
    } else {
        None
    };
    (route.handler)(Ctx {
        deps: deps.clone(),
        req,
        caller,
    })
    .await
}

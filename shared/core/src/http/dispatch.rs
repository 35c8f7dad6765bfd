//! One dispatch path shared by every Lambda and the local server: size limit, authentication
//! of `Authed` routes, the handler, the mapping of its error to a response, and one access log
//! line.
//!
//! `dispatch` never fails: every error becomes a JSON error response (a handler that returned
//! `Err` to lambda_http would become an opaque 500).

use std::time::Instant;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use super::{request, ApiError, Authed, Ctx, Handler, Reply, Route};
use crate::identity::session;
use crate::ports::random::RandomExt;
use crate::Deps;

/// API Gateway's request id (or a fresh one when there is none, e.g. in unit tests).
fn request_id(req: &Request, deps: &Deps) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
    .unwrap_or_else(|| deps.random.id())
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
    let ctx = Ctx {
        deps: deps.clone(),
        req,
    };
    match route.handler {
        Handler::Public(handler) => handler(ctx).await,
        Handler::Authed(handler) => {
            let caller = session::authenticate(
                deps,
                request::header(&ctx.req, "x-api-key"),
                request::header(&ctx.req, "x-auth-token"),
            )
            .await?;
            handler(Authed { ctx, caller }).await
        }
    }
}

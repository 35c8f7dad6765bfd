//! Replies: a status and a JSON body; `into_response` adds the headers every response carries.

use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, RETRY_AFTER};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use super::error::ApiError;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub retry_after: Option<u64>,
    /// The version of the returned resource, sent as a quoted `ETag`.
    pub etag: Option<i64>,
}

impl Reply {
    pub fn new(status: StatusCode, body: impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_value(body)
            .map_err(|e| ApiError::Internal(format!("response serialisation: {e}")))?;
        Ok(Self {
            status,
            body,
            retry_after: None,
            etag: None,
        })
    }

    /// The same reply with an `ETag` of `version`.
    pub fn with_etag(mut self, version: i64) -> Self {
        self.etag = Some(version);
        self
    }

    pub fn ok(body: impl Serialize) -> Result<Self, ApiError> {
        Self::new(StatusCode::OK, body)
    }

    pub fn created(body: impl Serialize) -> Result<Self, ApiError> {
        Self::new(StatusCode::CREATED, body)
    }

    pub fn from_error(e: &ApiError) -> Self {
        Self {
            status: e.parts().0,
            body: e.body(),
            retry_after: e.retry_after(),
            etag: None,
        }
    }

    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let mut builder = Response::builder()
            .status(self.status)
            .header(CONTENT_TYPE, "application/json")
            .header(CACHE_CONTROL, "no-store")
            .header("x-content-type-options", "nosniff")
            .header("x-request-id", request_id);
        if let Some(secs) = self.retry_after {
            builder = builder.header(RETRY_AFTER, secs.to_string());
        }
        if let Some(version) = self.etag {
            builder = builder.header(ETAG, format!("\"{version}\""));
        }
        builder
            .body(Body::Text(self.body.to_string()))
            .unwrap_or_else(|_| {
                // Only reachable with an invalid header value (the request id comes from API
                // Gateway or from us, and is always valid).
                let mut r = Response::new(Body::Text(r#"{"error":{"code":"internal","message":"Something went wrong on our side."}}"#.into()));
                *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                r
            })
    }
}

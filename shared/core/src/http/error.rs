//! The one status table: every failure of every handler ends as one of these variants (each
//! feature maps its own error enum onto them, next to its handlers, never to a lower status); the JSON body is
//! `{"error": {"code": "...", "message": "..."}}` and never holds secrets or user data
//! (clients show it verbatim). Internal causes are logged here, without user data.

use http::StatusCode;
use serde_json::json;

use crate::ports::{BlobError, SmsError, StoreError};
use crate::Fault;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Bad input; the message names the field and the rule, never the value.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("invalid verification code")]
    InvalidCode,
    #[error("not found")]
    NotFound,
    /// The change would break a rule (e.g. the last admin leaving); the message says which.
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A rate limit: retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// The global SMS circuit breaker is open: retry after this many seconds.
    #[error("sms breaker open")]
    SmsUnavailable(u64),
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::BadRequest(msg.into())
    }

    /// Status, stable machine code, and the message shown to users.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Missing, invalid or revoked credentials.".into(),
            ),
            Self::InvalidCode => (
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "The verification code is not valid. Request a new code and try again.".into(),
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found.".into()),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            Self::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The stat changed since you read it. Read it again and retry.".into(),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.".into(),
            ),
            Self::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests. Wait a little and try again.".into(),
            ),
            Self::SmsUnavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "sms_unavailable",
                "Codes cannot be sent right now. Try again in a minute.".into(),
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is temporarily unavailable. Try again shortly.".into(),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side.".into(),
            ),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let (_, code, message) = self.parts();
        json!({ "error": { "code": code, "message": message } })
    }

    /// Seconds a client should wait before retrying, for the statuses that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Unavailable(_) => Some(5),
            Self::TooManyRequests(s) | Self::SmsUnavailable(s) => Some(*s),
            _ => None,
        }
    }
}

impl From<Fault> for ApiError {
    fn from(f: Fault) -> Self {
        match f {
            Fault::Store(StoreError::Unavailable(m)) => Self::Unavailable(format!("store: {m}")),
            Fault::Store(StoreError::TooLarge) => Self::bad("The data is too large to store."),
            Fault::Sms(SmsError::Provider(m)) => Self::Unavailable(format!("sms: {m}")),
            Fault::Push(m) => Self::Unavailable(format!("push: {m}")),
            Fault::Blob(BlobError::Provider(m)) => Self::Unavailable(format!("blobs: {m}")),
            Fault::Contention => Self::Unavailable("write contention".into()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Fault::from(e).into()
    }
}

/// The status of an error enum declared with `fault::access_error!`: 404, 409, 429 with its
/// Retry-After, or the fault's own status.
macro_rules! api_error_from {
    ($error:path) => {
        impl From<$error> for $crate::http::ApiError {
            fn from(e: $error) -> Self {
                use $error as E;
                match e {
                    E::NotFound => Self::NotFound,
                    E::Conflict(m) => Self::Conflict(m.into()),
                    E::Throttled { retry_after } => Self::TooManyRequests(retry_after),
                    E::Fault(f) => f.into(),
                }
            }
        }
    };
}
pub(crate) use api_error_from;

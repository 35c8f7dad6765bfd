//! The one error -> status table. Every failure of every handler ends here; the JSON body is
//! `{"error": {"code": "...", "message": "..."}}` and never holds secrets or user data
//! (clients show it verbatim). Internal causes are logged here, without user data.

use http::StatusCode;
use serde_json::json;

use crate::app::auth::{LoginError, VerifyError};
use crate::app::session::AuthError;
use crate::app::Fault;
use crate::ports::{SmsError, StoreError};

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
    #[error("payload too large")]
    PayloadTooLarge,
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
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.".into(),
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

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Fault(f) => f.into(),
        }
    }
}

impl From<VerifyError> for ApiError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Invalid => Self::InvalidCode,
            VerifyError::Fault(f) => f.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Invalid => Self::Unauthorized,
            AuthError::Fault(f) => f.into(),
        }
    }
}

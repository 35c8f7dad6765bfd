//! HTTP handlers of the identity feature.

pub mod clients;
pub mod devices;
pub mod login;
pub mod profile;

use crate::http::ApiError;
use crate::identity::devices::DeviceError;
use crate::identity::limits::LimitError;
use crate::identity::otp::CheckError;
use crate::identity::phone_change::ChangeError;
use crate::identity::session::AuthError;
use crate::identity::signout::RevokeError;

impl From<LimitError> for ApiError {
    fn from(e: LimitError) -> Self {
        match e {
            LimitError::Throttled { retry_after } => Self::TooManyRequests(retry_after),
            LimitError::Breaker { retry_after } => Self::SmsUnavailable(retry_after),
            LimitError::Fault(f) => f.into(),
        }
    }
}

impl From<DeviceError> for ApiError {
    fn from(e: DeviceError) -> Self {
        match e {
            DeviceError::TooMany => Self::bad("Too many devices: remove one first."),
            DeviceError::Platform => Self::bad("Push is not configured for that platform."),
            DeviceError::NotFound => Self::NotFound,
            DeviceError::Fault(f) => f.into(),
        }
    }
}

impl From<CheckError> for ApiError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Invalid => Self::InvalidCode,
            CheckError::Fault(f) => f.into(),
        }
    }
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::SameNumber => Self::bad("phoneNumber is already your number."),
            ChangeError::Limit(l) => l.into(),
            ChangeError::Fault(f) => f.into(),
        }
    }
}

impl From<RevokeError> for ApiError {
    fn from(e: RevokeError) -> Self {
        match e {
            RevokeError::NotFound => Self::NotFound,
            RevokeError::Fault(f) => f.into(),
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

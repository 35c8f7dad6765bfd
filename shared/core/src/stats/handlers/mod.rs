//! HTTP handlers of the stats feature.

pub mod attachments;
pub mod extras;
pub mod stats;

use crate::http::ApiError;
use crate::stats::StatError;

impl From<StatError> for ApiError {
    fn from(e: StatError) -> Self {
        match e {
            StatError::NotFound => Self::NotFound,
            StatError::Invalid(m) => Self::BadRequest(m),
            StatError::Conflict(m) => Self::Conflict(m),
            StatError::Stale => Self::PreconditionFailed,
            StatError::Throttled { retry_after } => Self::TooManyRequests(retry_after),
            StatError::Fault(f) => f.into(),
        }
    }
}

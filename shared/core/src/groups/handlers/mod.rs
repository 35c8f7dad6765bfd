//! HTTP handlers of the groups feature.

pub mod groups;
pub mod invitations;
pub mod members;

use crate::groups::GroupError;
use crate::http::ApiError;

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::NotFound => Self::NotFound,
            GroupError::Conflict(m) => Self::Conflict(m.into()),
            GroupError::Throttled { retry_after } => Self::TooManyRequests(retry_after),
            GroupError::Fault(f) => f.into(),
        }
    }
}

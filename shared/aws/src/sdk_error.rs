//! The one safe description of an AWS SDK failure: its error code, never its message (which
//! may quote request values such as phone numbers).

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

pub(crate) fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> &str {
    match e {
        SdkError::ServiceError(_) => e.code().unwrap_or("unknown"),
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch failure",
        SdkError::ResponseError(_) => "bad response",
        SdkError::ConstructionFailure(_) => "request construction failed",
        _ => "request failed",
    }
}

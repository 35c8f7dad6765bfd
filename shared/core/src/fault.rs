//! Failures every use case shares.

use crate::ports::StoreError;

/// Failures every use case shares: a dependency did not answer as it should. Details are logged
/// where they happen; none of them reaches a response body.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("sealed data could not be opened")]
    Crypto(#[from] crate::ports::CryptoError),
    #[error("sms: {0}")]
    Sms(#[from] crate::ports::SmsError),
    #[error("blobs: {0}")]
    Blob(#[from] crate::ports::BlobError),
    #[error("push: {0}")]
    Push(String),
    #[error("stored item is malformed: {0}")]
    Corrupt(&'static str),
    #[error("gave up after repeated write conflicts")]
    Contention,
}

/// Declare a feature's error enum of the shape every group-scoped feature shares:
/// `NotFound` (unknown, or not visible to / not allowed for this caller: one answer for all),
/// `Conflict` (a rule would break; the message is shown to the user), `Throttled` (a per-user
/// cap; retry after so many seconds) and `Fault`, with the conversions from port errors.
/// Each feature keeps its own type; `http::error::api_error_from!` maps it to a status.
macro_rules! access_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, thiserror::Error)]
        pub enum $name {
            /// Unknown, or not visible to / not allowed for this caller: one answer for all.
            #[error("not found")]
            NotFound,
            /// The change would break a rule; the message is shown to the user.
            #[error("conflict: {0}")]
            Conflict(&'static str),
            /// A per-user cap; retry after this many seconds.
            #[error("throttled")]
            Throttled { retry_after: u64 },
            #[error(transparent)]
            Fault(#[from] $crate::Fault),
        }

        impl From<$crate::ports::StoreError> for $name {
            fn from(e: $crate::ports::StoreError) -> Self {
                Self::Fault(e.into())
            }
        }

        impl From<$crate::ports::CryptoError> for $name {
            fn from(e: $crate::ports::CryptoError) -> Self {
                Self::Fault(e.into())
            }
        }
    };
    // A feature built on the group checks: their answers pass through unchanged.
    ($(#[$doc:meta])* $name:ident, from $group:path) => {
        $crate::fault::access_error!($(#[$doc])* $name);

        impl From<$group> for $name {
            fn from(e: $group) -> Self {
                use $group as G;
                match e {
                    G::NotFound => Self::NotFound,
                    G::Conflict(m) => Self::Conflict(m),
                    G::Throttled { retry_after } => Self::Throttled { retry_after },
                    G::Fault(f) => Self::Fault(f),
                }
            }
        }
    };
}
pub(crate) use access_error;

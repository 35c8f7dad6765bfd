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

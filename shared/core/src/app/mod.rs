//! Use cases: business rules, authorization and invariants, written once against the ports.

pub mod account;
pub mod attachments;
pub mod auth;
pub mod chat;
pub mod devices;
pub mod follow;
pub mod follow_account;
pub mod group_account;
pub mod groups;
pub mod history;
pub mod inbox;
pub mod invitations;
pub mod keys;
pub mod limits;
pub mod links;
pub mod me;
pub mod members;
pub mod mute;
pub mod notify;
pub mod otp;
pub mod phone;
pub mod purge;
pub mod sealed;
pub mod session;
pub mod stat_keys;
pub mod stat_settings;
pub mod stat_values;
pub mod stats;

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

//! Ports: the few traits the use cases need from the outside world. They are shaped like the AWS
//! operations so that repositories are written once in core and only these thin ports are
//! implemented twice (`statx-aws`, `statx-local`).

pub mod blobs;
pub mod clock;
pub mod crypto;
pub mod push;
pub mod random;
pub mod sms;
pub mod store;

pub use blobs::{BlobError, BlobMeta, Blobs, PresignedUpload};
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::{Crypto, CryptoError};
pub use push::{Push, PushError, PushMessage, PushOutcome};
pub use random::{OsRandom, Random};
pub use sms::{Sms, SmsError};
pub use store::{
    Cond, CounterOutcome, Item, ItemExt, ItemStore, Key, Page, Query, SkCond, StoreError, Value,
    Write,
};

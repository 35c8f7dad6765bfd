//! StatX ports implemented embedded, durable under one data directory:
//!
//! | port | here | on disk |
//! |---|---|---|
//! | `ItemStore` | [`RedbStore`] | `<data>/store.redb` |
//! | `Crypto` | `Keyring` from [`key_file`] | `<data>/master.key` (0600) |
//! | `Sms` | [`OutboxSms`] | `<data>/outbox/sms.jsonl` |
//! | `Push` | [`OutboxPush`] | `<data>/outbox/push.jsonl` |
//! | `Blobs` | [`FileBlobs`] | `<data>/blobs/<key>` (+ `.meta`) |
//!
//! [`deps`] builds all of them from a `Config`.

pub mod blobs;
mod codec;
pub mod key_file;
pub mod outbox;
mod store;
mod store_query;
mod store_write;
mod urlenc;

#[cfg(test)]
mod adapter_tests;
#[cfg(test)]
mod store_query_tests;
#[cfg(test)]
mod store_tests;

use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use statx_core::ports::{Clock, Crypto, CryptoError, OsRandom, StoreError};
use statx_core::{Config, Deps};

pub use blobs::{FileBlobs, SignedOp};
pub use outbox::{read_push_outbox, read_sms_outbox, OutboxPush, OutboxSms, SentSms};
pub use store::{Change, RedbStore};

/// File name of the item store inside the data directory.
pub const STORE_FILE: &str = "store.redb";

/// Why the embedded adapters could not start. Messages hold paths and OS errors, never key
/// material or user data.
#[derive(Debug, thiserror::Error)]
pub enum LocalInitError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the local store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot load the master key: {0}")]
    Key(#[from] CryptoError),
}

/// The ports as `Deps`, plus the concrete adapters the local server needs (the store's change
/// feed, the push test switch, the blob URL checks).
#[derive(Clone)]
pub struct LocalDeps {
    pub deps: Deps,
    pub store: RedbStore,
    pub push: Arc<OutboxPush>,
    pub blobs: Arc<FileBlobs>,
}

/// The key that signs presigned blob URLs, derived from the master key (so there is one
/// secret to keep): SHA-256 of `blind_index("blob-url-key", "")`, an HMAC under the keyring's
/// blind-index sub-key. Stable across restarts, so URLs survive a server restart.
pub fn blob_signing_key(crypto: &dyn Crypto) -> [u8; 32] {
    Sha256::digest(crypto.blind_index("blob-url-key", b"").as_bytes()).into()
}

/// Build every port under `config.data_dir` (created 0700 when missing): the store
/// `store.redb`, the master key `master.key`, the outboxes, the blobs (URLs on
/// `http://127.0.0.1:{config.port}`), and OS randomness. `echo_sms` prints each SMS on stdout.
pub fn deps(
    config: &Config,
    clock: Arc<dyn Clock>,
    echo_sms: bool,
) -> Result<LocalDeps, LocalInitError> {
    let dir = &config.data_dir;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| LocalInitError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
    let keyring = key_file::load_or_create(&dir.join(key_file::DEFAULT_FILE_NAME))?;
    let store = RedbStore::open(&dir.join(STORE_FILE))?;
    let blobs = Arc::new(FileBlobs::new(
        dir,
        format!("http://127.0.0.1:{}", config.port),
        blob_signing_key(&keyring),
        clock.clone(),
    ));
    let push = Arc::new(OutboxPush::new(dir, clock.clone()));
    let deps = Deps {
        store: Arc::new(store.clone()),
        crypto: Arc::new(keyring),
        sms: Arc::new(OutboxSms::new(dir, clock.clone(), echo_sms)),
        push: push.clone(),
        blobs: blobs.clone(),
        clock,
        random: Arc::new(OsRandom),
        config: Arc::new(config.clone()),
    };
    Ok(LocalDeps {
        deps,
        store,
        push,
        blobs,
    })
}

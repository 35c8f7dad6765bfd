//! Conformance suites: one per port, run unchanged against the embedded adapters
//! (`statx-local`) and the AWS adapters on moto_server (`statx-aws`), so both behave alike.
//!
//! Every case is a `pub async fn`. Store cases take the `ItemStore` trait object; the others
//! take a [`Harness`], which also knows how to observe the adapter from outside (read the SMS
//! outbox or moto's state, upload to a presigned URL...). Each case is marked `#[case]`, which
//! makes it a test on a fresh `LocalHarness` and on a fresh `AwsHarness`
//! (`conformance::<port>::<case>::local` and `::aws`). AWS-only checks are in
//! tests/tests/conformance_aws.rs.

pub mod aws;
pub mod blobs;
pub mod crypto;
pub mod local;
pub mod messaging;
pub mod store;
pub mod store_query;
pub mod store_tx;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use statx_core::ports::random::RandomExt;
use statx_core::ports::{Blobs, Crypto, ItemStore, OsRandom, PresignedUpload, Push, Sms};

pub use aws::AwsHarness;
pub use local::LocalHarness;

/// A push message as the provider received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    pub title: String,
    pub body: String,
    pub data: BTreeMap<String, String>,
}

/// One adapter family plus the means to watch it from outside. Each test builds a fresh one.
#[async_trait]
pub trait Harness: Send + Sync {
    fn store(&self) -> Arc<dyn ItemStore>;
    /// The store for cases that race writers against one item. The same adapter, except that
    /// against moto_server its write calls go one at a time: moto applies an UpdateItem without
    /// isolation (two concurrent `ADD n 1` both answer the same new value), which real
    /// DynamoDB never does; reads and conditions still run through the adapter.
    fn racing_store(&self) -> Arc<dyn ItemStore> {
        self.store()
    }
    /// A new `Crypto` instance built from this harness's key source, as a new process (cold
    /// start) would build it: every instance must agree with the others.
    async fn crypto(&self) -> Arc<dyn Crypto>;
    fn sms(&self) -> Arc<dyn Sms>;
    /// Texts sent to `to`, oldest first.
    async fn sent_sms(&self, to: &str) -> Vec<String>;
    fn push(&self) -> Arc<dyn Push>;
    /// Messages delivered to `device_id` at `endpoint`, in any order.
    async fn pushed(&self, device_id: &str, endpoint: &str) -> Vec<PushRecord>;
    /// Make the provider report `endpoint` disabled (an uninstalled app).
    async fn disable_push(&self, endpoint: &str);
    /// Whether registering a disabled endpoint's token again enables it (false on moto, whose
    /// `Enabled` attribute handling cannot re-enable an endpoint).
    fn reregister_enables(&self) -> bool;
    fn blobs(&self) -> Arc<dyn Blobs>;
    /// Upload `body` the way a client would, sending the presigned headers.
    async fn upload(&self, upload: &PresignedUpload, body: Vec<u8>) -> Result<(), String>;
    /// Fetch a presigned download URL; `None` when the object does not exist.
    async fn download(&self, url: &str) -> Result<Option<Vec<u8>>, String>;
}

/// A random lowercase id, to keep keys, numbers and tokens of one test apart from others'.
pub fn uid() -> String {
    OsRandom.token(8)
}

/// A random E.164 number in the +1 555 range, unique per call for practical purposes.
pub fn unique_number() -> String {
    let mut b = [0u8; 4];
    statx_core::ports::Random::fill(&OsRandom, &mut b);
    format!("+1555{:07}", u32::from_le_bytes(b) % 10_000_000)
}

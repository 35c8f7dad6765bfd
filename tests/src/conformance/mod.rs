//! Conformance suites: one per port, run unchanged against the embedded adapters
//! (`statx-local`) and the AWS adapters on moto_server (`statx-aws`), so both behave alike.
//!
//! Every case is a `pub async fn`. Store cases take the `ItemStore` trait object; the others
//! take a [`Harness`], which also knows how to observe the adapter from outside (read the SMS
//! outbox or moto's state, upload to a presigned URL...). [`conformance_tests!`] instantiates
//! every case as its own `#[tokio::test]` for one harness (see `tests/tests/conformance_*.rs`).

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

/// Every store case, in sequence, against one store (cases use their own keys).
pub async fn store_suite(store: Arc<dyn ItemStore>) {
    let s = || store.clone();
    store::get_put_delete(s()).await;
    store::value_types(s()).await;
    store::conditions(s()).await;
    store::update_semantics(s()).await;
    store::counters(s()).await;
    store::counters_concurrent(s()).await;
    store::batch_get(s()).await;
    store::size_limit(s()).await;
    store_query::query_prefix(s()).await;
    store_query::query_between(s()).await;
    store_query::query_descending(s()).await;
    store_query::query_pagination(s()).await;
    store_query::query_pagination_descending(s()).await;
    store_query::query_gsi(s()).await;
    store_query::query_bad_requests(s()).await;
    store_tx::transaction_commits(s()).await;
    store_tx::transaction_all_or_nothing(s()).await;
    store_tx::transaction_failed_indexes(s()).await;
    store_tx::transaction_bad_requests(s()).await;
}

/// Define one `#[tokio::test]` per conformance case for the harness built by `$make` (an async
/// expression evaluating to a `Harness`), in modules `store`, `crypto`, `sms`, `push`, `blobs`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        mod store {
            use super::*;
            $crate::conformance_tests!(@store $make; store:
                get_put_delete, value_types, conditions, update_semantics, counters,
                counters_concurrent, batch_get, size_limit);
            $crate::conformance_tests!(@store $make; store_query:
                query_prefix, query_between, query_descending, query_pagination,
                query_pagination_descending, query_gsi, query_bad_requests);
            $crate::conformance_tests!(@store $make; store_tx:
                transaction_commits, transaction_all_or_nothing, transaction_failed_indexes,
                transaction_bad_requests);
        }
        mod crypto {
            use super::*;
            $crate::conformance_tests!(@harness $make; crypto:
                seal_open_context, stable_across_instances, concurrent_first_start);
        }
        mod sms {
            use super::*;
            $crate::conformance_tests!(@harness $make; messaging:
                sms_send_and_read_back);
        }
        mod push {
            use super::*;
            $crate::conformance_tests!(@harness $make; messaging:
                push_register_send, push_register_idempotent, push_disabled_endpoint,
                push_unknown_platform);
        }
        mod blobs {
            use super::*;
            $crate::conformance_tests!(@harness $make; blobs:
                upload_head_download_delete, head_missing, expiry_bounds, copy_keeps_bytes_and_type);
        }
    };
    (@store $make:expr; $suite:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let harness = $make.await;
                $crate::conformance::$suite::$case(
                    $crate::conformance::Harness::store(&harness),
                )
                .await;
            }
        )*
    };
    (@harness $make:expr; $suite:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let harness = $make.await;
                $crate::conformance::$suite::$case(&harness).await;
            }
        )*
    };
}

//! `SerialWrites`: a store decorator that lets one write call at a time through, used in front
//! of the AWS adapter when it talks to moto_server.
//!
//! moto applies `TransactWriteItems` without isolation and rolls a cancelled one back by
//! restoring a snapshot of the *whole table* taken before it started, which silently undoes
//! every write other requests made in the meantime (moto 5.2.5,
//! `moto/dynamodb/models/__init__.py::transact_write_items`). Real DynamoDB transactions are
//! serialisable and never do that. Serialising the write calls (reads stay concurrent, so stale
//! reads, failed conditions and retries still happen) keeps the suites testing our concurrency
//! control rather than moto's.

use std::sync::Arc;

use async_trait::async_trait;
use statx_core::ports::{
    Cond, CounterOutcome, Item, ItemStore, Key, Page, Query, StoreError, Write,
};
use tokio::sync::Mutex;

pub struct SerialWrites {
    inner: Arc<dyn ItemStore>,
    lock: Mutex<()>,
}

impl SerialWrites {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            lock: Mutex::new(()),
        }
    }
}

#[async_trait]
impl ItemStore for SerialWrites {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError> {
        let _one = self.lock.lock().await;
        self.inner.put(item, cond).await
    }
    async fn update(
        &self,
        key: &Key,
        set: Item,
        remove: &[String],
        cond: Cond,
    ) -> Result<Item, StoreError> {
        let _one = self.lock.lock().await;
        self.inner.update(key, set, remove, cond).await
    }
    async fn delete(&self, key: &Key, cond: Cond) -> Result<(), StoreError> {
        let _one = self.lock.lock().await;
        self.inner.delete(key, cond).await
    }
    async fn add_counter(
        &self,
        key: &Key,
        attr: &str,
        delta: i64,
        cap: i64,
        expires_at: i64,
    ) -> Result<CounterOutcome, StoreError> {
        let _one = self.lock.lock().await;
        self.inner
            .add_counter(key, attr, delta, cap, expires_at)
            .await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let _one = self.lock.lock().await;
        self.inner.transact(writes).await
    }
}

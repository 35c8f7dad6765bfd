//! A decorator over a real `ItemStore` that counts write calls, so suites can prove that a
//! rejected request wrote nothing. It forwards every call to the real adapter.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use statx_core::ports::{
    Cond, CounterOutcome, Item, ItemStore, Key, Page, Query, StoreError, Write,
};

pub struct CountingStore {
    inner: Arc<dyn ItemStore>,
    writes: AtomicUsize,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            writes: AtomicUsize::new(0),
        }
    }
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
    fn count(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl ItemStore for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError> {
        self.count();
        self.inner.put(item, cond).await
    }
    async fn update(
        &self,
        key: &Key,
        set: Item,
        remove: &[String],
        cond: Cond,
    ) -> Result<Item, StoreError> {
        self.count();
        self.inner.update(key, set, remove, cond).await
    }
    async fn delete(&self, key: &Key, cond: Cond) -> Result<(), StoreError> {
        self.count();
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
        self.count();
        self.inner
            .add_counter(key, attr, delta, cap, expires_at)
            .await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.count();
        self.inner.transact(writes).await
    }
}

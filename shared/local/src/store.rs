//! `RedbStore`: the embedded `ItemStore`, one redb file, durable across restarts.
//!
//! Every operation runs on tokio's blocking pool. Each write (including its condition check)
//! is one redb write transaction; redb runs write transactions one at a time, so a
//! read-check-write can never interleave with another writer and no update is lost. Reads use
//! snapshot read transactions. Items whose `ttl` has passed are not hidden (DynamoDB deletes
//! them lazily too; use cases check expiry themselves).

use std::fs::OpenOptions;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use redb::{Database, TableDefinition};
use statx_core::ports::store::{
    Cond, CounterOutcome, Item, ItemStore, Key, Page, Query, StoreError, Write,
};
use tokio::sync::broadcast;

use crate::codec::{check_key, decode_item, table_key};
use crate::store_write::{self, write_txn};

pub(crate) const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");
pub(crate) const GSI1: TableDefinition<&[u8], &[u8]> = TableDefinition::new("gsi1");

/// How many changes a subscriber may fall behind before it sees `RecvError::Lagged`.
const FEED_CAPACITY: usize = 4096;
/// DynamoDB's BatchGetItem limit.
const MAX_BATCH_GET: usize = 100;

/// One committed write, published on the change feed (like a DynamoDB stream record with
/// NEW_AND_OLD_IMAGES). `old == None` is an insert, `new == None` a delete.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: Key,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

/// The embedded item store. Cheap to clone: clones share one open database.
#[derive(Clone)]
pub struct RedbStore {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    feed: broadcast::Sender<Change>,
    /// Held from the start of a write transaction until its changes are published, so the
    /// feed is in commit order. (redb runs one write transaction at a time anyway.)
    write_lock: Mutex<()>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedbStore(..)")
    }
}

pub(crate) fn db_err(e: impl Into<redb::Error>) -> StoreError {
    StoreError::Unavailable(format!("local store: {}", e.into()))
}

impl RedbStore {
    /// Open (or create) the store file at `path`, creating missing parent directories (0700).
    /// The file is created 0600. Fails if another process has it open.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let io = |what: &str, e: std::io::Error| {
            StoreError::Unavailable(format!("local store: cannot {what}: {e}"))
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| io("create its directory", e))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| io("open the file", e))?;
        let db = redb::Builder::new().create_file(file).map_err(db_err)?;
        // Create both tables once so read transactions always find them.
        let txn = db.begin_write().map_err(db_err)?;
        txn.open_table(ITEMS).map_err(db_err)?;
        txn.open_table(GSI1).map_err(db_err)?;
        txn.commit().map_err(db_err)?;
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        Ok(RedbStore {
            inner: Arc::new(Inner {
                db,
                feed,
                write_lock: Mutex::new(()),
            }),
        })
    }

    /// Receive every change committed after this call (put, update, delete, counter,
    /// transaction), in commit order. A receiver that falls more than 4096 changes behind gets
    /// `RecvError::Lagged` and must resynchronise by querying.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.feed.subscribe()
    }

    /// Run `f` on the blocking pool with the database.
    async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Database) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner.db))
            .await
            .map_err(|_| StoreError::Unavailable("local store task failed".into()))?
    }

    /// Run `f` inside one write transaction on the blocking pool; publish its changes after
    /// the commit.
    async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut store_write::Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _serial = inner.write_lock.lock().unwrap_or_else(|e| e.into_inner());
            let (r, changes) = write_txn(&inner.db, f)?;
            for change in changes {
                // No subscriber is fine.
                let _ = inner.feed.send(change);
            }
            Ok(r)
        })
        .await
        .map_err(|_| StoreError::Unavailable("local store task failed".into()))?
    }
}

#[async_trait]
impl ItemStore for RedbStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        check_key(key)?;
        let k = table_key(key);
        self.run(move |db| {
            let txn = db.begin_read().map_err(db_err)?;
            let items = txn.open_table(ITEMS).map_err(db_err)?;
            let v = items.get(k.as_slice()).map_err(db_err)?;
            v.map(|v| decode_item(v.value())).transpose()
        })
        .await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        if keys.len() > MAX_BATCH_GET {
            return Err(StoreError::Invalid("at most 100 keys per batch get".into()));
        }
        let mut table_keys: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
        for key in keys {
            check_key(key)?;
            table_keys.push(table_key(key));
        }
        let mut sorted = table_keys.clone();
        sorted.sort();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            // DynamoDB refuses duplicate keys in one BatchGetItem.
            return Err(StoreError::Invalid("duplicate keys in batch get".into()));
        }
        if table_keys.is_empty() {
            return Ok(Vec::new());
        }
        self.run(move |db| {
            let txn = db.begin_read().map_err(db_err)?;
            let items = txn.open_table(ITEMS).map_err(db_err)?;
            let mut out = Vec::new();
            for k in &table_keys {
                if let Some(v) = items.get(k.as_slice()).map_err(db_err)? {
                    out.push(decode_item(v.value())?);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError> {
        let write = Write::Put { item, cond };
        let key = store_write::validate(&write)?;
        self.write(move |tx| {
            store_write::apply_single(tx, &key, &write)?;
            Ok(())
        })
        .await
    }

    async fn update(
        &self,
        key: &Key,
        set: Item,
        remove: &[String],
        cond: Cond,
    ) -> Result<Item, StoreError> {
        let write = Write::Update {
            key: key.clone(),
            set,
            remove: remove.to_vec(),
            cond,
        };
        let key = store_write::validate(&write)?;
        self.write(move |tx| {
            store_write::apply_single(tx, &key, &write)?
                .ok_or_else(|| StoreError::Unavailable("update produced no item".into()))
        })
        .await
    }

    async fn delete(&self, key: &Key, cond: Cond) -> Result<(), StoreError> {
        let write = Write::Delete {
            key: key.clone(),
            cond,
        };
        let key = store_write::validate(&write)?;
        self.write(move |tx| {
            store_write::apply_single(tx, &key, &write)?;
            Ok(())
        })
        .await
    }

    async fn add_counter(
        &self,
        key: &Key,
        attr: &str,
        delta: i64,
        cap: i64,
        expires_at: i64,
    ) -> Result<CounterOutcome, StoreError> {
        check_key(key)?;
        store_write::check_counter_attr(attr)?;
        let (key, attr) = (key.clone(), attr.to_string());
        self.write(move |tx| store_write::add_counter(tx, &key, &attr, delta, cap, expires_at))
            .await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let plan = crate::store_query::plan(query)?;
        self.run(move |db| crate::store_query::run(db, &plan)).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let keys = store_write::validate_transaction(&writes)?;
        self.write(move |tx| store_write::transact(tx, &keys, &writes))
            .await
    }
}

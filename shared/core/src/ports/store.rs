//! `ItemStore`: a DynamoDB-shaped key/value store. Items are attribute maps under (pk, sk).

use std::collections::BTreeMap;

use async_trait::async_trait;

/// One attribute value. Deliberately small: strings, integers, bytes and booleans cover every
/// item StatX stores (sealed fields are `B`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    S(String),
    N(i64),
    B(Vec<u8>),
    Bool(bool),
}

/// An item: attribute name -> value. `pk` and `sk` are ordinary `S` attributes of the item.
pub type Item = BTreeMap<String, Value>;

/// Attribute names with a fixed meaning in every adapter.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Optimistic-concurrency version (`N`); `Cond::VersionIs` compares against it.
pub const VERSION: &str = "version";
/// Expiry in epoch seconds (`N`); DynamoDB TTL attribute. Adapters may delete expired items
/// lazily; use cases must still check expiry themselves.
pub const TTL: &str = "ttl";
/// The name of the one secondary index (`Query::index`); both store adapters use it.
pub const GSI1: &str = "GSI1";
/// The one secondary index (`GSI1`): partition and sort key attributes.
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// Condition on the current item at a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cond {
    #[default]
    None,
    /// No item exists at the key.
    NotExists,
    /// An item exists at the key.
    Exists,
    /// An item exists and its `version` attribute equals this number.
    VersionIs(i64),
}

/// One write of a transaction (all-or-nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Replace the whole item (must contain `pk` and `sk`).
    Put {
        item: Item,
        cond: Cond,
    },
    /// Set the given attributes and remove the named ones on the item at `key`. Creates the item
    /// when it does not exist and `cond` allows it.
    Update {
        key: Key,
        set: Item,
        remove: Vec<String>,
        cond: Cond,
    },
    Delete {
        key: Key,
        cond: Cond,
    },
    /// Only check a condition; writes nothing.
    Check {
        key: Key,
        cond: Cond,
    },
}

/// Sort-key condition of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkCond {
    Any,
    BeginsWith(String),
    /// Inclusive on both ends.
    Between(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// `None` queries the table; `Some("GSI1")` the secondary index (by `gsi1pk`/`gsi1sk`).
    pub index: Option<&'static str>,
    pub pk: String,
    pub sk: SkCond,
    /// Newest/highest sort key first when false.
    pub ascending: bool,
    pub limit: u32,
    /// Opaque cursor from a previous `Page::next`.
    pub cursor: Option<String>,
}

impl Query {
    pub fn new(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: SkCond::Any,
            ascending: true,
            limit: 100,
            cursor: None,
        }
    }
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sk = SkCond::BeginsWith(prefix.into());
        self
    }
    pub fn between(mut self, lo: impl Into<String>, hi: impl Into<String>) -> Self {
        self.sk = SkCond::Between(lo.into(), hi.into());
        self
    }
    pub fn descending(mut self) -> Self {
        self.ascending = false;
        self
    }
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
    pub fn cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
    pub fn index(mut self, index: &'static str) -> Self {
        self.index = Some(index);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow; pass back as `Query::cursor`.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterOutcome {
    /// The counter was incremented; this is its new value.
    Counted(i64),
    /// Incrementing would pass the cap; nothing was written.
    CapReached,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A single write's condition did not hold; nothing was written.
    #[error("condition failed")]
    ConditionFailed,
    /// A transaction was cancelled (a condition failed or a write conflicted); nothing written.
    /// `failed` lists the indexes of the writes whose condition failed, when known.
    #[error("transaction cancelled")]
    TransactionCanceled { failed: Vec<usize> },
    /// The item (or transaction) is over the size limit (DynamoDB: 400 KB per item).
    #[error("item too large")]
    TooLarge,
    /// A malformed request to the store (bad cursor, missing key attributes...).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// The backing service failed or is unreachable. The message holds no user data.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Maximum size of one item in bytes (DynamoDB's limit), checked by both adapters.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Approximate DynamoDB item size: attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| {
            k.len()
                + match v {
                    Value::S(s) => s.len(),
                    Value::N(_) => 21,
                    Value::B(b) => b.len(),
                    Value::Bool(_) => 1,
                }
        })
        .sum()
}

#[async_trait]
pub trait ItemStore: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;
    /// Items that exist among `keys`, in any order (at most 100 keys).
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;
    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError>;
    /// Set/remove attributes (creating the item when absent and `cond` allows); returns the
    /// item as it is after the update.
    async fn update(
        &self,
        key: &Key,
        set: Item,
        remove: &[String],
        cond: Cond,
    ) -> Result<Item, StoreError>;
    async fn delete(&self, key: &Key, cond: Cond) -> Result<(), StoreError>;
    /// Atomically add `delta` to the numeric attribute `attr` unless the result would exceed
    /// `cap`; sets `ttl` to `expires_at` (epoch seconds). Used for rate limits.
    async fn add_counter(
        &self,
        key: &Key,
        attr: &str,
        delta: i64,
        cap: i64,
        expires_at: i64,
    ) -> Result<CounterOutcome, StoreError>;
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;
    /// All-or-nothing; at most 100 writes, no two on the same key.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;
}

/// Typed access to item attributes.
pub trait ItemExt {
    fn s(&self, name: &str) -> Option<&str>;
    fn n(&self, name: &str) -> Option<i64>;
    fn b(&self, name: &str) -> Option<&[u8]>;
    fn bool(&self, name: &str) -> Option<bool>;
    fn version(&self) -> i64 {
        self.n(VERSION).unwrap_or(0)
    }
}

impl ItemExt for Item {
    fn s(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::S(s)) => Some(s),
            _ => None,
        }
    }
    fn n(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Value::N(n)) => Some(*n),
            _ => None,
        }
    }
    fn b(&self, name: &str) -> Option<&[u8]> {
        match self.get(name) {
            Some(Value::B(b)) => Some(b),
            _ => None,
        }
    }
    fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

/// Build an item from a key and attributes.
pub fn item(key: &Key, attrs: impl IntoIterator<Item = (&'static str, Value)>) -> Item {
    let mut item: Item = attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    item.insert(PK.into(), Value::S(key.pk.clone()));
    item.insert(SK.into(), Value::S(key.sk.clone()));
    item
}

/// The key of an item (its `pk`/`sk` attributes).
pub fn key_of(item: &Item) -> Option<Key> {
    Some(Key::new(item.s(PK)?, item.s(SK)?))
}

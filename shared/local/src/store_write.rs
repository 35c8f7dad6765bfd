//! The write side of `RedbStore`: conditions, updates, counters and transactions, each run
//! inside one redb write transaction (`write_txn`), keeping the GSI1 table in step with the
//! items table and collecting the change feed records.

use std::collections::BTreeSet;

use redb::{Database, ReadableTable, Table};
use statx_core::ports::store::{
    item_size, Cond, CounterOutcome, Item, ItemExt, Key, StoreError, Value, Write, GSI1PK, GSI1SK,
    PK, SK, TTL, VERSION,
};

use crate::codec::{
    check_item, check_key, check_update_attrs, decode_item, encode_item, gsi_key, table_key,
};
use crate::store::{db_err, Change, GSI1, ITEMS};

/// DynamoDB's TransactWriteItems limits.
const MAX_TRANSACTION_WRITES: usize = 100;
const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

type BytesTable<'t> = Table<'t, &'static [u8], &'static [u8]>;

/// The open tables of one write transaction plus the changes made so far.
pub(crate) struct Tx<'t> {
    items: BytesTable<'t>,
    gsi: BytesTable<'t>,
    changes: Vec<Change>,
}

/// Run `f` in one write transaction. Commits when `f` succeeded and changed something; aborts
/// (writing nothing) when it failed or changed nothing. Returns the committed changes.
pub(crate) fn write_txn<R>(
    db: &Database,
    f: impl FnOnce(&mut Tx<'_>) -> Result<R, StoreError>,
) -> Result<(R, Vec<Change>), StoreError> {
    let txn = db.begin_write().map_err(db_err)?;
    let res = {
        let mut tx = Tx {
            items: txn.open_table(ITEMS).map_err(db_err)?,
            gsi: txn.open_table(GSI1).map_err(db_err)?,
            changes: Vec::new(),
        };
        f(&mut tx).map(|r| (r, std::mem::take(&mut tx.changes)))
    };
    match res {
        Ok((r, changes)) if !changes.is_empty() => {
            txn.commit().map_err(db_err)?;
            Ok((r, changes))
        }
        Ok(r) => {
            txn.abort().map_err(db_err)?;
            Ok(r)
        }
        Err(e) => {
            // Dropping would abort as well; nothing of `f` is kept either way.
            let _ = txn.abort();
            Err(e)
        }
    }
}

impl Tx<'_> {
    fn load(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let k = table_key(key);
        let v = self.items.get(k.as_slice()).map_err(db_err)?;
        v.map(|v| decode_item(v.value())).transpose()
    }

    /// Replace the item at `key` (`old` is its current value) by `new`, maintaining GSI1.
    /// Writing what is already there changes nothing and, as in DynamoDB Streams, publishes
    /// nothing.
    fn store(&mut self, key: &Key, old: Option<Item>, new: Option<Item>) -> Result<(), StoreError> {
        if old == new {
            return Ok(());
        }
        let tk = table_key(key);
        if let Some(gk) = old.as_ref().and_then(|o| gsi_key(o, key)) {
            self.gsi.remove(gk.as_slice()).map_err(db_err)?;
        }
        match &new {
            Some(item) => {
                let bytes = encode_item(item)?;
                self.items
                    .insert(tk.as_slice(), bytes.as_slice())
                    .map_err(db_err)?;
                if let Some(gk) = gsi_key(item, key) {
                    self.gsi
                        .insert(gk.as_slice(), tk.as_slice())
                        .map_err(db_err)?;
                }
            }
            None => {
                self.items.remove(tk.as_slice()).map_err(db_err)?;
            }
        }
        self.changes.push(Change {
            key: key.clone(),
            old,
            new,
        });
        Ok(())
    }
}

pub(crate) fn cond_holds(cond: Cond, current: Option<&Item>) -> bool {
    match cond {
        Cond::None => true,
        Cond::NotExists => current.is_none(),
        Cond::Exists => current.is_some(),
        // A missing `version` attribute never equals anything (as in DynamoDB).
        Cond::VersionIs(n) => current.and_then(|i| i.n(VERSION)) == Some(n),
    }
}

fn cond_of(write: &Write) -> Cond {
    match write {
        Write::Put { cond, .. }
        | Write::Update { cond, .. }
        | Write::Delete { cond, .. }
        | Write::Check { cond, .. } => *cond,
    }
}

/// Check a write's shape before touching the store; returns its key.
pub(crate) fn validate(write: &Write) -> Result<Key, StoreError> {
    match write {
        Write::Put { item, .. } => check_item(item),
        Write::Update {
            key, set, remove, ..
        } => {
            check_key(key)?;
            check_update_attrs(set.keys().chain(remove.iter()))?;
            if remove.iter().any(|r| set.contains_key(r)) {
                return Err(StoreError::Invalid(
                    "an attribute is both set and removed".into(),
                ));
            }
            Ok(key.clone())
        }
        Write::Delete { key, .. } => {
            check_key(key)?;
            Ok(key.clone())
        }
        Write::Check { key, cond } => {
            check_key(key)?;
            if *cond == Cond::None {
                // DynamoDB's ConditionCheck requires a condition.
                return Err(StoreError::Invalid(
                    "a condition check needs a condition".into(),
                ));
            }
            Ok(key.clone())
        }
    }
}

fn key_item(key: &Key) -> Item {
    let mut item = Item::new();
    item.insert(PK.into(), Value::S(key.pk.clone()));
    item.insert(SK.into(), Value::S(key.sk.clone()));
    item
}

/// What `write` leaves at its key given the current item: `None` = no write (a check),
/// `Some(None)` = deleted, `Some(Some(item))` = the new item. Conditions are checked by the
/// caller.
fn new_state(
    write: &Write,
    key: &Key,
    current: Option<&Item>,
) -> Result<Option<Option<Item>>, StoreError> {
    Ok(match write {
        Write::Put { item, .. } => Some(Some(item.clone())),
        Write::Update { set, remove, .. } => {
            let mut item = current.cloned().unwrap_or_else(|| key_item(key));
            item.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
            for name in remove {
                item.remove(name);
            }
            check_item(&item)?;
            Some(Some(item))
        }
        Write::Delete { .. } => Some(None),
        Write::Check { .. } => None,
    })
}

/// One conditional put/update/delete. Returns the item after the write (`None` when deleted).
pub(crate) fn apply_single(
    tx: &mut Tx<'_>,
    key: &Key,
    write: &Write,
) -> Result<Option<Item>, StoreError> {
    let current = tx.load(key)?;
    if !cond_holds(cond_of(write), current.as_ref()) {
        return Err(StoreError::ConditionFailed);
    }
    match new_state(write, key, current.as_ref())? {
        Some(new) => {
            tx.store(key, current, new.clone())?;
            Ok(new)
        }
        None => Ok(current),
    }
}

/// Check a transaction's shape; returns the key of each write.
pub(crate) fn validate_transaction(writes: &[Write]) -> Result<Vec<Key>, StoreError> {
    if writes.is_empty() {
        return Err(StoreError::Invalid("empty transaction".into()));
    }
    if writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Invalid(
            "at most 100 writes per transaction".into(),
        ));
    }
    let keys = writes.iter().map(validate).collect::<Result<Vec<_>, _>>()?;
    let distinct: BTreeSet<&Key> = keys.iter().collect();
    if distinct.len() != keys.len() {
        return Err(StoreError::Invalid(
            "two writes of one transaction on the same key".into(),
        ));
    }
    Ok(keys)
}

/// All-or-nothing: every condition is checked against the state before the transaction; if
/// any fails nothing is written and the indexes of the failed ones are returned.
pub(crate) fn transact(tx: &mut Tx<'_>, keys: &[Key], writes: &[Write]) -> Result<(), StoreError> {
    let mut currents = keys
        .iter()
        .map(|k| tx.load(k))
        .collect::<Result<Vec<_>, _>>()?;
    let failed: Vec<usize> = writes
        .iter()
        .zip(&currents)
        .enumerate()
        .filter(|(_, (w, cur))| !cond_holds(cond_of(w), cur.as_ref()))
        .map(|(i, _)| i)
        .collect();
    if !failed.is_empty() {
        return Err(StoreError::TransactionCanceled { failed });
    }
    let mut planned = Vec::with_capacity(writes.len());
    let mut total = 0;
    for (i, write) in writes.iter().enumerate() {
        if let Some(new) = new_state(write, &keys[i], currents[i].as_ref())? {
            total += new.as_ref().map(item_size).unwrap_or(0);
            planned.push((i, new));
        }
    }
    if total > MAX_TRANSACTION_BYTES {
        return Err(StoreError::TooLarge);
    }
    for (i, new) in planned {
        tx.store(&keys[i], currents[i].take(), new)?;
    }
    Ok(())
}

pub(crate) fn check_counter_attr(attr: &str) -> Result<(), StoreError> {
    if attr.is_empty() || [PK, SK, TTL, GSI1PK, GSI1SK].contains(&attr) {
        return Err(StoreError::Invalid("not a valid counter attribute".into()));
    }
    Ok(())
}

/// Add `delta` to `attr` unless the result would pass `cap`; set `ttl`.
pub(crate) fn add_counter(
    tx: &mut Tx<'_>,
    key: &Key,
    attr: &str,
    delta: i64,
    cap: i64,
    expires_at: i64,
) -> Result<CounterOutcome, StoreError> {
    let current = tx.load(key)?;
    let value = match current.as_ref().and_then(|i| i.get(attr)) {
        None => 0,
        Some(Value::N(n)) => *n,
        Some(_) => {
            return Err(StoreError::Invalid(
                "counter attribute is not a number".into(),
            ))
        }
    };
    let next = value
        .checked_add(delta)
        .ok_or_else(|| StoreError::Invalid("counter overflow".into()))?;
    if next > cap {
        return Ok(CounterOutcome::CapReached);
    }
    let mut item = current.clone().unwrap_or_else(|| key_item(key));
    item.insert(attr.to_string(), Value::N(next));
    item.insert(TTL.to_string(), Value::N(expires_at));
    check_item(&item)?;
    tx.store(key, current, Some(item))?;
    Ok(CounterOutcome::Counted(next))
}

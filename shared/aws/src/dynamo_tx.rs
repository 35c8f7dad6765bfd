//! `DynamoStore`'s multi-item operations: TransactWriteItems and BatchGetItem.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use statx_core::ports::store::{item_size, Item, Key, StoreError, Write};

use crate::dynamo::DynamoStore;
use crate::dynamo_codec::{
    build_err, check_item, check_key, check_size, from_item, key_map, sdk_err, to_item,
    update_floor, Expr,
};

/// DynamoDB's limits for one TransactWriteItems / BatchGetItem call.
const MAX_TRANSACT_ITEMS: usize = 100;
const MAX_TRANSACT_BYTES: usize = 4 * 1024 * 1024;
const MAX_BATCH_KEYS: usize = 100;
/// Attempts at getting every key of a batch before giving up (unprocessed keys are retried
/// with exponential backoff: 25 ms, 50 ms, ... about 3 s in total).
const BATCH_ATTEMPTS: u32 = 8;

impl DynamoStore {
    pub(crate) async fn transact_impl(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Err(StoreError::Invalid("empty transaction".into()));
        }
        if writes.len() > MAX_TRANSACT_ITEMS {
            return Err(StoreError::Invalid(
                "too many writes in one transaction".into(),
            ));
        }
        let mut keys = BTreeSet::new();
        let mut total = 0usize;
        let mut items = Vec::with_capacity(writes.len());
        for write in &writes {
            let (item, key, size) = self.transact_item(write)?;
            check_key(&key)?;
            if !keys.insert(key) {
                return Err(StoreError::Invalid("two writes on one key".into()));
            }
            total += size;
            items.push(item);
        }
        if total > MAX_TRANSACT_BYTES {
            return Err(StoreError::TooLarge);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(tc)) => {
                    let too_large = tc.cancellation_reasons().iter().any(|r| {
                        let msg = r.message().unwrap_or_default().to_ascii_lowercase();
                        r.code() == Some("ValidationError")
                            && msg.contains("size")
                            && msg.contains("exceed")
                    });
                    if too_large {
                        return Err(StoreError::TooLarge);
                    }
                    let failed = tc
                        .cancellation_reasons()
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
                        .map(|(i, _)| i)
                        .collect();
                    Err(StoreError::TransactionCanceled { failed })
                }
                _ => Err(sdk_err("TransactWriteItems", &e)),
            },
        }
    }

    /// One write as a `TransactWriteItem`, with its key and (lower bound of) size.
    fn transact_item(&self, write: &Write) -> Result<(TransactWriteItem, Key, usize), StoreError> {
        let mut ex = Expr::default();
        Ok(match write {
            Write::Put { item, cond } => {
                let key = check_item(item)?;
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_item(item)))
                    .set_condition_expression(ex.condition(*cond))
                    .set_expression_attribute_names(ex.names())
                    .set_expression_attribute_values(ex.values())
                    .build()
                    .map_err(build_err)?;
                let w = TransactWriteItem::builder().put(put).build();
                (w, key, item_size(item))
            }
            Write::Update {
                key,
                set,
                remove,
                cond,
            } => {
                let floor = update_floor(key, set);
                check_size(&floor)?;
                let update = ex.update(set, remove)?;
                let up = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_map(key)))
                    .update_expression(update)
                    .set_condition_expression(ex.condition(*cond))
                    .set_expression_attribute_names(ex.names())
                    .set_expression_attribute_values(ex.values())
                    .build()
                    .map_err(build_err)?;
                let w = TransactWriteItem::builder().update(up).build();
                (w, key.clone(), item_size(&floor))
            }
            Write::Delete { key, cond } => {
                let del = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_map(key)))
                    .set_condition_expression(ex.condition(*cond))
                    .set_expression_attribute_names(ex.names())
                    .set_expression_attribute_values(ex.values())
                    .build()
                    .map_err(build_err)?;
                let w = TransactWriteItem::builder().delete(del).build();
                (w, key.clone(), 0)
            }
            Write::Check { key, cond } => {
                // DynamoDB's ConditionCheck requires a condition.
                let condition = ex.condition(*cond).ok_or_else(|| {
                    StoreError::Invalid("a condition check needs a condition".into())
                })?;
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_map(key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(ex.names())
                    .set_expression_attribute_values(ex.values())
                    .build()
                    .map_err(build_err)?;
                let w = TransactWriteItem::builder().condition_check(check).build();
                (w, key.clone(), 0)
            }
        })
    }

    pub(crate) async fn batch_get_impl(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        if keys.len() > MAX_BATCH_KEYS {
            return Err(StoreError::Invalid("too many keys in one batch".into()));
        }
        let unique: BTreeSet<&Key> = keys.iter().collect();
        if unique.len() != keys.len() {
            // As DynamoDB does.
            return Err(StoreError::Invalid("duplicate keys in batch get".into()));
        }
        if unique.is_empty() {
            return Ok(Vec::new());
        }
        for key in &unique {
            check_key(key)?;
        }
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(unique.into_iter().map(key_map).collect()))
                .consistent_read(true)
                .build()
                .map_err(build_err)?,
        );
        let mut found = Vec::new();
        let mut attempt = 0;
        while let Some(request) = pending.take() {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(25 << (attempt - 1))).await;
            }
            if attempt == BATCH_ATTEMPTS {
                return Err(StoreError::Unavailable(
                    "BatchGetItem: keys left unprocessed".into(),
                ));
            }
            attempt += 1;
            let mut out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| sdk_err("BatchGetItem", &e))?;
            if let Some(items) = out.responses.as_mut().and_then(|r| r.remove(&self.table)) {
                for item in items {
                    found.push(from_item(item)?);
                }
            }
            pending = out
                .unprocessed_keys
                .as_mut()
                .and_then(|u| u.remove(&self.table))
                .filter(|k| !k.keys().is_empty());
        }
        Ok(found)
    }
}

//! `ItemStore` on one DynamoDB table (pk/sk strings, one GSI `GSI1` on gsi1pk/gsi1sk).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use statx_core::ports::store::{
    CounterOutcome, Item, ItemStore, Key, Page, Query, SkCond, StoreError, Write, GSI1PK, GSI1SK,
    PK, SK, TTL,
};
use statx_core::ports::Cond;

use crate::dynamo_codec::{
    check_item, check_key, check_size, decode_cursor, encode_cursor, from_item, key_map, sdk_err,
    to_item, update_floor, Expr,
};

/// The name of the one secondary index.
pub use statx_core::ports::store::GSI1;

/// DynamoDB-backed `ItemStore`. Reads are strongly consistent (except on the GSI, where
/// DynamoDB offers only eventual consistency).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        check_key(key)?;
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_err("GetItem", &e))?;
        out.item.map(from_item).transpose()
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.batch_get_impl(keys).await
    }

    async fn put(&self, item: Item, cond: Cond) -> Result<(), StoreError> {
        check_item(&item)?;
        let mut ex = Expr::default();
        let condition = ex.condition(cond);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .send()
            .await
            .map_err(|e| sdk_err("PutItem", &e))?;
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        set: Item,
        remove: &[String],
        cond: Cond,
    ) -> Result<Item, StoreError> {
        check_key(key)?;
        check_size(&update_floor(key, &set))?;
        let mut ex = Expr::default();
        let update = ex.update(&set, remove)?;
        let condition = ex.condition(cond);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| sdk_err("UpdateItem", &e))?;
        from_item(out.attributes.unwrap_or_default())
    }

    async fn delete(&self, key: &Key, cond: Cond) -> Result<(), StoreError> {
        check_key(key)?;
        let mut ex = Expr::default();
        let condition = ex.condition(cond);
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .send()
            .await
            .map_err(|e| sdk_err("DeleteItem", &e))?;
        Ok(())
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
        if [PK, SK, TTL, GSI1PK, GSI1SK].contains(&attr) || attr.is_empty() {
            return Err(StoreError::Invalid("counter attribute not allowed".into()));
        }
        // With no item yet the condition below passes, so a first delta over the cap is refused
        // here.
        let Some(max_before) = cap.checked_sub(delta).filter(|_| delta <= cap) else {
            return Ok(CounterOutcome::CapReached);
        };
        let mut ex = Expr::default();
        let a = ex.name(attr);
        let t = ex.name(TTL);
        let d = ex.value(AttributeValue::N(delta.to_string()));
        let exp = ex.value(AttributeValue::N(expires_at.to_string()));
        let m = ex.value(AttributeValue::N(max_before.to_string()));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(format!("ADD {a} {d} SET {t} = {exp}"))
            .condition_expression(format!("attribute_not_exists({a}) OR {a} <= {m}"))
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                return match sdk_err("UpdateItem", &e) {
                    StoreError::ConditionFailed => Ok(CounterOutcome::CapReached),
                    other => Err(other),
                }
            }
        };
        let value = out
            .attributes
            .and_then(|mut a| a.remove(attr))
            .and_then(|v| v.as_n().ok().and_then(|n| n.parse().ok()))
            .ok_or_else(|| StoreError::Unavailable("UpdateItem: counter not returned".into()))?;
        Ok(CounterOutcome::Counted(value))
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if query.limit == 0 {
            return Err(StoreError::Invalid("query limit must be positive".into()));
        }
        let (pk_attr, sk_attr, attrs): (&str, &str, &[&str]) = match query.index {
            None => (PK, SK, &[PK, SK]),
            Some(GSI1) => (GSI1PK, GSI1SK, &[PK, SK, GSI1PK, GSI1SK]),
            Some(_) => return Err(StoreError::Invalid("unknown index".into())),
        };
        if query.pk.is_empty() {
            return Err(StoreError::Invalid("empty partition key".into()));
        }
        let start = query
            .cursor
            .as_deref()
            .map(|c| decode_cursor(c, attrs, pk_attr, &query.pk))
            .transpose()?;
        let mut ex = Expr::default();
        let p = ex.name(pk_attr);
        let pv = ex.value(AttributeValue::S(query.pk.clone()));
        let mut key_cond = format!("{p} = {pv}");
        match &query.sk {
            SkCond::Any => {}
            SkCond::BeginsWith(prefix) if prefix.is_empty() => {}
            SkCond::BeginsWith(prefix) => {
                let s = ex.name(sk_attr);
                let v = ex.value(AttributeValue::S(prefix.clone()));
                key_cond.push_str(&format!(" AND begins_with({s}, {v})"));
            }
            SkCond::Between(lo, hi) if lo > hi => {
                return Err(StoreError::Invalid("between bounds are reversed".into()))
            }
            SkCond::Between(lo, hi) => {
                let s = ex.name(sk_attr);
                let l = ex.value(AttributeValue::S(lo.clone()));
                let h = ex.value(AttributeValue::S(hi.clone()));
                key_cond.push_str(&format!(" AND {s} BETWEEN {l} AND {h}"));
            }
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(str::to_string))
            .key_condition_expression(key_cond)
            .set_expression_attribute_names(ex.names())
            .set_expression_attribute_values(ex.values())
            .scan_index_forward(query.ascending)
            .limit(i32::try_from(query.limit).unwrap_or(i32::MAX))
            .set_consistent_read(query.index.is_none().then_some(true))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_err("Query", &e))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next = match out.last_evaluated_key {
            Some(last) if !last.is_empty() => Some(encode_cursor(last)?),
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.transact_impl(writes).await
    }
}

//! Reading many items: by key in batches, and page by page.

use std::collections::HashMap;

use crate::ports::store::key_of;
use crate::ports::{Item, Key, Page, Query, StoreError};
use crate::{Deps, Fault};

/// The most keys one `batch_get` takes (DynamoDB's BatchGetItem limit).
pub const BATCH: usize = 100;

/// The item with `key` among `items` (batch gets return items in any order).
pub fn find<'a>(items: &'a [Item], key: &Key) -> Option<&'a Item> {
    items.iter().find(|i| key_of(i).as_ref() == Some(key))
}

/// Items at `keys` (any number; fetched `BATCH` at a time), by key.
pub async fn batch_get_all(deps: &Deps, mut keys: Vec<Key>) -> Result<HashMap<Key, Item>, Fault> {
    keys.sort();
    keys.dedup();
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH) {
        for it in deps.store.batch_get(chunk).await? {
            if let Some(k) = key_of(&it) {
                out.insert(k, it);
            }
        }
    }
    Ok(out)
}

/// One page of the items under `pk` whose sort key starts with `prefix`.
pub async fn page_of(
    deps: &Deps,
    pk: String,
    prefix: &str,
    limit: u32,
    cursor: Option<String>,
) -> Result<Page, StoreError> {
    let q = Query::new(pk).prefix(prefix).limit(limit).cursor(cursor);
    deps.store.query(&q).await
}

/// Every item a query finds, reading page after page (for bounded sets only: a user's
/// memberships, a group's admins).
pub async fn all(deps: &Deps, query: Query) -> Result<Vec<Item>, Fault> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = deps.store.query(&query.clone().cursor(cursor)).await?;
        out.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

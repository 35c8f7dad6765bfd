//! Reading many items: by key in batches, and page by page.

use std::collections::HashMap;

use crate::ports::store::key_of;
use crate::ports::{Cond, Item, Key, Page, Query, StoreError, Write};
use crate::store::keys;
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
    let mut pages = Pages::new(query);
    while let Some(items) = pages.next(deps).await? {
        out.extend(items);
    }
    Ok(out)
}

/// A query read page by page, for loops that handle each page as it comes (delete it, stop at
/// a match): `while let Some(items) = pages.next(deps).await? { … }`.
pub struct Pages {
    query: Query,
    /// `None` once the last page was read; before that, the cursor of the next page.
    cursor: Option<Option<String>>,
}

impl Pages {
    pub fn new(query: Query) -> Self {
        Self {
            query,
            cursor: Some(None),
        }
    }

    /// The next page's items, or `None` after the last page.
    pub async fn next(&mut self, deps: &Deps) -> Result<Option<Vec<Item>>, Fault> {
        let Some(cursor) = self.cursor.take() else {
            return Ok(None);
        };
        let page = deps.store.query(&self.query.clone().cursor(cursor)).await?;
        self.cursor = page.next.map(Some);
        Ok(Some(page.items))
    }
}

/// One page of a group's items of one kind (`prefix`: members, stats, followers…), each parsed:
/// the shape of every listing of a group. The cursor is the store's (the HTTP layer seals it).
pub async fn group_page<T>(
    deps: &Deps,
    group_id: &str,
    prefix: &str,
    limit: u32,
    cursor: Option<String>,
    parse: impl Fn(&Item) -> Result<T, Fault>,
) -> Result<(Vec<T>, Option<String>), Fault> {
    let page = page_of(deps, keys::group_pk(group_id), prefix, limit, cursor).await?;
    let items = page.items.iter().map(parse).collect::<Result<_, _>>()?;
    Ok((items, page.next))
}

/// Delete everything `query` finds, one page per transaction, re-reading the first page until it
/// comes back empty (right for eventually consistent indexes too). `extra` adds the writes an
/// item brings along (e.g. the other side of a pair). Returns the number of items found.
pub async fn drain(
    deps: &Deps,
    query: Query,
    extra: impl Fn(&Item) -> Vec<Write>,
) -> Result<usize, Fault> {
    let mut removed = 0;
    loop {
        let page = deps.store.query(&query).await?;
        if page.items.is_empty() {
            return Ok(removed);
        }
        let mut writes = Vec::with_capacity(page.items.len());
        for it in &page.items {
            writes.extend(extra(it));
            if let Some(key) = key_of(it) {
                writes.push(Write::Delete {
                    key,
                    cond: Cond::None,
                });
            }
        }
        removed += page.items.len();
        crate::store::retry::transact_blind(deps, writes).await?;
    }
}

/// Every item a paged listing gives, following its cursor to the end (for bounded sets that a
/// feature lists page by page: a group's invitations, a user's received invitations).
pub async fn every_page<T, E, F, Fut>(mut page: F) -> Result<Vec<T>, E>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let (items, next) = page(cursor).await?;
        out.extend(items);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

//! Queries of `RedbStore`: one range scan of one partition of the items table or of the GSI1
//! table (see `codec` for the key layouts), never a scan of the whole store.
//!
//! The cursor is the (base64url) storage key of the last item returned; the next page starts
//! strictly after it (ascending) or strictly before it (descending), so every item present
//! for the whole pagination is returned exactly once, even when others are written meanwhile.

use std::ops::Bound;

use data_encoding::BASE64URL_NOPAD;
use redb::Database;
use statx_core::ports::store::{Page, Query, SkCond, StoreError};

use crate::codec::{decode_item, partition_prefix};
use crate::store::{db_err, GSI1, ITEMS};

/// The only secondary index.
pub(crate) use statx_core::ports::store::GSI1 as GSI1_NAME;

/// A validated query: which table, which key range, which way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    gsi: bool,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    ascending: bool,
    limit: usize,
}

/// The smallest byte string greater than every string starting with `prefix`.
fn successor(prefix: &[u8]) -> Bound<Vec<u8>> {
    let mut s = prefix.to_vec();
    while let Some(last) = s.pop() {
        if last < u8::MAX {
            s.push(last + 1);
            return Bound::Excluded(s);
        }
    }
    Bound::Unbounded
}

fn no_nul(what: &str, s: &str) -> Result<(), StoreError> {
    if s.as_bytes().contains(&0) {
        return Err(StoreError::Invalid(format!("{what} must not contain NUL")));
    }
    Ok(())
}

fn bad_cursor() -> StoreError {
    StoreError::Invalid("bad cursor".into())
}

pub(crate) fn plan(q: &Query) -> Result<Plan, StoreError> {
    let gsi = match q.index {
        None => false,
        Some(GSI1_NAME) => true,
        Some(_) => return Err(StoreError::Invalid("unknown index".into())),
    };
    if q.pk.is_empty() {
        return Err(StoreError::Invalid("query pk must not be empty".into()));
    }
    no_nul("query pk", &q.pk)?;
    if q.limit == 0 {
        return Err(StoreError::Invalid("query limit must be at least 1".into()));
    }
    let partition = partition_prefix(&q.pk);
    let with = |s: &str| {
        let mut k = partition.clone();
        k.extend_from_slice(s.as_bytes());
        k
    };
    // Sort-key values never contain NUL, so in both tables the entries whose sort key is in
    // range form one contiguous byte range (see `codec`).
    let (lo, mut upper) = match &q.sk {
        SkCond::Any => (partition.clone(), successor(&partition)),
        SkCond::BeginsWith(prefix) => {
            no_nul("sort key prefix", prefix)?;
            let start = with(prefix);
            let end = successor(&start);
            (start, end)
        }
        SkCond::Between(lo, hi) => {
            no_nul("sort key bound", lo)?;
            no_nul("sort key bound", hi)?;
            if lo > hi {
                return Err(StoreError::Invalid("between bounds are reversed".into()));
            }
            // Every key whose sort key is `hi` (followed by nothing, or by `\0...` in GSI1)
            // is below `hi \x01`; every sort key above `hi` is at or above it.
            let mut end = with(hi);
            end.push(1);
            (with(lo), Bound::Excluded(end))
        }
    };
    let mut lower = Bound::Included(lo.clone());
    if let Some(cursor) = &q.cursor {
        let c = BASE64URL_NOPAD
            .decode(cursor.as_bytes())
            .map_err(|_| bad_cursor())?;
        if !c.starts_with(&partition) {
            return Err(bad_cursor());
        }
        if q.ascending {
            if c >= lo {
                lower = Bound::Excluded(c);
            }
        } else {
            let before_end = match &upper {
                Bound::Excluded(end) => c < *end,
                _ => true,
            };
            if before_end {
                upper = Bound::Excluded(c);
            }
        }
    }
    Ok(Plan {
        gsi,
        lower,
        upper,
        ascending: q.ascending,
        limit: q.limit as usize,
    })
}

pub(crate) fn run(db: &Database, plan: &Plan) -> Result<Page, StoreError> {
    let txn = db.begin_read().map_err(db_err)?;
    let items = txn.open_table(ITEMS).map_err(db_err)?;
    let index = if plan.gsi {
        Some(txn.open_table(GSI1).map_err(db_err)?)
    } else {
        None
    };
    let table = index.as_ref().unwrap_or(&items);
    let bounds = (
        plan.lower.as_ref().map(Vec::as_slice),
        plan.upper.as_ref().map(Vec::as_slice),
    );
    let range = table.range::<&[u8]>(bounds).map_err(db_err)?;
    let entries: Box<dyn Iterator<Item = _>> = if plan.ascending {
        Box::new(range)
    } else {
        Box::new(range.rev())
    };
    let mut page = Page::default();
    let mut last: Option<Vec<u8>> = None;
    for entry in entries {
        let (k, v) = entry.map_err(db_err)?;
        if page.items.len() == plan.limit {
            // One more exists: hand out a cursor.
            page.next = last.as_deref().map(|l| BASE64URL_NOPAD.encode(l));
            break;
        }
        let item = if plan.gsi {
            // GSI1 entries point at the item's key in the items table.
            match items.get(v.value()).map_err(db_err)? {
                Some(found) => decode_item(found.value())?,
                None => continue,
            }
        } else {
            decode_item(v.value())?
        };
        page.items.push(item);
        last = Some(k.value().to_vec());
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_of_prefixes() {
        assert_eq!(successor(b"a\0"), Bound::Excluded(b"a\x01".to_vec()));
        assert_eq!(successor(b"a\xff"), Bound::Excluded(b"b".to_vec()));
        assert_eq!(successor(b"\xff\xff"), Bound::Unbounded);
    }

    #[test]
    fn plans_refuse_bad_requests() {
        assert!(plan(&Query::new("p").index("OTHER")).is_err());
        assert!(plan(&Query::new("")).is_err());
        assert!(plan(&Query::new("p").limit(0)).is_err());
        assert!(plan(&Query::new("p").between("b", "a")).is_err());
        assert!(plan(&Query::new("p").cursor(Some("!!".into()))).is_err());
        // A cursor from another partition.
        let other = BASE64URL_NOPAD.encode(b"q\0x");
        assert!(plan(&Query::new("p").cursor(Some(other))).is_err());
        let mine = BASE64URL_NOPAD.encode(b"p\0x");
        let p = plan(&Query::new("p").cursor(Some(mine))).unwrap();
        assert_eq!(p.lower, Bound::Excluded(b"p\0x".to_vec()));
    }
}

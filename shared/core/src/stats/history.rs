//! Stat history: one item per accepted value change (`keys::history`), written in the
//! same transaction as the change, so history and the stat never disagree. The entry (value,
//! items, currentIndex) is sealed; who made it is kept as the per-group member id and shown by
//! the member's current display name (`stats::FORMER_MEMBER` once they have left).

use crate::domain::ids::{GroupId, StatId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::time::rfc3339;
use crate::identity::session::Caller;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, Query, Value, Write};
use crate::stats::values::StatItem;
use crate::stats::{member_names, sweep_prefix, Stat, StatError};
use crate::store::keys as sk;
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

/// The sealed part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sealed {
    value: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    items: Vec<StatItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current_index: Option<usize>,
}

/// One history entry as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: String,
    pub value: String,
    pub items: Vec<StatItem>,
    pub current_index: Option<usize>,
    pub by: String,
    /// The stat version this change produced.
    pub version: i64,
}

/// The history item for the value `s` now has (its `change_ms`, `version`, `by_member`).
pub(crate) fn entry_write(deps: &Deps, group_id: &str, s: &Stat) -> Write {
    let key = sk::history(group_id, &s.id, s.change_ms, s.version);
    let sealed = Sealed {
        value: s.content.value.clone(),
        items: s.content.items.clone(),
        current_index: s.content.current_index,
    };
    let json = serde_json::to_string(&sealed).unwrap_or_default();
    let at = DateTime::<Utc>::from_timestamp_millis(s.change_ms)
        .map(rfc3339)
        .unwrap_or_default();
    Write::Put {
        item: item(
            &key,
            [
                ("entry", seal(deps.crypto.as_ref(), &key, "entry", &json)),
                ("at", Value::S(at)),
                (
                    "byMember",
                    Value::S(s.by_member.clone().unwrap_or_default()),
                ),
                ("version", Value::N(s.version)),
            ],
        ),
        cond: Cond::NotExists,
    }
}

fn parse(deps: &Deps, group_id: &str, it: &Item) -> Result<(Entry, String), Fault> {
    let sort = it.s(SK).ok_or(Fault::Corrupt("history key"))?;
    let key = crate::ports::Key::new(crate::store::keys::group_pk(group_id), sort);
    let json = open(deps.crypto.as_ref(), it, &key, "entry")?
        .ok_or(Fault::Corrupt("history without entry"))?;
    let s: Sealed = serde_json::from_str(&json).map_err(|_| Fault::Corrupt("history entry"))?;
    Ok((
        Entry {
            at: it.s("at").unwrap_or_default().to_string(),
            value: s.value,
            items: s.items,
            current_index: s.current_index,
            by: String::new(),
            version: it.version(),
        },
        it.s("byMember").unwrap_or_default().to_string(),
    ))
}

/// The history keys' millisecond range for `[from, to]`. Entries show `at` in whole seconds, so
/// the window covers whole seconds at both ends; any instant a client can send is clamped to
/// what a key can hold (13 digits: 1970 to the year 2286), so a far-future `to` means "up to
/// now" and a pre-1970 `from` means "from the start".
pub(crate) fn window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> (i64, i64) {
    let clamp = |ms: i64| ms.clamp(0, sk::HISTORY_MAX_MILLIS);
    let lo = from.map_or(0, |t| clamp(t.timestamp().saturating_mul(1000)));
    let hi = to.map_or(sk::HISTORY_MAX_MILLIS, |t| {
        clamp(t.timestamp().saturating_mul(1000).saturating_add(999))
    });
    (lo, hi)
}

/// One page of a stat's history, newest first, optionally within `[from, to]` (inclusive).
#[allow(clippy::too_many_arguments)]
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Entry>, Option<String>), StatError> {
    let (access, stat) = crate::stats::read_any(deps, caller, group_id, stat_id).await?;
    stat.ok_or(StatError::NotFound)?;
    let follower = access.me.role == crate::groups::Role::Follower;
    let prefix = sk::history_prefix(stat_id);
    let (lo, hi) = window(from, to);
    let page = deps
        .store
        .query(
            &Query::new(crate::store::keys::group_pk(group_id))
                .between(format!("{prefix}{lo:013}#"), format!("{prefix}{hi:013}#~"))
                .descending()
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let parsed = page
        .items
        .iter()
        .map(|it| parse(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let names = member_names(
        deps,
        group_id,
        parsed
            .iter()
            .map(|(_, m)| m.as_str())
            .filter(|m| !m.is_empty()),
    )
    .await?;
    let entries = parsed
        .into_iter()
        .map(|(mut e, m)| {
            e.by = if follower {
                crate::stats::HIDDEN_AUTHOR.to_string()
            } else {
                names
                    .get(&m)
                    .cloned()
                    .unwrap_or_else(|| crate::stats::FORMER_MEMBER.to_string())
            };
            e
        })
        .collect();
    Ok((entries, page.next))
}

/// Delete the stat's whole history.
pub(crate) async fn sweep(deps: &Deps, group_id: &str, stat_id: &str) -> Result<usize, Fault> {
    sweep_prefix(deps, group_id, &sk::history_prefix(stat_id)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(crate::domain::stat::timestamp("t", s).unwrap())
    }

    #[test]
    fn windows_stay_within_what_a_key_can_hold() {
        let max = sk::HISTORY_MAX_MILLIS;
        assert_eq!(window(None, None), (0, max));
        assert_eq!(
            window(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:01Z")),
            (1_767_225_600_000, 1_767_225_601_999)
        );
        // After the year 2286 (14-digit milliseconds) and far beyond: clamped, never reversed.
        assert_eq!(
            window(at("2026-01-01T00:00:00Z"), at("2361-05-06T04:30:27Z")).1,
            max
        );
        assert_eq!(window(None, at("6903-01-01T00:00:00Z")).1, max);
        assert_eq!(window(at("9999-12-31T23:59:59Z"), None), (max, max));
        // Before 1970: the start.
        assert_eq!(window(at("1900-01-01T00:00:00Z"), None).0, 0);
        assert_eq!(window(None, at("1900-01-01T00:00:00Z")).1, 0);
        let (lo, hi) = window(at("2286-11-20T17:46:39Z"), at("2286-11-20T17:46:40Z"));
        assert!(lo <= hi && hi <= max, "{lo} {hi}");
    }
}

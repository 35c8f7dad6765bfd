//! Writing stats: `create` (admins, within `MAX_STATS`), `update` (merge, optionally against
//! `If-Match`) and `delete` (admins), each one transaction conditional on META and on the
//! caller's membership; then the sweep of what hangs off a deleted stat.

use crate::domain::ids::{GroupId, StatId};
use crate::domain::time::rfc3339;
use crate::groups::{access, Access};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::{Cond, ItemExt, Query, Value, Write};
use crate::stats::read::view;
use crate::stats::values::{self, Merged, StatInput};
use crate::stats::{attachments, history, read, stat_item, Stat, StatError, StatView, MAX_STATS};
use crate::store::keys as sk;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::Deps;
use crate::Fault;

fn writes_hold(a: &Access, caller: &Caller) -> [Write; 2] {
    [
        Write::Check {
            key: keys::group_meta(&a.group.id),
            cond: Cond::Exists,
        },
        a.still_holds(caller),
    ]
}

/// Admins only: a new stat (at most `MAX_STATS` per group).
pub async fn create(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    input: StatInput,
) -> Result<StatView, StatError> {
    let a = access(deps, caller, group_id).await?;
    a.require_admin()?;
    let m = values::create(input).map_err(StatError::Invalid)?;
    let now = deps.clock.now();
    let stat = Stat {
        id: deps.random.id(),
        visual: m.visual,
        admin_only: m.admin_only,
        created_at: rfc3339(now),
        updated_at: Some(rfc3339(now)),
        notes_updated_at: m.notes_changed.then(|| rfc3339(now)),
        by_member: Some(a.me.member_id.clone()),
        change_ms: now.timestamp_millis(),
        version: 1,
        content: m.content,
    };
    {
        let ckey = &sk::stat_count(group_id);
        let (a0, stat) = (&a, &stat);
        transact(deps, move |n| async move {
            // The first attempt uses the access read above; a retry reads it again.
            let a = if n == 0 {
                a0.clone()
            } else {
                access(deps, caller, group_id).await?
            };
            a.require_admin()?;
            let (count, cond) = match deps.store.get(ckey).await? {
                Some(c) => (c.n("count").unwrap_or(0), Cond::VersionIs(c.version())),
                None => (0, Cond::NotExists),
            };
            if count >= MAX_STATS {
                return Err(StatError::Conflict(format!(
                    "A group can have at most {MAX_STATS} stats. Delete one first."
                )));
            }
            let next_version = match cond {
                Cond::VersionIs(v) => v + 1,
                _ => 1,
            };
            let mut writes = vec![
                Write::Put {
                    item: stat_item(deps, group_id, stat)?,
                    cond: Cond::NotExists,
                },
                Write::Update {
                    key: ckey.clone(),
                    set: [
                        ("count".to_string(), Value::N(count + 1)),
                        ("version".to_string(), Value::N(next_version)),
                    ]
                    .into_iter()
                    .collect(),
                    remove: vec![],
                    cond,
                },
                history::entry_write(deps, group_id, stat),
            ];
            writes.extend(writes_hold(&a, caller));
            Ok::<_, StatError>(Step::Commit(writes, ()))
        })
        .await?;
    }
    tracing::info!(visual = stat.visual.as_str(), "stat created");
    Ok(view(deps, group_id, stat).await?)
}

/// Merge `input` onto the stat. `if_match`: the version the client last saw (412 when stale);
/// without it, a lost race is merged again onto the newer version.
pub async fn update(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
    input: StatInput,
    if_match: Option<i64>,
) -> Result<StatView, StatError> {
    let input = &input;
    let (stat, changes) = transact(deps, move |_| async move {
        let (a, stat) = read(deps, caller, group_id, stat_id).await?;
        let cur = stat.ok_or(StatError::NotFound)?;
        if cur.admin_only && !a.is_admin() {
            return Err(StatError::NotFound);
        }
        if if_match.is_some_and(|v| v != cur.version) {
            return Err(StatError::Stale);
        }
        let m: Merged = values::merge(cur.visual, &cur.content, cur.admin_only, input.clone())
            .map_err(StatError::Invalid)?;
        if m.structural && !a.is_admin() {
            return Err(StatError::NotFound);
        }
        if !m.changed {
            return Ok(Step::Done((cur, None)));
        }
        let now = deps.clock.now();
        let mut next = Stat {
            visual: m.visual,
            admin_only: m.admin_only,
            content: m.content,
            version: cur.version + 1,
            ..cur.clone()
        };
        if m.value_changed {
            next.change_ms = now.timestamp_millis().max(cur.change_ms + 1);
            next.updated_at = Some(rfc3339(now));
            next.by_member = Some(a.me.member_id.clone());
        }
        if m.notes_changed {
            next.notes_updated_at = Some(rfc3339(now));
        }
        let mut writes = vec![Write::Put {
            item: stat_item(deps, group_id, &next)?,
            cond: Cond::VersionIs(cur.version),
        }];
        if m.value_changed {
            writes.push(history::entry_write(deps, group_id, &next));
        }
        writes.extend(writes_hold(&a, caller));
        let changes = Some((m.value_changed, m.notes_changed));
        Ok::<_, StatError>(Step::Commit(writes, (next, changes)))
    })
    .await?;
    if let Some((value, notes)) = changes {
        tracing::info!(value, notes, "stat updated");
    }
    Ok(view(deps, group_id, stat).await?)
}

/// Admins only: delete the stat, then its history, attachments (objects too) and everyone's
/// settings for it. A deletion cut short after the stat went is completed by the next DELETE
/// of the same id (which still answers 404, like any unknown id).
pub async fn delete(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
) -> Result<(), StatError> {
    let ckey = &sk::stat_count(group_id);
    transact(deps, move |_| async move {
        let (a, stat) = read(deps, caller, group_id, stat_id).await?;
        a.require_admin()?;
        let Some(stat) = stat else {
            sweep_children(deps, group_id, stat_id).await?;
            return Err(StatError::NotFound);
        };
        let mut writes = vec![Write::Delete {
            key: sk::stat(group_id, &stat.id),
            cond: Cond::VersionIs(stat.version),
        }];
        if let Some(c) = deps.store.get(ckey).await? {
            writes.push(Write::Update {
                key: ckey.clone(),
                set: [
                    (
                        "count".to_string(),
                        Value::N((c.n("count").unwrap_or(1) - 1).max(0)),
                    ),
                    ("version".to_string(), Value::N(c.version() + 1)),
                ]
                .into_iter()
                .collect(),
                remove: vec![],
                cond: Cond::VersionIs(c.version()),
            });
        }
        writes.push(a.still_holds(caller));
        Ok::<_, StatError>(Step::Commit(writes, ()))
    })
    .await?;
    let removed = sweep_children(deps, group_id, stat_id).await?;
    tracing::info!(children = removed, "stat deleted");
    Ok(())
}

/// Everything hanging off a stat: history, attachments (and their objects), settings.
async fn sweep_children(deps: &Deps, group_id: &str, stat_id: &str) -> Result<usize, Fault> {
    Ok(history::sweep(deps, group_id, stat_id).await?
        + attachments::sweep_stat(deps, group_id, stat_id).await?
        + crate::store::sweep::settings(deps, group_id, Some(stat_id)).await?)
}

/// Every item of a prefix under the group, deleted page by page. Returns how many.
pub(crate) async fn sweep_prefix(
    deps: &Deps,
    group_id: &str,
    prefix: &str,
) -> Result<usize, Fault> {
    let q = Query::new(keys::group_pk(group_id))
        .prefix(prefix)
        .limit(50);
    crate::store::batch::drain(deps, q, |_| Vec::new()).await
}

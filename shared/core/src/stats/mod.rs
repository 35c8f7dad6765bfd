//! Stats (issue 6): create, list, read, update (merge) and delete, for the members of a group.
//!
//! Authorization goes through `groups::access`: admins and members read; admins create, delete
//! and change a stat's structure (`values::Merged::structural`); members change values,
//! notes and due dates unless the stat is `adminOnly`. Everything else answers `NotFound`,
//! exactly like an unknown id.
//!
//! Concurrency: every write is one transaction conditional on the stat's version, on META
//! existing (nothing is added to a group whose deletion has begun) and on the caller's
//! membership being the one authorised (`Access::still_holds`). A PUT without `If-Match` that
//! loses a race re-reads and merges again, so no accepted change is ever lost; with `If-Match`
//! a stale version is `Stale` (412). Each accepted value change writes its history entry in the
//! same transaction. The 100-stat cap is a counter item updated in the create/delete
//! transactions, conditional on its own version.

pub mod attachments;
pub mod handlers;
pub mod history;
pub mod settings;
pub mod values;

use std::collections::HashMap;

use crate::domain::ids::is_id;
use crate::domain::stat::VisualType;
use crate::domain::time::rfc3339;
use crate::groups::members::{display_names, parse_target, DEFAULT_DISPLAY_NAME};
use crate::groups::{access, parse_membership, parse_meta, Access, GroupError};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, CryptoError, Item, ItemExt, Query, StoreError, Value, Write};
use crate::stats::values::{Content, Merged, StatInput};
use crate::store::batch::batch_get_all;
use crate::store::batch::find as find_item;
use crate::store::keys as sk;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

/// Stats per group.
pub const MAX_STATS: i64 = 100;
/// Shown as `lastUpdatedBy` / `by` for someone who has left the group.
pub const FORMER_MEMBER: &str = "Former member";

#[derive(Debug, thiserror::Error)]
pub enum StatError {
    /// Unknown, or not visible to / not allowed for this caller: one answer for all.
    #[error("not found")]
    NotFound,
    /// The request breaks a rule of the stat's type; the message names the field.
    #[error("invalid: {0}")]
    Invalid(String),
    /// A limit of the group (e.g. 100 stats).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` names a version that is no longer current.
    #[error("stale version")]
    Stale,
    /// A per-user cap of the group; retry after this many seconds.
    #[error("throttled")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<GroupError> for StatError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::NotFound => Self::NotFound,
            GroupError::Conflict(m) => Self::Conflict(m.into()),
            GroupError::Throttled { retry_after } => Self::Throttled { retry_after },
            GroupError::Fault(f) => Self::Fault(f),
        }
    }
}

impl From<StoreError> for StatError {
    fn from(e: StoreError) -> Self {
        Self::Fault(e.into())
    }
}

impl From<CryptoError> for StatError {
    fn from(e: CryptoError) -> Self {
        Self::Fault(e.into())
    }
}

/// A stat as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub id: String,
    pub visual: VisualType,
    pub content: Content,
    pub admin_only: bool,
    pub created_at: String,
    /// When the value last changed.
    pub updated_at: Option<String>,
    pub notes_updated_at: Option<String>,
    /// Member id of whoever last changed the value.
    pub by_member: Option<String>,
    /// Epoch milliseconds of the last value change (history keys never go below it).
    pub change_ms: i64,
    pub version: i64,
}

/// A stat with `lastUpdatedBy` resolved to a display name.
#[derive(Debug, Clone, PartialEq)]
pub struct StatView {
    pub group_id: String,
    pub stat: Stat,
    pub last_updated_by: Option<String>,
}

pub(crate) fn parse_stat(deps: &Deps, group_id: &str, it: &Item) -> Result<Stat, Fault> {
    let id = it
        .s(SK)
        .and_then(|s| s.strip_prefix(sk::STAT_PREFIX))
        .ok_or(Fault::Corrupt("stat key"))?
        .to_string();
    let key = sk::stat(group_id, &id);
    let json = open(deps.crypto.as_ref(), it, &key, "content")?
        .ok_or(Fault::Corrupt("stat without content"))?;
    let content: Content =
        serde_json::from_str(&json).map_err(|_| Fault::Corrupt("stat content"))?;
    let opt = |name: &str| it.s(name).map(str::to_string);
    Ok(Stat {
        visual: it
            .s("visualType")
            .and_then(|v| VisualType::parse(v).ok())
            .ok_or(Fault::Corrupt("stat visual type"))?,
        content,
        admin_only: it.bool("adminOnly").unwrap_or(false),
        created_at: it.s("createdAt").unwrap_or_default().to_string(),
        updated_at: opt("updatedAt"),
        notes_updated_at: opt("notesUpdatedAt"),
        by_member: opt("byMember"),
        change_ms: it.n("changeMs").unwrap_or(0),
        version: it.version(),
        id,
    })
}

fn stat_item(deps: &Deps, group_id: &str, s: &Stat) -> Result<Item, Fault> {
    let key = sk::stat(group_id, &s.id);
    let json = serde_json::to_string(&s.content).map_err(|_| Fault::Corrupt("stat content"))?;
    let mut it = item(
        &key,
        [
            (
                "content",
                seal(deps.crypto.as_ref(), &key, "content", &json),
            ),
            ("visualType", Value::S(s.visual.as_str().into())),
            ("adminOnly", Value::Bool(s.admin_only)),
            ("createdAt", Value::S(s.created_at.clone())),
            ("changeMs", Value::N(s.change_ms)),
            ("version", Value::N(s.version)),
        ],
    );
    for (name, v) in [
        ("updatedAt", &s.updated_at),
        ("notesUpdatedAt", &s.notes_updated_at),
        ("byMember", &s.by_member),
    ] {
        if let Some(v) = v {
            it.insert(name.into(), Value::S(v.clone()));
        }
    }
    Ok(it)
}

/// Display names of a group's members by member id; members who left are `FORMER_MEMBER`.
pub(crate) async fn member_names<'a>(
    deps: &Deps,
    group_id: &str,
    member_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, String>, Fault> {
    let ids: Vec<&str> = member_ids.into_iter().collect();
    let items = batch_get_all(
        deps,
        ids.iter()
            .map(|m| keys::group_member(group_id, m))
            .collect(),
    )
    .await?;
    let targets = items
        .values()
        .map(|it| parse_target(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let names = display_names(deps, targets.iter().map(|t| t.user_id.as_str())).await?;
    let mut out: HashMap<String, String> = targets
        .into_iter()
        .map(|t| {
            let name = names
                .get(&t.user_id)
                .cloned()
                .or(t.invited_name)
                .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string());
            (t.member_id, name)
        })
        .collect();
    for id in ids {
        out.entry(id.to_string())
            .or_insert_with(|| FORMER_MEMBER.to_string());
    }
    Ok(out)
}

pub(crate) async fn views(
    deps: &Deps,
    group_id: &str,
    stats: Vec<Stat>,
) -> Result<Vec<StatView>, Fault> {
    let names = member_names(
        deps,
        group_id,
        stats.iter().filter_map(|s| s.by_member.as_deref()),
    )
    .await?;
    Ok(stats
        .into_iter()
        .map(|stat| StatView {
            group_id: group_id.to_string(),
            last_updated_by: stat.by_member.as_ref().and_then(|m| names.get(m).cloned()),
            stat,
        })
        .collect())
}

async fn view(deps: &Deps, group_id: &str, stat: Stat) -> Result<StatView, Fault> {
    Ok(views(deps, group_id, vec![stat]).await?.remove(0))
}

/// The caller's access to the group and the stat (when it exists), in one batch read.
/// Followers are refused (as by `groups::access`): see `read_any` for what they may read.
pub(crate) async fn read(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
) -> Result<(Access, Option<Stat>), StatError> {
    let (a, stat) = read_any(deps, caller, group_id, stat_id).await?;
    if a.me.role == crate::groups::Role::Follower {
        return Err(StatError::NotFound);
    }
    Ok((a, stat))
}

/// `read`, letting followers of a public group in too: only for reading the stat and its
/// history and for their own settings (never attachments: they have no public flag yet).
pub(crate) async fn read_any(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
) -> Result<(Access, Option<Stat>), StatError> {
    if !is_id(group_id) || !is_id(stat_id) {
        return Err(StatError::NotFound);
    }
    let (mkey, gkey, skey) = (
        keys::membership(&caller.user_id, group_id),
        keys::group_meta(group_id),
        sk::stat(group_id, stat_id),
    );
    let items = deps
        .store
        .batch_get(&[mkey.clone(), gkey.clone(), skey.clone()])
        .await?;
    let (Some(index), Some(meta)) = (find_item(&items, &mkey), find_item(&items, &gkey)) else {
        return Err(StatError::NotFound);
    };
    let access = Access {
        group: parse_meta(deps, group_id, meta)?,
        me: parse_membership(group_id, index)?,
    };
    let stat = find_item(&items, &skey)
        .map(|it| parse_stat(deps, group_id, it))
        .transpose()?;
    Ok((access, stat))
}

/// The stat, for anyone who may read it.
pub async fn get(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
) -> Result<StatView, StatError> {
    let (access, stat) = read_any(deps, caller, group_id, stat_id).await?;
    let v = view(deps, group_id, stat.ok_or(StatError::NotFound)?).await?;
    Ok(hide_members(&access, vec![v]).remove(0))
}

/// What a follower sees of who changed a stat: never a member's name (followers see nothing of
/// the members); admins and members see display names.
pub const HIDDEN_AUTHOR: &str = "Group member";

pub(crate) fn hide_members(access: &Access, mut views: Vec<StatView>) -> Vec<StatView> {
    if access.me.role == crate::groups::Role::Follower {
        for v in &mut views {
            if v.last_updated_by.is_some() {
                v.last_updated_by = Some(HIDDEN_AUTHOR.to_string());
            }
        }
    }
    views
}

/// One page of the group's stats (in id order).
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<StatView>, Option<String>), StatError> {
    let access = crate::groups::reader_access(deps, caller, group_id).await?;
    let page = deps
        .store
        .query(
            &Query::new(keys::group_pk(group_id))
                .prefix(sk::STAT_PREFIX)
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let stats = page
        .items
        .iter()
        .map(|it| parse_stat(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let views = views(deps, group_id, stats).await?;
    Ok((hide_members(&access, views), page.next))
}

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
    group_id: &str,
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
    let first = std::sync::atomic::AtomicBool::new(true);
    {
        let ckey = &sk::stat_count(group_id);
        let (a0, stat, first) = (&a, &stat, &first);
        transact(deps, move || async move {
            let a = if first.swap(false, std::sync::atomic::Ordering::Relaxed) {
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
    group_id: &str,
    stat_id: &str,
    input: StatInput,
    if_match: Option<i64>,
) -> Result<StatView, StatError> {
    let input = &input;
    let (stat, changes) = transact(deps, move || async move {
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
    group_id: &str,
    stat_id: &str,
) -> Result<(), StatError> {
    let ckey = &sk::stat_count(group_id);
    transact(deps, move || async move {
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
    let mut removed = 0;
    loop {
        let page = deps
            .store
            .query(
                &Query::new(keys::group_pk(group_id))
                    .prefix(prefix)
                    .limit(50),
            )
            .await?;
        if page.items.is_empty() {
            return Ok(removed);
        }
        let writes: Vec<Write> = page
            .items
            .iter()
            .filter_map(crate::ports::store::key_of)
            .map(|key| Write::Delete {
                key,
                cond: Cond::None,
            })
            .collect();
        removed += writes.len();
        crate::store::retry::transact_blind(deps, writes).await?;
    }
}

/// The caller's stats by exact group name and/or stat title, across the caller's own groups
/// only (names are sealed: memberships are listed, names opened and compared).
pub async fn find(
    deps: &Deps,
    caller: &Caller,
    group_name: Option<&str>,
    stat_title: Option<&str>,
) -> Result<Vec<(String, StatView)>, StatError> {
    let memberships: Vec<String> = crate::groups::memberships_of(deps, &caller.user_id)
        .await?
        .into_iter()
        .map(|m| m.group_id)
        .collect();
    let metas = batch_get_all(
        deps,
        memberships.iter().map(|g| keys::group_meta(g)).collect(),
    )
    .await?;
    let mut out = Vec::new();
    for gid in &memberships {
        let Some(meta) = metas.get(&keys::group_meta(gid)) else {
            continue;
        };
        let group = parse_meta(deps, gid, meta)?;
        if group_name.is_some_and(|n| n != group.name) {
            continue;
        }
        let (stats, _) = list(deps, caller, gid, MAX_STATS as u32, None).await?;
        for s in stats {
            if stat_title.is_none_or(|t| t == s.stat.content.title) {
                out.push((group.name.clone(), s));
            }
        }
    }
    Ok(out)
}

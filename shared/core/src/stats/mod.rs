//! Stats: create, list, read, update (merge) and delete, for the members of a group.
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
//!
//! This file holds the types (`Stat`, `StatView`, `StatError`) and a stat's stored form;
//! reading (access, `get`, `list`, `find`, display names) is in `read`, writing (`create`,
//! `update`, `delete` and the sweep of a stat's children) in `write`.

pub mod attachments;
pub mod handlers;
pub mod history;
mod read;
pub mod settings;
pub mod values;
mod write;

pub use read::{find, get, list, HIDDEN_AUTHOR};
pub(crate) use read::{member_names, read, read_any};
pub(crate) use write::sweep_prefix;
pub use write::{create, delete, update};

use crate::domain::stat::VisualType;
use crate::groups::GroupError;
use crate::ports::store::{item, SK};
use crate::ports::{CryptoError, Item, ItemExt, StoreError, Value};
use crate::stats::values::Content;
use crate::store::keys as sk;
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

//! An attachment's stored record: parsing and writing it, every record of a stat, and removing
//! a record with its object pointer and objects (one attachment, or all of a stat's).

use chrono::Duration;

use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, Query, Value, Write};
use crate::stats::attachments::{Attachment, Status, ABANDONED_AFTER_SECS};
use crate::store::keys as sk;
use crate::store::keys;
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

pub(super) fn parse(deps: &Deps, group_id: &str, it: &Item) -> Result<Attachment, Fault> {
    let sort = it.s(SK).ok_or(Fault::Corrupt("attachment key"))?;
    let (stat_id, id) = sort
        .strip_prefix(keys::ATTACHMENT_PREFIX)
        .and_then(|r| r.split_once('#'))
        .ok_or(Fault::Corrupt("attachment key"))?;
    let key = sk::attachment(group_id, stat_id, id);
    let s = |name: &str| it.s(name).unwrap_or_default().to_string();
    Ok(Attachment {
        file_name: open(deps.crypto.as_ref(), it, &key, "fileName")?.unwrap_or_default(),
        content_type: s("contentType"),
        size: it.n("size").unwrap_or(0).max(0) as u64,
        status: it
            .s("status")
            .and_then(Status::parse)
            .ok_or(Fault::Corrupt("attachment status"))?,
        reason: it.s("reason").map(str::to_string),
        object_id: s("objectId"),
        created_at: s("createdAt"),
        upload_expires_at: s("uploadExpiresAt"),
        uploaded_by: s("uploadedBy"),
        version: it.version(),
        id: id.to_string(),
        stat_id: stat_id.to_string(),
        group_id: group_id.to_string(),
    })
}

pub(super) fn record(deps: &Deps, a: &Attachment) -> Item {
    let key = sk::attachment(&a.group_id, &a.stat_id, &a.id);
    let mut it = item(
        &key,
        [
            (
                "fileName",
                seal(deps.crypto.as_ref(), &key, "fileName", &a.file_name),
            ),
            ("contentType", Value::S(a.content_type.clone())),
            ("size", Value::N(a.size as i64)),
            ("status", Value::S(a.status.as_str().into())),
            ("objectId", Value::S(a.object_id.clone())),
            ("createdAt", Value::S(a.created_at.clone())),
            ("uploadExpiresAt", Value::S(a.upload_expires_at.clone())),
            ("uploadedBy", Value::S(a.uploaded_by.clone())),
            ("version", Value::N(a.version)),
        ],
    );
    if let Some(r) = &a.reason {
        it.insert("reason".into(), Value::S(r.clone()));
    }
    it
}

/// Every record of a stat (at most `MAX_PER_STAT` plus a few abandoned ones).
pub(super) async fn records(
    deps: &Deps,
    group_id: &str,
    stat_id: &str,
) -> Result<Vec<Attachment>, Fault> {
    let q = Query::new(keys::group_pk(group_id))
        .prefix(sk::attachment_prefix(stat_id))
        .limit(100);
    crate::store::batch::all(deps, q)
        .await?
        .iter()
        .map(|it| parse(deps, group_id, it))
        .collect()
}

pub(super) fn abandoned(deps: &Deps, a: &Attachment) -> bool {
    a.status == Status::Pending
        && chrono::DateTime::parse_from_rfc3339(&a.upload_expires_at)
            .is_ok_and(|t| deps.clock.now() > t + Duration::seconds(ABANDONED_AFTER_SECS))
}

/// Remove a record, its object pointer and both possible objects. Objects go first: a record
/// never points at nothing while its object lives on.
pub(super) async fn remove(deps: &Deps, a: &Attachment, extra: Option<Write>) -> Result<(), Fault> {
    crate::store::sweep::delete_objects(deps, &a.object_id).await?;
    let mut writes = vec![
        Write::Delete {
            key: sk::attachment(&a.group_id, &a.stat_id, &a.id),
            cond: Cond::None,
        },
        Write::Delete {
            key: sk::object_pointer(&a.object_id),
            cond: Cond::None,
        },
    ];
    match extra {
        // A condition (the caller's membership) that must hold: no blind retries.
        Some(check) => {
            writes.push(check);
            deps.store.transact(writes).await.map_err(Fault::from)
        }
        None => crate::store::retry::transact_blind(deps, writes).await,
    }
}

/// Delete every attachment of a stat with its objects.
pub(crate) async fn sweep_stat(deps: &Deps, group_id: &str, stat_id: &str) -> Result<usize, Fault> {
    let all = records(deps, group_id, stat_id).await?;
    for a in &all {
        remove(deps, a, None).await?;
    }
    Ok(all.len())
}

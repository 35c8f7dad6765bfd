//! Finalize: the check of an upload against its record, run by the S3 `Object Created` hook
//! (`finalize`) and when a pending attachment is read (`finalize_record`). A match is copied
//! to `att/<objectId>` and marked `ready`; a wrong size or content type is deleted and marked
//! `rejected`.

use crate::domain::ids;
use crate::ports::{Cond, ItemExt, StoreError};
use crate::stats::attachments::record::{parse, record};
use crate::stats::attachments::{allowed_type, Attachment, Status, PENDING_PREFIX};
use crate::store::keys as sk;
use crate::store::keys;
use crate::Deps;
use crate::Fault;

/// What finalize did with an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    Rejected,
    /// Not an upload of ours, nothing uploaded yet, or already finalized.
    Ignored,
    /// No attachment wants this object (deleted meanwhile): the object was deleted.
    Orphan,
}

/// The S3 `Object Created` hook: check the upload at `object_key` against its record.
pub async fn finalize(deps: &Deps, object_key: &str) -> Result<Outcome, Fault> {
    let Some(object_id) = object_key
        .strip_prefix(PENDING_PREFIX)
        .filter(|id| ids::is_token(id, 16))
    else {
        tracing::warn!("finalize: not a pending upload key; ignored");
        return Ok(Outcome::Ignored);
    };
    let pointer = deps.store.get(&sk::object_pointer(object_id)).await?;
    let target = pointer.as_ref().and_then(|p| {
        Some(sk::attachment(
            p.s("groupId")?,
            p.s("statId")?,
            p.s("attachmentId")?,
        ))
    });
    let rec = match &target {
        Some(key) => deps.store.get(key).await?,
        None => None,
    };
    let (Some(key), Some(rec)) = (target, rec) else {
        deps.blobs.delete(object_key).await?;
        if pointer.is_some() {
            deps.store
                .delete(&sk::object_pointer(object_id), Cond::None)
                .await?;
        }
        tracing::info!("finalize: upload without attachment deleted");
        return Ok(Outcome::Orphan);
    };
    let group_id = key.pk.strip_prefix(keys::GROUP_PREFIX).unwrap_or_default();
    let att = parse(deps, group_id, &rec)?;
    if att.object_id != object_id {
        return Err(Fault::Corrupt("object pointer disagrees with its record"));
    }
    Ok(match finalize_record(deps, &att).await? {
        Some(a) if a.status == Status::Ready => Outcome::Ready,
        Some(_) => Outcome::Rejected,
        None => Outcome::Ignored,
    })
}

/// Finalize a pending record whose object has arrived; `None` when there is nothing to do.
pub(super) async fn finalize_record(
    deps: &Deps,
    att: &Attachment,
) -> Result<Option<Attachment>, Fault> {
    if att.status != Status::Pending {
        return Ok(None);
    }
    let pending = keys::pending_object(&att.object_id);
    let Some(meta) = deps.blobs.head(&pending).await? else {
        return Ok(None);
    };
    let type_ok = meta
        .content_type
        .as_deref()
        .and_then(allowed_type)
        .is_some_and(|t| t == att.content_type);
    let reason = if meta.size != att.size {
        Some("The uploaded file's size is not the size given when the upload was requested.")
    } else if !type_ok {
        Some("The uploaded file's type is not the type given when the upload was requested.")
    } else {
        None
    };
    let mut next = att.clone();
    next.version += 1;
    match reason {
        None => {
            deps.blobs
                .copy(&pending, &keys::ready_object(&att.object_id))
                .await?;
            next.status = Status::Ready;
        }
        Some(r) => {
            deps.blobs.delete(&pending).await?;
            next.status = Status::Rejected;
            next.reason = Some(r.to_string());
        }
    }
    let key = sk::attachment(&att.group_id, &att.stat_id, &att.id);
    match deps
        .store
        .put(record(deps, &next), Cond::VersionIs(att.version))
        .await
    {
        Ok(()) => {
            deps.blobs.delete(&pending).await?;
            tracing::info!(status = next.status.as_str(), "attachment finalized");
            Ok(Some(next))
        }
        Err(StoreError::ConditionFailed) => match deps.store.get(&key).await? {
            // Finalized by a concurrent run: its answer stands.
            Some(it) => Ok(Some(parse(deps, &att.group_id, &it)?)),
            // Deleted meanwhile: leave no object behind.
            None => {
                crate::store::sweep::delete_objects(deps, &att.object_id).await?;
                Ok(None)
            }
        },
        Err(e) => Err(e.into()),
    }
}

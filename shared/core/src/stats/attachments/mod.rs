//! Stat attachments (S3 in AWS, files locally): a presigned PUT that fixes length and type,
//! a finalize step that checks what really arrived, and presigned downloads.
//!
//! Objects have random names, never the file name (which is sealed in the record). An upload
//! lands under `pending/` — the quarantine prefix the bucket lifecycle empties after a day —
//! and finalize, run by the S3 `Object Created` event (`finalize_attachment` Lambda; locally the
//! blob route's hook), compares the object's real size and content type with the record: a match
//! is copied to `att/<objectId>` and marked `ready`, anything else is deleted and marked
//! `rejected`. Finalize is idempotent and also runs when a pending attachment is read, so a lost
//! event delays an attachment but never loses it. Only `ready` objects are ever downloadable.
//!
//! Adding requires the right to update the stat (admins; members unless `adminOnly`); the
//! uploader or an admin may delete. Deleting a stat or a group deletes its attachments and
//! objects (`sweep_stat`, `purge`).

use chrono::Duration;
use serde::Deserialize;

use crate::domain::ids;
use crate::domain::text::clean;
use crate::domain::time::rfc3339;
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, PresignedUpload, Query, StoreError, Value, Write};
use crate::stats::{member_names, read, StatError};
use crate::store::keys as sk;
use crate::store::keys;
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

pub const MAX_SIZE: u64 = 25 * 1024 * 1024;
pub const MAX_PER_STAT: usize = 20;
pub const FILE_NAME_MAX: usize = 255;
pub const UPLOAD_URL_SECS: u64 = 15 * 60;
pub const DOWNLOAD_URL_SECS: u64 = 5 * 60;
/// A pending record this long past its upload URL's expiry is abandoned (never uploaded).
const ABANDONED_AFTER_SECS: i64 = 3600;
pub use crate::store::keys::{PENDING_PREFIX, READY_PREFIX};

/// Images, PDF, CSV, plain text and Office documents.
pub const ALLOWED_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heic",
    "application/pdf",
    "text/csv",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Ready,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Rejected => "rejected",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Ready, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub group_id: String,
    pub stat_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub status: Status,
    /// Why an upload was rejected (no user data).
    pub reason: Option<String>,
    pub object_id: String,
    pub created_at: String,
    pub upload_expires_at: String,
    pub uploaded_by: String,
    pub version: i64,
}

/// An attachment with the uploader's display name, and a download URL when it is ready and
/// was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentView {
    pub att: Attachment,
    pub uploaded_by: String,
    pub download_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AttachmentInput {
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

/// A content type without parameters, lower case; `None` when not allowed.
pub fn allowed_type(ct: &str) -> Option<String> {
    let base = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ALLOWED_TYPES.contains(&base.as_str()).then_some(base)
}

impl AttachmentInput {
    pub fn validate(self) -> Result<(String, String, u64), String> {
        let name = clean("fileName", &self.file_name, 1, FILE_NAME_MAX)?;
        if name.contains(['/', '\\']) {
            return Err("fileName must be a file name, without folders.".into());
        }
        let ct = allowed_type(&self.content_type).ok_or_else(|| {
            "contentType is not allowed: images (PNG, JPEG, GIF, WebP, HEIC), PDF, CSV, plain \
             text and Office documents (docx, xlsx, pptx) are."
                .to_string()
        })?;
        if self.size == 0 || self.size > MAX_SIZE {
            return Err(format!("size must be from 1 to {MAX_SIZE} bytes (25 MB)."));
        }
        Ok((name, ct, self.size))
    }
}

fn parse(deps: &Deps, group_id: &str, it: &Item) -> Result<Attachment, Fault> {
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

fn record(deps: &Deps, a: &Attachment) -> Item {
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
async fn records(deps: &Deps, group_id: &str, stat_id: &str) -> Result<Vec<Attachment>, Fault> {
    let q = Query::new(keys::group_pk(group_id))
        .prefix(sk::attachment_prefix(stat_id))
        .limit(100);
    crate::store::batch::all(deps, q)
        .await?
        .iter()
        .map(|it| parse(deps, group_id, it))
        .collect()
}

fn abandoned(deps: &Deps, a: &Attachment) -> bool {
    a.status == Status::Pending
        && chrono::DateTime::parse_from_rfc3339(&a.upload_expires_at)
            .is_ok_and(|t| deps.clock.now() > t + Duration::seconds(ABANDONED_AFTER_SECS))
}

/// Remove a record, its object pointer and both possible objects. Objects go first: a record
/// never points at nothing while its object lives on.
async fn remove(deps: &Deps, a: &Attachment, extra: Option<Write>) -> Result<(), Fault> {
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

async fn with_names(
    deps: &Deps,
    group_id: &str,
    atts: Vec<Attachment>,
) -> Result<Vec<AttachmentView>, Fault> {
    let names = member_names(deps, group_id, atts.iter().map(|a| a.uploaded_by.as_str())).await?;
    Ok(atts
        .into_iter()
        .map(|att| AttachmentView {
            uploaded_by: names.get(&att.uploaded_by).cloned().unwrap_or_default(),
            att,
            download_url: None,
        })
        .collect())
}

/// A new pending attachment and the presigned upload for it.
pub async fn create(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
    (file_name, content_type, size): (String, String, u64),
) -> Result<(AttachmentView, PresignedUpload), StatError> {
    let (a, stat) = read(deps, caller, group_id, stat_id).await?;
    let stat = stat.ok_or(StatError::NotFound)?;
    if stat.admin_only && !a.is_admin() {
        return Err(StatError::NotFound);
    }
    let mut live = 0;
    for old in records(deps, group_id, stat_id).await? {
        if abandoned(deps, &old) {
            remove(deps, &old, None).await?;
        } else if old.status != Status::Rejected {
            live += 1;
        }
    }
    if live >= MAX_PER_STAT {
        return Err(StatError::Conflict(format!(
            "A stat can have at most {MAX_PER_STAT} attachments. Delete one first."
        )));
    }
    let object_id = deps.random.token(16);
    let upload = deps
        .blobs
        .presign_upload(
            &keys::pending_object(&object_id),
            &content_type,
            size,
            UPLOAD_URL_SECS,
        )
        .await
        .map_err(Fault::from)?;
    let att = Attachment {
        id: deps.random.id(),
        group_id: group_id.to_string(),
        stat_id: stat_id.to_string(),
        file_name,
        content_type,
        size,
        status: Status::Pending,
        reason: None,
        created_at: rfc3339(deps.clock.now()),
        upload_expires_at: rfc3339(upload.expires_at),
        uploaded_by: a.me.member_id.clone(),
        version: 1,
        object_id,
    };
    let pointer = item(
        &sk::object_pointer(&att.object_id),
        [
            ("groupId", Value::S(att.group_id.clone())),
            ("statId", Value::S(att.stat_id.clone())),
            ("attachmentId", Value::S(att.id.clone())),
        ],
    );
    let writes = vec![
        Write::Put {
            item: record(deps, &att),
            cond: Cond::NotExists,
        },
        Write::Put {
            item: pointer,
            cond: Cond::NotExists,
        },
        Write::Check {
            key: sk::stat(group_id, stat_id),
            cond: Cond::Exists,
        },
        Write::Check {
            key: keys::group_meta(group_id),
            cond: Cond::Exists,
        },
        a.still_holds(caller),
    ];
    match deps.store.transact(writes).await {
        Ok(()) => {}
        // The stat, the group or the caller's membership went meanwhile.
        Err(StoreError::TransactionCanceled { .. }) => return Err(StatError::NotFound),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(size, "attachment upload issued");
    let view = with_names(deps, group_id, vec![att]).await?.remove(0);
    Ok((view, upload))
}

/// The stat's ready attachments.
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
) -> Result<Vec<AttachmentView>, StatError> {
    let (_, stat) = read(deps, caller, group_id, stat_id).await?;
    stat.ok_or(StatError::NotFound)?;
    let mut ready: Vec<Attachment> = records(deps, group_id, stat_id)
        .await?
        .into_iter()
        .filter(|a| a.status == Status::Ready)
        .collect();
    ready.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
    Ok(with_names(deps, group_id, ready).await?)
}

async fn load(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
    attachment_id: &str,
) -> Result<(crate::groups::Access, crate::stats::Stat, Attachment), StatError> {
    if !ids::is_token(attachment_id, 16) {
        return Err(StatError::NotFound);
    }
    let (a, stat) = read(deps, caller, group_id, stat_id).await?;
    let stat = stat.ok_or(StatError::NotFound)?;
    let it = deps
        .store
        .get(&sk::attachment(group_id, stat_id, attachment_id))
        .await?
        .ok_or(StatError::NotFound)?;
    Ok((a, stat, parse(deps, group_id, &it)?))
}

/// One attachment (any status; finalized first if its upload arrived), with a 5-minute
/// download URL when it is ready.
pub async fn get(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
    attachment_id: &str,
) -> Result<AttachmentView, StatError> {
    let (_, _, mut att) = load(deps, caller, group_id, stat_id, attachment_id).await?;
    if att.status == Status::Pending {
        if let Some(done) = finalize_record(deps, &att).await? {
            att = done;
        }
    }
    let mut view = with_names(deps, group_id, vec![att]).await?.remove(0);
    if view.att.status == Status::Ready {
        view.download_url = Some(
            deps.blobs
                .presign_download(&keys::ready_object(&view.att.object_id), DOWNLOAD_URL_SECS)
                .await
                .map_err(Fault::from)?,
        );
    }
    Ok(view)
}

/// The uploader (while allowed to update the stat) or an admin: delete record and object.
pub async fn delete(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    stat_id: &str,
    attachment_id: &str,
) -> Result<(), StatError> {
    let (a, stat, att) = load(deps, caller, group_id, stat_id, attachment_id).await?;
    let own = att.uploaded_by == a.me.member_id && !stat.admin_only;
    if !own && !a.is_admin() {
        return Err(StatError::NotFound);
    }
    match remove(deps, &att, Some(a.still_holds(caller))).await {
        Ok(()) => {
            tracing::info!("attachment deleted");
            Ok(())
        }
        Err(Fault::Store(StoreError::TransactionCanceled { .. })) => Err(StatError::NotFound),
        Err(e) => Err(e.into()),
    }
}

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
async fn finalize_record(deps: &Deps, att: &Attachment) -> Result<Option<Attachment>, Fault> {
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

/// Delete every attachment of a stat with its objects.
pub(crate) async fn sweep_stat(deps: &Deps, group_id: &str, stat_id: &str) -> Result<usize, Fault> {
    let all = records(deps, group_id, stat_id).await?;
    for a in &all {
        remove(deps, a, None).await?;
    }
    Ok(all.len())
}

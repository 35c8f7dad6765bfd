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
//!
//! This file holds the types, the input checks and the use cases (`create`, `list`, `get`,
//! `delete`); the stored record (parse, write, listing, removal with its objects) is in
//! `record`, the upload check (`finalize`) in `finalize`.

mod finalize;
mod record;

pub use finalize::{finalize, Outcome};
pub(crate) use record::sweep_stat;

use crate::domain::ids::{AttachmentId, GroupId, StatId};
use serde::Deserialize;

use crate::domain::text::clean;
use crate::domain::time::rfc3339;
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::item;
use crate::ports::{Cond, PresignedUpload, StoreError, Value, Write};
use crate::stats::{member_names, read, StatError};
use crate::store::keys as sk;
use crate::store::keys;
use crate::Deps;
use crate::Fault;
use finalize::finalize_record;
use record::{abandoned, parse, record, records, remove};

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
    group_id: &GroupId,
    stat_id: &StatId,
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
    group_id: &GroupId,
    stat_id: &StatId,
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
    group_id: &GroupId,
    stat_id: &StatId,
    attachment_id: &AttachmentId,
) -> Result<(crate::groups::Access, crate::stats::Stat, Attachment), StatError> {
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
    group_id: &GroupId,
    stat_id: &StatId,
    attachment_id: &AttachmentId,
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
    group_id: &GroupId,
    stat_id: &StatId,
    attachment_id: &AttachmentId,
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

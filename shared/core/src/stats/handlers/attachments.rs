//! `POST/GET .../stats/{statId}/attachments`, `GET/DELETE .../attachments/{attachmentId}`.
//!
//! POST `{fileName, contentType, size}` -> 201 `{id, uploadUrl, uploadHeaders, expiresAt, ...}`:
//! PUT the file's bytes to `uploadUrl` with exactly `uploadHeaders`. The attachment is `pending`
//! until the upload is checked, then `ready` (listed, downloadable for 5 minutes per URL) or
//! `rejected`.

use http::StatusCode;
use serde_json::{json, Value};

use crate::domain::ids::{AttachmentId, GroupId, StatId};
use crate::domain::time::rfc3339;
use crate::http::{request, ApiError, Authed, Reply};
use crate::stats::attachments::{self, AttachmentInput, AttachmentView};

fn attachment_json(v: &AttachmentView) -> Value {
    let a = &v.att;
    let mut j = json!({
        "id": a.id,
        "fileName": a.file_name,
        "contentType": a.content_type,
        "size": a.size,
        "status": a.status.as_str(),
        "createdDateTime": a.created_at,
        "uploadedBy": v.uploaded_by,
    });
    if let Some(r) = &a.reason {
        j["reason"] = json!(r);
    }
    if let Some(url) = &v.download_url {
        j["downloadUrl"] = json!(url);
        j["downloadExpiresInSeconds"] = json!(attachments::DOWNLOAD_URL_SECS);
    }
    j
}

pub async fn create_attachment(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid) = (ctx.path::<GroupId>()?, ctx.path::<StatId>()?);
    let body: AttachmentInput = request::json(&ctx.req)?;
    let input = body.validate().map_err(ApiError::BadRequest)?;
    let (view, upload) = attachments::create(&ctx.deps, caller, &gid, &sid, input).await?;
    let mut j = attachment_json(&view);
    j["uploadUrl"] = json!(upload.url);
    j["uploadMethod"] = json!("PUT");
    j["uploadHeaders"] = json!(upload.headers);
    j["expiresAt"] = json!(rfc3339(upload.expires_at));
    Reply::new(StatusCode::CREATED, j)
}

pub async fn list_attachments(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let list = attachments::list(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<StatId>()?,
    )
    .await?;
    let data: Vec<Value> = list.iter().map(attachment_json).collect();
    Reply::ok(json!({ "data": data }))
}

pub async fn get_attachment(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid, aid) = (
        ctx.path::<GroupId>()?,
        ctx.path::<StatId>()?,
        ctx.path::<AttachmentId>()?,
    );
    let view = attachments::get(&ctx.deps, caller, &gid, &sid, &aid).await?;
    Reply::ok(attachment_json(&view))
}

pub async fn delete_attachment(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid, aid) = (
        ctx.path::<GroupId>()?,
        ctx.path::<StatId>()?,
        ctx.path::<AttachmentId>()?,
    );
    attachments::delete(&ctx.deps, caller, &gid, &sid, &aid).await?;
    Reply::ok(json!({ "deleted": true }))
}

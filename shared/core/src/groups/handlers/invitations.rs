//! `GET /v1/invitations`, `POST /v1/invitations/{invitationId}/accept` and `/decline` (the
//! invitee), `GET /v1/groups/{groupId}/invitations` and
//! `DELETE /v1/groups/{groupId}/invitations/{invitationId}` (the group's admins).

use serde::Serialize;
use serde_json::json;

use crate::domain::ids::{GroupId, InvitationId};
use crate::groups::handlers::groups::GroupReply;
use crate::groups::inbox::{self, Received};
use crate::groups::invitations::{self, Sent};
use crate::http::cursor::{self, ListReply};
use crate::http::{ApiError, Authed, Reply};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReceivedReply {
    id: String,
    group_id: String,
    group_name: String,
    invited_by: String,
    created_at: String,
    expires_at: String,
}

impl From<Received> for ReceivedReply {
    fn from(r: Received) -> Self {
        Self {
            id: r.id,
            group_id: r.group_id,
            group_name: r.group_name,
            invited_by: r.invited_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

/// A pending invitation as admins see it: the number masked (`+1••••••••67`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SentReply {
    id: String,
    phone_number: String,
    display_name: Option<String>,
    invited_by: String,
    created_at: String,
    expires_at: String,
}

impl From<Sent> for SentReply {
    fn from(s: Sent) -> Self {
        Self {
            id: s.id,
            phone_number: s.phone_masked,
            display_name: s.display_name,
            invited_by: s.invited_by,
            created_at: s.created_at,
            expires_at: s.expires_at,
        }
    }
}

pub async fn list_invitations(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let scope = format!("invitations|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = inbox::received(&ctx.deps, caller, limit, after).await?;
    let data = items.into_iter().map(ReceivedReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

pub async fn accept_invitation(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let view = inbox::accept(&ctx.deps, caller, &ctx.path::<InvitationId>()?).await?;
    Reply::ok(GroupReply::from(view))
}

pub async fn decline_invitation(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    inbox::decline(&ctx.deps, caller, &ctx.path::<InvitationId>()?).await?;
    Reply::ok(json!({ "declined": true }))
}

pub async fn list_group_invitations(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("group-invitations|{gid}|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = invitations::pending(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.into_iter().map(SentReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

pub async fn cancel_invitation(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    invitations::cancel(&ctx.deps, caller, &gid, &ctx.path::<InvitationId>()?).await?;
    Reply::ok(json!({ "cancelled": true }))
}

//! `GET/POST /v1/groups/{groupId}/members` (POST = invite, as in StatX v1),
//! `PATCH/DELETE /v1/groups/{groupId}/members/{memberId}`.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ids::{GroupId, MemberId};
use crate::domain::text::clean;
use crate::groups::invitations::{self, NewInvitation};
use crate::groups::members::{self, Member};
use crate::groups::Role;
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Reply};
use crate::identity::handlers::login::phone;

/// Same bound as a profile's display name.
pub const DISPLAY_NAME_MAX: usize = 50;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberReply {
    id: String,
    display_name: String,
    role: &'static str,
    joined_at: String,
}

impl From<Member> for MemberReply {
    fn from(m: Member) -> Self {
        Self {
            id: m.id,
            display_name: m.display_name,
            role: m.role.as_str(),
            joined_at: m.joined_at,
        }
    }
}

pub async fn list_members(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("members|{gid}|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = members::list(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.into_iter().map(MemberReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct InviteBody {
    phone_number: String,
    display_name: Option<String>,
}

/// 202 `{invitationId}`, the same whether or not the number has an account, is invited
/// already, is a member, or can get an SMS.
pub async fn invite_member(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: InviteBody = request::json(&ctx.req)?;
    let new = NewInvitation {
        phone: phone(&body.phone_number)?,
        display_name: body
            .display_name
            .as_deref()
            .map(|n| clean("displayName", n, 1, DISPLAY_NAME_MAX).map_err(ApiError::bad))
            .transpose()?,
    };
    let id = invitations::invite(&ctx.deps, caller, &gid, new).await?;
    Reply::new(StatusCode::ACCEPTED, json!({ "invitationId": id }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RoleBody {
    role: String,
}

pub async fn update_member(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let mid = ctx.path::<MemberId>()?;
    let body: RoleBody = request::json(&ctx.req)?;
    // Only these two: other roles (followers) are never given through this route.
    let role = match body.role.trim() {
        "admin" => Role::Admin,
        "member" => Role::Member,
        _ => return Err(ApiError::bad("role must be \"admin\" or \"member\".")),
    };
    let member = members::set_role(&ctx.deps, caller, &gid, &mid, role).await?;
    Reply::ok(MemberReply::from(member))
}

pub async fn remove_member(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let mid = ctx.path::<MemberId>()?;
    members::remove(&ctx.deps, caller, &gid, &mid).await?;
    Reply::ok(json!({ "removed": true }))
}

//! `GET/POST /v1/groups`, `GET/PATCH/DELETE /v1/groups/{groupId}`.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ids::GroupId;
use crate::domain::text::clean;
use crate::groups::{self, Changes, GroupView, NewGroup, Role, KIND_PRIVATE, KIND_PUBLIC};
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Reply};

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SettingsReply {
    members_can_invite: bool,
}

/// A group as the caller sees it (StatX v1 `{id, name, description}` plus our fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupReply {
    id: String,
    name: String,
    description: String,
    kind: &'static str,
    /// The caller's role in the group.
    role: &'static str,
    /// The caller's own per-group member id (to leave: DELETE .../members/{memberId}).
    member_id: String,
    member_count: i64,
    /// Admins of public groups only.
    #[serde(skip_serializing_if = "Option::is_none")]
    follower_count: Option<i64>,
    created_at: String,
    settings: SettingsReply,
}

impl GroupReply {
    /// The reply with the follower count, for an admin of a public group.
    pub(crate) async fn with_followers(deps: &crate::Deps, v: GroupView) -> Result<Self, ApiError> {
        let count = if v.role == Role::Admin && v.group.kind == KIND_PUBLIC {
            Some(crate::groups::followers::count(deps, &v.group.id).await?)
        } else {
            None
        };
        let mut reply = Self::from(v);
        reply.follower_count = count;
        Ok(reply)
    }
}

impl From<GroupView> for GroupReply {
    fn from(v: GroupView) -> Self {
        Self {
            id: v.group.id,
            name: v.group.name,
            description: v.group.description,
            kind: v.group.kind,
            role: v.role.as_str(),
            member_id: v.member_id,
            member_count: v.group.member_count,
            follower_count: None,
            created_at: v.group.created_at,
            settings: SettingsReply {
                members_can_invite: v.group.members_can_invite,
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SettingsBody {
    members_can_invite: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateBody {
    name: String,
    description: Option<String>,
    /// "private" (default) or "public".
    kind: Option<String>,
    settings: Option<SettingsBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    settings: Option<SettingsBody>,
}

fn name(input: &str) -> Result<String, ApiError> {
    clean("name", input, 1, NAME_MAX).map_err(ApiError::bad)
}

fn description(input: &str) -> Result<String, ApiError> {
    clean("description", input, 0, DESCRIPTION_MAX).map_err(ApiError::bad)
}

pub async fn list_groups(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let scope = format!("groups|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let page = groups::list(&ctx.deps, caller, limit, after).await?;
    let data = page.items.into_iter().map(GroupReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, page.next))
}

pub async fn create_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let body: CreateBody = request::json(&ctx.req)?;
    let public = match body.kind.as_deref().map(str::trim) {
        None | Some(KIND_PRIVATE) => false,
        Some(KIND_PUBLIC) => true,
        Some(_) => return Err(ApiError::bad("kind must be \"private\" or \"public\".")),
    };
    let new = NewGroup {
        public,
        name: name(&body.name)?,
        description: description(body.description.as_deref().unwrap_or(""))?,
        members_can_invite: body
            .settings
            .and_then(|s| s.members_can_invite)
            .unwrap_or(false),
    };
    let view = groups::create(&ctx.deps, caller, new).await?;
    Reply::created(GroupReply::with_followers(&ctx.deps, view).await?)
}

pub async fn get_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let view = groups::get(&ctx.deps, caller, &ctx.path::<GroupId>()?).await?;
    Reply::ok(GroupReply::with_followers(&ctx.deps, view).await?)
}

pub async fn update_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: UpdateBody = request::json(&ctx.req)?;
    let changes = Changes {
        name: body.name.as_deref().map(name).transpose()?,
        description: body.description.as_deref().map(description).transpose()?,
        members_can_invite: body.settings.and_then(|s| s.members_can_invite),
    };
    if changes.name.is_none()
        && changes.description.is_none()
        && changes.members_can_invite.is_none()
    {
        return Err(ApiError::bad(
            "Nothing to change: give name, description or settings.membersCanInvite.",
        ));
    }
    let view = groups::update(&ctx.deps, caller, &gid, changes).await?;
    Reply::ok(GroupReply::from(view))
}

pub async fn delete_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    groups::delete(&ctx.deps, caller, &ctx.path::<GroupId>()?).await?;
    Reply::new(StatusCode::OK, json!({ "deleted": true }))
}

//! Follow links and followers: `POST/GET /v1/groups/{groupId}/links`,
//! `DELETE /v1/groups/{groupId}/links/{linkId}`, `GET/POST /v1/follow/{token}`,
//! `DELETE /v1/groups/{groupId}/follow`, `GET /v1/groups/{groupId}/followers`,
//! `POST /v1/groups/{groupId}/followers/{followerId}/block|unblock`.

use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ids::{FollowerId, GroupId, LinkId};
use crate::domain::time::rfc3339;
use crate::follow;
use crate::follow::links::{self, Link};
use crate::groups::followers::Follower;
use crate::groups::handlers::groups::GroupReply;
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Ctx, Reply};

/// Largest `maxUses` accepted.
pub const MAX_USES: i64 = 1_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LinkBody {
    expires_at: Option<String>,
    max_uses: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkReply {
    id: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_uses: Option<i64>,
    uses: i64,
}

/// The answer to creating a link: like `LinkReply` (absent limits are left out, never null),
/// plus the token, shown only here.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewLinkReply {
    id: String,
    url: String,
    token: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_uses: Option<i64>,
}

fn epoch_rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(rfc3339)
        .unwrap_or_default()
}

impl From<Link> for LinkReply {
    fn from(l: Link) -> Self {
        Self {
            id: l.id,
            created_at: l.created_at,
            expires_at: l.expires_at.map(epoch_rfc3339),
            max_uses: l.max_uses,
            uses: l.uses,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FollowerReply {
    id: String,
    pseudonym: String,
    followed_at: String,
    blocked: bool,
}

impl From<Follower> for FollowerReply {
    fn from(f: Follower) -> Self {
        Self {
            id: f.id,
            pseudonym: f.pseudonym,
            followed_at: f.followed_at,
            blocked: f.blocked,
        }
    }
}

/// The link's path, relative to the API's base URL (clients share it as they like).
pub fn link_url(token: &str) -> String {
    format!("/v1/follow/{token}")
}

pub async fn create_follow_link(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: LinkBody = request::json(&ctx.req)?;
    let now = ctx.deps.clock.now().timestamp();
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.timestamp())
                .map_err(|_| ApiError::bad("expiresAt must be an RFC 3339 time."))
        })
        .transpose()?;
    if expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad("expiresAt must be in the future."));
    }
    if body.max_uses.is_some_and(|m| !(1..=MAX_USES).contains(&m)) {
        return Err(ApiError::bad(format!(
            "maxUses must be a whole number from 1 to {MAX_USES}."
        )));
    }
    let c = links::create(&ctx.deps, caller, &gid, expires_at, body.max_uses).await?;
    Reply::created(NewLinkReply {
        id: c.link.id,
        url: link_url(&c.token),
        token: c.token,
        created_at: c.link.created_at,
        expires_at: c.link.expires_at.map(epoch_rfc3339),
        max_uses: c.link.max_uses,
    })
}

pub async fn list_follow_links(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("links|{gid}|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = links::list(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.into_iter().map(LinkReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

pub async fn delete_follow_link(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let link_id = ctx.path::<LinkId>()?;
    links::revoke(&ctx.deps, caller, &gid, &link_id).await?;
    Reply::ok(json!({ "deleted": true }))
}

fn token(ctx: &Ctx) -> Result<String, ApiError> {
    request::path_param(&ctx.req, "token")
}

pub async fn preview_follow(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (name, description, stats) = follow::preview(&ctx.deps, caller, &token(&ctx)?).await?;
    Reply::ok(json!({
        "groupName": name,
        "description": description,
        "statCount": stats,
    }))
}

pub async fn follow_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let view = follow::follow(&ctx.deps, caller, &token(&ctx)?).await?;
    Reply::ok(GroupReply::from(view))
}

pub async fn unfollow_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    follow::unfollow(&ctx.deps, caller, &ctx.path::<GroupId>()?).await?;
    Reply::ok(json!({ "following": false }))
}

pub async fn list_followers(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("followers|{gid}|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = follow::admin::list(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.into_iter().map(FollowerReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

pub async fn block_follower(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let f = follow::admin::block(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<FollowerId>()?,
    )
    .await?;
    Reply::ok(FollowerReply::from(f))
}

pub async fn unblock_follower(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let f = follow::admin::unblock(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<FollowerId>()?,
    )
    .await?;
    Reply::ok(FollowerReply::from(f))
}

crate::http::error::api_error_from!(crate::follow::FollowError);

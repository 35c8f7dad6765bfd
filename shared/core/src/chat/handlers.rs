//! Chat and mute: `GET/POST /v1/groups/{groupId}/messages` (group chat),
//! `GET/POST /v1/groups/{groupId}/threads/mine/messages` (a follower's thread with the admins),
//! `GET /v1/groups/{groupId}/threads` and `GET/POST .../threads/{threadId}/messages` (admins),
//! `PUT /v1/groups/{groupId}/mute`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::chat::{self, Message, Thread, TEXT_MAX};
use crate::domain::ids::{GroupId, ThreadId};
use crate::groups::mute;
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Reply};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageReply {
    id: String,
    text: String,
    sent_at: String,
    /// Display name (members, admins) or pseudonym (followers); never a phone number.
    author: String,
    author_role: String,
    mine: bool,
}

impl From<Message> for MessageReply {
    fn from(m: Message) -> Self {
        Self {
            id: m.id,
            text: m.text,
            sent_at: m.sent_at,
            author: m.author,
            author_role: m.author_role,
            mine: m.mine,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadReply {
    id: String,
    pseudonym: String,
    last_message_at: String,
}

impl From<Thread> for ThreadReply {
    fn from(t: Thread) -> Self {
        Self {
            id: t.id,
            pseudonym: t.pseudonym,
            last_message_at: t.last_message_at,
        }
    }
}

/// Message text: 1..=4000 characters after trimming; line breaks and tabs allowed, other
/// control characters not.
pub fn text(input: &str) -> Result<String, ApiError> {
    let t = input.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(ApiError::bad("text must not be empty."));
    }
    if n > TEXT_MAX {
        return Err(ApiError::bad(format!(
            "text must have at most {TEXT_MAX} characters."
        )));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::bad("text must not contain control characters."));
    }
    Ok(t.to_string())
}

async fn list(ctx: Authed, thread: Option<String>) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!(
        "chat|{gid}|{}|{}",
        thread.as_deref().unwrap_or(chat::MAIN),
        caller.user_id
    );
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) =
        chat::list(&ctx.deps, caller, &gid, thread.as_deref(), limit, after).await?;
    let data = items.into_iter().map(MessageReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

async fn post(ctx: Authed, thread: Option<String>) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: MessageBody = request::json(&ctx.req)?;
    let text = text(&body.text)?;
    let m = chat::post(&ctx.deps, caller, &gid, thread.as_deref(), &text).await?;
    Reply::created(MessageReply::from(m))
}

pub async fn list_messages(ctx: Authed) -> Result<Reply, ApiError> {
    list(ctx, None).await
}

pub async fn post_message(ctx: Authed) -> Result<Reply, ApiError> {
    post(ctx, None).await
}

pub async fn list_my_thread_messages(ctx: Authed) -> Result<Reply, ApiError> {
    list(ctx, Some("mine".into())).await
}

pub async fn post_my_thread_message(ctx: Authed) -> Result<Reply, ApiError> {
    post(ctx, Some("mine".into())).await
}

pub async fn list_threads(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("threads|{gid}|{}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = chat::threads(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.into_iter().map(ThreadReply::from).collect();
    Reply::ok(ListReply::new(&ctx.deps, &scope, data, next))
}

pub async fn list_thread_messages(ctx: Authed) -> Result<Reply, ApiError> {
    // A follower's id ("mine" is its own route and never parses as an id).
    let id = ctx.path::<ThreadId>()?;
    list(ctx, Some(id.into_string())).await
}

pub async fn post_thread_message(ctx: Authed) -> Result<Reply, ApiError> {
    let id = ctx.path::<ThreadId>()?;
    post(ctx, Some(id.into_string())).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MuteBody {
    muted: bool,
}

pub async fn mute_group(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: MuteBody = request::json(&ctx.req)?;
    let muted = mute::set(&ctx.deps, caller, &gid, body.muted).await?;
    Reply::ok(json!({ "muted": muted }))
}

crate::http::error::api_error_from!(crate::chat::ChatError);

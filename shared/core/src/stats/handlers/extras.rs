//! A stat's history (`GET .../stats/{statId}/history?from=&to=&limit=&cursor=`, newest first)
//! and the caller's own settings for it (`GET/PUT .../stats/{statId}/settings`).

use lambda_http::RequestExt;
use serde_json::{json, Value};

use crate::domain::ids::{GroupId, StatId};
use crate::domain::stat::{timestamp, Decimal};
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Reply};
use crate::stats::handlers::stats::items_json;
use crate::stats::history::{self, Entry};
use crate::stats::settings::{self, Settings, SettingsInput};

fn entry_json(e: &Entry) -> Value {
    let mut j = json!({"at": e.at, "value": e.value, "by": e.by, "version": e.version});
    if !e.items.is_empty() {
        j["items"] = items_json(&e.items);
    }
    if let Some(i) = e.current_index {
        j["currentIndex"] = json!(i);
    }
    j
}

pub async fn list_stat_history(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid) = (ctx.path::<GroupId>()?, ctx.path::<StatId>()?);
    let params = ctx.req.query_string_parameters_ref();
    let raw = |name: &str| {
        params
            .and_then(|q| q.first(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (from_raw, to_raw) = (raw("from"), raw("to"));
    let from = from_raw
        .as_deref()
        .map(|v| timestamp("from", v))
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let to = to_raw
        .as_deref()
        .map(|v| timestamp("to", v))
        .transpose()
        .map_err(ApiError::BadRequest)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad("from must not be later than to."));
        }
    }
    // A cursor only continues the same range.
    // A bound left out is "-", which no instant prints as.
    let bound = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("-".to_string(), |t| t.timestamp_millis().to_string())
    };
    let scope = format!(
        "history|{}|{gid}|{sid}|{}|{}",
        caller.user_id,
        bound(from),
        bound(to)
    );
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (entries, next) =
        history::list(&ctx.deps, caller, &gid, &sid, from, to, limit, after).await?;
    let data = entries.iter().map(entry_json).collect();
    Reply::ok(ListReply::<Value>::new(&ctx.deps, &scope, data, next))
}

/// `{notify, above?, below?}`; thresholds are JSON numbers.
fn settings_json(s: &Settings) -> Result<Value, ApiError> {
    let mut j = serde_json::to_value(s.notify)
        .map(|n| json!({ "notify": n }))
        .map_err(|e| ApiError::Internal(format!("settings: {e}")))?;
    for (k, v) in [("above", &s.above), ("below", &s.below)] {
        if let Some(v) = v {
            j[k] = Decimal::parse(k, v)
                .map(|d| d.to_json())
                .unwrap_or(Value::Null);
        }
    }
    Ok(j)
}

pub async fn get_stat_settings(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let s = settings::get(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<StatId>()?,
    )
    .await?;
    Reply::ok(settings_json(&s)?)
}

pub async fn update_stat_settings(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid) = (ctx.path::<GroupId>()?, ctx.path::<StatId>()?);
    let body: SettingsInput = request::json(&ctx.req)?;
    let settings = body.validate().map_err(ApiError::BadRequest)?;
    let s = settings::put(&ctx.deps, caller, &gid, &sid, settings).await?;
    Reply::ok(settings_json(&s)?)
}

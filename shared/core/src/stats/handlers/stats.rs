//! `GET/POST /v1/groups/{groupId}/stats`, `GET/PUT/DELETE /v1/groups/{groupId}/stats/{statId}`
//! and StatX's `GET /v1/stats?groupName=&statTitle=`.
//!
//! A stat in JSON (StatX v1): `{id, title, visualType, value, notes, dueDateTime,
//! lastUpdatedDateTime, notesLastUpdatedDateTime, lastUpdatedBy, adminOnly, createdDateTime,
//! version}` plus the type's fields (`unit`/`prefix`, `minValue`/`maxValue`, `items`,
//! `currentIndex`). `value` is always a string; absent times are left out, never `""`.
//! Single-stat responses carry `ETag: "<version>"`; PUT honours `If-Match`.

use http::StatusCode;
use lambda_http::RequestExt;
use serde_json::{json, Map, Value};

use crate::domain::ids::{GroupId, StatId};
use crate::domain::stat::{Decimal, VisualType};
use crate::http::cursor::{self, ListReply};
use crate::http::{request, ApiError, Authed, Ctx, Reply};
use crate::stats::values::StatInput;
use crate::stats::{self, StatView};

fn number(text: &str) -> Value {
    Decimal::parse("n", text)
        .map(|d| d.to_json())
        .unwrap_or(Value::Null)
}

/// The StatX JSON of a stat.
pub fn stat_json(v: &StatView) -> Value {
    let (s, c) = (&v.stat, &v.stat.content);
    let mut o = Map::new();
    let mut put = |k: &str, v: Value| {
        o.insert(k.to_string(), v);
    };
    put("id", json!(s.id));
    put("title", json!(c.title));
    put("visualType", json!(s.visual.as_str()));
    put("value", json!(c.value));
    put("notes", json!(c.notes));
    put("adminOnly", json!(s.admin_only));
    put("createdDateTime", json!(s.created_at));
    put("version", json!(s.version));
    for (k, val) in [
        ("dueDateTime", &c.due),
        ("lastUpdatedDateTime", &s.updated_at),
        ("notesLastUpdatedDateTime", &s.notes_updated_at),
        ("lastUpdatedBy", &v.last_updated_by),
    ] {
        if let Some(val) = val {
            put(k, json!(val));
        }
    }
    match s.visual {
        VisualType::Number => {
            for (k, val) in [("unit", &c.unit), ("prefix", &c.prefix)] {
                if let Some(val) = val {
                    put(k, json!(val));
                }
            }
        }
        VisualType::Dialer => {}
        VisualType::Range => {
            put("minValue", number(c.min.as_deref().unwrap_or_default()));
            put("maxValue", number(c.max.as_deref().unwrap_or_default()));
        }
        VisualType::PickList => {
            put("items", items_json(&c.items));
            put("currentIndex", json!(c.current_index.unwrap_or(0)));
        }
        VisualType::HorizontalBars => put("items", items_json(&c.items)),
    }
    Value::Object(o)
}

pub(crate) fn items_json(items: &[crate::stats::values::StatItem]) -> Value {
    items
        .iter()
        .map(|i| match &i.value {
            Some(v) => json!({"name": i.name, "value": number(v), "color": i.color}),
            None => json!({"name": i.name, "color": i.color}),
        })
        .collect()
}

fn one(status: StatusCode, v: &StatView) -> Result<Reply, ApiError> {
    Ok(Reply::new(status, stat_json(v))?.with_etag(v.stat.version))
}

/// `If-Match: "3"` (or `W/"3"`, `3`); `*` and absence mean no precondition. Anything else can
/// never match the current version.
fn if_match(ctx: &Ctx) -> Result<Option<i64>, ApiError> {
    let Some(raw) = request::header(&ctx.req, "if-match") else {
        return Ok(None);
    };
    let t = raw.trim();
    if t == "*" {
        return Ok(None);
    }
    t.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::PreconditionFailed)
}

pub async fn list_stats(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let scope = format!("stats|{}|{gid}", caller.user_id);
    let (limit, after) = cursor::page(&ctx, &scope)?;
    let (items, next) = stats::list(&ctx.deps, caller, &gid, limit, after).await?;
    let data = items.iter().map(stat_json).collect();
    Reply::ok(ListReply::<Value>::new(&ctx.deps, &scope, data, next))
}

pub async fn create_stat(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let gid = ctx.path::<GroupId>()?;
    let body: StatInput = request::json(&ctx.req)?;
    let view = stats::create(&ctx.deps, caller, &gid, body).await?;
    one(StatusCode::CREATED, &view)
}

pub async fn get_stat(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let view = stats::get(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<StatId>()?,
    )
    .await?;
    one(StatusCode::OK, &view)
}

pub async fn update_stat(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let (gid, sid) = (ctx.path::<GroupId>()?, ctx.path::<StatId>()?);
    let body: StatInput = request::json(&ctx.req)?;
    let expected = if_match(&ctx)?;
    let view = stats::update(&ctx.deps, caller, &gid, &sid, body, expected).await?;
    one(StatusCode::OK, &view)
}

pub async fn delete_stat(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    stats::delete(
        &ctx.deps,
        caller,
        &ctx.path::<GroupId>()?,
        &ctx.path::<StatId>()?,
    )
    .await?;
    Reply::ok(json!({ "deleted": true }))
}

/// StatX: the caller's stats by exact `groupName` and/or `statTitle` (own groups only). Each
/// stat also names its `groupId` and `groupName`.
pub async fn find_stats(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    let params = ctx.req.query_string_parameters_ref();
    let get = |name: &str| {
        params
            .and_then(|q| q.first(name))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (group_name, stat_title) = (get("groupName"), get("statTitle"));
    for (name, v) in [("groupName", &group_name), ("statTitle", &stat_title)] {
        if v.as_ref().is_some_and(|v| v.chars().count() > 100) {
            return Err(ApiError::bad(format!(
                "{name} must have at most 100 characters."
            )));
        }
    }
    let found = stats::find(
        &ctx.deps,
        caller,
        group_name.as_deref(),
        stat_title.as_deref(),
    )
    .await?;
    let data: Vec<Value> = found
        .iter()
        .map(|(group_name, v)| {
            let mut j = stat_json(v);
            j["groupId"] = json!(v.group_id);
            j["groupName"] = json!(group_name);
            j
        })
        .collect();
    Reply::ok(json!({ "data": data }))
}

//! Issue 6 suites: stats of every visual type, the StatX client flow, history, settings,
//! concurrency and attachments. Every case is `async fn(&TestApp)`; `stats_cases!` lists them
//! so tests/tests/stats_local.rs and stats_aws.rs run each one on the embedded adapters and on
//! moto_server. The isolation matrix of every new route is in `groups::matrix`.

pub mod attachments;
pub mod concurrency;
pub mod flows;
pub mod types;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::app::{Resp, TestApp};
pub use crate::groups::{
    create_group, delete, expect, expect_error, get, id, join, partition, post, test_app, user,
    User,
};

pub async fn put(app: &TestApp, who: &User, path: &str, body: Value) -> Resp {
    app.call(Method::PUT, path, Some(&body.to_string()), Some(&who.creds))
        .await
}

/// A request with extra headers (If-Match...), body sent as-is without Content-Type.
pub async fn call_with(
    app: &TestApp,
    who: &User,
    method: Method,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = app
        .http
        .request(method, format!("{}{}", app.base, path))
        .header("X-API-KEY", &who.creds.api_key)
        .header("X-Auth-Token", &who.creds.auth_token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let resp = req.send().await.expect("request sent");
    Resp {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.expect("body"),
    }
}

pub fn stats_path(gid: &str) -> String {
    format!("/v1/groups/{gid}/stats")
}

pub fn stat_path(gid: &str, sid: &str) -> String {
    format!("/v1/groups/{gid}/stats/{sid}")
}

/// An admin with a fresh group.
pub async fn admin_and_group(app: &TestApp) -> (User, String) {
    let admin = user(app, Some("Ada Admin")).await;
    let gid = id(&create_group(app, &admin, "Stats group").await);
    (admin, gid)
}

/// Create a stat (must succeed); returns its JSON.
pub async fn create_stat(app: &TestApp, admin: &User, gid: &str, body: Value) -> Value {
    let r = post(app, &admin.creds, &stats_path(gid), body).await;
    let j = expect(&r, StatusCode::CREATED);
    assert_eq!(
        r.header("etag").map(str::to_string),
        Some(format!("\"{}\"", j["version"])),
        "ETag is the version"
    );
    j
}

pub async fn number_stat(app: &TestApp, admin: &User, gid: &str, title: &str) -> String {
    id(&create_stat(
        app,
        admin,
        gid,
        json!({"title": title, "visualType": "NUMBER", "value": "1"}),
    )
    .await)
}

/// Every value of `v` that is an RFC 3339 timestamp field must be well-formed (never "").
pub fn assert_times(v: &Value) {
    for k in [
        "dueDateTime",
        "lastUpdatedDateTime",
        "notesLastUpdatedDateTime",
        "createdDateTime",
    ] {
        if let Some(t) = v.get(k) {
            let s = t
                .as_str()
                .unwrap_or_else(|| panic!("{k} is not a string: {v}"));
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap_or_else(|_| panic!("{k} is not RFC 3339: {s}"));
        }
    }
    assert!(v["value"].is_string(), "value must be a string: {v}");
}

/// Calls `$m!` with every case of the stats suites, as `module::case`.
#[macro_export]
macro_rules! stats_cases {
    ($m:ident) => {
        $m!(
            types::every_type_create_read_update,
            types::invalid_input_is_refused_and_writes_nothing,
            types::type_change_and_merge_rules,
            flows::statx_client_flow,
            flows::roles_admin_only_and_limits,
            flows::etag_and_if_match,
            flows::history_newest_first_with_pagination,
            flows::settings_are_per_user,
            flows::find_stats_in_own_groups_only,
            flows::deleting_stats_and_groups_leaves_nothing,
            concurrency::fifty_concurrent_puts_lose_nothing,
            attachments::upload_finalize_download_delete,
            attachments::refused_and_rejected_uploads,
            attachments::finalize_event_handler,
        );
    };
}

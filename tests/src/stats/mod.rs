//! Stats: values of every visual type, history, per-user settings, attachments, and
//! concurrent writes. The isolation matrix of every stat route is in `groups::isolation`.

pub mod attachments;
pub mod concurrency;
pub mod history;
pub mod settings;
pub mod types;
pub mod values;

use reqwest::StatusCode;
use serde_json::{json, Value};

pub use crate::groups::{
    create_group, expect, expect_error, id, join, partition, test_app, user, User,
};
use crate::harness::app::TestApp;

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
    let r = app.create_stat(&admin.creds, gid, body).await;
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

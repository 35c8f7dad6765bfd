//! Follow: public groups, follow links and pseudonymous followers.

pub mod followers;
pub mod links;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::*;
use crate::harness::app::TestApp;

pub use crate::groups::test_app;

pub async fn create_public_group(app: &TestApp, admin: &User, name: &str) -> Value {
    let r = app
        .post(
            &admin.creds,
            "/v1/groups",
            json!({ "name": name, "description": "public board", "kind": "public" }),
        )
        .await;
    let g = expect(&r, StatusCode::CREATED);
    assert_eq!(g["kind"], "public");
    assert_eq!(g["followerCount"], 0);
    g
}

/// A new follow link: (link id, token).
pub async fn link(app: &TestApp, admin: &User, gid: &str, body: Value) -> (String, String) {
    let r = app
        .post(&admin.creds, &format!("/v1/groups/{gid}/links"), body)
        .await;
    let j = expect(&r, StatusCode::CREATED);
    let token = j["token"].as_str().unwrap().to_string();
    assert_eq!(j["url"], format!("/v1/follow/{token}"));
    (id(&j), token)
}

/// Follow through `token`; returns the follower id.
pub async fn follow(app: &TestApp, who: &User, token: &str) -> String {
    let r = app
        .post(&who.creds, &format!("/v1/follow/{token}"), json!({}))
        .await;
    let j = expect(&r, StatusCode::OK);
    assert_eq!(j["role"], "follower");
    j["memberId"].as_str().unwrap().to_string()
}

pub async fn followers(app: &TestApp, admin: &User, gid: &str) -> Vec<Value> {
    let r = app
        .get(&admin.creds, &format!("/v1/groups/{gid}/followers"))
        .await;
    expect(&r, StatusCode::OK)["data"]
        .as_array()
        .unwrap()
        .clone()
}

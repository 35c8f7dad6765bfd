//! The follow part of account export and deletion: follows, mutes, own messages, and an
//! admin's replies in follower threads.

use reqwest::{Method, StatusCode};
use serde_json::json;
use statx_core::store::keys;

use crate::follow::*;
use crate::groups::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// Account export lists follows, mutes and own messages; deletion removes them all.
#[case]
pub async fn account_covers_follows_and_messages(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Acct").await);
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &token).await;
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    expect(
        &app.post(&fan.creds, &mine, json!({"text": "my words"}))
            .await,
        StatusCode::CREATED,
    );
    expect(
        &app.mute_group(&fan.creds, &gid, json!({"muted": true}))
            .await,
        StatusCode::OK,
    );
    let export = expect(&app.export_me(&fan.creds).await, StatusCode::OK);
    let part = &export["follows"];
    assert_eq!(part["follows"][0]["followerId"], fid.as_str());
    assert_eq!(part["mutes"][0]["muted"], true);
    assert_eq!(part["messages"][0]["text"], "my words");
    let r = app
        .request(
            Some(&fan.creds),
            Method::DELETE,
            "/v1/me",
            Some(&json!({ "confirm": fan.phone }).to_string()),
        )
        .await;
    expect(&r, StatusCode::OK);
    assert!(!exists(app, &keys::membership(&fan.id, &gid)).await);
    assert!(!exists(app, &keys::mute(&fan.id, &gid)).await);
    let left = partition(app, &keys::group_pk(&gid)).await;
    assert!(
        !left
            .iter()
            .any(|i| format!("{i:?}").contains(&fan.id) || format!("{i:?}").contains("CHAT#")),
        "the follower's records and thread are gone"
    );
    assert_consistent(app, &gid, &[&admin]).await;
}

/// An admin's replies in follower threads are theirs: exported with their data and erased with
/// their account, while the group (with another admin) and the follower's own words stay.
#[case]
pub async fn admin_replies_go_with_the_admin_account(app: &TestApp) {
    let admin = user(app, None).await;
    let second = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Replies").await);
    let second_id = crate::groups::join(app, &admin, &gid, &second).await;
    let path = format!("/v1/groups/{gid}/members/{second_id}");
    let r = app
        .request(
            Some(&admin.creds),
            Method::PATCH,
            &path,
            Some(&json!({"role": "admin"}).to_string()),
        )
        .await;
    expect(&r, StatusCode::OK);
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &token).await;
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    expect(
        &app.post(&fan.creds, &mine, json!({"text": "question"}))
            .await,
        StatusCode::CREATED,
    );
    let thread = format!("/v1/groups/{gid}/threads/{fid}/messages");
    expect(
        &app.post(&admin.creds, &thread, json!({"text": "the reply"}))
            .await,
        StatusCode::CREATED,
    );

    let export = expect(&app.export_me(&admin.creds).await, StatusCode::OK);
    let texts: Vec<&str> = export["follows"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        vec!["the reply"],
        "the admin's export lacks their reply"
    );

    let r = app
        .request(
            Some(&admin.creds),
            Method::DELETE,
            "/v1/me",
            Some(&json!({ "confirm": admin.phone }).to_string()),
        )
        .await;
    expect(&r, StatusCode::OK);
    let seen = expect(&app.get(&second.creds, &thread).await, StatusCode::OK);
    let left: Vec<&str> = seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(left, vec!["question"], "the deleted admin's reply survived");
}

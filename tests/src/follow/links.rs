//! Follow links: preview and follow end to end, dead links, maxUses under concurrency.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::groups::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// Follow end to end: preview, follow (idempotent), read group/stats/history, not members,
/// counts, unfollow, and deletion leaves nothing behind.
#[case]
pub async fn follow_flow_end_to_end(app: &TestApp) {
    let admin = user(app, Some("Pub Admin")).await;
    let fan = user(app, Some("Fan Name")).await;
    let gid = id(&create_public_group(app, &admin, "Pub").await);
    let stat = crate::stats::number_stat(app, &admin, &gid, "Score").await;
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let p = expect(
        &app.preview_follow(&fan.creds, &token).await,
        StatusCode::OK,
    );
    assert_eq!(p["groupName"], "Pub");
    assert_eq!(p["description"], "public board");
    assert_eq!(p["statCount"], 1);
    // Signed-in only.
    let anon = app
        .request(None, Method::GET, &format!("/v1/follow/{token}"), None)
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let fid = follow(app, &fan, &token).await;
    assert_eq!(follow(app, &fan, &token).await, fid, "idempotent");
    let g = expect(&app.get_group(&fan.creds, &gid).await, StatusCode::OK);
    assert_eq!(g["role"], "follower");
    assert!(
        g.get("followerCount").is_none(),
        "followers do not see the count"
    );
    let g = expect(&app.get_group(&admin.creds, &gid).await, StatusCode::OK);
    assert_eq!(g["followerCount"], 1);
    assert_eq!(g["memberCount"], 1, "followers are not members");
    let mine = expect(&app.list_groups(&fan.creds, "").await, StatusCode::OK);
    assert!(mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["id"] == gid.as_str()));
    for path in [
        format!("/v1/groups/{gid}/stats"),
        format!("/v1/groups/{gid}/stats/{stat}"),
        format!("/v1/groups/{gid}/stats/{stat}/history"),
    ] {
        let r = app.get(&fan.creds, &path).await;
        expect(&r, StatusCode::OK);
        // Followers see nothing of the members, not even who changed a stat.
        assert!(
            !r.text.contains("Pub Admin"),
            "a member's name shown to a follower: {}",
            r.text
        );
    }
    let s = expect(&app.get_stat(&fan.creds, &gid, &stat).await, StatusCode::OK);
    assert_eq!(s["lastUpdatedBy"], "Group member");
    let s = expect(
        &app.get_stat(&admin.creds, &gid, &stat).await,
        StatusCode::OK,
    );
    assert_eq!(s["lastUpdatedBy"], "Pub Admin");
    for path in [
        format!("/v1/groups/{gid}/members"),
        format!("/v1/groups/{gid}/followers"),
        format!("/v1/groups/{gid}/links"),
        format!("/v1/groups/{gid}/messages"),
        format!("/v1/groups/{gid}/stats/{stat}/attachments"),
    ] {
        expect_error(
            &app.get(&fan.creds, &path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let w = app
        .put(
            &fan.creds,
            &format!("/v1/groups/{gid}/stats/{stat}"),
            json!({"value": "9"}),
        )
        .await;
    expect_error(&w, StatusCode::NOT_FOUND, "not_found");
    let f = followers(app, &admin, &gid).await;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["id"], fid.as_str());
    assert!(
        !f[0].to_string().contains("Fan Name"),
        "admins see only the pseudonym"
    );
    assert!(!f[0].to_string().contains(&fan.phone[2..]));
    assert_consistent(app, &gid, &[&admin, &fan]).await;
    // Unfollow, then follow again: same id and pseudonym.
    let pseudonym = f[0]["pseudonym"].clone();
    expect(&app.unfollow_group(&fan.creds, &gid).await, StatusCode::OK);
    expect_error(
        &app.get_group(&fan.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.unfollow_group(&fan.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(followers(app, &admin, &gid).await.len(), 0);
    assert_eq!(follow(app, &fan, &token).await, fid);
    assert_eq!(
        followers(app, &admin, &gid).await[0]["pseudonym"],
        pseudonym
    );
    // A private group's links do not exist.
    let private = id(&create_group(app, &admin, "Private").await);
    let r = app
        .post(
            &admin.creds,
            &format!("/v1/groups/{private}/links"),
            json!({}),
        )
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    // Deletion: nothing left, the link is dead.
    let r = app
        .put(
            &fan.creds,
            &format!("/v1/groups/{gid}/mute"),
            json!({"muted": true}),
        )
        .await;
    expect(&r, StatusCode::OK);
    expect(&app.delete_group(&admin.creds, &gid).await, StatusCode::OK);
    assert_no_trace(app, &gid, &[&admin, &fan], &[]).await;
    let h = app.deps.crypto.blind_index("follow-link", token.as_bytes());
    assert!(
        !exists(app, &statx_core::store::keys::link(&h)).await,
        "orphan link"
    );
    expect_error(
        &app.preview_follow(&fan.creds, &token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

/// Revoked, expired and used-up links, and garbage, all answer the same 404.
#[case]
pub async fn dead_links_answer_alike(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Links").await);
    let (revoked_id, revoked) = link(app, &admin, &gid, json!({})).await;
    let (_, kept) = link(app, &admin, &gid, json!({})).await;
    let soon = statx_core::domain::time::rfc3339(
        statx_core::ports::Clock::now(app.clock.as_ref()) + Duration::hours(1),
    );
    let (_, expiring) = link(app, &admin, &gid, json!({ "expiresAt": soon })).await;
    let (_, single) = link(app, &admin, &gid, json!({ "maxUses": 1 })).await;
    let l = expect(
        &app.list_follow_links(&admin.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(l["data"].as_array().unwrap().len(), 4);
    assert!(!l.to_string().contains(&kept), "tokens are shown once");
    let early = user(app, None).await;
    follow(app, &early, &revoked).await;
    follow(app, &early, &single).await; // idempotent for an existing follower: no use
    let other = user(app, None).await;
    follow(app, &other, &single).await;
    expect(
        &app.delete_follow_link(&admin.creds, &gid, &revoked_id)
            .await,
        StatusCode::OK,
    );
    app.clock.advance(Duration::hours(2));
    let garbage = "a".repeat(52);
    let mut shapes = Vec::new();
    for t in [&revoked, &expiring, &single, &garbage] {
        let pr = app.preview_follow(&fan.creds, t).await;
        let fo = app
            .post(&fan.creds, &format!("/v1/follow/{t}"), json!({}))
            .await;
        expect_error(&pr, StatusCode::NOT_FOUND, "not_found");
        expect_error(&fo, StatusCode::NOT_FOUND, "not_found");
        shapes.push((pr.text, fo.text));
    }
    assert!(shapes.windows(2).all(|w| w[0] == w[1]));
    // Followers through a revoked link stay.
    expect(&app.get_group(&early.creds, &gid).await, StatusCode::OK);
    follow(app, &fan, &kept).await;
    let bad = app
        .post(
            &admin.creds,
            &format!("/v1/groups/{gid}/links"),
            json!({"maxUses": 0}),
        )
        .await;
    expect_error(&bad, StatusCode::BAD_REQUEST, "bad_request");
    assert_consistent(app, &gid, &[&admin, &fan, &early, &other]).await;
}

/// maxUses holds under concurrency: 10 follows at once through a 3-use link → 3 followers.
#[case]
pub async fn max_uses_hold_under_concurrency(app: &TestApp) {
    let admin = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Race").await);
    let (_, token) = link(app, &admin, &gid, json!({ "maxUses": 3 })).await;
    let mut fans = Vec::new();
    for _ in 0..10 {
        fans.push(user(app, None).await);
    }
    let calls = fans.iter().map(|f| {
        let path = format!("/v1/follow/{token}");
        async move { app.post(&f.creds, &path, json!({})).await.status }
    });
    let statuses = futures::future::join_all(calls).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 3, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::NOT_FOUND));
    assert_eq!(followers(app, &admin, &gid).await.len(), 3);
    let g = expect(&app.get_group(&admin.creds, &gid).await, StatusCode::OK);
    assert_eq!(g["followerCount"], 3);
    let everyone: Vec<&User> = fans.iter().chain([&admin]).collect();
    assert_consistent(app, &gid, &everyone).await;
}

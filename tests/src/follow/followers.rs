//! Followers: blocking and unblocking, pseudonyms per group, the mute flag.

use reqwest::StatusCode;
use serde_json::json;
use statx_core::store::keys;

use super::*;
use crate::groups::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// Block: access ends at once, no re-follow through any link; unblock lets them follow again.
#[case]
pub async fn block_and_unblock(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Blocking").await);
    let (_, t1) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &t1).await;
    let r = app
        .post(
            &admin.creds,
            &format!("/v1/groups/{gid}/followers/{fid}/block"),
            json!({}),
        )
        .await;
    assert_eq!(expect(&r, StatusCode::OK)["blocked"], true);
    expect_error(
        &app.get_group(&fan.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (_, t2) = link(app, &admin, &gid, json!({})).await;
    for t in [&t1, &t2] {
        let r = app
            .post(&fan.creds, &format!("/v1/follow/{t}"), json!({}))
            .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = app.preview_follow(&fan.creds, t).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    let f = followers(app, &admin, &gid).await;
    assert_eq!((f.len(), f[0]["blocked"].clone()), (1, json!(true)));
    let g = expect(&app.get_group(&admin.creds, &gid).await, StatusCode::OK);
    assert_eq!(g["followerCount"], 0);
    assert_consistent(app, &gid, &[&admin, &fan]).await;
    let r = app
        .post(
            &admin.creds,
            &format!("/v1/groups/{gid}/followers/{fid}/unblock"),
            json!({}),
        )
        .await;
    assert_eq!(expect(&r, StatusCode::OK)["blocked"], false);
    assert!(followers(app, &admin, &gid).await.is_empty());
    assert_eq!(follow(app, &fan, &t2).await, fid);
    assert_consistent(app, &gid, &[&admin, &fan]).await;
}

/// Pseudonyms: stable within a group, different across groups, never the name or number.
#[case]
pub async fn pseudonyms_are_per_group(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, Some("Visible Name")).await;
    let a = id(&create_public_group(app, &admin, "A").await);
    let b = id(&create_public_group(app, &admin, "B").await);
    let (_, ta) = link(app, &admin, &a, json!({})).await;
    let (_, tb) = link(app, &admin, &b, json!({})).await;
    let fa = follow(app, &fan, &ta).await;
    let fb = follow(app, &fan, &tb).await;
    assert_ne!(fa, fb, "follower ids differ across groups");
    let pa = followers(app, &admin, &a).await[0]["pseudonym"].clone();
    let pb = followers(app, &admin, &b).await[0]["pseudonym"].clone();
    assert_ne!(pa, pb, "pseudonyms differ across groups");
    assert_eq!(
        followers(app, &admin, &a).await[0]["pseudonym"],
        pa,
        "stable"
    );
    assert!(pa.as_str().unwrap().starts_with("Follower "));
    for p in [&pa, &pb] {
        assert!(!p.as_str().unwrap().contains("Visible"));
    }
}

/// Mute: members and followers set their own flag at USER#<uid>/MUTE#<gid>; strangers 404.
#[case]
pub async fn mute_flag(app: &TestApp) {
    use statx_core::ports::ItemExt;
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let stranger = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Quiet").await);
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    follow(app, &fan, &token).await;
    let path = format!("/v1/groups/{gid}/mute");
    for (who, muted) in [(&admin, true), (&fan, true), (&fan, false)] {
        let r = app.put(&who.creds, &path, json!({ "muted": muted })).await;
        assert_eq!(expect(&r, StatusCode::OK)["muted"], muted);
        let it = app
            .deps
            .store
            .get(&keys::mute(&who.id, &gid))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(it.bool("muted"), Some(muted));
    }
    expect_error(
        &app.put(&stranger.creds, &path, json!({"muted": true}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.put(&fan.creds, &path, json!({"muted": "yes"})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    expect(&app.unfollow_group(&fan.creds, &gid).await, StatusCode::OK);
    assert!(
        !exists(app, &keys::mute(&fan.id, &gid)).await,
        "unfollow removes the mute"
    );
}

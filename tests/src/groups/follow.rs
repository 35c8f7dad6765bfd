//! Issue 7 suites: public groups, follow links, pseudonymous followers, chat and mute.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::store::keys;

use super::*;
use crate::app::TestApp;

pub async fn create_public_group(app: &TestApp, admin: &User, name: &str) -> Value {
    let r = post(
        app,
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
    let r = post(app, &admin.creds, &format!("/v1/groups/{gid}/links"), body).await;
    let j = expect(&r, StatusCode::CREATED);
    let token = j["token"].as_str().unwrap().to_string();
    assert_eq!(j["url"], format!("/v1/follow/{token}"));
    (id(&j), token)
}

/// Follow through `token`; returns the follower id.
pub async fn follow(app: &TestApp, who: &User, token: &str) -> String {
    let r = post(app, &who.creds, &format!("/v1/follow/{token}"), json!({})).await;
    let j = expect(&r, StatusCode::OK);
    assert_eq!(j["role"], "follower");
    j["memberId"].as_str().unwrap().to_string()
}

async fn followers(app: &TestApp, admin: &User, gid: &str) -> Vec<Value> {
    let r = get(app, &admin.creds, &format!("/v1/groups/{gid}/followers")).await;
    expect(&r, StatusCode::OK)["data"]
        .as_array()
        .unwrap()
        .clone()
}

async fn put(app: &TestApp, who: &User, path: &str, body: Value) -> Resp {
    app.call(Method::PUT, path, Some(&body.to_string()), Some(&who.creds))
        .await
}

/// Follow end to end: preview, follow (idempotent), read group/stats/history, not members,
/// counts, unfollow, and deletion leaves nothing behind.
pub async fn follow_flow_end_to_end(app: &TestApp) {
    let admin = user(app, Some("Pub Admin")).await;
    let fan = user(app, Some("Fan Name")).await;
    let gid = id(&create_public_group(app, &admin, "Pub").await);
    let stat = crate::stats::number_stat(app, &admin, &gid, "Score").await;
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let p = expect(
        &get(app, &fan.creds, &format!("/v1/follow/{token}")).await,
        StatusCode::OK,
    );
    assert_eq!(p["groupName"], "Pub");
    assert_eq!(p["description"], "public board");
    assert_eq!(p["statCount"], 1);
    // Signed-in only.
    let anon = app
        .call(Method::GET, &format!("/v1/follow/{token}"), None, None)
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let fid = follow(app, &fan, &token).await;
    assert_eq!(follow(app, &fan, &token).await, fid, "idempotent");
    let g = expect(
        &get(app, &fan.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_eq!(g["role"], "follower");
    assert!(
        g.get("followerCount").is_none(),
        "followers do not see the count"
    );
    let g = expect(
        &get(app, &admin.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_eq!(g["followerCount"], 1);
    assert_eq!(g["memberCount"], 1, "followers are not members");
    let mine = expect(&get(app, &fan.creds, "/v1/groups").await, StatusCode::OK);
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
        let r = get(app, &fan.creds, &path).await;
        expect(&r, StatusCode::OK);
        // Followers see nothing of the members, not even who changed a stat.
        assert!(
            !r.text.contains("Pub Admin"),
            "a member's name shown to a follower: {}",
            r.text
        );
    }
    let s = expect(
        &get(app, &fan.creds, &format!("/v1/groups/{gid}/stats/{stat}")).await,
        StatusCode::OK,
    );
    assert_eq!(s["lastUpdatedBy"], "Group member");
    let s = expect(
        &get(app, &admin.creds, &format!("/v1/groups/{gid}/stats/{stat}")).await,
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
            &get(app, &fan.creds, &path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let w = put(
        app,
        &fan,
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
    expect(
        &delete(app, &fan.creds, &format!("/v1/groups/{gid}/follow")).await,
        StatusCode::OK,
    );
    expect_error(
        &get(app, &fan.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &delete(app, &fan.creds, &format!("/v1/groups/{gid}/follow")).await,
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
    let r = post(
        app,
        &admin.creds,
        &format!("/v1/groups/{private}/links"),
        json!({}),
    )
    .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    // Deletion: nothing left, the link is dead.
    let r = put(
        app,
        &fan,
        &format!("/v1/groups/{gid}/mute"),
        json!({"muted": true}),
    )
    .await;
    expect(&r, StatusCode::OK);
    expect(
        &delete(app, &admin.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_no_trace(app, &gid, &[&admin, &fan], &[]).await;
    let h = app.deps.crypto.blind_index("follow-link", token.as_bytes());
    assert!(!exists(app, &keys::link(&h)).await, "orphan link");
    expect_error(
        &get(app, &fan.creds, &format!("/v1/follow/{token}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

/// Revoked, expired and used-up links, and garbage, all answer the same 404.
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
        &get(app, &admin.creds, &format!("/v1/groups/{gid}/links")).await,
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
        &delete(
            app,
            &admin.creds,
            &format!("/v1/groups/{gid}/links/{revoked_id}"),
        )
        .await,
        StatusCode::OK,
    );
    app.clock.advance(Duration::hours(2));
    let garbage = "a".repeat(52);
    let mut shapes = Vec::new();
    for t in [&revoked, &expiring, &single, &garbage] {
        let pr = get(app, &fan.creds, &format!("/v1/follow/{t}")).await;
        let fo = post(app, &fan.creds, &format!("/v1/follow/{t}"), json!({})).await;
        expect_error(&pr, StatusCode::NOT_FOUND, "not_found");
        expect_error(&fo, StatusCode::NOT_FOUND, "not_found");
        shapes.push((pr.text, fo.text));
    }
    assert!(shapes.windows(2).all(|w| w[0] == w[1]));
    // Followers through a revoked link stay.
    expect(
        &get(app, &early.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    follow(app, &fan, &kept).await;
    let bad = post(
        app,
        &admin.creds,
        &format!("/v1/groups/{gid}/links"),
        json!({"maxUses": 0}),
    )
    .await;
    expect_error(&bad, StatusCode::BAD_REQUEST, "bad_request");
    assert_consistent(app, &gid, &[&admin, &fan, &early, &other]).await;
}

/// maxUses holds under concurrency: 10 follows at once through a 3-use link → 3 followers.
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
        async move { post(app, &f.creds, &path, json!({})).await.status }
    });
    let statuses = futures::future::join_all(calls).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 3, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::NOT_FOUND));
    assert_eq!(followers(app, &admin, &gid).await.len(), 3);
    let g = expect(
        &get(app, &admin.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_eq!(g["followerCount"], 3);
    let everyone: Vec<&User> = fans.iter().chain([&admin]).collect();
    assert_consistent(app, &gid, &everyone).await;
}

/// Block: access ends at once, no re-follow through any link; unblock lets them follow again.
pub async fn block_and_unblock(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Blocking").await);
    let (_, t1) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &t1).await;
    let r = post(
        app,
        &admin.creds,
        &format!("/v1/groups/{gid}/followers/{fid}/block"),
        json!({}),
    )
    .await;
    assert_eq!(expect(&r, StatusCode::OK)["blocked"], true);
    expect_error(
        &get(app, &fan.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (_, t2) = link(app, &admin, &gid, json!({})).await;
    for t in [&t1, &t2] {
        let r = post(app, &fan.creds, &format!("/v1/follow/{t}"), json!({})).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = get(app, &fan.creds, &format!("/v1/follow/{t}")).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    let f = followers(app, &admin, &gid).await;
    assert_eq!((f.len(), f[0]["blocked"].clone()), (1, json!(true)));
    let g = expect(
        &get(app, &admin.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_eq!(g["followerCount"], 0);
    assert_consistent(app, &gid, &[&admin, &fan]).await;
    let r = post(
        app,
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

/// Group chat for members; a follower thread nobody else sees; admins see only pseudonyms.
pub async fn chat_in_both_shapes(app: &TestApp) {
    let admin = user(app, Some("Chat Admin")).await;
    let member = user(app, Some("Chat Member")).await;
    let fan = user(app, Some("Secret Fan")).await;
    let other = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Chatty").await);
    join(app, &admin, &gid, &member).await;
    let msgs = format!("/v1/groups/{gid}/messages");
    for i in 0..3 {
        app.clock.advance(Duration::seconds(1));
        let r = post(
            app,
            &member.creds,
            &msgs,
            json!({ "text": format!("m{i}\nline") }),
        )
        .await;
        let j = expect(&r, StatusCode::CREATED);
        assert_eq!(j["author"], "Chat Member");
    }
    let page = expect(
        &get(app, &admin.creds, &format!("{msgs}?limit=2")).await,
        StatusCode::OK,
    );
    assert_eq!(page["data"][0]["text"], "m2\nline", "newest first");
    assert_eq!(page["data"][0]["author"], "Chat Member");
    assert_eq!(page["data"][0]["mine"], false);
    let next = page["nextCursor"].as_str().unwrap();
    let rest = expect(
        &get(app, &admin.creds, &format!("{msgs}?limit=2&cursor={next}")).await,
        StatusCode::OK,
    );
    assert_eq!(rest["data"][0]["text"], "m0\nline");
    for bad in [
        json!({"text": ""}),
        json!({"text": "x".repeat(4001)}),
        json!({"text": 1}),
        json!({"text": "a", "x": 1}),
    ] {
        expect_error(
            &post(app, &member.creds, &msgs, bad).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
    }
    // Raw store: the text is sealed.
    let items = partition(app, &keys::group_pk(&gid)).await;
    // Look for the whole texts (Debug escapes the newline): a two-letter probe like "m2" also
    // matches random base32 ids and sealed bytes by chance.
    let dump = format!("{items:?}");
    for i in 0..3 {
        assert!(
            !dump.contains(&format!("m{i}\\nline")),
            "chat text in clear"
        );
    }
    // Follower threads.
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &token).await;
    follow(app, &other, &token).await;
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    expect(
        &post(app, &fan.creds, &mine, json!({"text": "hi admins"})).await,
        StatusCode::CREATED,
    );
    expect_error(
        &get(app, &fan.creds, &msgs).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let threads = expect(
        &get(app, &admin.creds, &format!("/v1/groups/{gid}/threads")).await,
        StatusCode::OK,
    );
    assert_eq!(threads["data"].as_array().unwrap().len(), 1);
    assert_eq!(threads["data"][0]["id"], fid.as_str());
    let pseudonym = threads["data"][0]["pseudonym"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(pseudonym.starts_with("Follower "));
    let thread = format!("/v1/groups/{gid}/threads/{fid}/messages");
    let seen = expect(&get(app, &admin.creds, &thread).await, StatusCode::OK);
    assert_eq!(seen["data"][0]["author"], pseudonym.as_str());
    assert!(
        !seen.to_string().contains("Secret Fan"),
        "admins see the pseudonym only"
    );
    app.clock.advance(Duration::seconds(1));
    expect(
        &post(app, &admin.creds, &thread, json!({"text": "hello fan"})).await,
        StatusCode::CREATED,
    );
    let back = expect(&get(app, &fan.creds, &mine).await, StatusCode::OK);
    assert_eq!(back["data"][0]["author"], "Chat Admin");
    assert_eq!(back["data"][1]["mine"], true);
    // Other followers see nothing of it; members cannot read threads.
    let theirs = expect(&get(app, &other.creds, &mine).await, StatusCode::OK);
    assert!(theirs["data"].as_array().unwrap().is_empty());
    expect_error(
        &get(app, &other.creds, &thread).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &get(app, &member.creds, &thread).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &get(app, &member.creds, &mine).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // "mine" is its own route, never a thread id.
    let literal = expect(
        &get(
            app,
            &fan.creds,
            &format!("/v1/groups/{gid}/threads/mine/messages"),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(literal["data"].as_array().unwrap().len(), 2);
    for u in [&admin, &member, &fan, &other] {
        for p in [&admin, &member, &fan, &other] {
            if u.id != p.id {
                for r in [
                    get(app, &u.creds, &msgs).await,
                    get(app, &u.creds, &mine).await,
                ] {
                    assert!(!r.text.contains(&p.phone[2..]), "another's number");
                }
            }
        }
    }
}

/// Mute: members and followers set their own flag at USER#<uid>/MUTE#<gid>; strangers 404.
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
        let r = put(app, who, &path, json!({ "muted": muted })).await;
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
        &put(app, &stranger, &path, json!({"muted": true})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &put(app, &fan, &path, json!({"muted": "yes"})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    expect(
        &delete(app, &fan.creds, &format!("/v1/groups/{gid}/follow")).await,
        StatusCode::OK,
    );
    assert!(
        !exists(app, &keys::mute(&fan.id, &gid)).await,
        "unfollow removes the mute"
    );
}

/// Account export lists follows, mutes and own messages; deletion removes them all.
pub async fn account_covers_follows_and_messages(app: &TestApp) {
    let admin = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Acct").await);
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &token).await;
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    expect(
        &post(app, &fan.creds, &mine, json!({"text": "my words"})).await,
        StatusCode::CREATED,
    );
    expect(
        &put(
            app,
            &fan,
            &format!("/v1/groups/{gid}/mute"),
            json!({"muted": true}),
        )
        .await,
        StatusCode::OK,
    );
    let export = expect(&get(app, &fan.creds, "/v1/me/export").await, StatusCode::OK);
    let part = &export["follows"];
    assert_eq!(part["follows"][0]["followerId"], fid.as_str());
    assert_eq!(part["mutes"][0]["muted"], true);
    assert_eq!(part["messages"][0]["text"], "my words");
    let r = app
        .call(
            Method::DELETE,
            "/v1/me",
            Some(&json!({ "confirm": fan.phone }).to_string()),
            Some(&fan.creds),
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
pub async fn admin_replies_go_with_the_admin_account(app: &TestApp) {
    let admin = user(app, None).await;
    let second = user(app, None).await;
    let fan = user(app, None).await;
    let gid = id(&create_public_group(app, &admin, "Replies").await);
    let second_id = crate::groups::join(app, &admin, &gid, &second).await;
    let path = format!("/v1/groups/{gid}/members/{second_id}");
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&json!({"role": "admin"}).to_string()),
            Some(&admin.creds),
        )
        .await;
    expect(&r, StatusCode::OK);
    let (_, token) = link(app, &admin, &gid, json!({})).await;
    let fid = follow(app, &fan, &token).await;
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    expect(
        &post(app, &fan.creds, &mine, json!({"text": "question"})).await,
        StatusCode::CREATED,
    );
    let thread = format!("/v1/groups/{gid}/threads/{fid}/messages");
    expect(
        &post(app, &admin.creds, &thread, json!({"text": "the reply"})).await,
        StatusCode::CREATED,
    );

    let export = expect(
        &get(app, &admin.creds, "/v1/me/export").await,
        StatusCode::OK,
    );
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
        .call(
            Method::DELETE,
            "/v1/me",
            Some(&json!({ "confirm": admin.phone }).to_string()),
            Some(&admin.creds),
        )
        .await;
    expect(&r, StatusCode::OK);
    let seen = expect(&get(app, &second.creds, &thread).await, StatusCode::OK);
    let left: Vec<&str> = seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(left, vec!["question"], "the deleted admin's reply survived");
}

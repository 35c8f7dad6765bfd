//! Chat: the group chat of members, and the follower threads nobody else sees.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use statx_core::store::keys;

use crate::follow::*;
use crate::groups::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// Group chat for members; a follower thread nobody else sees; admins see only pseudonyms.
#[case]
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
        let r = app
            .post(
                &member.creds,
                &msgs,
                json!({ "text": format!("m{i}\nline") }),
            )
            .await;
        let j = expect(&r, StatusCode::CREATED);
        assert_eq!(j["author"], "Chat Member");
    }
    let page = expect(
        &app.get(&admin.creds, &format!("{msgs}?limit=2")).await,
        StatusCode::OK,
    );
    assert_eq!(page["data"][0]["text"], "m2\nline", "newest first");
    assert_eq!(page["data"][0]["author"], "Chat Member");
    assert_eq!(page["data"][0]["mine"], false);
    let next = page["nextCursor"].as_str().unwrap();
    let rest = expect(
        &app.get(&admin.creds, &format!("{msgs}?limit=2&cursor={next}"))
            .await,
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
            &app.post(&member.creds, &msgs, bad).await,
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
        &app.post(&fan.creds, &mine, json!({"text": "hi admins"}))
            .await,
        StatusCode::CREATED,
    );
    expect_error(
        &app.get(&fan.creds, &msgs).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let threads = expect(
        &app.list_threads(&admin.creds, &gid, "").await,
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
    let seen = expect(&app.get(&admin.creds, &thread).await, StatusCode::OK);
    assert_eq!(seen["data"][0]["author"], pseudonym.as_str());
    assert!(
        !seen.to_string().contains("Secret Fan"),
        "admins see the pseudonym only"
    );
    app.clock.advance(Duration::seconds(1));
    expect(
        &app.post(&admin.creds, &thread, json!({"text": "hello fan"}))
            .await,
        StatusCode::CREATED,
    );
    let back = expect(&app.get(&fan.creds, &mine).await, StatusCode::OK);
    assert_eq!(back["data"][0]["author"], "Chat Admin");
    assert_eq!(back["data"][1]["mine"], true);
    // Other followers see nothing of it; members cannot read threads.
    let theirs = expect(&app.get(&other.creds, &mine).await, StatusCode::OK);
    assert!(theirs["data"].as_array().unwrap().is_empty());
    expect_error(
        &app.get(&other.creds, &thread).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.get(&member.creds, &thread).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.get(&member.creds, &mine).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // "mine" is its own route, never a thread id.
    let literal = expect(
        &app.list_my_thread_messages(&fan.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(literal["data"].as_array().unwrap().len(), 2);
    for u in [&admin, &member, &fan, &other] {
        for p in [&admin, &member, &fan, &other] {
            if u.id != p.id {
                for r in [
                    app.get(&u.creds, &msgs).await,
                    app.get(&u.creds, &mine).await,
                ] {
                    assert!(!r.text.contains(&p.phone[2..]), "another's number");
                }
            }
        }
    }
}

//! Push fan-out end to end on the embedded adapters: stat changes -> the store's change feed ->
//! `notify` -> the push outbox. (On AWS the same `on_change` runs from the table's stream; the
//! stream-event path is tested in tests/tests/events.rs.)

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use statx_core::ports::store::item;
use statx_core::ports::{Cond, ItemStore, Value as V};
use statx_core::store::keys;

use crate::groups::{expect, join, user, User};
use crate::harness::app::{Kind, TestApp};
use crate::harness::case;
use crate::stats::{admin_and_group, number_stat, stat_path};

async fn device(app: &TestApp, who: &User, token: &str) -> String {
    let r = app
        .post(
            &who.creds,
            "/v1/devices",
            json!({"platform": "APNS", "token": token}),
        )
        .await;
    expect(&r, StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn outbox(app: &TestApp, device: &str) -> Vec<Value> {
    statx_local::read_push_outbox(&app.deps.config.data_dir)
        .into_iter()
        .filter(|l| l["to"] == device)
        .collect()
}

/// Wait until `device` has `n` pushes about stat `sid` (the change feed is asynchronous).
async fn await_pushes(app: &TestApp, device: &str, sid: &str, n: usize) {
    let count = || {
        outbox(app, device)
            .iter()
            .filter(|l| l["data"]["statId"] == sid)
            .count()
    };
    for _ in 0..200 {
        if count() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{device} never got push {n} about {sid}");
}

async fn set_value(app: &TestApp, who: &User, gid: &str, sid: &str, value: &str) {
    let r = app
        .put(&who.creds, &stat_path(gid, sid), json!({"value": value}))
        .await;
    expect(&r, StatusCode::OK);
}

/// Who gets a push, and what it says: members by their settings and mute, never the author,
/// never the value.
#[case(local_only)]
pub async fn stat_changes_push_by_settings_and_mute(kind: Kind) {
    let app = crate::groups::test_app(kind).await;
    let (admin, gid) = admin_and_group(&app).await;
    let member = user(&app, Some("Mo Member")).await;
    let watcher = user(&app, Some("Wat Watcher")).await;
    join(&app, &admin, &gid, &member).await;
    join(&app, &admin, &gid, &watcher).await;
    let (d_admin, d_member, d_watch) = (
        device(&app, &admin, "admin-token").await,
        device(&app, &member, "member-token").await,
        device(&app, &watcher, "watcher-token").await,
    );
    let sid = number_stat(&app, &admin, &gid, "Visitors").await;
    // After each change, a change of a sentinel stat that only the watcher is pushed about: the
    // feed is processed in order, so once the watcher has sentinel push n, change n was fully
    // processed for everyone and "no push" below is never a race.
    let sentinel = number_stat(&app, &admin, &gid, "Sentinel").await;
    let none = json!({"notify": "NONE"});
    let r = app
        .put(
            &member.creds,
            &format!("{}/settings", stat_path(&gid, &sentinel)),
            none,
        )
        .await;
    expect(&r, StatusCode::OK);
    let mut n = 0;
    macro_rules! change {
        ($value:expr) => {{
            n += 1;
            set_value(&app, &admin, &gid, &sid, $value).await;
            set_value(&app, &admin, &gid, &sentinel, &(100 + n).to_string()).await;
            await_pushes(&app, &d_watch, &sentinel, n).await;
        }};
    }

    // A value no id (base32: no 8, 9, 0 or 1), time or counter in a push can contain by chance.
    change!("42.987");
    let got = outbox(&app, &d_member);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["body"], "A stat in Stats group changed");
    assert_eq!(got[0]["data"]["groupId"], gid.as_str());
    assert_eq!(got[0]["data"]["statId"], sid.as_str());
    assert!(
        !got[0].to_string().contains("42.987"),
        "the value leaked into a push"
    );
    assert!(outbox(&app, &d_admin).is_empty(), "the author was pushed");

    let settings = format!("{}/settings", stat_path(&gid, &sid));
    let r = app
        .put(
            &member.creds,
            &settings,
            json!({"notify": "THRESHOLD", "above": 50}),
        )
        .await;
    expect(&r, StatusCode::OK);
    change!("45");
    assert_eq!(outbox(&app, &d_member).len(), 1, "below the threshold");
    change!("60");
    assert_eq!(outbox(&app, &d_member).len(), 2, "crossed the threshold");
    change!("70");
    assert_eq!(outbox(&app, &d_member).len(), 2, "already above");

    let r = app
        .put(&member.creds, &settings, json!({"notify": "NONE"}))
        .await;
    expect(&r, StatusCode::OK);
    change!("80");
    assert_eq!(outbox(&app, &d_member).len(), 2, "NONE");

    let r = app
        .put(&member.creds, &settings, json!({"notify": "ALL"}))
        .await;
    expect(&r, StatusCode::OK);
    let mute = keys::mute(&member.id, &gid);
    app.store
        .put(item(&mute, [("muted", V::Bool(true))]), Cond::None)
        .await
        .unwrap();
    change!("90");
    assert_eq!(outbox(&app, &d_member).len(), 2, "muted");
    app.store.delete(&mute, Cond::None).await.unwrap();
    change!("91");
    assert_eq!(outbox(&app, &d_member).len(), 3, "unmuted");

    // A notes-only change is no value change.
    let r = app
        .put(
            &admin.creds,
            &stat_path(&gid, &sid),
            json!({"notes": "just a note"}),
        )
        .await;
    expect(&r, StatusCode::OK);
    change!("92");
    assert_eq!(outbox(&app, &d_member).len(), 4);
    let about = |sid: &str| {
        outbox(&app, &d_watch)
            .iter()
            .filter(|l| l["data"]["statId"] == sid)
            .count()
    };
    // Eight value changes; the notes-only change pushed nobody.
    assert_eq!((about(&sid), about(&sentinel)), (8, 8));
}

/// A group chat message is pushed to the other members (never its author, never its text).
#[case(local_only)]
pub async fn chat_messages_push_to_the_others(kind: Kind) {
    let app = crate::groups::test_app(kind).await;
    let (admin, gid) = admin_and_group(&app).await;
    let member = user(&app, Some("Mo Member")).await;
    join(&app, &admin, &gid, &member).await;
    let d_admin = device(&app, &admin, "admin-token").await;
    let d_member = device(&app, &member, "member-token").await;
    let r = app
        .post(
            &member.creds,
            &format!("/v1/groups/{gid}/messages"),
            json!({"text": "secret plans for friday"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    for _ in 0..200 {
        if !outbox(&app, &d_admin).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let got = outbox(&app, &d_admin);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["body"], "New message in Stats group");
    assert_eq!(got[0]["data"]["thread"], "main");
    assert!(
        !got[0].to_string().contains("friday"),
        "the text leaked into a push"
    );
    assert!(outbox(&app, &d_member).is_empty(), "the author was pushed");
}

/// A follower thread: the follower's message goes to the admins (not to other followers, not
/// to plain members); an admin's reply goes to that follower only.
#[case(local_only)]
pub async fn follower_thread_pushes_to_the_other_side(kind: Kind) {
    use crate::follow::{create_public_group, follow, link};
    let app = crate::groups::test_app(kind).await;
    let admin = user(&app, Some("Pat Admin")).await;
    let member = user(&app, Some("Mo Member")).await;
    let fan = user(&app, Some("Fan One")).await;
    let other_fan = user(&app, Some("Fan Two")).await;
    let gid = crate::groups::id(&create_public_group(&app, &admin, "Pub").await);
    join(&app, &admin, &gid, &member).await;
    let (_, token) = link(&app, &admin, &gid, json!({})).await;
    let fid = follow(&app, &fan, &token).await;
    follow(&app, &other_fan, &token).await;
    let (d_admin, d_member, d_fan, d_other) = (
        device(&app, &admin, "admin-token").await,
        device(&app, &member, "member-token").await,
        device(&app, &fan, "fan-token").await,
        device(&app, &other_fan, "other-fan-token").await,
    );
    let mine = format!("/v1/groups/{gid}/threads/mine/messages");
    let r = app
        .post(&fan.creds, &mine, json!({"text": "hello admins"}))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let thread = format!("/v1/groups/{gid}/threads/{fid}/messages");
    let r = app
        .post(&admin.creds, &thread, json!({"text": "hello fan"}))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    // The reply is the later change: once the fan has it, both were processed.
    for _ in 0..200 {
        if !outbox(&app, &d_fan).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(outbox(&app, &d_fan).len(), 1, "the follower gets the reply");
    assert_eq!(
        outbox(&app, &d_admin).len(),
        1,
        "the admin gets the follower's message"
    );
    assert_eq!(outbox(&app, &d_admin)[0]["data"]["thread"], fid.as_str());
    assert!(
        outbox(&app, &d_member).is_empty(),
        "plain members are not in follower threads"
    );
    assert!(
        outbox(&app, &d_other).is_empty(),
        "other followers see nothing of a thread"
    );
    for line in statx_local::read_push_outbox(&app.deps.config.data_dir) {
        assert!(
            !line.to_string().contains("hello"),
            "a message text leaked into a push"
        );
    }
}

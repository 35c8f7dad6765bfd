//! Stat values: the StatX client flow, roles and limits, ETag/If-Match, search and deletion.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::ports::{ItemExt, Query};
use statx_core::store::keys;

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// What an existing StatX client does: sign in, list groups, list stats, read one, update it
/// with `{value: "42"}` and with the whole stat as read (timestamps with nanoseconds and an
/// offset), bodies without Content-Type, no Accept header; then read it back.
#[case]
pub async fn statx_client_flow(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let sid = number_stat(app, &admin, &gid, "Deals closed").await;
    let phone = crate::harness::app::unique_phone();
    let member = crate::groups::user_with(app, &phone, Some("Sam Script")).await;
    join(app, &admin, &gid, &member).await;

    // Sign in again as a fresh client, exactly as a script would.
    let creds = app.sign_in(&phone).await;
    let script = User {
        creds,
        ..member.clone()
    };
    let groups = expect(&app.list_groups(&script.creds, "").await, StatusCode::OK);
    let g = groups["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == gid.as_str())
        .unwrap();
    assert_eq!(g["name"], "Stats group");
    let stats = expect(
        &app.list_stats(&script.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(stats["data"].as_array().unwrap().len(), 1);
    let path = stat_path(&gid, &sid);
    let stat = expect(&app.get(&script.creds, &path).await, StatusCode::OK);
    assert_eq!(stat["value"], "1");

    app.clock.advance(chrono::Duration::seconds(10));
    let r = app
        .request(
            Some(&script.creds),
            Method::PUT,
            &path,
            Some(r#"{"value":"42"}"#),
        )
        .await;
    let after = expect(&r, StatusCode::OK);
    assert_eq!(after["value"], "42");
    assert_eq!(after["lastUpdatedBy"], "Sam Script");
    assert_times(&after);

    // The whole stat back, as clients send it: their own timestamps are ignored.
    let mut full = after.clone();
    full["value"] = json!("43.5");
    full["notes"] = json!("Updated from the script");
    full["lastUpdatedDateTime"] = json!("2001-01-01T12:00:00.123456789+02:00");
    full["notesLastUpdatedDateTime"] = json!("2001-01-01T12:00:00.123456789+02:00");
    full["dueDateTime"] = json!("2030-06-30T23:59:59.999999999+10:00");
    app.clock.advance(chrono::Duration::seconds(10));
    let r = app
        .request(
            Some(&script.creds),
            Method::PUT,
            &path,
            Some(&full.to_string()),
        )
        .await;
    let after2 = expect(&r, StatusCode::OK);
    assert_eq!(after2["value"], "43.5");
    assert_eq!(after2["notes"], "Updated from the script");
    assert_eq!(after2["dueDateTime"], "2030-06-30T13:59:59Z");
    let now = statx_core::domain::time::rfc3339(statx_core::ports::Clock::now(app.clock.as_ref()));
    assert_eq!(
        after2["lastUpdatedDateTime"],
        now.as_str(),
        "server time wins"
    );
    assert_eq!(after2["notesLastUpdatedDateTime"], now.as_str());
    assert_times(&after2);
    let read = expect(&app.get(&script.creds, &path).await, StatusCode::OK);
    assert_eq!(read, after2);
    // A number is accepted for value; the answer is still a string.
    let n = expect(
        &app.put(&script.creds, &path, json!({"value": 7})).await,
        StatusCode::OK,
    );
    assert_eq!(n["value"], "7");
}

#[case]
pub async fn roles_admin_only_and_limits(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, Some("Mo")).await;
    join(app, &admin, &gid, &member).await;
    let outsider = user(app, None).await;
    let sid = number_stat(app, &admin, &gid, "Open").await;
    let path = stat_path(&gid, &sid);
    // Members: values and notes yes; structure no (404, nothing written); no create/delete.
    expect(
        &app.put(&member.creds, &path, json!({"value": 5, "notes": "ok"}))
            .await,
        StatusCode::OK,
    );
    for body in [
        json!({"title": "Mine"}),
        json!({"visualType": "DIALER"}),
        json!({"adminOnly": true}),
        json!({"unit": "kg"}),
    ] {
        let before = app.store.writes();
        expect_error(
            &app.put(&member.creds, &path, body).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_eq!(app.store.writes(), before);
    }
    let before = app.store.writes();
    expect_error(
        &app.create_stat(
            &member.creds,
            &gid,
            json!({"title": "x", "visualType": "NUMBER"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.delete(&member.creds, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.get(&outsider.creds, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(app.store.writes(), before);
    // adminOnly: members read but cannot update.
    let locked = expect(
        &app.put(&admin.creds, &path, json!({"adminOnly": true}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(locked["adminOnly"], true);
    expect(&app.get(&member.creds, &path).await, StatusCode::OK);
    expect_error(
        &app.put(&member.creds, &path, json!({"value": 6})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect(
        &app.put(&admin.creds, &path, json!({"value": 6})).await,
        StatusCode::OK,
    );
    // Listing pages through the group's stats.
    for i in 1..=3 {
        number_stat(app, &admin, &gid, &format!("S{i}")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{}?limit=2&cursor={c}", stats_path(&gid)),
            None => format!("{}?limit=2", stats_path(&gid)),
        };
        let page = expect(&app.get(&member.creds, &q).await, StatusCode::OK);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone()),
        );
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    // 100 stats per group: the counter kept by the create/delete transactions says 4; make
    // it 99 (as if 95 more had been created), then one more fits and the next is refused.
    let ckey = keys::stat_count(&gid);
    let counter = app
        .deps
        .store
        .get(&ckey)
        .await
        .unwrap()
        .expect("stat counter");
    assert_eq!(counter.n("count"), Some(4));
    let set = [
        ("count".to_string(), statx_core::ports::Value::N(99)),
        (
            "version".to_string(),
            statx_core::ports::Value::N(counter.version() + 1),
        ),
    ];
    app.deps
        .store
        .update(
            &ckey,
            set.into_iter().collect(),
            &[],
            statx_core::ports::Cond::VersionIs(counter.version()),
        )
        .await
        .unwrap();
    number_stat(app, &admin, &gid, "Hundredth").await;
    let before = app.store.writes();
    let r = app
        .post(
            &admin.creds,
            &stats_path(&gid),
            json!({"title": "One too many", "visualType": "NUMBER"}),
        )
        .await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.writes(), before);
    // Deleting one frees a place.
    expect(&app.delete(&admin.creds, &path).await, StatusCode::OK);
    number_stat(app, &admin, &gid, "Fits again").await;
    let r = app
        .post(
            &admin.creds,
            &stats_path(&gid),
            json!({"title": "Full again", "visualType": "NUMBER"}),
        )
        .await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    let counter = app.deps.store.get(&ckey).await.unwrap().unwrap();
    assert_eq!(counter.n("count"), Some(100));
}

#[case]
pub async fn etag_and_if_match(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let sid = number_stat(app, &admin, &gid, "E").await;
    let path = stat_path(&gid, &sid);
    let r = app
        .request_with_headers(
            Some(&admin.creds),
            Method::PUT,
            &path,
            Some(r#"{"value":"2"}"#),
            &[("If-Match", "\"1\"")],
        )
        .await;
    expect(&r, StatusCode::OK);
    assert_eq!(r.header("etag"), Some("\"2\""));
    for stale in ["\"1\"", "W/\"1\"", "banana"] {
        let before = app.store.writes();
        let r = app
            .request_with_headers(
                Some(&admin.creds),
                Method::PUT,
                &path,
                Some(r#"{"value":"3"}"#),
                &[("If-Match", stale)],
            )
            .await;
        expect_error(&r, StatusCode::PRECONDITION_FAILED, "precondition_failed");
        assert_eq!(app.store.writes(), before);
    }
    let r = app
        .request_with_headers(
            Some(&admin.creds),
            Method::PUT,
            &path,
            Some(r#"{"value":"3"}"#),
            &[("If-Match", "*")],
        )
        .await;
    assert_eq!(expect(&r, StatusCode::OK)["version"], 3);
    let r = app
        .request_with_headers(
            Some(&admin.creds),
            Method::PUT,
            &path,
            Some(r#"{"value":"4"}"#),
            &[("if-match", "W/\"3\"")],
        )
        .await;
    assert_eq!(expect(&r, StatusCode::OK)["value"], "4");
}

#[case]
pub async fn find_stats_in_own_groups_only(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let sid = number_stat(app, &admin, &gid, "Cash").await;
    number_stat(app, &admin, &gid, "Other").await;
    // A stranger's group with the same name and a stat with the same title.
    let stranger = user(app, None).await;
    let sgid = id(&create_group(app, &stranger, "Stats group").await);
    number_stat(app, &stranger, &sgid, "Cash").await;
    let q = "/v1/stats?groupName=Stats%20group&statTitle=Cash";
    let found = expect(&app.get(&admin.creds, q).await, StatusCode::OK);
    let data = found["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{found}");
    assert_eq!(data[0]["id"], sid.as_str());
    assert_eq!(data[0]["groupId"], gid.as_str());
    assert_eq!(data[0]["groupName"], "Stats group");
    let by_group = expect(
        &app.find_stats(&admin.creds, "groupName=Stats%20group")
            .await,
        StatusCode::OK,
    );
    assert_eq!(by_group["data"].as_array().unwrap().len(), 2);
    for miss in [
        "/v1/stats?groupName=stats%20group&statTitle=Cash",
        "/v1/stats?statTitle=cash",
    ] {
        assert_eq!(
            expect(&app.get(&admin.creds, miss).await, StatusCode::OK)["data"],
            json!([]),
            "exact match: {miss}"
        );
    }
    let outsider = user(app, None).await;
    assert_eq!(
        expect(&app.get(&outsider.creds, q).await, StatusCode::OK)["data"],
        json!([])
    );
}

async fn gsi_settings(app: &TestApp, gid: &str) -> usize {
    app.deps
        .store
        .query(
            &Query::new(keys::settings_index_pk(gid))
                .index("GSI1")
                .limit(100),
        )
        .await
        .unwrap()
        .items
        .len()
}

#[case]
pub async fn deleting_stats_and_groups_leaves_nothing(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, None).await;
    join(app, &admin, &gid, &member).await;
    let keep = number_stat(app, &admin, &gid, "Keep").await;
    let gone = number_stat(app, &admin, &gid, "Gone").await;
    for sid in [&keep, &gone] {
        for v in 2..5 {
            expect(
                &app.update_stat(&member.creds, &gid, sid, json!({"value": v}))
                    .await,
                StatusCode::OK,
            );
        }
        expect(
            &app.put(
                &member.creds,
                &format!("{}/settings", stat_path(&gid, sid)),
                json!({"notify": "NONE"}),
            )
            .await,
            StatusCode::OK,
        );
        super::attachments::ready_attachment(app, &member, &gid, sid, b"hello".to_vec()).await;
    }
    let count = |items: &[statx_core::ports::Item], prefix: &str| {
        items
            .iter()
            .filter(|i| i.s("sk").unwrap().starts_with(prefix))
            .count()
    };
    let items = partition(app, &format!("GROUP#{gid}")).await;
    assert_eq!(count(&items, &format!("HIST#{gone}#")), 4);
    assert_eq!(count(&items, &format!("ATT#{gone}#")), 1);
    expect(
        &app.delete_stat(&admin.creds, &gid, &gone).await,
        StatusCode::OK,
    );
    let items = partition(app, &format!("GROUP#{gid}")).await;
    assert_eq!(count(&items, &format!("STAT#{gone}")), 0);
    assert_eq!(count(&items, &format!("HIST#{gone}#")), 0);
    assert_eq!(count(&items, &format!("ATT#{gone}#")), 0);
    assert_eq!(count(&items, &format!("HIST#{keep}#")), 4);
    let user_items = partition(app, &format!("USER#{}", member.id)).await;
    assert_eq!(
        count(&user_items, "STATSET#"),
        1,
        "only the kept stat's settings remain"
    );
    expect_error(
        &app.get_stat(&member.creds, &gid, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Deleting again is a plain 404.
    expect_error(
        &app.delete_stat(&admin.creds, &gid, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // The group: stats, history, attachments (objects too), counters and settings go.
    let att =
        super::attachments::ready_attachment(app, &member, &gid, &keep, b"bye".to_vec()).await;
    expect(&app.delete_group(&admin.creds, &gid).await, StatusCode::OK);
    crate::groups::assert_no_trace(app, &gid, &[&admin, &member], &[]).await;
    let user_items = partition(app, &format!("USER#{}", member.id)).await;
    assert_eq!(count(&user_items, "STATSET#"), 0);
    assert_eq!(gsi_settings(app, &gid).await, 0);
    let r = app.http.get(&att).send().await.unwrap();
    assert!(!r.status().is_success(), "the object outlived its group");
    let _: Value = json!(null);
}

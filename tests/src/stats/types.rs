//! Every visual type: create, read, update; invalid input refused with 400 and nothing written.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

/// (create body, update body, fields expected after the update).
fn cases() -> Vec<(Value, Value, Value)> {
    vec![
        (
            json!({"title": "Revenue", "visualType": "NUMBER", "value": "1200.50", "unit": "USD", "prefix": "$"}),
            json!({"value": 1300}),
            json!({"visualType": "NUMBER", "value": "1300", "unit": "USD", "prefix": "$"}),
        ),
        (
            json!({"title": "Progress", "visualType": "DIALER", "value": 40}),
            json!({"value": "99.5"}),
            json!({"visualType": "DIALER", "value": "99.5"}),
        ),
        (
            json!({"title": "Temperature", "visualType": "RANGE", "minValue": -10, "maxValue": "40", "value": "21"}),
            json!({"value": -10}),
            json!({"visualType": "RANGE", "value": "-10", "minValue": -10, "maxValue": 40}),
        ),
        (
            json!({"title": "Status", "visualType": "PICK_LIST", "items": [
                {"name": "On track", "color": "GREEN"}, {"name": "At risk", "color": "amber"},
                {"name": "Late", "color": "#CC0000"}], "currentIndex": 0}),
            json!({"currentIndex": 2}),
            json!({"visualType": "PICK_LIST", "value": "Late", "currentIndex": 2, "items": [
                {"name": "On track", "color": "GREEN"}, {"name": "At risk", "color": "AMBER"},
                {"name": "Late", "color": "#CC0000"}]}),
        ),
        (
            json!({"title": "By region", "visualType": "HORIZONTAL_BARS", "items": [
                {"name": "North", "value": 10, "color": "BLUE"}, {"name": "South", "value": "2.5", "color": "RED"}]}),
            json!({"items": [{"name": "North", "value": 11, "color": "BLUE"}, {"name": "South", "value": 0.25, "color": "RED"}]}),
            json!({"visualType": "HORIZONTAL_BARS", "value": "11.25", "items": [
                {"name": "North", "value": 11, "color": "BLUE"}, {"name": "South", "value": 0.25, "color": "RED"}]}),
        ),
    ]
}

fn assert_fields(got: &Value, want: &Value) {
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&got[k], v, "field {k} of {got}");
    }
}

#[case]
pub async fn every_type_create_read_update(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, Some("Mo Member")).await;
    join(app, &admin, &gid, &member).await;
    for (create, update, after) in cases() {
        let created = create_stat(app, &admin, &gid, create.clone()).await;
        assert_times(&created);
        assert_eq!(created["title"], create["title"]);
        assert_eq!(created["visualType"], create["visualType"]);
        assert_eq!(created["lastUpdatedBy"], "Ada Admin");
        assert_eq!(created["adminOnly"], false);
        assert!(created.get("notesLastUpdatedDateTime").is_none());
        let sid = id(&created);
        let path = stat_path(&gid, &sid);
        let read = app.get(&member.creds, &path).await;
        assert_eq!(
            expect(&read, StatusCode::OK),
            created,
            "read back as created"
        );
        assert_eq!(read.header("etag"), Some("\"1\""));

        app.clock.advance(chrono::Duration::seconds(5));
        let r = app.put(&member.creds, &path, update).await;
        let updated = expect(&r, StatusCode::OK);
        assert_times(&updated);
        assert_fields(&updated, &after);
        assert_eq!(updated["version"], 2);
        assert_eq!(r.header("etag"), Some("\"2\""));
        assert_eq!(updated["lastUpdatedBy"], "Mo Member");
        assert_ne!(
            updated["lastUpdatedDateTime"],
            created["lastUpdatedDateTime"]
        );
        let read = expect(&app.get(&admin.creds, &path).await, StatusCode::OK);
        assert_eq!(read, updated, "read back as updated");
        let listed = expect(
            &app.list_stats(&member.creds, &gid, "").await,
            StatusCode::OK,
        );
        assert!(listed["data"].as_array().unwrap().contains(&updated));
    }
}

#[case]
pub async fn invalid_input_is_refused_and_writes_nothing(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let bad_creates = [
        json!({"visualType": "NUMBER"}),
        json!({"title": "x"}),
        json!({"title": "", "visualType": "NUMBER"}),
        json!({"title": "t".repeat(101), "visualType": "NUMBER"}),
        json!({"title": "x", "visualType": "PIE"}),
        json!({"title": "x", "visualType": "NUMBER", "value": "12abc"}),
        json!({"title": "x", "visualType": "NUMBER", "value": true}),
        json!({"title": "x", "visualType": "NUMBER", "value": "1e9"}),
        json!({"title": "x", "visualType": "NUMBER", "notes": "n".repeat(10_001)}),
        json!({"title": "x", "visualType": "NUMBER", "minValue": 1}),
        json!({"title": "x", "visualType": "NUMBER", "bogus": 1}),
        json!({"title": "x", "visualType": "DIALER", "value": 101}),
        json!({"title": "x", "visualType": "DIALER", "value": -1}),
        json!({"title": "x", "visualType": "RANGE", "minValue": 5}),
        json!({"title": "x", "visualType": "RANGE", "minValue": 5, "maxValue": 5}),
        json!({"title": "x", "visualType": "RANGE", "minValue": 0, "maxValue": 10, "value": 11}),
        json!({"title": "x", "visualType": "PICK_LIST"}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": []}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": [{"name": "a", "color": "GREEN"}], "currentIndex": 1}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": [{"name": "a", "color": "MAUVE"}]}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": [{"name": "a"}]}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": [{"name": "a", "color": "RED"}], "value": "b"}),
        json!({"title": "x", "visualType": "PICK_LIST", "items": (0..51).map(|i| json!({"name": format!("i{i}"), "color": "RED"})).collect::<Vec<_>>()}),
        json!({"title": "x", "visualType": "HORIZONTAL_BARS", "items": [{"name": "a", "color": "RED"}]}),
        json!({"title": "x", "visualType": "HORIZONTAL_BARS", "items": [{"name": "a", "color": "RED", "value": "lots"}]}),
        json!({"title": "x", "visualType": "NUMBER", "dueDateTime": "tomorrow"}),
    ];
    for body in bad_creates {
        let before = app.store.writes();
        let r = app
            .post(&admin.creds, &stats_path(&gid), body.clone())
            .await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(app.store.writes(), before, "{body} wrote");
    }
    for raw in ["", "[]", "{not json", "\"x\""] {
        let before = app.store.writes();
        let r = app
            .request(
                Some(&admin.creds),
                reqwest::Method::POST,
                &stats_path(&gid),
                Some(raw),
            )
            .await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(app.store.writes(), before);
    }
    // Updates: one stat of each type, each refused change writes nothing.
    let mut bad_updates = Vec::new();
    for (create, _, _) in cases() {
        let s = create_stat(app, &admin, &gid, create).await;
        let visual = s["visualType"].as_str().unwrap().to_string();
        let path = stat_path(&gid, &id(&s));
        let mut list = vec![
            json!({"title": ""}),
            json!({"unknown": 1}),
            json!({"visualType": "NOPE"}),
        ];
        match visual.as_str() {
            "NUMBER" => list.extend([
                json!({"value": "abc"}),
                json!({"items": [{"name": "a", "color": "RED"}]}),
            ]),
            "DIALER" => list.extend([json!({"value": 100.5}), json!({"currentIndex": 0})]),
            "RANGE" => list.extend([
                json!({"value": 41}),
                json!({"minValue": 30}),
                json!({"unit": "kg"}),
            ]),
            "PICK_LIST" => list.extend([
                json!({"currentIndex": 3}),
                json!({"currentIndex": -1}),
                json!({"value": "Nope"}),
            ]),
            _ => list.extend([json!({"items": []}), json!({"minValue": 0})]),
        }
        for body in list {
            bad_updates.push((path.clone(), body));
        }
    }
    for (path, body) in bad_updates {
        let before = app.store.writes();
        let r = app.put(&admin.creds, &path, body.clone()).await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            !r.text.contains("abc") && !r.text.contains("Nope"),
            "error echoes input: {}",
            r.text
        );
        assert_eq!(app.store.writes(), before, "{path} {body} wrote");
    }
}

#[case]
pub async fn type_change_and_merge_rules(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let s = create_stat(
        app,
        &admin,
        &gid,
        json!({"title": "T", "visualType": "NUMBER", "value": 50, "unit": "%"}),
    )
    .await;
    let path = stat_path(&gid, &id(&s));
    // NUMBER -> DIALER keeps a value that fits and drops NUMBER-only fields.
    let d = expect(
        &app.put(&admin.creds, &path, json!({"visualType": "DIALER"}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(
        (d["visualType"].as_str(), d["value"].as_str()),
        (Some("DIALER"), Some("50"))
    );
    assert!(d.get("unit").is_none());
    // -> PICK_LIST needs items; selecting by name.
    let before = app.store.writes();
    expect_error(
        &app.put(&admin.creds, &path, json!({"visualType": "PICK_LIST"}))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert_eq!(app.store.writes(), before);
    let p = expect(&app.put(&admin.creds, &path, json!({"visualType": "PICK_LIST",
        "items": [{"name": "Yes", "color": "GREEN"}, {"name": "No", "color": "RED"}], "value": "No"})).await, StatusCode::OK);
    assert_eq!(
        (p["value"].as_str(), p["currentIndex"].as_i64()),
        (Some("No"), Some(1))
    );
    // Notes only: notes time moves, value time does not, no history entry.
    app.clock.advance(chrono::Duration::seconds(3));
    let n = expect(
        &app.put(&admin.creds, &path, json!({"notes": "Line one\nLine two"}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(n["notes"], "Line one\nLine two");
    assert_eq!(n["lastUpdatedDateTime"], p["lastUpdatedDateTime"]);
    assert_ne!(n["notesLastUpdatedDateTime"], Value::Null);
    // The same value again: nothing changes, nothing is written.
    let before = app.store.writes();
    let same = expect(
        &app.put(&admin.creds, &path, json!({"value": "No"})).await,
        StatusCode::OK,
    );
    assert_eq!(same, n);
    assert_eq!(app.store.writes(), before);
    // Due dates: any offset and fraction in, UTC seconds out; null clears.
    let due = expect(
        &app.put(
            &admin.creds,
            &path,
            json!({"dueDateTime": "2027-03-01T09:30:00.123456789-05:00"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(due["dueDateTime"], "2027-03-01T14:30:00Z");
    let cleared = expect(
        &app.put(&admin.creds, &path, json!({"dueDateTime": null}))
            .await,
        StatusCode::OK,
    );
    assert!(cleared.get("dueDateTime").is_none());
    let history = expect(
        &app.get(&admin.creds, &format!("{path}/history")).await,
        StatusCode::OK,
    );
    let values: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        values,
        ["No", "50"],
        "history: the value changes only, newest first"
    );
}

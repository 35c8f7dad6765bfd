//! 50 concurrent PUTs of different fields and values without If-Match: every one is accepted
//! (merged onto the latest version, never lost), every value change is in the history, and the
//! final state equals the last accepted write (the response with the highest version).

use std::collections::BTreeSet;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

#[case]
pub async fn fifty_concurrent_puts_lose_nothing(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, Some("Racer")).await;
    join(app, &admin, &gid, &member).await;
    let sid = number_stat(app, &admin, &gid, "Race").await;
    let path = stat_path(&gid, &sid);
    let bodies: Vec<Value> = (0..50)
        .map(|i| match i % 3 {
            0 => json!({"value": format!("{}", 100 + i)}),
            1 => json!({"notes": format!("note {i}")}),
            _ => json!({"value": 100 + i, "notes": format!("both {i}")}),
        })
        .collect();
    let responses = join_all(bodies.iter().enumerate().map(|(i, b)| {
        let who = if i % 2 == 0 { &admin } else { &member };
        app.put(&who.creds, &path, b.clone())
    }))
    .await;
    let mut accepted = Vec::new();
    for r in &responses {
        accepted.push(expect(r, StatusCode::OK));
    }
    // Every write got its own version: 2..=51.
    let versions: BTreeSet<i64> = accepted
        .iter()
        .map(|a| a["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, (2..=51).collect::<BTreeSet<i64>>());
    let last = accepted
        .iter()
        .max_by_key(|a| a["version"].as_i64().unwrap())
        .unwrap();
    let final_state = expect(&app.get(&admin.creds, &path).await, StatusCode::OK);
    assert_eq!(&final_state, last, "final state = last accepted write");
    // Each response reflects its own change.
    for (b, a) in bodies.iter().zip(&accepted) {
        if let Some(v) = b.get("value") {
            assert_eq!(a["value"], json!(v.to_string().trim_matches('"')));
        }
        if let Some(n) = b.get("notes") {
            assert_eq!(&a["notes"], n);
        }
    }
    // History: the initial value plus one entry per accepted value change, each with the
    // version and value its write produced, newest first.
    let hist = expect(
        &app.get(&admin.creds, &format!("{path}/history?limit=100"))
            .await,
        StatusCode::OK,
    );
    let entries = hist["data"].as_array().unwrap();
    let value_writes: Vec<&Value> = bodies
        .iter()
        .zip(&accepted)
        .filter(|(b, _)| b.get("value").is_some())
        .map(|(_, a)| a)
        .collect();
    assert_eq!(entries.len(), value_writes.len() + 1);
    for a in &value_writes {
        let e = entries
            .iter()
            .find(|e| e["version"] == a["version"])
            .unwrap_or_else(|| panic!("accepted write v{} is not in history", a["version"]));
        assert_eq!(e["value"], a["value"]);
    }
    let hv: Vec<i64> = entries
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    let mut sorted = hv.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(hv, sorted, "newest first");
    assert_eq!(entries[0]["value"], final_state["value"]);
}

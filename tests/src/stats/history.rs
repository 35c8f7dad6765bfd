//! The history of a stat: every value change, newest first, paged.

use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

#[case]
pub async fn history_newest_first_with_pagination(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, Some("Hal")).await;
    join(app, &admin, &gid, &member).await;
    let s = create_stat(
        app,
        &admin,
        &gid,
        json!({"title": "H", "visualType": "PICK_LIST",
        "items": [{"name": "A", "color": "RED"}, {"name": "B", "color": "GREEN"}]}),
    )
    .await;
    let path = stat_path(&gid, &id(&s));
    let mut times = vec![s["lastUpdatedDateTime"].as_str().unwrap().to_string()];
    for i in 1..=7 {
        app.clock.advance(chrono::Duration::minutes(1));
        let who = if i % 2 == 0 { &admin } else { &member };
        let u = expect(
            &app.put(&who.creds, &path, json!({"currentIndex": i % 2}))
                .await,
            StatusCode::OK,
        );
        times.push(u["lastUpdatedDateTime"].as_str().unwrap().to_string());
    }
    let all = expect(
        &app.get(&admin.creds, &format!("{path}/history?limit=100"))
            .await,
        StatusCode::OK,
    );
    let data = all["data"].as_array().unwrap();
    assert_eq!(data.len(), 8);
    let ats: Vec<&str> = data.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut newest_first: Vec<&str> = times.iter().map(String::as_str).collect();
    newest_first.reverse();
    assert_eq!(ats, newest_first);
    assert_eq!(data[0]["value"], "B");
    assert_eq!(data[0]["currentIndex"], 1);
    assert_eq!(data[0]["by"], "Hal");
    assert_eq!(data[1]["by"], "Ada Admin");
    assert_eq!(data[0]["items"], s["items"]);
    // Pages of 3: 3 + 3 + 2, same entries in the same order.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{path}/history?limit=3&cursor={c}"),
            None => format!("{path}/history?limit=3"),
        };
        let p = expect(&app.get(&member.creds, &q).await, StatusCode::OK);
        paged.extend(p["data"].as_array().unwrap().clone());
        match p["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(&paged, data);
    // A window [from, to]: the 2nd..4th changes.
    let (from, to) = (&times[1], &times[3]);
    let w = expect(
        &app.get(&admin.creds, &format!("{path}/history?from={from}&to={to}"))
            .await,
        StatusCode::OK,
    );
    let wa: Vec<&str> = w["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert_eq!(
        wa,
        [times[3].as_str(), times[2].as_str(), times[1].as_str()]
    );
    // A cursor does not continue another window; bad times are refused.
    let p = expect(
        &app.get(&admin.creds, &format!("{path}/history?limit=1"))
            .await,
        StatusCode::OK,
    );
    let c = p["nextCursor"].as_str().unwrap();
    expect_error(
        &app.get(
            &admin.creds,
            &format!("{path}/history?limit=1&from={from}&cursor={c}"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    expect_error(
        &app.get(&admin.creds, &format!("{path}/history?from=yesterday"))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    expect_error(
        &app.get(&admin.creds, &format!("{path}/history?from={to}&to={from}"))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
}

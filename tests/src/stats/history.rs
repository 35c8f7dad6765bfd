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

/// Any instant a client can send is a valid bound: far-future `to` (history keys hold 13-digit
/// milliseconds, up to the year 2286) and pre-1970 `from` are clamped, never a 500 or an empty
/// page; a reversed range is a 400 that says so.
#[case]
pub async fn history_bounds_at_the_edges_of_time(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let s = create_stat(
        app,
        &admin,
        &gid,
        json!({"title": "T", "visualType": "NUMBER"}),
    )
    .await;
    let path = stat_path(&gid, &id(&s));
    app.clock.advance(chrono::Duration::minutes(1));
    expect(
        &app.put(&admin.creds, &path, json!({"value": "5"})).await,
        StatusCode::OK,
    );
    let now = s["lastUpdatedDateTime"].as_str().unwrap().to_string();
    let count = |r: &serde_json::Value| r["data"].as_array().map_or(0, Vec::len);
    for query in [
        format!("from={now}&to=2361-05-06T04:30:27Z"),
        "to=6903-01-01T00:00:00Z".to_string(),
        "to=9999-12-31T23:59:59Z".to_string(),
        "from=1900-01-01T00:00:00Z".to_string(),
        "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z".to_string(),
    ] {
        let r = expect(
            &app.get(&admin.creds, &format!("{path}/history?{query}"))
                .await,
            StatusCode::OK,
        );
        assert_eq!(count(&r), 2, "{query}: {r}");
    }
    for query in [
        "from=2361-05-06T04:30:27Z&to=9999-12-31T23:59:59Z",
        "to=1900-01-01T00:00:00Z",
    ] {
        let r = expect(
            &app.get(&admin.creds, &format!("{path}/history?{query}"))
                .await,
            StatusCode::OK,
        );
        assert_eq!(count(&r), 0, "{query}: {r}");
    }
    let r = app
        .get(
            &admin.creds,
            &format!("{path}/history?from=2361-05-06T04:30:27Z&to={now}"),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        r.text.contains("from must not be later than to"),
        "{}",
        r.text
    );
    // A cursor continues only the range it came from: an unbounded page's cursor is not one of
    // `to=1970-01-01T00:00:00Z` (both once wrote their missing/zero bound as 0).
    let first = expect(
        &app.get(&admin.creds, &format!("{path}/history?limit=1"))
            .await,
        StatusCode::OK,
    );
    let c = first["nextCursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let r = app
        .get(
            &admin.creds,
            &format!("{path}/history?limit=1&to=1970-01-01T00:00:00Z&cursor={c}"),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

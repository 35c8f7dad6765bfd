//! Sessions: the clients of an account, listed and revoked; expiry and the cap per account.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::app::{unique_phone, Creds, Kind, TestApp};
use crate::harness::case;
use crate::harness::logs;

pub async fn clients(app: &TestApp, c: &Creds) -> Vec<Value> {
    let r = app
        .request(Some(c), Method::GET, "/v1/me/clients", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"].as_array().unwrap().clone()
}

/// List, revoke from another client, unknown ids, lastUsedAt granularity.
#[case]
pub async fn sessions_list_and_revoke(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let a = app.sign_in(&phone).await;
    let b = app.sign_in(&phone).await;
    let list = clients(&app, &a).await;
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list.iter().filter(|c| c["current"] == true).count(), 1);
    for c in &list {
        assert_eq!(c["clientName"], "test suite");
        for f in ["id", "createdAt", "lastUsedAt"] {
            assert!(c[f].as_str().is_some_and(|s| !s.is_empty()), "{c}");
        }
        let text = c.to_string();
        assert!(
            !text.contains(&a.api_key) && !text.contains(&b.api_key),
            "API key listed"
        );
    }
    let b_id = list.iter().find(|c| c["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Someone else cannot revoke it: 404 like an unknown id.
    let other = app.sign_in(&unique_phone()).await;
    let path = format!("/v1/me/clients/{b_id}");
    let r = app.request(Some(&other), Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let unknown = app
        .request(
            Some(&a),
            Method::DELETE,
            "/v1/me/clients/nosuchclient",
            None,
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.text.clone()),
        (r.status, r.text.clone())
    );
    assert_eq!(app.get_me(&b).await.status, StatusCode::OK);

    let r = app.request(Some(&a), Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get_me(&b).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_me(&a).await.status, StatusCode::OK);
    assert_eq!(clients(&app, &a).await.len(), 1);

    // lastUsedAt moves at most once an hour, and only when used.
    let first = clients(&app, &a).await[0]["lastUsedAt"].clone();
    app.clock.advance(Duration::minutes(30));
    assert_eq!(clients(&app, &a).await[0]["lastUsedAt"], first);
    app.clock.advance(Duration::minutes(31));
    assert_ne!(clients(&app, &a).await[0]["lastUsedAt"], first);

    // Logout revokes the calling client.
    let r = app.logout(&a, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get_me(&a).await.status, StatusCode::UNAUTHORIZED);
    logs::assert_absent(&[&phone, &a.auth_token, &b.auth_token]);
}

/// Idle expiry, absolute expiry, and the cap on live clients.
#[case]
pub async fn sessions_expire_and_are_capped(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.max_clients = 3).await;
    let phone = unique_phone();
    let idle = app.sign_in(&phone).await;
    let busy = app.sign_in(&phone).await;
    let days = |d| app.clock.advance(Duration::days(d));
    days(29);
    assert_eq!(
        app.get_me(&idle).await.status,
        StatusCode::OK,
        "29 days idle is fine"
    );
    assert_eq!(app.get_me(&busy).await.status, StatusCode::OK);
    days(20);
    assert_eq!(app.get_me(&busy).await.status, StatusCode::OK);
    days(11);
    assert_eq!(app.get_me(&busy).await.status, StatusCode::OK);
    // 31 days after its last use, the idle one is signed out.
    assert_eq!(app.get_me(&idle).await.status, StatusCode::UNAUTHORIZED);
    for _ in 0..5 {
        days(20);
        assert_eq!(app.get_me(&busy).await.status, StatusCode::OK);
    }
    // 180 days after sign-in the busy one dies too, although used every 20 days.
    days(19);
    assert_eq!(app.get_me(&busy).await.status, StatusCode::OK, "day 179");
    app.clock.advance(Duration::days(2));
    assert_eq!(app.get_me(&busy).await.status, StatusCode::UNAUTHORIZED);

    let creds: Vec<Creds> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(app.sign_in(&phone).await);
        }
        v
    };
    assert_eq!(
        app.get_me(&creds[0]).await.status,
        StatusCode::UNAUTHORIZED,
        "oldest not evicted"
    );
    for c in &creds[1..] {
        assert_eq!(app.get_me(c).await.status, StatusCode::OK);
    }
    assert_eq!(clients(&app, &creds[3]).await.len(), 3);
}

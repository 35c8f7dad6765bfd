//! Export and deletion of the account itself: profile, clients, devices; each case builds
//! its own `TestApp` on the backend it is given.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::account::PARTS;

use crate::harness::app::{unique_phone, Kind, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// Export holds the caller's own data and every registered part.
#[case]
pub async fn export_has_everything(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let c = app.sign_in(&phone).await;
    app.request(
        Some(&c),
        Method::PATCH,
        "/v1/me",
        Some(r#"{"displayName":"Grace"}"#),
    )
    .await;
    let r = app
        .request(Some(&c), Method::GET, "/v1/me/export", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let e = r.json();
    assert_eq!(e["profile"]["phoneNumber"], phone);
    assert_eq!(e["profile"]["displayName"], "Grace");
    assert_eq!(e["clients"].as_array().unwrap().len(), 1);
    for part in PARTS {
        assert!(e.get(part.name).is_some(), "export lacks {}", part.name);
    }
}

/// Deletion: confirm required, everything gone, old credentials dead, the number starts fresh.
#[case]
pub async fn account_deletion(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let a = app.sign_in(&phone).await;
    let b = app.sign_in(&phone).await;
    app.request(
        Some(&a),
        Method::PATCH,
        "/v1/me",
        Some(r#"{"displayName":"Old me"}"#),
    )
    .await;
    let old_id = app.get_me(&a).await.json()["id"].clone();

    let before = app.store.writes();
    for body in [
        json!({}),
        json!({"confirm": unique_phone()}),
        json!({"confirm": "garbage"}),
    ] {
        let r = app
            .request(Some(&a), Method::DELETE, "/v1/me", Some(&body.to_string()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
    assert_eq!(app.store.writes(), before);

    let r = app
        .request(
            Some(&a),
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": phone}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let deleted = &r.json()["deleted"];
    assert_eq!(deleted["profile"], true);
    assert_eq!(deleted["clients"], 2);
    for part in PARTS {
        assert!(
            deleted.get(part.name).is_some(),
            "summary lacks {}",
            part.name
        );
    }
    assert_eq!(app.get_me(&a).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_me(&b).await.status, StatusCode::UNAUTHORIZED);

    let fresh = app.sign_in(&phone).await;
    let e = app
        .request(Some(&fresh), Method::GET, "/v1/me/export", None)
        .await
        .json();
    assert_ne!(e["profile"]["id"], old_id);
    assert_eq!(e["profile"]["displayName"], Value::Null);
    assert_eq!(e["clients"].as_array().unwrap().len(), 1);
    assert!(!e.to_string().contains("Old me"));
    logs::assert_absent(&[&phone, &a.auth_token]);
}

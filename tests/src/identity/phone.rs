//! Changing the phone number of an account.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::app::{unique_phone, Kind, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// Phone change: code to the new number, identity moves atomically, other clients die, the
/// old number is free, a taken number fails like a wrong code.
#[case]
pub async fn phone_change(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let (old, new) = (unique_phone(), unique_phone());
    let a1 = app.sign_in(&old).await;
    let a2 = app.sign_in(&old).await;
    let id = app.get_me(&a1).await.json()["id"].clone();

    let same = app
        .post(&a1, "/v1/me/phone", json!({"phoneNumber": old}))
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    let r = app
        .post(&a1, "/v1/me/phone", json!({"phoneNumber": new}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.json()["phoneNumber"], new);
    let code = app.code_for(&new).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let bad = app
        .post(
            &a1,
            "/v1/me/phone/verify",
            json!({"verificationCode": wrong}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_me(&a1).await.json()["phoneNumber"], old);

    let ok = app
        .post(
            &a1,
            "/v1/me/phone/verify",
            json!({"verificationCode": code}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.json()["phoneNumber"], new);
    assert_eq!(app.get_me(&a1).await.json()["phoneNumber"], new);
    assert_eq!(
        app.get_me(&a2).await.status,
        StatusCode::UNAUTHORIZED,
        "other client survived"
    );
    let reused = app
        .post(
            &a1,
            "/v1/me/phone/verify",
            json!({"verificationCode": code}),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);

    // The new number signs in to the same account; the old one is free for a new account.
    let via_new = app.sign_in(&new).await;
    assert_eq!(app.get_me(&via_new).await.json()["id"], id);
    let via_old = app.sign_in(&old).await;
    assert_ne!(app.get_me(&via_old).await.json()["id"], id);

    // Moving onto a number another account holds fails like a wrong code and changes nothing.
    app.after_cooldown();
    let r = app
        .post(&via_old, "/v1/me/phone", json!({"phoneNumber": new}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let code = app.code_for(&new).await;
    let taken = app
        .post(
            &via_old,
            "/v1/me/phone/verify",
            json!({"verificationCode": code}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNAUTHORIZED);
    assert_eq!(taken.text, bad.text);
    assert_eq!(app.get_me(&via_old).await.json()["phoneNumber"], old);
    assert_eq!(app.get_me(&via_new).await.json()["phoneNumber"], new);
    logs::assert_absent(&[&old, &new, &code, &a1.auth_token]);
}

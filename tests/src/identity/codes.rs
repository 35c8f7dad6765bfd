//! Verification codes: tries, expiry, single use, replacement by a new login.

use reqwest::StatusCode;

use super::{assert_error, other_code, test_app};
use crate::harness::app::{unique_phone, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// Five wrong codes kill the code: the right one fails afterwards.
#[case]
pub async fn wrong_code_five_times_kills_it(app: &TestApp) {
    let phone = unique_phone();
    let (client_id, code) = app.request_code(&phone).await;
    let wrong = other_code(&code);
    for _ in 0..5 {
        assert_error(
            &app.verify(&phone, &client_id, &wrong).await,
            StatusCode::UNAUTHORIZED,
            "invalid_code",
        );
    }
    let dead = app.verify(&phone, &client_id, &code).await;
    assert_error(&dead, StatusCode::UNAUTHORIZED, "invalid_code");
    logs::assert_absent(&[&phone, &code]);
}

/// Four wrong codes still leave the right one usable.
#[case]
pub async fn four_wrong_codes_then_right_one_works(app: &TestApp) {
    let phone = unique_phone();
    let (client_id, code) = app.request_code(&phone).await;
    for _ in 0..4 {
        let r = app.verify(&phone, &client_id, &other_code(&code)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.verify(&phone, &client_id, &code).await.status,
        StatusCode::CREATED
    );
}

/// A code is valid for 10 minutes (injected clock).
#[case]
pub async fn expired_code_fails(app: &TestApp) {
    let phone = unique_phone();
    let (client_id, code) = app.request_code(&phone).await;
    app.clock.advance(chrono::Duration::seconds(600));
    let r = app.verify(&phone, &client_id, &code).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_code");

    // Just inside the window it works.
    app.after_cooldown();
    let (client_id, code) = app.request_code(&phone).await;
    app.clock.advance(chrono::Duration::seconds(599));
    assert_eq!(
        app.verify(&phone, &client_id, &code).await.status,
        StatusCode::CREATED
    );
}

/// A code works once.
#[case]
pub async fn reused_code_fails(app: &TestApp) {
    let phone = unique_phone();
    let (client_id, code) = app.request_code(&phone).await;
    assert_eq!(
        app.verify(&phone, &client_id, &code).await.status,
        StatusCode::CREATED
    );
    let again = app.verify(&phone, &client_id, &code).await;
    assert_error(&again, StatusCode::UNAUTHORIZED, "invalid_code");
}

/// Many concurrent verifications of one right code: exactly one succeeds.
#[case]
pub async fn concurrent_redeem_is_single_use(app: &TestApp) {
    let phone = unique_phone();
    let (client_id, code) = app.request_code(&phone).await;
    let tries = (0..10).map(|_| app.verify(&phone, &client_id, &code));
    let results = futures::future::join_all(tries).await;
    let ok = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(results
        .iter()
        .all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::UNAUTHORIZED));
}

/// A second login replaces the first code.
#[case]
pub async fn second_login_invalidates_first_code(app: &TestApp) {
    let phone = unique_phone();
    let (first, first_code) = app.request_code(&phone).await;
    app.after_cooldown();
    let (second, second_code) = app.request_code(&phone).await;
    assert_eq!(app.sms_to(&phone).await.len(), 2);
    assert_error(
        &app.verify(&phone, &first, &first_code).await,
        StatusCode::UNAUTHORIZED,
        "invalid_code",
    );
    assert_eq!(
        app.verify(&phone, &second, &second_code).await.status,
        StatusCode::CREATED
    );
}

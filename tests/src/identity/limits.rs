//! The abuse limits of sign-in: SMS cooldown and caps per number and per IP, the SMS circuit
//! breaker, concurrent logins, numbers that get no SMS.

use std::collections::BTreeSet;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;

use super::{client_id, retry_after};
use crate::harness::app::{unique_phone, Kind, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// Cooldown, then the hourly and daily caps per number; each refusal is a 429 with
/// Retry-After and no SMS; the windows reset with the clock.
#[case]
pub async fn per_number_limits(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    client_id(&app.login(&phone).await);
    let again = app.login(&phone).await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        again.text
    );
    assert!((1..=30).contains(&retry_after(&again)));
    assert_eq!(again.json()["error"]["code"], "too_many_requests");
    assert_eq!(
        app.sms_to(&phone).await.len(),
        1,
        "a refused login sent an SMS"
    );

    for n in 2..=5 {
        app.after_cooldown();
        client_id(&app.login(&phone).await);
        assert_eq!(app.sms_to(&phone).await.len(), n);
    }
    app.after_cooldown();
    let capped = app.login(&phone).await;
    assert_eq!(
        capped.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        capped.text
    );
    assert!(retry_after(&capped) <= 3600);
    assert_eq!(app.sms_to(&phone).await.len(), 5);

    // Next hour: five more, then the daily cap (10) holds.
    app.clock.advance(Duration::hours(1));
    for n in 6..=10 {
        app.after_cooldown();
        client_id(&app.login(&phone).await);
        assert_eq!(app.sms_to(&phone).await.len(), n);
    }
    app.clock.advance(Duration::hours(1));
    let daily = app.login(&phone).await;
    assert_eq!(
        daily.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        daily.text
    );
    assert_eq!(app.sms_to(&phone).await.len(), 10);

    // The counters expire with their window.
    app.clock.advance(Duration::days(1));
    client_id(&app.login(&phone).await);
    assert_eq!(app.sms_to(&phone).await.len(), 11);
    logs::assert_absent(&[&phone]);
}

/// Per source IP: at most N logins per hour, whatever the numbers.
#[case]
pub async fn per_ip_limit(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.logins_per_ip_hour = 3).await;
    for _ in 0..3 {
        client_id(&app.login(&unique_phone()).await);
    }
    let phone = unique_phone();
    let refused = app.login(&phone).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    retry_after(&refused);
    assert!(app.sms_to(&phone).await.is_empty());
    app.clock.advance(Duration::hours(1));
    client_id(&app.login(&phone).await);
}

/// The global breaker: past N SMS a minute, logins get 503 + Retry-After and nothing is sent.
#[case]
pub async fn sms_circuit_breaker(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.sms_per_minute = 2).await;
    for _ in 0..2 {
        client_id(&app.login(&unique_phone()).await);
    }
    let phone = unique_phone();
    let open = app.login(&phone).await;
    assert_eq!(
        open.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        open.text
    );
    assert_eq!(open.json()["error"]["code"], "sms_unavailable");
    assert!((1..=60).contains(&retry_after(&open)));
    assert!(app.sms_to(&phone).await.is_empty());
    app.clock.advance(Duration::seconds(60));
    app.after_cooldown();
    client_id(&app.login(&phone).await);
    assert_eq!(app.sms_to(&phone).await.len(), 1);
}

/// 20 logins for one number at once: exactly one SMS goes out, the rest are throttled.
#[case]
pub async fn concurrent_logins_send_one_sms(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let results = futures::future::join_all((0..20).map(|_| app.login(&phone))).await;
    let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::CREATED || *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(app.sms_to(&phone).await.len(), 1);
}

/// Numbers outside the allowlist, and premium-rate ones, get the normal 201 and no SMS.
#[case]
pub async fn disallowed_numbers_get_no_sms(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let allowed = app.login(&unique_phone()).await;
    for number in ["+79123456789", "+19005551234", "+18005551234"] {
        let r = app.login(number).await;
        assert_eq!(r.status, StatusCode::CREATED, "{number}: {}", r.text);
        assert_eq!(r.json()["phoneNumber"], number);
        let keys = |v: &Value| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(&r.json()), keys(&allowed.json()));
        assert!(app.sms_to(number).await.is_empty(), "{number} got an SMS");
    }
    // The allowlist is configuration.
    let app = TestApp::new(kind, |c| c.limits.sms_countries = vec!["RU".into()]).await;
    client_id(&app.login("+79123456789").await);
    assert_eq!(app.sms_to("+79123456789").await.len(), 1);
    let us = unique_phone();
    client_id(&app.login(&us).await);
    assert!(app.sms_to(&us).await.is_empty());
}

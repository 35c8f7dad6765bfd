//! Issue 4 suites: SMS abuse limits, sessions, phone change, export and deletion. Each case
//! builds its own `TestApp` (some need tighter limits) on the backend it is given, so the same
//! suite runs on the embedded adapters and on moto_server (tests/tests/account_*.rs).

use std::collections::BTreeSet;

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::account::PARTS;

use crate::app::{unique_phone, Creds, Kind, Resp, TestApp};
use crate::logs;

fn retry_after(r: &Resp) -> u64 {
    r.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {}: {}", r.status, r.text))
}

fn client_id(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["clientId"].as_str().unwrap().to_string()
}

async fn me(app: &TestApp, c: &Creds) -> Resp {
    app.call(Method::GET, "/v1/me", None, Some(c)).await
}

/// Cooldown, then the hourly and daily caps per number; each refusal is a 429 with
/// Retry-After and no SMS; the windows reset with the clock.
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

async fn clients(app: &TestApp, c: &Creds) -> Vec<Value> {
    let r = app.call(Method::GET, "/v1/me/clients", None, Some(c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"].as_array().unwrap().clone()
}

/// List, revoke from another client, unknown ids, lastUsedAt granularity.
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
    let r = app.call(Method::DELETE, &path, None, Some(&other)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let unknown = app
        .call(
            Method::DELETE,
            "/v1/me/clients/nosuchclient",
            None,
            Some(&a),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.text.clone()),
        (r.status, r.text.clone())
    );
    assert_eq!(me(&app, &b).await.status, StatusCode::OK);

    let r = app.call(Method::DELETE, &path, None, Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(me(&app, &b).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &a).await.status, StatusCode::OK);
    assert_eq!(clients(&app, &a).await.len(), 1);

    // lastUsedAt moves at most once an hour, and only when used.
    let first = clients(&app, &a).await[0]["lastUsedAt"].clone();
    app.clock.advance(Duration::minutes(30));
    assert_eq!(clients(&app, &a).await[0]["lastUsedAt"], first);
    app.clock.advance(Duration::minutes(31));
    assert_ne!(clients(&app, &a).await[0]["lastUsedAt"], first);

    // Logout revokes the calling client.
    let r = app.post("/v1/auth/logout", &json!({}), Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(me(&app, &a).await.status, StatusCode::UNAUTHORIZED);
    logs::assert_absent(&[&phone, &a.auth_token, &b.auth_token]);
}

/// Idle expiry, absolute expiry, and the cap on live clients.
pub async fn sessions_expire_and_are_capped(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.max_clients = 3).await;
    let phone = unique_phone();
    let idle = app.sign_in(&phone).await;
    let busy = app.sign_in(&phone).await;
    let days = |d| app.clock.advance(Duration::days(d));
    days(29);
    assert_eq!(
        me(&app, &idle).await.status,
        StatusCode::OK,
        "29 days idle is fine"
    );
    assert_eq!(me(&app, &busy).await.status, StatusCode::OK);
    days(20);
    assert_eq!(me(&app, &busy).await.status, StatusCode::OK);
    days(11);
    assert_eq!(me(&app, &busy).await.status, StatusCode::OK);
    // 31 days after its last use, the idle one is signed out.
    assert_eq!(me(&app, &idle).await.status, StatusCode::UNAUTHORIZED);
    for _ in 0..5 {
        days(20);
        assert_eq!(me(&app, &busy).await.status, StatusCode::OK);
    }
    // 180 days after sign-in the busy one dies too, although used every 20 days.
    days(19);
    assert_eq!(me(&app, &busy).await.status, StatusCode::OK, "day 179");
    app.clock.advance(Duration::days(2));
    assert_eq!(me(&app, &busy).await.status, StatusCode::UNAUTHORIZED);

    let creds: Vec<Creds> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(app.sign_in(&phone).await);
        }
        v
    };
    assert_eq!(
        me(&app, &creds[0]).await.status,
        StatusCode::UNAUTHORIZED,
        "oldest not evicted"
    );
    for c in &creds[1..] {
        assert_eq!(me(&app, c).await.status, StatusCode::OK);
    }
    assert_eq!(clients(&app, &creds[3]).await.len(), 3);
}

/// Phone change: code to the new number, identity moves atomically, other clients die, the
/// old number is free, a taken number fails like a wrong code.
pub async fn phone_change(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let (old, new) = (unique_phone(), unique_phone());
    let a1 = app.sign_in(&old).await;
    let a2 = app.sign_in(&old).await;
    let id = me(&app, &a1).await.json()["id"].clone();

    let same = app
        .post("/v1/me/phone", &json!({"phoneNumber": old}), Some(&a1))
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    let r = app
        .post("/v1/me/phone", &json!({"phoneNumber": new}), Some(&a1))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.json()["phoneNumber"], new);
    let code = app.code_for(&new).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let bad = app
        .post(
            "/v1/me/phone/verify",
            &json!({"verificationCode": wrong}),
            Some(&a1),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &a1).await.json()["phoneNumber"], old);

    let ok = app
        .post(
            "/v1/me/phone/verify",
            &json!({"verificationCode": code}),
            Some(&a1),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.json()["phoneNumber"], new);
    assert_eq!(me(&app, &a1).await.json()["phoneNumber"], new);
    assert_eq!(
        me(&app, &a2).await.status,
        StatusCode::UNAUTHORIZED,
        "other client survived"
    );
    let reused = app
        .post(
            "/v1/me/phone/verify",
            &json!({"verificationCode": code}),
            Some(&a1),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);

    // The new number signs in to the same account; the old one is free for a new account.
    let via_new = app.sign_in(&new).await;
    assert_eq!(me(&app, &via_new).await.json()["id"], id);
    let via_old = app.sign_in(&old).await;
    assert_ne!(me(&app, &via_old).await.json()["id"], id);

    // Moving onto a number another account holds fails like a wrong code and changes nothing.
    app.after_cooldown();
    let r = app
        .post("/v1/me/phone", &json!({"phoneNumber": new}), Some(&via_old))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let code = app.code_for(&new).await;
    let taken = app
        .post(
            "/v1/me/phone/verify",
            &json!({"verificationCode": code}),
            Some(&via_old),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNAUTHORIZED);
    assert_eq!(taken.text, bad.text);
    assert_eq!(me(&app, &via_old).await.json()["phoneNumber"], old);
    assert_eq!(me(&app, &via_new).await.json()["phoneNumber"], new);
    logs::assert_absent(&[&old, &new, &code, &a1.auth_token]);
}

/// Export holds the caller's own data and every registered part.
pub async fn export_has_everything(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let c = app.sign_in(&phone).await;
    app.call(
        Method::PATCH,
        "/v1/me",
        Some(r#"{"displayName":"Grace"}"#),
        Some(&c),
    )
    .await;
    let r = app.call(Method::GET, "/v1/me/export", None, Some(&c)).await;
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
pub async fn account_deletion(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let a = app.sign_in(&phone).await;
    let b = app.sign_in(&phone).await;
    app.call(
        Method::PATCH,
        "/v1/me",
        Some(r#"{"displayName":"Old me"}"#),
        Some(&a),
    )
    .await;
    let old_id = me(&app, &a).await.json()["id"].clone();

    let before = app.store.writes();
    for body in [
        json!({}),
        json!({"confirm": unique_phone()}),
        json!({"confirm": "garbage"}),
    ] {
        let r = app
            .call(Method::DELETE, "/v1/me", Some(&body.to_string()), Some(&a))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
    assert_eq!(app.store.writes(), before);

    let r = app
        .call(
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": phone}).to_string()),
            Some(&a),
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
    assert_eq!(me(&app, &a).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &b).await.status, StatusCode::UNAUTHORIZED);

    let fresh = app.sign_in(&phone).await;
    let e = app
        .call(Method::GET, "/v1/me/export", None, Some(&fresh))
        .await
        .json();
    assert_ne!(e["profile"]["id"], old_id);
    assert_eq!(e["profile"]["displayName"], Value::Null);
    assert_eq!(e["clients"].as_array().unwrap().len(), 1);
    assert!(!e.to_string().contains("Old me"));
    logs::assert_absent(&[&phone, &a.auth_token]);
}

async fn register(app: &TestApp, c: &Creds, platform: &str, token: &str) -> Resp {
    let body = json!({"platform": platform, "token": token});
    app.post("/v1/devices", &body, Some(c)).await
}

/// Ids of the caller's devices, from the export.
async fn devices(app: &TestApp, c: &Creds) -> Vec<Value> {
    let e = app
        .call(Method::GET, "/v1/me/export", None, Some(c))
        .await
        .json();
    e["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect()
}

/// Devices: register (idempotent per token), remove (own only), and they go with their client
/// (logout, revocation) and with the account.
pub async fn devices_follow_their_client(kind: Kind) {
    let app = TestApp::new(kind, |_| {}).await;
    let phone = unique_phone();
    let a = app.sign_in(&phone).await;
    let b = app.sign_in(&phone).await;
    let before = app.store.writes();
    for (platform, token) in [("WINDOWS", "tok"), ("APNS", ""), ("GCM", "has space")] {
        let r = register(&app, &a, platform, token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
    assert_eq!(app.store.writes(), before, "a refused registration wrote");

    let r1 = register(&app, &a, "APNS", "a-token-0001").await;
    assert_eq!(r1.status, StatusCode::CREATED, "{}", r1.text);
    let again = register(&app, &a, "APNS", "a-token-0001").await;
    assert_eq!(
        again.json()["id"],
        r1.json()["id"],
        "same token, same device"
    );
    assert!(!r1.text.contains("a-token-0001"), "the token is echoed");
    let rb = register(&app, &b, "GCM", "b-token-0002").await;
    assert_eq!(rb.status, StatusCode::CREATED);
    assert_eq!(devices(&app, &a).await.len(), 2);

    // Another user cannot remove it; unknown ids look the same.
    let other = app.sign_in(&unique_phone()).await;
    let path = format!("/v1/devices/{}", r1.json()["id"].as_str().unwrap());
    let theirs = app.call(Method::DELETE, &path, None, Some(&other)).await;
    let unknown = app
        .call(Method::DELETE, "/v1/devices/nope", None, Some(&other))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.text, unknown.text);

    // Logout of B removes B's device only.
    app.post("/v1/auth/logout", &json!({}), Some(&b)).await;
    assert_eq!(devices(&app, &a).await, vec![r1.json()["id"].clone()]);
    let r = app.call(Method::DELETE, &path, None, Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(devices(&app, &a).await.is_empty());
    assert_eq!(
        app.call(Method::DELETE, &path, None, Some(&a)).await.status,
        StatusCode::NOT_FOUND
    );

    // Revoking a client removes its devices too; deleting the account removes the rest.
    let c = app.sign_in(&phone).await;
    register(&app, &c, "APNS_SANDBOX", "c-token-0003").await;
    register(&app, &a, "GCM", "a-token-0004").await;
    let c_id = clients(&app, &c)
        .await
        .into_iter()
        .find(|x| x["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.call(
        Method::DELETE,
        &format!("/v1/me/clients/{c_id}"),
        None,
        Some(&a),
    )
    .await;
    assert_eq!(devices(&app, &a).await.len(), 1);
    let r = app
        .call(
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": phone}).to_string()),
            Some(&a),
        )
        .await;
    assert_eq!(r.json()["deleted"]["devices"], 1, "{}", r.text);
    logs::assert_absent(&["a-token-0001", "b-token-0002", &phone]);
}

/// Invitation texts pass the same destination rule and the global breaker; when either
/// refuses, the inviter still gets the same 202 and no text goes out.
pub async fn invitation_sms_respects_breaker_and_allowlist(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.sms_per_minute = 2).await;
    let admin = crate::groups::user(&app, Some("Ada")).await; // SMS 1 of 2 this minute
    let gid = crate::groups::id(&crate::groups::create_group(&app, &admin, "Team").await);
    let (first, second, abroad) = (unique_phone(), unique_phone(), "+79123456789");
    let mut answers = Vec::new();
    for phone in [first.as_str(), second.as_str(), abroad] {
        let r = crate::groups::post(
            &app,
            &admin.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({ "phoneNumber": phone }),
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        answers.push(
            r.json()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.sms_to(&first).await.len(), 1, "SMS 2 of 2 this minute");
    assert!(app.sms_to(&second).await.is_empty(), "the breaker was open");
    assert!(app.sms_to(abroad).await.is_empty(), "outside the allowlist");
}

/// Calls `$m!` with every case of this suite.
#[macro_export]
macro_rules! account_cases {
    ($m:ident) => {
        $m!(
            per_number_limits,
            per_ip_limit,
            sms_circuit_breaker,
            concurrent_logins_send_one_sms,
            disallowed_numbers_get_no_sms,
            sessions_list_and_revoke,
            sessions_expire_and_are_capped,
            phone_change,
            export_has_everything,
            account_deletion,
            devices_follow_their_client,
            invitation_sms_respects_breaker_and_allowlist,
        );
    };
}

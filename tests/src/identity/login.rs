//! Sign-in end to end over HTTP: login, the code from the SMS, verifyCode, /v1/me, logout;
//! answers that reveal no account, strict input, credentials, numbers that get no SMS.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::harness::app::{unique_phone, Creds, Resp, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// login -> code from the outbox -> verifyCode -> /v1/me -> PATCH -> logout -> 401.
#[case]
pub async fn sign_in_flow(app: &TestApp) {
    let phone = unique_phone();
    let login = app.login(&phone).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    assert_common_headers(&login);
    let l = login.json();
    assert_eq!(l["phoneNumber"], phone);
    assert_eq!(l["clientName"], "test suite");
    let client_id = l["clientId"].as_str().unwrap().to_string();
    assert_eq!(app.sms_to(&phone).await.len(), 1);
    let code = app.code_for(&phone).await;

    let v = app.verify(&phone, &client_id, &code).await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.text);
    assert_common_headers(&v);
    let creds = Creds {
        api_key: v.json()["apiKey"].as_str().unwrap().into(),
        auth_token: v.json()["authToken"].as_str().unwrap().into(),
    };
    assert!(creds.auth_token.len() >= 52, "token must carry >= 256 bits");

    let me = app.get_me(&creds).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_common_headers(&me);
    let m = me.json();
    assert_eq!(m["phoneNumber"], phone);
    assert_eq!(m["displayName"], Value::Null);
    assert!(m["id"].as_str().is_some_and(|s| !s.is_empty()));
    let created = m["createdAt"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(created).expect("createdAt is RFC 3339");

    let patched = app
        .request(
            Some(&creds),
            Method::PATCH,
            "/v1/me",
            Some(r#"{"displayName":"  Ada  "}"#),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.json()["displayName"], "Ada");
    assert_eq!(app.get_me(&creds).await.json()["displayName"], "Ada");
    assert_eq!(app.get_me(&creds).await.json()["id"], m["id"]);

    let out = app.logout(&creds, json!({})).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    assert_common_headers(&out);
    assert_error(
        &app.get_me(&creds).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let again = app.logout(&creds, json!({})).await;
    assert_error(&again, StatusCode::UNAUTHORIZED, "unauthorized");

    // Signing in again finds the same account.
    let creds2 = app.sign_in(&phone).await;
    assert_eq!(app.get_me(&creds2).await.json()["id"], m["id"]);

    logs::assert_absent(&[
        &phone,
        &code,
        &creds.api_key,
        &creds.auth_token,
        &creds2.auth_token,
    ]);
}

/// Normalise what legitimately differs between two responses: the request id and client id.
fn shape(r: &Resp) -> (StatusCode, Vec<(String, String)>, String) {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "x-request-id" | "date"))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    let mut body = r.text.clone();
    if let Some(id) = r.json()["clientId"].as_str() {
        body = body.replace(id, "<clientId>");
    }
    (r.status, headers, body)
}

/// Login (and failed verification) answers are byte-identical whether or not the number has an
/// account: the same number is asked before and after it signs up.
#[case]
pub async fn responses_do_not_reveal_accounts(app: &TestApp) {
    let phone = unique_phone();
    let unknown_login = app.login(&phone).await;
    let unknown_client = unknown_login.json()["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    let unknown_verify = app.verify(&phone, &unknown_client, "000000").await;
    let unknown_verify = if app.code_for(&phone).await == "000000" {
        app.verify(&phone, &unknown_client, "111111").await
    } else {
        unknown_verify
    };

    app.sign_in(&phone).await;
    app.after_cooldown();
    let known_login = app.login(&phone).await;
    let known_client = known_login.json()["clientId"].as_str().unwrap().to_string();
    let known_verify = if app.code_for(&phone).await == "000000" {
        app.verify(&phone, &known_client, "111111").await
    } else {
        app.verify(&phone, &known_client, "000000").await
    };
    assert_eq!(shape(&unknown_login), shape(&known_login));
    assert_eq!(shape(&unknown_verify), shape(&known_verify));
    // Never-sent code and unknown number look the same as a wrong code.
    let never = app.verify(&unique_phone(), &known_client, "123456").await;
    assert_eq!(shape(&never), shape(&known_verify));
}

/// Garbage, unknown fields, wrong types, bad numbers and huge bodies: 400/413, nothing written,
/// no SMS sent.
#[case]
pub async fn bad_input_is_refused_and_writes_nothing(app: &TestApp) {
    let phone = unique_phone();
    let before = app.store.writes();
    let big = format!(
        r#"{{"phoneNumber":"{phone}","clientName":"{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    let cases: Vec<(String, StatusCode)> = vec![
        ("".into(), StatusCode::BAD_REQUEST),
        ("{not json".into(), StatusCode::BAD_REQUEST),
        ("[]".into(), StatusCode::BAD_REQUEST),
        ("null".into(), StatusCode::BAD_REQUEST),
        (
            format!(r#"{{"phoneNumber":"{phone}"}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(r#"{{"phoneNumber":"{phone}","clientName":"x","admin":true}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(r#"{{"phoneNumber":{},"clientName":"x"}}"#, &phone[1..]),
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"phoneNumber":"not a number","clientName":"x"}"#.into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"phoneNumber":"4155550123","clientName":"x"}"#.into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(r#"{{"phoneNumber":"{phone}","clientName":"   "}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(
                r#"{{"phoneNumber":"{phone}","clientName":"{}"}}"#,
                "y".repeat(101)
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!(r#"{{"phoneNumber":"{phone}","clientName":"a\u0000b"}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (big, StatusCode::PAYLOAD_TOO_LARGE),
    ];
    for (body, status) in &cases {
        let r = app
            .request(None, Method::POST, "/v1/auth/login", Some(body))
            .await;
        assert_eq!(r.status, *status, "body {:.80}: {}", body, r.text);
        assert_common_headers(&r);
        assert!(
            !r.text.contains(&phone[1..]),
            "error body echoes the number: {}",
            r.text
        );
    }
    let verify_cases = [
        format!(r#"{{"clientId":"x","phoneNumber":"{phone}"}}"#),
        format!(r#"{{"clientId":"x","phoneNumber":"{phone}","verificationCode":"12345"}}"#),
        format!(r#"{{"clientId":"x","phoneNumber":"{phone}","verificationCode":"abcdef"}}"#),
        format!(
            r#"{{"clientId":"x","phoneNumber":"{phone}","verificationCode":"123456","extra":1}}"#
        ),
        r#"{"clientId":"x","phoneNumber":"garbage","verificationCode":"123456"}"#.to_string(),
    ];
    for body in &verify_cases {
        let r = app
            .request(None, Method::POST, "/v1/auth/verifyCode", Some(body))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    let patch = app.request(None, Method::PATCH, "/v1/me", Some("{}")).await;
    assert_error(&patch, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        app.store.writes(),
        before,
        "a refused request wrote to the store"
    );
    assert!(
        app.sms_to(&phone).await.is_empty(),
        "a refused request sent an SMS"
    );

    // Bad profile updates by a signed-in user write nothing either.
    let creds = app.sign_in(&phone).await;
    let before = app.store.writes();
    for body in [
        "{}",
        r#"{"displayName":""}"#,
        r#"{"displayName":5}"#,
        r#"{"displayName":"x","phoneNumber":"+1"}"#,
    ] {
        let r = app
            .request(Some(&creds), Method::PATCH, "/v1/me", Some(body))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    let long = json!({"displayName": "z".repeat(51)}).to_string();
    let r = app
        .request(Some(&creds), Method::PATCH, "/v1/me", Some(&long))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(app.store.writes(), before);
}

/// Every route but login and verifyCode needs valid credentials.
#[case]
pub async fn credentials_are_required(app: &TestApp) {
    let creds = app.sign_in(&unique_phone()).await;
    let wrong_token = Creds {
        api_key: creds.api_key.clone(),
        auth_token: "a".repeat(52),
    };
    let garbage = Creds {
        api_key: "nope".into(),
        auth_token: "nope".into(),
    };
    for c in [None, Some(&wrong_token), Some(&garbage)] {
        assert_error(
            &app.request(c, Method::GET, "/v1/me", None).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        let r = app
            .request(
                c,
                Method::POST,
                "/v1/auth/logout",
                Some(&json!({}).to_string()),
            )
            .await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Header names in any case.
    let r = app
        .http
        .get(format!("{}/v1/me", app.base))
        .header("x-api-key", &creds.api_key)
        .header("X-AUTH-TOKEN", &creds.auth_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The credentials expire after 180 days.
    app.clock.advance(chrono::Duration::days(181));
    assert_error(
        &app.get_me(&creds).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

/// Premium-rate and toll-free numbers get the normal answer and no SMS.
#[case]
pub async fn no_sms_to_premium_numbers(app: &TestApp) {
    for number in ["+19005551234", "+18005551234"] {
        let r = app.login(number).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(app.sms_to(number).await.is_empty());
    }
}

/// Unknown routes get the JSON 404.
#[case]
pub async fn unknown_route_is_json_404(app: &TestApp) {
    let r = app
        .request(None, Method::GET, "/v1/nothing-here", None)
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

/// A known path with a method it does not have (405), and an unknown path (404), answer like
/// every other route: a JSON error body and the common headers.
#[case]
pub async fn wrong_method_and_unknown_path_answer_json(app: &TestApp) {
    for (method, path) in [
        (Method::DELETE, "/v1/auth/login"),
        (Method::PUT, "/v1/groups"),
        (Method::GET, "/v1/auth/verifyCode"),
    ] {
        let r = app.request(None, method.clone(), path, None).await;
        assert_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    }
    let r = app
        .request(None, Method::GET, "/v1/no-such-route", None)
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

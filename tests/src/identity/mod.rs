//! Identity: sign-in by SMS code (login, verifyCode, the abuse limits), sessions and their
//! clients, phone number change, devices.

pub mod codes;
pub mod devices;
pub mod limits;
pub mod login;
pub mod phone;
pub mod sessions;

use reqwest::StatusCode;

use crate::harness::app::{Kind, Resp, TestApp};

/// A server with the default configuration (cases that need tighter limits take a `Kind` and
/// build their own).
pub async fn test_app(kind: Kind) -> TestApp {
    TestApp::new(kind, |_| {}).await
}

/// Headers every response must carry.
pub fn assert_common_headers(r: &Resp) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    assert!(r.header("x-request-id").is_some_and(|v| !v.is_empty()));
    let _ = r.json(); // every response body is JSON
}

pub fn assert_error(r: &Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_common_headers(r);
    assert_eq!(r.json()["error"]["code"], code, "{}", r.text);
    assert!(r.json()["error"]["message"].is_string());
}

pub fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

pub fn retry_after(r: &Resp) -> u64 {
    r.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {}: {}", r.status, r.text))
}

pub fn client_id(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["clientId"].as_str().unwrap().to_string()
}

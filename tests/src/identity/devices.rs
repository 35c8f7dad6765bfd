//! Push devices: registered per client, removed with their client and with the account.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::sessions::clients;
use crate::harness::app::{unique_phone, Creds, Kind, Resp, TestApp};
use crate::harness::case;
use crate::harness::logs;

async fn register(app: &TestApp, c: &Creds, platform: &str, token: &str) -> Resp {
    let body = json!({"platform": platform, "token": token});
    app.register_device(c, body.clone()).await
}

/// Ids of the caller's devices, from the export.
async fn devices(app: &TestApp, c: &Creds) -> Vec<Value> {
    let e = app
        .request(Some(c), Method::GET, "/v1/me/export", None)
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
#[case]
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
    let theirs = app.request(Some(&other), Method::DELETE, &path, None).await;
    let unknown = app
        .request(Some(&other), Method::DELETE, "/v1/devices/nope", None)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.text, unknown.text);

    // Logout of B removes B's device only.
    app.logout(&b, json!({})).await;
    assert_eq!(devices(&app, &a).await, vec![r1.json()["id"].clone()]);
    let r = app.request(Some(&a), Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(devices(&app, &a).await.is_empty());
    assert_eq!(
        app.request(Some(&a), Method::DELETE, &path, None)
            .await
            .status,
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
    app.request(
        Some(&a),
        Method::DELETE,
        &format!("/v1/me/clients/{c_id}"),
        None,
    )
    .await;
    assert_eq!(devices(&app, &a).await.len(), 1);
    let r = app
        .request(
            Some(&a),
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": phone}).to_string()),
        )
        .await;
    assert_eq!(r.json()["deleted"]["devices"], 1, "{}", r.text);
    logs::assert_absent(&["a-token-0001", "b-token-0002", &phone]);
}

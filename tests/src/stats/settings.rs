//! Stat settings: per user, never another's.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

#[case]
pub async fn settings_are_per_user(app: &TestApp) {
    let (admin, gid) = admin_and_group(app).await;
    let member = user(app, None).await;
    join(app, &admin, &gid, &member).await;
    let sid = number_stat(app, &admin, &gid, "S").await;
    let path = format!("{}/settings", stat_path(&gid, &sid));
    assert_eq!(
        expect(&app.get(&member.creds, &path).await, StatusCode::OK),
        json!({"notify": "ALL"})
    );
    let set = expect(
        &app.put(
            &member.creds,
            &path,
            json!({"notify": "THRESHOLD", "above": 10, "below": "-2.5"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        set,
        json!({"notify": "THRESHOLD", "above": 10, "below": -2.5})
    );
    assert_eq!(
        expect(&app.get(&member.creds, &path).await, StatusCode::OK),
        set
    );
    assert_eq!(
        expect(&app.get(&admin.creds, &path).await, StatusCode::OK),
        json!({"notify": "ALL"}),
        "per user"
    );
    expect(
        &app.put(&admin.creds, &path, json!({"notify": "NONE"}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(
        expect(&app.get(&member.creds, &path).await, StatusCode::OK),
        set
    );
    for bad in [
        json!({"notify": "SOMETIMES"}),
        json!({"notify": "THRESHOLD"}),
        json!({"notify": "ALL", "above": 1}),
        json!({"notify": "THRESHOLD", "above": "high"}),
        json!({"notify": "ALL", "extra": 1}),
        json!({}),
    ] {
        let before = app.store.writes();
        expect_error(
            &app.put(&member.creds, &path, bad).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
        assert_eq!(app.store.writes(), before);
    }
    // The settings are the user's data: exported, erased with the account.
    let export = expect(&app.export_me(&member.creds).await, StatusCode::OK);
    let mine = export["statSettings"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["statId"], sid.as_str());
    assert_eq!(mine[0]["settings"]["notify"], "THRESHOLD");
    let r = app
        .request(
            Some(&member.creds),
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": member.phone}).to_string()),
        )
        .await;
    let summary = expect(&r, StatusCode::OK);
    assert_eq!(
        summary["deleted"]["statSettings"],
        json!({"settingsDeleted": 1})
    );
    assert!(partition(app, &format!("USER#{}", member.id))
        .await
        .is_empty());
}

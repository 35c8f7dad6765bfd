//! Members and roles: promotion, demotion, leaving, removal, the last-admin rule, the
//! membersCanInvite setting, display names, the member cap.

use reqwest::StatusCode;
use serde_json::json;
use statx_core::ports::{Cond, ItemExt, Value as StoreValue};
use statx_core::store::keys;

use super::*;
use crate::harness::app::{unique_phone, TestApp};
use crate::harness::case;

fn member_path(gid: &str, mid: &str) -> String {
    format!("/v1/groups/{gid}/members/{mid}")
}

/// Promote, demote, no-op changes, and the group always keeping one admin (409).
#[case]
pub async fn roles_and_the_last_admin(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let b = user(app, Some("Bea")).await;
    let g = create_group(app, &a, "G").await;
    let gid = id(&g);
    let mid_a = g["memberId"].as_str().unwrap().to_string();
    let mid_b = join(app, &a, &gid, &b).await;

    let r = app
        .patch(
            &a.creds,
            &member_path(&gid, &mid_a),
            json!({"role": "member"}),
        )
        .await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("admin"));
    expect_error(
        &app.delete(&a.creds, &member_path(&gid, &mid_a)).await,
        StatusCode::CONFLICT,
        "conflict",
    );

    let p = expect(
        &app.patch(
            &a.creds,
            &member_path(&gid, &mid_b),
            json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        p,
        json!({"id": mid_b, "displayName": "Bea", "role": "admin", "joinedAt": p["joinedAt"]})
    );
    assert_eq!(
        expect(&app.get_group(&b.creds, &gid).await, StatusCode::OK)["role"],
        "admin"
    );
    let again = expect(
        &app.patch(
            &a.creds,
            &member_path(&gid, &mid_b),
            json!({"role": " admin "}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(again["role"], "admin");
    assert_consistent(app, &gid, &[&a, &b]).await;

    // Two admins: one may step down.
    let d = expect(
        &app.patch(
            &a.creds,
            &member_path(&gid, &mid_a),
            json!({"role": "member"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(d["role"], "member");
    // ... and has no admin powers left.
    let r = app
        .patch(
            &a.creds,
            &member_path(&gid, &mid_a),
            json!({"role": "admin"}),
        )
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app
        .patch(
            &b.creds,
            &member_path(&gid, &mid_b),
            json!({"role": "member"}),
        )
        .await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    expect(
        &app.patch(
            &b.creds,
            &member_path(&gid, &mid_a),
            json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    );

    // Unknown member ids and member ids of another group are not found.
    let other = create_group(app, &b, "Other").await;
    let other_mid = other["memberId"].as_str().unwrap();
    for mid in [random_id(), other_mid.to_string()] {
        let r = app
            .patch(&a.creds, &member_path(&gid, &mid), json!({"role": "admin"}))
            .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        expect_error(
            &app.delete(&a.creds, &member_path(&gid, &mid)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_consistent(app, &gid, &[&a, &b]).await;
}

/// Anyone leaves; admins remove; members cannot remove others; a removed member loses access.
#[case]
pub async fn leave_and_remove(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let c = user(app, None).await;
    let g = create_group(app, &a, "G").await;
    let gid = id(&g);
    let mid_a = g["memberId"].as_str().unwrap().to_string();
    let mid_b = join(app, &a, &gid, &b).await;
    let mid_c = join(app, &a, &gid, &c).await;

    let r = expect(
        &app.delete(&b.creds, &member_path(&gid, &mid_b)).await,
        StatusCode::OK,
    );
    assert_eq!(r, json!({"removed": true}));
    expect_error(
        &app.get_group(&b.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        expect(&app.list_groups(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(&app.get_group(&a.creds, &gid).await, StatusCode::OK)["memberCount"],
        2
    );

    let before = app.store.writes();
    expect_error(
        &app.delete(&c.creds, &member_path(&gid, &mid_a)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.delete(&c.creds, &member_path(&gid, &random_id())).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // The removed member can no longer act, not even on themselves.
    expect_error(
        &app.delete(&b.creds, &member_path(&gid, &mid_c)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(app.store.writes(), before);

    expect(
        &app.delete(&a.creds, &member_path(&gid, &mid_c)).await,
        StatusCode::OK,
    );
    expect_error(
        &app.list_members(&c.creds, &gid, "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.delete(&a.creds, &member_path(&gid, &mid_c)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // Rejoining gives a new per-group id.
    let mid_b2 = join(app, &a, &gid, &b).await;
    assert_ne!(mid_b2, mid_b);
    assert_eq!(members_of(app, &a, &gid).await.len(), 2);
    assert_consistent(app, &gid, &[&a, &b, &c]).await;
}

/// Members invite only when the group allows it, and even then see no invitation list.
#[case]
pub async fn members_can_invite_setting(app: &TestApp) {
    let a = user(app, None).await;
    let m = user(app, Some("Mo")).await;
    let gid = id(&create_group(app, &a, "G").await);
    join(app, &a, &gid, &m).await;
    let path = format!("/v1/groups/{gid}/members");
    let x = unique_phone();
    let before = app.store.writes();
    let r = app.post(&m.creds, &path, json!({"phoneNumber": x})).await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.store.writes(), before);
    assert!(app.sms_to(&x).await.is_empty());

    let s = app
        .patch(
            &a.creds,
            &format!("/v1/groups/{gid}"),
            json!({"settings": {"membersCanInvite": true}}),
        )
        .await;
    assert_eq!(
        expect(&s, StatusCode::OK)["settings"]["membersCanInvite"],
        true
    );
    let inv = expect(
        &app.post(&m.creds, &path, json!({"phoneNumber": x})).await,
        StatusCode::ACCEPTED,
    );
    let inv = inv["invitationId"].as_str().unwrap().to_string();
    assert_eq!(
        app.sms_to(&x).await,
        vec!["Mo invited you to a StatX group. Open StatX to see it.".to_string()]
    );
    expect_error(
        &app.list_group_invitations(&m.creds, &gid, "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.cancel_invitation(&m.creds, &gid, &inv).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let list = expect(
        &app.list_group_invitations(&a.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(list["data"][0]["invitedBy"], "Mo");

    app.update_group(
        &a.creds,
        &gid,
        json!({"settings": {"membersCanInvite": false}}),
    )
    .await;
    let r = app
        .post(&m.creds, &path, json!({"phoneNumber": unique_phone()}))
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
}

/// Members appear by their own name, else the name they were invited with, else a neutral
/// placeholder; never by number, never by user id.
#[case]
pub async fn display_names_never_phones(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let b = user(app, None).await;
    let c = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = app
        .post(
            &a.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({"phoneNumber": b.phone, "displayName": "Bee"}),
        )
        .await;
    let inv = expect(&inv, StatusCode::ACCEPTED)["invitationId"]
        .as_str()
        .unwrap()
        .to_string();
    expect(
        &app.accept_invitation(&b.creds, &inv, json!({})).await,
        StatusCode::OK,
    );
    join(app, &a, &gid, &c).await;
    let members = members_of(app, &c, &gid).await;
    let mut names: Vec<&str> = members
        .iter()
        .map(|m| m["displayName"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["Ada", "Bee", "StatX user"]);
    let text = serde_json::to_string(&members).unwrap();
    for u in [&a, &b, &c] {
        assert!(
            !text.contains(&u.phone[2..]),
            "a member list holds a phone number"
        );
        assert!(!text.contains(&u.id), "a member list holds a user id");
    }
    for m in &members {
        let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["displayName", "id", "joinedAt", "role"]);
    }
}

/// Accepting into a full group is refused (409) and leaves the invitation pending.
#[case]
pub async fn full_group_is_refused(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = invite(app, &a, &gid, &b.phone).await;
    let key = keys::group_meta(&gid);
    let set_count = |n: i64| {
        let key = key.clone();
        async move {
            let meta = app.deps.store.get(&key).await.unwrap().unwrap();
            let set = [
                ("memberCount".to_string(), StoreValue::N(n)),
                ("version".to_string(), StoreValue::N(meta.version() + 1)),
            ];
            app.deps
                .store
                .update(
                    &key,
                    set.into_iter().collect(),
                    &[],
                    Cond::VersionIs(meta.version()),
                )
                .await
                .unwrap();
        }
    };
    set_count(statx_core::groups::MAX_MEMBERS).await;
    let r = app
        .post(
            &b.creds,
            &format!("/v1/invitations/{inv}/accept"),
            json!({}),
        )
        .await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    set_count(1).await;
    let j = expect(
        &app.accept_invitation(&b.creds, &inv, json!({})).await,
        StatusCode::OK,
    );
    assert_eq!(j["memberCount"], 2);
    assert_consistent(app, &gid, &[&a, &b]).await;
}

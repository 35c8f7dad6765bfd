//! The groups part of account export (`GET /v1/me/export`) and deletion (`DELETE /v1/me`):
//! memberships, invitations received and sent; deletion removes the memberships and the
//! invitations, and deletes the groups where the user was the only admin with everything in
//! them, leaving other groups consistent.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::account::PARTS;
use statx_core::domain::PhoneNumber;
use statx_core::identity::session::Caller;
use statx_core::store::keys;

use crate::groups::*;
use crate::harness::app::{unique_phone, TestApp};
use crate::harness::case;

fn groups_part() -> &'static statx_core::identity::parts::AccountPart {
    PARTS
        .iter()
        .find(|p| p.name == "groups")
        .expect("the groups part is registered in account::PARTS")
}

fn masked(phone: &str) -> String {
    PhoneNumber::parse(phone).unwrap().masked()
}

async fn enable_member_invites(app: &TestApp, admin: &User, gid: &str) {
    let r = app
        .patch(
            &admin.creds,
            &format!("/v1/groups/{gid}"),
            json!({"settings": {"membersCanInvite": true}}),
        )
        .await;
    expect(&r, StatusCode::OK);
}

async fn invite_named(app: &TestApp, by: &User, gid: &str, phone: &str, name: &str) -> String {
    let r = app
        .post(
            &by.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({"phoneNumber": phone, "displayName": name}),
        )
        .await;
    expect(&r, StatusCode::ACCEPTED)["invitationId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn sorted_by_group(v: &Value) -> Vec<Value> {
    let mut items = v.as_array().unwrap().clone();
    items.sort_by_key(|i| i["groupId"].as_str().unwrap().to_string());
    items
}

#[case]
pub async fn export_covers_memberships_and_invitations(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let b = user(app, Some("Bea")).await;
    let (d, e) = (unique_phone(), unique_phone());
    let g1 = create_group(app, &a, "Alpha").await;
    let gid1 = id(&g1);
    join(app, &a, &gid1, &b).await;
    let sent1 = invite_named(app, &a, &gid1, &d, "Dee").await;
    let gid2 = id(&create_group(app, &b, "Beta").await);
    enable_member_invites(app, &b, &gid2).await;
    let mid_a2 = join(app, &b, &gid2, &a).await;
    let sent2 = invite(app, &a, &gid2, &e).await;
    invite(app, &b, &gid2, &unique_phone()).await; // not a's: not in a's export
    let gid3 = id(&create_group(app, &b, "Gamma").await);
    let received = invite(app, &b, &gid3, &a.phone).await;

    let r = app
        .request(Some(&a.creds), Method::GET, "/v1/me/export", None)
        .await;
    let export = expect(&r, StatusCode::OK);
    let part = &export[groups_part().name];
    let mut want_memberships = vec![
        json!({"groupId": gid1, "groupName": "Alpha", "groupDescription": "", "role": "admin",
               "memberId": g1["memberId"], "joinedAt": g1["createdAt"]}),
        json!({"groupId": gid2, "groupName": "Beta", "groupDescription": "", "role": "member",
               "memberId": mid_a2, "joinedAt": part["memberships"].as_array().unwrap().iter()
                   .find(|m| m["groupId"] == gid2.as_str()).unwrap()["joinedAt"]}),
    ];
    want_memberships.sort_by_key(|m| m["groupId"].as_str().unwrap().to_string());
    assert_eq!(sorted_by_group(&part["memberships"]), want_memberships);

    let rec = part["invitationsReceived"].as_array().unwrap();
    assert_eq!(rec.len(), 1, "{part}");
    assert_eq!(rec[0]["id"], received.as_str());
    assert_eq!(rec[0]["groupId"], gid3.as_str());
    assert_eq!(rec[0]["groupName"], "Gamma");
    assert_eq!(rec[0]["invitedBy"], "Bea");

    let sent = sorted_by_group(&part["invitationsSent"]);
    assert_eq!(sent.len(), 2, "{part}");
    let by_id = |id: &str| sent.iter().find(|s| s["id"] == id).cloned().unwrap();
    assert_eq!(by_id(&sent1)["phoneNumber"], masked(&d));
    assert_eq!(by_id(&sent1)["displayName"], "Dee");
    assert_eq!(by_id(&sent1)["groupId"], gid1.as_str());
    assert_eq!(by_id(&sent2)["phoneNumber"], masked(&e));
    assert_eq!(by_id(&sent2)["groupId"], gid2.as_str());

    let text = export.to_string();
    for other in [&b.phone, &d, &e] {
        assert!(
            !text.contains(&other[2..]),
            "the export holds another person's number"
        );
    }
    assert!(
        text.contains(&a.phone),
        "the export holds the user's own number"
    );
}

#[case]
pub async fn deletion_removes_memberships_invitations_and_sole_admin_groups(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let b = user(app, Some("Bea")).await;
    let c = user(app, Some("Cy")).await;
    let (d, e, f) = (unique_phone(), unique_phone(), unique_phone());

    // g1: a is the only admin; b member; invitations by a (to d) and by b (to c).
    let gid1 = id(&create_group(app, &a, "One").await);
    join(app, &a, &gid1, &b).await;
    enable_member_invites(app, &a, &gid1).await;
    invite(app, &a, &gid1, &d).await;
    invite(app, &b, &gid1, &c.phone).await;
    // g2: b admin, a member who invited e; b invited f.
    let gid2 = id(&create_group(app, &b, "Two").await);
    enable_member_invites(app, &b, &gid2).await;
    join(app, &b, &gid2, &a).await;
    invite(app, &a, &gid2, &e).await;
    invite(app, &b, &gid2, &f).await;
    // g3: a and c both admins.
    let g3 = create_group(app, &a, "Three").await;
    let gid3 = id(&g3);
    let mid_c3 = join(app, &a, &gid3, &c).await;
    expect(
        &app.update_member(&a.creds, &gid3, &mid_c3, json!({"role": "admin"}))
            .await,
        StatusCode::OK,
    );
    // g4: a pending invitation to a.
    let gid4 = id(&create_group(app, &b, "Four").await);
    invite(app, &b, &gid4, &a.phone).await;

    let r = app
        .request(
            Some(&a.creds),
            Method::DELETE,
            "/v1/me",
            Some(&json!({"confirm": a.phone}).to_string()),
        )
        .await;
    let summary = expect(&r, StatusCode::OK);
    assert_eq!(
        summary["deleted"][groups_part().name],
        json!({"groupsDeleted": 1, "membershipsRemoved": 2, "invitationsWithdrawn": 1, "invitationsDeclined": 1})
    );

    assert_no_trace(app, &gid1, &[&a, &b, &c], &[&d, &c.phone]).await;
    expect_error(
        &app.get_group(&b.creds, &gid1).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        expect(&app.list_invitations(&c.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );

    assert_consistent(app, &gid2, &[&a, &b]).await;
    let g2 = expect(&app.get_group(&b.creds, &gid2).await, StatusCode::OK);
    assert_eq!(g2["memberCount"], 1);
    let pending = expect(
        &app.list_group_invitations(&b.creds, &gid2, "").await,
        StatusCode::OK,
    );
    let masks: Vec<&str> = pending["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phoneNumber"].as_str().unwrap())
        .collect();
    assert_eq!(
        masks,
        vec![masked(&f).as_str()],
        "a's invitation is withdrawn, b's stays"
    );
    assert!(!exists(app, &keys::invite(&phone_index(app, &e), &gid2)).await);

    assert_consistent(app, &gid3, &[&a, &c]).await;
    let g3 = expect(&app.get_group(&c.creds, &gid3).await, StatusCode::OK);
    assert_eq!(
        (g3["memberCount"].as_i64(), g3["role"].as_str()),
        (Some(1), Some("admin"))
    );

    assert!(
        partition(app, &format!("INVITE#{}", phone_index(app, &a.phone)))
            .await
            .is_empty()
    );
    let p4 = expect(
        &app.list_group_invitations(&b.creds, &gid4, "").await,
        StatusCode::OK,
    );
    assert_eq!(p4["data"], json!([]));
    assert!(
        partition(app, &format!("USER#{}", a.id)).await.is_empty(),
        "the user's items survive"
    );

    // Idempotent: erasing again finds nothing and fails on nothing.
    let caller = Caller {
        user_id: a.id.clone(),
        client_id: "gone".into(),
        api_key: a.creds.api_key.clone(),
    };
    let again = (groups_part().erase)(&app.deps, &caller).await.unwrap();
    assert_eq!(
        again,
        json!({"groupsDeleted": 0, "membershipsRemoved": 0, "invitationsWithdrawn": 0, "invitationsDeclined": 0})
    );
}

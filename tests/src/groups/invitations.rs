//! Invitations by phone number: found at sign-up, one answer whatever the number, decline and
//! cancel, expiry, the inviter's daily cap, the SMS they send.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use statx_core::ports::ItemExt;
use statx_core::store::keys;

use super::*;
use crate::harness::app::{unique_phone, Kind, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// An invitation to a number that has no account yet: the SMS names the inviter, not the group;
/// the admins see the number masked; the invitee finds it at first sign-in and joins.
#[case]
pub async fn invitation_before_sign_up_is_found(app: &TestApp) {
    let a = user(app, Some("Ada Admin")).await;
    let g = create_group(app, &a, "Secret Garden").await;
    let gid = id(&g);
    let phone_b = unique_phone();
    // Typed with spaces: normalised to E.164.
    let typed = format!("{} {} {}", &phone_b[..2], &phone_b[2..5], &phone_b[5..]);
    let r = app
        .post(
            &a.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({"phoneNumber": typed, "displayName": "Bob Invitee"}),
        )
        .await;
    let inv = expect(&r, StatusCode::ACCEPTED);
    assert_eq!(inv.as_object().unwrap().len(), 1, "{inv}");
    let inv = inv["invitationId"].as_str().unwrap().to_string();

    let texts = app.sms_to(&phone_b).await;
    assert_eq!(
        texts,
        vec!["Ada Admin invited you to a StatX group. Open StatX to see it.".to_string()]
    );

    let pending = expect(
        &app.list_group_invitations(&a.creds, &gid, "").await,
        StatusCode::OK,
    );
    let pending = pending["data"].as_array().unwrap().clone();
    assert_eq!(pending.len(), 1);
    let p = &pending[0];
    assert_eq!(p["id"], inv.as_str());
    let masked = p["phoneNumber"].as_str().unwrap();
    assert!(
        masked.starts_with("+1") && masked.ends_with(&phone_b[phone_b.len() - 2..]),
        "{masked}"
    );
    assert!(
        masked.contains('•') && !masked.contains(&phone_b[2..8]),
        "{masked}"
    );
    assert_eq!(p["displayName"], "Bob Invitee");
    assert_eq!(p["invitedBy"], "Ada Admin");
    let created = rfc3339(&p["createdAt"]);
    let expires = rfc3339(&p["expiresAt"]);
    assert_eq!((expires - created).num_days(), 14);

    let b = user_with(app, &phone_b, None).await;
    let mine = expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK);
    assert_eq!(
        mine["data"],
        json!([{"id": inv, "groupId": gid, "groupName": "Secret Garden", "invitedBy": "Ada Admin",
                "createdAt": p["createdAt"], "expiresAt": p["expiresAt"]}])
    );
    // An invitee is not a member yet.
    expect_error(
        &app.get_group(&b.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        expect(&app.list_groups(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );

    let joined = expect(
        &app.accept_invitation(&b.creds, &inv, json!({})).await,
        StatusCode::OK,
    );
    assert_eq!(joined["id"], gid.as_str());
    assert_eq!(joined["name"], "Secret Garden");
    assert_eq!(joined["role"], "member");
    assert_eq!(joined["memberCount"], 2);
    let listed = expect(&app.list_groups(&b.creds, "").await, StatusCode::OK);
    assert_eq!(listed["data"], json!([joined]));
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    let pending = expect(
        &app.list_group_invitations(&a.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(pending["data"], json!([]));
    expect_error(
        &app.accept_invitation(&b.creds, &inv, json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    let members = members_of(app, &b, &gid).await;
    assert_eq!(members.len(), 2);
    let bob = members.iter().find(|m| m["role"] == "member").unwrap();
    assert_eq!(bob["displayName"], "Bob Invitee");
    assert_eq!(bob["id"], joined["memberId"]);
    assert_ne!(
        bob["id"].as_str(),
        Some(b.id.as_str()),
        "member ids are per group"
    );
    rfc3339(&bob["joinedAt"]);
    app.update_me(&b.creds, json!({"displayName": "Bobby"}))
        .await;
    let members = members_of(app, &a, &gid).await;
    assert!(members.iter().any(|m| m["displayName"] == "Bobby"));
    assert_consistent(app, &gid, &[&a, &b]).await;
    assert!(!exists(app, &keys::invite(&phone_index(app, &phone_b), &gid)).await);
    logs::assert_absent(&[
        &phone_b,
        &a.phone,
        "Secret Garden",
        "Bob Invitee",
        "Ada Admin",
    ]);
}

/// What distinguishes two answers beyond the ids.
fn shape(r: &Resp) -> (StatusCode, Vec<String>, String) {
    let mut headers: Vec<String> = r
        .headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "x-request-id" | "date"))
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
        .collect();
    headers.sort();
    let mut body = r.text.clone();
    if let Some(id) = r.json()["invitationId"].as_str() {
        body = body.replace(id, "<id>");
    }
    (r.status, headers, body)
}

fn invitation_texts(texts: &[String]) -> usize {
    texts.iter().filter(|t| t.contains("invited you")).count()
}

/// The invite answer is the same for a number with or without an account, already invited,
/// already a member, the inviter's own, or one that gets no SMS; only the SMS differ, and the
/// inviter cannot see those.
#[case]
pub async fn invite_answers_are_identical(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let gid = id(&create_group(app, &a, "G").await);
    let m = user(app, None).await;
    join(app, &a, &gid, &m).await;
    let u = user(app, None).await;
    let fresh = unique_phone();
    let pending = unique_phone();
    let first = invite(app, &a, &gid, &pending).await;
    let member_texts = invitation_texts(&app.sms_to(&m.phone).await);
    assert_eq!(member_texts, 1, "texted once, when invited before joining");
    let toll_free = "+18005551234".to_string();
    let path = format!("/v1/groups/{gid}/members");
    let mut shapes = Vec::new();
    let mut ids = Vec::new();
    for phone in [&u.phone, &fresh, &pending, &m.phone, &toll_free, &a.phone] {
        let r = app
            .post(&a.creds, &path, json!({"phoneNumber": phone}))
            .await;
        assert!(is_id(&r.json()["invitationId"]), "{}", r.text);
        ids.push(r.json()["invitationId"].as_str().unwrap().to_string());
        shapes.push(shape(&r));
    }
    for s in &shapes[1..] {
        assert_eq!(s, &shapes[0]);
    }
    assert_eq!(shapes[0].0, StatusCode::ACCEPTED);
    assert_eq!(
        ids[2], first,
        "a repeat invite refreshes the pending invitation"
    );

    assert_eq!(invitation_texts(&app.sms_to(&u.phone).await), 1);
    assert_eq!(invitation_texts(&app.sms_to(&fresh).await), 1);
    assert_eq!(
        invitation_texts(&app.sms_to(&pending).await),
        1,
        "texted again within a day"
    );
    assert_eq!(
        invitation_texts(&app.sms_to(&m.phone).await),
        member_texts,
        "a member was texted"
    );
    assert_eq!(invitation_texts(&app.sms_to(&toll_free).await), 0);
    assert_eq!(invitation_texts(&app.sms_to(&a.phone).await), 0);
    // After a day, a repeat invite texts again.
    app.clock.advance(Duration::hours(25));
    assert_eq!(invite(app, &a, &gid, &pending).await, first);
    assert_eq!(invitation_texts(&app.sms_to(&pending).await), 2);

    // Every one is stored: the admins' list cannot tell members from the rest either.
    let list = expect(
        &app.list_group_invitations(&a.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 6, "{list}");
    // A member does not see an invitation to a group they are in.
    assert_eq!(
        expect(&app.list_invitations(&m.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(&app.list_invitations(&u.creds, "").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_consistent(app, &gid, &[&a, &m, &u]).await;
}

/// Decline and cancel remove both sides of an invitation; the per-number SMS cap holds.
#[case]
pub async fn decline_and_cancel(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = invite(app, &a, &gid, &b.phone).await;
    let d = expect(
        &app.decline_invitation(&b.creds, &inv, json!({})).await,
        StatusCode::OK,
    );
    assert_eq!(d, json!({"declined": true}));
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(
            &app.list_group_invitations(&a.creds, &gid, "").await,
            StatusCode::OK
        )["data"],
        json!([])
    );
    for action in ["accept", "decline"] {
        let r = app
            .post(
                &b.creds,
                &format!("/v1/invitations/{inv}/{action}"),
                json!({}),
            )
            .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }

    let inv2 = invite(app, &a, &gid, &b.phone).await;
    assert_ne!(inv2, inv);
    let c = expect(
        &app.cancel_invitation(&a.creds, &gid, &inv2).await,
        StatusCode::OK,
    );
    assert_eq!(c, json!({"cancelled": true}));
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    expect_error(
        &app.accept_invitation(&b.creds, &inv2, json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.cancel_invitation(&a.creds, &gid, &inv2).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // Three invitation texts per number per day, whatever happens to the invitations.
    let inv3 = invite(app, &a, &gid, &b.phone).await;
    app.cancel_invitation(&a.creds, &gid, &inv3).await;
    invite(app, &a, &gid, &b.phone).await;
    assert_eq!(invitation_texts(&app.sms_to(&b.phone).await), 3);
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        partition(app, &format!("INVITE#{}", phone_index(app, &b.phone)))
            .await
            .len(),
        1
    );
    let listing = partition(app, &keys::group_pk(&gid)).await;
    assert_eq!(
        listing
            .iter()
            .filter(|i| i.s("sk").unwrap().starts_with("INVITATION#"))
            .count(),
        1
    );
}

/// Invitations live 14 days.
#[case]
pub async fn invitations_expire_after_14_days(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = invite(app, &a, &gid, &b.phone).await;
    app.clock
        .advance(Duration::days(14) - Duration::seconds(60));
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        expect(&app.list_invitations(&b.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(
            &app.list_group_invitations(&a.creds, &gid, "").await,
            StatusCode::OK
        )["data"],
        json!([])
    );
    for r in [
        app.accept_invitation(&b.creds, &inv, json!({})).await,
        app.decline_invitation(&b.creds, &inv, json!({})).await,
        app.cancel_invitation(&a.creds, &gid, &inv).await,
    ] {
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    // The TTL attribute lets DynamoDB remove them.
    let stored = app
        .deps
        .store
        .get(&keys::invite(&phone_index(app, &b.phone), &gid))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.n("ttl").is_some());
    let again = invite(app, &a, &gid, &b.phone).await;
    assert_ne!(again, inv);
    let j = expect(
        &app.accept_invitation(&b.creds, &again, json!({})).await,
        StatusCode::OK,
    );
    assert_eq!(j["memberCount"], 2);
    let left = partition(app, &keys::group_pk(&gid)).await;
    assert!(
        !left
            .iter()
            .any(|i| i.s("sk").unwrap().starts_with("INVITATION#")),
        "expired invitation left behind"
    );
}

/// Fifty invitations per inviter per UTC day (every invite counts, texted or not).
#[case]
pub async fn inviter_daily_cap(app: &TestApp) {
    let a = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    for i in 0..50 {
        // Toll-free numbers: stored, never texted, still counted.
        invite(app, &a, &gid, &format!("+1800555{i:04}")).await;
    }
    let r = app
        .post(
            &a.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({"phoneNumber": unique_phone()}),
        )
        .await;
    expect_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
    app.clock.advance(Duration::seconds(wait));
    invite(app, &a, &gid, &unique_phone()).await;
}

/// Invitation texts pass the same destination rule and the global breaker; when either
/// refuses, the inviter still gets the same 202 and no text goes out.
#[case]
pub async fn invitation_sms_respects_breaker_and_allowlist(kind: Kind) {
    let app = TestApp::new(kind, |c| c.limits.sms_per_minute = 2).await;
    let admin = crate::groups::user(&app, Some("Ada")).await; // SMS 1 of 2 this minute
    let gid = crate::groups::id(&crate::groups::create_group(&app, &admin, "Team").await);
    let (first, second, abroad) = (unique_phone(), unique_phone(), "+79123456789");
    let mut answers = Vec::new();
    for phone in [first.as_str(), second.as_str(), abroad] {
        let r = app
            .post(
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

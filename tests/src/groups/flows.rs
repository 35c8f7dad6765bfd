//! Groups and invitations end to end: the happy paths, strict input, paging, the invite
//! answer that never varies, expiry, caps and deletion without orphans.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::ports::store::item;
use statx_core::ports::{Cond, ItemExt, Value as StoreValue};
use statx_core::store::keys;

use super::*;
use crate::app::{unique_phone, TestApp};
use crate::logs;

fn is_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 26 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn rfc3339(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
        .unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Create, list, read, change and delete; names and descriptions are sealed at rest.
pub async fn create_read_update_delete(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let r = post(
        app,
        &a.creds,
        "/v1/groups",
        json!({"name": "  Team Rocket ", "description": "Our numbers", "settings": {"membersCanInvite": true}}),
    )
    .await;
    let g = expect(&r, StatusCode::CREATED);
    assert!(is_id(&g["id"]) && is_id(&g["memberId"]), "{g}");
    assert_eq!(g["name"], "Team Rocket");
    assert_eq!(g["description"], "Our numbers");
    assert_eq!(g["kind"], "private");
    assert_eq!(g["role"], "admin");
    assert_eq!(g["memberCount"], 1);
    assert_eq!(g["settings"]["membersCanInvite"], true);
    rfc3339(&g["createdAt"]);
    let gid = id(&g);

    let g2 = create_group(app, &a, "Second").await;
    assert_eq!(g2["description"], "");
    assert_eq!(g2["settings"]["membersCanInvite"], false);
    assert_ne!(g2["id"], g["id"]);

    let list = expect(&get(app, &a.creds, "/v1/groups").await, StatusCode::OK);
    assert!(list.get("nextCursor").is_none(), "{list}");
    let mut ids: Vec<String> = list["data"].as_array().unwrap().iter().map(id).collect();
    ids.sort();
    let mut want = vec![gid.clone(), id(&g2)];
    want.sort();
    assert_eq!(ids, want);
    let listed = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == g["id"])
        .unwrap();
    assert_eq!(listed, &g);

    let one = expect(
        &get(app, &a.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_eq!(one, g);

    let path = format!("/v1/groups/{gid}");
    let u = expect(
        &patch(app, &a.creds, &path, json!({"name": " Renamed "})).await,
        StatusCode::OK,
    );
    assert_eq!(u["name"], "Renamed");
    assert_eq!(u["description"], "Our numbers");
    let u = patch(
        app,
        &a.creds,
        &path,
        json!({"settings": {"membersCanInvite": false}, "description": ""}),
    )
    .await;
    let u = expect(&u, StatusCode::OK);
    assert_eq!(u["settings"]["membersCanInvite"], false);
    assert_eq!(u["description"], "");
    assert_eq!(u["name"], "Renamed");
    assert_eq!(expect(&get(app, &a.creds, &path).await, StatusCode::OK), u);

    // At rest the name is ciphertext, bound to its item and field.
    let meta = app
        .deps
        .store
        .get(&keys::group_meta(&gid))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(meta.get("name"), Some(StoreValue::B(_))));
    for v in meta.values() {
        if let StoreValue::S(s) = v {
            assert!(!s.contains("Renamed") && !s.contains("Our numbers"));
        }
    }

    let gone = format!("/v1/groups/{}", id(&g2));
    let d = expect(&delete(app, &a.creds, &gone).await, StatusCode::OK);
    assert_eq!(d, json!({"deleted": true}));
    expect_error(
        &get(app, &a.creds, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &delete(app, &a.creds, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let list = expect(&get(app, &a.creds, "/v1/groups").await, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    logs::assert_absent(&[&a.phone, "Team Rocket", "Our numbers", "Renamed"]);
}

/// Bad bodies, bad ids and bad paging parameters: 400 (or 404 for ids), nothing written, the
/// value never echoed.
pub async fn bad_input_is_refused_and_writes_nothing(app: &TestApp) {
    let a = user(app, None).await;
    let g = create_group(app, &a, "G").await;
    let gid = id(&g);
    let mid = g["memberId"].as_str().unwrap().to_string();
    let phone = unique_phone();
    let digits = phone[1..].to_string();
    let long_name = "n".repeat(101);
    let before = app.store.writes();

    let creates = [
        "".to_string(),
        "{".into(),
        "[]".into(),
        "{}".into(),
        json!({"name": ""}).to_string(),
        json!({"name": "   "}).to_string(),
        json!({"name": long_name}).to_string(),
        json!({"name": "a\u{0}b"}).to_string(),
        json!({"name": "two\nlines"}).to_string(),
        json!({"name": "ok", "description": "d".repeat(1001)}).to_string(),
        json!({"name": "ok", "kind": "secret"}).to_string(),
        json!({"name": 5}).to_string(),
        json!({"name": "ok", "settings": {"membersCanInvite": "yes"}}).to_string(),
        json!({"name": "ok", "settings": {"other": true}}).to_string(),
    ];
    for body in &creates {
        let r = app
            .call(Method::POST, "/v1/groups", Some(body), Some(&a.creds))
            .await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            !r.text.contains(&long_name) && !r.text.contains("ddddd"),
            "{}",
            r.text
        );
    }
    let path = format!("/v1/groups/{gid}");
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"settings": {}}),
        json!({"role": "admin"}),
        json!({"description": "x".repeat(1001)}),
    ] {
        let r = patch(app, &a.creds, &path, body).await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    let invite_path = format!("/v1/groups/{gid}/members");
    for body in [
        json!({}),
        json!({"phoneNumber": "garbage"}),
        json!({"phoneNumber": digits.clone()}),
        json!({"phoneNumber": digits.parse::<u64>().unwrap()}),
        json!({"phoneNumber": phone, "displayName": ""}),
        json!({"phoneNumber": phone, "displayName": "x".repeat(51)}),
        json!({"phoneNumber": phone, "role": "admin"}),
        json!({"phoneNumbers": [phone]}),
    ] {
        let r = post(app, &a.creds, &invite_path, body).await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            !r.text.contains(&digits[1..]),
            "error echoes the number: {}",
            r.text
        );
    }
    let member_path = format!("/v1/groups/{gid}/members/{mid}");
    for body in [json!({"role": "owner"}), json!({"role": 1}), json!({})] {
        let r = patch(app, &a.creds, &member_path, body).await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    for q in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "cursor=garbage",
        "cursor=AAAA",
    ] {
        for list in [
            "/v1/groups",
            &format!("/v1/groups/{gid}/members"),
            "/v1/invitations",
        ] {
            let r = get(app, &a.creds, &format!("{list}?{q}")).await;
            expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        }
    }
    // Ids that are not ours never reach the store; they get the plain 404.
    for bad in [
        "x",
        "..",
        "%2e%2e",
        &"a".repeat(300),
        "AAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = get(app, &a.creds, &format!("/v1/groups/{bad}")).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = patch(
            app,
            &a.creds,
            &format!("/v1/groups/{gid}/members/{bad}"),
            json!({"role": "member"}),
        )
        .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(
        app.store.writes(),
        before,
        "a refused request wrote to the store"
    );
    assert!(
        app.sms_to(&phone).await.is_empty(),
        "a refused invite sent an SMS"
    );

    // The limits themselves are accepted.
    let ok = post(
        app,
        &a.creds,
        "/v1/groups",
        json!({"name": "é".repeat(100), "description": "d".repeat(1000)}),
    )
    .await;
    expect(&ok, StatusCode::CREATED);
}

/// `?limit=` pages through the caller's groups; cursors are sealed, bound to the list and the
/// caller, and reveal no internal key.
pub async fn list_groups_paginates_with_sealed_cursors(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let mut mine = Vec::new();
    for i in 0..5 {
        mine.push(id(&create_group(app, &a, &format!("G{i}")).await));
    }
    let theirs = id(&create_group(app, &b, "Theirs").await);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut first_cursor = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/v1/groups?limit=2&cursor={c}"),
            None => "/v1/groups?limit=2".to_string(),
        };
        let page = expect(&get(app, &a.creds, &path).await, StatusCode::OK);
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        seen.extend(data.iter().map(id));
        match page["nextCursor"].as_str() {
            Some(c) => {
                first_cursor.get_or_insert(c.to_string());
                cursor = Some(c.to_string())
            }
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    mine.sort();
    assert_eq!(sorted, mine, "every group exactly once");
    assert!(!seen.contains(&theirs));
    let c = first_cursor.expect("5 groups in pages of 2 need a cursor");
    assert!(
        c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{c}"
    );
    let raw =
        String::from_utf8_lossy(&data_encoding::BASE64URL_NOPAD.decode(c.as_bytes()).unwrap())
            .into_owned();
    for secret in [a.id.as_str(), "USER", "GROUP"] {
        assert!(
            !c.contains(secret) && !raw.contains(secret),
            "cursor reveals {secret}"
        );
    }
    // Bound to its list and caller.
    let r = get(app, &b.creds, &format!("/v1/groups?cursor={c}")).await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = get(app, &a.creds, &format!("/v1/invitations?cursor={c}")).await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = get(
        app,
        &a.creds,
        &format!("/v1/groups/{}/members?cursor={c}", mine[0]),
    )
    .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let mut tampered = c.into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let r = get(app, &a.creds, &format!("/v1/groups?cursor={tampered}")).await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

/// An invitation to a number that has no account yet: the SMS names the inviter, not the group;
/// the admins see the number masked; the invitee finds it at first sign-in and joins.
pub async fn invitation_before_sign_up_is_found(app: &TestApp) {
    let a = user(app, Some("Ada Admin")).await;
    let g = create_group(app, &a, "Secret Garden").await;
    let gid = id(&g);
    let phone_b = unique_phone();
    // Typed with spaces: normalised to E.164.
    let typed = format!("{} {} {}", &phone_b[..2], &phone_b[2..5], &phone_b[5..]);
    let r = post(
        app,
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
        &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
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
    let mine = expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK);
    assert_eq!(
        mine["data"],
        json!([{"id": inv, "groupId": gid, "groupName": "Secret Garden", "invitedBy": "Ada Admin",
                "createdAt": p["createdAt"], "expiresAt": p["expiresAt"]}])
    );
    // An invitee is not a member yet.
    expect_error(
        &get(app, &b.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/groups").await, StatusCode::OK)["data"],
        json!([])
    );

    let joined = expect(
        &post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv}/accept"),
            json!({}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(joined["id"], gid.as_str());
    assert_eq!(joined["name"], "Secret Garden");
    assert_eq!(joined["role"], "member");
    assert_eq!(joined["memberCount"], 2);
    let listed = expect(&get(app, &b.creds, "/v1/groups").await, StatusCode::OK);
    assert_eq!(listed["data"], json!([joined]));
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
    let pending = expect(
        &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
        StatusCode::OK,
    );
    assert_eq!(pending["data"], json!([]));
    expect_error(
        &post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv}/accept"),
            json!({}),
        )
        .await,
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
    patch(app, &b.creds, "/v1/me", json!({"displayName": "Bobby"})).await;
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
        let r = post(app, &a.creds, &path, json!({"phoneNumber": phone})).await;
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
        &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
        StatusCode::OK,
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 6, "{list}");
    // A member does not see an invitation to a group they are in.
    assert_eq!(
        expect(&get(app, &m.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(&get(app, &u.creds, "/v1/invitations").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_consistent(app, &gid, &[&a, &m, &u]).await;
}

/// Decline and cancel remove both sides of an invitation; the per-number SMS cap holds.
pub async fn decline_and_cancel(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = invite(app, &a, &gid, &b.phone).await;
    let d = expect(
        &post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv}/decline"),
            json!({}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(d, json!({"declined": true}));
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(
            &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
            StatusCode::OK
        )["data"],
        json!([])
    );
    for action in ["accept", "decline"] {
        let r = post(
            app,
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
        &delete(
            app,
            &a.creds,
            &format!("/v1/groups/{gid}/invitations/{inv2}"),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(c, json!({"cancelled": true}));
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
    expect_error(
        &post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv2}/accept"),
            json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &delete(
            app,
            &a.creds,
            &format!("/v1/groups/{gid}/invitations/{inv2}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // Three invitation texts per number per day, whatever happens to the invitations.
    let inv3 = invite(app, &a, &gid, &b.phone).await;
    delete(
        app,
        &a.creds,
        &format!("/v1/groups/{gid}/invitations/{inv3}"),
    )
    .await;
    invite(app, &a, &gid, &b.phone).await;
    assert_eq!(invitation_texts(&app.sms_to(&b.phone).await), 3);
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"]
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
pub async fn invitations_expire_after_14_days(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let inv = invite(app, &a, &gid, &b.phone).await;
    app.clock
        .advance(Duration::days(14) - Duration::seconds(60));
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        expect(&get(app, &b.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
    assert_eq!(
        expect(
            &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
            StatusCode::OK
        )["data"],
        json!([])
    );
    for r in [
        post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv}/accept"),
            json!({}),
        )
        .await,
        post(
            app,
            &b.creds,
            &format!("/v1/invitations/{inv}/decline"),
            json!({}),
        )
        .await,
        delete(
            app,
            &a.creds,
            &format!("/v1/groups/{gid}/invitations/{inv}"),
        )
        .await,
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
        &post(
            app,
            &b.creds,
            &format!("/v1/invitations/{again}/accept"),
            json!({}),
        )
        .await,
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
pub async fn inviter_daily_cap(app: &TestApp) {
    let a = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    for i in 0..50 {
        // Toll-free numbers: stored, never texted, still counted.
        invite(app, &a, &gid, &format!("+1800555{i:04}")).await;
    }
    let r = post(
        app,
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

/// Deleting a group removes every item under it (past one sweep page), each member's index
/// entry and every pending invitation.
pub async fn deleting_a_group_leaves_no_orphans(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let c = user(app, None).await;
    let e = user(app, None).await;
    let gid = id(&create_group(app, &a, "Doomed").await);
    join(app, &a, &gid, &b).await;
    join(app, &a, &gid, &c).await;
    let d = unique_phone();
    invite(app, &a, &gid, &d).await;
    invite(app, &a, &gid, &e.phone).await;
    let mut invited = vec![d.clone(), e.phone.clone()];
    for i in 0..42 {
        let p = format!("+1800555{i:04}");
        invite(app, &a, &gid, &p).await;
        invited.push(p);
    }
    // Items later features keep under the group go too.
    let stat = item(
        &Key::new(keys::group_pk(&gid), "STAT#x"),
        [("v", StoreValue::N(1))],
    );
    app.deps.store.put(stat, Cond::None).await.unwrap();
    let keep = id(&create_group(app, &b, "Kept").await);

    expect_error(
        &delete(app, &b.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = delete(app, &a.creds, &format!("/v1/groups/{gid}")).await;
    assert_eq!(expect(&r, StatusCode::OK), json!({"deleted": true}));
    let invited: Vec<&str> = invited.iter().map(String::as_str).collect();
    assert_no_trace(app, &gid, &[&a, &b, &c, &e], &invited).await;
    for u in [&a, &b, &c] {
        expect_error(
            &get(app, &u.creds, &format!("/v1/groups/{gid}")).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let blist = expect(&get(app, &b.creds, "/v1/groups").await, StatusCode::OK);
    assert_eq!(
        blist["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect::<Vec<_>>(),
        vec![keep]
    );
    assert_eq!(
        expect(&get(app, &e.creds, "/v1/invitations").await, StatusCode::OK)["data"],
        json!([])
    );
}

/// A deletion cut short after META went (a fault mid-sweep) is completed: by the admin's retry,
/// or by a member's next list of groups. In between, the group is gone for everyone.
pub async fn interrupted_deletion_is_completed(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let c = user(app, None).await;
    for by_retry in [true, false] {
        let gid = id(&create_group(app, &a, "G").await);
        join(app, &a, &gid, &b).await;
        invite(app, &a, &gid, &c.phone).await;
        app.deps
            .store
            .delete(&keys::group_meta(&gid), Cond::None)
            .await
            .unwrap();
        expect_error(
            &get(app, &b.creds, &format!("/v1/groups/{gid}")).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_eq!(
            expect(&get(app, &c.creds, "/v1/invitations").await, StatusCode::OK)["data"],
            json!([])
        );
        let r = post(
            app,
            &a.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({"phoneNumber": unique_phone()}),
        )
        .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        if by_retry {
            expect(
                &delete(app, &a.creds, &format!("/v1/groups/{gid}")).await,
                StatusCode::OK,
            );
        } else {
            let l = expect(&get(app, &b.creds, "/v1/groups").await, StatusCode::OK);
            assert_eq!(l["data"], json!([]));
        }
        assert_no_trace(app, &gid, &[&a, &b, &c], &[&c.phone]).await;
    }
}

/// DynamoDB's TTL removes the two items of an expired invitation independently and late: a
/// re-invitation made after the invitee's item went but before the listing item did must still
/// leave the group deletable without orphans.
pub async fn ttl_leftovers_do_not_break_deletion(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let first = invite(app, &a, &gid, &b.phone).await;
    app.clock.advance(Duration::days(15));
    let ikey = keys::invite(&phone_index(app, &b.phone), &gid);
    app.deps.store.delete(&ikey, Cond::None).await.unwrap();
    let second = invite(app, &a, &gid, &b.phone).await;
    assert_ne!(first, second);
    assert!(exists(app, &keys::group_invitation(&gid, &first)).await);
    // The stale listing is not shown and cannot be cancelled; the live one is intact.
    let list = expect(
        &get(app, &a.creds, &format!("/v1/groups/{gid}/invitations")).await,
        StatusCode::OK,
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], second.as_str());
    let r = delete(
        app,
        &a.creds,
        &format!("/v1/groups/{gid}/invitations/{first}"),
    )
    .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(exists(app, &ikey).await);
    expect(
        &delete(app, &a.creds, &format!("/v1/groups/{gid}")).await,
        StatusCode::OK,
    );
    assert_no_trace(app, &gid, &[&a, &b], &[&b.phone]).await;
}

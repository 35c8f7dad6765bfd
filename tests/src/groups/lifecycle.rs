//! The life of a group: create, read, change, list with paging, strict input, and deletion
//! without orphans (interrupted or with TTL leftovers).

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use statx_core::ports::store::item;
use statx_core::ports::{Cond, Value as StoreValue};
use statx_core::store::keys;

use super::*;
use crate::harness::app::{unique_phone, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// Create, list, read, change and delete; names and descriptions are sealed at rest.
#[case]
pub async fn create_read_update_delete(app: &TestApp) {
    let a = user(app, Some("Ada")).await;
    let r = app.create_group(&a.creds, json!({"name": "  Team Rocket ", "description": "Our numbers", "settings": {"membersCanInvite": true}}))
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

    let list = expect(&app.list_groups(&a.creds, "").await, StatusCode::OK);
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

    let one = expect(&app.get_group(&a.creds, &gid).await, StatusCode::OK);
    assert_eq!(one, g);

    let path = format!("/v1/groups/{gid}");
    let u = expect(
        &app.patch(&a.creds, &path, json!({"name": " Renamed "}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(u["name"], "Renamed");
    assert_eq!(u["description"], "Our numbers");
    let u = app
        .patch(
            &a.creds,
            &path,
            json!({"settings": {"membersCanInvite": false}, "description": ""}),
        )
        .await;
    let u = expect(&u, StatusCode::OK);
    assert_eq!(u["settings"]["membersCanInvite"], false);
    assert_eq!(u["description"], "");
    assert_eq!(u["name"], "Renamed");
    assert_eq!(expect(&app.get(&a.creds, &path).await, StatusCode::OK), u);

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
    let d = expect(&app.delete(&a.creds, &gone).await, StatusCode::OK);
    assert_eq!(d, json!({"deleted": true}));
    expect_error(
        &app.get(&a.creds, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &app.delete(&a.creds, &gone).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let list = expect(&app.list_groups(&a.creds, "").await, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    logs::assert_absent(&[&a.phone, "Team Rocket", "Our numbers", "Renamed"]);
}

/// Bad bodies, bad ids and bad paging parameters: 400 (or 404 for ids), nothing written, the
/// value never echoed.
#[case]
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
            .request(Some(&a.creds), Method::POST, "/v1/groups", Some(body))
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
        let r = app.patch(&a.creds, &path, body).await;
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
        let r = app.post(&a.creds, &invite_path, body).await;
        expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            !r.text.contains(&digits[1..]),
            "error echoes the number: {}",
            r.text
        );
    }
    let member_path = format!("/v1/groups/{gid}/members/{mid}");
    for body in [json!({"role": "owner"}), json!({"role": 1}), json!({})] {
        let r = app.patch(&a.creds, &member_path, body).await;
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
            let r = app.get(&a.creds, &format!("{list}?{q}")).await;
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
        let r = app.get_group(&a.creds, bad).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = app
            .patch(
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
    let ok = app
        .post(
            &a.creds,
            "/v1/groups",
            json!({"name": "é".repeat(100), "description": "d".repeat(1000)}),
        )
        .await;
    expect(&ok, StatusCode::CREATED);
}

/// `?limit=` pages through the caller's groups; cursors are sealed, bound to the list and the
/// caller, and reveal no internal key.
#[case]
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
        let page = expect(&app.get(&a.creds, &path).await, StatusCode::OK);
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
    let r = app.list_groups(&b.creds, &format!("cursor={c}")).await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app
        .get(&a.creds, &format!("/v1/invitations?cursor={c}"))
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app
        .get(
            &a.creds,
            &format!("/v1/groups/{}/members?cursor={c}", mine[0]),
        )
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let mut tampered = c.into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let r = app
        .get(&a.creds, &format!("/v1/groups?cursor={tampered}"))
        .await;
    expect_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

/// Deleting a group removes every item under it (past one sweep page), each member's index
/// entry and every pending invitation.
#[case]
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
        &app.delete_group(&b.creds, &gid).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = app.delete_group(&a.creds, &gid).await;
    assert_eq!(expect(&r, StatusCode::OK), json!({"deleted": true}));
    let invited: Vec<&str> = invited.iter().map(String::as_str).collect();
    assert_no_trace(app, &gid, &[&a, &b, &c, &e], &invited).await;
    for u in [&a, &b, &c] {
        expect_error(
            &app.get_group(&u.creds, &gid).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let blist = expect(&app.list_groups(&b.creds, "").await, StatusCode::OK);
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
        expect(&app.list_invitations(&e.creds, "").await, StatusCode::OK)["data"],
        json!([])
    );
}

/// A deletion cut short after META went (a fault mid-sweep) is completed: by the admin's retry,
/// or by a member's next list of groups. In between, the group is gone for everyone.
#[case]
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
            &app.get_group(&b.creds, &gid).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_eq!(
            expect(&app.list_invitations(&c.creds, "").await, StatusCode::OK)["data"],
            json!([])
        );
        let r = app
            .post(
                &a.creds,
                &format!("/v1/groups/{gid}/members"),
                json!({"phoneNumber": unique_phone()}),
            )
            .await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        if by_retry {
            expect(&app.delete_group(&a.creds, &gid).await, StatusCode::OK);
        } else {
            let l = expect(&app.list_groups(&b.creds, "").await, StatusCode::OK);
            assert_eq!(l["data"], json!([]));
        }
        assert_no_trace(app, &gid, &[&a, &b, &c], &[&c.phone]).await;
    }
}

/// DynamoDB's TTL removes the two items of an expired invitation independently and late: a
/// re-invitation made after the invitee's item went but before the listing item did must still
/// leave the group deletable without orphans.
#[case]
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
        &app.list_group_invitations(&a.creds, &gid, "").await,
        StatusCode::OK,
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], second.as_str());
    let r = app
        .delete(&a.creds, &format!("/v1/groups/{gid}/invitations/{first}"))
        .await;
    expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(exists(app, &ikey).await);
    expect(&app.delete_group(&a.creds, &gid).await, StatusCode::OK);
    assert_no_trace(app, &gid, &[&a, &b], &[&b.phone]).await;
}

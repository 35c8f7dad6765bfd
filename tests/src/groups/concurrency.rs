//! Races: two admins changing roles at once, role flips, concurrent edits of a group, accept
//! racing with cancel and with deletion. Conditional writes and transactions mean no lost
//! update, no group without an admin, and no orphan, whoever wins.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use statx_core::store::keys;

use super::*;
use crate::harness::app::TestApp;
use crate::harness::case;

fn member_path(gid: &str, mid: &str) -> String {
    format!("/v1/groups/{gid}/members/{mid}")
}

async fn admins(app: &TestApp, who: &User, gid: &str) -> usize {
    members_of(app, who, gid)
        .await
        .iter()
        .filter(|m| m["role"] == "admin")
        .count()
}

/// Two admins demote each other at the same moment: exactly one wins, the group keeps exactly
/// one admin, and the store agrees with itself.
#[case]
pub async fn two_admins_demote_each_other(app: &TestApp) {
    let a1 = user(app, None).await;
    let a2 = user(app, None).await;
    let m = user(app, None).await;
    let g = create_group(app, &a1, "G").await;
    let gid = id(&g);
    let mid1 = g["memberId"].as_str().unwrap().to_string();
    let mid2 = join(app, &a1, &gid, &a2).await;
    join(app, &a1, &gid, &m).await;
    for round in 0..4 {
        // Whoever is admin now promotes the other.
        let (x, y, mx, my) = if round % 2 == 0 {
            (&a1, &a2, &mid1, &mid2)
        } else {
            (&a2, &a1, &mid2, &mid1)
        };
        expect(
            &app.patch(&x.creds, &member_path(&gid, my), json!({"role": "admin"}))
                .await,
            StatusCode::OK,
        );
        assert_eq!(admins(app, &m, &gid).await, 2);
        let demote = json!({"role": "member"});
        let (py, px) = (member_path(&gid, my), member_path(&gid, mx));
        let (rx, ry) = futures::join!(
            app.patch(&x.creds, &py, demote.clone()),
            app.patch(&y.creds, &px, demote.clone()),
        );
        let wins = [&rx, &ry]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(wins, 1, "round {round}: {} / {}", rx.text, ry.text);
        for r in [&rx, &ry] {
            assert!(
                [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::CONFLICT].contains(&r.status),
                "{}",
                r.text
            );
        }
        assert_eq!(admins(app, &m, &gid).await, 1, "round {round}");
        assert_consistent(app, &gid, &[&a1, &a2, &m]).await;
        // The next round starts with `y` as the only admin: swap if `x` won.
        if rx.status == StatusCode::OK {
            expect(
                &app.patch(&x.creds, &member_path(&gid, my), json!({"role": "admin"}))
                    .await,
                StatusCode::OK,
            );
            expect(
                &app.patch(&y.creds, &member_path(&gid, mx), demote).await,
                StatusCode::OK,
            );
        }
    }
}

/// Two admins flip one member's role many times at once: every answer is a success or a
/// clean refusal, and at the end the member item, the member's index and META's counts agree.
#[case]
pub async fn concurrent_role_flips_stay_consistent(app: &TestApp) {
    let a1 = user(app, None).await;
    let a2 = user(app, None).await;
    let m = user(app, None).await;
    let gid = id(&create_group(app, &a1, "G").await);
    let mid2 = join(app, &a1, &gid, &a2).await;
    let mid_m = join(app, &a1, &gid, &m).await;
    expect(
        &app.patch(
            &a1.creds,
            &member_path(&gid, &mid2),
            json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    );
    let path = member_path(&gid, &mid_m);
    let calls = (0..12).map(|i| {
        let by = if i % 2 == 0 { &a1 } else { &a2 };
        let role = if i % 3 == 0 { "member" } else { "admin" };
        app.patch(&by.creds, &path, json!({"role": role}))
    });
    for r in join_all(calls).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert_consistent(app, &gid, &[&a1, &a2, &m]).await;
    let seen_by_m = expect(&app.get_group(&m.creds, &gid).await, StatusCode::OK);
    let listed = members_of(app, &a1, &gid).await;
    let m_row = listed.iter().find(|x| x["id"] == mid_m.as_str()).unwrap();
    assert_eq!(seen_by_m["role"], m_row["role"]);
}

/// Two admins change different fields at once: both changes are kept.
#[case]
pub async fn concurrent_group_edits_keep_both(app: &TestApp) {
    let a1 = user(app, None).await;
    let a2 = user(app, None).await;
    let gid = id(&create_group(app, &a1, "Before").await);
    let mid2 = join(app, &a1, &gid, &a2).await;
    expect(
        &app.patch(
            &a1.creds,
            &member_path(&gid, &mid2),
            json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    );
    let path = format!("/v1/groups/{gid}");
    for round in 0..3 {
        let name = format!("Name {round}");
        let description = format!("Description {round}");
        let (r1, r2) = futures::join!(
            app.patch(&a1.creds, &path, json!({"name": name})),
            app.patch(&a2.creds, &path, json!({"description": description})),
        );
        expect(&r1, StatusCode::OK);
        expect(&r2, StatusCode::OK);
        let g = expect(&app.get(&a1.creds, &path).await, StatusCode::OK);
        assert_eq!(g["name"], name.as_str(), "lost update");
        assert_eq!(g["description"], description.as_str(), "lost update");
    }
}

/// The invitee accepts while an admin cancels: exactly one wins; either way no invitation item
/// is left and the membership is complete or absent.
#[case]
pub async fn accept_races_cancel(app: &TestApp) {
    let a = user(app, None).await;
    let x = user(app, None).await;
    let gid = id(&create_group(app, &a, "G").await);
    let index = phone_index(app, &x.phone);
    let (mut accepted, mut cancelled) = (0, 0);
    for _ in 0..6 {
        let inv = invite(app, &a, &gid, &x.phone).await;
        let accept = format!("/v1/invitations/{inv}/accept");
        let cancel = format!("/v1/groups/{gid}/invitations/{inv}");
        let (acc, can) = futures::join!(
            app.post(&x.creds, &accept, json!({})),
            app.delete(&a.creds, &cancel),
        );
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&acc.status),
            "{}",
            acc.text
        );
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&can.status),
            "{}",
            can.text
        );
        assert_ne!(
            acc.status == StatusCode::OK,
            can.status == StatusCode::OK,
            "{} / {}",
            acc.text,
            can.text
        );
        assert!(
            !exists(app, &keys::invite(&index, &gid)).await,
            "orphan invitee item"
        );
        assert!(
            !exists(app, &keys::group_invitation(&gid, &inv)).await,
            "orphan listing item"
        );
        assert_consistent(app, &gid, &[&a, &x]).await;
        let member = app.get_group(&x.creds, &gid).await;
        if acc.status == StatusCode::OK {
            accepted += 1;
            let mid = expect(&member, StatusCode::OK)["memberId"]
                .as_str()
                .unwrap()
                .to_string();
            expect(
                &app.delete(&a.creds, &member_path(&gid, &mid)).await,
                StatusCode::OK,
            );
        } else {
            cancelled += 1;
            assert_eq!(member.status, StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(accepted + cancelled, 6);
}

/// The invitee accepts while the admin deletes the group: whoever wins, nothing of the group
/// is left afterwards (no membership index, no invitation, no item under the group).
#[case]
pub async fn accept_races_group_deletion(app: &TestApp) {
    let a = user(app, None).await;
    let b = user(app, None).await;
    let x = user(app, None).await;
    for _ in 0..4 {
        let gid = id(&create_group(app, &a, "G").await);
        join(app, &a, &gid, &b).await;
        let inv = invite(app, &a, &gid, &x.phone).await;
        let accept = format!("/v1/invitations/{inv}/accept");
        let group = format!("/v1/groups/{gid}");
        let (acc, del) = futures::join!(
            app.post(&x.creds, &accept, json!({})),
            app.delete(&a.creds, &group),
        );
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&acc.status),
            "{}",
            acc.text
        );
        expect(&del, StatusCode::OK);
        assert_no_trace(app, &gid, &[&a, &b, &x], &[&x.phone]).await;
        let l = expect(&app.list_groups(&x.creds, "").await, StatusCode::OK);
        assert_eq!(l["data"], json!([]));
    }
}

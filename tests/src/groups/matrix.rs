//! The isolation matrix: every group-scoped route of the route table × {admin, member,
//! invitee, non-member, anonymous, revoked token}. Each caller gets what its role allows;
//! otherwise 401 (no or dead credentials) or 404 — and that 404 is byte-identical (status,
//! headers, body) to the answer for random ids, so nobody can tell a real group, member or
//! invitation from an invented one. Refused calls write nothing.
//!
//! The routes come from `statx_core::http::ROUTES`: a route whose path has `{groupId}` or
//! starts with `/v1/invitations` fails `every_route_is_classified` (and its shard) until it has
//! a row in `MATRIX` and a request in `request`. The three shards only split the run time.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::http::{Route, ROUTES};

use super::*;
use crate::app::{Creds, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Revoked,
    NonMember,
    Invitee,
    Member,
    Admin,
}

/// Least privileged first: the allowed (possibly destructive) calls come last.
const ORDER: [Who; 6] = [
    Who::Anonymous,
    Who::Revoked,
    Who::NonMember,
    Who::Invitee,
    Who::Member,
    Who::Admin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Allowed: this status.
    Ok(u16),
    /// Refused like a stranger.
    NotFound,
}
use Expect::{NotFound as No, Ok};

/// What each signed-in role gets. Anonymous and revoked callers get 401 on every row.
pub struct Row {
    pub function: &'static str,
    pub admin: Expect,
    pub member: Expect,
    pub invitee: Expect,
    pub non_member: Expect,
}

const fn row(
    function: &'static str,
    admin: Expect,
    member: Expect,
    invitee: Expect,
    non_member: Expect,
) -> Row {
    Row {
        function,
        admin,
        member,
        invitee,
        non_member,
    }
}

#[rustfmt::skip]
pub const MATRIX: &[Row] = &[
    //   function                   admin     member    invitee   non-member
    row("get_group",              Ok(200),  Ok(200),  No,       No),
    row("update_group",           Ok(200),  No,       No,       No),
    row("delete_group",           Ok(200),  No,       No,       No),
    row("list_members",           Ok(200),  Ok(200),  No,       No),
    row("invite_member",          Ok(202),  No,       No,       No),
    row("update_member",          Ok(200),  No,       No,       No),
    row("remove_member",          Ok(200),  No,       No,       No),
    row("list_group_invitations", Ok(200),  No,       No,       No),
    row("cancel_invitation",      Ok(200),  No,       No,       No),
    // The caller's own invitations: everyone signed in may list (their own, nobody else's).
    row("list_invitations",       Ok(200),  Ok(200),  Ok(200),  Ok(200)),
    row("accept_invitation",      No,       No,       Ok(200),  No),
    row("decline_invitation",     No,       No,       Ok(200),  No),
];

pub fn group_scoped(r: &Route) -> bool {
    r.path.contains("{groupId}") || r.path.starts_with("/v1/invitations")
}

/// One request of the matrix for `function`, naming the given ids.
struct Req {
    method: Method,
    path: String,
    body: Option<Value>,
}

fn request(function: &str, gid: &str, member: &str, invitation: &str) -> Req {
    let g = format!("/v1/groups/{gid}");
    let (method, path, body) = match function {
        "get_group" => (Method::GET, g, None),
        "update_group" => (
            Method::PATCH,
            g,
            Some(json!({"description": "set by the matrix"})),
        ),
        "delete_group" => (Method::DELETE, g, None),
        "list_members" => (Method::GET, format!("{g}/members"), None),
        "invite_member" => (
            Method::POST,
            format!("{g}/members"),
            Some(json!({"phoneNumber": "+18005550199"})),
        ),
        "update_member" => (
            Method::PATCH,
            format!("{g}/members/{member}"),
            Some(json!({"role": "admin"})),
        ),
        "remove_member" => (Method::DELETE, format!("{g}/members/{member}"), None),
        "list_group_invitations" => (Method::GET, format!("{g}/invitations"), None),
        "cancel_invitation" => (
            Method::DELETE,
            format!("{g}/invitations/{invitation}"),
            None,
        ),
        "list_invitations" => (Method::GET, "/v1/invitations".into(), None),
        "accept_invitation" => (
            Method::POST,
            format!("/v1/invitations/{invitation}/accept"),
            Some(json!({})),
        ),
        "decline_invitation" => (
            Method::POST,
            format!("/v1/invitations/{invitation}/decline"),
            Some(json!({})),
        ),
        other => panic!(
            "route {other} has no request in the isolation matrix: add one (and a MATRIX row)"
        ),
    };
    Req { method, path, body }
}

/// Every group-scoped route is in the matrix, and every row is a group-scoped route.
pub async fn every_route_is_classified(_app: &TestApp) {
    let scoped: Vec<&Route> = ROUTES.iter().filter(|r| group_scoped(r)).collect();
    assert!(scoped.len() >= MATRIX.len());
    for r in &scoped {
        assert!(
            MATRIX.iter().any(|row| row.function == r.function),
            "{r:?} is group-scoped but not in the isolation matrix: classify it"
        );
        assert!(
            r.auth,
            "{r:?}: a group-scoped route must require credentials"
        );
        request(r.function, "g", "m", "i");
    }
    for row in MATRIX {
        assert!(
            scoped.iter().any(|r| r.function == row.function),
            "matrix row {} names no group-scoped route",
            row.function
        );
    }
}

/// The cast, signed in once per test: an admin (plus a second, revoked client of the same
/// admin), a member, the member the requests act on, an invitee and an outsider.
struct Cast {
    admin: User,
    revoked: Creds,
    member: User,
    target: User,
    invitee: User,
    outsider: User,
}

async fn cast(app: &TestApp) -> Cast {
    let admin = user(app, Some("Matrix Admin")).await;
    let revoked = app.sign_in(&admin.phone).await;
    let out = app
        .post("/v1/auth/logout", &json!({}), Some(&revoked))
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    Cast {
        admin,
        revoked,
        member: user(app, Some("Matrix Member")).await,
        target: user(app, None).await,
        invitee: user(app, None).await,
        outsider: user(app, None).await,
    }
}

/// A fresh group per route: the admin, the member and the target joined, the invitee invited.
struct World {
    gid: String,
    target_mid: String,
    invitation: String,
}

async fn world(app: &TestApp, c: &Cast) -> World {
    let gid = id(&create_group(app, &c.admin, "Matrix group").await);
    join(app, &c.admin, &gid, &c.member).await;
    let target_mid = join(app, &c.admin, &gid, &c.target).await;
    let invitation = invite(app, &c.admin, &gid, &c.invitee.phone).await;
    World {
        gid,
        target_mid,
        invitation,
    }
}

async fn send(app: &TestApp, req: &Req, creds: Option<&Creds>) -> Resp {
    let body = req.body.as_ref().map(Value::to_string);
    app.call(req.method.clone(), &req.path, body.as_deref(), creds)
        .await
}

fn shape(r: &Resp) -> (StatusCode, Vec<String>, String) {
    let mut headers: Vec<String> = r
        .headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "x-request-id" | "date"))
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
        .collect();
    headers.sort();
    (r.status, headers, r.text.clone())
}

async fn run_route(app: &TestApp, c: &Cast, route: &Route) {
    let row = MATRIX
        .iter()
        .find(|row| row.function == route.function)
        .unwrap_or_else(|| panic!("{route:?} is not in the isolation matrix"));
    let w = world(app, c).await;
    let everyone = [&c.admin, &c.member, &c.target, &c.invitee, &c.outsider];
    for who in ORDER {
        let (creds, me, want) = match who {
            Who::Anonymous => (None, None, None),
            Who::Revoked => (Some(&c.revoked), Some(&c.admin), None),
            Who::NonMember => (
                Some(&c.outsider.creds),
                Some(&c.outsider),
                Some(row.non_member),
            ),
            Who::Invitee => (Some(&c.invitee.creds), Some(&c.invitee), Some(row.invitee)),
            Who::Member => (Some(&c.member.creds), Some(&c.member), Some(row.member)),
            Who::Admin => (Some(&c.admin.creds), Some(&c.admin), Some(row.admin)),
        };
        let ctx = format!("{} as {who:?}", route.function);
        let real = request(route.function, &w.gid, &w.target_mid, &w.invitation);
        let before = app.store.writes();
        let r = send(app, &real, creds).await;
        let refused = match want {
            None => {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{ctx}: {}", r.text);
                assert_eq!(r.json()["error"]["code"], "unauthorized", "{ctx}");
                true
            }
            Some(Expect::NotFound) => {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{ctx}: {}", r.text);
                assert_eq!(r.json()["error"]["code"], "not_found", "{ctx}");
                true
            }
            Some(Expect::Ok(status)) => {
                assert_eq!(r.status.as_u16(), status, "{ctx}: {}", r.text);
                allowed_effects(app, c, &w, route.function, who, &r).await;
                false
            }
        };
        if refused {
            assert_eq!(app.store.writes(), before, "{ctx}: a refused call wrote");
            let fake = request(route.function, &random_id(), &random_id(), &random_id());
            let f = send(app, &fake, creds).await;
            assert_eq!(
                shape(&r),
                shape(&f),
                "{ctx}: real and random ids answer differently"
            );
        }
        for other in everyone {
            if Some(other.id.as_str()) != me.map(|m| m.id.as_str()) {
                assert!(
                    !r.text.contains(&other.phone[2..]),
                    "{ctx}: body holds another's number"
                );
            }
        }
    }
}

/// What an allowed call must have done (or shown).
async fn allowed_effects(app: &TestApp, c: &Cast, w: &World, function: &str, who: Who, r: &Resp) {
    let j = r.json();
    let gpath = format!("/v1/groups/{}", w.gid);
    match function {
        "get_group" => {
            assert_eq!(j["id"], w.gid.as_str());
            assert_eq!(
                j["role"],
                if who == Who::Admin { "admin" } else { "member" }
            );
        }
        "list_members" => assert_eq!(j["data"].as_array().unwrap().len(), 3),
        "list_group_invitations" => assert_eq!(j["data"][0]["id"], w.invitation.as_str()),
        "list_invitations" => {
            let has = j["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["groupId"] == w.gid.as_str());
            assert_eq!(
                has,
                who == Who::Invitee,
                "{who:?} sees the invitation: {has}"
            );
        }
        "update_group" => assert_eq!(j["description"], "set by the matrix"),
        "delete_group" => {
            assert_no_trace(
                app,
                &w.gid,
                &[&c.admin, &c.member, &c.target],
                &[&c.invitee.phone],
            )
            .await;
        }
        "invite_member" => assert!(j["invitationId"].is_string()),
        "update_member" => assert_eq!(j["role"], "admin"),
        "remove_member" => {
            let r = get(app, &c.target.creds, &gpath).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        "cancel_invitation" | "decline_invitation" => {
            let l = get(app, &c.invitee.creds, "/v1/invitations").await.json();
            assert!(!l["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["groupId"] == w.gid.as_str()));
        }
        "accept_invitation" => {
            assert_eq!(j["role"], "member");
            assert_eq!(
                get(app, &c.invitee.creds, &gpath).await.status,
                StatusCode::OK
            );
        }
        other => panic!("no allowed-call check for {other}"),
    }
    if function != "delete_group" {
        assert_consistent(
            app,
            &w.gid,
            &[&c.admin, &c.member, &c.target, &c.invitee, &c.outsider],
        )
        .await;
    }
}

#[derive(PartialEq)]
enum Shard {
    Groups,
    Members,
    Invitations,
}

fn shard(r: &Route) -> Shard {
    if r.path.contains("/invitations") {
        Shard::Invitations
    } else if r.path.contains("/members") {
        Shard::Members
    } else {
        Shard::Groups
    }
}

async fn run_shard(app: &TestApp, s: Shard) {
    let c = cast(app).await;
    let routes: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| group_scoped(r) && shard(r) == s)
        .collect();
    assert!(!routes.is_empty());
    for r in routes {
        run_route(app, &c, r).await;
    }
}

/// `/v1/groups/{groupId}` and any other group-scoped route not in the other shards.
pub async fn isolation_matrix_groups(app: &TestApp) {
    run_shard(app, Shard::Groups).await;
}

/// `/v1/groups/{groupId}/members...`
pub async fn isolation_matrix_members(app: &TestApp) {
    run_shard(app, Shard::Members).await;
}

/// `/v1/groups/{groupId}/invitations...` and `/v1/invitations...`
pub async fn isolation_matrix_invitations(app: &TestApp) {
    run_shard(app, Shard::Invitations).await;
}

//! The isolation matrix: every group-scoped route of the route table × {admin, member,
//! follower, blocked follower, invitee, non-member, anonymous, revoked token}. The world's group
//! is public, so follow links, followers and threads exist in it. Each caller gets what its role allows;
//! otherwise 401 (no or dead credentials) or 404 — and that 404 is byte-identical (status,
//! headers, body) to the answer for random ids, so nobody can tell a real group, member or
//! invitation from an invented one. Refused calls write nothing.
//!
//! The routes come from `statx_core::http::ROUTES`: a route whose path has `{groupId}` or
//! starts with `/v1/invitations` fails `every_route_is_classified` (and its shard) until it has
//! a row in `MATRIX`. Requests are built from the route's own method and path; a route that
//! takes a body needs one in `body`, and a route with a new path parameter (say `{statId}`)
//! needs that thing created in `world`. The shards only split the run time.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::http::{Route, ROUTES};

use super::*;
use crate::harness::app::{Creds, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Revoked,
    NonMember,
    Blocked,
    Invitee,
    Follower,
    Member,
    Admin,
}

/// Least privileged first: the allowed (possibly destructive) calls come last.
const ORDER: [Who; 8] = [
    Who::Anonymous,
    Who::Revoked,
    Who::NonMember,
    Who::Blocked,
    Who::Invitee,
    Who::Follower,
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
use crate::harness::case;
use Expect::{NotFound as No, Ok};

/// What each signed-in role gets. Anonymous and revoked callers get 401 on every row.
pub struct Row {
    pub function: &'static str,
    pub admin: Expect,
    pub member: Expect,
    pub invitee: Expect,
    pub non_member: Expect,
    pub follower: Expect,
    pub blocked: Expect,
}

const fn row(
    function: &'static str,
    admin: Expect,
    member: Expect,
    invitee: Expect,
    non_member: Expect,
    follower: Expect,
    blocked: Expect,
) -> Row {
    Row {
        function,
        admin,
        member,
        invitee,
        non_member,
        follower,
        blocked,
    }
}

#[rustfmt::skip]
pub const MATRIX: &[Row] = &[
    //   function                   admin     member    invitee   non-member follower  blocked
    row("get_group",              Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("update_group",           Ok(200),  No,       No,       No,       No,       No),
    row("delete_group",           Ok(200),  No,       No,       No,       No,       No),
    row("list_members",           Ok(200),  Ok(200),  No,       No,       No,       No),
    row("invite_member",          Ok(202),  No,       No,       No,       No,       No),
    row("update_member",          Ok(200),  No,       No,       No,       No,       No),
    row("remove_member",          Ok(200),  No,       No,       No,       No,       No),
    row("list_group_invitations", Ok(200),  No,       No,       No,       No,       No),
    row("cancel_invitation",      Ok(200),  No,       No,       No,       No,       No),
    // The caller's own invitations: everyone signed in may list (their own, nobody else's).
    row("list_invitations",       Ok(200),  Ok(200),  Ok(200),  Ok(200),  Ok(200),  Ok(200)),
    row("accept_invitation",      No,       No,       Ok(200),  No,       No,       No),
    row("decline_invitation",     No,       No,       Ok(200),  No,       No,       No),
    // Stats: members read and update values; admins create and delete.
    row("list_stats",             Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("create_stat",            Ok(201),  No,       No,       No,       No,       No),
    row("get_stat",               Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("update_stat",            Ok(200),  Ok(200),  No,       No,       No,       No),
    row("delete_stat",            Ok(200),  No,       No,       No,       No,       No),
    row("list_stat_history",      Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("get_stat_settings",      Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("update_stat_settings",   Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
    row("list_attachments",       Ok(200),  Ok(200),  No,       No,       No,       No),
    row("create_attachment",      Ok(201),  Ok(201),  No,       No,       No,       No),
    row("get_attachment",         Ok(200),  Ok(200),  No,       No,       No,       No),
    // The world's attachment is the admin's: a member deletes only their own.
    row("delete_attachment",      Ok(200),  No,       No,       No,       No,       No),
    // Follow links, followers, chat, mute.
    row("create_follow_link",     Ok(201),  No,       No,       No,       No,       No),
    row("list_follow_links",      Ok(200),  No,       No,       No,       No,       No),
    row("delete_follow_link",     Ok(200),  No,       No,       No,       No,       No),
    // Anyone signed in holding a link may look and follow, except a blocked user.
    row("preview_follow",         Ok(200),  Ok(200),  Ok(200),  Ok(200),  Ok(200),  No),
    row("follow_group",           Ok(200),  Ok(200),  Ok(200),  Ok(200),  Ok(200),  No),
    row("unfollow_group",         No,       No,       No,       No,       Ok(200),  No),
    row("list_followers",         Ok(200),  No,       No,       No,       No,       No),
    row("block_follower",         Ok(200),  No,       No,       No,       No,       No),
    row("unblock_follower",       Ok(200),  No,       No,       No,       No,       No),
    row("list_messages",          Ok(200),  Ok(200),  No,       No,       No,       No),
    row("post_message",           Ok(201),  Ok(201),  No,       No,       No,       No),
    row("list_my_thread_messages",No,       No,       No,       No,       Ok(200),  No),
    row("post_my_thread_message", No,       No,       No,       No,       Ok(201),  No),
    row("list_threads",           Ok(200),  No,       No,       No,       No,       No),
    row("list_thread_messages",   Ok(200),  No,       No,       No,       No,       No),
    row("post_thread_message",    Ok(201),  No,       No,       No,       No,       No),
    row("mute_group",             Ok(200),  Ok(200),  No,       No,       Ok(200),  No),
];

pub fn group_scoped(r: &Route) -> bool {
    r.path.contains("{groupId}")
        || r.path.starts_with("/v1/invitations")
        || r.path.starts_with("/v1/follow/")
}

/// One request of the matrix: the route's method and path with the given ids.
struct Req {
    method: Method,
    path: String,
    body: Option<Value>,
}

/// The body a route is called with (only routes that take one).
fn body(route: &Route) -> Option<Value> {
    let b = match route.function {
        "update_group" => json!({"description": "set by the matrix"}),
        "invite_member" => json!({"phoneNumber": "+18005550199"}),
        "update_member" => json!({"role": "admin"}),
        "accept_invitation" | "decline_invitation" => json!({}),
        "create_stat" => json!({"title": "Matrix stat", "visualType": "NUMBER", "value": "1"}),
        "update_stat" => json!({"value": "42"}),
        "update_stat_settings" => json!({"notify": "NONE"}),
        "create_attachment" => {
            json!({"fileName": "m.txt", "contentType": "text/plain", "size": 3})
        }
        "create_follow_link" => json!({"maxUses": 5}),
        "follow_group" | "block_follower" | "unblock_follower" => json!({}),
        "post_message" | "post_my_thread_message" | "post_thread_message" => {
            json!({"text": "matrix message"})
        }
        "mute_group" => json!({"muted": true}),
        other if matches!(route.method, "POST" | "PUT" | "PATCH") => {
            panic!("route {other} takes a body: give the isolation matrix one in `body`")
        }
        _ => return None,
    };
    Some(b)
}

/// The route's request with its path parameters taken from `params`.
fn request(route: &Route, params: &BTreeMap<&'static str, String>) -> Req {
    let mut path = route.path.to_string();
    while let Some(open) = path.find('{') {
        let close = open + path[open..].find('}').expect("closing brace");
        let name = &path[open + 1..close];
        let value = params.get(name).unwrap_or_else(|| {
            panic!("{route:?}: the isolation matrix world has no {{{name}}}: create one in `world`")
        });
        path.replace_range(open..=close, value);
    }
    Req {
        method: Method::from_bytes(route.method.as_bytes()).unwrap(),
        path,
        body: body(route),
    }
}

/// The same parameters, each replaced by a random id.
fn randomised(params: &BTreeMap<&'static str, String>) -> BTreeMap<&'static str, String> {
    params.keys().map(|k| (*k, random_id())).collect()
}

/// Every group-scoped route is in the matrix, and every row is a group-scoped route.
#[case]
pub async fn every_route_is_classified(_app: &TestApp) {
    let scoped: Vec<&Route> = ROUTES.iter().filter(|r| group_scoped(r)).collect();
    assert!(scoped.len() >= MATRIX.len());
    for r in &scoped {
        assert!(
            MATRIX.iter().any(|row| row.function == r.function),
            "{r:?} is group-scoped but not in the isolation matrix: classify it"
        );
        assert!(
            r.handler.needs_auth(),
            "{r:?}: a group-scoped route must require credentials"
        );
        body(r);
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
    follower: User,
    blocked: User,
}

async fn cast(app: &TestApp) -> Cast {
    let admin = user(app, Some("Matrix Admin")).await;
    let revoked = app.sign_in(&admin.phone).await;
    let out = app.logout(&revoked, json!({})).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    Cast {
        admin,
        revoked,
        member: user(app, Some("Matrix Member")).await,
        target: user(app, None).await,
        invitee: user(app, None).await,
        outsider: user(app, None).await,
        follower: user(app, None).await,
        blocked: user(app, None).await,
    }
}

/// A fresh group per route: the admin, the member and the target joined, the invitee invited.
/// `params` names what the requests act on, by path parameter; a route with a new kind of
/// parameter needs that thing created here.
struct World {
    gid: String,
    invitation: String,
    params: BTreeMap<&'static str, String>,
}

async fn world(app: &TestApp, c: &Cast) -> World {
    let gid = id(&crate::follow::create_public_group(app, &c.admin, "Matrix group").await);
    join(app, &c.admin, &gid, &c.member).await;
    let target_mid = join(app, &c.admin, &gid, &c.target).await;
    let invitation = invite(app, &c.admin, &gid, &c.invitee.phone).await;
    let stat = crate::stats::number_stat(app, &c.admin, &gid, "Matrix stat").await;
    let (attachment, _) = crate::stats::attachments::ready_attachment_with_id(
        app,
        &c.admin,
        &gid,
        &stat,
        b"abc".to_vec(),
    )
    .await;
    let (link_id, token) = crate::follow::link(app, &c.admin, &gid, json!({})).await;
    let follower_id = crate::follow::follow(app, &c.follower, &token).await;
    let blocked_id = crate::follow::follow(app, &c.blocked, &token).await;
    let r = app
        .post(
            &c.admin.creds,
            &format!("/v1/groups/{gid}/followers/{blocked_id}/block"),
            json!({}),
        )
        .await;
    expect(&r, StatusCode::OK);
    let r = app
        .post(
            &c.follower.creds,
            &format!("/v1/groups/{gid}/threads/mine/messages"),
            json!({"text": "hello admins"}),
        )
        .await;
    expect(&r, StatusCode::CREATED);
    let params = BTreeMap::from([
        ("groupId", gid.clone()),
        ("linkId", link_id),
        ("token", token),
        ("followerId", follower_id.clone()),
        ("threadId", follower_id),
        ("memberId", target_mid),
        ("invitationId", invitation.clone()),
        ("statId", stat),
        ("attachmentId", attachment),
    ]);
    World {
        gid,
        invitation,
        params,
    }
}

async fn send(app: &TestApp, req: &Req, creds: Option<&Creds>) -> Resp {
    let body = req.body.as_ref().map(Value::to_string);
    app.request(creds, req.method.clone(), &req.path, body.as_deref())
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
    let everyone = [
        &c.admin,
        &c.member,
        &c.target,
        &c.invitee,
        &c.outsider,
        &c.follower,
        &c.blocked,
    ];
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
            Who::Follower => (
                Some(&c.follower.creds),
                Some(&c.follower),
                Some(row.follower),
            ),
            Who::Blocked => (Some(&c.blocked.creds), Some(&c.blocked), Some(row.blocked)),
            Who::Member => (Some(&c.member.creds), Some(&c.member), Some(row.member)),
            Who::Admin => (Some(&c.admin.creds), Some(&c.admin), Some(row.admin)),
        };
        let ctx = format!("{} as {who:?}", route.function);
        let real = request(route, &w.params);
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
            let fake = request(route, &randomised(&w.params));
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
            let role = match who {
                Who::Admin => "admin",
                Who::Follower => "follower",
                _ => "member",
            };
            assert_eq!(j["role"], role);
            assert_eq!(j["followerCount"].is_i64(), who == Who::Admin, "{j}");
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
                &[&c.admin, &c.member, &c.target, &c.follower, &c.blocked],
                &[&c.invitee.phone],
            )
            .await;
        }
        "invite_member" => assert!(j["invitationId"].is_string()),
        "update_member" => assert_eq!(j["role"], "admin"),
        "remove_member" => {
            let r = app.get(&c.target.creds, &gpath).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        "cancel_invitation" | "decline_invitation" => {
            let l = app.list_invitations(&c.invitee.creds, "").await.json();
            assert!(!l["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["groupId"] == w.gid.as_str()));
        }
        "accept_invitation" => {
            assert_eq!(j["role"], "member");
            assert_eq!(
                app.get(&c.invitee.creds, &gpath).await.status,
                StatusCode::OK
            );
        }
        "list_stats" => assert_eq!(j["data"][0]["id"], w.params["statId"].as_str()),
        "get_stat" | "update_stat" => {
            assert_eq!(j["id"], w.params["statId"].as_str());
            assert!(r.header("etag").is_some());
        }
        "delete_stat" => {
            let path = format!("{gpath}/stats/{}", w.params["statId"]);
            assert_eq!(
                app.get(&c.admin.creds, &path).await.status,
                StatusCode::NOT_FOUND
            );
        }
        "list_stat_history" => assert!(!j["data"].as_array().unwrap().is_empty()),
        "list_attachments" => assert_eq!(j["data"][0]["id"], w.params["attachmentId"].as_str()),
        "get_attachment" => assert!(j["downloadUrl"].is_string()),
        "create_attachment" => assert!(j["uploadUrl"].is_string()),
        "list_followers" => {
            let f = j["data"].as_array().unwrap();
            assert_eq!(f.len(), 2);
            assert!(f
                .iter()
                .all(|f| f["pseudonym"].as_str().unwrap().starts_with("Follower ")));
            assert_eq!(f.iter().filter(|f| f["blocked"] == true).count(), 1);
        }
        "list_threads" => assert_eq!(j["data"][0]["id"], w.params["threadId"].as_str()),
        "list_my_thread_messages" | "list_thread_messages" => {
            assert_eq!(j["data"][0]["text"], "hello admins")
        }
        "list_messages" => assert!(j["data"].as_array().unwrap().is_empty()),
        "unfollow_group" | "block_follower" => {
            let r = app.get(&c.follower.creds, &gpath).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        "delete_follow_link" => {
            let r = app
                .get(
                    &c.outsider.creds,
                    &format!("/v1/follow/{}", w.params["token"]),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        "follow_group" => {
            let want = match who {
                Who::Admin => "admin",
                Who::Member => "member",
                _ => "follower",
            };
            assert_eq!(j["role"], want);
        }
        "mute_group" => assert_eq!(j["muted"], true),
        // Other routes: the status and the store's consistency are checked.
        _ => {}
    }
    if function != "delete_group" {
        assert_consistent(
            app,
            &w.gid,
            &[
                &c.admin,
                &c.member,
                &c.target,
                &c.invitee,
                &c.outsider,
                &c.follower,
                &c.blocked,
            ],
        )
        .await;
    }
}

/// The matrix runs in `SHARDS` tests, each taking every `SHARDS`-th group-scoped route, so
/// new routes spread over them.
pub const SHARDS: usize = 4;

async fn run_shard(app: &TestApp, shard: usize) {
    let c = cast(app).await;
    let routes: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| group_scoped(r))
        .enumerate()
        .filter(|(i, _)| i % SHARDS == shard)
        .map(|(_, r)| r)
        .collect();
    assert!(!routes.is_empty());
    for r in routes {
        run_route(app, &c, r).await;
    }
}

#[case]
pub async fn isolation_matrix_0(app: &TestApp) {
    run_shard(app, 0).await;
}

#[case]
pub async fn isolation_matrix_1(app: &TestApp) {
    run_shard(app, 1).await;
}

#[case]
pub async fn isolation_matrix_2(app: &TestApp) {
    run_shard(app, 2).await;
}

#[case]
pub async fn isolation_matrix_3(app: &TestApp) {
    run_shard(app, 3).await;
}

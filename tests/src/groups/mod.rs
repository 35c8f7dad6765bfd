//! Groups: private groups and their life, members and roles, invitations by phone number;
//! and the checks that span every group-scoped route: the isolation matrix, privacy of
//! numbers, races. The helpers here (users, groups, store inspection) serve the other
//! features' suites too.

pub mod concurrency;
pub mod invitations;
pub mod isolation;
pub mod lifecycle;
pub mod members;
pub mod privacy;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::ports::{Item, Key, Query};
use statx_core::store::keys;

use crate::harness::app::{unique_phone, Creds, Kind, Resp, TestApp};

/// A server for these suites. Every test signs in several users from 127.0.0.1, so the per-IP
/// login cap is raised (it is tested in the account suite); everything else is the default.
pub async fn test_app(kind: Kind) -> TestApp {
    TestApp::new(kind, |c| c.limits.logins_per_ip_hour = 10_000).await
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub phone: String,
    pub creds: Creds,
    pub id: String,
}

/// Sign in a fresh number; set a display name when given.
pub async fn user(app: &TestApp, display_name: Option<&str>) -> User {
    let phone = unique_phone();
    user_with(app, &phone, display_name).await
}

pub async fn user_with(app: &TestApp, phone: &str, display_name: Option<&str>) -> User {
    let creds = app.sign_in(phone).await;
    if let Some(name) = display_name {
        let r = app
            .patch(&creds, "/v1/me", json!({ "displayName": name }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let me = app.request(Some(&creds), Method::GET, "/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    User {
        phone: phone.to_string(),
        id: me.json()["id"].as_str().unwrap().to_string(),
        creds,
    }
}

pub fn expect(r: &Resp, status: StatusCode) -> Value {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.json()
}

pub fn expect_error(r: &Resp, status: StatusCode, code: &str) {
    let j = expect(r, status);
    assert_eq!(j["error"]["code"], code, "{}", r.text);
}

/// Create a group; returns its JSON.
pub async fn create_group(app: &TestApp, admin: &User, name: &str) -> Value {
    let r = app
        .post(&admin.creds, "/v1/groups", json!({ "name": name }))
        .await;
    expect(&r, StatusCode::CREATED)
}

pub fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// Invite `phone`; returns the invitation id.
pub async fn invite(app: &TestApp, by: &User, gid: &str, phone: &str) -> String {
    let r = app
        .post(
            &by.creds,
            &format!("/v1/groups/{gid}/members"),
            json!({ "phoneNumber": phone }),
        )
        .await;
    expect(&r, StatusCode::ACCEPTED)["invitationId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Invite `who` and accept as them; returns their member id.
pub async fn join(app: &TestApp, admin: &User, gid: &str, who: &User) -> String {
    let inv = invite(app, admin, gid, &who.phone).await;
    let r = app
        .post(
            &who.creds,
            &format!("/v1/invitations/{inv}/accept"),
            json!({}),
        )
        .await;
    let g = expect(&r, StatusCode::OK);
    assert_eq!(g["role"], "member");
    g["memberId"].as_str().unwrap().to_string()
}

/// Members of a group as `who` sees them.
pub async fn members_of(app: &TestApp, who: &User, gid: &str) -> Vec<Value> {
    let r = app
        .get(&who.creds, &format!("/v1/groups/{gid}/members?limit=100"))
        .await;
    expect(&r, StatusCode::OK)["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// A random id in our format (what a stranger guessing ids would send).
pub fn random_id() -> String {
    use statx_core::ports::random::RandomExt;
    statx_core::ports::OsRandom.id()
}

// ---- looking at the store directly (orphans, counters)

pub fn phone_index(app: &TestApp, phone: &str) -> String {
    app.deps
        .crypto
        .blind_index(keys::kind::PHONE, phone.as_bytes())
}

/// Every item of a partition.
pub async fn partition(app: &TestApp, pk: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .deps
            .store
            .query(&Query::new(pk).limit(100).cursor(cursor))
            .await
            .unwrap();
        out.extend(page.items);
        match page.next {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

pub async fn exists(app: &TestApp, key: &Key) -> bool {
    app.deps.store.get(key).await.unwrap().is_some()
}

/// The store agrees with itself for this group: META's counts match the member items, every
/// member item has its index entry with the same role and version, and vice versa for `users`.
pub async fn assert_consistent(app: &TestApp, gid: &str, users: &[&User]) {
    use statx_core::ports::ItemExt;
    let items = partition(app, &keys::group_pk(gid)).await;
    let meta = items
        .iter()
        .find(|i| i.s("sk") == Some("META"))
        .expect("META");
    let members: Vec<&Item> = items
        .iter()
        .filter(|i| i.s("sk").unwrap().starts_with("MEMBER#"))
        .collect();
    let admins = members
        .iter()
        .filter(|m| m.s("role") == Some("admin"))
        .count();
    assert_eq!(
        meta.n("memberCount"),
        Some(members.len() as i64),
        "memberCount"
    );
    assert_eq!(meta.n("adminCount"), Some(admins as i64), "adminCount");
    assert!(admins >= 1, "a group without an admin");
    for m in &members {
        let uid = m.s("userId").unwrap();
        let index = app
            .deps
            .store
            .get(&keys::membership(uid, gid))
            .await
            .unwrap()
            .expect("member without index entry");
        assert_eq!(index.s("role"), m.s("role"), "index role != member role");
        assert_eq!(
            index.version(),
            m.version(),
            "index version != member version"
        );
        let mid = m.s("sk").unwrap().strip_prefix("MEMBER#").unwrap();
        assert_eq!(index.s("memberId"), Some(mid));
    }
    let followers: Vec<&Item> = items
        .iter()
        .filter(|i| i.s("sk").unwrap().starts_with("FOLLOWER#"))
        .collect();
    for u in users {
        let index = app
            .deps
            .store
            .get(&keys::membership(&u.id, gid))
            .await
            .unwrap();
        let has_member = members.iter().any(|m| m.s("userId") == Some(u.id.as_str()));
        let follower = followers
            .iter()
            .find(|f| f.s("userId") == Some(u.id.as_str()) && f.bool("blocked") == Some(false));
        match &index {
            Some(i) if i.s("role") == Some("follower") => {
                let f = follower.expect("follower index without follower item");
                assert_eq!(
                    f.version(),
                    i.version(),
                    "follower version != index version"
                );
                assert!(!has_member, "a follower is not a member");
            }
            _ => {
                assert_eq!(
                    index.is_some(),
                    has_member,
                    "index entry without member item"
                );
                assert!(follower.is_none(), "follower item without index entry");
            }
        }
    }
    let count = items
        .iter()
        .find(|i| i.s("sk") == Some("FOLLOWERS"))
        .and_then(|c| c.n("count"))
        .unwrap_or(0);
    let active = followers
        .iter()
        .filter(|f| f.bool("blocked") == Some(false))
        .count();
    assert_eq!(count, active as i64, "followerCount");
}

/// Nothing of the group is left: its partition, the members' index entries, the invitees'
/// invitations.
pub async fn assert_no_trace(app: &TestApp, gid: &str, users: &[&User], invited: &[&str]) {
    let left = partition(app, &keys::group_pk(gid)).await;
    assert!(
        left.is_empty(),
        "items left under the group: {}",
        left.len()
    );
    for u in users {
        assert!(
            !exists(app, &keys::membership(&u.id, gid)).await,
            "orphan membership index"
        );
        assert!(
            !exists(app, &keys::mute(&u.id, gid)).await,
            "orphan mute flag"
        );
        assert!(
            !exists(app, &keys::blocked(&u.id, gid)).await,
            "orphan block marker"
        );
    }
    for phone in invited {
        assert!(
            !exists(app, &keys::invite(&phone_index(app, phone), gid)).await,
            "orphan invitation"
        );
    }
}

pub fn is_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 26 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub fn rfc3339(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}")))
        .unwrap_or_else(|e| panic!("{v}: {e}"))
}

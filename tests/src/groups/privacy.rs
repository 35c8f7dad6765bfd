//! Privacy rule (docs/security.md): no response ever contains another person's phone number. Three users
//! (and a fourth number that never signs up) go through sign-in, groups, invitations, roles,
//! errors, export and departure; every response body is recorded with the caller's number and
//! scanned for anybody else's, in E.164, without '+', and as national digits.

use std::sync::Mutex;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use statx_core::http::routes::by_function;

use super::*;
use crate::harness::app::{unique_phone, Creds, TestApp};
use crate::harness::case;
use crate::harness::logs;

/// The ways a number can be written that the scan looks for.
fn forms(phone: &str) -> [String; 3] {
    // "+14155550123", "14155550123", "4155550123" (all test numbers are +1).
    [
        phone.to_string(),
        phone[1..].to_string(),
        phone[2..].to_string(),
    ]
}

/// Which of `everyone` but `caller` appear in `body`.
pub fn leaks(body: &str, caller: &str, everyone: &[&str]) -> Vec<String> {
    everyone
        .iter()
        .filter(|p| **p != caller)
        .flat_map(|p| forms(p))
        .filter(|f| body.contains(f.as_str()))
        .collect()
}

struct Recorder<'a> {
    app: &'a TestApp,
    /// (caller's number, request, response body)
    seen: Mutex<Vec<(String, String, String)>>,
}

impl<'a> Recorder<'a> {
    fn record(&self, phone: &str, what: String, r: &Resp) {
        self.seen
            .lock()
            .unwrap()
            .push((phone.to_string(), what, r.text.clone()));
    }

    async fn call(&self, who: &User, method: Method, path: &str, body: Option<Value>) -> Resp {
        let text = body.map(|b| b.to_string());
        let r = self
            .app
            .request(Some(&who.creds), method.clone(), path, text.as_deref())
            .await;
        self.record(&who.phone, format!("{method} {path}"), &r);
        r
    }

    async fn sign_in(&self, phone: &str) -> Creds {
        self.app.after_cooldown();
        let login = self.app.login(phone).await;
        self.record(phone, "login".into(), &login);
        let client = login.json()["clientId"].as_str().unwrap().to_string();
        let code = self.app.code_for(phone).await;
        let v = self.app.verify(phone, &client, &code).await;
        self.record(phone, "verifyCode".into(), &v);
        let j = expect(&v, StatusCode::CREATED);
        Creds {
            api_key: j["apiKey"].as_str().unwrap().into(),
            auth_token: j["authToken"].as_str().unwrap().into(),
        }
    }

    async fn user(&self, name: Option<&str>) -> User {
        let phone = unique_phone();
        let creds = self.sign_in(&phone).await;
        let mut u = User {
            phone,
            creds,
            id: String::new(),
        };
        if let Some(n) = name {
            self.call(
                &u,
                Method::PATCH,
                "/v1/me",
                Some(json!({ "displayName": n })),
            )
            .await;
        }
        u.id = self.call(&u, Method::GET, "/v1/me", None).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        u
    }
}

#[case]
pub async fn no_response_holds_another_persons_number(app: &TestApp) {
    // The scan itself finds numbers.
    assert_eq!(
        leaks(
            r#"{"x":"call 4155550123"}"#,
            "+14155550000",
            &["+14155550123"]
        )
        .len(),
        1
    );
    assert!(leaks("+14155550123", "+14155550123", &["+14155550123"]).is_empty());

    let rec = Recorder {
        app,
        seen: Mutex::new(Vec::new()),
    };
    let (get, post, patch, del) = (Method::GET, Method::POST, Method::PATCH, Method::DELETE);
    let a = rec.user(Some("Ada")).await;
    let b = rec.user(None).await;
    let c = rec.user(Some("Cy")).await;
    let d = unique_phone();

    let g = rec
        .call(
            &a,
            post.clone(),
            "/v1/groups",
            Some(json!({"name": "Privacy", "description": "numbers"})),
        )
        .await;
    let gid = id(&expect(&g, StatusCode::CREATED));
    let gp = format!("/v1/groups/{gid}");
    let mp = format!("{gp}/members");
    let ip = format!("{gp}/invitations");
    let inv = |who: &str, name: Option<&str>| match name {
        Some(n) => json!({"phoneNumber": who, "displayName": n}),
        None => json!({"phoneNumber": who}),
    };
    rec.call(&a, post.clone(), &mp, Some(inv(&b.phone, Some("Bee"))))
        .await;
    rec.call(&a, post.clone(), &mp, Some(inv(&c.phone, None)))
        .await;
    rec.call(&a, post.clone(), &mp, Some(inv(&d, Some("Dee"))))
        .await;
    rec.call(&a, get.clone(), &ip, None).await;

    let list = rec
        .call(&b, get.clone(), "/v1/invitations", None)
        .await
        .json();
    let b_inv = list["data"][0]["id"].as_str().unwrap().to_string();
    rec.call(
        &b,
        post.clone(),
        &format!("/v1/invitations/{b_inv}/accept"),
        Some(json!({})),
    )
    .await;
    let list = rec
        .call(&c, get.clone(), "/v1/invitations", None)
        .await
        .json();
    let c_inv = list["data"][0]["id"].as_str().unwrap().to_string();
    rec.call(
        &c,
        post.clone(),
        &format!("/v1/invitations/{c_inv}/decline"),
        Some(json!({})),
    )
    .await;
    rec.call(&a, post.clone(), &mp, Some(inv(&c.phone, Some("Cee"))))
        .await;
    let list = rec
        .call(&c, get.clone(), "/v1/invitations", None)
        .await
        .json();
    let c_inv = list["data"][0]["id"].as_str().unwrap().to_string();
    let joined = rec
        .call(
            &c,
            post.clone(),
            &format!("/v1/invitations/{c_inv}/accept"),
            Some(json!({})),
        )
        .await;
    let c_mid = joined.json()["memberId"].as_str().unwrap().to_string();

    for u in [&a, &b, &c] {
        rec.call(u, get.clone(), "/v1/groups", None).await;
        rec.call(u, get.clone(), &gp, None).await;
        rec.call(u, get.clone(), &mp, None).await;
        rec.call(u, get.clone(), "/v1/invitations", None).await;
    }
    rec.call(
        &a,
        patch.clone(),
        &gp,
        Some(json!({"settings": {"membersCanInvite": true}})),
    )
    .await;
    rec.call(&b, post.clone(), &mp, Some(inv(&d, None))).await;
    let members = rec.call(&a, get.clone(), &mp, None).await.json();
    let b_mid = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["displayName"] == "Bee")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    rec.call(
        &a,
        patch.clone(),
        &format!("{mp}/{b_mid}"),
        Some(json!({"role": "admin"})),
    )
    .await;
    rec.call(&b, get.clone(), &ip, None).await;
    rec.call(&b, get.clone(), &mp, None).await;

    // Errors never echo what was sent.
    rec.call(
        &c,
        post.clone(),
        &mp,
        Some(json!({"phoneNumber": a.phone, "extra": 1})),
    )
    .await;
    rec.call(
        &c,
        post.clone(),
        &mp,
        Some(json!({"phoneNumber": a.phone[1..].to_string()})),
    )
    .await;
    rec.call(
        &c,
        patch.clone(),
        "/v1/me",
        Some(json!({"displayName": "x", "phoneNumber": b.phone})),
    )
    .await;
    rec.call(
        &c,
        post.clone(),
        &format!("/v1/invitations/{}/accept", random_id()),
        Some(json!({})),
    )
    .await;
    rec.call(&c, get.clone(), &ip, None).await;

    for u in [&a, &b, &c] {
        rec.call(u, get.clone(), "/v1/me", None).await;
        if by_function("export_me").is_some() {
            let e = rec.call(u, get.clone(), "/v1/me/export", None).await;
            assert_eq!(e.status, StatusCode::OK, "{}", e.text);
        }
    }
    rec.call(&c, del.clone(), &format!("{mp}/{c_mid}"), None)
        .await;
    rec.call(&b, del.clone(), &format!("{mp}/{b_mid}"), None)
        .await;
    rec.call(&a, get.clone(), &ip, None).await;
    rec.call(&a, del.clone(), &gp, None).await;
    rec.call(&b, get.clone(), "/v1/groups", None).await;

    let everyone = [
        a.phone.as_str(),
        b.phone.as_str(),
        c.phone.as_str(),
        d.as_str(),
    ];
    let seen = rec.seen.lock().unwrap();
    assert!(seen.len() >= 50, "only {} responses recorded", seen.len());
    let mut own_seen = 0;
    for (caller, what, body) in seen.iter() {
        let found = leaks(body, caller, &everyone);
        assert!(
            found.is_empty(),
            "{what} answered {caller:?}'s caller with another's number: {body}"
        );
        if body.contains(&caller[2..]) {
            own_seen += 1;
        }
    }
    // The scan sees numbers where they are allowed (the caller's own, e.g. /v1/me).
    assert!(
        own_seen >= 3,
        "the caller's own number never appeared: the scan would be vacuous"
    );
    logs::assert_absent(&everyone);
}

//! The test client: `TestApp` has one method per endpoint of the route table, all alike:
//! credentials first, then the path ids in path order, then the body (a JSON value) or, for
//! lists, the query string (`""` for none, else `"limit=2&cursor=..."`); every one returns a
//! [`Resp`]. Under them are the verbs (`get`, `post`, `put`, `patch`, `delete` with a path),
//! and [`TestApp::request`] for what the endpoints cannot express (no or dead credentials,
//! bodies that are not JSON, extra headers).
//!
//! Bodies are sent as-is with no Content-Type, as StatX clients do.

use reqwest::Method;
use serde_json::{json, Value};

use super::app::{Creds, Resp, TestApp};

/// `path` with `?query` when there is one.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

impl TestApp {
    /// Any request: optional credentials, the body sent as-is.
    pub async fn request(
        &self,
        creds: Option<&Creds>,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Resp {
        self.request_with_headers(creds, method, path, body, &[])
            .await
    }

    /// Any request with extra headers (If-Match...).
    pub async fn request_with_headers(
        &self,
        creds: Option<&Creds>,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(c) = creds {
            req = req
                .header("X-API-KEY", &c.api_key)
                .header("X-Auth-Token", &c.auth_token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let resp = req.send().await.expect("request sent");
        Resp {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body read"),
        }
    }

    pub async fn get(&self, c: &Creds, path: &str) -> Resp {
        self.request(Some(c), Method::GET, path, None).await
    }

    pub async fn post(&self, c: &Creds, path: &str, body: Value) -> Resp {
        self.request(Some(c), Method::POST, path, Some(&body.to_string()))
            .await
    }

    pub async fn put(&self, c: &Creds, path: &str, body: Value) -> Resp {
        self.request(Some(c), Method::PUT, path, Some(&body.to_string()))
            .await
    }

    pub async fn patch(&self, c: &Creds, path: &str, body: Value) -> Resp {
        self.request(Some(c), Method::PATCH, path, Some(&body.to_string()))
            .await
    }

    pub async fn delete(&self, c: &Creds, path: &str) -> Resp {
        self.request(Some(c), Method::DELETE, path, None).await
    }

    // ---- the endpoints without credentials

    /// `POST /v1/auth/login` for `phone`.
    pub async fn login(&self, phone: &str) -> Resp {
        let body = json!({"phoneNumber": phone, "clientName": "test suite"});
        self.request(
            None,
            Method::POST,
            "/v1/auth/login",
            Some(&body.to_string()),
        )
        .await
    }

    /// `POST /v1/auth/verifyCode`.
    pub async fn verify(&self, phone: &str, client_id: &str, code: &str) -> Resp {
        let body = json!({"clientId": client_id, "phoneNumber": phone, "verificationCode": code});
        let path = "/v1/auth/verifyCode";
        self.request(None, Method::POST, path, Some(&body.to_string()))
            .await
    }

    // ---- the endpoints with credentials, in route table order

    /// `POST /v1/auth/logout`
    pub async fn logout(&self, c: &Creds, body: Value) -> Resp {
        self.post(c, "/v1/auth/logout", body).await
    }

    /// `GET /v1/me`
    pub async fn get_me(&self, c: &Creds) -> Resp {
        self.get(c, "/v1/me").await
    }

    /// `PATCH /v1/me`
    pub async fn update_me(&self, c: &Creds, body: Value) -> Resp {
        self.patch(c, "/v1/me", body).await
    }

    /// `GET /v1/me/clients`
    pub async fn list_clients(&self, c: &Creds, query: &str) -> Resp {
        self.get(c, &with_query("/v1/me/clients", query)).await
    }

    /// `DELETE /v1/me/clients/{clientId}`
    pub async fn revoke_client(&self, c: &Creds, client_id: &str) -> Resp {
        self.delete(c, &format!("/v1/me/clients/{client_id}")).await
    }

    /// `POST /v1/me/phone`
    pub async fn change_phone(&self, c: &Creds, body: Value) -> Resp {
        self.post(c, "/v1/me/phone", body).await
    }

    /// `POST /v1/me/phone/verify`
    pub async fn verify_phone(&self, c: &Creds, body: Value) -> Resp {
        self.post(c, "/v1/me/phone/verify", body).await
    }

    /// `GET /v1/me/export`
    pub async fn export_me(&self, c: &Creds) -> Resp {
        self.get(c, "/v1/me/export").await
    }

    /// `DELETE /v1/me`
    pub async fn delete_me(&self, c: &Creds) -> Resp {
        self.delete(c, "/v1/me").await
    }

    /// `POST /v1/devices`
    pub async fn register_device(&self, c: &Creds, body: Value) -> Resp {
        self.post(c, "/v1/devices", body).await
    }

    /// `DELETE /v1/devices/{deviceId}`
    pub async fn delete_device(&self, c: &Creds, device_id: &str) -> Resp {
        self.delete(c, &format!("/v1/devices/{device_id}")).await
    }

    /// `GET /v1/groups`
    pub async fn list_groups(&self, c: &Creds, query: &str) -> Resp {
        self.get(c, &with_query("/v1/groups", query)).await
    }

    /// `POST /v1/groups`
    pub async fn create_group(&self, c: &Creds, body: Value) -> Resp {
        self.post(c, "/v1/groups", body).await
    }

    /// `GET /v1/groups/{groupId}`
    pub async fn get_group(&self, c: &Creds, group_id: &str) -> Resp {
        self.get(c, &format!("/v1/groups/{group_id}")).await
    }

    /// `PATCH /v1/groups/{groupId}`
    pub async fn update_group(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.patch(c, &format!("/v1/groups/{group_id}"), body).await
    }

    /// `DELETE /v1/groups/{groupId}`
    pub async fn delete_group(&self, c: &Creds, group_id: &str) -> Resp {
        self.delete(c, &format!("/v1/groups/{group_id}")).await
    }

    /// `GET /v1/groups/{groupId}/members`
    pub async fn list_members(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/members"), query),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/members`
    pub async fn invite_member(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/groups/{group_id}/members"), body)
            .await
    }

    /// `PATCH /v1/groups/{groupId}/members/{memberId}`
    pub async fn update_member(
        &self,
        c: &Creds,
        group_id: &str,
        member_id: &str,
        body: Value,
    ) -> Resp {
        self.patch(
            c,
            &format!("/v1/groups/{group_id}/members/{member_id}"),
            body,
        )
        .await
    }

    /// `DELETE /v1/groups/{groupId}/members/{memberId}`
    pub async fn remove_member(&self, c: &Creds, group_id: &str, member_id: &str) -> Resp {
        self.delete(c, &format!("/v1/groups/{group_id}/members/{member_id}"))
            .await
    }

    /// `GET /v1/groups/{groupId}/invitations`
    pub async fn list_group_invitations(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/invitations"), query),
        )
        .await
    }

    /// `DELETE /v1/groups/{groupId}/invitations/{invitationId}`
    pub async fn cancel_invitation(&self, c: &Creds, group_id: &str, invitation_id: &str) -> Resp {
        self.delete(
            c,
            &format!("/v1/groups/{group_id}/invitations/{invitation_id}"),
        )
        .await
    }

    /// `GET /v1/invitations`
    pub async fn list_invitations(&self, c: &Creds, query: &str) -> Resp {
        self.get(c, &with_query("/v1/invitations", query)).await
    }

    /// `POST /v1/invitations/{invitationId}/accept`
    pub async fn accept_invitation(&self, c: &Creds, invitation_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/invitations/{invitation_id}/accept"), body)
            .await
    }

    /// `POST /v1/invitations/{invitationId}/decline`
    pub async fn decline_invitation(&self, c: &Creds, invitation_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/invitations/{invitation_id}/decline"), body)
            .await
    }

    /// `GET /v1/groups/{groupId}/stats`
    pub async fn list_stats(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/stats"), query),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/stats`
    pub async fn create_stat(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/groups/{group_id}/stats"), body)
            .await
    }

    /// `GET /v1/groups/{groupId}/stats/{statId}`
    pub async fn get_stat(&self, c: &Creds, group_id: &str, stat_id: &str) -> Resp {
        self.get(c, &format!("/v1/groups/{group_id}/stats/{stat_id}"))
            .await
    }

    /// `PUT /v1/groups/{groupId}/stats/{statId}`
    pub async fn update_stat(&self, c: &Creds, group_id: &str, stat_id: &str, body: Value) -> Resp {
        self.put(c, &format!("/v1/groups/{group_id}/stats/{stat_id}"), body)
            .await
    }

    /// `DELETE /v1/groups/{groupId}/stats/{statId}`
    pub async fn delete_stat(&self, c: &Creds, group_id: &str, stat_id: &str) -> Resp {
        self.delete(c, &format!("/v1/groups/{group_id}/stats/{stat_id}"))
            .await
    }

    /// `GET /v1/groups/{groupId}/stats/{statId}/history`
    pub async fn list_stat_history(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        query: &str,
    ) -> Resp {
        self.get(
            c,
            &with_query(
                &format!("/v1/groups/{group_id}/stats/{stat_id}/history"),
                query,
            ),
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/stats/{statId}/settings`
    pub async fn get_stat_settings(&self, c: &Creds, group_id: &str, stat_id: &str) -> Resp {
        self.get(
            c,
            &format!("/v1/groups/{group_id}/stats/{stat_id}/settings"),
        )
        .await
    }

    /// `PUT /v1/groups/{groupId}/stats/{statId}/settings`
    pub async fn update_stat_settings(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        body: Value,
    ) -> Resp {
        self.put(
            c,
            &format!("/v1/groups/{group_id}/stats/{stat_id}/settings"),
            body,
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/stats/{statId}/attachments`
    pub async fn list_attachments(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        query: &str,
    ) -> Resp {
        self.get(
            c,
            &with_query(
                &format!("/v1/groups/{group_id}/stats/{stat_id}/attachments"),
                query,
            ),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/stats/{statId}/attachments`
    pub async fn create_attachment(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        body: Value,
    ) -> Resp {
        self.post(
            c,
            &format!("/v1/groups/{group_id}/stats/{stat_id}/attachments"),
            body,
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}`
    pub async fn get_attachment(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        attachment_id: &str,
    ) -> Resp {
        self.get(
            c,
            &format!("/v1/groups/{group_id}/stats/{stat_id}/attachments/{attachment_id}"),
        )
        .await
    }

    /// `DELETE /v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}`
    pub async fn delete_attachment(
        &self,
        c: &Creds,
        group_id: &str,
        stat_id: &str,
        attachment_id: &str,
    ) -> Resp {
        self.delete(
            c,
            &format!("/v1/groups/{group_id}/stats/{stat_id}/attachments/{attachment_id}"),
        )
        .await
    }

    /// `GET /v1/stats`
    pub async fn find_stats(&self, c: &Creds, query: &str) -> Resp {
        self.get(c, &with_query("/v1/stats", query)).await
    }

    /// `POST /v1/groups/{groupId}/links`
    pub async fn create_follow_link(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/groups/{group_id}/links"), body)
            .await
    }

    /// `GET /v1/groups/{groupId}/links`
    pub async fn list_follow_links(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/links"), query),
        )
        .await
    }

    /// `DELETE /v1/groups/{groupId}/links/{linkId}`
    pub async fn delete_follow_link(&self, c: &Creds, group_id: &str, link_id: &str) -> Resp {
        self.delete(c, &format!("/v1/groups/{group_id}/links/{link_id}"))
            .await
    }

    /// `GET /v1/follow/{token}`
    pub async fn preview_follow(&self, c: &Creds, token: &str) -> Resp {
        self.get(c, &format!("/v1/follow/{token}")).await
    }

    /// `POST /v1/follow/{token}`
    pub async fn follow_group(&self, c: &Creds, token: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/follow/{token}"), body).await
    }

    /// `DELETE /v1/groups/{groupId}/follow`
    pub async fn unfollow_group(&self, c: &Creds, group_id: &str) -> Resp {
        self.delete(c, &format!("/v1/groups/{group_id}/follow"))
            .await
    }

    /// `GET /v1/groups/{groupId}/followers`
    pub async fn list_followers(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/followers"), query),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/followers/{followerId}/block`
    pub async fn block_follower(
        &self,
        c: &Creds,
        group_id: &str,
        follower_id: &str,
        body: Value,
    ) -> Resp {
        self.post(
            c,
            &format!("/v1/groups/{group_id}/followers/{follower_id}/block"),
            body,
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/followers/{followerId}/unblock`
    pub async fn unblock_follower(
        &self,
        c: &Creds,
        group_id: &str,
        follower_id: &str,
        body: Value,
    ) -> Resp {
        self.post(
            c,
            &format!("/v1/groups/{group_id}/followers/{follower_id}/unblock"),
            body,
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/messages`
    pub async fn list_messages(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/messages"), query),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/messages`
    pub async fn post_message(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.post(c, &format!("/v1/groups/{group_id}/messages"), body)
            .await
    }

    /// `GET /v1/groups/{groupId}/threads/mine/messages`
    pub async fn list_my_thread_messages(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(
                &format!("/v1/groups/{group_id}/threads/mine/messages"),
                query,
            ),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/threads/mine/messages`
    pub async fn post_my_thread_message(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.post(
            c,
            &format!("/v1/groups/{group_id}/threads/mine/messages"),
            body,
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/threads`
    pub async fn list_threads(&self, c: &Creds, group_id: &str, query: &str) -> Resp {
        self.get(
            c,
            &with_query(&format!("/v1/groups/{group_id}/threads"), query),
        )
        .await
    }

    /// `GET /v1/groups/{groupId}/threads/{threadId}/messages`
    pub async fn list_thread_messages(
        &self,
        c: &Creds,
        group_id: &str,
        thread_id: &str,
        query: &str,
    ) -> Resp {
        self.get(
            c,
            &with_query(
                &format!("/v1/groups/{group_id}/threads/{thread_id}/messages"),
                query,
            ),
        )
        .await
    }

    /// `POST /v1/groups/{groupId}/threads/{threadId}/messages`
    pub async fn post_thread_message(
        &self,
        c: &Creds,
        group_id: &str,
        thread_id: &str,
        body: Value,
    ) -> Resp {
        self.post(
            c,
            &format!("/v1/groups/{group_id}/threads/{thread_id}/messages"),
            body,
        )
        .await
    }

    /// `PUT /v1/groups/{groupId}/mute`
    pub async fn mute_group(&self, c: &Creds, group_id: &str, body: Value) -> Resp {
        self.put(c, &format!("/v1/groups/{group_id}/mute"), body)
            .await
    }
}

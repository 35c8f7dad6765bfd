//! The route table: the one list of endpoints. `template.yaml`, the binaries in
//! `functions/src/bin/` and the local API server must agree with it exactly (tested).

use super::Handler;
use crate::account::handlers as account;
use crate::chat::handlers as chat;
use crate::follow::handlers as follow;
use crate::groups::handlers::{groups, invitations, members};
use crate::identity::handlers::{clients, devices, login, profile};
use crate::stats::handlers::{attachments, extras, stats};

/// One row of the table: `route!(function, method, path, public|authed handler)`; the handler is
/// an `async fn(Ctx)` or `async fn(Authed)` returning `Result<Reply, ApiError>`.
macro_rules! route {
    ($function:literal, $method:literal, $path:literal, public $handler:path) => {
        Route {
            function: $function,
            method: $method,
            path: $path,
            handler: Handler::Public(|ctx| Box::pin($handler(ctx))),
        }
    };
    ($function:literal, $method:literal, $path:literal, authed $handler:path) => {
        Route {
            function: $function,
            method: $method,
            path: $path,
            handler: Handler::Authed(|ctx| Box::pin($handler(ctx))),
        }
    };
}

pub struct Route {
    /// Lambda function (and binary) name.
    pub function: &'static str,
    pub method: &'static str,
    /// API Gateway route path, with `{param}` placeholders.
    pub path: &'static str,
    pub handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.method, self.path, self.function)
    }
}

pub static ROUTES: &[Route] = &[
    route!("login", "POST", "/v1/auth/login", public login::login),
    route!("verify_code", "POST", "/v1/auth/verifyCode", public login::verify_code),
    route!("logout", "POST", "/v1/auth/logout", authed login::logout),
    route!("get_me", "GET", "/v1/me", authed profile::get_me),
    route!("update_me", "PATCH", "/v1/me", authed profile::update_me),
    route!("list_clients", "GET", "/v1/me/clients", authed clients::list_clients),
    route!("revoke_client", "DELETE", "/v1/me/clients/{clientId}", authed clients::revoke_client),
    route!("change_phone", "POST", "/v1/me/phone", authed clients::change_phone),
    route!("verify_phone", "POST", "/v1/me/phone/verify", authed clients::verify_phone),
    route!("export_me", "GET", "/v1/me/export", authed account::export_me),
    route!("delete_me", "DELETE", "/v1/me", authed account::delete_me),
    route!("register_device", "POST", "/v1/devices", authed devices::register_device),
    route!("delete_device", "DELETE", "/v1/devices/{deviceId}", authed devices::delete_device),
    // ---- groups, members, invitations
    route!("list_groups", "GET", "/v1/groups", authed groups::list_groups),
    route!("create_group", "POST", "/v1/groups", authed groups::create_group),
    route!("get_group", "GET", "/v1/groups/{groupId}", authed groups::get_group),
    route!("update_group", "PATCH", "/v1/groups/{groupId}", authed groups::update_group),
    route!("delete_group", "DELETE", "/v1/groups/{groupId}", authed groups::delete_group),
    route!("list_members", "GET", "/v1/groups/{groupId}/members", authed members::list_members),
    route!("invite_member", "POST", "/v1/groups/{groupId}/members", authed members::invite_member),
    route!("update_member", "PATCH", "/v1/groups/{groupId}/members/{memberId}", authed members::update_member),
    route!("remove_member", "DELETE", "/v1/groups/{groupId}/members/{memberId}", authed members::remove_member),
    route!("list_group_invitations", "GET", "/v1/groups/{groupId}/invitations", authed invitations::list_group_invitations),
    route!("cancel_invitation", "DELETE", "/v1/groups/{groupId}/invitations/{invitationId}", authed invitations::cancel_invitation),
    route!("list_invitations", "GET", "/v1/invitations", authed invitations::list_invitations),
    route!("accept_invitation", "POST", "/v1/invitations/{invitationId}/accept", authed invitations::accept_invitation),
    route!("decline_invitation", "POST", "/v1/invitations/{invitationId}/decline", authed invitations::decline_invitation),
    // ---- stats, history, settings, attachments
    route!("list_stats", "GET", "/v1/groups/{groupId}/stats", authed stats::list_stats),
    route!("create_stat", "POST", "/v1/groups/{groupId}/stats", authed stats::create_stat),
    route!("get_stat", "GET", "/v1/groups/{groupId}/stats/{statId}", authed stats::get_stat),
    route!("update_stat", "PUT", "/v1/groups/{groupId}/stats/{statId}", authed stats::update_stat),
    route!("delete_stat", "DELETE", "/v1/groups/{groupId}/stats/{statId}", authed stats::delete_stat),
    route!("list_stat_history", "GET", "/v1/groups/{groupId}/stats/{statId}/history", authed extras::list_stat_history),
    route!("get_stat_settings", "GET", "/v1/groups/{groupId}/stats/{statId}/settings", authed extras::get_stat_settings),
    route!("update_stat_settings", "PUT", "/v1/groups/{groupId}/stats/{statId}/settings", authed extras::update_stat_settings),
    route!("list_attachments", "GET", "/v1/groups/{groupId}/stats/{statId}/attachments", authed attachments::list_attachments),
    route!("create_attachment", "POST", "/v1/groups/{groupId}/stats/{statId}/attachments", authed attachments::create_attachment),
    route!("get_attachment", "GET", "/v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}", authed attachments::get_attachment),
    route!("delete_attachment", "DELETE", "/v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}", authed attachments::delete_attachment),
    route!("find_stats", "GET", "/v1/stats", authed stats::find_stats),
    route!("create_follow_link", "POST", "/v1/groups/{groupId}/links", authed follow::create_follow_link),
    route!("list_follow_links", "GET", "/v1/groups/{groupId}/links", authed follow::list_follow_links),
    route!("delete_follow_link", "DELETE", "/v1/groups/{groupId}/links/{linkId}", authed follow::delete_follow_link),
    route!("preview_follow", "GET", "/v1/follow/{token}", authed follow::preview_follow),
    route!("follow_group", "POST", "/v1/follow/{token}", authed follow::follow_group),
    route!("unfollow_group", "DELETE", "/v1/groups/{groupId}/follow", authed follow::unfollow_group),
    route!("list_followers", "GET", "/v1/groups/{groupId}/followers", authed follow::list_followers),
    route!("block_follower", "POST", "/v1/groups/{groupId}/followers/{followerId}/block", authed follow::block_follower),
    route!("unblock_follower", "POST", "/v1/groups/{groupId}/followers/{followerId}/unblock", authed follow::unblock_follower),
    route!("list_messages", "GET", "/v1/groups/{groupId}/messages", authed chat::list_messages),
    route!("post_message", "POST", "/v1/groups/{groupId}/messages", authed chat::post_message),
    route!("list_my_thread_messages", "GET", "/v1/groups/{groupId}/threads/mine/messages", authed chat::list_my_thread_messages),
    route!("post_my_thread_message", "POST", "/v1/groups/{groupId}/threads/mine/messages", authed chat::post_my_thread_message),
    route!("list_threads", "GET", "/v1/groups/{groupId}/threads", authed chat::list_threads),
    route!("list_thread_messages", "GET", "/v1/groups/{groupId}/threads/{threadId}/messages", authed chat::list_thread_messages),
    route!("post_thread_message", "POST", "/v1/groups/{groupId}/threads/{threadId}/messages", authed chat::post_thread_message),
    route!("mute_group", "PUT", "/v1/groups/{groupId}/mute", authed chat::mute_group),
];

/// Functions that are not HTTP routes: invoked by an event source (the S3 `Object Created`
/// event through EventBridge for `finalize_attachment`). Like the routes, each has a binary in
/// `functions/src/bin`, an event in `infra/events` and a template function (tested).
pub static ASYNC_FUNCTIONS: &[&str] = &["finalize_attachment", "notify"];

/// The route served by the Lambda function `name`.
pub fn by_function(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.function == name)
}

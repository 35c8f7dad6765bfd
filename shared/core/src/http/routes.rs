//! The route table: the one list of endpoints. `template.yaml`, the binaries in
//! `functions/src/bin/` and the local API server must agree with it exactly (tested).

use super::Handler;
use crate::chat::handlers as chat;
use crate::follow::handlers as follow;
use crate::groups::handlers::{groups, invitations, members};
use crate::identity::handlers::{clients as account, devices, login as auth, profile as me};
use crate::stats::handlers::{attachments, extras as stat_extras, stats};

pub struct Route {
    /// Lambda function (and binary) name.
    pub function: &'static str,
    pub method: &'static str,
    /// API Gateway route path, with `{param}` placeholders.
    pub path: &'static str,
    /// Requires `X-API-KEY` + `X-Auth-Token`.
    pub auth: bool,
    pub handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.method, self.path, self.function)
    }
}

pub static ROUTES: &[Route] = &[
    Route {
        function: "login",
        method: "POST",
        path: "/v1/auth/login",
        auth: false,
        handler: auth::login,
    },
    Route {
        function: "verify_code",
        method: "POST",
        path: "/v1/auth/verifyCode",
        auth: false,
        handler: auth::verify_code,
    },
    Route {
        function: "logout",
        method: "POST",
        path: "/v1/auth/logout",
        auth: true,
        handler: auth::logout,
    },
    Route {
        function: "get_me",
        method: "GET",
        path: "/v1/me",
        auth: true,
        handler: me::get_me,
    },
    Route {
        function: "update_me",
        method: "PATCH",
        path: "/v1/me",
        auth: true,
        handler: me::update_me,
    },
    Route {
        function: "list_clients",
        method: "GET",
        path: "/v1/me/clients",
        auth: true,
        handler: account::list_clients,
    },
    Route {
        function: "revoke_client",
        method: "DELETE",
        path: "/v1/me/clients/{clientId}",
        auth: true,
        handler: account::revoke_client,
    },
    Route {
        function: "change_phone",
        method: "POST",
        path: "/v1/me/phone",
        auth: true,
        handler: account::change_phone,
    },
    Route {
        function: "verify_phone",
        method: "POST",
        path: "/v1/me/phone/verify",
        auth: true,
        handler: account::verify_phone,
    },
    Route {
        function: "export_me",
        method: "GET",
        path: "/v1/me/export",
        auth: true,
        handler: account::export_me,
    },
    Route {
        function: "delete_me",
        method: "DELETE",
        path: "/v1/me",
        auth: true,
        handler: account::delete_me,
    },
    Route {
        function: "register_device",
        method: "POST",
        path: "/v1/devices",
        auth: true,
        handler: devices::register_device,
    },
    Route {
        function: "delete_device",
        method: "DELETE",
        path: "/v1/devices/{deviceId}",
        auth: true,
        handler: devices::delete_device,
    },
    // ---- groups, members, invitations (issue 5)
    Route {
        function: "list_groups",
        method: "GET",
        path: "/v1/groups",
        auth: true,
        handler: groups::list_groups,
    },
    Route {
        function: "create_group",
        method: "POST",
        path: "/v1/groups",
        auth: true,
        handler: groups::create_group,
    },
    Route {
        function: "get_group",
        method: "GET",
        path: "/v1/groups/{groupId}",
        auth: true,
        handler: groups::get_group,
    },
    Route {
        function: "update_group",
        method: "PATCH",
        path: "/v1/groups/{groupId}",
        auth: true,
        handler: groups::update_group,
    },
    Route {
        function: "delete_group",
        method: "DELETE",
        path: "/v1/groups/{groupId}",
        auth: true,
        handler: groups::delete_group,
    },
    Route {
        function: "list_members",
        method: "GET",
        path: "/v1/groups/{groupId}/members",
        auth: true,
        handler: members::list_members,
    },
    Route {
        function: "invite_member",
        method: "POST",
        path: "/v1/groups/{groupId}/members",
        auth: true,
        handler: members::invite_member,
    },
    Route {
        function: "update_member",
        method: "PATCH",
        path: "/v1/groups/{groupId}/members/{memberId}",
        auth: true,
        handler: members::update_member,
    },
    Route {
        function: "remove_member",
        method: "DELETE",
        path: "/v1/groups/{groupId}/members/{memberId}",
        auth: true,
        handler: members::remove_member,
    },
    Route {
        function: "list_group_invitations",
        method: "GET",
        path: "/v1/groups/{groupId}/invitations",
        auth: true,
        handler: invitations::list_group_invitations,
    },
    Route {
        function: "cancel_invitation",
        method: "DELETE",
        path: "/v1/groups/{groupId}/invitations/{invitationId}",
        auth: true,
        handler: invitations::cancel_invitation,
    },
    Route {
        function: "list_invitations",
        method: "GET",
        path: "/v1/invitations",
        auth: true,
        handler: invitations::list_invitations,
    },
    Route {
        function: "accept_invitation",
        method: "POST",
        path: "/v1/invitations/{invitationId}/accept",
        auth: true,
        handler: invitations::accept_invitation,
    },
    Route {
        function: "decline_invitation",
        method: "POST",
        path: "/v1/invitations/{invitationId}/decline",
        auth: true,
        handler: invitations::decline_invitation,
    },
    // ---- stats, history, settings, attachments (issue 6)
    Route {
        function: "list_stats",
        method: "GET",
        path: "/v1/groups/{groupId}/stats",
        auth: true,
        handler: stats::list_stats,
    },
    Route {
        function: "create_stat",
        method: "POST",
        path: "/v1/groups/{groupId}/stats",
        auth: true,
        handler: stats::create_stat,
    },
    Route {
        function: "get_stat",
        method: "GET",
        path: "/v1/groups/{groupId}/stats/{statId}",
        auth: true,
        handler: stats::get_stat,
    },
    Route {
        function: "update_stat",
        method: "PUT",
        path: "/v1/groups/{groupId}/stats/{statId}",
        auth: true,
        handler: stats::update_stat,
    },
    Route {
        function: "delete_stat",
        method: "DELETE",
        path: "/v1/groups/{groupId}/stats/{statId}",
        auth: true,
        handler: stats::delete_stat,
    },
    Route {
        function: "list_stat_history",
        method: "GET",
        path: "/v1/groups/{groupId}/stats/{statId}/history",
        auth: true,
        handler: stat_extras::list_stat_history,
    },
    Route {
        function: "get_stat_settings",
        method: "GET",
        path: "/v1/groups/{groupId}/stats/{statId}/settings",
        auth: true,
        handler: stat_extras::get_stat_settings,
    },
    Route {
        function: "update_stat_settings",
        method: "PUT",
        path: "/v1/groups/{groupId}/stats/{statId}/settings",
        auth: true,
        handler: stat_extras::update_stat_settings,
    },
    Route {
        function: "list_attachments",
        method: "GET",
        path: "/v1/groups/{groupId}/stats/{statId}/attachments",
        auth: true,
        handler: attachments::list_attachments,
    },
    Route {
        function: "create_attachment",
        method: "POST",
        path: "/v1/groups/{groupId}/stats/{statId}/attachments",
        auth: true,
        handler: attachments::create_attachment,
    },
    Route {
        function: "get_attachment",
        method: "GET",
        path: "/v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}",
        auth: true,
        handler: attachments::get_attachment,
    },
    Route {
        function: "delete_attachment",
        method: "DELETE",
        path: "/v1/groups/{groupId}/stats/{statId}/attachments/{attachmentId}",
        auth: true,
        handler: attachments::delete_attachment,
    },
    Route {
        function: "find_stats",
        method: "GET",
        path: "/v1/stats",
        auth: true,
        handler: stats::find_stats,
    },
    Route {
        function: "create_follow_link",
        method: "POST",
        path: "/v1/groups/{groupId}/links",
        auth: true,
        handler: follow::create_follow_link,
    },
    Route {
        function: "list_follow_links",
        method: "GET",
        path: "/v1/groups/{groupId}/links",
        auth: true,
        handler: follow::list_follow_links,
    },
    Route {
        function: "delete_follow_link",
        method: "DELETE",
        path: "/v1/groups/{groupId}/links/{linkId}",
        auth: true,
        handler: follow::delete_follow_link,
    },
    Route {
        function: "preview_follow",
        method: "GET",
        path: "/v1/follow/{token}",
        auth: true,
        handler: follow::preview_follow,
    },
    Route {
        function: "follow_group",
        method: "POST",
        path: "/v1/follow/{token}",
        auth: true,
        handler: follow::follow_group,
    },
    Route {
        function: "unfollow_group",
        method: "DELETE",
        path: "/v1/groups/{groupId}/follow",
        auth: true,
        handler: follow::unfollow_group,
    },
    Route {
        function: "list_followers",
        method: "GET",
        path: "/v1/groups/{groupId}/followers",
        auth: true,
        handler: follow::list_followers,
    },
    Route {
        function: "block_follower",
        method: "POST",
        path: "/v1/groups/{groupId}/followers/{followerId}/block",
        auth: true,
        handler: follow::block_follower,
    },
    Route {
        function: "unblock_follower",
        method: "POST",
        path: "/v1/groups/{groupId}/followers/{followerId}/unblock",
        auth: true,
        handler: follow::unblock_follower,
    },
    Route {
        function: "list_messages",
        method: "GET",
        path: "/v1/groups/{groupId}/messages",
        auth: true,
        handler: chat::list_messages,
    },
    Route {
        function: "post_message",
        method: "POST",
        path: "/v1/groups/{groupId}/messages",
        auth: true,
        handler: chat::post_message,
    },
    Route {
        function: "list_my_thread_messages",
        method: "GET",
        path: "/v1/groups/{groupId}/threads/mine/messages",
        auth: true,
        handler: chat::list_my_thread_messages,
    },
    Route {
        function: "post_my_thread_message",
        method: "POST",
        path: "/v1/groups/{groupId}/threads/mine/messages",
        auth: true,
        handler: chat::post_my_thread_message,
    },
    Route {
        function: "list_threads",
        method: "GET",
        path: "/v1/groups/{groupId}/threads",
        auth: true,
        handler: chat::list_threads,
    },
    Route {
        function: "list_thread_messages",
        method: "GET",
        path: "/v1/groups/{groupId}/threads/{threadId}/messages",
        auth: true,
        handler: chat::list_thread_messages,
    },
    Route {
        function: "post_thread_message",
        method: "POST",
        path: "/v1/groups/{groupId}/threads/{threadId}/messages",
        auth: true,
        handler: chat::post_thread_message,
    },
    Route {
        function: "mute_group",
        method: "PUT",
        path: "/v1/groups/{groupId}/mute",
        auth: true,
        handler: chat::mute_group,
    },
];

/// Functions that are not HTTP routes: invoked by an event source (the S3 `Object Created`
/// event through EventBridge for `finalize_attachment`). Like the routes, each has a binary in
/// `functions/src/bin`, an event in `infra/events` and a template function (tested).
pub static ASYNC_FUNCTIONS: &[&str] = &["finalize_attachment", "notify"];

/// The route served by the Lambda function `name`.
pub fn by_function(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.function == name)
}

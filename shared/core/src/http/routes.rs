//! The route table: the one list of endpoints. `template.yaml`, the binaries in
//! `functions/src/bin/` and the local API server must agree with it exactly (tested).

use super::{account, auth, me, Handler};

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
];

/// The route served by the Lambda function `name`.
pub fn by_function(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.function == name)
}

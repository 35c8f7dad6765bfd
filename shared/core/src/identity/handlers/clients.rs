//! The caller's sessions, phone number and account: `GET /v1/me/clients`,
//! `DELETE /v1/me/clients/{clientId}`, `POST /v1/me/phone`, `POST /v1/me/phone/verify`,
//! `GET /v1/me/export`, `DELETE /v1/me`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account;
use crate::http::{request, Ctx, HandlerFuture, Reply};
use crate::identity::handlers::login::{phone, six_digits};
use crate::identity::handlers::profile::ProfileReply;
use crate::identity::{phone_change, session};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientReply {
    id: String,
    client_name: String,
    created_at: String,
    last_used_at: String,
    current: bool,
}

pub fn list_clients(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let caller = ctx.caller()?;
        let clients = session::clients_of(&ctx.deps, &caller.user_id, Some(&caller.client_id))
            .await?
            .into_iter()
            .map(|c| ClientReply {
                id: c.id,
                client_name: c.name,
                created_at: c.created_at,
                last_used_at: c.last_used_at,
                current: c.current,
            })
            .collect::<Vec<_>>();
        Reply::ok(json!({ "data": clients }))
    })
}

pub fn revoke_client(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let id = request::path_param(&ctx.req, "clientId")?;
        session::revoke(&ctx.deps, ctx.caller()?, &id).await?;
        Reply::ok(json!({ "revoked": true }))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PhoneBody {
    phone_number: String,
}

pub fn change_phone(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let body: PhoneBody = request::json(&ctx.req)?;
        let new_phone = phone(&body.phone_number)?;
        phone_change::request(&ctx.deps, ctx.caller()?, &new_phone).await?;
        // The same answer whether or not an SMS could go to that number.
        Reply::new(
            http::StatusCode::ACCEPTED,
            json!({ "phoneNumber": new_phone.as_str() }),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CodeBody {
    verification_code: String,
}

pub fn verify_phone(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let body: CodeBody = request::json(&ctx.req)?;
        let code = six_digits(&body.verification_code)?;
        let profile = phone_change::verify(&ctx.deps, ctx.caller()?, code).await?;
        Reply::ok(ProfileReply::from(profile))
    })
}

pub fn export_me(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move { Reply::ok(account::export(&ctx.deps, ctx.caller()?).await?) })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    confirm: String,
}

pub fn delete_me(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let body: DeleteBody = request::json(&ctx.req)?;
        let confirm = phone(&body.confirm)?;
        Reply::ok(account::delete(&ctx.deps, ctx.caller()?, &confirm).await?)
    })
}

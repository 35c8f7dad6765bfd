//! The caller's sessions and phone number: `GET /v1/me/clients`,
//! `DELETE /v1/me/clients/{clientId}`, `POST /v1/me/phone`, `POST /v1/me/phone/verify`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ids::ClientId;
use crate::http::{request, ApiError, Authed, Reply};
use crate::identity::handlers::login::{phone, six_digits};
use crate::identity::handlers::profile::ProfileReply;
use crate::identity::{phone_change, session, signout};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientReply {
    id: String,
    client_name: String,
    created_at: String,
    last_used_at: String,
    current: bool,
}

pub async fn list_clients(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
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
}

pub async fn revoke_client(ctx: Authed) -> Result<Reply, ApiError> {
    let id = ctx.path::<ClientId>()?;
    signout::revoke(&ctx.deps, &ctx.caller, &id).await?;
    Reply::ok(json!({ "revoked": true }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PhoneBody {
    phone_number: String,
}

pub async fn change_phone(ctx: Authed) -> Result<Reply, ApiError> {
    let body: PhoneBody = request::json(&ctx.req)?;
    let new_phone = phone(&body.phone_number)?;
    phone_change::request(&ctx.deps, &ctx.caller, &new_phone).await?;
    // The same answer whether or not an SMS could go to that number.
    Reply::new(
        http::StatusCode::ACCEPTED,
        json!({ "phoneNumber": new_phone.as_str() }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CodeBody {
    verification_code: String,
}

pub async fn verify_phone(ctx: Authed) -> Result<Reply, ApiError> {
    let body: CodeBody = request::json(&ctx.req)?;
    let code = six_digits(&body.verification_code)?;
    let profile = phone_change::verify(&ctx.deps, &ctx.caller, code).await?;
    Reply::ok(ProfileReply::from(profile))
}

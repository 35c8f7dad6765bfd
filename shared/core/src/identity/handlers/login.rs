//! `POST /v1/auth/login`, `POST /v1/auth/verifyCode`, `POST /v1/auth/logout`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::text::clean;
use crate::domain::PhoneNumber;
use crate::http::{request, ApiError, Authed, Ctx, Reply};
use crate::identity::{login as auth, signout};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LoginBody {
    phone_number: String,
    client_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginReply {
    client_id: String,
    client_name: String,
    phone_number: String,
}

/// A verification code as typed: exactly 6 digits (surrounding spaces ignored).
pub(crate) fn six_digits(input: &str) -> Result<&str, ApiError> {
    let code = input.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(
            "verificationCode must be the 6 digits sent by SMS.",
        ));
    }
    Ok(code)
}

pub(crate) fn phone(input: &str) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::parse(input).map_err(|e| ApiError::bad(e.to_string()))
}

pub async fn login(ctx: Ctx) -> Result<Reply, ApiError> {
    let body: LoginBody = request::json(&ctx.req)?;
    let phone = phone(&body.phone_number)?;
    let client_name = clean("clientName", &body.client_name, 1, 100).map_err(ApiError::bad)?;
    let ip = crate::http::source_ip(&ctx.req);
    let started = auth::login(&ctx.deps, phone, client_name, ip.as_deref()).await?;
    Reply::created(LoginReply {
        client_id: started.client_id,
        client_name: started.client_name,
        phone_number: started.phone.as_str().to_string(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct VerifyBody {
    client_id: String,
    phone_number: String,
    verification_code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyReply {
    api_key: String,
    auth_token: String,
}

pub async fn verify_code(ctx: Ctx) -> Result<Reply, ApiError> {
    let body: VerifyBody = request::json(&ctx.req)?;
    let phone = phone(&body.phone_number)?;
    let code = six_digits(&body.verification_code)?;
    if body.client_id.is_empty() || body.client_id.len() > 64 {
        return Err(ApiError::bad("clientId must be the id returned by login."));
    }
    let creds = auth::verify_code(&ctx.deps, &phone, body.client_id.trim(), code).await?;
    Reply::created(VerifyReply {
        api_key: creds.api_key,
        auth_token: creds.auth_token,
    })
}

pub async fn logout(ctx: Authed) -> Result<Reply, ApiError> {
    let caller = &ctx.caller;
    signout::logout(&ctx.deps, caller).await?;
    Reply::ok(json!({ "loggedOut": true }))
}

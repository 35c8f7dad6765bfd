//! `GET /v1/me/export` and `DELETE /v1/me {"confirm": "<your number>"}`.

use serde::Deserialize;

use super::DeleteError;
use crate::http::{request, ApiError, Authed, Reply};
use crate::identity::handlers::login::phone;

pub async fn export_me(ctx: Authed) -> Result<Reply, ApiError> {
    Reply::ok(super::export(&ctx.deps, &ctx.caller).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    confirm: String,
}

pub async fn delete_me(ctx: Authed) -> Result<Reply, ApiError> {
    let body: DeleteBody = request::json(&ctx.req)?;
    let confirm = phone(&body.confirm)?;
    Reply::ok(super::delete(&ctx.deps, &ctx.caller, &confirm).await?)
}

impl From<DeleteError> for ApiError {
    fn from(e: DeleteError) -> Self {
        match e {
            DeleteError::NotConfirmed => {
                Self::bad("confirm must be your own phone number, exactly as on your account.")
            }
            DeleteError::Fault(f) => f.into(),
        }
    }
}

//! `GET /v1/me`, `PATCH /v1/me`.

use serde::{Deserialize, Serialize};

use super::{request, ApiError, Ctx, HandlerFuture, Reply};
use crate::app::me::{self, Profile};
use crate::domain::text::clean;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProfileReply {
    id: String,
    phone_number: String,
    display_name: Option<String>,
    created_at: String,
}

impl From<Profile> for ProfileReply {
    fn from(p: Profile) -> Self {
        Self {
            id: p.id,
            phone_number: p.phone_number,
            display_name: p.display_name,
            created_at: p.created_at,
        }
    }
}

pub fn get_me(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let profile = me::get(&ctx.deps, ctx.caller()?).await?;
        Reply::ok(ProfileReply::from(profile))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateBody {
    display_name: String,
}

pub fn update_me(ctx: Ctx) -> HandlerFuture {
    Box::pin(async move {
        let body: UpdateBody = request::json(&ctx.req)?;
        let name = clean("displayName", &body.display_name, 1, 50).map_err(ApiError::bad)?;
        let profile = me::set_display_name(&ctx.deps, ctx.caller()?, &name).await?;
        Reply::ok(ProfileReply::from(profile))
    })
}

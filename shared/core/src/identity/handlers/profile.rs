//! `GET /v1/me`, `PATCH /v1/me`.

use serde::{Deserialize, Serialize};

use crate::domain::text::clean;
use crate::http::{request, ApiError, Authed, Reply};
use crate::identity::profile::{self, Profile};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileReply {
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

pub async fn get_me(ctx: Authed) -> Result<Reply, ApiError> {
    let profile = profile::get(&ctx.deps, &ctx.caller).await?;
    Reply::ok(ProfileReply::from(profile))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateBody {
    display_name: String,
}

pub async fn update_me(ctx: Authed) -> Result<Reply, ApiError> {
    let body: UpdateBody = request::json(&ctx.req)?;
    let name = clean("displayName", &body.display_name, 1, 50).map_err(ApiError::bad)?;
    let profile = profile::set_display_name(&ctx.deps, &ctx.caller, &name).await?;
    Reply::ok(ProfileReply::from(profile))
}

//! `POST /v1/devices`, `DELETE /v1/devices/{deviceId}`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ids::DeviceId;
use crate::http::{request, ApiError, Authed, Reply};
use crate::identity::devices::{self, Device, PLATFORMS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    platform: String,
    token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceReply {
    id: String,
    platform: String,
    created_at: String,
}

impl From<Device> for DeviceReply {
    fn from(d: Device) -> Self {
        Self {
            id: d.id,
            platform: d.platform,
            created_at: d.created_at,
        }
    }
}

pub async fn register_device(ctx: Authed) -> Result<Reply, ApiError> {
    let body: RegisterBody = request::json(&ctx.req)?;
    if !PLATFORMS.contains(&body.platform.as_str()) {
        return Err(ApiError::bad("platform must be APNS, APNS_SANDBOX or GCM."));
    }
    let token = body.token.trim();
    if token.is_empty() || token.len() > 4096 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad(
            "token must be the device token the platform issued (printable, at most 4096 characters).",
        ));
    }
    let device = devices::register(&ctx.deps, &ctx.caller, &body.platform, token).await?;
    Reply::created(DeviceReply::from(device))
}

pub async fn delete_device(ctx: Authed) -> Result<Reply, ApiError> {
    let id = ctx.path::<DeviceId>()?;
    devices::remove(&ctx.deps, &ctx.caller, &id).await?;
    Reply::ok(json!({ "deleted": true }))
}

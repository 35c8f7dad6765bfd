//! Push devices: a signed-in client registers its device token; pushes go to the provider
//! endpoint (an SNS platform endpoint in AWS, the push outbox locally). A device belongs to the
//! client that registered it, so signing that client out (logout, revocation, phone change,
//! eviction, account deletion) removes its devices too.
//!
//! Item: `USER#<uid>/DEVICE#<deviceId>` {clientId, platform, endpoint, createdAt}. The device id
//! is a keyed hash of platform + token, so registering the same token again is idempotent and
//! the token itself is never stored.

use crate::domain::ids::DeviceId;
use serde_json::{json, Value};

use crate::domain::time::rfc3339;
use crate::identity::session::Caller;
use crate::ports::store::{item, key_of};
use crate::ports::{Cond, Item, ItemExt, PushError, Query, Value as V};
use crate::store::keys;
use crate::Deps;
use crate::Fault;

pub const PLATFORMS: &[&str] = &["APNS", "APNS_SANDBOX", "GCM"];
/// Devices per user; registering past it is refused.
pub const MAX_DEVICES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub platform: String,
    pub created_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("too many devices")]
    TooMany,
    #[error("platform not configured")]
    Platform,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<crate::ports::StoreError> for DeviceError {
    fn from(e: crate::ports::StoreError) -> Self {
        Self::Fault(e.into())
    }
}

fn device_of(item: &Item) -> Option<Device> {
    let key = key_of(item)?;
    Some(Device {
        id: key.sk.strip_prefix(keys::DEVICE_PREFIX)?.to_string(),
        platform: item.s("platform")?.to_string(),
        created_at: item.s("createdAt").unwrap_or_default().to_string(),
    })
}

async fn all(deps: &Deps, user_id: &str) -> Result<Vec<Item>, Fault> {
    let q = Query::new(keys::user_pk(user_id))
        .prefix(keys::DEVICE_PREFIX)
        .limit(100);
    Ok(deps.store.query(&q).await?.items)
}

/// Register (or refresh) the calling client's device.
pub async fn register(
    deps: &Deps,
    caller: &Caller,
    platform: &str,
    token: &str,
) -> Result<Device, DeviceError> {
    let material = format!("{platform}|{token}");
    let id: String = deps
        .crypto
        .blind_index(keys::kind::DEVICE, material.as_bytes())
        .chars()
        .take(26)
        .collect();
    let key = keys::device(&caller.user_id, &id);
    let existing = all(deps, &caller.user_id).await?;
    let known = existing.iter().any(|i| key_of(i).as_ref() == Some(&key));
    if !known && existing.len() >= MAX_DEVICES {
        return Err(DeviceError::TooMany);
    }
    let endpoint = match deps.push.register(&id, platform, token).await {
        Ok(e) => e,
        Err(PushError::Platform) => return Err(DeviceError::Platform),
        Err(PushError::Provider(m)) => return Err(Fault::Push(m).into()),
    };
    let now = rfc3339(deps.clock.now());
    let device = item(
        &key,
        [
            ("clientId", V::S(caller.client_id.clone())),
            ("platform", V::S(platform.to_string())),
            ("endpoint", V::S(endpoint)),
            ("createdAt", V::S(now)),
        ],
    );
    deps.store.put(device.clone(), Cond::None).await?;
    tracing::info!("device registered");
    Ok(device_of(&device).expect("just built"))
}

/// Remove one of the caller's devices (404 for anything else).
pub async fn remove(deps: &Deps, caller: &Caller, device_id: &DeviceId) -> Result<(), DeviceError> {
    let key = keys::device(&caller.user_id, device_id);
    let Some(found) = deps.store.get(&key).await? else {
        return Err(DeviceError::NotFound);
    };
    forget(deps, &[found]).await?;
    Ok(())
}

/// Unregister and delete `devices`. Provider failures are logged, not fatal: the item goes
/// either way, so a dead endpoint is never pushed to again.
async fn forget(deps: &Deps, devices: &[Item]) -> Result<usize, Fault> {
    for d in devices {
        if let Some(endpoint) = d.s("endpoint") {
            if let Err(e) = deps.push.unregister(endpoint).await {
                tracing::warn!(error = %e, "could not unregister a push endpoint");
            }
        }
        if let Some(key) = key_of(d) {
            deps.store.delete(&key, Cond::None).await?;
        }
    }
    Ok(devices.len())
}

/// Forget every device whose client is no longer signed in (after logout, revocation, phone
/// change, eviction). One query when the user has no devices.
pub async fn forget_orphans(deps: &Deps, user_id: &str) -> Result<usize, Fault> {
    let devices = all(deps, user_id).await?;
    if devices.is_empty() {
        return Ok(0);
    }
    let live = crate::identity::session::clients_of(deps, user_id, None).await?;
    let orphans: Vec<Item> = devices
        .into_iter()
        .filter(|d| !live.iter().any(|c| d.s("clientId") == Some(c.id.as_str())))
        .collect();
    forget(deps, &orphans).await
}

/// The devices' share of account export and deletion.
pub const PART: crate::identity::parts::AccountPart = crate::identity::parts::AccountPart {
    name: "devices",
    export,
    erase,
};

/// Export: the user's devices (ids and platforms; tokens are never stored).
pub fn export<'a>(deps: &'a Deps, caller: &'a Caller) -> crate::identity::parts::PartFuture<'a> {
    Box::pin(async move {
        let list: Vec<Value> = all(deps, &caller.user_id)
            .await?
            .iter()
            .filter_map(device_of)
            .map(|d| json!({"id": d.id, "platform": d.platform, "createdAt": d.created_at}))
            .collect();
        Ok(Value::from(list))
    })
}

/// Erase: unregister and delete every device.
pub fn erase<'a>(deps: &'a Deps, caller: &'a Caller) -> crate::identity::parts::PartFuture<'a> {
    Box::pin(async move {
        let devices = all(deps, &caller.user_id).await?;
        Ok(Value::from(forget(deps, &devices).await?))
    })
}

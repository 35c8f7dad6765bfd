//! The account's extension point: every feature that stores data belonging to a user registers
//! one `AccountPart` here, and account export (`GET /v1/me/export`) and deletion
//! (`DELETE /v1/me`) call every part. A feature that forgets to register is caught by the
//! export/deletion tests, which create data in every feature and check nothing survives.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::session::Caller;
use super::Fault;
use crate::Deps;

pub type PartFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, Fault>> + Send + 'a>>;

/// One feature's share of a user's data.
pub struct AccountPart {
    /// Key of this part in the export document and in the deletion summary.
    pub name: &'static str,
    /// Everything of the caller's own data this feature holds, as JSON (never other people's
    /// phone numbers).
    pub export: for<'a> fn(&'a Deps, &'a Caller) -> PartFuture<'a>,
    /// Erase it; returns a summary of what was deleted (counts, ids). Must be idempotent: a
    /// deletion interrupted by a fault is completed by the next attempt.
    pub erase: for<'a> fn(&'a Deps, &'a Caller) -> PartFuture<'a>,
}

/// Registered parts, in the order they are exported and erased (features that depend on
/// others' data come first).
pub static PARTS: &[AccountPart] = &[
    super::stat_settings::PART,
    // Before the groups part: it walks memberships, which the groups part removes.
    super::follow_account::PART,
    super::group_account::PART,
    super::devices::PART,
];

/// The caller's whole account as JSON: profile, clients, then every registered part.
pub async fn export(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let profile = super::me::get(deps, caller).await?;
    let clients =
        super::session::clients_of(deps, &caller.user_id, Some(&caller.client_id)).await?;
    let mut doc = serde_json::Map::new();
    doc.insert(
        "profile".into(),
        serde_json::json!({
            "id": profile.id,
            "phoneNumber": profile.phone_number,
            "displayName": profile.display_name,
            "createdAt": profile.created_at,
        }),
    );
    doc.insert(
        "clients".into(),
        clients
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "clientName": c.name, "createdAt": c.created_at,
                    "lastUsedAt": c.last_used_at, "current": c.current,
                })
            })
            .collect(),
    );
    for part in PARTS {
        doc.insert(part.name.into(), (part.export)(deps, caller).await?);
    }
    Ok(Value::Object(doc))
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    /// `confirm` is not the caller's own number.
    #[error("confirmation does not match")]
    NotConfirmed,
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// Erase the account: every registered part first, then clients, pending codes, the phone
/// index and the profile in one transaction. Idempotent: an attempt cut short by a fault is
/// completed by the next one (the credentials keep working until the final transaction).
/// Rate-limit counters stay until they expire, so deleting an account does not reset limits.
pub async fn delete(
    deps: &Deps,
    caller: &Caller,
    confirm: &crate::domain::PhoneNumber,
) -> Result<Value, DeleteError> {
    use crate::ports::{Cond, ItemExt, Write};
    let profile = super::me::get(deps, caller).await?;
    if profile.phone_number != confirm.as_str() {
        return Err(DeleteError::NotConfirmed);
    }
    let mut summary = serde_json::Map::new();
    for part in PARTS {
        summary.insert(part.name.into(), (part.erase)(deps, caller).await?);
    }
    let pkey = super::keys::profile(&caller.user_id);
    let index = deps
        .store
        .get(&pkey)
        .await
        .map_err(Fault::from)?
        .and_then(|p| p.s("phoneIndex").map(str::to_string))
        .ok_or(Fault::Corrupt("profile without phone index"))?;
    let clients = super::session::clients_of(deps, &caller.user_id, None).await?;
    let mut writes: Vec<Write> = clients
        .iter()
        .flat_map(|c| super::session::revoke_writes(&caller.user_id, &c.id, &c.api_key))
        .collect();
    // The calling client even if it were not listed (e.g. an index entry lost to TTL).
    if !clients.iter().any(|c| c.id == caller.client_id) {
        writes.extend(super::session::revoke_writes(
            &caller.user_id,
            &caller.client_id,
            &caller.api_key,
        ));
    }
    for key in [
        super::keys::otp(&index),
        super::keys::phone_change(&caller.user_id),
        super::keys::phone(&index),
        pkey,
    ] {
        writes.push(Write::Delete {
            key,
            cond: Cond::None,
        });
    }
    deps.store.transact(writes).await.map_err(Fault::from)?;
    tracing::info!(clients = clients.len(), "account deleted");
    summary.insert("profile".into(), Value::Bool(true));
    summary.insert("clients".into(), Value::from(clients.len()));
    Ok(serde_json::json!({ "deleted": summary }))
}

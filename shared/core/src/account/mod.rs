//! The account's extension point: every feature that stores data belonging to a user registers
//! one `AccountPart` here, and account export (`GET /v1/me/export`) and deletion
//! (`DELETE /v1/me`) call every part. A feature that forgets to register is caught by the
//! export/deletion tests, which create data in every feature and check nothing survives.

pub mod follows;
pub mod handlers;

use serde_json::Value;

use crate::identity::parts::AccountPart;
use crate::identity::session::Caller;
use crate::Deps;
use crate::Fault;

/// Registered parts, in the order they are exported and erased (features that depend on
/// others' data come first).
pub static PARTS: &[AccountPart] = &[
    crate::stats::settings::PART,
    // Before the groups part: it walks memberships, which the groups part removes.
    follows::PART,
    crate::groups::account::PART,
    crate::identity::devices::PART,
];

/// The caller's whole account as JSON: profile, clients, then every registered part.
pub async fn export(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let profile = crate::identity::profile::get(deps, caller).await?;
    let clients =
        crate::identity::session::clients_of(deps, &caller.user_id, Some(&caller.client_id))
            .await?;
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
    let profile = crate::identity::profile::get(deps, caller).await?;
    if profile.phone_number != confirm.as_str() {
        return Err(DeleteError::NotConfirmed);
    }
    let mut summary = serde_json::Map::new();
    for part in PARTS {
        summary.insert(part.name.into(), (part.erase)(deps, caller).await?);
    }
    let pkey = crate::store::keys::profile(&caller.user_id);
    let index = deps
        .store
        .get(&pkey)
        .await
        .map_err(Fault::from)?
        .and_then(|p| p.s("phoneIndex").map(str::to_string))
        .ok_or(Fault::Corrupt("profile without phone index"))?;
    let clients = crate::identity::session::clients_of(deps, &caller.user_id, None).await?;
    let mut writes: Vec<Write> = clients
        .iter()
        .flat_map(|c| crate::identity::session::revoke_writes(&caller.user_id, &c.id, &c.api_key))
        .collect();
    // The calling client even if it were not listed (e.g. an index entry lost to TTL).
    if !clients.iter().any(|c| c.id == caller.client_id) {
        writes.extend(crate::identity::session::revoke_writes(
            &caller.user_id,
            &caller.client_id,
            &caller.api_key,
        ));
    }
    for key in [
        crate::store::keys::otp(&index),
        crate::store::keys::phone_change(&caller.user_id),
        crate::store::keys::phone(&index),
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

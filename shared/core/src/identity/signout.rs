//! Ending sessions: the caller signs out, or revokes one of their other clients. Effective on
//! that client's very next request; the push devices registered by the ended client go too.

use crate::domain::ids::ClientId;
use crate::identity::session::{revoke_writes, Caller};
use crate::store::keys;
use crate::store::sealed::open;
use crate::Deps;
use crate::Fault;

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no such client")]
    NotFound,
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// Revoke one of the caller's clients by id; effective on that client's next request.
pub async fn revoke(deps: &Deps, caller: &Caller, client_id: &ClientId) -> Result<(), RevokeError> {
    let ikey = keys::user_client(&caller.user_id, client_id);
    let entry = deps.store.get(&ikey).await.map_err(Fault::from)?;
    let Some(entry) = entry else {
        return Err(RevokeError::NotFound);
    };
    let api_key = open(deps.crypto.as_ref(), &entry, &ikey, "apiKey")?
        .ok_or(Fault::Corrupt("client index without api key"))?;
    deps.store
        .transact(revoke_writes(&caller.user_id, client_id, &api_key).into())
        .await
        .map_err(Fault::from)?;
    crate::identity::devices::forget_orphans(deps, &caller.user_id).await?;
    tracing::info!("client revoked");
    Ok(())
}

/// Revoke the caller's own credentials; effective on the very next request.
pub async fn logout(deps: &Deps, caller: &Caller) -> Result<(), Fault> {
    deps.store
        .transact(revoke_writes(&caller.user_id, &caller.client_id, &caller.api_key).into())
        .await?;
    crate::identity::devices::forget_orphans(deps, &caller.user_id).await?;
    tracing::info!("signed out");
    Ok(())
}

//! Authorized clients ("sessions"): one per successful verification, identified by an API key
//! and a 256-bit token stored only as a keyed hash. Authentication is one GetItem.

use chrono::{DateTime, Duration, Utc};
use subtle::ConstantTimeEq;

use super::keys::{self, kind};
use super::sealed::seal;
use super::Fault;
use crate::domain::ids;
use crate::domain::time::rfc3339;
use crate::ports::store::item;
use crate::ports::{Cond, ItemExt, Value, Write};
use crate::Deps;

/// Absolute lifetime of a client's credentials.
pub const CLIENT_MAX_AGE_DAYS: i64 = 180;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub api_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Missing, malformed, wrong, expired or revoked credentials: one answer for all.
    #[error("invalid credentials")]
    Invalid,
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// The writes creating a client: the credential item (looked up on every request) and the
/// user's index entry listing it, in the caller's transaction.
pub fn new_client_writes(
    deps: &Deps,
    user_id: &str,
    api_key: &str,
    auth_token: &str,
    client_name: &str,
    now: DateTime<Utc>,
) -> Vec<Write> {
    let ckey = keys::client(api_key);
    let expires = now + Duration::days(CLIENT_MAX_AGE_DAYS);
    let token_hash = deps
        .crypto
        .blind_index(kind::AUTH_TOKEN, auth_token.as_bytes());
    let client = item(
        &ckey,
        [
            ("userId", Value::S(user_id.to_string())),
            ("tokenHash", Value::S(token_hash)),
            (
                "clientName",
                seal(deps.crypto.as_ref(), &ckey, "clientName", client_name),
            ),
            ("createdAt", Value::S(rfc3339(now))),
            ("lastUsedAt", Value::S(rfc3339(now))),
            ("expiresAt", Value::N(expires.timestamp())),
            ("ttl", Value::N(expires.timestamp())),
            ("version", Value::N(1)),
        ],
    );
    let index = item(
        &keys::user_client(user_id, api_key),
        [("createdAt", Value::S(rfc3339(now)))],
    );
    vec![
        Write::Put {
            item: client,
            cond: Cond::NotExists,
        },
        Write::Put {
            item: index,
            cond: Cond::NotExists,
        },
    ]
}

/// Check `X-API-KEY` / `X-Auth-Token`.
pub async fn authenticate(
    deps: &Deps,
    api_key: Option<&str>,
    auth_token: Option<&str>,
) -> Result<Caller, AuthError> {
    let (Some(api_key), Some(auth_token)) = (api_key, auth_token) else {
        return Err(AuthError::Invalid);
    };
    if !ids::is_token(api_key, 16) || !ids::is_token(auth_token, 32) {
        return Err(AuthError::Invalid);
    }
    let Some(client) = deps
        .store
        .get(&keys::client(api_key))
        .await
        .map_err(Fault::from)?
    else {
        return Err(AuthError::Invalid);
    };
    let offered = deps
        .crypto
        .blind_index(kind::AUTH_TOKEN, auth_token.as_bytes());
    let stored = client.s("tokenHash").unwrap_or_default();
    let token_ok: bool = stored.as_bytes().ct_eq(offered.as_bytes()).into();
    let live = client
        .n("expiresAt")
        .is_some_and(|e| deps.clock.now().timestamp() < e);
    match client.s("userId") {
        Some(user_id) if token_ok && live => Ok(Caller {
            user_id: user_id.to_string(),
            api_key: api_key.to_string(),
        }),
        _ => Err(AuthError::Invalid),
    }
}

/// Revoke the caller's own credentials; effective on the very next request.
pub async fn logout(deps: &Deps, caller: &Caller) -> Result<(), Fault> {
    deps.store
        .transact(vec![
            Write::Delete {
                key: keys::client(&caller.api_key),
                cond: Cond::None,
            },
            Write::Delete {
                key: keys::user_client(&caller.user_id, &caller.api_key),
                cond: Cond::None,
            },
        ])
        .await?;
    tracing::info!("client revoked");
    Ok(())
}

//! Authorized clients ("sessions"): one per successful verification, identified by an API key
//! and a 256-bit token stored only as a keyed hash. Authentication is one GetItem (plus at most
//! one `lastUsedAt` write per client per hour). A client dies when revoked, after
//! `client_idle_days` unused, or `client_max_age_days` after sign-in.
//!
//! Items: `CLIENT#<apiKey>/CLIENT` (credential: user id, client id, token hash, sealed name,
//! times) and `USER#<uid>/CLIENT#<clientId>` (the user's list; the API key sealed), written and
//! deleted together. The client id is the `clientId` its login returned; the API key never
//! appears in a listing.

use chrono::{DateTime, Duration, Utc};
use subtle::ConstantTimeEq;

use crate::domain::ids;
use crate::domain::time::rfc3339;
use crate::ports::store::item;
use crate::ports::{Cond, Item, ItemExt, Query, StoreError, Value, Write};
use crate::store::keys::{self, kind};
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

/// `lastUsedAt` is written at most this often per client.
const LAST_USED_GRANULARITY_SECS: i64 = 3600;

pub use crate::domain::caller::Caller;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Missing, malformed, wrong, expired or revoked credentials: one answer for all.
    #[error("invalid credentials")]
    Invalid,
    #[error(transparent)]
    Fault(#[from] Fault),
}

pub struct NewClient<'a> {
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub api_key: &'a str,
    pub auth_token: &'a str,
    pub name: &'a str,
}

/// The writes creating a client, for the caller's transaction.
pub fn new_client_writes(deps: &Deps, c: &NewClient<'_>, now: DateTime<Utc>) -> Vec<Write> {
    let ckey = keys::client(c.api_key);
    let ikey = keys::user_client(c.user_id, c.client_id);
    let expires = (now + Duration::days(deps.config.limits.client_max_age_days)).timestamp();
    let crypto = deps.crypto.as_ref();
    let token_hash = crypto.blind_index(kind::AUTH_TOKEN, c.auth_token.as_bytes());
    let client = item(
        &ckey,
        [
            ("userId", Value::S(c.user_id.to_string())),
            ("clientId", Value::S(c.client_id.to_string())),
            ("tokenHash", Value::S(token_hash)),
            ("clientName", seal(crypto, &ckey, "clientName", c.name)),
            ("createdAt", Value::S(rfc3339(now))),
            ("lastUsedAt", Value::N(now.timestamp())),
            ("expiresAt", Value::N(expires)),
            ("ttl", Value::N(expires)),
            ("version", Value::N(1)),
        ],
    );
    let index = item(
        &ikey,
        [
            ("apiKey", seal(crypto, &ikey, "apiKey", c.api_key)),
            ("createdAt", Value::S(rfc3339(now))),
            ("ttl", Value::N(expires)),
        ],
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

fn live(deps: &Deps, client: &Item, now: i64) -> bool {
    let idle = deps.config.limits.client_idle_days * 86_400;
    client.n("expiresAt").is_some_and(|e| now < e)
        && client.n("lastUsedAt").is_some_and(|u| now < u + idle)
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
    let key = keys::client(api_key);
    let Some(client) = deps.store.get(&key).await.map_err(Fault::from)? else {
        return Err(AuthError::Invalid);
    };
    let offered = deps
        .crypto
        .blind_index(kind::AUTH_TOKEN, auth_token.as_bytes());
    let stored = client.s("tokenHash").unwrap_or_default();
    let token_ok = bool::from(stored.as_bytes().ct_eq(offered.as_bytes()));
    let now = deps.clock.now().timestamp();
    let (Some(user_id), Some(client_id)) = (client.s("userId"), client.s("clientId")) else {
        return Err(AuthError::Invalid);
    };
    if !token_ok || !live(deps, &client, now) {
        return Err(AuthError::Invalid);
    }
    if now - client.n("lastUsedAt").unwrap_or(0) >= LAST_USED_GRANULARITY_SECS {
        let set = [("lastUsedAt".to_string(), Value::N(now))];
        // `Exists`: a client revoked meanwhile must not be brought back.
        match deps
            .store
            .update(&key, set.into_iter().collect(), &[], Cond::Exists)
            .await
        {
            Ok(_) | Err(StoreError::ConditionFailed) => {}
            Err(e) => tracing::warn!(error = %e, "could not record lastUsedAt"),
        }
    }
    Ok(Caller {
        user_id: user_id.to_string(),
        client_id: client_id.to_string(),
        api_key: api_key.to_string(),
    })
}

/// One of the user's clients as listed to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: String,
    pub current: bool,
    /// For revocation only; never shown.
    pub(crate) api_key: String,
}

/// Every live client of `user_id`, oldest first.
pub async fn clients_of(
    deps: &Deps,
    user_id: &str,
    current: Option<&str>,
) -> Result<Vec<ClientInfo>, Fault> {
    let q = Query::new(keys::user_pk(user_id))
        .prefix(keys::CLIENT_PREFIX)
        .limit(100);
    let index = deps.store.query(&q).await?.items;
    let crypto = deps.crypto.as_ref();
    // (client id, api key) of every index entry, then one batch read of the credentials.
    let mut entries = Vec::new();
    for entry in &index {
        let Some(ikey) = crate::ports::store::key_of(entry) else {
            continue;
        };
        if let Some(api_key) = open(crypto, entry, &ikey, "apiKey")? {
            let id = ikey.sk.trim_start_matches(keys::CLIENT_PREFIX).to_string();
            entries.push((id, api_key));
        }
    }
    let keys: Vec<_> = entries.iter().map(|(_, k)| keys::client(k)).collect();
    let found = if keys.is_empty() {
        Vec::new()
    } else {
        deps.store.batch_get(&keys).await?
    };
    let now = deps.clock.now().timestamp();
    let mut out = Vec::new();
    for (id, api_key) in entries {
        let ckey = keys::client(&api_key);
        let Some(client) = crate::store::batch::find(&found, &ckey) else {
            continue;
        };
        if !live(deps, client, now) {
            continue;
        }
        let last_used = client.n("lastUsedAt").unwrap_or(0);
        out.push(ClientInfo {
            current: current == Some(id.as_str()),
            id,
            name: open(crypto, client, &ckey, "clientName")?.unwrap_or_default(),
            created_at: client.s("createdAt").unwrap_or_default().to_string(),
            last_used_at: DateTime::from_timestamp(last_used, 0)
                .map(rfc3339)
                .unwrap_or_default(),
            api_key,
        });
    }
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The writes deleting one client (both items).
pub fn revoke_writes(user_id: &str, client_id: &str, api_key: &str) -> [Write; 2] {
    [
        Write::Delete {
            key: keys::client(api_key),
            cond: Cond::None,
        },
        Write::Delete {
            key: keys::user_client(user_id, client_id),
            cond: Cond::None,
        },
    ]
}

/// Writes revoking the oldest clients so that one more fits under `max_clients`.
pub async fn evict_oldest_writes(deps: &Deps, user_id: &str) -> Result<Vec<Write>, StoreError> {
    let clients = clients_of(deps, user_id, None).await.map_err(|e| match e {
        Fault::Store(s) => s,
        other => StoreError::Unavailable(other.to_string()),
    })?;
    let max = deps.config.limits.max_clients.max(1);
    let excess = (clients.len() + 1).saturating_sub(max);
    Ok(clients
        .iter()
        .take(excess)
        .flat_map(|c| revoke_writes(user_id, &c.id, &c.api_key))
        .collect())
}

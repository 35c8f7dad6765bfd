//! One-time SMS codes, shared by sign-in and phone change.
//!
//! Rules (docs/security.md): 6 digits from the CSPRNG; only a keyed hash is stored, bound to
//! the code item's key and the flow it belongs to; valid `code_ttl_secs`; single use (the caller
//! consumes it in its own transaction, conditional on the version checked here); dead after
//! `code_max_attempts` wrong tries; a new code for the same item replaces the old one. Before
//! any SMS: the limits of `crate::identity::limits`.

use subtle::ConstantTimeEq;

use crate::domain::PhoneNumber;
use crate::identity::limits::{self, LimitError};
use crate::ports::random::RandomExt;
use crate::ports::store::item;
use crate::ports::{Cond, Item, ItemExt, Key, StoreError, Value};
use crate::Deps;
use crate::Fault;

/// What became of a request for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    Sent,
    /// The number may not get SMS (country or type): nothing stored, nothing sent.
    Withheld,
}

fn code_hash(deps: &Deps, key: &Key, binding: &str, code: &str) -> String {
    let material = format!("{}|{}|{binding}|{code}", key.pk, key.sk);
    deps.crypto
        .blind_index(crate::store::keys::kind::OTP_CODE, material.as_bytes())
}

/// A random starting version (62 bits, so `+1` never overflows).
fn fresh_version(deps: &Deps) -> i64 {
    let mut b = [0u8; 8];
    deps.random.fill(&mut b);
    (u64::from_le_bytes(b) >> 2) as i64 + 1
}

/// Send a fresh code to `phone` and store its hash at `key` with `attrs`. `binding` (a client
/// id, a user id) must be presented again with the code. `text` holds `{code}`.
pub async fn issue(
    deps: &Deps,
    key: &Key,
    phone: &PhoneNumber,
    phone_index: &str,
    binding: &str,
    attrs: Vec<(&'static str, Value)>,
    text: &str,
) -> Result<Issued, LimitError> {
    if !limits::destination_allowed(deps, phone) {
        tracing::info!("code withheld: destination not allowed");
        return Ok(Issued::Withheld);
    }
    limits::cooldown(deps, phone_index).await?;
    limits::codes_to_number(deps, phone_index).await?;
    limits::sms_breaker(deps).await?;
    let code = deps.random.code6();
    let expires = deps.clock.now().timestamp() + deps.config.code_ttl_secs;
    let mut attrs = attrs;
    attrs.extend([
        ("codeHash", Value::S(code_hash(deps, key, binding, &code))),
        ("attempts", Value::N(0)),
        ("expiresAt", Value::N(expires)),
        ("ttl", Value::N(expires + 86_400)),
        ("version", Value::N(fresh_version(deps))),
    ]);
    // Unconditional: a new code replaces (invalidates) the previous one. Its random version
    // means a consumer that checked the previous code can no longer delete this one.
    deps.store
        .put(item(key, attrs), Cond::None)
        .await
        .map_err(Fault::from)?;
    deps.sms
        .send(phone.as_str(), &text.replace("{code}", &code))
        .await
        .map_err(Fault::from)?;
    tracing::info!("code sent");
    Ok(Issued::Sent)
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Wrong, expired, used, dead or never-sent: one answer for all.
    #[error("invalid code")]
    Invalid,
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<StoreError> for CheckError {
    fn from(e: StoreError) -> Self {
        Self::Fault(e.into())
    }
}

/// Check `code` against the code item at `key`. On success returns the item; the caller must
/// consume it with `Write::Delete { key, cond: Cond::VersionIs(item.version()) }` in the
/// transaction that acts on it, and call `check` again if that transaction is cancelled.
/// A wrong code counts one try (conditionally, so concurrent tries are all counted).
pub async fn check(deps: &Deps, key: &Key, binding: &str, code: &str) -> Result<Item, CheckError> {
    let offered = code_hash(deps, key, binding, code);
    crate::store::retry::conditional(deps, |_| async {
        let Some(otp) = deps.store.get(key).await? else {
            return Err(CheckError::Invalid);
        };
        let version = otp.version();
        let attempts = otp.n("attempts").unwrap_or(i64::MAX);
        let max = deps.config.code_max_attempts;
        if deps.clock.now().timestamp() >= otp.n("expiresAt").unwrap_or(0) || attempts >= max {
            // Dead code: remove it (another request may already have).
            let _ = deps.store.delete(key, Cond::VersionIs(version)).await;
            return Err(CheckError::Invalid);
        }
        let stored = otp.s("codeHash").unwrap_or_default();
        if bool::from(stored.as_bytes().ct_eq(offered.as_bytes())) {
            return Ok(Some(otp));
        }
        let counted = if attempts + 1 >= max {
            deps.store.delete(key, Cond::VersionIs(version)).await
        } else {
            let set = [
                ("attempts".to_string(), Value::N(attempts + 1)),
                ("version".to_string(), Value::N(version + 1)),
            ];
            deps.store
                .update(
                    key,
                    set.into_iter().collect(),
                    &[],
                    Cond::VersionIs(version),
                )
                .await
                .map(|_| ())
        };
        match counted {
            Ok(()) => Err(CheckError::Invalid),
            Err(StoreError::ConditionFailed) => Ok(None), // a concurrent try: count again
            Err(e) => Err(e.into()),
        }
    })
    .await
}

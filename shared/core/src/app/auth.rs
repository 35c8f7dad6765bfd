//! Phone sign-in: `login` sends a 6-digit code by SMS, `verify_code` trades it for credentials.
//!
//! Rules (DESIGN.md §6 rule 2): the code comes from the CSPRNG, only its keyed hash is stored,
//! it lives 10 minutes, is single use, dies after 5 wrong tries, and a new login replaces it.
//! Every failure of `verify_code` is the same `VerifyError::Invalid`, whatever the cause.

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::keys::{self, kind};
use super::sealed::seal;
use super::Fault;
use crate::domain::time::rfc3339;
use crate::domain::PhoneNumber;
use crate::ports::random::RandomExt;
use crate::ports::store::item;
use crate::ports::{Cond, ItemExt, StoreError, Value, Write};
use crate::Deps;

/// Result of a login: the client id to quote on verification.
#[derive(Debug, Clone)]
pub struct LoginStarted {
    pub client_id: String,
    pub client_name: String,
    pub phone: PhoneNumber,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// Credentials of a new authorized client.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: String,
    pub auth_token: String,
    pub user_id: String,
    pub created_user: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Wrong, expired, used, dead or never-sent code: one answer for all.
    #[error("invalid verification code")]
    Invalid,
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<StoreError> for VerifyError {
    fn from(e: StoreError) -> Self {
        Self::Fault(e.into())
    }
}

const SMS_TEXT: &str = "Your StatX code is {code}. It expires in 10 minutes. Never share it.";
/// Write conflicts tolerated before giving up (concurrent guesses on one code).
const MAX_RETRIES: usize = 8;

fn code_hash(deps: &Deps, phone_index: &str, client_id: &str, code: &str) -> String {
    let material = format!("{phone_index}|{client_id}|{code}");
    deps.crypto.blind_index(kind::OTP_CODE, material.as_bytes())
}

fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Start a sign-in. The answer is the same whether or not the number has an account. Numbers
/// that must never get an SMS (premium rate, toll free...) get the same answer and no SMS.
pub async fn login(
    deps: &Deps,
    phone: PhoneNumber,
    client_name: String,
) -> Result<LoginStarted, LoginError> {
    let client_id = deps.random.id();
    let started = LoginStarted {
        client_id: client_id.clone(),
        client_name: client_name.clone(),
        phone: phone.clone(),
    };
    if !phone.may_receive_sms() {
        tracing::info!("login for a number type that gets no SMS; nothing sent");
        return Ok(started);
    }
    let phone_index = deps
        .crypto
        .blind_index(kind::PHONE, phone.as_str().as_bytes());
    let code = deps.random.code6();
    let now = deps.clock.now();
    let expires = epoch(now) + deps.config.code_ttl_secs;
    let key = keys::otp(&phone_index);
    let otp = item(
        &key,
        [
            ("clientId", Value::S(client_id)),
            (
                "clientName",
                seal(deps.crypto.as_ref(), &key, "clientName", &client_name),
            ),
            (
                "codeHash",
                Value::S(code_hash(deps, &phone_index, &started.client_id, &code)),
            ),
            ("attempts", Value::N(0)),
            ("expiresAt", Value::N(expires)),
            ("ttl", Value::N(expires + 86_400)),
            ("version", Value::N(1)),
        ],
    );
    // Unconditional put: a new login replaces (invalidates) any previous code.
    deps.store.put(otp, Cond::None).await.map_err(Fault::from)?;
    let text = SMS_TEXT.replace("{code}", &code);
    deps.sms
        .send(phone.as_str(), &text)
        .await
        .map_err(Fault::from)?;
    tracing::info!("verification code sent");
    Ok(started)
}

/// Check a code; on success create the user (first sign-in) and a new authorized client, and
/// consume the code, all in one transaction.
pub async fn verify_code(
    deps: &Deps,
    phone: &PhoneNumber,
    client_id: &str,
    code: &str,
) -> Result<Credentials, VerifyError> {
    let phone_index = deps
        .crypto
        .blind_index(kind::PHONE, phone.as_str().as_bytes());
    let otp_key = keys::otp(&phone_index);
    let offered = code_hash(deps, &phone_index, client_id, code);
    for _ in 0..MAX_RETRIES {
        let Some(otp) = deps.store.get(&otp_key).await? else {
            return Err(VerifyError::Invalid);
        };
        let version = otp.version();
        let now = deps.clock.now();
        let attempts = otp.n("attempts").unwrap_or(i64::MAX);
        let expires = otp.n("expiresAt").unwrap_or(0);
        if epoch(now) >= expires || attempts >= deps.config.code_max_attempts {
            // Dead code: remove it (another request may already have).
            let _ = deps.store.delete(&otp_key, Cond::VersionIs(version)).await;
            return Err(VerifyError::Invalid);
        }
        let stored = otp.s("codeHash").unwrap_or_default();
        let matches: bool = stored.as_bytes().ct_eq(offered.as_bytes()).into();
        if !matches {
            let result = if attempts + 1 >= deps.config.code_max_attempts {
                deps.store.delete(&otp_key, Cond::VersionIs(version)).await
            } else {
                let set = [
                    ("attempts".to_string(), Value::N(attempts + 1)),
                    ("version".to_string(), Value::N(version + 1)),
                ];
                deps.store
                    .update(
                        &otp_key,
                        set.into_iter().collect(),
                        &[],
                        Cond::VersionIs(version),
                    )
                    .await
                    .map(|_| ())
            };
            match result {
                Ok(()) => return Err(VerifyError::Invalid),
                Err(StoreError::ConditionFailed) => continue, // a concurrent try: count again
                Err(e) => return Err(e.into()),
            }
        }
        match redeem(deps, &phone_index, phone, &otp_key, version, &otp).await {
            Ok(creds) => return Ok(creds),
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(VerifyError::Fault(Fault::Contention))
}

/// The transaction of a successful verification: consume the code (conditional on the version
/// we checked, so it is single use even under races), create the user if new, create the client.
async fn redeem(
    deps: &Deps,
    phone_index: &str,
    phone: &PhoneNumber,
    otp_key: &crate::ports::Key,
    otp_version: i64,
    otp: &crate::ports::Item,
) -> Result<Credentials, StoreError> {
    let phone_key = keys::phone(phone_index);
    let existing = deps.store.get(&phone_key).await?;
    let now = deps.clock.now();
    let mut writes = vec![Write::Delete {
        key: otp_key.clone(),
        cond: Cond::VersionIs(otp_version),
    }];
    let (user_id, created_user) = match existing.as_ref().and_then(|i| i.s("userId")) {
        Some(id) => {
            writes.push(Write::Check {
                key: phone_key.clone(),
                cond: Cond::Exists,
            });
            (id.to_string(), false)
        }
        None => {
            let user_id = deps.random.id();
            writes.push(Write::Put {
                item: item(&phone_key, [("userId", Value::S(user_id.clone()))]),
                cond: Cond::NotExists,
            });
            let pkey = keys::profile(&user_id);
            writes.push(Write::Put {
                item: item(
                    &pkey,
                    [
                        (
                            "phone",
                            seal(deps.crypto.as_ref(), &pkey, "phone", phone.as_str()),
                        ),
                        ("phoneIndex", Value::S(phone_index.to_string())),
                        ("createdAt", Value::S(rfc3339(now))),
                        ("version", Value::N(1)),
                    ],
                ),
                cond: Cond::NotExists,
            });
            (user_id, true)
        }
    };
    let api_key = deps.random.id();
    let auth_token = deps.random.token(32);
    // The client name was sealed under the OTP item; re-seal it under the client's own key.
    let client_name = super::sealed::open(deps.crypto.as_ref(), otp, otp_key, "clientName")
        .ok()
        .flatten()
        .unwrap_or_default();
    writes.extend(super::session::new_client_writes(
        deps,
        &user_id,
        &api_key,
        &auth_token,
        &client_name,
        now,
    ));
    deps.store.transact(writes).await?;
    tracing::info!(created_user, "sign-in verified");
    Ok(Credentials {
        api_key,
        auth_token,
        user_id,
        created_user,
    })
}

//! Phone sign-in: `login` sends a 6-digit code by SMS (through the limits), `verify_code`
//! trades it for a new authorized client, creating the user on first sign-in. Every failure of
//! `verify_code` is the same `CheckError::Invalid`, whatever the cause.

use crate::domain::time::rfc3339;
use crate::domain::PhoneNumber;
use crate::identity::limits::{self, LimitError};
use crate::identity::otp::{self, CheckError};
use crate::identity::session;
use crate::ports::random::RandomExt;
use crate::ports::store::item;
use crate::ports::{Cond, Item, ItemExt, Key, StoreError, Value, Write};
use crate::store::keys::{self, kind};
use crate::store::retry::{transact, Step};
use crate::store::sealed::{open, seal};
use crate::Deps;

/// Result of a login: the client id to quote on verification (and the id the authorized
/// client will have).
#[derive(Debug, Clone)]
pub struct LoginStarted {
    pub client_id: String,
    pub client_name: String,
    pub phone: PhoneNumber,
}

/// Credentials of a new authorized client.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: String,
    pub auth_token: String,
    pub user_id: String,
    pub created_user: bool,
}

const SMS_TEXT: &str = "Your StatX code is {code}. It expires in 10 minutes. Never share it.";

pub fn phone_index(deps: &Deps, phone: &PhoneNumber) -> String {
    deps.crypto
        .blind_index(kind::PHONE, phone.as_str().as_bytes())
}

/// Start a sign-in. The answer is the same whether or not the number has an account, and
/// whether or not an SMS may go to it (country allowlist, number type).
pub async fn login(
    deps: &Deps,
    phone: PhoneNumber,
    client_name: String,
    source_ip: Option<&str>,
) -> Result<LoginStarted, LimitError> {
    limits::login_from_ip(deps, source_ip).await?;
    let client_id = deps.random.id();
    let index = phone_index(deps, &phone);
    let key = keys::otp(&index);
    let attrs = vec![
        ("clientId", Value::S(client_id.clone())),
        (
            "clientName",
            seal(deps.crypto.as_ref(), &key, "clientName", &client_name),
        ),
    ];
    otp::issue(deps, &key, &phone, &index, &client_id, attrs, SMS_TEXT).await?;
    Ok(LoginStarted {
        client_id,
        client_name,
        phone,
    })
}

/// Check a code; on success consume it, create the user (first sign-in) and a new authorized
/// client, all in one transaction.
pub async fn verify_code(
    deps: &Deps,
    phone: &PhoneNumber,
    client_id: &str,
    code: &str,
) -> Result<Credentials, CheckError> {
    let index = &phone_index(deps, phone);
    let otp_key = &keys::otp(index);
    let creds = transact(deps, move |_| async move {
        let otp = otp::check(deps, otp_key, client_id, code).await?;
        let (writes, creds) = redeem(deps, index, phone, otp_key, &otp, client_id).await?;
        Ok::<_, CheckError>(Step::Commit(writes, creds))
    })
    .await?;
    if !creds.created_user {
        // Devices of clients evicted by the cap go with them (best effort: the sign-in stands).
        if let Err(e) = crate::identity::devices::forget_orphans(deps, &creds.user_id).await {
            tracing::warn!(error = %e, "could not forget devices of evicted clients");
        }
    }
    tracing::info!(created_user = creds.created_user, "sign-in verified");
    Ok(creds)
}

/// The writes of one sign-in (consume the code, create the user on first sign-in, add the
/// client) and the credentials they grant once committed.
async fn redeem(
    deps: &Deps,
    index: &str,
    phone: &PhoneNumber,
    otp_key: &Key,
    otp: &Item,
    client_id: &str,
) -> Result<(Vec<Write>, Credentials), StoreError> {
    let phone_key = keys::phone(index);
    let existing = deps.store.get(&phone_key).await?;
    let now = deps.clock.now();
    let mut writes = vec![Write::Delete {
        key: otp_key.clone(),
        cond: Cond::VersionIs(otp.version()),
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
                        ("phoneIndex", Value::S(index.to_string())),
                        ("createdAt", Value::S(rfc3339(now))),
                        ("version", Value::N(1)),
                    ],
                ),
                cond: Cond::NotExists,
            });
            (user_id, true)
        }
    };
    if !created_user {
        writes.extend(session::evict_oldest_writes(deps, &user_id).await?);
    }
    let api_key = deps.random.id();
    let auth_token = deps.random.token(32);
    // The client name was sealed under the code item; re-seal it under the client's own key.
    let client_name = open(deps.crypto.as_ref(), otp, otp_key, "clientName")
        .ok()
        .flatten()
        .unwrap_or_default();
    writes.extend(session::new_client_writes(
        deps,
        &session::NewClient {
            user_id: &user_id,
            client_id,
            api_key: &api_key,
            auth_token: &auth_token,
            name: &client_name,
        },
        now,
    ));
    let creds = Credentials {
        api_key,
        auth_token,
        user_id,
        created_user,
    };
    Ok((writes, creds))
}

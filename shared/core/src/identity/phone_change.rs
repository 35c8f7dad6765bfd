//! Changing the account's phone number: a code goes to the new number (same limits as
//! sign-in); verifying it moves the identity in one transaction and signs out every other
//! client. A number that belongs to another account makes the change fail exactly like a wrong
//! code, so the answer never reveals who has an account.

use crate::domain::PhoneNumber;
use crate::identity::limits::LimitError;
use crate::identity::login::phone_index;
use crate::identity::otp::{self, CheckError, Issued};
use crate::identity::profile;
use crate::identity::session::{self, Caller};
use crate::ports::store::item;
use crate::ports::{Cond, ItemExt, Value, Write};
use crate::store::keys;
use crate::store::retry::{transact_unless, Step};
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

const SMS_TEXT: &str =
    "Your StatX code to confirm this as your new number is {code}. It expires in 10 minutes.";

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The new number is the current one.
    #[error("same number")]
    SameNumber,
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// Send a confirmation code to `new_phone`.
pub async fn request(
    deps: &Deps,
    caller: &Caller,
    new_phone: &PhoneNumber,
) -> Result<Issued, ChangeError> {
    let current = profile::get(deps, caller).await?;
    if current.phone_number == new_phone.as_str() {
        return Err(ChangeError::SameNumber);
    }
    let index = phone_index(deps, new_phone);
    let key = keys::phone_change(&caller.user_id);
    let attrs = vec![
        (
            "newPhone",
            seal(deps.crypto.as_ref(), &key, "newPhone", new_phone.as_str()),
        ),
        ("newPhoneIndex", Value::S(index.clone())),
    ];
    Ok(otp::issue(
        deps,
        &key,
        new_phone,
        &index,
        &caller.user_id,
        attrs,
        SMS_TEXT,
    )
    .await?)
}

/// Confirm the change with the code sent to the new number.
pub async fn verify(
    deps: &Deps,
    caller: &Caller,
    code: &str,
) -> Result<profile::Profile, CheckError> {
    let code_key = &keys::phone_change(&caller.user_id);
    let pkey = &keys::profile(&caller.user_id);
    // The number belongs to another account (the new number's index, write 1, exists).
    let taken = |failed: &[usize]| failed.contains(&1);
    let moved = transact_unless(deps, taken, move |_| async move {
        let pending = otp::check(deps, code_key, &caller.user_id, code).await?;
        let new_index = pending
            .s("newPhoneIndex")
            .ok_or(Fault::Corrupt("phone change without number"))?
            .to_string();
        let new_phone = open(deps.crypto.as_ref(), &pending, code_key, "newPhone")?
            .ok_or(Fault::Corrupt("phone change without number"))?;
        let profile = deps
            .store
            .get(pkey)
            .await?
            .ok_or(Fault::Corrupt("authenticated user has no profile"))?;
        let old_index = profile.s("phoneIndex").unwrap_or_default().to_string();
        let mut writes = vec![
            Write::Delete {
                key: code_key.clone(),
                cond: Cond::VersionIs(pending.version()),
            },
            Write::Put {
                item: item(
                    &keys::phone(&new_index),
                    [("userId", Value::S(caller.user_id.clone()))],
                ),
                cond: Cond::NotExists,
            },
            Write::Delete {
                key: keys::phone(&old_index),
                cond: Cond::None,
            },
            Write::Update {
                key: pkey.clone(),
                set: [
                    (
                        "phone".to_string(),
                        seal(deps.crypto.as_ref(), pkey, "phone", &new_phone),
                    ),
                    ("phoneIndex".to_string(), Value::S(new_index.clone())),
                    ("version".to_string(), Value::N(profile.version() + 1)),
                ]
                .into_iter()
                .collect(),
                remove: vec![],
                cond: Cond::VersionIs(profile.version()),
            },
        ];
        for c in session::clients_of(deps, &caller.user_id, None).await? {
            if c.id != caller.client_id {
                writes.extend(session::revoke_writes(&caller.user_id, &c.id, &c.api_key));
            }
        }
        Ok::<_, CheckError>(Step::Commit(writes, ()))
    })
    .await?;
    if moved.is_err() {
        // The number belongs to another account: fail like a wrong code, and burn the code so
        // it cannot be retried.
        let _ = deps.store.delete(code_key, Cond::None).await;
        return Err(CheckError::Invalid);
    }
    crate::identity::devices::forget_orphans(deps, &caller.user_id).await?;
    tracing::info!("phone number changed");
    Ok(profile::get(deps, caller).await?)
}

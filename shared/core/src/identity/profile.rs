//! The caller's own profile.

use crate::identity::session::Caller;
use crate::ports::{Cond, Item, ItemExt, StoreError, Value};
use crate::store::keys;
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    pub phone_number: String,
    pub display_name: Option<String>,
    pub created_at: String,
}

pub async fn get(deps: &Deps, caller: &Caller) -> Result<Profile, Fault> {
    let key = keys::profile(&caller.user_id);
    let item = deps
        .store
        .get(&key)
        .await?
        .ok_or(Fault::Corrupt("authenticated user has no profile"))?;
    profile_from(deps, caller, &item)
}

fn profile_from(deps: &Deps, caller: &Caller, item: &Item) -> Result<Profile, Fault> {
    let key = keys::profile(&caller.user_id);
    let crypto = deps.crypto.as_ref();
    Ok(Profile {
        id: caller.user_id.clone(),
        phone_number: open(crypto, item, &key, "phone")?
            .ok_or(Fault::Corrupt("profile without phone"))?,
        display_name: open(crypto, item, &key, "displayName")?,
        created_at: item.s("createdAt").unwrap_or_default().to_string(),
    })
}

/// Set the display name (already validated). Conditional on the version read, retried on
/// conflict, so concurrent edits of other profile fields are never lost.
pub async fn set_display_name(deps: &Deps, caller: &Caller, name: &str) -> Result<Profile, Fault> {
    let key = &keys::profile(&caller.user_id);
    crate::store::retry::conditional(deps, |_| async move {
        let item = deps
            .store
            .get(key)
            .await?
            .ok_or(Fault::Corrupt("authenticated user has no profile"))?;
        let version = item.version();
        let set = [
            (
                "displayName".to_string(),
                seal(deps.crypto.as_ref(), key, "displayName", name),
            ),
            ("version".to_string(), Value::N(version + 1)),
        ];
        match deps
            .store
            .update(
                key,
                set.into_iter().collect(),
                &[],
                Cond::VersionIs(version),
            )
            .await
        {
            Ok(updated) => profile_from(deps, caller, &updated).map(Some),
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

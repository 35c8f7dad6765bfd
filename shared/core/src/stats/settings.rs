//! Per-user stat settings (StatX `/settings`): how the caller wants to hear about a stat
//! (`notify`: ALL, NONE or THRESHOLD with `above`/`below`). Used by push notifications later.
//!
//! Stored in the user's own partition (`USER#<uid>/STATSET#<gid>#<sid>`, sealed), so account
//! export and erase find them with one query (`PART`). The GSI1 entry
//! (`STATSET#<gid>` / `<sid>#<uid>`) lets deleting a stat or a group remove everyone's
//! settings for it. A write is conditional on the stat existing and the caller's membership,
//! so nothing can be added once the stat (or group) is gone. Settings of a member who left
//! stay in their own account until the stat or group goes or they erase their account.

use crate::domain::ids::{GroupId, StatId};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::domain::stat::Decimal;
use crate::identity::parts::{AccountPart, PartFuture};
use crate::identity::session::Caller;
use crate::ports::store::{item, key_of, GSI1PK, GSI1SK, SK};
use crate::ports::{Cond, Item, ItemExt, Key, Query, Value, Write};
use crate::stats::StatError;
use crate::store::keys;
use crate::store::keys as sk;
use crate::store::retry::{transact, Step};
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Notify {
    All,
    None,
    Threshold,
}

/// The caller's settings for one stat (`above`/`below` as decimal texts, THRESHOLD only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub notify: Notify,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
}

/// What a user has before setting anything: every change of the stat.
impl Default for Settings {
    fn default() -> Self {
        Self {
            notify: Notify::All,
            above: None,
            below: None,
        }
    }
}

/// The PUT body (the whole settings: PUT replaces).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsInput {
    pub notify: String,
    pub above: Option<Json>,
    pub below: Option<Json>,
}

impl SettingsInput {
    pub fn validate(self) -> Result<Settings, String> {
        let notify = match self.notify.trim().to_ascii_uppercase().as_str() {
            "ALL" => Notify::All,
            "NONE" => Notify::None,
            "THRESHOLD" => Notify::Threshold,
            _ => return Err("notify must be ALL, NONE or THRESHOLD.".into()),
        };
        let num = |field: &str, v: Option<Json>| -> Result<Option<Decimal>, String> {
            match v {
                None | Some(Json::Null) => Ok(None),
                Some(v) => Decimal::from_json(field, &v).map(Some),
            }
        };
        let above = num("above", self.above)?;
        let below = num("below", self.below)?;
        match notify {
            Notify::Threshold if above.is_none() && below.is_none() => {
                return Err("THRESHOLD needs above, below or both.".into())
            }
            Notify::All | Notify::None if above.is_some() || below.is_some() => {
                return Err("above and below apply to notify THRESHOLD only.".into())
            }
            _ => {}
        }
        Ok(Settings {
            notify,
            above: above.map(|d| d.as_str().to_string()),
            below: below.map(|d| d.as_str().to_string()),
        })
    }
}

pub(crate) fn parse(it: &Item, key: &Key, deps: &Deps) -> Result<Settings, Fault> {
    let json = open(deps.crypto.as_ref(), it, key, "settings")?
        .ok_or(Fault::Corrupt("settings without content"))?;
    serde_json::from_str(&json).map_err(|_| Fault::Corrupt("settings content"))
}

/// The caller's settings for a stat they may read (defaults when never set).
pub async fn get(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
) -> Result<Settings, StatError> {
    let (_, stat) = crate::stats::read_any(deps, caller, group_id, stat_id).await?;
    stat.ok_or(StatError::NotFound)?;
    let key = sk::settings(&caller.user_id, group_id, stat_id);
    match deps.store.get(&key).await? {
        Some(it) => Ok(parse(&it, &key, deps)?),
        None => Ok(Settings::default()),
    }
}

/// Replace the caller's settings for a stat they may read.
pub async fn put(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
    settings: Settings,
) -> Result<Settings, StatError> {
    let settings = &settings;
    transact(deps, move |_| async move {
        let (a, stat) = crate::stats::read_any(deps, caller, group_id, stat_id).await?;
        stat.ok_or(StatError::NotFound)?;
        let key = sk::settings(&caller.user_id, group_id, stat_id);
        let json = serde_json::to_string(&settings).map_err(|_| Fault::Corrupt("settings"))?;
        let it = item(
            &key,
            [
                (
                    "settings",
                    seal(deps.crypto.as_ref(), &key, "settings", &json),
                ),
                (GSI1PK, Value::S(sk::settings_index_pk(group_id))),
                (
                    GSI1SK,
                    Value::S(sk::settings_index_sk(stat_id, &caller.user_id)),
                ),
                ("groupId", Value::S(group_id.to_string())),
                ("statId", Value::S(stat_id.to_string())),
            ],
        );
        let writes = vec![
            Write::Put {
                item: it,
                cond: Cond::None,
            },
            Write::Check {
                key: sk::stat(group_id, stat_id),
                cond: Cond::Exists,
            },
            a.still_holds(caller),
        ];
        Ok::<_, StatError>(Step::Commit(writes, settings.clone()))
    })
    .await
}

/// Every settings item of the user (all pages of their partition's `STATSET#` range).
async fn all_of(deps: &Deps, user_id: &str) -> Result<Vec<Item>, Fault> {
    let q = Query::new(keys::user_pk(user_id))
        .prefix(sk::SETTINGS_PREFIX)
        .limit(100);
    crate::store::batch::all(deps, q).await
}

/// The stats feature's share of an account: the user's stat settings. (Stats, history and
/// attachments belong to the groups, which the groups part deletes or leaves.)
pub const PART: AccountPart = AccountPart {
    name: "statSettings",
    export: export_part,
    erase: erase_part,
};

fn export_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(async move {
        let mut out = Vec::new();
        for it in all_of(deps, &caller.user_id).await? {
            let Some(key) = key_of(&it) else { continue };
            let s = parse(&it, &key, deps)?;
            out.push(json!({
                "groupId": it.s("groupId"),
                "statId": it.s("statId"),
                "settings": s,
            }));
        }
        Ok(Json::Array(out))
    })
}

fn erase_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(async move {
        let items = all_of(deps, &caller.user_id).await?;
        for chunk in items.chunks(50) {
            let writes = chunk
                .iter()
                .filter(|it| it.s(SK).is_some())
                .filter_map(key_of)
                .map(|key| Write::Delete {
                    key,
                    cond: Cond::None,
                })
                .collect();
            crate::store::retry::transact_blind(deps, writes).await?;
        }
        tracing::info!(settings = items.len(), "stat settings erased");
        Ok(json!({ "settingsDeleted": items.len() }))
    })
}

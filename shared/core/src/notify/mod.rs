//! Push fan-out, run asynchronously on the store's change feed (the table's DynamoDB Stream in
//! AWS, the embedded store's change feed locally). For a stat whose *value* changed, it pushes
//! to every member and follower of the group, except the author, whose settings ask for it
//! (`ALL`, or `THRESHOLD` crossed) and who have not muted the group; for a new chat message, to
//! the other side of the conversation (see `chat_message`). Payloads carry ids and a generic
//! text, never values, message text or phone numbers. Endpoints the provider reports disabled
//! are forgotten.

use std::collections::BTreeMap;

use crate::ports::store::key_of;
use crate::ports::{Cond, Item, ItemExt, Key, PushMessage, PushOutcome, Query};
use crate::stats::settings::{Notify, Settings};
use crate::stats::{parse_stat, Stat};
use crate::store::keys;
use crate::store::keys as sk;
use crate::Deps;
use crate::Fault;

/// What one change produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fanout {
    pub pushed: usize,
    pub forgotten: usize,
}

/// React to one committed change of the item at `key`.
pub async fn on_change(
    deps: &Deps,
    key: &Key,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Fanout, Fault> {
    let Some(group_id) = key.pk.strip_prefix(keys::GROUP_PREFIX) else {
        return Ok(Fanout::default());
    };
    let Some(new) = new else {
        return Ok(Fanout::default()); // deleted
    };
    if key.sk.starts_with(keys::CHAT_PREFIX) {
        return match old {
            None => chat_message(deps, group_id, new).await,
            Some(_) => Ok(Fanout::default()), // an edit, not a new message
        };
    }
    if !key.sk.starts_with(sk::STAT_PREFIX) {
        return Ok(Fanout::default());
    }
    let new = parse_stat(deps, group_id, new)?;
    let old = old.map(|o| parse_stat(deps, group_id, o)).transpose()?;
    let changed = match &old {
        Some(o) => o.content.value_state() != new.content.value_state(),
        None => false, // a new stat is not a change anyone subscribed to
    };
    if !changed {
        return Ok(Fanout::default());
    }
    stat_changed(deps, group_id, old.as_ref(), &new).await
}

/// The numeric value of a stat, for thresholds (NUMBER, DIALER, RANGE).
fn number(s: &Stat) -> Option<f64> {
    s.content.value.trim().parse::<f64>().ok()
}

fn crossed(settings: &Settings, old: Option<f64>, new: Option<f64>) -> bool {
    let (Some(old), Some(new)) = (old, new) else {
        return false;
    };
    let limit = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<f64>().ok());
    let above = limit(&settings.above).is_some_and(|a| old <= a && new > a);
    let below = limit(&settings.below).is_some_and(|b| old >= b && new < b);
    above || below
}

fn wants(settings: &Settings, old: Option<&Stat>, new: &Stat) -> bool {
    match settings.notify {
        Notify::All => true,
        Notify::None => false,
        Notify::Threshold => crossed(settings, old.and_then(number), number(new)),
    }
}

async fn stat_changed(
    deps: &Deps,
    group_id: &str,
    old: Option<&Stat>,
    new: &Stat,
) -> Result<Fanout, Fault> {
    let meta = deps.store.get(&keys::group_meta(group_id)).await?;
    let Some(meta) = meta else {
        return Ok(Fanout::default()); // group deleted meanwhile
    };
    let group = crate::groups::parse_meta(deps, group_id, &meta)?;
    // Everyone in the group (members, admins, followers) but the author of the change.
    let recipients: Vec<String> = group_people(deps, group_id)
        .await?
        .into_iter()
        .filter(|p| new.by_member.as_deref() != Some(p.member_id.as_str()))
        .map(|p| p.user_id)
        .collect();
    let message = PushMessage {
        title: "StatX".into(),
        body: format!("A stat in {} changed", group.name),
        data: BTreeMap::from([
            ("type".to_string(), "stat".to_string()),
            ("groupId".to_string(), group_id.to_string()),
            ("statId".to_string(), new.id.clone()),
        ]),
    };
    let mut out = Fanout::default();
    let recipients = not_muted(deps, group_id, recipients).await?;
    for chunk in recipients.chunks(100) {
        let keys: Vec<Key> = chunk
            .iter()
            .map(|uid| sk::settings(uid, group_id, &new.id))
            .collect();
        let found = deps.store.batch_get(&keys).await?;
        for (uid, skey) in chunk.iter().zip(&keys) {
            let settings = match crate::store::batch::find(&found, skey) {
                Some(it) => crate::stats::settings::parse(it, skey, deps)?,
                None => Settings::default(),
            };
            if wants(&settings, old, new) {
                let sent = push_to_user(deps, uid, &message).await?;
                out.pushed += sent.pushed;
                out.forgotten += sent.forgotten;
            }
        }
    }
    tracing::info!(
        pushed = out.pushed,
        forgotten = out.forgotten,
        "stat change fanned out"
    );
    Ok(out)
}

/// Someone who may be pushed about a group.
#[derive(Debug, Clone)]
struct Person {
    user_id: String,
    /// Per-group member id, or follower id.
    member_id: String,
    role: String,
}

/// Members and admins (`MEMBER#`) and followers who are not blocked (`FOLLOWER#`).
async fn group_people(deps: &Deps, group_id: &str) -> Result<Vec<Person>, Fault> {
    let mut people = Vec::new();
    for prefix in [keys::MEMBER_PREFIX, keys::FOLLOWER_PREFIX] {
        let q = Query::new(keys::group_pk(group_id))
            .prefix(prefix)
            .limit(100);
        for it in &crate::store::batch::all(deps, q).await? {
            let id = key_of(it).and_then(|k| k.sk.strip_prefix(prefix).map(str::to_string));
            let (Some(user_id), Some(member_id)) = (it.s("userId"), id) else {
                continue;
            };
            if it.bool("blocked") == Some(true) {
                continue;
            }
            let role = if prefix == keys::FOLLOWER_PREFIX {
                "follower"
            } else {
                it.s("role").unwrap_or("member")
            };
            people.push(Person {
                user_id: user_id.to_string(),
                member_id,
                role: role.to_string(),
            });
        }
    }
    Ok(people)
}

/// The users among `user_ids` who have not muted `group_id`.
async fn not_muted(
    deps: &Deps,
    group_id: &str,
    user_ids: Vec<String>,
) -> Result<Vec<String>, Fault> {
    let mut out = Vec::new();
    for chunk in user_ids.chunks(100) {
        let keys: Vec<Key> = chunk.iter().map(|u| keys::mute(u, group_id)).collect();
        let found = deps.store.batch_get(&keys).await?;
        for (uid, k) in chunk.iter().zip(&keys) {
            let muted =
                crate::store::batch::find(&found, k).and_then(|m| m.bool("muted")) == Some(true);
            if !muted {
                out.push(uid.clone());
            }
        }
    }
    Ok(out)
}

/// A new chat message: the group chat goes to every member but its author; a follower thread
/// goes from the follower to the admins, or from an admin to the follower. Muted users are
/// skipped. The push never carries the text.
async fn chat_message(deps: &Deps, group_id: &str, message: &Item) -> Result<Fanout, Fault> {
    let (Some(thread), Some(author)) = (message.s("thread"), message.s("authorId")) else {
        return Ok(Fanout::default());
    };
    let Some(meta) = deps.store.get(&keys::group_meta(group_id)).await? else {
        return Ok(Fanout::default());
    };
    let group = crate::groups::parse_meta(deps, group_id, &meta)?;
    let people = group_people(deps, group_id).await?;
    let to: Vec<String> = people
        .into_iter()
        .filter(|p| p.user_id != author)
        .filter(|p| match (thread, p.role.as_str()) {
            ("main", role) => role != "follower",
            (_, "admin") => message.s("authorRole") == Some("follower"),
            (fid, "follower") => p.member_id == fid,
            _ => false,
        })
        .map(|p| p.user_id)
        .collect();
    let push = PushMessage {
        title: "StatX".into(),
        body: format!("New message in {}", group.name),
        data: BTreeMap::from([
            ("type".to_string(), "chat".to_string()),
            ("groupId".to_string(), group_id.to_string()),
            ("thread".to_string(), thread.to_string()),
        ]),
    };
    let mut out = Fanout::default();
    for uid in not_muted(deps, group_id, to).await? {
        let sent = push_to_user(deps, &uid, &push).await?;
        out.pushed += sent.pushed;
        out.forgotten += sent.forgotten;
    }
    tracing::info!(pushed = out.pushed, "chat message fanned out");
    Ok(out)
}

/// Push `message` to every device of `user_id`; forget endpoints reported disabled. A failure
/// for one device is logged and does not stop the others.
pub async fn push_to_user(
    deps: &Deps,
    user_id: &str,
    message: &PushMessage,
) -> Result<Fanout, Fault> {
    let q = Query::new(keys::user_pk(user_id))
        .prefix(keys::DEVICE_PREFIX)
        .limit(100);
    let mut out = Fanout::default();
    for d in deps.store.query(&q).await?.items {
        let (Some(key), Some(platform), Some(endpoint)) =
            (key_of(&d), d.s("platform"), d.s("endpoint"))
        else {
            continue;
        };
        let device_id = key.sk.trim_start_matches(keys::DEVICE_PREFIX);
        match deps.push.send(device_id, platform, endpoint, message).await {
            Ok(PushOutcome::Delivered) => out.pushed += 1,
            Ok(PushOutcome::Disabled) => {
                deps.store.delete(&key, Cond::None).await?;
                let _ = deps.push.unregister(endpoint).await;
                out.forgotten += 1;
            }
            Err(e) => tracing::warn!(error = %e, "push to one device failed"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(notify: Notify, above: Option<&str>, below: Option<&str>) -> Settings {
        Settings {
            notify,
            above: above.map(str::to_string),
            below: below.map(str::to_string),
        }
    }

    #[test]
    fn thresholds_fire_only_when_crossed() {
        let t = s(Notify::Threshold, Some("50"), Some("10"));
        assert!(crossed(&t, Some(40.0), Some(60.0)));
        assert!(!crossed(&t, Some(60.0), Some(70.0)));
        assert!(!crossed(&t, Some(50.0), Some(50.0)));
        assert!(crossed(&t, Some(50.0), Some(50.5)));
        assert!(crossed(&t, Some(12.0), Some(9.0)));
        assert!(!crossed(&t, Some(9.0), Some(5.0)));
        assert!(!crossed(&t, None, Some(60.0)));
        assert!(!crossed(
            &s(Notify::Threshold, None, None),
            Some(1.0),
            Some(99.0)
        ));
    }
}

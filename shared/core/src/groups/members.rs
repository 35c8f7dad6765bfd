//! Members and roles: the member list (per-group member ids, display names, never phone
//! numbers), role changes and removals (an admin removes anyone; anyone removes themselves =
//! leave), with the rule that a group always keeps at least one admin.
//!
//! Every change here is one transaction: META's counts (conditional on META's version), the
//! member item and the user's index (conditional on their shared version), and — when the
//! caller acts on someone else — a check that the caller is still the admin it was when the
//! request was authorised. Conflicts are retried from a fresh read, so two admins acting at
//! once never lose an update and can never demote or remove the last admin between them.

use crate::domain::ids::{GroupId, MemberId};
use crate::store::batch::group_page;
use std::collections::HashMap;

use crate::groups::{access, Group, GroupError, Role};
use crate::identity::session::Caller;
use crate::ports::store::SK;
use crate::ports::{Cond, Item, ItemExt, Key, Value, Write};
use crate::store::batch::batch_get_all;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::open;
use crate::Deps;
use crate::Fault;

/// Shown for a member who has not set a display name (and was given none when invited).
pub const DEFAULT_DISPLAY_NAME: &str = "StatX user";

const LAST_ADMIN: &str =
    "A group needs at least one admin. Make another member admin first, or delete the group.";

/// A member as the group sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: String,
}

/// A member item as stored (internal: holds the user id).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub member_id: String,
    pub user_id: String,
    pub role: Role,
    pub joined_at: String,
    pub invited_name: Option<String>,
    pub version: i64,
}

pub(crate) fn parse_target(deps: &Deps, group_id: &str, it: &Item) -> Result<Target, Fault> {
    let member_id = it
        .s(SK)
        .and_then(|sk| sk.strip_prefix(keys::MEMBER_PREFIX))
        .ok_or(Fault::Corrupt("member item key"))?
        .to_string();
    let key = keys::group_member(group_id, &member_id);
    Ok(Target {
        user_id: it
            .s("userId")
            .ok_or(Fault::Corrupt("member without user"))?
            .to_string(),
        role: it
            .s("role")
            .and_then(Role::parse)
            .ok_or(Fault::Corrupt("member without role"))?,
        joined_at: it.s("joinedAt").unwrap_or_default().to_string(),
        invited_name: open(deps.crypto.as_ref(), it, &key, "invitedName")?,
        version: it.version(),
        member_id,
    })
}

async fn target(deps: &Deps, group_id: &str, member_id: &MemberId) -> Result<Target, GroupError> {
    let it = deps
        .store
        .get(&keys::group_member(group_id, member_id))
        .await?
        .ok_or(GroupError::NotFound)?;
    Ok(parse_target(deps, group_id, &it)?)
}

/// The display names users set on their profiles (users without one are absent).
pub(crate) async fn display_names<'a>(
    deps: &Deps,
    user_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, String>, Fault> {
    let profiles = batch_get_all(deps, user_ids.into_iter().map(keys::profile).collect()).await?;
    let mut names = HashMap::with_capacity(profiles.len());
    for (key, profile) in &profiles {
        if let Some(name) = open(deps.crypto.as_ref(), profile, key, "displayName")? {
            if let Some(user_id) = key.pk.strip_prefix(keys::USER_PREFIX) {
                names.insert(user_id.to_string(), name);
            }
        }
    }
    Ok(names)
}

/// A member's name in a group: their own display name, else the name the inviter gave, else a
/// neutral placeholder. Never a phone number.
fn member_view(t: &Target, names: &HashMap<String, String>) -> Member {
    Member {
        id: t.member_id.clone(),
        display_name: names
            .get(&t.user_id)
            .or(t.invited_name.as_ref())
            .cloned()
            .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string()),
        role: t.role,
        joined_at: t.joined_at.clone(),
    }
}

/// One page of the group's members (admins and members may list).
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Member>, Option<String>), GroupError> {
    access(deps, caller, group_id).await?;
    let (targets, next) = group_page(deps, group_id, keys::MEMBER_PREFIX, limit, cursor, |it| {
        parse_target(deps, group_id, it)
    })
    .await?;
    let names = display_names(deps, targets.iter().map(|t| t.user_id.as_str())).await?;
    Ok((
        targets.iter().map(|t| member_view(t, &names)).collect(),
        next,
    ))
}

fn member_key_and_index(group_id: &str, t: &Target) -> (Key, Key) {
    (
        keys::group_member(group_id, &t.member_id),
        keys::membership(&t.user_id, group_id),
    )
}

/// Admin only: make a member admin or member. Demoting the last admin is refused (409).
pub async fn set_role(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    member_id: &MemberId,
    role: Role,
) -> Result<Member, GroupError> {
    let (mut t, changed) = transact(deps, move |_| async move {
        let a = access(deps, caller, group_id).await?;
        a.require_admin()?;
        let t = target(deps, group_id, member_id).await?;
        if t.role == role {
            return Ok(Step::Done((t, false)));
        }
        let admins = a.group.admin_count + if role == Role::Admin { 1 } else { -1 };
        if admins < 1 {
            return Err(GroupError::Conflict(LAST_ADMIN));
        }
        let (mkey, ikey) = member_key_and_index(group_id, &t);
        let set = |role: Role, version: i64| -> Item {
            [
                ("role".to_string(), Value::S(role.as_str().into())),
                ("version".to_string(), Value::N(version)),
            ]
            .into_iter()
            .collect()
        };
        let mut writes = vec![
            Write::Update {
                key: keys::group_meta(group_id),
                set: [
                    ("adminCount".to_string(), Value::N(admins)),
                    ("version".to_string(), Value::N(a.group.version + 1)),
                ]
                .into_iter()
                .collect(),
                remove: vec![],
                cond: Cond::VersionIs(a.group.version),
            },
            Write::Update {
                key: mkey,
                set: set(role, t.version + 1),
                remove: vec![],
                cond: Cond::VersionIs(t.version),
            },
            Write::Update {
                key: ikey,
                set: set(role, t.version + 1),
                remove: vec![],
                cond: Cond::VersionIs(t.version),
            },
        ];
        if t.user_id != caller.user_id {
            writes.push(a.still_holds(caller));
        }
        Ok::<_, GroupError>(Step::Commit(writes, (t, true)))
    })
    .await?;
    if changed {
        tracing::info!(role = role.as_str(), "member role changed");
        t.role = role;
    }
    let names = display_names(deps, [t.user_id.as_str()]).await?;
    Ok(member_view(&t, &names))
}

/// The writes removing member `t` from `group` (member item, the user's index, META's
/// counts). Refused when `t` is the group's last admin.
pub(crate) fn removal_writes(group: &Group, t: &Target) -> Result<Vec<Write>, GroupError> {
    let admin = t.role == Role::Admin;
    if admin && group.admin_count <= 1 {
        return Err(GroupError::Conflict(LAST_ADMIN));
    }
    let (mkey, ikey) = member_key_and_index(&group.id, t);
    Ok(vec![
        Write::Update {
            key: keys::group_meta(&group.id),
            set: [
                (
                    "memberCount".to_string(),
                    Value::N((group.member_count - 1).max(0)),
                ),
                (
                    "adminCount".to_string(),
                    Value::N(group.admin_count - i64::from(admin)),
                ),
                ("version".to_string(), Value::N(group.version + 1)),
            ]
            .into_iter()
            .collect(),
            remove: vec![],
            cond: Cond::VersionIs(group.version),
        },
        Write::Delete {
            key: mkey,
            cond: Cond::VersionIs(t.version),
        },
        Write::Delete {
            key: ikey,
            cond: Cond::VersionIs(t.version),
        },
        // The member's mute flag for the group goes with the membership.
        Write::Delete {
            key: keys::mute(&t.user_id, &group.id),
            cond: Cond::None,
        },
    ])
}

/// Remove a member: admins remove anyone, anyone removes themselves (leave). The last admin
/// cannot go (409) until another member is made admin.
pub async fn remove(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    member_id: &MemberId,
) -> Result<(), GroupError> {
    let own = transact(deps, move |_| async move {
        let a = access(deps, caller, group_id).await?;
        let own = a.me.member_id == member_id.as_str();
        if !own && !a.is_admin() {
            return Err(GroupError::NotFound);
        }
        let t = target(deps, group_id, member_id).await?;
        let mut writes = removal_writes(&a.group, &t)?;
        if !own {
            writes.push(a.still_holds(caller));
        }
        Ok::<_, GroupError>(Step::Commit(writes, own))
    })
    .await?;
    tracing::info!(own, "member removed");
    Ok(())
}

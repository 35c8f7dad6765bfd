//! Private groups (docs/data.md, docs/security.md): creation, listing, reading, settings and
//! deletion, and `access`, the one authorization check every group-scoped use case starts with.
//!
//! A group is `GROUP#<gid>/META` (sealed name and description, settings, member and admin
//! counts, version). Each member has `GROUP#<gid>/MEMBER#<memberId>` (user id, role) and the
//! user's index entry `USER#<uid>/GROUP#<gid>` (role, member id). The two are only ever written
//! together, in one transaction, and always carry the same `version`, so a condition on the
//! index is a condition on the membership. Every change to the set of members or admins also
//! updates META's counts conditional on META's version: concurrent changes are serialised and
//! the last-admin rule cannot be raced. Deleting a group removes META first; every write that
//! adds anything under (or pointing to) a group is conditional on META, so nothing can be added
//! once a deletion has begun, and the sweep that follows leaves no orphans.
//!
//! Whatever a caller may not see or do answers `GroupError::NotFound`, exactly like a group id
//! that does not exist.
//!
//! This file holds `GroupError` and the group use cases (create, list, get, update, delete);
//! the group and membership types, their stored form and `access` are in `access`.

mod access;
pub mod account;
pub mod followers;
pub mod handlers;
pub mod inbox;
pub mod invitations;
pub mod members;
pub mod mute;

pub use access::{access, reader_access, Access, Group, GroupView, Membership, Role};
pub(crate) use access::{memberships_of, new_member_writes, parse_membership, parse_meta};

use crate::domain::ids::GroupId;
use std::collections::HashMap;

use crate::domain::time::rfc3339;
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, Key, Query, Value, Write};
use crate::store::batch::batch_get_all;
use crate::store::batch::find;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::seal;
use crate::store::sweep;
use crate::Deps;
use crate::Fault;

/// A group visible only to its members (the default).
pub const KIND_PRIVATE: &str = "private";
/// A group people may follow through a link (`crate::follow`).
pub const KIND_PUBLIC: &str = "public";
/// Members per group (accepting an invitation into a full group is refused).
pub const MAX_MEMBERS: i64 = 500;

crate::fault::access_error!(
    /// What a group use case can answer besides success.
    GroupError
);

pub struct NewGroup {
    pub name: String,
    pub description: String,
    pub members_can_invite: bool,
    /// A public group (followers through links) rather than a private one.
    pub public: bool,
}

/// Create a group (private, or public with its follower secret) with the caller as its admin:
/// META, the member and the caller's index in one transaction.
pub async fn create(deps: &Deps, caller: &Caller, new: NewGroup) -> Result<GroupView, GroupError> {
    let group_id = deps.random.id();
    let now = rfc3339(deps.clock.now());
    let gkey = keys::group_meta(&group_id);
    let crypto = deps.crypto.as_ref();
    let kind = if new.public {
        KIND_PUBLIC
    } else {
        KIND_PRIVATE
    };
    let mut meta = item(
        &gkey,
        [
            ("name", seal(crypto, &gkey, "name", &new.name)),
            (
                "description",
                seal(crypto, &gkey, "description", &new.description),
            ),
            ("kind", Value::S(kind.into())),
            ("membersCanInvite", Value::Bool(new.members_can_invite)),
            ("memberCount", Value::N(1)),
            ("adminCount", Value::N(1)),
            ("createdAt", Value::S(now.clone())),
            ("version", Value::N(1)),
        ],
    );
    if new.public {
        followers::add_secret(deps, &gkey, &mut meta);
    }
    let (member_id, member) =
        new_member_writes(deps, &group_id, &caller.user_id, Role::Admin, &now, None);
    let mut writes = vec![Write::Put {
        item: meta,
        cond: Cond::NotExists,
    }];
    writes.extend(member);
    deps.store.transact(writes).await?;
    tracing::info!("group created");
    Ok(GroupView {
        group: Group {
            id: group_id,
            name: new.name,
            description: new.description,
            created_at: now,
            kind,
            members_can_invite: new.members_can_invite,
            member_count: 1,
            admin_count: 1,
            version: 1,
        },
        role: Role::Admin,
        member_id,
    })
}

pub struct GroupPage {
    pub items: Vec<GroupView>,
    /// The store's cursor (internal keys): the HTTP layer seals it before returning it.
    pub next: Option<String>,
}

/// The caller's groups, one page of the caller's membership index.
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    limit: u32,
    cursor: Option<String>,
) -> Result<GroupPage, GroupError> {
    let page = deps
        .store
        .query(
            &Query::new(keys::user_pk(&caller.user_id))
                .prefix(keys::GROUP_PREFIX)
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let mut memberships = Vec::with_capacity(page.items.len());
    for index in &page.items {
        let Some(group_id) = index
            .s(SK)
            .and_then(|sk| sk.strip_prefix(keys::GROUP_PREFIX))
        else {
            continue;
        };
        memberships.push(parse_membership(group_id, index)?);
    }
    let metas: HashMap<Key, Item> = batch_get_all(
        deps,
        memberships
            .iter()
            .map(|m| keys::group_meta(&m.group_id))
            .collect(),
    )
    .await?;
    let mut items = Vec::with_capacity(memberships.len());
    for m in memberships {
        let key = keys::group_meta(&m.group_id);
        match metas.get(&key) {
            Some(meta) => items.push(GroupView {
                group: parse_meta(deps, &m.group_id, meta)?,
                role: m.role,
                member_id: m.member_id,
            }),
            None => finish_deletion(deps, &m.group_id).await?,
        }
    }
    Ok(GroupPage {
        items,
        next: page.next,
    })
}

/// A membership whose group has no META belongs to a deletion that was cut short (a fault
/// after META went): confirm with a single, serialisable read, then complete the sweep.
async fn finish_deletion(deps: &Deps, group_id: &str) -> Result<(), Fault> {
    if deps.store.get(&keys::group_meta(group_id)).await?.is_none() {
        tracing::warn!("completing an interrupted group deletion");
        sweep::sweep(deps, group_id).await?;
    }
    Ok(())
}

/// The group as the caller sees it (followers included).
pub async fn get(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
) -> Result<GroupView, GroupError> {
    Ok(reader_access(deps, caller, group_id).await?.view())
}

/// Fields of a group an admin may change; `None` leaves a field as it is.
#[derive(Default)]
pub struct Changes {
    pub name: Option<String>,
    pub description: Option<String>,
    pub members_can_invite: Option<bool>,
}

/// Admin only. Conditional on META's version and on the caller still being an admin; retried
/// on conflict, so concurrent changes of different fields are all kept.
pub async fn update(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    changes: Changes,
) -> Result<GroupView, GroupError> {
    let key = keys::group_meta(group_id);
    let crypto = deps.crypto.as_ref();
    let (key, changes) = (&key, &changes);
    let view = transact(deps, move |_| async move {
        let a = access(deps, caller, group_id).await?;
        a.require_admin()?;
        let mut view = a.view();
        let mut set = Item::new();
        if let Some(name) = &changes.name {
            set.insert("name".into(), seal(crypto, key, "name", name));
            view.group.name = name.clone();
        }
        if let Some(description) = &changes.description {
            set.insert(
                "description".into(),
                seal(crypto, key, "description", description),
            );
            view.group.description = description.clone();
        }
        if let Some(flag) = changes.members_can_invite {
            set.insert("membersCanInvite".into(), Value::Bool(flag));
            view.group.members_can_invite = flag;
        }
        view.group.version += 1;
        set.insert("version".into(), Value::N(view.group.version));
        let writes = vec![
            Write::Update {
                key: key.clone(),
                set,
                remove: vec![],
                cond: Cond::VersionIs(a.group.version),
            },
            a.still_holds(caller),
        ];
        Ok::<_, GroupError>(Step::Commit(writes, view))
    })
    .await?;
    tracing::info!("group updated");
    Ok(view)
}

/// Admin only: delete the group and everything in it. META goes first, conditional on its
/// version and on the caller still being an admin; then the sweep. When META is already gone
/// (a deletion cut short), an admin's retry completes the sweep.
pub async fn delete(deps: &Deps, caller: &Caller, group_id: &GroupId) -> Result<(), GroupError> {
    let committed = transact(deps, move |_| async move {
        let mkey = keys::membership(&caller.user_id, group_id);
        let gkey = keys::group_meta(group_id);
        let items = deps.store.batch_get(&[mkey.clone(), gkey.clone()]).await?;
        let Some(index) = find(&items, &mkey) else {
            return Err(GroupError::NotFound);
        };
        let me = parse_membership(group_id, index)?;
        if me.role != Role::Admin {
            return Err(GroupError::NotFound);
        }
        let Some(meta) = find(&items, &gkey) else {
            sweep::sweep(deps, group_id).await?;
            return Ok(Step::Done(false));
        };
        let writes = vec![
            Write::Delete {
                key: gkey.clone(),
                cond: Cond::VersionIs(meta.version()),
            },
            Write::Check {
                key: mkey,
                cond: Cond::VersionIs(me.version),
            },
        ];
        Ok::<_, GroupError>(Step::Commit(writes, true))
    })
    .await?;
    if committed {
        let removed = sweep::sweep(deps, group_id).await?;
        tracing::info!(items = removed + 1, "group deleted");
    }
    Ok(())
}

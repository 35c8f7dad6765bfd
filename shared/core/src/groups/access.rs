//! Who is in a group, and `access`: the group (`Group`, as stored in META), a user's
//! membership (`Role`, `Membership`, the index entry) and their stored form, the writes of a new
//! membership, and `access` / `reader_access`, the authorization every group-scoped use case
//! starts with.

use crate::domain::ids::GroupId;
use crate::groups::{GroupError, KIND_PRIVATE, KIND_PUBLIC};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, Query, Value, Write};
use crate::store::batch::find;
use crate::store::keys;
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
    /// Follows a public group through a link: reads it, never counted as a member, and refused
    /// by `access` (only `reader_access` lets followers in).
    Follower,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Follower => "follower",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            "follower" => Some(Role::Follower),
            _ => None,
        }
    }
}

/// A group as stored in META.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: String,
    /// `KIND_PRIVATE` or `KIND_PUBLIC`.
    pub kind: &'static str,
    pub members_can_invite: bool,
    pub member_count: i64,
    pub admin_count: i64,
    pub version: i64,
}

/// One user's membership of one group (the index entry `USER#<uid>/GROUP#<gid>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub group_id: String,
    pub role: Role,
    pub member_id: String,
    pub joined_at: String,
    pub version: i64,
}

/// A group as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub group: Group,
    pub role: Role,
    pub member_id: String,
}

/// What an authorised caller may act on: the group and the caller's own membership.
#[derive(Debug, Clone)]
pub struct Access {
    pub group: Group,
    pub me: Membership,
}

impl Access {
    pub fn is_admin(&self) -> bool {
        self.me.role == Role::Admin
    }

    /// Admin-only operations answer a member exactly like a stranger.
    pub fn require_admin(&self) -> Result<(), GroupError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(GroupError::NotFound)
        }
    }

    /// A transaction write that holds only while the caller's membership (and so its role) is
    /// still the one read here: authorization is checked again at commit time.
    pub fn still_holds(&self, caller: &Caller) -> Write {
        Write::Check {
            key: keys::membership(&caller.user_id, &self.group.id),
            cond: Cond::VersionIs(self.me.version),
        }
    }

    pub fn view(&self) -> GroupView {
        GroupView {
            group: self.group.clone(),
            role: self.me.role,
            member_id: self.me.member_id.clone(),
        }
    }
}

pub(crate) fn parse_meta(deps: &Deps, group_id: &str, meta: &Item) -> Result<Group, Fault> {
    let key = keys::group_meta(group_id);
    let crypto = deps.crypto.as_ref();
    Ok(Group {
        id: group_id.to_string(),
        name: open(crypto, meta, &key, "name")?.ok_or(Fault::Corrupt("group without name"))?,
        description: open(crypto, meta, &key, "description")?.unwrap_or_default(),
        created_at: meta.s("createdAt").unwrap_or_default().to_string(),
        kind: if meta.s("kind") == Some(KIND_PUBLIC) {
            KIND_PUBLIC
        } else {
            KIND_PRIVATE
        },
        members_can_invite: meta.bool("membersCanInvite").unwrap_or(false),
        member_count: meta.n("memberCount").unwrap_or(0),
        admin_count: meta.n("adminCount").unwrap_or(0),
        version: meta.version(),
    })
}

pub(crate) fn parse_membership(group_id: &str, index: &Item) -> Result<Membership, Fault> {
    Ok(Membership {
        group_id: group_id.to_string(),
        role: index
            .s("role")
            .and_then(Role::parse)
            .ok_or(Fault::Corrupt("membership without role"))?,
        member_id: index
            .s("memberId")
            .ok_or(Fault::Corrupt("membership without member id"))?
            .to_string(),
        joined_at: index.s("joinedAt").unwrap_or_default().to_string(),
        version: index.version(),
    })
}

/// Every membership of `user_id`, followers' included (all pages of the user's index).
pub(crate) async fn memberships_of(deps: &Deps, user_id: &str) -> Result<Vec<Membership>, Fault> {
    let q = Query::new(keys::user_pk(user_id))
        .prefix(keys::GROUP_PREFIX)
        .limit(100);
    let mut out = Vec::new();
    for it in crate::store::batch::all(deps, q).await? {
        if let Some(group_id) = it.s(SK).and_then(|sk| sk.strip_prefix(keys::GROUP_PREFIX)) {
            out.push(parse_membership(group_id, &it)?);
        }
    }
    Ok(out)
}

/// The caller's membership of `group_id` and the group, or `NotFound` (no such group, not a
/// member, or a group being deleted). Followers are refused: they are not members.
pub async fn access(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
) -> Result<Access, GroupError> {
    let a = reader_access(deps, caller, group_id).await?;
    if a.me.role == Role::Follower {
        return Err(GroupError::NotFound);
    }
    Ok(a)
}

/// Like `access`, but followers are let in too: only for what followers may do (read the group,
/// its stats and history, their own settings, mute, their chat thread).
pub async fn reader_access(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
) -> Result<Access, GroupError> {
    let mkey = keys::membership(&caller.user_id, group_id);
    let gkey = keys::group_meta(group_id);
    let items = deps.store.batch_get(&[mkey.clone(), gkey.clone()]).await?;
    let (Some(index), Some(meta)) = (find(&items, &mkey), find(&items, &gkey)) else {
        return Err(GroupError::NotFound);
    };
    Ok(Access {
        group: parse_meta(deps, group_id, meta)?,
        me: parse_membership(group_id, index)?,
    })
}

/// The two items of a new membership (the member and the user's index), version 1 both.
pub(crate) fn new_member_writes(
    deps: &Deps,
    group_id: &str,
    user_id: &str,
    role: Role,
    joined_at: &str,
    invited_name: Option<&str>,
) -> (String, [Write; 2]) {
    let member_id = deps.random.id();
    let mkey = keys::group_member(group_id, &member_id);
    let mut member = item(
        &mkey,
        [
            ("userId", Value::S(user_id.to_string())),
            ("role", Value::S(role.as_str().into())),
            ("joinedAt", Value::S(joined_at.to_string())),
            ("version", Value::N(1)),
        ],
    );
    if let Some(name) = invited_name {
        member.insert(
            "invitedName".into(),
            seal(deps.crypto.as_ref(), &mkey, "invitedName", name),
        );
    }
    let index = item(
        &keys::membership(user_id, group_id),
        [
            ("role", Value::S(role.as_str().into())),
            ("memberId", Value::S(member_id.clone())),
            ("joinedAt", Value::S(joined_at.to_string())),
            ("version", Value::N(1)),
        ],
    );
    let writes = [
        Write::Put {
            item: member,
            cond: Cond::NotExists,
        },
        Write::Put {
            item: index,
            cond: Cond::NotExists,
        },
    ];
    (member_id, writes)
}

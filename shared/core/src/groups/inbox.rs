//! Invitations, the invitee's side: the caller's pending invitations (found by the blind index
//! of the caller's phone number, so an invitation sent before the invitee signed up is there at
//! their first sign-in), accept (membership created in one transaction with the invitation's
//! removal) and decline.
//!
//! Only the holder of the invited number sees an invitation; to anyone else its id is unknown
//! (404). An invitee sees the group's name and who invited them, nothing more.

use crate::domain::ids::InvitationId;
use crate::domain::time::rfc3339;
use crate::groups::invitations::{epoch_rfc3339, parse_invite, Invite};
use crate::groups::members::{display_names, DEFAULT_DISPLAY_NAME};
use crate::groups::{
    new_member_writes, parse_membership, parse_meta, GroupError, GroupView, Role, MAX_MEMBERS,
};
use crate::identity::session::Caller;
use crate::ports::{Cond, ItemExt, Query, Value, Write};
use crate::store::batch::batch_get_all;
use crate::store::batch::find;
use crate::store::batch::Pages;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::open;
use crate::Deps;
use crate::Fault;

/// A pending invitation as its invitee sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub invited_by: String,
    pub created_at: String,
    pub expires_at: String,
}

/// The blind index of the caller's current phone number (from the profile).
pub(crate) async fn phone_index_of(deps: &Deps, caller: &Caller) -> Result<Option<String>, Fault> {
    Ok(deps
        .store
        .get(&keys::profile(&caller.user_id))
        .await?
        .and_then(|p| p.s("phoneIndex").map(str::to_string)))
}

/// One page of the caller's pending invitations. Expired ones, ones to groups being deleted and
/// ones to groups the caller is already in are left out.
pub async fn received(
    deps: &Deps,
    caller: &Caller,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Received>, Option<String>), GroupError> {
    let Some(index) = phone_index_of(deps, caller).await? else {
        return Ok((vec![], None));
    };
    let page = deps
        .store
        .query(
            &Query::new(keys::invites_pk(&index))
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let t = deps.clock.now().timestamp();
    let live: Vec<Invite> = page
        .items
        .iter()
        .filter_map(parse_invite)
        .filter(|i| i.expires_at > t)
        .collect();
    let mut wanted = Vec::with_capacity(live.len() * 2);
    for i in &live {
        wanted.push(keys::group_meta(&i.group_id));
        wanted.push(keys::membership(&caller.user_id, &i.group_id));
    }
    let items = batch_get_all(deps, wanted).await?;
    let names = display_names(deps, live.iter().map(|i| i.invited_by.as_str())).await?;
    let mut out = Vec::with_capacity(live.len());
    for i in live {
        let Some(meta) = items.get(&keys::group_meta(&i.group_id)) else {
            continue;
        };
        if items.contains_key(&keys::membership(&caller.user_id, &i.group_id)) {
            continue;
        }
        out.push(Received {
            group_name: parse_meta(deps, &i.group_id, meta)?.name,
            invited_by: names
                .get(&i.invited_by)
                .cloned()
                .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string()),
            created_at: i.created_at,
            expires_at: epoch_rfc3339(i.expires_at),
            group_id: i.group_id,
            id: i.id,
        });
    }
    Ok((out, page.next))
}

/// The caller's live invitation with this id.
async fn find_received(
    deps: &Deps,
    phone_index: &str,
    invitation_id: &str,
) -> Result<Option<Invite>, Fault> {
    let t = deps.clock.now().timestamp();
    let mut pages = Pages::new(Query::new(keys::invites_pk(phone_index)).limit(100));
    while let Some(items) = pages.next(deps).await? {
        if let Some(found) = items
            .iter()
            .filter_map(parse_invite)
            .find(|i| i.id == invitation_id && i.expires_at > t)
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The caller's phone index and their invitation `invitation_id`, or `NotFound`.
async fn mine(
    deps: &Deps,
    caller: &Caller,
    invitation_id: &InvitationId,
) -> Result<(String, Invite), GroupError> {
    let index = phone_index_of(deps, caller)
        .await?
        .ok_or(GroupError::NotFound)?;
    let inv = find_received(deps, &index, invitation_id)
        .await?
        .ok_or(GroupError::NotFound)?;
    Ok((index, inv))
}

/// The writes using up an invitation: the invitee's item conditional on the version read (so
/// accept, decline, cancel and re-invite race safely), and the admins' listing item.
fn consume(phone_index: &str, inv: &Invite) -> [Write; 2] {
    [
        Write::Delete {
            key: keys::invite(phone_index, &inv.group_id),
            cond: Cond::VersionIs(inv.version),
        },
        Write::Delete {
            key: keys::group_invitation(&inv.group_id, &inv.id),
            cond: Cond::None,
        },
    ]
}

/// Join the group: META's member count, the member, the caller's index and the invitation's
/// removal, in one transaction. Accepting an invitation to a group one is already in just uses
/// it up.
pub async fn accept(
    deps: &Deps,
    caller: &Caller,
    invitation_id: &InvitationId,
) -> Result<GroupView, GroupError> {
    let view = transact(deps, move |_| async move {
        let (index, inv) = mine(deps, caller, invitation_id).await?;
        let gkey = keys::group_meta(&inv.group_id);
        let mkey = keys::membership(&caller.user_id, &inv.group_id);
        let lkey = keys::group_invitation(&inv.group_id, &inv.id);
        let items = deps
            .store
            .batch_get(&[gkey.clone(), mkey.clone(), lkey.clone()])
            .await?;
        // A group being deleted: its sweep removes the invitation.
        let Some(meta) = find(&items, &gkey) else {
            return Err(GroupError::NotFound);
        };
        let mut group = parse_meta(deps, &inv.group_id, meta)?;
        let mut writes = consume(&index, &inv).to_vec();
        let view = if let Some(existing) = find(&items, &mkey) {
            let me = parse_membership(&inv.group_id, existing)?;
            writes.push(Write::Check {
                key: mkey,
                cond: Cond::VersionIs(me.version),
            });
            GroupView {
                group,
                role: me.role,
                member_id: me.member_id,
            }
        } else {
            if group.member_count >= MAX_MEMBERS {
                return Err(GroupError::Conflict("This group is full."));
            }
            let invited_name = match find(&items, &lkey) {
                Some(l) => open(deps.crypto.as_ref(), l, &lkey, "invitedName")?,
                None => None,
            };
            let now = rfc3339(deps.clock.now());
            let (member_id, member) = new_member_writes(
                deps,
                &inv.group_id,
                &caller.user_id,
                Role::Member,
                &now,
                invited_name.as_deref(),
            );
            writes.push(Write::Update {
                key: gkey,
                set: [
                    ("memberCount".to_string(), Value::N(group.member_count + 1)),
                    ("version".to_string(), Value::N(group.version + 1)),
                ]
                .into_iter()
                .collect(),
                remove: vec![],
                cond: Cond::VersionIs(group.version),
            });
            writes.extend(member);
            group.member_count += 1;
            group.version += 1;
            GroupView {
                group,
                role: Role::Member,
                member_id,
            }
        };
        Ok::<_, GroupError>(Step::Commit(writes, view))
    })
    .await?;
    tracing::info!("invitation accepted");
    Ok(view)
}

/// Decline: the invitation is removed (the inviter is not told).
pub async fn decline(
    deps: &Deps,
    caller: &Caller,
    invitation_id: &InvitationId,
) -> Result<(), GroupError> {
    transact(deps, move |_| async move {
        let (index, inv) = mine(deps, caller, invitation_id).await?;
        Ok::<_, GroupError>(Step::Commit(consume(&index, &inv).to_vec(), ()))
    })
    .await?;
    tracing::info!("invitation declined");
    Ok(())
}

/// Used by account deletion: remove every invitation to the caller's number.
pub(crate) async fn decline_all(deps: &Deps, caller: &Caller) -> Result<usize, Fault> {
    let Some(index) = phone_index_of(deps, caller).await? else {
        return Ok(0);
    };
    let q = Query::new(keys::invites_pk(&index)).limit(40);
    // Each invitee-side record takes its group-side listing along.
    crate::store::batch::drain(deps, q, |it| {
        parse_invite(it)
            .map(|inv| Write::Delete {
                key: keys::group_invitation(&inv.group_id, &inv.id),
                cond: Cond::None,
            })
            .into_iter()
            .collect()
    })
    .await
}

//! The groups feature's share of an account (`account::PARTS`): memberships, invitations
//! received and invitations sent.
//!
//! Export lists them (other people's numbers only masked). Erase, for every membership: a group
//! where the user is the only admin is deleted with everything in it; from any other group the
//! user's pending invitations are withdrawn and the user leaves (the same transaction as a
//! leave). Then every invitation to the user's number is removed. Idempotent: a run cut short is
//! completed by the next.

use serde_json::{json, Value};

use crate::groups::inbox;
use crate::groups::invitations::{listing, parse_invite};
use crate::groups::members::{parse_target, removal_writes};
use crate::groups::{parse_membership, parse_meta, Role};
use crate::identity::parts::{AccountPart, PartFuture};
use crate::identity::session::Caller;
use crate::ports::{Cond, Write};
use crate::store::batch::batch_get_all;
use crate::store::batch::find;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sweep;
use crate::Deps;
use crate::Fault;

pub const PART: AccountPart = AccountPart {
    name: "groups",
    export: export_part,
    erase: erase_part,
};

fn export_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(export(deps, caller))
}

fn erase_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(erase(deps, caller))
}

/// Every live invitation of `group_id` (all pages).
async fn all_sent(
    deps: &Deps,
    group_id: &str,
) -> Result<Vec<crate::groups::invitations::Sent>, Fault> {
    crate::store::batch::every_page(|cursor| listing(deps, group_id, 100, cursor)).await
}

pub async fn export(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let ms = crate::groups::memberships_of(deps, &caller.user_id).await?;
    let metas = batch_get_all(
        deps,
        ms.iter().map(|m| keys::group_meta(&m.group_id)).collect(),
    )
    .await?;
    let mut groups = Vec::new();
    let mut sent = Vec::new();
    for m in &ms {
        let Some(meta) = metas.get(&keys::group_meta(&m.group_id)) else {
            continue;
        };
        let g = parse_meta(deps, &m.group_id, meta)?;
        groups.push(json!({
            "groupId": g.id,
            "groupName": g.name,
            "groupDescription": g.description,
            "role": m.role.as_str(),
            "memberId": m.member_id,
            "joinedAt": m.joined_at,
        }));
        for s in all_sent(deps, &m.group_id).await? {
            if s.inviter_id == caller.user_id {
                sent.push(json!({
                    "id": s.id,
                    "groupId": m.group_id,
                    "phoneNumber": s.phone_masked,
                    "displayName": s.display_name,
                    "createdAt": s.created_at,
                    "expiresAt": s.expires_at,
                }));
            }
        }
    }
    let received: Vec<Value> = crate::store::batch::every_page(|cursor| async move {
        inbox::received(deps, caller, 100, cursor)
            .await
            .map_err(|e| match e {
                crate::groups::GroupError::Fault(f) => f,
                _ => Fault::Corrupt("unexpected error listing invitations"),
            })
    })
    .await?
    .into_iter()
    .map(|r| {
        json!({
            "id": r.id,
            "groupId": r.group_id,
            "groupName": r.group_name,
            "invitedBy": r.invited_by,
            "createdAt": r.created_at,
            "expiresAt": r.expires_at,
        })
    })
    .collect();
    Ok(json!({
        "memberships": groups,
        "invitationsReceived": received,
        "invitationsSent": sent,
    }))
}

enum Outcome {
    /// The group was deleted (the user was its only admin, or its deletion was under way).
    Deleted,
    /// The user left; this many of their invitations were withdrawn.
    Left(usize),
    /// Nothing left to do (a previous run already removed the membership).
    Gone,
}

pub async fn erase(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let (mut deleted, mut left, mut withdrawn) = (0, 0, 0);
    for m in crate::groups::memberships_of(deps, &caller.user_id).await? {
        if m.role == Role::Follower {
            continue; // `follow_account` unfollows
        }
        match leave_or_delete(deps, caller, &m.group_id).await? {
            Outcome::Deleted => deleted += 1,
            Outcome::Left(w) => {
                left += 1;
                withdrawn += w;
            }
            Outcome::Gone => {}
        }
    }
    let declined = inbox::decline_all(deps, caller).await?;
    tracing::info!(deleted, left, withdrawn, declined, "group data erased");
    Ok(json!({
        "groupsDeleted": deleted,
        "membershipsRemoved": left,
        "invitationsWithdrawn": withdrawn,
        "invitationsDeclined": declined,
    }))
}

async fn leave_or_delete(deps: &Deps, caller: &Caller, group_id: &str) -> Result<Outcome, Fault> {
    let mkey = &keys::membership(&caller.user_id, group_id);
    let gkey = &keys::group_meta(group_id);
    let (outcome, sweep_after) = transact(deps, move |_| async move {
        let items = deps.store.batch_get(&[mkey.clone(), gkey.clone()]).await?;
        let Some(index) = find(&items, mkey) else {
            return Ok(Step::Done((Outcome::Gone, false)));
        };
        let me = parse_membership(group_id, index)?;
        let Some(meta) = find(&items, gkey) else {
            sweep::sweep(deps, group_id).await?;
            return Ok(Step::Done((Outcome::Deleted, false)));
        };
        let group = parse_meta(deps, group_id, meta)?;
        // The only admin: the group goes (META first, conditional, then the sweep).
        let deleting = me.role == Role::Admin && group.admin_count <= 1;
        let writes = if deleting {
            vec![
                Write::Delete {
                    key: gkey.clone(),
                    cond: Cond::VersionIs(group.version),
                },
                Write::Check {
                    key: mkey.clone(),
                    cond: Cond::VersionIs(me.version),
                },
            ]
        } else {
            let member = deps
                .store
                .get(&keys::group_member(group_id, &me.member_id))
                .await?
                .ok_or(Fault::Corrupt("membership without member item"))?;
            let t = parse_target(deps, group_id, &member)?;
            removal_writes(&group, &t).map_err(|_| Fault::Corrupt("last-admin rule on erase"))?
        };
        let withdrawn = if deleting {
            0
        } else {
            withdraw_sent(deps, caller, group_id).await?
        };
        let outcome = if deleting {
            (Outcome::Deleted, true)
        } else {
            (Outcome::Left(withdrawn), false)
        };
        Ok::<_, Fault>(Step::Commit(writes, outcome))
    })
    .await?;
    if sweep_after {
        sweep::sweep(deps, group_id).await?;
    }
    Ok(outcome)
}

/// Withdraw the caller's pending invitations in a group they are leaving for good.
async fn withdraw_sent(deps: &Deps, caller: &Caller, group_id: &str) -> Result<usize, Fault> {
    let mut n = 0;
    for s in all_sent(deps, group_id).await? {
        if s.inviter_id != caller.user_id {
            continue;
        }
        let mut writes = vec![Write::Delete {
            key: keys::group_invitation(group_id, &s.id),
            cond: Cond::None,
        }];
        let ikey = keys::invite(&s.phone_index, group_id);
        if let Some(inv) = deps.store.get(&ikey).await?.as_ref().and_then(parse_invite) {
            if inv.id == s.id {
                writes.push(Write::Delete {
                    key: ikey,
                    cond: Cond::None,
                });
            }
        }
        crate::store::retry::transact_blind(deps, writes).await?;
        n += 1;
    }
    Ok(n)
}

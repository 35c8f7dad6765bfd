//! Deleting a group's data: every item of its partition `GROUP#<gid>` (members, invitations,
//! and whatever later features store there — stats, history, chat) plus the items elsewhere
//! that point into it: each member's and follower's index `USER#<uid>/GROUP#<gid>`, mute flag
//! `USER#<uid>/MUTE#<gid>` and block marker `USER#<uid>/BLOCKED#<gid>`, each follow link's lookup
//! `LINK#<hash>/LINK`, and each pending invitation's `INVITE#<phone>/GROUP#<gid>`.
//!
//! Callers delete META first (that is what makes the group gone: every writer that adds to a
//! group is conditional on META), then `sweep`. The sweep knows keys, never a feature: what an
//! item points to is read from the item by the rules of the key table (`store::keys`). Items kept
//! outside the group partition are removed here too: attachment objects and their pointers, and
//! everyone's stat settings (found through GSI1).

use std::collections::BTreeSet;

use crate::ports::store::{key_of, GSI1, SK};
use crate::ports::{Cond, ItemExt, Query, Write};
use crate::store::batch::Pages;
use crate::store::keys;
use crate::store::retry::transact_blind;
use crate::Deps;
use crate::Fault;

/// Items read per page (a follower brings three more deletes), so at most 100 per transaction.
const PAGE: u32 = 25;

/// Delete META (if still there), then sweep.
pub async fn purge(deps: &Deps, group_id: &str) -> Result<usize, Fault> {
    deps.store
        .delete(&keys::group_meta(group_id), Cond::None)
        .await?;
    Ok(sweep(deps, group_id).await? + 1)
}

/// Remove every remaining item of the group and everything pointing into it. Idempotent; safe
/// to run concurrently with itself. Returns the number of group items removed.
pub async fn sweep(deps: &Deps, group_id: &str) -> Result<usize, Fault> {
    let pk = keys::group_pk(group_id);
    let mut removed = 0;
    let mut pages = Pages::new(Query::new(pk).limit(PAGE));
    while let Some(items) = pages.next(deps).await? {
        // A set: two invitation records may point at one invitee item (an expired one not yet
        // removed by TTL next to its replacement), and a transaction may not name a key twice.
        let mut doomed = BTreeSet::new();
        for it in &items {
            let Some(key) = key_of(it) else { continue };
            if key.sk.starts_with(keys::MEMBER_PREFIX) || key.sk.starts_with(keys::FOLLOWER_PREFIX)
            {
                if let Some(user_id) = it.s("userId") {
                    doomed.insert(keys::membership(user_id, group_id));
                    doomed.insert(keys::mute(user_id, group_id));
                    doomed.insert(keys::blocked(user_id, group_id));
                }
            } else if key.sk.starts_with(keys::LINK_PREFIX) {
                if let Some(hash) = it.s("hash") {
                    doomed.insert(keys::link(hash));
                }
            } else if key.sk.starts_with(keys::INVITATION_PREFIX) {
                if let Some(phone_index) = it.s("phoneIndex") {
                    doomed.insert(keys::invite(phone_index, group_id));
                }
            } else if key.sk.starts_with(keys::ATTACHMENT_PREFIX) {
                // The pointer from the object to its record goes with the record.
                doomed.extend(it.s("objectId").map(keys::object_pointer));
            }
            doomed.insert(key);
        }
        // Attachment objects first: no record is gone while its object lives on.
        for it in &items {
            if it
                .s(SK)
                .is_some_and(|s| s.starts_with(keys::ATTACHMENT_PREFIX))
            {
                delete_objects(deps, it.s("objectId").unwrap_or_default()).await?;
            }
        }
        if !doomed.is_empty() {
            transact_blind(deps, doomed.into_iter().map(delete).collect()).await?;
        }
        removed += items.len();
    }
    // Everyone's stat settings for the group live in their own partitions (GSI1 finds them).
    settings(deps, group_id, None).await?;
    Ok(removed)
}

fn delete(key: crate::ports::Key) -> Write {
    Write::Delete {
        key,
        cond: Cond::None,
    }
}

/// Delete an attachment's object wherever it is (pending or checked). Idempotent.
pub async fn delete_objects(deps: &Deps, object_id: &str) -> Result<(), Fault> {
    if object_id.is_empty() {
        return Ok(());
    }
    deps.blobs.delete(&keys::pending_object(object_id)).await?;
    deps.blobs.delete(&keys::ready_object(object_id)).await?;
    Ok(())
}

/// Delete everyone's settings for one stat (`Some`) or for every stat of the group (`None`).
/// The index is eventually consistent, so a page is re-read until it comes back empty.
pub async fn settings(deps: &Deps, group_id: &str, stat_id: Option<&str>) -> Result<usize, Fault> {
    let mut q = Query::new(keys::settings_index_pk(group_id))
        .index(GSI1)
        .limit(50);
    if let Some(sid) = stat_id {
        q = q.prefix(format!("{sid}#"));
    }
    crate::store::batch::drain(deps, q, |_| Vec::new()).await
}

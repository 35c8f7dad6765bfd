//! The admins' side of pending invitations: one page of them, numbers masked (`pending`;
//! `listing` without the authorization, for the groups' account part), and withdrawing one
//! (`cancel`).

use crate::domain::ids::{GroupId, InvitationId};
use crate::domain::PhoneNumber;
use crate::groups::invitations::{epoch_rfc3339, parse_invite};
use crate::groups::members::display_names;
use crate::groups::{access, GroupError};
use crate::identity::session::Caller;
use crate::ports::store::SK;
use crate::ports::{Cond, Item, ItemExt, Query, Write};
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::open;
use crate::Deps;
use crate::Fault;

/// A pending invitation as the group's admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub id: String,
    /// Country code and last two digits only.
    pub phone_masked: String,
    pub display_name: Option<String>,
    /// The inviter's display name.
    pub invited_by: String,
    pub created_at: String,
    pub expires_at: String,
    /// Internal (never in a response): the inviter's user id and the number's blind index.
    pub(crate) inviter_id: String,
    pub(crate) phone_index: String,
}

/// The invitation id of a `GROUP#<gid>/INVITATION#<id>` item.
fn listing_id(it: &Item) -> Option<&str> {
    it.s(SK)?.strip_prefix(keys::INVITATION_PREFIX)
}

/// Admin only: one page of the group's pending invitations.
pub async fn pending(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Sent>, Option<String>), GroupError> {
    access(deps, caller, group_id).await?.require_admin()?;
    Ok(listing(deps, group_id, limit, cursor).await?)
}

/// One page of the group's live invitations (no authorization: callers check).
pub(crate) async fn listing(
    deps: &Deps,
    group_id: &str,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Sent>, Option<String>), Fault> {
    let page = deps
        .store
        .query(
            &Query::new(keys::group_pk(group_id))
                .prefix(keys::INVITATION_PREFIX)
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let t = deps.clock.now().timestamp();
    let live: Vec<&Item> = page
        .items
        .iter()
        .filter(|it| it.n("expiresAt").unwrap_or(0) > t && listing_id(it).is_some())
        .collect();
    let names = display_names(deps, live.iter().filter_map(|it| it.s("invitedBy"))).await?;
    let mut out = Vec::with_capacity(live.len());
    for it in live {
        let id = listing_id(it).unwrap_or_default();
        let key = keys::group_invitation(group_id, id);
        let crypto = deps.crypto.as_ref();
        let phone = open(crypto, it, &key, "phone")?
            .and_then(|p| PhoneNumber::parse(&p).ok())
            .ok_or(Fault::Corrupt("invitation without a valid phone"))?;
        let inviter_id = it.s("invitedBy").unwrap_or_default().to_string();
        out.push(Sent {
            id: id.to_string(),
            phone_masked: phone.masked(),
            phone_index: it.s("phoneIndex").unwrap_or_default().to_string(),
            display_name: open(crypto, it, &key, "invitedName")?,
            invited_by: names
                .get(&inviter_id)
                .cloned()
                .unwrap_or_else(|| crate::groups::members::DEFAULT_DISPLAY_NAME.to_string()),
            inviter_id,
            created_at: it.s("createdAt").unwrap_or_default().to_string(),
            expires_at: epoch_rfc3339(it.n("expiresAt").unwrap_or(0)),
        });
    }
    Ok((out, page.next))
}

/// Admin only: withdraw a pending invitation (both of its items, in one transaction).
pub async fn cancel(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    invitation_id: &InvitationId,
) -> Result<(), GroupError> {
    let gkey = &keys::group_invitation(group_id, invitation_id);
    transact(deps, move |_| async move {
        let a = access(deps, caller, group_id).await?;
        a.require_admin()?;
        let t = deps.clock.now().timestamp();
        let listing = deps
            .store
            .get(gkey)
            .await?
            .filter(|it| it.n("expiresAt").unwrap_or(0) > t)
            .ok_or(GroupError::NotFound)?;
        let mut writes = vec![
            Write::Delete {
                key: gkey.clone(),
                cond: Cond::VersionIs(listing.version()),
            },
            a.still_holds(caller),
        ];
        if let Some(index) = listing.s("phoneIndex") {
            let ikey = keys::invite(index, group_id);
            // The invitee-side item, unless it already belongs to a newer invitation.
            if let Some(inv) = deps.store.get(&ikey).await?.as_ref().and_then(parse_invite) {
                if inv.id == invitation_id.as_str() {
                    writes.push(Write::Delete {
                        key: ikey,
                        cond: Cond::VersionIs(inv.version),
                    });
                }
            }
        }
        Ok::<_, GroupError>(Step::Commit(writes, ()))
    })
    .await?;
    tracing::info!("invitation cancelled");
    Ok(())
}

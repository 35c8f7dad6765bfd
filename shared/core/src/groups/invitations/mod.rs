//! Invitations by phone number, the inviting side: invite (admins, or members when the group
//! allows it), the admins' list of pending invitations (numbers masked) and cancelling one.
//! The invitee's side (list, accept, decline) is in `inbox`.
//!
//! A pending invitation is two items written together and carrying the same `version`:
//! `INVITE#<blind(phone)>/GROUP#<gid>` (found by the invitee, even one who signs up later, via
//! the phone index of their profile) and `GROUP#<gid>/INVITATION#<id>` (the admins' listing;
//! the number sealed, shown masked). The server stores that one number and nothing else.
//!
//! The answer to an invite is the same 202 `{invitationId}` whether the number has an account,
//! is already a member, is already invited, or gets no SMS: every invite is stored (a repeat
//! refreshes the pending invitation and keeps its id), every invite counts against the
//! inviter's daily cap, and whether a text goes out is decided after the write, silently.
//!
//! This file holds the invitation record and the sending side (`invite`, the daily caps, the
//! SMS); the admins' listing and cancelling are in `admin`.

mod admin;

pub(crate) use admin::listing;
pub use admin::{cancel, pending, Sent};

use crate::domain::ids::GroupId;
use chrono::{DateTime, Utc};

use crate::domain::time::rfc3339;
use crate::domain::PhoneNumber;
use crate::groups::members::display_names;
use crate::groups::{access, Access, GroupError};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, CounterOutcome, Item, ItemExt, Key, Value, Write};
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::seal;
use crate::Deps;
use crate::Fault;

/// Pending invitations expire after this many days.
pub const INVITATION_DAYS: i64 = 14;
/// Invitations one user may send per UTC day (every invite counts, texted or not).
pub const INVITES_PER_DAY: i64 = 50;
/// Invitation texts one number may receive per UTC day, whoever sends them.
pub const INVITE_SMS_PER_NUMBER_DAY: i64 = 3;
/// Inviting a number again re-sends the text only when the last one is older than this.
pub const RESEND_AFTER_SECS: i64 = 86_400;
/// In the SMS, for an inviter without a display name.
const SMS_FALLBACK_INVITER: &str = "A StatX user";
const DAY: i64 = 86_400;

pub struct NewInvitation {
    pub phone: PhoneNumber,
    /// The name the inviter gives the invitee (shown to the group until they set their own).
    pub display_name: Option<String>,
}

/// The invitee-side item of an invitation, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Invite {
    pub id: String,
    pub group_id: String,
    pub invited_by: String,
    pub created_at: String,
    pub expires_at: i64,
    pub notified_at: Option<i64>,
    pub version: i64,
}

pub(crate) fn parse_invite(it: &Item) -> Option<Invite> {
    Some(Invite {
        id: it.s("invitationId")?.to_string(),
        group_id: it.s(SK)?.strip_prefix(keys::GROUP_PREFIX)?.to_string(),
        invited_by: it.s("invitedBy").unwrap_or_default().to_string(),
        created_at: it.s("createdAt").unwrap_or_default().to_string(),
        expires_at: it.n("expiresAt").unwrap_or(0),
        notified_at: it.n("notifiedAt"),
        version: it.version(),
    })
}

pub(crate) fn epoch_rfc3339(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(rfc3339)
        .unwrap_or_default()
}

/// Invite `new.phone` into the group. Returns the invitation id.
pub async fn invite(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    new: NewInvitation,
) -> Result<String, GroupError> {
    let a0 = may_invite(deps, caller, group_id).await?;
    count_invite(deps, caller).await?;
    let phone_index = crate::identity::login::phone_index(deps, &new.phone);
    let ikey = keys::invite(&phone_index, group_id);
    let (a0, new, phone_index, ikey) = (&a0, &new, &phone_index, &ikey);
    let (id, text) = transact(deps, move |n| async move {
        // The first attempt uses the access read above; a retry reads it again.
        let a = if n == 0 {
            a0.clone()
        } else {
            may_invite(deps, caller, group_id).await?
        };
        let t = deps.clock.now().timestamp();
        let existing = deps.store.get(ikey).await?;
        let live = existing
            .as_ref()
            .and_then(parse_invite)
            .filter(|i| i.expires_at > t);
        let (id, text, mut writes) = match live {
            Some(inv) => refresh(deps, ikey, group_id, &inv, new, t),
            None => {
                let stale = existing.as_ref().and_then(parse_invite);
                create(deps, caller, phone_index, group_id, stale.as_ref(), new, t)
            }
        };
        // Nothing may be added to a group whose deletion has begun; a member invites only
        // while still a member and while the setting (read with META's version) allows it.
        writes.push(Write::Check {
            key: keys::group_meta(group_id),
            cond: if a.is_admin() {
                Cond::Exists
            } else {
                Cond::VersionIs(a.group.version)
            },
        });
        writes.push(a.still_holds(caller));
        Ok::<_, GroupError>(Step::Commit(writes, (id, text)))
    })
    .await?;
    tracing::info!("invitation stored");
    if text {
        notify(deps, caller, group_id, &new.phone, phone_index).await;
    }
    Ok(id)
}

/// Admins invite; members too when the group's `membersCanInvite` is on.
async fn may_invite(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
) -> Result<Access, GroupError> {
    let a = access(deps, caller, group_id).await?;
    if a.is_admin() || a.group.members_can_invite {
        Ok(a)
    } else {
        Err(GroupError::NotFound)
    }
}

/// A new pending invitation (replacing an expired one at the same key, if any). Returns the
/// id, whether to text, and the writes.
fn create(
    deps: &Deps,
    caller: &Caller,
    phone_index: &str,
    group_id: &str,
    stale: Option<&Invite>,
    new: &NewInvitation,
    t: i64,
) -> (String, bool, Vec<Write>) {
    let id = deps.random.id();
    let now = epoch_rfc3339(t);
    let expires = t + INVITATION_DAYS * DAY;
    let crypto = deps.crypto.as_ref();
    let ikey = keys::invite(phone_index, group_id);
    let invite = item(
        &ikey,
        [
            ("invitationId", Value::S(id.clone())),
            ("invitedBy", Value::S(caller.user_id.clone())),
            ("createdAt", Value::S(now.clone())),
            ("expiresAt", Value::N(expires)),
            ("ttl", Value::N(expires)),
            ("notifiedAt", Value::N(t)),
            ("version", Value::N(1)),
        ],
    );
    let gkey = keys::group_invitation(group_id, &id);
    let mut listing = item(
        &gkey,
        [
            ("phoneIndex", Value::S(phone_index.to_string())),
            ("phone", seal(crypto, &gkey, "phone", new.phone.as_str())),
            ("invitedBy", Value::S(caller.user_id.clone())),
            ("createdAt", Value::S(now)),
            ("expiresAt", Value::N(expires)),
            ("ttl", Value::N(expires)),
            ("version", Value::N(1)),
        ],
    );
    if let Some(name) = &new.display_name {
        listing.insert(
            "invitedName".into(),
            seal(crypto, &gkey, "invitedName", name),
        );
    }
    let mut writes = vec![
        Write::Put {
            item: invite,
            cond: stale.map_or(Cond::NotExists, |s| Cond::VersionIs(s.version)),
        },
        Write::Put {
            item: listing,
            cond: Cond::NotExists,
        },
    ];
    if let Some(s) = stale {
        writes.push(Write::Delete {
            key: keys::group_invitation(group_id, &s.id),
            cond: Cond::None,
        });
    }
    (id, true, writes)
}

/// Inviting an already-invited number: same invitation, new expiry, the new name if given;
/// text again only when the last text is old.
fn refresh(
    deps: &Deps,
    ikey: &Key,
    group_id: &str,
    inv: &Invite,
    new: &NewInvitation,
    t: i64,
) -> (String, bool, Vec<Write>) {
    let expires = t + INVITATION_DAYS * DAY;
    let text = inv.notified_at.is_none_or(|n| t - n >= RESEND_AFTER_SECS);
    let common = [
        ("expiresAt".to_string(), Value::N(expires)),
        ("ttl".to_string(), Value::N(expires)),
        ("version".to_string(), Value::N(inv.version + 1)),
    ];
    let mut invite_set: Item = common.clone().into_iter().collect();
    if text {
        invite_set.insert("notifiedAt".into(), Value::N(t));
    }
    let gkey = keys::group_invitation(group_id, &inv.id);
    let mut listing_set: Item = common.into_iter().collect();
    if let Some(name) = &new.display_name {
        listing_set.insert(
            "invitedName".into(),
            seal(deps.crypto.as_ref(), &gkey, "invitedName", name),
        );
    }
    let writes = vec![
        Write::Update {
            key: ikey.clone(),
            set: invite_set,
            remove: vec![],
            cond: Cond::VersionIs(inv.version),
        },
        Write::Update {
            key: gkey,
            set: listing_set,
            remove: vec![],
            cond: Cond::VersionIs(inv.version),
        },
    ];
    (inv.id.clone(), text, writes)
}

fn day_window(deps: &Deps) -> (String, i64, i64) {
    let now = deps.clock.now();
    let t = now.timestamp();
    let end = (t.div_euclid(DAY) + 1) * DAY;
    (now.format("%Y%m%d").to_string(), t, end)
}

/// The inviter's daily cap: `RATE#invite#<uid>#<yyyymmdd>`.
async fn count_invite(deps: &Deps, caller: &Caller) -> Result<(), GroupError> {
    let (day, t, end) = day_window(deps);
    let key = keys::rate(&format!("invite#{}#{day}", caller.user_id));
    match deps
        .store
        .add_counter(&key, "n", 1, INVITES_PER_DAY, end + 3600)
        .await?
    {
        CounterOutcome::Counted(_) => Ok(()),
        CounterOutcome::CapReached => Err(GroupError::Throttled {
            retry_after: (end - t).max(1) as u64,
        }),
    }
}

/// Text the invitee, when appropriate. Never fails the invite: whether a text was due depends
/// on facts the inviter must not learn (is the number a member? can it get SMS?), so any
/// refusal or failure here is logged and the answer stays the same 202.
async fn notify(deps: &Deps, caller: &Caller, group_id: &str, phone: &PhoneNumber, index: &str) {
    match try_notify(deps, caller, group_id, phone, index).await {
        Ok(true) => tracing::info!("invitation SMS sent"),
        Ok(false) => tracing::info!("invitation SMS withheld"),
        Err(e) => tracing::warn!(cause = %e, "invitation SMS failed"),
    }
}

async fn try_notify(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    phone: &PhoneNumber,
    phone_index: &str,
) -> Result<bool, Fault> {
    // The same destination rule as sign-in codes: allowlisted countries, personal numbers.
    if !crate::identity::limits::destination_allowed(deps, phone) {
        return Ok(false);
    }
    // Members are not texted about a group they are in.
    if let Some(user_id) = deps
        .store
        .get(&keys::phone(phone_index))
        .await?
        .and_then(|p| p.s("userId").map(str::to_string))
    {
        if deps
            .store
            .get(&keys::membership(&user_id, group_id))
            .await?
            .is_some()
        {
            return Ok(false);
        }
    }
    let (day, _, end) = day_window(deps);
    let key = keys::rate(&format!("invite-sms#{phone_index}#{day}"));
    let counted = deps
        .store
        .add_counter(&key, "n", 1, INVITE_SMS_PER_NUMBER_DAY, end + 3600)
        .await?;
    if counted == CounterOutcome::CapReached {
        return Ok(false);
    }
    // The global SMS breaker, last. When it refuses, the text is simply not sent: the inviter
    // gets the same 202 (an error would reveal that a text was due).
    match crate::identity::limits::sms_breaker(deps).await {
        Ok(()) => {}
        Err(crate::identity::limits::LimitError::Fault(f)) => return Err(f),
        Err(_) => return Ok(false),
    }
    let inviter = display_names(deps, [caller.user_id.as_str()])
        .await?
        .remove(&caller.user_id)
        .unwrap_or_else(|| SMS_FALLBACK_INVITER.to_string());
    let text = format!("{inviter} invited you to a StatX group. Open StatX to see it.");
    deps.sms.send(phone.as_str(), &text).await?;
    Ok(true)
}

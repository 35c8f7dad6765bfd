//! Followers of public groups: follow through a link, unfollow, the admins' follower
//! list, block and unblock.
//!
//! Every public group has a follower secret (32 random bytes, sealed on META as
//! `followerSecret`). A follower's per-group id is HMAC(secret, "id|" + user id) and their
//! pseudonym HMAC(secret, "name|" + user id) in base32 ("Follower 7QX2", longer on a collision
//! within the group). Both are stable within the group (unfollow and follow again: same id, same
//! pseudonym, same chat thread) and unlinkable across groups; neither derives from the phone.
//!
//! Items: `GROUP#<gid>/FOLLOWER#<fid>` (userId, pseudonym, followedAt, blocked, version) with the
//! user's index `USER#<uid>/GROUP#<gid>` (role follower, memberId = fid, same version) — both
//! written and removed together; `GROUP#<gid>/PSEUDONYM#<p>` reserves a pseudonym;
//! `GROUP#<gid>/FOLLOWERS` counts followers (`count`, version); a block keeps the FOLLOWER item
//! (`blocked: true`, listed to admins) but removes the index, so the user loses access at once
//! and cannot follow again (the follower id is deterministic), plus `USER#<uid>/BLOCKED#<gid>` so
//! account deletion finds it.

pub mod admin;
pub mod handlers;
pub mod links;

use crate::domain::ids::GroupId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::ids;
use crate::domain::time::rfc3339;
use crate::groups::followers::{parse_follower, secret, Follower};
use crate::groups::{
    parse_membership, parse_meta, reader_access, Access, GroupView, Role, KIND_PUBLIC,
};
use crate::identity::session::Caller;
use crate::ports::store::item;
use crate::ports::{Cond, Item, ItemExt, Value, Write};
use crate::store::batch::find;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::Deps;
use crate::Fault;

crate::fault::access_error!(
    /// What a follow use case can answer besides success.
    FollowError,
    from crate::groups::GroupError
);

fn mac(secret: &[u8], label: &str, user_id: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    m.update(label.as_bytes());
    m.update(b"|");
    m.update(user_id.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// The user's follower id in the group with this secret (a 128-bit id like every other).
pub(crate) fn follower_id(secret: &[u8], user_id: &str) -> String {
    ids::encode(&mac(secret, "id", user_id)[..16])
}

/// The pseudonym candidates, shortest first: "Follower 7QX2", "Follower 7QX2A", ...
fn pseudonyms(secret: &[u8], user_id: &str) -> impl Iterator<Item = String> {
    let code = ids::encode(&mac(secret, "name", user_id)).to_uppercase();
    (4..=code.len().min(16)).map(move |n| format!("Follower {}", &code[..n]))
}

/// The write moving the follower count by `delta`, conditional on the version read.
pub(crate) async fn count_write(deps: &Deps, group_id: &str, delta: i64) -> Result<Write, Fault> {
    let key = keys::follower_count(group_id);
    let (n, version, cond) = match deps.store.get(&key).await? {
        Some(c) => (
            c.n("count").unwrap_or(0),
            c.version(),
            Cond::VersionIs(c.version()),
        ),
        None => (0, 0, Cond::NotExists),
    };
    Ok(Write::Update {
        key,
        set: [
            ("count".to_string(), Value::N((n + delta).max(0))),
            ("version".to_string(), Value::N(version + 1)),
        ]
        .into_iter()
        .collect(),
        remove: vec![],
        cond,
    })
}

/// The group a follow link leads to, as the preview shows it: `(name, description, statCount)`.
pub async fn preview(
    deps: &Deps,
    caller: &Caller,
    token: &str,
) -> Result<(String, String, i64), FollowError> {
    let link = links::usable(deps, token).await?;
    let (meta, index, fitem) = follow_state(deps, caller, &link.group_id).await?;
    if fitem.as_ref().is_some_and(|f| f.blocked) {
        return Err(FollowError::NotFound);
    }
    // A used-up link previews only for those already in (following it again changes nothing).
    if index.is_none() && link.max_uses.is_some_and(|m| link.uses >= m) {
        return Err(FollowError::NotFound);
    }
    let g = parse_meta(deps, &link.group_id, &meta)?;
    let stats = deps
        .store
        .get(&crate::store::keys::stat_count(&link.group_id))
        .await?
        .and_then(|c| c.n("count"))
        .unwrap_or(0);
    Ok((g.name, g.description, stats))
}

/// META (of a public group), the caller's index entry and their follower item.
async fn follow_state(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
) -> Result<(Item, Option<Item>, Option<Follower>), FollowError> {
    let gkey = keys::group_meta(group_id);
    let mkey = keys::membership(&caller.user_id, group_id);
    let items = deps.store.batch_get(&[gkey.clone(), mkey.clone()]).await?;
    let meta = find(&items, &gkey).ok_or(FollowError::NotFound)?.clone();
    if meta.s("kind") != Some(KIND_PUBLIC) {
        return Err(FollowError::NotFound);
    }
    let fid = follower_id(&secret(deps, group_id, &meta)?, &caller.user_id);
    let fitem = deps.store.get(&keys::follower(group_id, &fid)).await?;
    let follower = fitem.as_ref().map(parse_follower).transpose()?;
    Ok((meta, find(&items, &mkey).cloned(), follower))
}

/// Follow the group of a usable link. Idempotent (a follower, member or admin just gets their
/// view). The link's use, the follower, the user's index, the pseudonym and the count are one
/// transaction conditional on the link's version, so `maxUses` holds under any concurrency.
pub async fn follow(deps: &Deps, caller: &Caller, token: &str) -> Result<GroupView, FollowError> {
    let (view, followed) = transact(deps, move |_| async move {
        let link = links::usable(deps, token).await?;
        let gid = link.group_id.clone();
        let (meta, index, fitem) = follow_state(deps, caller, &gid).await?;
        let group = parse_meta(deps, &gid, &meta)?;
        if let Some(index) = index {
            let me = parse_membership(&gid, &index)?;
            let view = GroupView {
                group,
                role: me.role,
                member_id: me.member_id,
            };
            return Ok(Step::Done((view, false)));
        }
        if fitem.is_some() {
            // Blocked (a follower always has an index entry).
            return Err(FollowError::NotFound);
        }
        if link.max_uses.is_some_and(|m| link.uses >= m) {
            return Err(FollowError::NotFound);
        }
        let secret = secret(deps, &gid, &meta)?;
        let fid = follower_id(&secret, &caller.user_id);
        let (pseudonym, held) = free_pseudonym(deps, &gid, &secret, &caller.user_id, &fid).await?;
        let now = rfc3339(deps.clock.now());
        let writes = vec![
            links::use_write(&link),
            Write::Check {
                key: keys::group_meta(&gid),
                cond: Cond::Exists,
            },
            Write::Put {
                item: item(
                    &keys::follower(&gid, &fid),
                    [
                        ("userId", Value::S(caller.user_id.clone())),
                        ("pseudonym", Value::S(pseudonym.clone())),
                        ("followedAt", Value::S(now.clone())),
                        ("blocked", Value::Bool(false)),
                        ("version", Value::N(1)),
                    ],
                ),
                cond: Cond::NotExists,
            },
            Write::Put {
                item: item(
                    &keys::membership(&caller.user_id, &gid),
                    [
                        ("role", Value::S(Role::Follower.as_str().into())),
                        ("memberId", Value::S(fid.clone())),
                        ("joinedAt", Value::S(now.clone())),
                        ("version", Value::N(1)),
                    ],
                ),
                cond: Cond::NotExists,
            },
            Write::Put {
                item: item(
                    &keys::pseudonym(&gid, &pseudonym),
                    [("followerId", Value::S(fid.clone()))],
                ),
                // Two new followers racing for one pseudonym: one retries with a longer one.
                cond: if held { Cond::None } else { Cond::NotExists },
            },
            count_write(deps, &gid, 1).await?,
        ];
        let view = GroupView {
            group,
            role: Role::Follower,
            member_id: fid,
        };
        Ok::<_, FollowError>(Step::Commit(writes, (view, true)))
    })
    .await?;
    if followed {
        tracing::info!("group followed");
    }
    Ok(view)
}

/// The shortest pseudonym not held by another follower of the group, and whether the
/// reservation is already this follower's.
async fn free_pseudonym(
    deps: &Deps,
    group_id: &str,
    secret: &[u8],
    user_id: &str,
    fid: &str,
) -> Result<(String, bool), Fault> {
    for p in pseudonyms(secret, user_id) {
        match deps.store.get(&keys::pseudonym(group_id, &p)).await? {
            Some(r) if r.s("followerId") != Some(fid) => continue,
            Some(_) => return Ok((p, true)),
            None => return Ok((p, false)),
        }
    }
    Err(Fault::Corrupt("no free pseudonym"))
}

/// The caller's follower record in a group they follow (anything else: `NotFound`).
async fn mine(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
) -> Result<(Access, Follower), FollowError> {
    let a = reader_access(deps, caller, group_id).await?;
    if a.me.role != Role::Follower {
        return Err(FollowError::NotFound);
    }
    let it = deps
        .store
        .get(&keys::follower(group_id, &a.me.member_id))
        .await?
        .ok_or(FollowError::NotFound)?;
    Ok((a, parse_follower(&it)?))
}

/// Stop following: the follower, the index, the pseudonym and the user's mute go; the chat
/// thread stays (it resumes if they follow again).
pub async fn unfollow(deps: &Deps, caller: &Caller, group_id: &GroupId) -> Result<(), FollowError> {
    transact(deps, move |_| async move {
        let (_, f) = mine(deps, caller, group_id).await?;
        let mut writes = removal(group_id, &f);
        writes.push(count_write(deps, group_id, -1).await?);
        Ok::<_, FollowError>(Step::Commit(writes, ()))
    })
    .await?;
    tracing::info!("group unfollowed");
    Ok(())
}

/// Remove an active follower (account deletion). False when there was none to remove.
pub(crate) async fn drop_follower(
    deps: &Deps,
    group_id: &str,
    follower_id: &str,
) -> Result<bool, Fault> {
    transact(deps, move |_| async move {
        let Some(it) = deps
            .store
            .get(&keys::follower(group_id, follower_id))
            .await?
        else {
            return Ok(Step::Done(false));
        };
        let f = parse_follower(&it)?;
        if f.blocked {
            return Ok(Step::Done(false));
        }
        let mut writes = removal(group_id, &f);
        writes.push(count_write(deps, group_id, -1).await?);
        Ok::<_, Fault>(Step::Commit(writes, true))
    })
    .await
}

/// The writes removing an active follower entirely (not the count).
pub(crate) fn removal(group_id: &str, f: &Follower) -> Vec<Write> {
    vec![
        Write::Delete {
            key: keys::follower(group_id, &f.id),
            cond: Cond::VersionIs(f.version),
        },
        Write::Delete {
            key: keys::membership(&f.user_id, group_id),
            cond: Cond::VersionIs(f.version),
        },
        Write::Delete {
            key: keys::pseudonym(group_id, &f.pseudonym),
            cond: Cond::None,
        },
        Write::Delete {
            key: keys::mute(&f.user_id, group_id),
            cond: Cond::None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_pseudonyms_depend_on_the_secret() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        assert_eq!(follower_id(&a, "u1"), follower_id(&a, "u1"));
        assert_ne!(follower_id(&a, "u1"), follower_id(&b, "u1"));
        assert!(ids::is_token(&follower_id(&a, "u1"), 16));
        let p: Vec<String> = pseudonyms(&a, "u1").collect();
        assert_eq!(p[0].len(), "Follower 7QX2".len());
        assert!(p[1].starts_with(&p[0]));
        assert_ne!(p[0], pseudonyms(&b, "u1").next().unwrap());
    }
}

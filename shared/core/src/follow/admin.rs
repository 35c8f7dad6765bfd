//! What admins do with followers: list them, block and unblock.

use super::{count_write, FollowError};
use crate::domain::ids::{FollowerId, GroupId};
use crate::groups::followers::{parse_follower, Follower};
use crate::groups::{access, Access};
use crate::identity::session::Caller;
use crate::ports::store::item;
use crate::ports::{Cond, Value, Write};
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::Deps;

/// Admins only: one page of the group's followers (blocked ones included).
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Follower>, Option<String>), FollowError> {
    access(deps, caller, group_id).await?.require_admin()?;
    Ok(crate::store::batch::group_page(
        deps,
        group_id,
        keys::FOLLOWER_PREFIX,
        limit,
        cursor,
        parse_follower,
    )
    .await?)
}

/// Admin access and the follower `follower_id` of the group.
async fn target(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    follower_id: &FollowerId,
) -> Result<(Access, Follower), FollowError> {
    let a = access(deps, caller, group_id).await?;
    a.require_admin()?;
    let it = deps
        .store
        .get(&keys::follower(group_id, follower_id))
        .await?
        .ok_or(FollowError::NotFound)?;
    Ok((a, parse_follower(&it)?))
}

/// Admins only: block a follower. They lose access at once and cannot follow again through any
/// link; they stay in the list as blocked. Idempotent.
pub async fn block(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    follower_id: &FollowerId,
) -> Result<Follower, FollowError> {
    let (f, changed) = transact(deps, move |_| async move {
        let (a, mut f) = target(deps, caller, group_id, follower_id).await?;
        if f.blocked {
            return Ok(Step::Done((f, false)));
        }
        let writes = vec![
            Write::Update {
                key: keys::follower(group_id, &f.id),
                set: [
                    ("blocked".to_string(), Value::Bool(true)),
                    ("version".to_string(), Value::N(f.version + 1)),
                ]
                .into_iter()
                .collect(),
                remove: vec![],
                cond: Cond::VersionIs(f.version),
            },
            Write::Delete {
                key: keys::membership(&f.user_id, group_id),
                cond: Cond::VersionIs(f.version),
            },
            Write::Delete {
                key: keys::mute(&f.user_id, group_id),
                cond: Cond::None,
            },
            Write::Put {
                item: item(
                    &keys::blocked(&f.user_id, group_id),
                    [("followerId", Value::S(f.id.clone()))],
                ),
                cond: Cond::None,
            },
            count_write(deps, group_id, -1).await?,
            a.still_holds(caller),
        ];
        f.blocked = true;
        f.version += 1;
        Ok::<_, FollowError>(Step::Commit(writes, (f, true)))
    })
    .await?;
    if changed {
        tracing::info!("follower blocked");
    }
    Ok(f)
}

/// Admins only: lift a block. The entry goes; the user may follow again through a link.
/// On an active follower it changes nothing.
pub async fn unblock(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    follower_id: &FollowerId,
) -> Result<Follower, FollowError> {
    let (f, changed) = transact(deps, move |_| async move {
        let (a, mut f) = target(deps, caller, group_id, follower_id).await?;
        if !f.blocked {
            return Ok(Step::Done((f, false)));
        }
        let writes = vec![
            Write::Delete {
                key: keys::follower(group_id, &f.id),
                cond: Cond::VersionIs(f.version),
            },
            Write::Delete {
                key: keys::pseudonym(group_id, &f.pseudonym),
                cond: Cond::None,
            },
            Write::Delete {
                key: keys::blocked(&f.user_id, group_id),
                cond: Cond::None,
            },
            a.still_holds(caller),
        ];
        f.blocked = false;
        Ok::<_, FollowError>(Step::Commit(writes, (f, true)))
    })
    .await?;
    if changed {
        tracing::info!("follower unblocked");
    }
    Ok(f)
}

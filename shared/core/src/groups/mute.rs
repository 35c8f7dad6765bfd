//! Per-user mute of a group's push notifications: `USER#<uid>/MUTE#<gid>` with
//! `muted: Bool` (read by the `notify` fan-out; absent = not muted). Members, admins and
//! followers set their own. The flag goes with the membership: leaving, unfollowing, being
//! blocked, group deletion and account deletion remove it.

use crate::domain::ids::GroupId;
use crate::domain::time::rfc3339;
use crate::groups::{reader_access, GroupError};
use crate::identity::session::Caller;
use crate::ports::store::item;
use crate::ports::{Cond, Value, Write};
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::Deps;

pub async fn set(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    muted: bool,
) -> Result<bool, GroupError> {
    transact(deps, move |_| async move {
        let a = reader_access(deps, caller, group_id).await?;
        let key = keys::mute(&caller.user_id, group_id);
        let writes = vec![
            Write::Put {
                item: item(
                    &key,
                    [
                        ("muted", Value::Bool(muted)),
                        ("groupId", Value::S(group_id.to_string())),
                        ("updatedAt", Value::S(rfc3339(deps.clock.now()))),
                    ],
                ),
                cond: Cond::None,
            },
            Write::Check {
                key: keys::group_meta(group_id),
                cond: Cond::Exists,
            },
            a.still_holds(caller),
        ];
        Ok(Step::Commit(writes, muted))
    })
    .await
}

//! Table keys of the stats feature (issue 6; DESIGN.md §4):
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `GROUP#<gid>` | `STAT#<sid>` | stat: sealed `content` (title, value, notes, items...), type, times, version |
//! | `GROUP#<gid>` | `STATCOUNT` | number of stats in the group (the 100 cap), version |
//! | `GROUP#<gid>` | `HIST#<sid>#<ms:13>#<version:10>` | one accepted value change (sealed entry) |
//! | `GROUP#<gid>` | `ATT#<sid>#<aid>` | attachment record: status, sealed file name, object key |
//! | `ATTOBJ#<objectId>` | `ATT` | object -> attachment (finalize finds its record by this) |
//! | `USER#<uid>` | `STATSET#<gid>#<sid>` | the user's settings for one stat; GSI1 `STATSET#<gid>` / `<sid>#<uid>` |
//!
//! History sort keys use the change's epoch milliseconds (never less than the previous change's,
//! so time order is version order) and the stat version it produced (unique per stat).

use crate::app::keys::group_pk;
use crate::ports::Key;

pub fn stat(group_id: &str, stat_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("STAT#{stat_id}"))
}

pub const STAT_PREFIX: &str = "STAT#";

pub fn stat_count(group_id: &str) -> Key {
    Key::new(group_pk(group_id), "STATCOUNT")
}

pub fn history_prefix(stat_id: &str) -> String {
    format!("HIST#{stat_id}#")
}

pub fn history(group_id: &str, stat_id: &str, millis: i64, version: i64) -> Key {
    Key::new(
        group_pk(group_id),
        format!("{}{millis:013}#{version:010}", history_prefix(stat_id)),
    )
}

pub fn attachment_prefix(stat_id: &str) -> String {
    format!("ATT#{stat_id}#")
}

pub fn attachment(group_id: &str, stat_id: &str, attachment_id: &str) -> Key {
    Key::new(
        group_pk(group_id),
        format!("{}{attachment_id}", attachment_prefix(stat_id)),
    )
}

pub fn object_pointer(object_id: &str) -> Key {
    Key::new(format!("ATTOBJ#{object_id}"), "ATT")
}

pub fn settings(user_id: &str, group_id: &str, stat_id: &str) -> Key {
    Key::new(
        format!("USER#{user_id}"),
        format!("STATSET#{group_id}#{stat_id}"),
    )
}

pub const SETTINGS_PREFIX: &str = "STATSET#";

/// GSI1 partition of a group's settings items (for deleting them with the stat or group).
pub fn settings_index_pk(group_id: &str) -> String {
    format!("STATSET#{group_id}")
}

pub fn settings_index_sk(stat_id: &str, user_id: &str) -> String {
    format!("{stat_id}#{user_id}")
}

//! Table keys (DESIGN.md §4) and the sealing contexts bound to them. Nothing user-typed is
//! ever part of a key except through a blind index.

use crate::ports::Key;

pub fn otp(phone_index: &str) -> Key {
    Key::new(format!("OTP#{phone_index}"), "CODE")
}

pub fn phone(phone_index: &str) -> Key {
    Key::new(format!("PHONE#{phone_index}"), "USER")
}

/// The partition of everything of one user: `PROFILE`, clients, devices, memberships, mutes…
pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub fn profile(user_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), "PROFILE")
}

pub fn client(api_key: &str) -> Key {
    Key::new(format!("CLIENT#{api_key}"), "CLIENT")
}

pub fn user_client(user_id: &str, client_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), format!("CLIENT#{client_id}"))
}

pub fn device(user_id: &str, device_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), format!("DEVICE#{device_id}"))
}

/// A user's mute flag for a group (`muted: Bool`).
pub fn mute(user_id: &str, group_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), format!("MUTE#{group_id}"))
}

pub fn phone_change(user_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), "PHONECHANGE")
}

/// The sealing context of one field of one item: a sealed value copied to another item or
/// field does not open.
pub fn seal_context(key: &Key, field: &str) -> String {
    format!("{}|{}|{}", key.pk, key.sk, field)
}

/// Blind-index kinds (domain separation of the keyed hashes).
pub mod kind {
    pub const PHONE: &str = "phone";
    pub const OTP_CODE: &str = "otp-code";
    pub const AUTH_TOKEN: &str = "auth-token";
    pub const SOURCE_IP: &str = "source-ip";
    pub const DEVICE: &str = "device-token";
}

// ---- groups, members and invitations (issue 5)

/// The partition holding everything of one group: `META`, `MEMBER#…`, `INVITATION#…`, stats…
pub fn group_pk(group_id: &str) -> String {
    format!("GROUP#{group_id}")
}

pub fn group_meta(group_id: &str) -> Key {
    Key::new(group_pk(group_id), "META")
}

pub fn group_member(group_id: &str, member_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("MEMBER#{member_id}"))
}

/// The admin-side record of a pending invitation (sealed phone, for the masked listing).
pub fn group_invitation(group_id: &str, invitation_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("INVITATION#{invitation_id}"))
}

/// Sort-key prefix of a user's memberships (`USER#<uid>/GROUP#<gid>`) and of the invitee-side
/// invitations (`INVITE#<phone>/GROUP#<gid>`); as a partition key prefix, of groups.
pub const GROUP_PREFIX: &str = "GROUP#";

/// The user's membership index: role and per-group member id.
pub fn membership(user_id: &str, group_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{GROUP_PREFIX}{group_id}"))
}

/// The invitee-side record of a pending invitation, found by the blind index of the number.
pub fn invite(phone_index: &str, group_id: &str) -> Key {
    Key::new(format!("INVITE#{phone_index}"), format!("GROUP#{group_id}"))
}

// ---- stats
//  Table keys of the stats feature (issue 6; DESIGN.md §4):
//
//  | pk | sk | what |
//  |---|---|---|
//  | `GROUP#<gid>` | `STAT#<sid>` | stat: sealed `content` (title, value, notes, items...), type, times, version |
//  | `GROUP#<gid>` | `STATCOUNT` | number of stats in the group (the 100 cap), version |
//  | `GROUP#<gid>` | `HIST#<sid>#<ms:13>#<version:10>` | one accepted value change (sealed entry) |
//  | `GROUP#<gid>` | `ATT#<sid>#<aid>` | attachment record: status, sealed file name, object key |
//  | `ATTOBJ#<objectId>` | `ATT` | object -> attachment (finalize finds its record by this) |
//  | `USER#<uid>` | `STATSET#<gid>#<sid>` | the user's settings for one stat; GSI1 `STATSET#<gid>` / `<sid>#<uid>` |
//
//  History sort keys use the change's epoch milliseconds (never less than the previous change's,
//  so time order is version order) and the stat version it produced (unique per stat).

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

//! Table keys (docs/data.md) and the sealing contexts bound to them. Nothing user-typed is
//! ever part of a key except through a blind index. Every key of the table is made here; no
//! other module spells a key prefix.
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `OTP#<phoneIdx>` | `CODE` | a pending sign-in code (hashed code, sealed client name) |
//! | `PHONE#<phoneIdx>` | `USER` | number -> user id |
//! | `CLIENT#<apiKey>` | `CLIENT` | an authorized client: user, token hash, times |
//! | `RATE#<counter>` | `RATE` | a rate-limit counter or cooldown (`<scope>#<window>`, `cool#<phoneIdx>`, `invite#<uid>#<day>`, `invite-sms#<phoneIdx>#<day>`) |
//! | `USER#<uid>` | `PROFILE` | the user: sealed phone, phone index, name, version |
//! | `USER#<uid>` | `PHONECHANGE` | a pending phone-number change code |
//! | `USER#<uid>` | `CLIENT#<cid>` | the user's client index (sealed api key) |
//! | `USER#<uid>` | `DEVICE#<did>` | a push device: platform, endpoint |
//! | `USER#<uid>` | `GROUP#<gid>` | membership index: role, member / follower id, version |
//! | `USER#<uid>` | `MUTE#<gid>` | the user's mute flag for a group |
//! | `USER#<uid>` | `BLOCKED#<gid>` | the user is blocked from following the group |
//! | `USER#<uid>` | `STATSET#<gid>#<sid>` | the user's settings for one stat; GSI1 `STATSET#<gid>` / `<sid>#<uid>` |
//! | `GROUP#<gid>` | `META` | the group: sealed name and description, counts, kind, follower secret, version |
//! | `GROUP#<gid>` | `MEMBER#<mid>` | a member: user id, role, sealed invited name, version |
//! | `GROUP#<gid>` | `INVITATION#<iid>` | admin side of a pending invitation (sealed phone, inviter) |
//! | `GROUP#<gid>` | `FOLLOWER#<fid>` | a follower: user id, pseudonym, blocked flag, version |
//! | `GROUP#<gid>` | `FOLLOWERS` | the group's follower count |
//! | `GROUP#<gid>` | `PSEUDONYM#<name>` | reservation of a follower pseudonym |
//! | `GROUP#<gid>` | `LINK#<lid>` | a follow link: hash, uses, max uses |
//! | `GROUP#<gid>` | `THREAD#<fid>` | summary of a follower's chat thread with the admins |
//! | `GROUP#<gid>` | `CHAT#<thread>#<ms:13>#<rand>` | a chat message (`<thread>` is `main` or a follower id) |
//! | `GROUP#<gid>` | `STAT#<sid>` | stat: sealed `content` (title, value, notes, items...), type, times, version |
//! | `GROUP#<gid>` | `STATCOUNT` | number of stats in the group (the 100 cap), version |
//! | `GROUP#<gid>` | `HIST#<sid>#<ms:13>#<version:10>` | one accepted value change (sealed entry) |
//! | `GROUP#<gid>` | `ATT#<sid>#<aid>` | attachment record: status, sealed file name, object key |
//! | `INVITE#<phoneIdx>` | `GROUP#<gid>` | invitee side of a pending invitation |
//! | `LINK#<hash>` | `LINK` | follow-link token hash -> group and link |
//! | `ATTOBJ#<objectId>` | `ATT` | object -> attachment (finalize finds its record by this) |
//!
//! History sort keys use the change's epoch milliseconds (never less than the previous change's,
//! so time order is version order) and the stat version it produced (unique per stat).

use crate::ports::Key;

pub fn otp(phone_index: &str) -> Key {
    Key::new(format!("OTP#{phone_index}"), "CODE")
}

pub fn phone(phone_index: &str) -> Key {
    Key::new(format!("PHONE#{phone_index}"), "USER")
}

/// The partition of everything of one user: `PROFILE`, clients, devices, memberships, mutes…
pub fn user_pk(user_id: &str) -> String {
    format!("{USER_PREFIX}{user_id}")
}

/// Partition-key prefix of the users' partitions.
pub const USER_PREFIX: &str = "USER#";

pub fn profile(user_id: &str) -> Key {
    Key::new(user_pk(user_id), "PROFILE")
}

pub fn client(api_key: &str) -> Key {
    Key::new(format!("CLIENT#{api_key}"), "CLIENT")
}

/// Sort-key prefix of a user's client index.
pub const CLIENT_PREFIX: &str = "CLIENT#";

pub fn user_client(user_id: &str, client_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{CLIENT_PREFIX}{client_id}"))
}

/// Sort-key prefix of a user's push devices.
pub const DEVICE_PREFIX: &str = "DEVICE#";

pub fn device(user_id: &str, device_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{DEVICE_PREFIX}{device_id}"))
}

/// Sort-key prefix of a user's mute flags.
pub const MUTE_PREFIX: &str = "MUTE#";

/// A user's mute flag for a group (`muted: Bool`).
pub fn mute(user_id: &str, group_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{MUTE_PREFIX}{group_id}"))
}

pub fn phone_change(user_id: &str) -> Key {
    Key::new(user_pk(user_id), "PHONECHANGE")
}

/// A rate-limit counter or cooldown item; `counter` names the scope and window.
pub fn rate(counter: &str) -> Key {
    Key::new(format!("RATE#{counter}"), "RATE")
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

// ---- groups, members and invitations

/// The partition holding everything of one group: `META`, `MEMBER#…`, `INVITATION#…`, stats…
pub fn group_pk(group_id: &str) -> String {
    format!("{GROUP_PREFIX}{group_id}")
}

pub fn group_meta(group_id: &str) -> Key {
    Key::new(group_pk(group_id), "META")
}

/// Sort-key prefix of a group's members.
pub const MEMBER_PREFIX: &str = "MEMBER#";

pub fn group_member(group_id: &str, member_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("{MEMBER_PREFIX}{member_id}"))
}

/// Sort-key prefix of a group's pending invitations (admin side).
pub const INVITATION_PREFIX: &str = "INVITATION#";

/// The admin-side record of a pending invitation (sealed phone, for the masked listing).
pub fn group_invitation(group_id: &str, invitation_id: &str) -> Key {
    Key::new(
        group_pk(group_id),
        format!("{INVITATION_PREFIX}{invitation_id}"),
    )
}

/// Sort-key prefix of a user's memberships (`USER#<uid>/GROUP#<gid>`) and of the invitee-side
/// invitations (`INVITE#<phone>/GROUP#<gid>`); as a partition key prefix, of groups.
pub const GROUP_PREFIX: &str = "GROUP#";

/// The user's membership index: role and per-group member id.
pub fn membership(user_id: &str, group_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{GROUP_PREFIX}{group_id}"))
}

/// The partition of the invitee-side invitations to one number (by its blind index).
pub fn invites_pk(phone_index: &str) -> String {
    format!("INVITE#{phone_index}")
}

/// The invitee-side record of a pending invitation, found by the blind index of the number.
pub fn invite(phone_index: &str, group_id: &str) -> Key {
    Key::new(invites_pk(phone_index), format!("{GROUP_PREFIX}{group_id}"))
}

// ---- followers, follow links and chat

/// Sort-key prefix of a group's followers.
pub const FOLLOWER_PREFIX: &str = "FOLLOWER#";

pub fn follower(group_id: &str, follower_id: &str) -> Key {
    Key::new(
        group_pk(group_id),
        format!("{FOLLOWER_PREFIX}{follower_id}"),
    )
}

pub fn pseudonym(group_id: &str, pseudonym: &str) -> Key {
    Key::new(group_pk(group_id), format!("PSEUDONYM#{pseudonym}"))
}

/// The group's follower count.
pub fn follower_count(group_id: &str) -> Key {
    Key::new(group_pk(group_id), "FOLLOWERS")
}

/// Sort-key prefix of a user's block markers.
pub const BLOCKED_PREFIX: &str = "BLOCKED#";

pub fn blocked(user_id: &str, group_id: &str) -> Key {
    Key::new(user_pk(user_id), format!("{BLOCKED_PREFIX}{group_id}"))
}

/// Sort-key prefix of a group's follow links (and partition-key prefix of their lookups).
pub const LINK_PREFIX: &str = "LINK#";

/// The lookup of a follow link by its token's hash.
pub fn link(hash: &str) -> Key {
    Key::new(format!("{LINK_PREFIX}{hash}"), "LINK")
}

pub fn group_link(group_id: &str, link_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("{LINK_PREFIX}{link_id}"))
}

/// Sort-key prefix of a group's follower threads.
pub const THREAD_PREFIX: &str = "THREAD#";

pub fn thread(group_id: &str, follower_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("{THREAD_PREFIX}{follower_id}"))
}

/// Sort-key prefix of every chat message of a group.
pub const CHAT_PREFIX: &str = "CHAT#";

/// Sort-key prefix of the messages of one thread (`main` or a follower id).
pub fn chat_prefix(thread: &str) -> String {
    format!("{CHAT_PREFIX}{thread}#")
}

// ---- stats

pub fn stat(group_id: &str, stat_id: &str) -> Key {
    Key::new(group_pk(group_id), format!("STAT#{stat_id}"))
}

pub const STAT_PREFIX: &str = "STAT#";

pub fn stat_count(group_id: &str) -> Key {
    Key::new(group_pk(group_id), "STATCOUNT")
}

/// The largest millisecond time a history key holds (13 digits: 2286-11-20T17:46:39.999Z).
pub const HISTORY_MAX_MILLIS: i64 = 9_999_999_999_999;

pub fn history_prefix(stat_id: &str) -> String {
    format!("HIST#{stat_id}#")
}

pub fn history(group_id: &str, stat_id: &str, millis: i64, version: i64) -> Key {
    Key::new(
        group_pk(group_id),
        format!("{}{millis:013}#{version:010}", history_prefix(stat_id)),
    )
}

/// Sort-key prefix of every attachment record of a group.
pub const ATTACHMENT_PREFIX: &str = "ATT#";

pub fn attachment_prefix(stat_id: &str) -> String {
    format!("{ATTACHMENT_PREFIX}{stat_id}#")
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

pub const SETTINGS_PREFIX: &str = "STATSET#";

pub fn settings(user_id: &str, group_id: &str, stat_id: &str) -> Key {
    Key::new(
        user_pk(user_id),
        format!("{SETTINGS_PREFIX}{group_id}#{stat_id}"),
    )
}

/// GSI1 partition of a group's settings items (for deleting them with the stat or group).
pub fn settings_index_pk(group_id: &str) -> String {
    format!("{SETTINGS_PREFIX}{group_id}")
}

/// GSI1 sort-key prefix of one stat's settings items.
pub fn settings_index_prefix(stat_id: &str) -> String {
    format!("{stat_id}#")
}

pub fn settings_index_sk(stat_id: &str, user_id: &str) -> String {
    format!("{}{user_id}", settings_index_prefix(stat_id))
}

// ---- attachment objects (blob keys, not table keys)

/// Where an upload lands: S3 notifies `finalize` for objects under this prefix.
pub const PENDING_PREFIX: &str = "pending/";
/// Where a checked attachment lives.
pub const READY_PREFIX: &str = "att/";

pub fn pending_object(object_id: &str) -> String {
    format!("{PENDING_PREFIX}{object_id}")
}

pub fn ready_object(object_id: &str) -> String {
    format!("{READY_PREFIX}{object_id}")
}

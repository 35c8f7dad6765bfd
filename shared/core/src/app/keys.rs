//! Table keys (DESIGN.md §4) and the sealing contexts bound to them. Nothing user-typed is
//! ever part of a key except through a blind index.

use crate::ports::Key;

pub fn otp(phone_index: &str) -> Key {
    Key::new(format!("OTP#{phone_index}"), "CODE")
}

pub fn phone(phone_index: &str) -> Key {
    Key::new(format!("PHONE#{phone_index}"), "USER")
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

/// The user's membership index: role and per-group member id.
pub fn membership(user_id: &str, group_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), format!("GROUP#{group_id}"))
}

/// The invitee-side record of a pending invitation, found by the blind index of the number.
pub fn invite(phone_index: &str, group_id: &str) -> Key {
    Key::new(format!("INVITE#{phone_index}"), format!("GROUP#{group_id}"))
}

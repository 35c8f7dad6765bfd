//! Opaque ids and tokens: random bytes as lowercase base32 without padding (URL-safe).

use data_encoding::{Encoding, Specification};
use std::sync::OnceLock;

fn base32_lower() -> &'static Encoding {
    static ENC: OnceLock<Encoding> = OnceLock::new();
    ENC.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("abcdefghijklmnopqrstuvwxyz234567");
        spec.encoding().expect("valid base32 alphabet")
    })
}

pub fn encode(bytes: &[u8]) -> String {
    base32_lower().encode(bytes)
}

/// True when `s` looks like an id we issued for `bytes` random bytes (used to refuse garbage
/// before touching the store).
pub fn is_token(s: &str, bytes: usize) -> bool {
    s.len() == (bytes * 8).div_ceil(5)
        && base32_lower()
            .decode(s.as_bytes())
            .is_ok_and(|d| d.len() == bytes)
}

/// Ids we issue are 128-bit base32 tokens; anything else cannot name a group, stat, member or
/// invitation and is refused before touching the store.
pub fn is_id(s: &str) -> bool {
    is_token(s, 16)
}

/// A device id: the first 26 characters (130 bits) of a base32 blind index.
pub fn is_device_id(s: &str) -> bool {
    s.len() == 26 && s.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'))
}

/// An id of one kind. A value of it is always a well-formed id (128 random bits in base32),
/// so use cases never check the shape again, and ids of two kinds cannot be swapped: a
/// `GroupId` is not accepted where a `StatId` is expected.
pub trait Id: Sized + std::ops::Deref<Target = str> {
    /// The path parameter that carries it (`groupId` ...).
    const PARAM: &'static str;
    /// The id, if `s` has the shape of an id we issue.
    fn parse(s: &str) -> Option<Self>;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident = $param:literal, $shape:path;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Wrap an id this service just issued (`Random::id`) or read from its own store.
            pub fn issued(id: String) -> Self {
                Self(id)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Id for $name {
            const PARAM: &'static str = $param;
            fn parse(s: &str) -> Option<Self> {
                $shape(s).then(|| Self(s.to_string()))
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

ids! {
    /// A group.
    GroupId = "groupId", is_id;
    /// A stat of a group.
    StatId = "statId", is_id;
    /// A member of a group (per-group id, not the user id).
    MemberId = "memberId", is_id;
    /// An invitation to a group.
    InvitationId = "invitationId", is_id;
    /// A follower of a public group (per-group id).
    FollowerId = "followerId", is_id;
    /// A follow link of a public group.
    LinkId = "linkId", is_id;
    /// A follower's chat thread with the admins.
    ThreadId = "threadId", is_id;
    /// An attachment of a stat.
    AttachmentId = "attachmentId", is_id;
    /// One of the user's signed-in clients.
    ClientId = "clientId", is_id;
    /// One of the user's push devices (26 characters of a blind index of the push token).
    DeviceId = "deviceId", is_device_id;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_issued_shapes_parse() {
        let id = encode(&[7u8; 16]);
        assert_eq!(GroupId::parse(&id).as_deref(), Some(id.as_str()));
        assert!(GroupId::parse("").is_none());
        assert!(GroupId::parse(&id.to_uppercase()).is_none());
        assert!(GroupId::parse(&encode(&[7u8; 32])).is_none());
        assert!(StatId::parse("../etc").is_none());
    }
}

//! Property tests for ids and tokens (`domain::ids`): exactly the shapes the service issues
//! parse, as every typed id, and nothing panics on arbitrary text. The oracle is an independent
//! base32 reader written here.

use proptest::prelude::*;
use proptest::test_runner::Config;
use statx_core::crypto::Keyring;
use statx_core::domain::ids::{
    encode, is_device_id, is_id, is_token, AttachmentId, ClientId, DeviceId, FollowerId, GroupId,
    Id, InvitationId, LinkId, MemberId, StatId, ThreadId,
};
use statx_core::ports::Crypto;

const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz234567";

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The bytes `s` encodes when it is the canonical lowercase, unpadded base32 of exactly
/// `bytes` bytes (no stray trailing bits); `None` otherwise.
fn decode_exact(s: &str, bytes: usize) -> Option<Vec<u8>> {
    if s.len() != (bytes * 8).div_ceil(5) {
        return None;
    }
    let mut acc: u64 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in s.chars() {
        acc = (acc << 5) | ALPHABET.find(c)? as u64;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    (acc == 0 && out.len() == bytes).then_some(out)
}

/// Every typed id `s` parses as, checking each keeps the text.
fn parses_as_every_kind(s: &str) -> Vec<bool> {
    fn one<T: Id + std::fmt::Display>(s: &str) -> bool {
        match T::parse(s) {
            Some(id) => {
                assert_eq!(&*id, s);
                assert_eq!(id.to_string(), s);
                true
            }
            None => false,
        }
    }
    vec![
        one::<GroupId>(s),
        one::<StatId>(s),
        one::<MemberId>(s),
        one::<InvitationId>(s),
        one::<FollowerId>(s),
        one::<LinkId>(s),
        one::<ThreadId>(s),
        one::<AttachmentId>(s),
        one::<ClientId>(s),
    ]
}

/// Text near an id: mostly the alphabet, sometimes capitals, digits 0/1/8/9, padding, path
/// characters; around the right length.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z2-7]{24,28}",
        1 => "[a-zA-Z0-9=/._%-]{24,28}",
        1 => "[a-z2-7]{0,60}",
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Every id the service issues (16 random bytes in base32) parses, as every kind of id,
    /// keeping its text; it has 26 characters of the alphabet.
    #[test]
    fn issued_ids_parse(bytes in prop::array::uniform16(any::<u8>())) {
        let id = encode(&bytes);
        prop_assert_eq!(id.len(), 26);
        prop_assert!(id.chars().all(|c| ALPHABET.contains(c)));
        prop_assert!(is_id(&id));
        prop_assert_eq!(decode_exact(&id, 16), Some(bytes.to_vec()));
        prop_assert!(parses_as_every_kind(&id).iter().all(|ok| *ok));
    }

    /// Tokens of any size the service issues are accepted for that size only.
    #[test]
    fn issued_tokens_are_accepted_for_their_size(
        bytes in prop::collection::vec(any::<u8>(), 1..=64),
        other in 1usize..=64,
    ) {
        let t = encode(&bytes);
        prop_assert!(is_token(&t, bytes.len()));
        if (other * 8).div_ceil(5) != t.len() {
            prop_assert!(!is_token(&t, other));
        }
    }

    /// Exactly the issued shapes parse: text is an id if and only if it is the canonical
    /// base32 of 16 bytes, and then every kind accepts it; otherwise none does.
    #[test]
    fn only_issued_shapes_are_ids(s in id_like()) {
        let expected = decode_exact(&s, 16).is_some();
        prop_assert_eq!(is_id(&s), expected, "{:?}", s);
        let kinds = parses_as_every_kind(&s);
        prop_assert!(kinds.iter().all(|ok| *ok == expected), "{:?}: {:?}", s, kinds);
        if let Some(bytes) = decode_exact(&s, 16) {
            prop_assert_eq!(encode(&bytes), s);
        }
    }

    /// The same for tokens of every size (session tokens, codes' ids...).
    #[test]
    fn only_issued_shapes_are_tokens(s in "[a-z2-7]{1,110}", bytes in 1usize..=64) {
        prop_assert_eq!(is_token(&s, bytes), decode_exact(&s, bytes).is_some(), "{:?}", s);
    }

    /// Arbitrary text never panics, whatever it is checked as.
    #[test]
    fn arbitrary_text_never_panics(s in any::<String>(), bytes in 0usize..=64) {
        let id = is_id(&s);
        prop_assert_eq!(id, decode_exact(&s, 16).is_some());
        let _ = is_token(&s, bytes);
        let kinds = parses_as_every_kind(&s);
        prop_assert!(kinds.iter().all(|ok| *ok == id));
        prop_assert_eq!(DeviceId::parse(&s).is_some(), is_device_id(&s));
    }

    /// A device id is 26 characters of the alphabet: the start of a blind index parses, and
    /// anything with another length or character does not.
    #[test]
    fn device_ids(token in prop::collection::vec(any::<u8>(), 1..200), s in id_like()) {
        let ring = Keyring::from_master(&[9; 32]);
        let index = ring.blind_index("push-device", &token);
        let id = &index[..26];
        prop_assert!(is_device_id(id));
        let parsed = DeviceId::parse(id);
        prop_assert_eq!(parsed.as_deref(), Some(id));
        let expected = s.len() == 26 && s.chars().all(|c| ALPHABET.contains(c));
        prop_assert_eq!(is_device_id(&s), expected, "{:?}", s);
    }

    /// One changed character of an issued id: still an id only when it is again a canonical
    /// encoding (a letter swapped for another of the alphabet), never with an upper-case letter,
    /// padding or a path character.
    #[test]
    fn mutated_ids(
        bytes in prop::array::uniform16(any::<u8>()),
        at in 0usize..26,
        c in prop::sample::select("ABZ0189=/.%- _".chars().collect::<Vec<_>>()),
    ) {
        let mut chars: Vec<char> = encode(&bytes).chars().collect();
        chars[at] = c;
        let s: String = chars.into_iter().collect();
        prop_assert!(!is_id(&s), "{:?}", s);
        prop_assert!(GroupId::parse(&s).is_none());
        prop_assert!(!is_device_id(&s));
    }
}

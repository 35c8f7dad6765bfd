//! Property tests for list cursors (`http::cursor::seal` / `open`): a cursor opens, to the
//! store cursor it was made from, only for the scope (list and caller) it was sealed for; any
//! changed byte or character fails; arbitrary input never panics and always answers the same
//! 400 error, which says nothing about why.

use std::sync::Arc;

use async_trait::async_trait;
use data_encoding::BASE64URL_NOPAD;
use http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::Config;
use statx_core::crypto::Keyring;
use statx_core::http::cursor::{open, seal};
use statx_core::http::ApiError;
use statx_core::ports::{
    BlobError, BlobMeta, Blobs, Cond, CounterOutcome, Item, ItemStore, Key, OsRandom, Page,
    PresignedUpload, Push, PushError, PushMessage, PushOutcome, Query, Sms, SmsError, StoreError,
    SystemClock, Write,
};
use statx_core::Deps;

/// Ports that cursors never touch: every call is a test failure.
struct Untouched;

#[async_trait]
impl ItemStore for Untouched {
    async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
        unreachable!("cursors do not read the store")
    }
    async fn batch_get(&self, _: &[Key]) -> Result<Vec<Item>, StoreError> {
        unreachable!()
    }
    async fn put(&self, _: Item, _: Cond) -> Result<(), StoreError> {
        unreachable!()
    }
    async fn update(&self, _: &Key, _: Item, _: &[String], _: Cond) -> Result<Item, StoreError> {
        unreachable!()
    }
    async fn delete(&self, _: &Key, _: Cond) -> Result<(), StoreError> {
        unreachable!()
    }
    async fn add_counter(
        &self,
        _: &Key,
        _: &str,
        _: i64,
        _: i64,
        _: i64,
    ) -> Result<CounterOutcome, StoreError> {
        unreachable!()
    }
    async fn query(&self, _: &Query) -> Result<Page, StoreError> {
        unreachable!()
    }
    async fn transact(&self, _: Vec<Write>) -> Result<(), StoreError> {
        unreachable!()
    }
}

#[async_trait]
impl Sms for Untouched {
    async fn send(&self, _: &str, _: &str) -> Result<(), SmsError> {
        unreachable!()
    }
}

#[async_trait]
impl Push for Untouched {
    async fn register(&self, _: &str, _: &str, _: &str) -> Result<String, PushError> {
        unreachable!()
    }
    async fn send(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &PushMessage,
    ) -> Result<PushOutcome, PushError> {
        unreachable!()
    }
    async fn unregister(&self, _: &str) -> Result<(), PushError> {
        unreachable!()
    }
}

#[async_trait]
impl Blobs for Untouched {
    async fn presign_upload(
        &self,
        _: &str,
        _: &str,
        _: u64,
        _: u64,
    ) -> Result<PresignedUpload, BlobError> {
        unreachable!()
    }
    async fn presign_download(&self, _: &str, _: u64) -> Result<String, BlobError> {
        unreachable!()
    }
    async fn head(&self, _: &str) -> Result<Option<BlobMeta>, BlobError> {
        unreachable!()
    }
    async fn delete(&self, _: &str) -> Result<(), BlobError> {
        unreachable!()
    }
    async fn copy(&self, _: &str, _: &str) -> Result<(), BlobError> {
        unreachable!()
    }
}

fn deps_with(master: u8) -> Deps {
    Deps {
        store: Arc::new(Untouched),
        crypto: Arc::new(Keyring::from_master(&[master; 32])),
        sms: Arc::new(Untouched),
        push: Arc::new(Untouched),
        blobs: Arc::new(Untouched),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandom),
        config: Arc::new(statx_core::Config::default()),
    }
}

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The one answer to a cursor that does not open.
fn assert_invalid(r: Result<String, ApiError>) -> Result<(), TestCaseError> {
    let e = match r {
        Ok(raw) => return Err(TestCaseError::fail(format!("opened to {raw:?}"))),
        Err(e) => e,
    };
    let (status, code, message) = e.parts();
    prop_assert_eq!(status, StatusCode::BAD_REQUEST);
    prop_assert_eq!(code, "bad_request");
    prop_assert_eq!(
        message,
        "cursor is not valid here: pass back the nextCursor of the previous page."
    );
    Ok(())
}

fn id() -> impl Strategy<Value = String> {
    "[a-z2-7]{26}"
}

/// The scopes the list handlers use: a list name, the caller and the list's owner ids.
fn scope() -> impl Strategy<Value = String> {
    (0usize..10, id(), id(), id(), any::<i64>(), any::<i64>()).prop_map(
        |(list, user, gid, sid, from, to)| match list {
            0 => format!("groups|{user}"),
            1 => format!("invitations|{user}"),
            2 => format!("group-invitations|{gid}|{user}"),
            3 => format!("members|{gid}|{user}"),
            4 => format!("stats|{user}|{gid}"),
            5 => format!("links|{gid}|{user}"),
            6 => format!("followers|{gid}|{user}"),
            7 => format!("threads|{gid}|{user}"),
            8 => format!("messages|{gid}|{sid}|{user}"),
            _ => format!("history|{user}|{gid}|{sid}|{from}|{to}"),
        },
    )
}

/// A store cursor: the JSON of a last-evaluated key, or any text.
fn raw_cursor() -> impl Strategy<Value = String> {
    prop_oneof![
        (id(), "[A-Z#0-9a-z]{1,80}")
            .prop_map(|(g, sk)| format!(r#"{{"pk":"GROUP#{g}","sk":"{sk}"}}"#)),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// A cursor opens for its own scope to the store cursor it was made from, and is URL-safe.
    #[test]
    fn cursors_open_for_their_scope(scope in scope(), raw in raw_cursor()) {
        let deps = deps_with(1);
        let sealed = seal(&deps, &scope, Some(raw.clone())).unwrap();
        prop_assert!(sealed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(open(&deps, &scope, &sealed).unwrap(), raw);
        prop_assert_eq!(seal(&deps, &scope, None), None);
    }

    /// Swapped between lists or callers (any other scope), or under another key, it fails.
    #[test]
    fn cursors_fail_in_any_other_scope(a in scope(), b in scope(), raw in raw_cursor()) {
        prop_assume!(a != b);
        let deps = deps_with(1);
        let sealed = seal(&deps, &a, Some(raw)).unwrap();
        assert_invalid(open(&deps, &b, &sealed))?;
        assert_invalid(open(&deps_with(2), &a, &sealed))?;
    }

    /// The same list for another caller, or another group, or another history range.
    #[test]
    fn cursors_fail_for_another_caller_or_owner(
        user in id(), other in id(), gid in id(), sid in id(), raw in raw_cursor(),
        from in any::<i64>(), to in any::<i64>(), shift in 1i64..1_000_000,
    ) {
        prop_assume!(user != other);
        let deps = deps_with(1);
        let pairs = [
            (format!("members|{gid}|{user}"), format!("members|{gid}|{other}")),
            (format!("members|{gid}|{user}"), format!("members|{other}|{user}")),
            (format!("stats|{user}|{gid}"), format!("stats|{other}|{gid}")),
            (format!("groups|{user}"), format!("invitations|{user}")),
            (format!("links|{gid}|{user}"), format!("followers|{gid}|{user}")),
            (
                format!("history|{user}|{gid}|{sid}|{from}|{to}"),
                format!("history|{user}|{gid}|{sid}|{from}|{}", to.wrapping_add(shift)),
            ),
            (
                format!("history|{user}|{gid}|{sid}|{from}|{to}"),
                format!("history|{other}|{gid}|{sid}|{from}|{to}"),
            ),
        ];
        for (mine, theirs) in pairs {
            let sealed = seal(&deps, &mine, Some(raw.clone())).unwrap();
            assert_invalid(open(&deps, &theirs, &sealed))?;
            let sealed = seal(&deps, &theirs, Some(raw.clone())).unwrap();
            assert_invalid(open(&deps, &mine, &sealed))?;
        }
    }

    /// Any changed byte of the sealed cursor fails, and so do a truncated or extended one.
    #[test]
    fn tampered_bytes_fail(
        scope in scope(),
        raw in raw_cursor(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let deps = deps_with(1);
        let sealed = seal(&deps, &scope, Some(raw)).unwrap();
        let bytes = BASE64URL_NOPAD.decode(sealed.as_bytes()).unwrap();

        let mut flipped = bytes.clone();
        let i = at.index(flipped.len());
        flipped[i] ^= flip;
        assert_invalid(open(&deps, &scope, &BASE64URL_NOPAD.encode(&flipped)))?;

        let truncated = &bytes[..cut.index(bytes.len())];
        assert_invalid(open(&deps, &scope, &BASE64URL_NOPAD.encode(truncated)))?;

        let mut longer = bytes.clone();
        longer.extend_from_slice(&extra);
        assert_invalid(open(&deps, &scope, &BASE64URL_NOPAD.encode(&longer)))?;
    }

    /// Any changed, removed or added character of the cursor text fails (including changes
    /// only to the unused low bits of the last character, and padding or whitespace).
    #[test]
    fn tampered_text_fails(
        scope in scope(),
        raw in raw_cursor(),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .%"
                .chars()
                .collect::<Vec<_>>(),
        ),
    ) {
        let deps = deps_with(1);
        let sealed = seal(&deps, &scope, Some(raw)).unwrap();
        let chars: Vec<char> = sealed.chars().collect();
        let i = at.index(chars.len());

        let mut changed = chars.clone();
        prop_assume!(changed[i] != c);
        changed[i] = c;
        assert_invalid(open(&deps, &scope, &changed.iter().collect::<String>()))?;

        let mut removed = chars.clone();
        removed.remove(i);
        assert_invalid(open(&deps, &scope, &removed.iter().collect::<String>()))?;

        let mut added = chars.clone();
        added.insert(i, c);
        assert_invalid(open(&deps, &scope, &added.iter().collect::<String>()))?;
    }

    /// Arbitrary text, URL-safe base64 of arbitrary bytes, or a very long input never panics
    /// and always gives the one 400 error.
    #[test]
    fn arbitrary_input_is_always_the_400(
        scope in scope(),
        text in any::<String>(),
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        long in 2000usize..6000,
    ) {
        let deps = deps_with(1);
        assert_invalid(open(&deps, &scope, &text))?;
        assert_invalid(open(&deps, &scope, &BASE64URL_NOPAD.encode(&bytes)))?;
        assert_invalid(open(&deps, &scope, &"A".repeat(long)))?;
    }
}

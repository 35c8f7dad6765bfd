//! `Crypto` conformance: sealing with bound context, blind indexes, and agreement between
//! instances built from the same key source (two cold starts, or two first starts at once).

use statx_core::ports::CryptoError;

use super::Harness;
use crate::harness::case;

#[case]
pub async fn seal_open_context(h: &dyn Harness) {
    let c = h.crypto().await;
    let ctx = "USER#1|PROFILE|phone";
    let sealed = c.seal(ctx, b"+15555550123");
    assert_eq!(c.open(ctx, &sealed).unwrap(), b"+15555550123");
    assert!(!sealed.windows(12).any(|w| w == b"+15555550123"));
    assert_ne!(sealed, c.seal(ctx, b"+15555550123"), "fresh nonce per seal");
    assert_eq!(
        c.open("USER#2|PROFILE|phone", &sealed),
        Err(CryptoError::Open)
    );
    let mut tampered = sealed.clone();
    tampered[sealed.len() / 2] ^= 1;
    assert_eq!(c.open(ctx, &tampered), Err(CryptoError::Open));
    assert_eq!(c.open(ctx, &sealed[..10]), Err(CryptoError::Open));
    assert_eq!(c.open(ctx, &c.seal(ctx, b"")).unwrap(), b"");

    let a = c.blind_index("phone", b"+15555550123");
    assert_eq!(a, c.blind_index("phone", b"+15555550123"));
    assert_ne!(a, c.blind_index("otp", b"+15555550123"));
    assert_ne!(a, c.blind_index("phone", b"+15555550124"));
    assert!(a
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
}

#[case]
pub async fn stable_across_instances(h: &dyn Harness) {
    let first = h.crypto().await;
    let second = h.crypto().await;
    let sealed = first.seal("ctx", b"value");
    assert_eq!(second.open("ctx", &sealed).unwrap(), b"value");
    assert_eq!(
        first.blind_index("phone", b"+15555550123"),
        second.blind_index("phone", b"+15555550123")
    );
}

#[case]
pub async fn concurrent_first_start(h: &dyn Harness) {
    // No key exists yet: several instances created at once must all end up with one key.
    let (a, b, c, d, e, f) = tokio::join!(
        h.crypto(),
        h.crypto(),
        h.crypto(),
        h.crypto(),
        h.crypto(),
        h.crypto()
    );
    let instances = [a, b, c, d, e, f];
    let index = instances[0].blind_index("phone", b"+15555550123");
    let sealed = instances[0].seal("ctx", b"value");
    for c in &instances[1..] {
        assert_eq!(c.blind_index("phone", b"+15555550123"), index);
        assert_eq!(c.open("ctx", &sealed).unwrap(), b"value");
    }
    // And a later cold start agrees too.
    assert_eq!(
        h.crypto().await.blind_index("phone", b"+15555550123"),
        index
    );
}

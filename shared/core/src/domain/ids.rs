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

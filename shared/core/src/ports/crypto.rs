//! Field-level encryption and keyed hashing.
//!
//! The one implementation (`crate::crypto::Keyring`) derives its sub-keys from a 256-bit master
//! key; the adapters differ only in where that master key comes from (a KMS-wrapped data key in
//! AWS, a 0600 key file locally).

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// Ciphertext is corrupt, truncated, or sealed under another context or key.
    #[error("cannot open sealed value")]
    Open,
    #[error("key unavailable: {0}")]
    Key(String),
}

pub trait Crypto: Send + Sync {
    /// AES-256-GCM: `nonce || ciphertext+tag`; `context` is bound as associated data (table
    /// key + field name), so a value moved to another item or field does not open.
    fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8>;
    fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// HMAC-SHA-256 under the blind-index sub-key, domain-separated by `kind`; lowercase base32.
    /// Deterministic: used as a lookup key for values that must never be stored in clear
    /// (phone numbers) and as the stored form of secrets (codes, tokens).
    fn blind_index(&self, kind: &str, value: &[u8]) -> String;
}

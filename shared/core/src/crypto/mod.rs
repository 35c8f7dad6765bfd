//! `Keyring`: the one `Crypto` implementation. Sub-keys for sealing and blind indexes are
//! derived with HKDF-SHA-256 from a 256-bit master key, which the adapters supply (KMS data key
//! decrypted once per cold start in AWS; a 0600 key file locally).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::ports::random::Random;
use crate::ports::{Crypto, CryptoError, OsRandom};

const NONCE_LEN: usize = 12;
/// Version byte prefixed to sealed values so the format can change later.
const SEAL_V1: u8 = 1;

pub struct Keyring {
    seal: Aes256Gcm,
    blind: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    /// Derive the sub-keys from a 32-byte master key.
    pub fn from_master(master: &[u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"statx-keyring-v1"), master);
        let mut seal = Zeroizing::new([0u8; 32]);
        let mut blind = Zeroizing::new([0u8; 32]);
        hk.expand(b"seal", seal.as_mut())
            .expect("32 bytes is a valid HKDF length");
        hk.expand(b"blind-index", blind.as_mut())
            .expect("32 bytes is a valid HKDF length");
        Self {
            seal: Aes256Gcm::new_from_slice(seal.as_ref()).expect("32-byte key"),
            blind,
        }
    }

    /// Parse a master key from bytes (must be exactly 32).
    pub fn from_slice(master: &[u8]) -> Result<Self, CryptoError> {
        let key: &[u8; 32] = master
            .try_into()
            .map_err(|_| CryptoError::Key("master key must be 32 bytes".into()))?;
        Ok(Self::from_master(key))
    }
}

impl Crypto for Keyring {
    fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRandom.fill(&mut nonce);
        let ct = self
            .seal
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of in-memory data cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(SEAL_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != SEAL_V1 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        self.seal
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)
    }

    fn blind_index(&self, kind: &str, value: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.blind.as_ref())
            .expect("HMAC accepts any key length");
        // Length-prefix the kind so ("ab", "c") and ("a", "bc") never collide.
        mac.update(&(kind.len() as u64).to_be_bytes());
        mac.update(kind.as_bytes());
        mac.update(value);
        crate::domain::ids::encode(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(b: u8) -> Keyring {
        Keyring::from_master(&[b; 32])
    }

    #[test]
    fn seal_round_trips_and_binds_context() {
        let k = ring(7);
        let s = k.seal("USER#1|PROFILE|phone", b"+15555550123");
        assert_eq!(k.open("USER#1|PROFILE|phone", &s).unwrap(), b"+15555550123");
        assert_eq!(k.open("USER#2|PROFILE|phone", &s), Err(CryptoError::Open));
        assert_eq!(
            ring(8).open("USER#1|PROFILE|phone", &s),
            Err(CryptoError::Open)
        );
        assert!(!s.windows(12).any(|w| w == b"+15555550123"));
        // Fresh nonce each time.
        assert_ne!(s, k.seal("USER#1|PROFILE|phone", b"+15555550123"));
        let mut bad = s.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(k.open("USER#1|PROFILE|phone", &bad), Err(CryptoError::Open));
        assert_eq!(k.open("x", &[1, 2, 3]), Err(CryptoError::Open));
    }

    #[test]
    fn blind_index_is_keyed_and_domain_separated() {
        let k = ring(1);
        assert_eq!(k.blind_index("phone", b"+1"), k.blind_index("phone", b"+1"));
        assert_ne!(k.blind_index("phone", b"+1"), k.blind_index("otp", b"+1"));
        assert_ne!(k.blind_index("ab", b"c"), k.blind_index("a", b"bc"));
        assert_ne!(
            k.blind_index("phone", b"+1"),
            ring(2).blind_index("phone", b"+1")
        );
        assert!(Keyring::from_slice(&[0; 31]).is_err());
    }
}

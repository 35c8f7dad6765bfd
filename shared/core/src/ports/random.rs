//! Randomness, injected so tests can control codes. Production uses the OS CSPRNG.

use rand::RngCore;

pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::rngs::OsRng.fill_bytes(buf);
    }
}

/// Helpers on top of any `Random`.
pub trait RandomExt {
    /// A 128-bit random id, lowercase base32 without padding (26 URL-safe characters).
    fn id(&self) -> String;
    /// `bytes` random bytes, lowercase base32 without padding (tokens).
    fn token(&self, bytes: usize) -> String;
    /// A uniformly distributed 6-digit code (leading zeros kept).
    fn code6(&self) -> String;
}

impl<R: Random + ?Sized> RandomExt for R {
    fn id(&self) -> String {
        self.token(16)
    }
    fn token(&self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        self.fill(&mut buf);
        crate::domain::ids::encode(&buf)
    }
    fn code6(&self) -> String {
        // Rejection sampling: u32 values at or above the largest multiple of 10^6 are redrawn so
        // every code is equally likely.
        const SPACE: u32 = 1_000_000;
        let limit = u32::MAX - (u32::MAX % SPACE);
        loop {
            let mut b = [0u8; 4];
            self.fill(&mut b);
            let v = u32::from_le_bytes(b);
            if v < limit {
                return format!("{:06}", v % SPACE);
            }
        }
    }
}

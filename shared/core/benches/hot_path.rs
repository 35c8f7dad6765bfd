//! CPU cost of what every request does before it touches the network: parse the phone number,
//! seal/open a field, compute a blind index (token check, phone lookup).
//! Target: each well under 100 µs, so the hot path is dominated by the one store round trip.

use criterion::{criterion_group, criterion_main, Criterion};
use statx_core::crypto::Keyring;
use statx_core::domain::PhoneNumber;
use statx_core::ports::Crypto;

fn hot_path(c: &mut Criterion) {
    let ring = Keyring::from_master(&[7; 32]);
    let sealed = ring.seal("USER#x|PROFILE|phone", b"+12025550123");
    c.bench_function("phone_parse", |b| {
        b.iter(|| PhoneNumber::parse(std::hint::black_box("+1 (202) 555-0123")).unwrap())
    });
    c.bench_function("seal_64b", |b| {
        b.iter(|| ring.seal("GROUP#g|STAT#s|value", std::hint::black_box(&[1u8; 64])))
    });
    c.bench_function("open_phone", |b| {
        b.iter(|| {
            ring.open("USER#x|PROFILE|phone", std::hint::black_box(&sealed))
                .unwrap()
        })
    });
    c.bench_function("blind_index_token", |b| {
        b.iter(|| ring.blind_index("auth-token", std::hint::black_box(&[b'a'; 52])))
    });
}

criterion_group!(benches, hot_path);
criterion_main!(benches);

//! Identifier generation without external crates: random-looking UUIDv4 strings and
//! deterministic pseudo-random bytes derived from a string.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The SplitMix64 finaliser: a cheap, well-distributed 64-bit mix.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of `s`, mixed.
pub fn hash_str(s: &str) -> u64 {
    let fnv = s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    mix64(fnv)
}

/// `len` deterministic pseudo-random bytes seeded by `seed`.
pub fn stream(seed: &str, len: usize) -> Vec<u8> {
    let mut state = hash_str(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = mix64(state);
        out.extend_from_slice(&state.to_be_bytes());
    }
    out.truncate(len);
    out
}

/// A fresh UUIDv4-formatted string from the clock, the process id and a counter.
pub fn new_uuid() -> String {
    // Entropy, not time: the system clock (not the sandbox's `Clock`) so that ids stay unique.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hi = mix64(nanos ^ u64::from(std::process::id()).rotate_left(32));
    let lo = mix64(hi ^ count.wrapping_mul(0xd6e8_feb8_6659_fd93));
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let a = new_uuid();
        let b = new_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn streams_are_deterministic_per_seed() {
        assert_eq!(stream("x", 40), stream("x", 40));
        assert_ne!(stream("x", 40), stream("y", 40));
        assert_eq!(stream("x", 13).len(), 13);
    }
}

//! Deterministic ids and hashes. The same inputs give the same id in the browser, at the
//! edge and natively, so retries and races collapse onto one key.

use crate::policy::Channel;
use sha2::{Digest, Sha256};

pub fn sha256_hex(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
    out
}

/// A journey is one contact's one cart.
pub fn journey_id(contact_id: &str, cart_token: &str) -> String {
    format!(
        "j_{}",
        &sha256_hex(&format!("{contact_id}\u{1f}{cart_token}"))[..16]
    )
}

/// The send's idempotency key: journey, step, channel, attempt (principle 7).
pub fn send_id(journey_id: &str, step: &str, channel: Channel, attempt: u8) -> String {
    format!("{journey_id}.{step}.{}.{attempt}", channel.as_str())
}

/// FNV-1a, 64-bit: a fast, stable, non-cryptographic fingerprint (event ids for dedupe).
/// Five lines, so no crate: it must give the same value on every target forever.
pub fn fnv1a64(input: &str) -> u64 {
    input.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

/// A stable bucket in 0..100 for `salt` + `unit`: holdouts, pilots and experiment arms.
pub fn bucket(salt: &str, unit: &str) -> u8 {
    let digest = Sha256::digest(format!("{salt}\u{1f}{unit}").as_bytes());
    (u16::from_be_bytes([digest[0], digest[1]]) % 100) as u8
}

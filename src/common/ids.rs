//! Deterministic ids and hashes. The same inputs give the same id in the browser, at the
//! edge and natively, so retries and races collapse onto one key.

use crate::common::channel::Channel;
use sha2::{Digest, Sha256};

pub fn sha256_hex(input: &str) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &Sha256::digest(input.as_bytes()));
    out
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
}

/// SHA-256 of `parts` joined by U+001F (unit separator), without building the joined text:
/// ids are made on every decision.
fn sha256_joined(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update("\u{1f}".as_bytes());
        }
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// A journey is one contact's one cart.
pub fn journey_id(contact_id: &str, cart_token: &str) -> String {
    let mut id = String::with_capacity(18);
    id.push_str("j_");
    push_hex(&mut id, &sha256_joined(&[contact_id, cart_token])[..8]);
    id
}

/// The send's idempotency key: journey, step, channel, attempt (principle 7).
pub fn send_id(journey_id: &str, step: &str, channel: Channel, attempt: u8) -> String {
    let channel = channel.as_str();
    let mut id = String::with_capacity(journey_id.len() + step.len() + channel.len() + 6);
    for part in [journey_id, ".", step, ".", channel, "."] {
        id.push_str(part);
    }
    id.push_str(itoa::Buffer::new().format(attempt));
    id
}

/// FNV-1a, 64-bit: a fast, stable, non-cryptographic fingerprint (event ids for dedupe).
/// Five lines, so no crate: it must give the same value on every target forever.
pub fn fnv1a64(input: &str) -> u64 {
    input.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

/// A stable bucket in 0..100 for `salt` + `unit`: holdouts, pilots and experiment arms.
/// The salt comes in parts ("pilot:", policy name) that are hashed as one text.
pub fn bucket(salt: &[&str], unit: &str) -> u8 {
    let mut hasher = Sha256::new();
    for part in salt {
        hasher.update(part.as_bytes());
    }
    hasher.update("\u{1f}".as_bytes());
    hasher.update(unit.as_bytes());
    let digest: [u8; 32] = hasher.finalize().into();
    (u16::from_be_bytes([digest[0], digest[1]]) % 100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_salt_in_parts_buckets_as_the_joined_salt_and_buckets_never_move() {
        // Pinned: a bucket that moved would move contacts between arms, holdout and pilot.
        let joined = |salt: &str, unit: &str| {
            let digest = sha256_joined(&[salt, unit]);
            (u16::from_be_bytes([digest[0], digest[1]]) % 100) as u8
        };
        for unit in ["contact-1", "contact-2", "j_59e6bb8c0d00b354", ""] {
            assert_eq!(bucket(&["holdout:", "default"], unit), joined("holdout:default", unit));
            assert_eq!(bucket(&["holdout:default"], unit), joined("holdout:default", unit));
        }
        let pinned: Vec<u8> = (0..8).map(|i| bucket(&["experiment:", "subject"], &format!("c{i}"))).collect();
        assert_eq!(pinned, PINNED);
    }

    const PINNED: [u8; 8] = [16, 51, 66, 70, 36, 50, 1, 12];
}

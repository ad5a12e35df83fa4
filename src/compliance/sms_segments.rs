//! How many SMS segments a body costs: GSM-7 (160 septets, 153 per part when concatenated)
//! unless any character needs UCS-2 (70, 67 per part). Carriers bill per segment.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segments {
    pub encoding: Encoding,
    pub count: u8,
}

/// The GSM 03.38 basic character set.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each costs an escape plus the character (two septets).
const EXTENDED: &str = "\u{000C}^{}\\[~]|€";

/// Septets per ASCII character (0: not in GSM-7), read off the tables at compile time: URLs
/// and punctuation are most of a message, and each would otherwise search the tables.
const ASCII_SEPTETS: [u8; 128] = {
    let mut table = [0u8; 128];
    let (basic, extended) = (BASIC.as_bytes(), EXTENDED.as_bytes());
    let mut i = 0;
    while i < basic.len() {
        if basic[i] < 128 {
            table[basic[i] as usize] = 1; // bytes below 128 are whole ASCII characters
        }
        i += 1;
    }
    i = 0;
    while i < extended.len() {
        if extended[i] < 128 {
            table[extended[i] as usize] = 2;
        }
        i += 1;
    }
    table
};

fn septets(c: char) -> Option<usize> {
    if c.is_ascii() {
        return match ASCII_SEPTETS[c as usize] {
            0 => None,
            n => Some(n as usize),
        };
    }
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

pub fn count(body: &str) -> Segments {
    let gsm_septets: Option<usize> = body.chars().map(septets).sum();
    match gsm_septets {
        Some(total) => {
            if total <= 160 {
                return Segments {
                    encoding: Encoding::Gsm7,
                    count: 1,
                };
            }
            // An escape pair is never split across two segments.
            let mut segments = 1;
            let mut used = 0;
            for cost in body.chars().filter_map(septets) {
                if used + cost > 153 {
                    segments += 1;
                    used = 0;
                }
                used += cost;
            }
            Segments {
                encoding: Encoding::Gsm7,
                count: segments.min(255) as u8,
            }
        }
        None => {
            let units: usize = body.chars().map(char::len_utf16).sum();
            if units <= 70 {
                return Segments {
                    encoding: Encoding::Ucs2,
                    count: 1,
                };
            }
            // A surrogate pair is never split across two segments.
            let mut segments = 1;
            let mut used = 0;
            for c in body.chars() {
                let cost = c.len_utf16();
                if used + cost > 67 {
                    segments += 1;
                    used = 0;
                }
                used += cost;
            }
            Segments {
                encoding: Encoding::Ucs2,
                count: segments.min(255) as u8,
            }
        }
    }
}

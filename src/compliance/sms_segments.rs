//! How many SMS segments a body costs: GSM-7 (160 septets, 153 per part when concatenated)
//! unless any character needs UCS-2 (70, 67 per part). Carriers bill per segment. And how to
//! keep a body in GSM-7 while keeping every accent GSM-7 can carry (`fit_gsm7`).

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

/// The body with each character GSM-7 lacks replaced by its nearest letter or mark, and every
/// other character left as it is: "envío exprés, ¿dudas?" → "envio exprés, ¿dudas?". One such
/// character (`á`, a typographic apostrophe, the no-break space `Intl` puts in "12,50 €") would
/// send the whole SMS as UCS-2: 70 characters a segment instead of 160, which the signed link
/// alone nearly fills. GSM 03.38 keeps é è ù ì ò à Ç Ø ø Å å Ä Ö Ñ Ü ä ö ñ ü ß É ¿ ¡, so
/// Spanish keeps ñ and é, French è and é, German all of its own; the rest lose only their mark.
/// A character with no near form (non-Latin scripts) stays: that SMS is UCS-2, and counted so.
pub fn fit_gsm7(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match nearest_gsm7(c) {
            Some(replacement) if septets(c).is_none() => out.push_str(replacement),
            _ => out.push(c),
        }
    }
    out
}

/// The GSM-7 form of a Latin letter or mark outside the alphabet (None: no near form).
fn nearest_gsm7(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'â' | 'ã' | 'ā' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ā' | 'Ą' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ć' | 'Č' => "C",
        'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ō' | 'Ő' => "O",
        'ú' | 'û' | 'ū' | 'ů' | 'ű' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ń' | 'ň' => "n",
        'Ń' | 'Ň' => "N",
        'ś' | 'š' => "s",
        'Ś' | 'Š' => "S",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ł' => "l",
        'Ł' => "L",
        'œ' => "oe",
        'Œ' => "OE",
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '«' | '»' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' => " ",
        _ => return None,
    })
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

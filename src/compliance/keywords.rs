//! Inbound SMS keywords, as carriers and the law read them.
//!
//! FCC 24-24 (47 CFR 64.1200(a)(10), in force since 2025-04-11): consent may be revoked by any
//! reasonable means, and a reply that *uses* "stop", "quit", "end", "revoke", "opt out",
//! "cancel" or "unsubscribe" is a revocation per se: "Stop.", "STOP!", "stop please",
//! "OPT OUT" and "opt-out" all count. So an opt-out word anywhere in the reply, as a whole
//! word, revokes ("weekend" and "Stopford" do not: word boundaries). Reading too much as a
//! revocation costs one message; missing one is a TCPA violation per text.
//!
//! Other wording is judged on the totality of the circumstances: a short list of phrases that
//! *may* mean "stop" ("no more texts", "leave me alone") gets one clarifying text and holds
//! marketing SMS until the shopper answers (`Keyword::MaybeOptOut`).
//!
//! Opting back in (START, YES, UNSTOP) and HELP (HELP, INFO) stay whole-message keywords,
//! punctuation and a polite word tolerated ("Yes!", "help?", "START please"): re-subscribing
//! someone on a word inside a sentence ("yes I said stop") would be the unsafe mistake.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
    /// Wording that may be a revocation: ask once, send no marketing SMS until it is resolved.
    MaybeOptOut,
}

/// The FCC's per-se revocation words, plus the carriers' and Twilio's defaults (STOPALL,
/// OPTOUT). "opt out" as two words, or hyphenated, is matched as a pair below.
impl Keyword {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, Keyword)] = &[
        ("optOut", Keyword::OptOut),
        ("optIn", Keyword::OptIn),
        ("help", Keyword::Help),
        ("maybeOptOut", Keyword::MaybeOptOut),
    ];
}

const OPT_OUT: &[&str] = &[
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "optout",
    "revoke",
];
const OPT_IN: &[&str] = &["start", "yes", "unstop"];
const HELP: &[&str] = &["help", "info"];
/// Words that may surround a keyword without changing it ("START please", "help thanks").
const FILLER: &[&str] = &["please", "pls", "plz", "thanks", "thank", "you", "thx", "ok", "okay"];
/// Phrases that may mean "stop texting me" but are not per-se revocations: asked about once.
/// Matched as consecutive words, apostrophes dropped ("don't" is "dont").
const MAYBE_OPT_OUT: &[&[&str]] = &[
    &["no", "more", "texts"],
    &["no", "more", "messages"],
    &["no", "more", "text"],
    &["leave", "me", "alone"],
    &["dont", "text"],
    &["do", "not", "text"],
    &["dont", "message"],
    &["do", "not", "message"],
    &["dont", "contact"],
    &["do", "not", "contact"],
    &["remove", "me"],
    &["take", "me", "off"],
    &["not", "interested"],
    &["wrong", "number"],
    &["unsub"],
];

pub fn classify(body: &str) -> Option<Keyword> {
    let words = words(body);
    let has = |w: &str| words.iter().any(|x| x == w);
    let opt_out_pair = words.windows(2).any(|p| p[0] == "opt" && p[1] == "out");
    if OPT_OUT.iter().any(|k| has(k)) || opt_out_pair {
        return Some(Keyword::OptOut);
    }
    let meaningful: Vec<&String> = words.iter().filter(|w| !FILLER.contains(&w.as_str())).collect();
    if let [only] = meaningful.as_slice() {
        if OPT_IN.contains(&only.as_str()) {
            return Some(Keyword::OptIn);
        }
        if HELP.contains(&only.as_str()) {
            return Some(Keyword::Help);
        }
    }
    let phrase = |p: &&[&str]| words.windows(p.len()).any(|w| w.iter().zip(p.iter()).all(|(a, b)| a == b));
    if MAYBE_OPT_OUT.iter().any(phrase) {
        return Some(Keyword::MaybeOptOut);
    }
    None
}

/// The reply's words, lowercased: letters and digits separated by anything else (spaces,
/// punctuation, hyphens, zero-width spaces). Full-width letters ("ＳＴＯＰ", what some
/// East Asian keyboards type) read as their ASCII forms; apostrophes join ("don't" → "dont").
fn words(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in body.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '\u{2019}') {
            continue;
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

//! Inbound SMS keywords (FACTS.md, CTIA and Twilio's defaults): the whole trimmed message,
//! case-insensitive. Anything else is free text.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rekindle::compliance::keywords::{classify, Keyword};

/// Copied from FACTS.md ("Compliance constants"), not from the module under test.
const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "REVOKE",
];
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

/// Upper, lower, capitalised and alternating case of `word`.
fn casings(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let capitalised = lower[..1].to_uppercase() + &lower[1..];
    let alternating: String = lower
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    vec![word.to_uppercase(), lower, capitalised, alternating]
}

/// Whitespace a phone keyboard or a carrier may wrap around a reply.
const PADDING: &[(&str, &str)] = &[
    ("", ""),
    (" ", ""),
    ("", " "),
    ("  ", "\n"),
    ("\t", "\r\n"),
    ("\n", " "),
];

fn assert_every_variant(words: &[&str], want: Keyword) {
    let mut checked = 0;
    for word in words {
        for cased in casings(word) {
            for (before, after) in PADDING {
                let body = format!("{before}{cased}{after}");
                assert_eq!(classify(&body), Some(want), "{body:?} should be {want:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, words.len() * 4 * PADDING.len());
}

#[test]
fn every_opt_out_word_is_matched_case_insensitively_on_the_trimmed_message() {
    assert_every_variant(OPT_OUT, Keyword::OptOut);
}

#[test]
fn every_opt_in_word_is_matched_case_insensitively_on_the_trimmed_message() {
    assert_every_variant(OPT_IN, Keyword::OptIn);
}

#[test]
fn every_help_word_is_matched_case_insensitively_on_the_trimmed_message() {
    assert_every_variant(HELP, Keyword::Help);
}

#[test]
fn free_text_near_misses_are_not_keywords() {
    let near_misses = [
        "",
        "   ",
        "stop please",
        "please stop",
        "STOP!",
        "STOP.",
        "Stopp",
        "stop stop",
        "S T O P",
        "st op",
        "\"STOP\"",
        "STOP\u{200B}", // a zero-width space is not whitespace
        "ＳＴＯＰ",     // full-width letters
        "unsubscribe me",
        "cancel my order",
        "yes please",
        "yes!",
        "help?",
        "info@example.com",
        "end.",
        "quitting",
        "starting",
        "halt",
        "no",
    ];
    for body in near_misses {
        assert_eq!(classify(body), None, "{body:?} is free text, not a keyword");
    }
}

#[test]
fn stop_is_matched_case_insensitively_on_the_trimmed_message() {
    assert_eq!(classify("  sToP \n"), Some(Keyword::OptOut));
}

//! Inbound SMS keywords (CTIA, Twilio's defaults, FCC 24-24): a revocation word anywhere in
//! the reply, as a whole word; opt-in and HELP on the whole message, punctuation tolerated;
//! wording that may be an opt-out is asked about.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rekindle::compliance::keywords::{classify, Keyword};

/// Copied from docs/compliance.md (the SMS table), not from the module under test.
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
fn every_opt_out_word_is_matched_case_insensitively() {
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

/// FCC 24-24 (47 CFR 64.1200(a)(10)): a reply that uses one of these words revokes consent,
/// whatever surrounds it. Copied from the rule, not from the module under test.
const FCC_PER_SE: &[&str] = &["stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe"];

#[test]
fn a_reply_using_a_revocation_word_revokes_whatever_surrounds_it() {
    for word in FCC_PER_SE {
        for body in [
            format!("{word}"),
            format!("{}.", word.to_uppercase()),
            format!("{word}!"),
            format!("{word} please"),
            format!("please {word}"),
            format!("{word} texting me"),
            format!("I said {word}"),
            format!("\"{word}\""),
            format!("{word}!!! now"),
        ] {
            assert_eq!(classify(&body), Some(Keyword::OptOut), "{body:?}");
        }
    }
    for body in [
        "Stop.", "STOP!", "stop please", "OPT OUT", "opt-out", "Opt_out", "optout", "STOPALL",
        "stop stop", "unsubscribe me", "cancel my order", "the end.", "yes I said stop",
        "START STOP", "STOP\u{200B}", "ＳＴＯＰ", "Stop, thanks", "no. stop.",
    ] {
        assert_eq!(classify(body), Some(Keyword::OptOut), "{body:?}");
    }
}

#[test]
fn word_boundaries_keep_longer_words_and_names_free_text() {
    for body in [
        "weekend delivery?", "Stopford Road", "is it unstoppable", "quitting my job",
        "stopped by the shop", "endless options", "cancellation policy?", "ending soon?",
        "backend", "S T O P", "st op", "Stopp", "halt", "no", "",
    ] {
        assert_eq!(classify(body), None, "{body:?} is free text");
    }
}

#[test]
fn opt_in_and_help_are_whole_message_keywords_with_punctuation_and_a_polite_word() {
    for body in ["Yes!", "yes please", "START.", "start thanks", "Unstop"] {
        assert_eq!(classify(body), Some(Keyword::OptIn), "{body:?}");
    }
    for body in ["help?", "HELP!", "Info", "help please"] {
        assert_eq!(classify(body), Some(Keyword::Help), "{body:?}");
    }
    for body in ["yes I want the red one", "starting tomorrow", "info@example.com", "help me choose a size"] {
        assert_ne!(classify(body), Some(Keyword::OptIn), "{body:?}");
        assert_ne!(classify(body), Some(Keyword::Help), "{body:?}");
    }
}

#[test]
fn wording_that_may_be_an_opt_out_is_asked_about_not_ignored() {
    for body in [
        "no more texts", "No more messages please", "leave me alone", "don't text me",
        "Do not text this number", "dont contact me again", "remove me", "take me off your list",
        "not interested", "wrong number", "unsub",
    ] {
        assert_eq!(classify(body), Some(Keyword::MaybeOptOut), "{body:?}");
    }
    // A per-se word in the same reply makes it a revocation outright.
    assert_eq!(classify("no more texts, stop"), Some(Keyword::OptOut));
}

#[test]
fn stop_is_matched_case_insensitively_on_the_trimmed_message() {
    assert_eq!(classify("  sToP \n"), Some(Keyword::OptOut));
}

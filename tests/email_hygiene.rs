//! Email hygiene against Dominic Sayers' isemail suite (`tests/fixtures/vectors/email/`).
//!
//! The vector's verdict: an address is legal unless its category is ISEMAIL_ERR. Rekindle's
//! rule is narrower ("what a real mailbox provider accepts", see `hygiene::email`), and it
//! trims surrounding white space first. Every case where the two disagree is listed below
//! with its reason, and the list is asserted exactly: a change in behaviour changes it.

// The vectors are files: these tests run natively only.
#![cfg(not(target_arch = "wasm32"))]

mod vectors;

use rekindle::hygiene::email::{is_valid, normalize};
use rekindle::Code;

const QUOTED: &str = "quoted local part: no mailbox provider issues them; most ESPs refuse them";
const COMMENT: &str = "comment (CFWS) inside the address: not part of any mailbox's address";
const LITERAL: &str = "IP-address or domain literal instead of a host name";
const NUMERIC_TLD: &str = "all-numeric top-level label: no such TLD exists (RFC 3696 2)";
const DOTLESS: &str = "dotless domain: banned on the public internet (ICANN 2013); usually a typo";
const LOCAL_TOO_LONG: &str = "local part over 64 octets: SMTP servers refuse it (RFC 5321 4.5.3.1)";
const TOO_LONG: &str = "address or domain over the RFC 5321 length limits: undeliverable";
const INNER_SPACE: &str = "white space inside the address (not only around it)";
const SLASH_DOMAIN: &str = "'/' is not a host-name character";
const TRIMMED: &str = "accepted after trimming the surrounding white space or line break";

/// (id, Rekindle accepts, reason). Ids are the suite's own.
const DIFFERENCES: &[(u64, bool, &str)] = &[
    (5, false, DOTLESS),
    (23, false, NUMERIC_TLD),
    (24, false, NUMERIC_TLD),
    (26, false, LOCAL_TOO_LONG),
    (28, false, TOO_LONG),
    (39, false, TOO_LONG),
    (40, false, TOO_LONG),
    (41, false, TOO_LONG),
    (42, false, QUOTED),
    (43, false, QUOTED),
    (45, false, QUOTED),
    (46, false, QUOTED),
    (48, false, QUOTED),
    (54, false, QUOTED),
    (55, false, QUOTED),
    (56, false, QUOTED),
    (58, false, QUOTED),
    (59, false, QUOTED),
    (60, false, QUOTED),
    (61, false, LITERAL),
    (63, false, LITERAL),
    (64, false, LITERAL),
    (65, false, LITERAL),
    (66, false, LITERAL),
    (67, false, LITERAL),
    (68, false, LITERAL),
    (69, false, LITERAL),
    (70, false, LITERAL),
    (71, false, LITERAL),
    (72, false, LITERAL),
    (73, false, LITERAL),
    (74, false, LITERAL),
    (75, false, LITERAL),
    (76, false, LITERAL),
    (77, false, LITERAL),
    (78, false, LITERAL),
    (79, false, LITERAL),
    (80, false, LITERAL),
    (81, false, LITERAL),
    (82, false, LITERAL),
    (83, false, LITERAL),
    (84, false, LITERAL),
    (85, false, INNER_SPACE),
    (86, false, INNER_SPACE),
    (87, false, INNER_SPACE),
    (90, false, COMMENT),
    (92, false, COMMENT),
    (93, false, COMMENT),
    (95, false, COMMENT),
    (96, false, COMMENT),
    (97, false, COMMENT),
    (98, false, COMMENT),
    (99, true, TRIMMED),
    (112, false, LITERAL),
    (115, false, LITERAL),
    (116, false, LITERAL),
    (117, false, LITERAL),
    (120, false, LITERAL),
    (121, false, COMMENT),
    (124, false, QUOTED),
    (125, false, QUOTED),
    (126, false, COMMENT),
    (127, true, TRIMMED),
    (128, true, TRIMMED),
    (132, true, TRIMMED),
    (134, false, QUOTED),
    (138, false, QUOTED),
    (139, false, QUOTED),
    (140, false, COMMENT),
    (141, true, TRIMMED),
    (142, true, TRIMMED),
    (143, true, TRIMMED),
    (145, true, TRIMMED),
    (146, true, TRIMMED),
    (147, true, TRIMMED),
    (150, true, TRIMMED),
    (151, true, TRIMMED),
    (152, true, TRIMMED),
    (154, true, TRIMMED),
    (155, true, TRIMMED),
    (156, true, TRIMMED),
    (159, false, LITERAL),
    (161, false, SLASH_DOMAIN),
    (165, false, COMMENT),
    (166, false, DOTLESS),
];

#[test]
fn every_isemail_verdict_matches_except_the_listed_differences() {
    let cases = vectors::cases("email/isemail_cases.json");
    assert_eq!(
        cases.len(),
        164,
        "the vector file changed: review the new cases"
    );
    let mut differences = Vec::new();
    let mut agree = 0;
    for case in &cases {
        let id = case["id"].as_u64().expect("id");
        let address = case["address"].as_str().expect("address");
        let vector_accepts = case["category"] != "ISEMAIL_ERR";
        let accepts = is_valid(address);
        if accepts == vector_accepts {
            agree += 1;
        } else {
            differences.push((
                id,
                accepts,
                address.to_string(),
                case["diagnosis"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    let got: Vec<(u64, bool)> = differences.iter().map(|d| (d.0, d.1)).collect();
    let want: Vec<(u64, bool)> = DIFFERENCES.iter().map(|d| (d.0, d.1)).collect();
    assert_eq!(
        got,
        want,
        "differences from the vector changed:\n{}",
        differences
            .iter()
            .map(|d| format!("{:>3} accepts={} {:?} {}", d.0, d.1, d.2, d.3))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(agree + DIFFERENCES.len(), cases.len());
}

#[test]
fn the_vector_agreement_is_79_of_164_with_85_listed_differences() {
    let rejected_legal = DIFFERENCES.iter().filter(|d| !d.1).count();
    let accepted_after_trim = DIFFERENCES.iter().filter(|d| d.1).count();
    assert_eq!((rejected_legal, accepted_after_trim), (69, 16));
    assert_eq!(DIFFERENCES.len(), 85);
    assert!(DIFFERENCES.iter().filter(|d| d.1).all(|d| d.2 == TRIMMED));
}

#[test]
fn every_address_the_suite_calls_plainly_valid_is_accepted_except_dotless_ones() {
    for case in vectors::cases("email/isemail_cases.json") {
        let category = case["category"].as_str().unwrap_or("");
        if category == "ISEMAIL_VALID_CATEGORY" || category == "ISEMAIL_DNSWARN" {
            let address = case["address"].as_str().expect("address");
            assert_eq!(is_valid(address), address != "test@io", "{address:?}");
        }
    }
}

#[test]
fn an_address_wrapped_in_white_space_or_line_breaks_normalises_to_the_bare_address() {
    let cases = vectors::cases("email/isemail_cases.json");
    for (id, _, _) in DIFFERENCES.iter().filter(|d| d.1) {
        let case = cases
            .iter()
            .find(|c| c["id"].as_u64() == Some(*id))
            .expect("listed id exists");
        let address = case["address"].as_str().expect("address");
        assert_eq!(normalize(address).unwrap(), "test@iana.org", "id {id}");
    }
}

#[test]
fn the_domain_is_lowercased_and_the_local_part_is_never_rewritten() {
    assert_eq!(
        normalize(" Ada.Lovelace+Cart@Example.COM ").unwrap(),
        "Ada.Lovelace+Cart@example.com"
    );
    // No Gmail-style dot or +tag stripping: that is the receiving provider's business.
    assert_eq!(normalize("a.d.a+x@gmail.com").unwrap(), "a.d.a+x@gmail.com");
    assert_eq!(
        normalize("o'brien@example.ie").unwrap(),
        "o'brien@example.ie"
    );
}

#[test]
fn internationalised_domains_are_accepted_and_lowercased() {
    assert_eq!(
        normalize("ADA@BÜCHER.Example").unwrap(),
        "ADA@bücher.example"
    );
    assert_eq!(
        normalize("ada@xn--bcher-kva.example").unwrap(),
        "ada@xn--bcher-kva.example"
    );
    // The ideographic full stop is a dot in IDNA (UTS 46).
    assert_eq!(normalize("ada@例子\u{3002}广告").unwrap(), "ada@例子.广告");
}

#[test]
fn addresses_mailbox_providers_do_not_issue_are_rejected() {
    for address in [
        "\"ada lovelace\"@example.com",
        "ada@[192.0.2.1]",
        "(shop)ada@example.com",
        "ada@localhost",
        "ada@gmail",
        "ada@192.0.2.1",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "ada@example..com",
        "ada.@example.com",
        "ada@-example.com",
        "ada@example_shop.com",
        "adä@example.com",
        "ada@example.com.",
        "ada@@example.com",
        "ada@",
        "@example.com",
        "",
    ] {
        assert!(!is_valid(address), "{address:?} should be rejected");
    }
}

#[test]
fn a_rejected_address_is_an_invalid_email_error_with_a_path() {
    let err = normalize("ada@[192.0.2.1]").unwrap_err();
    assert_eq!(err.code(), Code::InvalidEmail);
    assert_eq!(err.code().as_str(), "INVALID_EMAIL");
    assert_eq!(err.path(), "$.email");
    let err = rekindle::hygiene::email::normalize_at("nope", "$.contact.email").unwrap_err();
    assert_eq!(err.path(), "$.contact.email");
}

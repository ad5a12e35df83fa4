//! Phone hygiene against libphonenumber-js's own test expectations, cross-checked with the
//! Python port (`tests/fixtures/vectors/phone/e164_cases.json`).

// Phone hygiene is server-only. These tests run natively and in wasm (scripts/test.sh runs
// both): both builds must agree with libphonenumber alike (tests/phone_plans.rs compares the
// reading itself with the crate's, natively). The vectors are compiled in: wasm has no files.
#![cfg(feature = "server")]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rekindle::hygiene::phone::{is_valid, normalize, normalize_at, normalize_for_sms, sms_capable};
use rekindle::Code;
use serde_json::Value;

/// The cases of `tests/fixtures/vectors/phone/e164_cases.json` (its licence beside it).
fn vector_cases() -> Vec<Value> {
    let file: Value = serde_json::from_str(include_str!("fixtures/vectors/phone/e164_cases.json"))
        .expect("the phone vector file is JSON");
    file["cases"].as_array().expect("a `cases` array").clone()
}

const DRIFT: &str = "metadata drift: the range is not valid in libphonenumber 9.0.42's metadata \
                     (the Python port, 9.0.43, agrees); libphonenumber-js's test ran on older data";

/// (input, default region, Rekindle's answer, why it differs from the vector). Exactly the
/// five cases the vector file itself flags (`crosscheck_agrees: false`).
const DIFFERENCES: &[(&str, Option<&str>, Option<&str>, &str)] = &[
    ("010-852644821", Some("CN"), None, DRIFT),
    ("+12460000000", None, None, DRIFT),
    (
        "tel:+7x8005553535;ext=123",
        None,
        Some("+78005553535"),
        "RFC 3966 leniency: libphonenumber (and its Python port) drop the stray 'x' in a tel: \
         URI, libphonenumber-js refuses; the digits are a valid number either way",
    ),
    ("961111111", Some("UZ"), None, DRIFT),
    ("+3725555555", None, None, DRIFT),
];

/// The case's input, its region, and Rekindle's answer.
fn run(case: &Value) -> (String, Option<String>, Option<String>) {
    let mut input = case["input"].as_str().expect("input").to_string();
    let region = case["default_region"].as_str().map(str::to_string);
    // libphonenumber-js's `defaultCallingCode` has no counterpart here: a calling code
    // without a region is the same as writing it in front of the number.
    if let Some(code) = case["default_calling_code"].as_str() {
        input = format!("+{code}{input}");
    }
    let got = normalize(&input, region.as_deref()).ok();
    (input, region, got)
}

#[test]
fn e164_and_validity_match_libphonenumber_in_71_of_76_cases_and_the_5_flagged_ones_are_listed() {
    let cases = vector_cases();
    assert_eq!(
        cases.len(),
        76,
        "the vector file changed: review the new cases"
    );
    let mut passed = 0;
    let mut differences: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for case in &cases {
        let (input, region, got) = run(case);
        let want_valid = case["expected_valid"].as_bool().expect("expected_valid");
        let want_e164 = case["expected_e164"].as_str();
        let agrees = match &got {
            Some(e164) => want_valid && want_e164.map_or(true, |want| want == e164),
            None => !want_valid,
        };
        if agrees {
            passed += 1;
        } else {
            assert_eq!(
                case["crosscheck_agrees"], false,
                "{input:?} differs from the vector but the file does not flag it"
            );
            differences.push((input, region, got));
        }
    }
    let want: Vec<(String, Option<String>, Option<String>)> = DIFFERENCES
        .iter()
        .map(|(input, region, got, _)| {
            (
                input.to_string(),
                region.map(str::to_string),
                got.map(str::to_string),
            )
        })
        .collect();
    assert_eq!(differences, want, "differences from the vector changed");
    assert_eq!((passed, DIFFERENCES.len()), (71, 5));
}

/// The engine's path reads validity off the number's type; it must agree with
/// libphonenumber's own validity check on every vector, plus numbers of each line type.
#[test]
fn the_one_match_path_for_sms_agrees_with_normalize_and_sms_capable_on_every_case() {
    let mut inputs: Vec<(String, Option<String>)> =
        vector_cases().iter().map(|case| {
            let (input, region, _) = run(case);
            (input, region)
        }).collect();
    for number in ["+442079460000", "+447400123456", "+447700900123", "+33199001234", "+33612902554",
                   "+12133734253", "+18005550199", "+11872155230", "+80012345678", "not a number"] {
        inputs.push((number.to_string(), None));
    }
    for (input, region) in &inputs {
        let both = normalize_for_sms(input, region.as_deref()).ok();
        let e164 = normalize(input, region.as_deref()).ok();
        assert_eq!(both.as_ref().map(|(n, _)| n.clone()), e164, "{input} in {region:?}");
        if let Some((number, takes_sms)) = both {
            assert_eq!(takes_sms, sms_capable(&number), "{input}");
        }
    }
}

#[test]
fn a_number_is_never_rewritten_into_a_different_valid_number() {
    // The `phonenumber` crate (0.3.10) read "4951234567890" in Germany as +49 51234567890,
    // a different, valid number: an SMS to a stranger. 49 is an area code here.
    assert_eq!(
        normalize("4951234567890", Some("DE")).unwrap(),
        "+494951234567890"
    );
    // ...and stripped the RU trunk prefix 8 from inside an international number.
    assert_eq!(normalize("+7 800 555-35-35", None).unwrap(), "+78005553535");
}

#[test]
fn a_national_number_is_read_in_the_default_region() {
    assert_eq!(
        normalize("(213) 373-4253", Some("US")).unwrap(),
        "+12133734253"
    );
    assert_eq!(
        normalize("06 12 90 25 54", Some("FR")).unwrap(),
        "+33612902554"
    );
    assert_eq!(
        normalize("07624 369230", Some("gb")).unwrap(),
        "+447624369230"
    );
    // The same digits without a region cannot be placed.
    assert!(!is_valid("(213) 373-4253", None));
}

#[test]
fn an_international_number_ignores_the_default_region() {
    assert_eq!(
        normalize("+33 6 12 90 25 54", Some("US")).unwrap(),
        "+33612902554"
    );
    assert_eq!(
        normalize("011 61 2 3456 7890", Some("US")).unwrap(),
        "+61234567890"
    );
}

#[test]
fn an_extension_is_dropped_because_an_sms_cannot_dial_it() {
    assert_eq!(
        normalize("+1 213 373 4253 ext. 12", None).unwrap(),
        "+12133734253"
    );
}

#[test]
fn an_unassigned_or_malformed_number_is_an_invalid_phone_error() {
    for (raw, region) in [
        ("+1 187 215 5230", Some("US")),
        ("+1-213-373", None),
        ("abcdefg", Some("US")),
        ("", Some("US")),
        ("+", None),
    ] {
        let err = normalize(raw, region).unwrap_err();
        assert_eq!(err.code(), Code::InvalidPhone, "{raw:?}");
        assert_eq!(err.code().as_str(), "INVALID_PHONE");
        assert_eq!(err.path(), "$.phone");
    }
    assert_eq!(
        normalize_at("1", Some("US"), "$.contact.phone")
            .unwrap_err()
            .path(),
        "$.contact.phone"
    );
}

#[test]
fn an_unknown_default_region_is_an_error_not_a_guess() {
    let err = normalize("0612902554", Some("XX")).unwrap_err();
    assert_eq!(err.code(), Code::InvalidPhone);
    assert!(err.to_string().contains("region"), "{err}");
}

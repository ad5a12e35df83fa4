//! Rekindle's phone reading (src/hygiene/phone.rs: libphonenumber's parse and type rules over
//! the plans it ships in src/hygiene/phone_plans.bin, matched without a regex engine) answers
//! exactly like `rlibphonenumber` over its full built-in metadata and the `regex` crate, on
//! every region's and every non-geographic entity's example number of every type, written four
//! ways, and on near misses of each (one digit more, one fewer, the last one changed); and on
//! inputs that exercise the parser's own rules (extensions, tel: URIs, vanity letters, other
//! scripts' digits, international prefixes). Native only: the reference is a native crate.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

use rekindle::hygiene::phone::{read, LineType};
use rlibphonenumber::enums::Region;
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, PhoneNumberType, PhoneNumberUtil, PHONE_NUMBER_UTIL};

const TYPES: [PhoneNumberType; 11] = [
    PhoneNumberType::FixedLine,
    PhoneNumberType::Mobile,
    PhoneNumberType::FixedLineOrMobile,
    PhoneNumberType::TollFree,
    PhoneNumberType::PremiumRate,
    PhoneNumberType::SharedCost,
    PhoneNumberType::VoIP,
    PhoneNumberType::PersonalNumber,
    PhoneNumberType::Pager,
    PhoneNumberType::UAN,
    PhoneNumberType::VoiceMail,
];

/// Every example number the full metadata has, with the region it belongs to (None: a
/// non-geographic entity such as +800).
fn examples(full: &PhoneNumberUtil) -> Vec<(PhoneNumber, Option<Region>)> {
    let mut out = Vec::new();
    for region in full.get_supported_regions() {
        for kind in TYPES {
            if let Ok(number) = full.get_example_number_for_type_and_region(region, kind) {
                out.push((number, Some(region)));
            }
        }
    }
    for code in full.get_supported_global_network_calling_codes() {
        if let Ok(number) = full.get_example_number_for_non_geo_entity(code) {
            out.push((number, None));
        }
    }
    out
}

/// What Rekindle asks of a number: does it parse, to what E.164 form, is it valid, of which
/// type; by the crate over its full metadata.
fn reference(text: &str, region: Option<Region>) -> Option<(String, bool, LineType)> {
    let util = &*PHONE_NUMBER_UTIL;
    let number = util.parse(text, region).ok()?;
    let e164 = util.format(&number, PhoneNumberFormat::E164).into_owned();
    Some((e164, util.is_valid_number(&number), line_type(util.get_number_type(&number))))
}

/// The same, by Rekindle.
fn rekindle(text: &str, region: Option<Region>) -> Option<(String, bool, LineType)> {
    let number = read(text, region.map(|r| r.to_string()).as_deref()).ok()?;
    Some((number.e164(), number.is_valid(), number.line_type()))
}

fn line_type(kind: PhoneNumberType) -> LineType {
    match kind {
        PhoneNumberType::FixedLine => LineType::FixedLine,
        PhoneNumberType::Mobile => LineType::Mobile,
        PhoneNumberType::FixedLineOrMobile => LineType::FixedLineOrMobile,
        PhoneNumberType::TollFree => LineType::TollFree,
        PhoneNumberType::PremiumRate => LineType::PremiumRate,
        PhoneNumberType::SharedCost => LineType::SharedCost,
        PhoneNumberType::VoIP => LineType::VoIP,
        PhoneNumberType::PersonalNumber => LineType::PersonalNumber,
        PhoneNumberType::Pager => LineType::Pager,
        PhoneNumberType::UAN => LineType::UAN,
        PhoneNumberType::VoiceMail => LineType::VoiceMail,
        PhoneNumberType::Unknown => LineType::Unknown,
    }
}

#[test]
fn every_region_with_a_plan_is_a_default_region_with_its_calling_code() {
    let full = &*PHONE_NUMBER_UTIL;
    let regions: Vec<Region> = full.get_supported_regions().collect();
    assert!(regions.len() > 240, "{}", regions.len());
    for region in regions {
        let code = full.get_country_code_for_region(region).unwrap();
        // A region's own calling code, then a number too short to be one: read in the region.
        let number = read("12", Some(&region.to_string()));
        assert_eq!(number.map(|n| n.country_code as i32).ok(), Some(code), "{region}");
    }
    assert!(read("12", Some("XX")).is_err());
    assert!(read("12", Some("001")).is_err());
}

#[test]
fn every_example_number_parses_validates_and_types_like_the_crate() {
    let full = &*PHONE_NUMBER_UTIL;
    let examples = examples(full);
    assert!(examples.len() > 1_000, "only {} example numbers", examples.len());
    let mut checked = 0;
    let mut valid = 0;
    for (number, region) in &examples {
        let e164 = full.format(number, PhoneNumberFormat::E164).into_owned();
        let national = full.format(number, PhoneNumberFormat::National).into_owned();
        let mut texts = vec![
            (e164.clone(), None),
            (full.format(number, PhoneNumberFormat::International).into_owned(), None),
            (full.format(number, PhoneNumberFormat::RFC3966).into_owned(), None),
        ];
        if region.is_some() {
            texts.push((national, *region));
        }
        // Near misses: a digit more, a digit fewer, the last digit changed.
        let last = e164.chars().last().unwrap();
        let changed = if last == '9' { '0' } else { char::from(last as u8 + 1) };
        texts.push((format!("{e164}5"), None));
        texts.push((e164[..e164.len() - 1].to_string(), None));
        texts.push((format!("{}{changed}", &e164[..e164.len() - 1]), None));
        for (text, region) in texts {
            let want = reference(&text, region);
            assert_eq!(rekindle(&text, region), want, "{text} in {region:?}");
            valid += usize::from(want.is_some_and(|(_, v, _)| v));
            checked += 1;
        }
    }
    // The example numbers are valid numbers, so most of what was checked is valid: the plans
    // were exercised on their patterns, not only on parse failures.
    assert!(valid * 2 > checked, "{valid} of {checked} valid");
}

#[test]
fn the_parsers_own_rules_agree_with_the_crate() {
    let cases: &[(&str, Option<&str>)] = &[
        ("+1 213 373 4253 ext. 12", None),
        ("+1 213 373 4253 x12", None),
        ("(213) 373-4253 #12", Some("US")),
        ("213-373-4253,,12", Some("US")),
        ("213 373 4253 extensión 7", Some("US")),
        ("(530) 583-6985 x302/x2303", Some("US")),
        ("tel:+1-213-373-4253;ext=123", None),
        ("tel:373-4253;phone-context=+1-213", None),
        ("tel:2133734253;phone-context=example.com", Some("US")),
        ("tel:2133734253;phone-context=exa mple", Some("US")),
        ("tel:+7x8005553535;ext=123", None),
        ("1-800-FLOWERS", Some("US")),
        ("0800 REKINDLE", Some("GB")),
        ("\u{FF0B}\u{FF14}\u{FF14} 20 7946 0000", None),
        ("\u{0660}\u{0665}\u{0660}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}", Some("EG")),
        ("011 61 2 3456 7890", Some("US")),
        ("00 33 6 12 90 25 54", Some("FR")),
        ("+011 44 20 7946 0000", Some("US")),
        ("0011 61 2 3456 7890", Some("AU")),
        ("1 213 373 4253", Some("US")),
        ("12133734253", Some("US")),
        ("4951234567890", Some("DE")),
        ("33612902554", Some("FR")),
        ("8 800 555 35 35", Some("RU")),
        ("0612902554", Some("FR")),
        ("06 12 90 25 54", Some("FR")),
        ("020 7946 0000", Some("GB")),
        ("7946 0000", Some("GB")),
        ("15 1234 5678", Some("AR")),
        ("011 15 2345 6789", Some("AR")),
        ("+54 9 11 2345 6789", None),
        ("(0) 30 1234567", Some("DE")),
        ("+39 06 1234 5678", None),
        ("+39 3123456789", None),
        ("+800 1234 5678", None),
        ("+882 1234 567890", None),
        ("+44 (0) 20 7946 0000", None),
        ("+1 (441) 292-1234", None),
        ("+1 787 123 4567", None),
        ("+7 701 123 4567", None),
        ("+262 269 61 12 34", None),
        ("+590 590 27 12 34", None),
        ("+47 79 12 34 56", None),
        ("+358 18 123456", None),
        ("+61 8 9162 1234", None),
        ("12", Some("US")),
        ("+12", None),
        ("+", None),
        ("++44 20 7946 0000", None),
        ("+0 123 456", None),
        ("abc", Some("US")),
        ("call me: 020 7946 0000.", Some("GB")),
        ("020-7946-0000 / x12", Some("GB")),
        ("\u{05D0} 020 7946 0000 \u{05D0}", Some("GB")),
        ("1234567890123456789", Some("US")),
        ("000", Some("IT")),
        ("0039 06 1234 5678", Some("IT")),
        ("010-852644821", Some("CN")),
        ("+86 10 8526 4482", None),
        ("961111111", Some("UZ")),
        ("0 800 555 35 35", Some("KZ")),
    ];
    for (text, region) in cases {
        let region = region.map(|r| r.parse::<Region>().unwrap());
        assert_eq!(rekindle(text, region), reference(text, region), "{text} in {region:?}");
    }
}

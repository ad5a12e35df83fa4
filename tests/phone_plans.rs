//! The numbering plans Rekindle ships (src/hygiene/phone_plans.bin: libphonenumber's metadata
//! less display formats and example numbers) answer exactly like the full metadata built into
//! `rlibphonenumber`, on every region's and every non-geographic entity's example number of
//! every type, written four ways, and on near misses of each (one digit more, one fewer, the
//! last one changed). Native only: the wasm build does not carry the crate's full copy.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

use rekindle::hygiene::phone::{plans_util, PLANS};
use rlibphonenumber::enums::Region;
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, PhoneNumberType, PhoneNumberUtil, PHONE_NUMBER_UTIL};
use std::collections::BTreeSet;

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

/// What Rekindle asks of a number: does it parse, to what, is it valid, of which type, and
/// its E.164 form.
fn answer(util: &PhoneNumberUtil, text: &str, region: Option<Region>) -> Option<(PhoneNumber, bool, PhoneNumberType, String)> {
    let number = util.parse(text, region).ok()?;
    let valid = util.is_valid_number(&number);
    let kind = util.get_number_type(&number);
    let e164 = util.format(&number, PhoneNumberFormat::E164).into_owned();
    Some((number, valid, kind, e164))
}

#[test]
fn the_shipped_plans_cover_the_same_regions_and_calling_codes_as_the_full_metadata() {
    let slim = plans_util(PLANS);
    let full = &*PHONE_NUMBER_UTIL;
    let regions = |u: &PhoneNumberUtil| u.get_supported_regions().map(|r| r.to_string()).collect::<BTreeSet<_>>();
    let codes = |u: &PhoneNumberUtil| u.get_supported_calling_codes().collect::<BTreeSet<_>>();
    assert!(regions(full).len() > 240, "{}", regions(full).len());
    assert_eq!(regions(&slim), regions(full));
    assert_eq!(codes(&slim), codes(full));
    for region in full.get_supported_regions() {
        assert_eq!(slim.get_country_code_for_region(region), full.get_country_code_for_region(region), "{region}");
    }
}

#[test]
fn the_shipped_plans_parse_validate_and_type_every_example_number_like_the_full_metadata() {
    let slim = plans_util(PLANS);
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
            let want = answer(full, &text, region);
            assert_eq!(answer(&slim, &text, region), want, "{text} in {region:?}");
            valid += usize::from(want.is_some_and(|(_, v, _, _)| v));
            checked += 1;
        }
    }
    // The example numbers are valid numbers, so most of what was checked is valid: the plans
    // were exercised on their patterns, not only on parse failures.
    assert!(valid * 2 > checked, "{valid} of {checked} valid");
}

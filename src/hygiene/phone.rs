//! Phone numbers in E.164 (`+14155550100`), the only form SMS providers take, checked
//! against libphonenumber's numbering-plan metadata (the `rlibphonenumber` crate, a Rust
//! port of Google's library; see Cargo.toml for why not the older `phonenumber` crate).
//!
//! A number typed without its country code is read in `default_region` (the shop's or the
//! shipping address's country). Validity means the number fits an allocated range of its
//! country's plan, not that it is a mobile or in service. An extension (`x123`) is dropped:
//! an SMS cannot dial it.

use crate::error::{Code, Error, Result};
use prost::Message;
use rlibphonenumber::enums::Region;
use rlibphonenumber::{PhoneMetadataCollection, PhoneNumber, PhoneNumberFormat, PhoneNumberType, PhoneNumberUtil};
use std::str::FromStr;
use std::sync::LazyLock;

/// libphonenumber's numbering plans (Apache-2.0: phone_plans.md beside this file) as the
/// `rlibphonenumber` crate ships them, less the display formats and example numbers Rekindle
/// never reads: `scripts/phone-plans.mjs` makes the file, and `tests/phone_plans.rs` proves it
/// answers like the crate's own copy. 129 KB instead of 229 KB in the server wasm.
pub const PLANS: &[u8] = include_bytes!("phone_plans.bin");

/// Built on first use: decoding the plans is the one cost of a first phone number.
static UTIL: LazyLock<PhoneNumberUtil> = LazyLock::new(|| plans_util(PLANS));

/// A phone utility over plans in libphonenumber's protobuf form. The bytes are compiled in and
/// tested, so a failure here is a broken build, not bad input.
pub fn plans_util(bytes: &[u8]) -> PhoneNumberUtil {
    let plans = PhoneMetadataCollection::decode(bytes).expect("src/hygiene/phone_plans.bin decodes");
    PhoneNumberUtil::new_for_metadata(plans).expect("every region in the plans is known")
}

/// The E.164 form of `raw`, or `INVALID_PHONE`. `default_region` is an ISO 3166-1 alpha-2
/// code ("US", "FR") used when `raw` has no `+` or international prefix. The number itself
/// is not in the error message: errors end up in logs, numbers are personal data.
pub fn normalize(raw: &str, default_region: Option<&str>) -> Result<String> {
    normalize_at(raw, default_region, "$.phone")
}

/// As [`normalize`], reporting `path` as the location of the bad field.
pub fn normalize_at(raw: &str, default_region: Option<&str>, path: &str) -> Result<String> {
    check(raw, default_region)
        .map(|number| e164(&number))
        .map_err(|reason| invalid(path, reason))
}

/// [`normalize`] and [`sms_capable`] at once, from one parse and one match against the plan:
/// a new number on a checkout needs both, and matching is most of their cost. A number is
/// valid exactly when its plan gives it a type (libphonenumber's `isValidNumber` is
/// `getNumberType(...) != UNKNOWN` for the number's own region), so the type says both.
pub fn normalize_for_sms(raw: &str, default_region: Option<&str>) -> Result<(String, Option<bool>)> {
    let number = parse(raw, default_region).map_err(|reason| invalid("$.phone", reason))?;
    let kind = UTIL.get_number_type(&number);
    if kind == PhoneNumberType::Unknown {
        return Err(invalid("$.phone", NOT_ALLOCATED.into()));
    }
    Ok((e164(&number), line_takes_sms(kind)))
}

fn invalid(path: &str, reason: String) -> Error {
    Error::new(
        Code::InvalidPhone,
        path,
        format!("not a valid phone number: {reason}"),
    )
}

fn e164(number: &PhoneNumber) -> String {
    UTIL.format(number, PhoneNumberFormat::E164).into_owned()
}

/// True if [`normalize`] would accept `raw`.
pub fn is_valid(raw: &str, default_region: Option<&str>) -> bool {
    check(raw, default_region).is_ok()
}

/// Whether a normalised (E.164) number can receive an SMS, as far as its numbering plan
/// says: `Some(false)` for the types the plan reserves for lines that are not handsets
/// (fixed lines, premium-rate, shared-cost, UAN, voicemail access), `Some(true)` for mobile
/// ranges and for plans that mix mobiles and fixed lines in the same ranges, `None` when the
/// plan cannot tell (toll-free, VoIP, personal, pager: each may or may not take texts) or the
/// number is not a valid one.
///
/// NANP numbers (+1) are `FixedLineOrMobile`, hence `Some(true)`: the US and Canadian plans
/// give out geographic numbers to landlines and mobiles alike and numbers port between them,
/// so the plan cannot exclude a landline, and refusing every US number would end US SMS.
/// Only a carrier lookup (the SMS provider's line-type API) or the delivery receipt knows.
pub fn sms_capable(e164: &str) -> Option<bool> {
    let number = UTIL.parse(e164.trim(), None).ok()?;
    line_takes_sms(UTIL.get_number_type(&number)) // an invalid number's type is Unknown: None
}

/// The line-type half of [`sms_capable`], for a number already found valid.
fn line_takes_sms(kind: PhoneNumberType) -> Option<bool> {
    match kind {
        PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile => Some(true),
        PhoneNumberType::FixedLine
        | PhoneNumberType::PremiumRate
        | PhoneNumberType::SharedCost
        | PhoneNumberType::UAN
        | PhoneNumberType::VoiceMail => Some(false),
        PhoneNumberType::TollFree
        | PhoneNumberType::VoIP
        | PhoneNumberType::PersonalNumber
        | PhoneNumberType::Pager
        | PhoneNumberType::Unknown => None,
    }
}

const NOT_ALLOCATED: &str = "not in any allocated range of its country's numbering plan";

fn check(raw: &str, default_region: Option<&str>) -> std::result::Result<PhoneNumber, String> {
    let number = parse(raw, default_region)?;
    if !UTIL.is_valid_number(&number) {
        return Err(NOT_ALLOCATED.into());
    }
    Ok(number)
}

/// Read, not yet validated.
fn parse(raw: &str, default_region: Option<&str>) -> std::result::Result<PhoneNumber, String> {
    let region = match default_region {
        None => None,
        Some(code) => {
            // Any two letters parse as a `Region`: ask the metadata whether it has a plan.
            let region = Region::from_str(&code.trim().to_ascii_uppercase()).ok();
            let known =
                region.filter(|r| UTIL.get_country_code_for_region(*r).is_some());
            Some(known.ok_or_else(|| format!("unknown default region {code:?}"))?)
        }
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty".into());
    }
    UTIL.parse(raw, region).map_err(|e| format!("unreadable ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uk_landline_cannot_take_an_sms_and_a_uk_mobile_can() {
        // London's 020 7946 0xxx is Ofcom's drama range for fixed lines, inside the fixed-line
        // plan; 07400 123456 is libphonenumber's own example of a UK mobile.
        assert_eq!(sms_capable("+442079460000"), Some(false));
        assert_eq!(sms_capable("+447400123456"), Some(true));
        // Ofcom's drama range for mobiles, 07700 900xxx, is left out of the mobile plan on
        // purpose (no operator holds it): not a valid number, so unknown.
        assert!(!is_valid("+447700900123", None));
        assert_eq!(sms_capable("+447700900123"), None);
        // ARCEP's range for fiction in the Paris region (01 99 00), a French mobile.
        assert_eq!(sms_capable("+33199001234"), Some(false));
        assert_eq!(sms_capable("+33612902554"), Some(true));
    }

    #[test]
    fn a_nanp_number_counts_as_sms_capable_because_the_plan_cannot_tell() {
        // Los Angeles and Toronto: FixedLineOrMobile, landlines and mobiles share ranges.
        assert_eq!(sms_capable("+12133734253"), Some(true));
        assert_eq!(sms_capable("+14165550123"), Some(true));
    }

    #[test]
    fn toll_free_invalid_and_unreadable_numbers_are_unknown() {
        // US toll-free numbers can be text-enabled, or not.
        assert_eq!(sms_capable("+18005550199"), None);
        assert_eq!(sms_capable("+11872155230"), None);
        assert_eq!(sms_capable("not a number"), None);
    }

    #[test]
    fn an_invalid_number_is_a_typed_error_without_the_number_in_it() {
        let err = normalize("+1 187 215 5230", Some("US")).unwrap_err();
        assert_eq!(err.code(), Code::InvalidPhone);
        assert_eq!(err.path(), "$.phone");
        assert!(!err.to_string().contains("187"), "{err}");
    }
}

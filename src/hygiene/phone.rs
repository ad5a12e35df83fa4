//! Phone numbers in E.164 (`+14155550100`), the only form SMS providers take, checked
//! against libphonenumber's numbering-plan metadata (`phone_plans.bin`: numbering plans change
//! monthly, hand-written rules would rot).
//!
//! A number typed without its country code is read in `default_region` (the shop's or the
//! shipping address's country). Validity means the number fits an allocated range of its
//! country's plan, not that it is a mobile or in service. An extension (`x123`) is dropped:
//! an SMS cannot dial it.
//!
//! The reading follows libphonenumber's `parse`, `getNumberType` and `isValidNumber` step by
//! step (as the `rlibphonenumber` crate 2.2.15 ports them), over the plans' own patterns,
//! with a matcher for their small regex language (`pattern`) instead of a regex engine and
//! the plans read straight from their protobuf bytes (`plans`): the crate, its regex engine
//! and its decoder were 97 KB of the server wasm's gzipped bytes (BENCHMARKS.md, issue 20).
//! tests/phone_plans.rs proves it answers like the crate on every example number of every
//! plan, written four ways, and near misses of each.

mod pattern;
mod plans;

use crate::error::{Code, Error, Result};
use pattern::Pattern;
use plans::{Desc, Plan, Plans};
use std::sync::LazyLock;

/// libphonenumber's numbering plans (Apache-2.0: phone_plans.md beside this file) as the
/// `rlibphonenumber` crate ships them, less the display formats and example numbers Rekindle
/// never reads: `scripts/phone-plans.mjs` makes the file.
pub const PLANS: &[u8] = include_bytes!("phone_plans.bin");

/// Read on first use: a walk over the bytes that copies no pattern (each is compiled when a
/// number of its country first needs it).
static READ_PLANS: LazyLock<Plans> = LazyLock::new(|| Plans::read(PLANS));

/// What a number's plan says it is (libphonenumber's `PhoneNumberType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineType {
    FixedLine,
    Mobile,
    /// The plan gives fixed lines and mobiles the same ranges (the US, Canada...).
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    VoIP,
    PersonalNumber,
    Pager,
    UAN,
    VoiceMail,
    /// Not in any range of its plan: not a valid number.
    Unknown,
}

/// A number as read: its calling code and national significant number (digits only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub country_code: u32,
    pub national: String,
}

impl Number {
    /// `+` calling code national number.
    pub fn e164(&self) -> String {
        format!("+{}{}", self.country_code, self.national)
    }

    /// The number's type by its plan; `Unknown` when no range of the plan holds it.
    pub fn line_type(&self) -> LineType {
        match region_plan(self.country_code, &self.national) {
            Some(plan) => line_type_in(&self.national, plan),
            None => LineType::Unknown,
        }
    }

    /// libphonenumber's `isValidNumber`: the number fits a range of its plan.
    pub fn is_valid(&self) -> bool {
        self.line_type() != LineType::Unknown
    }
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
        .map(|number| number.e164())
        .map_err(|reason| invalid(path, reason))
}

/// [`normalize`] and [`sms_capable`] at once, from one parse and one match against the plan:
/// a new number on a checkout needs both, and matching is most of their cost. A number is
/// valid exactly when its plan gives it a type (libphonenumber's `isValidNumber` is
/// `getNumberType(...) != UNKNOWN` for the number's own region), so the type says both.
pub fn normalize_for_sms(raw: &str, default_region: Option<&str>) -> Result<(String, Option<bool>)> {
    let number = read(raw, default_region).map_err(|reason| invalid("$.phone", reason))?;
    let kind = number.line_type();
    if kind == LineType::Unknown {
        return Err(invalid("$.phone", NOT_ALLOCATED.into()));
    }
    Ok((number.e164(), line_takes_sms(kind)))
}

fn invalid(path: &str, reason: String) -> Error {
    Error::new(
        Code::InvalidPhone,
        path,
        format!("not a valid phone number: {reason}"),
    )
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
    let number = read(e164.trim(), None).ok()?;
    line_takes_sms(number.line_type()) // an invalid number's type is Unknown: None
}

/// The line-type half of [`sms_capable`], for a number already found valid.
fn line_takes_sms(kind: LineType) -> Option<bool> {
    match kind {
        LineType::Mobile | LineType::FixedLineOrMobile => Some(true),
        LineType::FixedLine
        | LineType::PremiumRate
        | LineType::SharedCost
        | LineType::UAN
        | LineType::VoiceMail => Some(false),
        LineType::TollFree
        | LineType::VoIP
        | LineType::PersonalNumber
        | LineType::Pager
        | LineType::Unknown => None,
    }
}

const NOT_ALLOCATED: &str = "not in any allocated range of its country's numbering plan";

fn check(raw: &str, default_region: Option<&str>) -> std::result::Result<Number, String> {
    let number = read(raw, default_region)?;
    if !number.is_valid() {
        return Err(NOT_ALLOCATED.into());
    }
    Ok(number)
}

/// Reads `raw` as libphonenumber's `parse` does, not yet validated. `Err` says why, without
/// the number.
pub fn read(raw: &str, default_region: Option<&str>) -> std::result::Result<Number, String> {
    let plan = match default_region {
        None => None,
        Some(code) => {
            let plan = READ_PLANS.for_region(&code.trim().to_ascii_uppercase());
            Some(plan.ok_or_else(|| format!("unknown default region {code:?}"))?)
        }
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty".into());
    }
    parse(raw, plan).map_err(|e| format!("unreadable ({e})"))
}

/// The steps of libphonenumber's `parseHelper`, in its order.
fn parse(input: &str, default: Option<&Plan>) -> std::result::Result<Number, &'static str> {
    let text = number_text(input)?;
    if !is_viable(&text) {
        return Err("not a phone number");
    }
    if default.is_none() && !starts_with_plus(&text) {
        return Err("no country code and no default region");
    }
    let text = strip_extension(&text);
    let (mut country_code, mut national) = match country_code_and_rest(default, text) {
        Err(Failure::InvalidCountryCode) if starts_with_plus(text) => {
            // libphonenumber tries once more without the plus ("+011 44..." dialled from the US).
            let (code, rest) = country_code_and_rest(default, text.trim_start_matches(PLUS_CHARS))
                .map_err(Failure::text)?;
            if code == 0 {
                return Err(Failure::InvalidCountryCode.text());
            }
            (code, rest)
        }
        other => other.map_err(Failure::text)?,
    };
    let mut plan = default;
    if country_code != 0 {
        let main = READ_PLANS.for_code(country_code).next();
        if main.map(|p| p.id) != default.map(|p| p.id) {
            plan = main;
        }
    } else if let Some(default) = default {
        country_code = default.country_code;
    }
    if national.len() < MIN_LENGTH {
        return Err("too short");
    }
    if let Some(plan) = plan {
        let stripped = strip_national_prefix(plan, &national);
        // Keep the national prefix when what is left is too short to be a number of the
        // plan: the whole may be a short number.
        match length_check(&stripped, &plan.general) {
            Ok(Length::LocalOnly) | Err(Length::TooShort | Length::Invalid) => {}
            _ => national = stripped,
        }
    }
    if national.len() < MIN_LENGTH {
        return Err("too short");
    }
    if national.len() > MAX_LENGTH {
        return Err("too long");
    }
    if country_code == 0 {
        return Err("no country code");
    }
    Ok(Number { country_code, national })
}

const MIN_LENGTH: usize = 2;
const MAX_LENGTH: usize = 17;
const PLUS_CHARS: [char; 2] = ['+', '\u{FF0B}'];

fn starts_with_plus(text: &str) -> bool {
    text.starts_with(PLUS_CHARS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    InvalidCountryCode,
    TooShortAfterIdd,
}

impl Failure {
    fn text(self) -> &'static str {
        match self {
            Failure::InvalidCountryCode => "no known country code",
            Failure::TooShortAfterIdd => "too short after the international prefix",
        }
    }
}

/// libphonenumber's `BuildNationalNumberForParsing`: the number inside an RFC 3966 `tel:` URI,
/// else the text from its first digit or plus sign.
fn number_text(input: &str) -> std::result::Result<String, &'static str> {
    const PHONE_CONTEXT: &str = ";phone-context=";
    let mut text = match input.find(PHONE_CONTEXT) {
        Some(at) => {
            let rest = &input[at + PHONE_CONTEXT.len()..];
            let context = &rest[..rest.find(';').unwrap_or(rest.len())];
            if !is_phone_context(context) {
                return Err("an invalid phone-context");
            }
            let start = input.find("tel:").map_or(0, |t| t + "tel:".len());
            let mut text = String::new();
            if context.starts_with('+') {
                text.push_str(context);
            }
            text.push_str(input.get(start..at).ok_or("a malformed tel: URI")?);
            text
        }
        None => possible_number(input)?.to_string(),
    };
    if let Some(at) = text.find(";isub=") {
        text.truncate(at);
    }
    Ok(text)
}

/// RFC 3966's `global-number-digits` or `domainname`.
fn is_phone_context(context: &str) -> bool {
    let visual = |c: char| matches!(c, '-' | '.' | '(' | ')');
    if let Some(digits) = context.strip_prefix('+') {
        return digits.chars().all(|c| digit_value(c).is_some() || visual(c))
            && digits.chars().any(|c| digit_value(c).is_some());
    }
    let alnum = |c: char| c.is_ascii_alphabetic() || digit_value(c).is_some();
    let label = |l: &str| {
        l.chars().next().is_some_and(alnum)
            && l.chars().last().is_some_and(alnum)
            && l.chars().all(|c| alnum(c) || c == '-')
    };
    let name = context.strip_suffix('.').unwrap_or(context);
    let labels: Vec<&str> = name.split('.').collect();
    let top = labels[labels.len() - 1];
    labels.iter().all(|l| label(l)) && top.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// libphonenumber's `ExtractPossibleNumber`: from the first digit or plus sign, less trailing
/// punctuation and a second number ("... x302/x2303").
fn possible_number(input: &str) -> std::result::Result<&str, &'static str> {
    let start = input.find(|c: char| digit_value(c).is_some() || PLUS_CHARS.contains(&c)).ok_or("no digits")?;
    let text = input[start..].trim_end_matches(|c: char| c != '#' && !c.is_alphanumeric());
    if text.is_empty() {
        return Err("no digits");
    }
    // `(.*)[\\/] *x`: in the first line holding one, up to the last slash before an `x`.
    let mut line_start = 0;
    for line in text.split('\n') {
        let bytes = line.as_bytes();
        let cut = (0..bytes.len()).rev().find(|&i| {
            matches!(bytes[i], b'/' | b'\\') && {
                let after = line[i + 1..].trim_start_matches(' ');
                after.starts_with('x')
            }
        });
        if let Some(cut) = cut {
            return Ok(&text[line_start..line_start + cut]);
        }
        line_start += line.len() + 1;
    }
    Ok(text)
}

/// libphonenumber's punctuation inside a number, as a class body.
const PUNCTUATION: &str = "-x\u{2010}-\u{2015}\u{2212}\u{30FC}\u{FF0D}-\u{FF0F} \u{00A0}\u{00AD}\u{200B}\u{2060}\u{3000}()\u{FF08}\u{FF09}\u{FF3B}\u{FF3D}.\\[\\]/~\u{2053}\u{223C}";

/// Extensions as libphonenumber recognises them when parsing, lower-cased (it matches them
/// case-insensitively; [`lower`] folds the input instead).
fn extension_pattern() -> String {
    let digits = |n: u32| format!("(\\d{{1,{n}}})");
    let after_label = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,-]*";
    let explicit = "(?:e?xt(?:ensi(?:o\u{0301}?|\u{00F3}))?n?|(?:\u{FF45})?\u{FF58}\u{FF54}(?:\u{FF4E})?|\u{0434}\u{043E}\u{0431}|anexo)";
    let ambiguous = "(?:[x\u{FF58}#\u{FF03}~\u{FF5E}]|int|\u{FF49}\u{FF4E}\u{FF54})";
    [
        format!(";ext={}", digits(20)),
        format!("[ \u{00A0}\\t,]*{explicit}{after_label}{}#?", digits(20)),
        format!("[ \u{00A0}\\t,]*{ambiguous}{after_label}{}#?", digits(9)),
        format!("[- ]+{}#", digits(6)),
        format!("[ \u{00A0}\\t]*(?:,{{2}}|;){after_label}{}#?", digits(15)),
        format!("[ \u{00A0}\\t]*(?:,)+{after_label}{}#?", digits(9)),
    ]
    .join("|")
}

static EXTENSION: LazyLock<Pattern> =
    LazyLock::new(|| Pattern::new(&format!("(?:{})$", extension_pattern())).expect("the extension pattern compiles"));

/// libphonenumber's `VALID_PHONE_NUMBER` with an optional extension, lower-cased.
static VIABLE: LazyLock<Pattern> = LazyLock::new(|| {
    let number = format!(
        "[+\u{FF0B}]*(?:[{PUNCTUATION}*]*\\d){{3,}}[{PUNCTUATION}*a-z\\d]*|\\d{{2}}"
    );
    Pattern::new(&format!("^(?:{number})(?:{})?$", extension_pattern())).expect("the number pattern compiles")
});

/// Characters folded for a case-insensitive match, one for one.
fn lower(text: &str) -> Vec<char> {
    text.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// libphonenumber's `IsViablePhoneNumber`: three digits at least, among punctuation.
fn is_viable(text: &str) -> bool {
    text.len() >= MIN_LENGTH && (is_plain_number(text) || VIABLE.is_full_match(&lower(text)))
}

/// The common case of [`VIABLE`] without the matcher: plus signs, then three digits among
/// punctuation, then digits, punctuation or letters. True only where [`VIABLE`] is.
fn is_plain_number(text: &str) -> bool {
    let mut digits = 0;
    text.trim_start_matches(PLUS_CHARS).chars().all(|c| {
        let digit = digit_value(c).is_some();
        digits += usize::from(digit);
        digit || c == '*' || is_punctuation(c) || (digits >= 3 && c.is_ascii_alphabetic())
    }) && digits >= 3
}

/// A character of [`PUNCTUATION`] (whose `x` libphonenumber matches in either case).
fn is_punctuation(c: char) -> bool {
    matches!(c,
        '-' | 'x' | 'X' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}'..='\u{FF0F}' | ' ' | '\u{00A0}'
        | '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{3000}' | '(' | ')' | '\u{FF08}' | '\u{FF09}' | '\u{FF3B}'
        | '\u{FF3D}' | '.' | '[' | ']' | '/' | '~' | '\u{2053}' | '\u{223C}')
}

/// libphonenumber's `MaybeStripExtension`: the number without a trailing extension, if what is
/// left is a viable number.
fn strip_extension(text: &str) -> &str {
    // Every extension ends in a digit or `#`, and is marked by a letter, `#`, `~`, a comma,
    // a semicolon or a character outside ASCII: a number with none of them has none.
    let marker = |c: char| c.is_ascii_alphabetic() || matches!(c, '#' | '~' | ',' | ';') || !c.is_ascii();
    if !text.ends_with(|c: char| c == '#' || digit_value(c).is_some()) || !text.contains(marker) {
        return text;
    }
    let chars = lower(text);
    let Some(start) = (0..chars.len()).find(|&i| EXTENSION.is_full_match(&chars[i..])) else {
        return text;
    };
    let before = &text[..text.char_indices().nth(start).map_or(text.len(), |(at, _)| at)];
    if is_viable(before) {
        before
    } else {
        text
    }
}

/// libphonenumber's `Normalize`: digits to ASCII, punctuation dropped; letters to keypad
/// digits when there are three or more of them (a vanity number).
fn normalize_digits(text: &str) -> String {
    let letters = text.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters >= 3 && !text.contains('\n') {
        text.chars()
            .filter_map(|c| match c.to_ascii_uppercase() {
                c @ '0'..='9' => Some(c),
                c @ 'A'..='Z' => Some(char::from(b"22233344455566677778889999"[(c as u8 - b'A') as usize])),
                _ => None,
            })
            .collect()
    } else {
        text.chars().filter_map(|c| digit_value(c).map(|d| char::from(b'0' + d))).collect()
    }
}

/// libphonenumber's `MaybeExtractCountryCode`: the calling code (0: none in the number) and
/// the digits after it.
fn country_code_and_rest(default: Option<&Plan>, text: &str) -> std::result::Result<(u32, String), Failure> {
    let (digits, international) = if text.is_empty() {
        (String::new(), false)
    } else if starts_with_plus(text) {
        (normalize_digits(text.trim_start_matches(PLUS_CHARS)), true)
    } else {
        let digits = normalize_digits(text);
        let idd = default.and_then(|p| p.international_prefix.as_ref());
        match idd.and_then(|idd| idd.prefix().prefix(&chars(&digits))).map(|m| m.end) {
            // A calling code never starts with 0: then the prefix was not an IDD.
            Some(end) if !digits[end..].starts_with('0') => (digits[end..].to_string(), true),
            _ => (digits, false),
        }
    };
    if international {
        if digits.len() <= MIN_LENGTH {
            return Err(Failure::TooShortAfterIdd);
        }
        if digits.starts_with('0') {
            return Err(Failure::InvalidCountryCode);
        }
        for length in 1..=3.min(digits.len()) {
            let code: u32 = digits[..length].parse().unwrap_or(0);
            if READ_PLANS.for_code(code).next().is_some() {
                return Ok((code, digits[length..].to_string()));
            }
        }
        return Err(Failure::InvalidCountryCode);
    }
    if let Some(plan) = default {
        // The default region's own calling code written without a plus: strip it when the
        // number reads better without it.
        if let Some(rest) = digits.strip_prefix(&plan.country_code.to_string()) {
            let rest = strip_national_prefix(plan, rest);
            if (!matches_pattern(&digits, &plan.general) && matches_pattern(&rest, &plan.general))
                || length_check(&digits, &plan.general) == Err(Length::TooLong)
            {
                return Ok((plan.country_code, rest));
            }
        }
    }
    Ok((0, digits))
}

fn chars(digits: &str) -> Vec<char> {
    digits.chars().collect()
}

/// libphonenumber's `MaybeStripNationalPrefixAndCarrierCode`, less the carrier code Rekindle
/// never keeps: the number after its trunk prefix, rewritten by the plan's transform rule
/// where it has one; unchanged when stripping would make a matching number stop matching.
fn strip_national_prefix(plan: &Plan, number: &str) -> String {
    let Some(prefix) = plan.national_prefix_for_parsing.as_ref().filter(|_| !number.is_empty()) else {
        return number.to_string();
    };
    let digits = chars(number);
    let Some(found) = prefix.prefix().prefix(&digits) else {
        return number.to_string();
    };
    let group = |i: usize| found.group(i).map(|(from, to)| &number[from..to]);
    let (first, second) = (group(1), group(2));
    let rule = plan.national_prefix_transform_rule;
    let transform = first.is_some_and(|first| {
        !rule.is_empty() && (second.is_some_and(|s| !s.is_empty()) || (!first.is_empty() && second.is_none()))
    });
    let candidate = if transform {
        let mut out = String::new();
        let mut rule_chars = rule.chars().peekable();
        while let Some(c) = rule_chars.next() {
            match (c, rule_chars.peek().and_then(|d| d.to_digit(10))) {
                ('$', Some(i)) => {
                    rule_chars.next();
                    out.push_str(group(i as usize).unwrap_or(""));
                }
                _ => out.push(c),
            }
        }
        out.push_str(&number[found.end..]);
        out
    } else {
        number[found.end..].to_string()
    };
    if matches_pattern(number, &plan.general) && !matches_pattern(&candidate, &plan.general) {
        return number.to_string();
    }
    candidate
}

fn matches_pattern(number: &str, desc: &Desc) -> bool {
    matches_digits(&chars(number), desc)
}

fn matches_digits(digits: &[char], desc: &Desc) -> bool {
    desc.pattern.as_ref().is_some_and(|p| p.full().is_full_match(digits))
}

/// libphonenumber's `IsNumberMatchingDesc`: a possible length, then the pattern.
fn matches_desc(digits: &[char], desc: &Desc) -> bool {
    if !desc.lengths.is_empty() && !desc.lengths.contains(&(digits.len() as i32)) {
        return false;
    }
    matches_digits(digits, desc)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Possible,
    LocalOnly,
    TooShort,
    TooLong,
    Invalid,
}

/// libphonenumber's `TestNumberLength` for an unknown type: the plan's general lengths.
fn length_check(number: &str, general: &Desc) -> std::result::Result<Length, Length> {
    let mask = |lengths: &[i32]| lengths.iter().fold(0u64, |mask, &l| if l == -1 { 0 } else { mask | 1 << l });
    let possible = mask(&general.lengths);
    let local = mask(&general.local_only_lengths);
    if possible == 0 {
        return Err(Length::Invalid);
    }
    let length = number.len() as u32;
    if length >= 64 {
        return Err(Length::TooLong);
    }
    let bit = 1u64 << length;
    if local & bit != 0 {
        return Ok(Length::LocalOnly);
    }
    let (min, max) = (possible.trailing_zeros(), 63 - possible.leading_zeros());
    if length == min {
        Ok(Length::Possible)
    } else if length < min {
        Err(Length::TooShort)
    } else if length > max {
        Err(Length::TooLong)
    } else if possible & bit != 0 {
        Ok(Length::Possible)
    } else {
        Err(Length::Invalid)
    }
}

/// libphonenumber's `GetRegionCodeForNumber`: of the plans sharing a calling code, the first
/// whose leading digits or ranges hold the number.
fn region_plan(country_code: u32, national: &str) -> Option<&'static Plan> {
    let plans: &'static Plans = &READ_PLANS;
    let mut candidates = plans.for_code(country_code);
    let first = candidates.next()?;
    let mut rest = candidates.peekable();
    if rest.peek().is_none() {
        return Some(first);
    }
    let digits = chars(national);
    std::iter::once(first).chain(rest).find(|plan| {
        plan.leading_digits.as_ref().is_some_and(|l| l.prefix().prefix(&digits).is_some())
            || line_type_in(national, plan) != LineType::Unknown
    })
}

/// libphonenumber's `GetNumberTypeHelper`.
fn line_type_in(national: &str, plan: &Plan) -> LineType {
    let national = &chars(national)[..];
    if !matches_desc(national, &plan.general) {
        return LineType::Unknown;
    }
    let kinds = [
        (&plan.premium_rate, LineType::PremiumRate),
        (&plan.toll_free, LineType::TollFree),
        (&plan.shared_cost, LineType::SharedCost),
        (&plan.voip, LineType::VoIP),
        (&plan.personal_number, LineType::PersonalNumber),
        (&plan.pager, LineType::Pager),
        (&plan.uan, LineType::UAN),
        (&plan.voicemail, LineType::VoiceMail),
    ];
    if let Some((_, kind)) = kinds.iter().find(|(desc, _)| matches_desc(national, desc)) {
        return *kind;
    }
    let same = plan.same_mobile_and_fixed_line_pattern;
    if matches_desc(national, &plan.fixed_line) {
        if same || matches_desc(national, &plan.mobile) {
            return LineType::FixedLineOrMobile;
        }
        return LineType::FixedLine;
    }
    if !same && matches_desc(national, &plan.mobile) {
        return LineType::Mobile;
    }
    LineType::Unknown
}

/// The value of a Unicode decimal digit (general category Nd), as libphonenumber reads digits
/// in any script: every Nd block is ten code points from its zero.
fn digit_value(c: char) -> Option<u8> {
    const ZEROS: [u32; 66] = [
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
        0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
        0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0,
        0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
        0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
        0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
    ];
    let c = c as u32;
    if c < 0x80 {
        return (c as u8).is_ascii_digit().then(|| c as u8 - b'0');
    }
    let at = ZEROS.partition_point(|&zero| zero <= c).checked_sub(1)?;
    let value = c - ZEROS[at];
    (value < 10).then_some(value as u8)
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

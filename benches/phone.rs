//! The phone path alone, side by side in one run: Rekindle's reading of a new number
//! (`normalize_for_sms`: parse, E.164, line type; src/hygiene/phone.rs, no regex engine)
//! against `rlibphonenumber` with the full `regex` crate doing the same work (parse, type,
//! E.164 format), over the numbers the decisions benchmark gives its contacts and numbers of
//! other plans written nationally. Also the first number's cost in a fresh process (plans
//! read, patterns compiled): what a cold start pays for phone hygiene.
//!
//!   cargo bench --bench phone

use rlibphonenumber::enums::Region;
use rlibphonenumber::{PhoneNumberFormat, PhoneNumberType, PHONE_NUMBER_UTIL};
use std::str::FromStr;
use std::time::Instant;

fn numbers() -> Vec<(String, Option<&'static str>)> {
    // benches/shared/decisions.rs's contacts: one US number each, in E.164.
    let mut out: Vec<(String, Option<&str>)> =
        (0..2_000).map(|c| (format!("+1512{:03}{:04}", 200 + c % 800, c), None)).collect();
    // As shoppers type them, in their shop's country.
    for (text, region) in [
        ("(213) 373-4253", "US"),
        ("06 12 90 25 54", "FR"),
        ("07400 123456", "GB"),
        ("030 1234567", "DE"),
        ("98765 43210", "IN"),
        ("(11) 91234-5678", "BR"),
        ("0412 345 678", "AU"),
        ("090-1234-5678", "JP"),
    ] {
        for _ in 0..50 {
            out.push((text.to_string(), Some(region)));
        }
    }
    out
}

fn rekindle(numbers: &[(String, Option<&str>)]) -> usize {
    numbers
        .iter()
        .filter(|(text, region)| rekindle::hygiene::phone::normalize_for_sms(text, *region).is_ok_and(|(e164, _)| !e164.is_empty()))
        .count()
}

fn crate_path(numbers: &[(String, Option<&str>)]) -> usize {
    let util = &*PHONE_NUMBER_UTIL;
    numbers
        .iter()
        .filter(|(text, region)| {
            let region = region.and_then(|r| Region::from_str(r).ok());
            let Ok(number) = util.parse(text, region) else { return false };
            util.get_number_type(&number) != PhoneNumberType::Unknown
                && !util.format(&number, PhoneNumberFormat::E164).is_empty()
        })
        .count()
}

/// Nanoseconds per number, median of 7 rounds.
fn per_number(numbers: &[(String, Option<&str>)], run: fn(&[(String, Option<&str>)]) -> usize) -> (f64, usize) {
    let mut rounds = Vec::new();
    let mut valid = 0;
    for _ in 0..7 {
        let started = Instant::now();
        valid = std::hint::black_box(run(numbers));
        rounds.push(started.elapsed().as_secs_f64() * 1e9 / numbers.len() as f64);
    }
    rounds.sort_by(f64::total_cmp);
    (rounds[3], valid)
}

fn main() {
    let numbers = numbers();
    // First use in this process: each side reads its plans and compiles what the number needs.
    let first = &numbers[..1];
    let started = Instant::now();
    rekindle(first);
    let rekindle_first = started.elapsed();
    let started = Instant::now();
    crate_path(first);
    let crate_first = started.elapsed();

    let (ours, ours_valid) = per_number(&numbers, rekindle);
    let (theirs, theirs_valid) = per_number(&numbers, crate_path);
    assert_eq!(ours_valid, theirs_valid, "both must find the same numbers valid");
    println!("phone numbers read (parse, type, E.164): {} ({ours_valid} valid)", numbers.len());
    println!("rekindle (no regex engine):    {ours:.0} ns per number; first number {:.1} µs", rekindle_first.as_secs_f64() * 1e6);
    println!("rlibphonenumber (regex crate): {theirs:.0} ns per number; first number {:.1} µs", crate_first.as_secs_f64() * 1e6);
    println!("ratio (rekindle / rlibphonenumber): {:.2}", ours / theirs);
}

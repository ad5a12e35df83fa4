//! The two locale backends agree: ICU4X (native) and the runtime's `Intl` (wasm; here Node's,
//! which the server shims run on) write the same sample amounts, numbers and plural categories.
//! Both read CLDR; a disagreement means a CLDR version gap worth knowing about.

#![cfg(all(not(target_arch = "wasm32"), feature = "server"))]

use rekindle::locale;
use std::process::Command;

const MONEY: [(&str, i64, &str); 9] = [
    ("en-US", 123450, "USD"),
    ("en-GB", 99, "GBP"),
    ("fr-FR", 123450, "EUR"),
    ("fr-CA", 1999, "CAD"),
    ("de-DE", 123450, "EUR"),
    ("de-CH", 123450, "CHF"),
    ("es-ES", 123450, "EUR"),
    ("es-MX", 50000, "MXN"),
    ("ja-JP", 2400, "JPY"),
];
const NUMBERS: [(&str, i64); 5] = [("en", 12345), ("fr", 12345), ("de", 12345), ("es", 12345), ("es", 1234)];
const PLURALS: [&str; 4] = ["en", "fr", "de", "es"];
const COUNTS: [i64; 6] = [0, 1, 2, 5, 21, 1000000];

/// What Node's Intl answers for the same samples, one line each.
fn intl() -> Vec<String> {
    let script = format!(
        "const money = {money}; const numbers = {numbers}; const plurals = {plurals}; const counts = {counts};
         const digits = (c) => new Intl.NumberFormat('en', {{ style: 'currency', currency: c }}).resolvedOptions().maximumFractionDigits;
         for (const [l, m, c] of money) console.log(new Intl.NumberFormat(l, {{ style: 'currency', currency: c }}).format(m / 10 ** digits(c)));
         for (const [l, n] of numbers) console.log(new Intl.NumberFormat(l, {{ maximumFractionDigits: 0 }}).format(n));
         for (const l of plurals) for (const n of counts) console.log(new Intl.PluralRules(l).select(n));",
        money = serde_json::to_string(&MONEY).unwrap(),
        numbers = serde_json::to_string(&NUMBERS).unwrap(),
        plurals = serde_json::to_string(&PLURALS).unwrap(),
        counts = serde_json::to_string(&COUNTS).unwrap(),
    );
    let out = Command::new("node").args(["-e", &script]).output().expect("node is installed (scripts/setup.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn icu4x_and_intl_write_the_same_money_numbers_and_plurals() {
    let mut ours = Vec::new();
    for (l, minor, currency) in MONEY {
        ours.push(locale::money(l, minor, currency));
    }
    for (l, n) in NUMBERS {
        ours.push(locale::number(l, n));
    }
    for l in PLURALS {
        for n in COUNTS {
            ours.push(locale::plural(l, n).as_str().to_string());
        }
    }
    let theirs = intl();
    assert_eq!(ours.len(), theirs.len());
    let differ: Vec<String> =
        ours.iter().zip(&theirs).filter(|(a, b)| a != b).map(|(a, b)| format!("ICU4X {a:?} vs Intl {b:?}")).collect();
    assert!(differ.is_empty(), "{differ:#?}");
}

#[test]
fn samples_read_as_each_locale_writes_them() {
    assert_eq!(locale::money("en-US", 123450, "USD"), "$1,234.50");
    assert_eq!(locale::money("de-DE", 123450, "EUR"), "1.234,50\u{a0}€");
    assert_eq!(locale::money("ja-JP", 2400, "JPY"), "￥2,400");
    assert_eq!(locale::plural("fr", 0), locale::Plural::One, "French: zero is singular");
    assert_eq!(locale::plural("en", 0), locale::Plural::Other);
}

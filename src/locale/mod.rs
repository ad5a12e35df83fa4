//! Money, whole numbers and plural categories as the shopper's locale writes them. Natively
//! from ICU4X's compiled CLDR data; under wasm from the runtime's own `Intl` (every browser,
//! workerd, Deno and Node ships CLDR already), so the server wasm carries no locale tables.
//! Both read CLDR: `tests/locale_agreement.rs` checks them against the same sample values.

#[cfg(target_arch = "wasm32")]
mod intl;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
use intl as backend;
#[cfg(not(target_arch = "wasm32"))]
use native as backend;

use crate::common::money::minor_digits;

/// A CLDR plural category (what `Intl.PluralRules.select` answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Plural {
    pub fn as_str(self) -> &'static str {
        match self {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<Plural> {
        Some(match name {
            "zero" => Plural::Zero,
            "one" => Plural::One,
            "two" => Plural::Two,
            "few" => Plural::Few,
            "many" => Plural::Many,
            "other" => Plural::Other,
            _ => return None,
        })
    }
}

/// `minor` units of `currency` as `locale` writes money ("$1,234.50", "1 234,50 €").
/// An unknown locale falls back to English, an unknown currency to "12.50 XYZ".
pub fn money(locale: &str, minor: i64, currency: &str) -> String {
    backend::money(locale, minor, currency, minor_digits(currency))
        .unwrap_or_else(|| crate::common::money::Money::new(minor, currency).display())
}

/// A whole number with the locale's grouping ("12,345", "12 345", "12.345").
pub fn number(locale: &str, n: i64) -> String {
    backend::number(locale, n).unwrap_or_else(|| n.to_string())
}

/// The plural category of a whole number in `locale` ("one" for 1 in English and 0 or 1 in French).
pub fn plural(locale: &str, n: i64) -> Plural {
    backend::plural(locale, n).unwrap_or(if n == 1 { Plural::One } else { Plural::Other })
}

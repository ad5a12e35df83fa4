//! Money in minor units (cents) with its ISO 4217 currency: no floats anywhere near prices.

use crate::common::reader::Object;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    /// The server's reader (`common::reader`).
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<Money> {
        let o = o.only(&["minor", "currency"])?;
        Ok(Money { minor: o.required_whole("minor")?, currency: o.required_text("currency")? })
    }

    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Money {
            minor,
            currency: currency.into(),
        }
    }

    /// "$84.00"-style text for messages. Two decimals covers USD/EUR/GBP/CAD/AUD; zero-decimal
    /// currencies (JPY, KRW) are printed without a fraction.
    /// A negative amount (a refund) reads "-$0.50".
    pub fn display(&self) -> String {
        let symbol = match self.currency.as_str() {
            "USD" | "CAD" | "AUD" | "NZD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            _ => "",
        };
        let mut out = String::with_capacity(16);
        if self.minor < 0 {
            out.push('-');
        }
        out.push_str(symbol);
        let units = self.minor.unsigned_abs();
        let mut digits = itoa::Buffer::new(); // prices are shown on every send: no `write!`
        if minor_digits(&self.currency) == 0 {
            out.push_str(digits.format(units));
        } else {
            out.push_str(digits.format(units / 100));
            out.push('.');
            let cents = (units % 100) as u8;
            out.push((b'0' + cents / 10) as char);
            out.push((b'0' + cents % 10) as char);
        }
        if symbol.is_empty() {
            out.push(' ');
            out.push_str(&self.currency);
        }
        out
    }
}

/// Digits of `currency`'s minor unit (ISO 4217): two for USD/EUR/GBP/CAD/AUD, none for the
/// zero-decimal currencies (JPY, KRW, VND, CLP, ISK).
pub fn minor_digits(currency: &str) -> u32 {
    if matches!(currency, "JPY" | "KRW" | "VND" | "CLP" | "ISK") {
        0
    } else {
        2
    }
}

/// A price as a storefront shows it: a number (Web Pixel `MoneyV2.amount`, 18.5) or the page's
/// text ("18.00", "$1,299.50", "1.299,50 €").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ShownPrice {
    Amount(f64),
    Text(String),
}

/// Hand-written: `#[serde(untagged)]` would buffer every input, which costs the storefront
/// wasm far more bytes than this visitor.
impl<'de> Deserialize<'de> for ShownPrice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shown;
        impl serde::de::Visitor<'_> for Shown {
            type Value = ShownPrice;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a price: a number, or the text the page shows")
            }
            fn visit_f64<E>(self, amount: f64) -> Result<ShownPrice, E> {
                Ok(ShownPrice::Amount(amount))
            }
            fn visit_u64<E>(self, amount: u64) -> Result<ShownPrice, E> {
                Ok(ShownPrice::Amount(amount as f64))
            }
            fn visit_i64<E>(self, amount: i64) -> Result<ShownPrice, E> {
                Ok(ShownPrice::Amount(amount as f64))
            }
            fn visit_str<E>(self, text: &str) -> Result<ShownPrice, E> {
                Ok(ShownPrice::Text(text.to_string()))
            }
        }
        deserializer.deserialize_any(Shown)
    }
}

/// Prices as a page shows them, read beside the reader's other kinds (here, so the reader
/// need not import money).
impl<'a> Object<'a> {
    /// A price as the page shows it: a number, or its text.
    pub(crate) fn price(&self, key: &str) -> crate::Result<Option<ShownPrice>> {
        use serde_json::Value;
        self.read(key, "a price: a number, or the text the page shows", |v| match v {
            Value::Number(n) => n.as_f64().map(ShownPrice::Amount),
            Value::String(text) => Some(ShownPrice::Text(text.clone())),
            _ => None,
        })
    }
}

impl ShownPrice {
    /// In `currency`'s minor units; `None` when the text holds no number.
    pub fn to_minor(&self, currency: &str) -> Option<i64> {
        match self {
            ShownPrice::Amount(amount) if amount.is_finite() => {
                let scale = 10f64.powi(minor_digits(currency) as i32);
                Some((amount * scale).round() as i64)
            }
            ShownPrice::Amount(_) => None,
            ShownPrice::Text(text) => parse_shown_minor(text, minor_digits(currency)),
        }
    }
}

/// The shown amount in minor units of `digits` decimals. The last '.' or ',' followed by one
/// or two digits is the decimal mark; any other is a thousands separator ("1,299" is 1299,
/// "12,50" is 12.5). Read in integers, rounded half away from zero as `f64::round` does: a
/// decimal-to-float parser was ~5 KB of the storefront wasm (BENCHMARKS.md, issue 20).
fn parse_shown_minor(text: &str, digits: u32) -> Option<i64> {
    let number: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    let decimal_mark = number
        .rfind(['.', ','])
        .filter(|&at| (1..=2).contains(&(number.len() - at - 1)));
    let (whole, fraction) = match decimal_mark {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (&number[..], ""),
    };
    let whole: String = whole.chars().filter(|c| !matches!(c, '.' | ',')).collect();
    let (negative, whole) = match whole.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, whole.as_str()),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut fraction = fraction.bytes();
    let mut minor: i64 = 0;
    for digit in whole.bytes().chain((0..digits).map(|_| fraction.next().unwrap_or(b'0'))) {
        minor = minor.saturating_mul(10).saturating_add(i64::from(digit - b'0'));
    }
    // The first digit past the minor unit rounds (the mark allows at most two).
    if fraction.next().is_some_and(|digit| digit >= b'5') {
        minor = minor.saturating_add(1);
    }
    Some(if negative { -minor } else { minor })
}

/// A cost that may not be known yet: shipping and tax are often unknown until checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "state", content = "minor")]
pub enum Known {
    #[default]
    Unknown,
    Known(i64),
}

impl Known {
    /// `{"state": "unknown"}` or `{"state": "known", "minor": 500}`, as serde's adjacent tag
    /// reads them.
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<Known> {
        let o = o.only(&["state", "minor"])?;
        let known = o.required_one_of("state", &[("unknown", false), ("known", true)])?;
        match (known, o.whole("minor")?) {
            (true, minor) => Ok(Known::Known(o.require("minor", minor)?)),
            (false, None) => Ok(Known::Unknown),
            (false, Some(_)) => Err(crate::common::reader::invalid(&o.path_of("minor"), "no amount for an unknown cost")),
        }
    }

    pub fn is_unknown(&self) -> bool {
        *self == Known::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor(shown: &str, currency: &str) -> Option<i64> {
        ShownPrice::Text(shown.into()).to_minor(currency)
    }

    #[test]
    fn amounts_read_as_a_shopper_reads_them() {
        let shown = |minor, currency| Money::new(minor, currency).display();
        assert_eq!(shown(8400, "USD"), "$84.00");
        assert_eq!(shown(1805, "EUR"), "€18.05");
        assert_eq!(shown(1200, "JPY"), "¥1200");
        assert_eq!(shown(999, "CHF"), "9.99 CHF");
        assert_eq!(shown(-50, "USD"), "-$0.50", "a refund keeps its sign below one unit");
        assert_eq!(shown(-1250, "GBP"), "-£12.50");
    }

    #[test]
    fn shown_prices_read_as_minor_units_whatever_the_page_format() {
        assert_eq!(minor("18.00", "USD"), Some(1800));
        assert_eq!(minor("$1,299.50", "USD"), Some(129950));
        assert_eq!(minor("1.299,50 €", "EUR"), Some(129950));
        assert_eq!(minor("12,5", "EUR"), Some(1250));
        assert_eq!(minor("1,299", "USD"), Some(129900));
        assert_eq!(minor("¥1,200", "JPY"), Some(1200));
        assert_eq!(minor("free", "USD"), None);
        assert_eq!(minor("-$0.50", "USD"), Some(-50));
        assert_eq!(minor(".5", "USD"), Some(50));
        assert_eq!(minor("12-50", "USD"), None);
        assert_eq!(minor("-", "USD"), None);
        assert_eq!(minor("¥1,299.5", "JPY"), Some(1300), "half away from zero, as f64::round");
        assert_eq!(minor("-1.5", "JPY"), Some(-2));
        assert_eq!(minor("1.49", "JPY"), Some(1));
        assert_eq!(ShownPrice::Amount(18.5).to_minor("USD"), Some(1850));
        assert_eq!(ShownPrice::Amount(0.1 + 0.2).to_minor("USD"), Some(30));
    }

    /// The reading before integers: the normalised text parsed as an `f64`, scaled and rounded.
    #[cfg(not(target_arch = "wasm32"))]
    fn read_as_float(text: &str, currency: &str) -> Option<i64> {
        let number: String = text.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-')).collect();
        let mark = number.rfind(['.', ',']).filter(|&at| (1..=2).contains(&(number.len() - at - 1)));
        let normalised: String = number
            .char_indices()
            .filter_map(|(at, c)| match c {
                '.' | ',' if Some(at) == mark => Some('.'),
                '.' | ',' => None,
                c => Some(c),
            })
            .collect();
        let amount: f64 = normalised.parse().ok()?;
        Some((amount * 10f64.powi(minor_digits(currency) as i32)).round() as i64)
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Shown text, price-like or not, with amounts well inside an f64's exact range, reads
        /// as the float reading read it.
        #[test]
        fn integer_reading_agrees_with_the_float_reading(
            text in "[-0-9.,$€ a]{0,12}|[-$ ]{0,2}[0-9]{0,4}([.,][0-9]{0,3}){0,2}[ a€-]{0,2}",
            zero_decimals: bool,
        ) {
            let currency = if zero_decimals { "JPY" } else { "USD" };
            proptest::prop_assert_eq!(minor(&text, currency), read_as_float(&text, currency), "{:?}", text);
        }
    }
}

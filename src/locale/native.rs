//! ICU4X with its compiled CLDR data: the native backend (tests, the `rekindle` command).

use super::Plural;
use fixed_decimal::Decimal;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_locale_core::preferences::extensions::unicode::keywords::CurrencyType;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

fn parse(locale: &str) -> Option<Locale> {
    locale.parse().ok()
}

pub fn money(locale: &str, minor: i64, currency: &str, digits: u32) -> Option<String> {
    let code = CurrencyType::try_from_str(&currency.to_ascii_lowercase()).ok()?;
    let formatter = CurrencyFormatter::try_new_symbol(parse(locale)?.into(), code, Default::default()).ok()?;
    let mut value = Decimal::from(minor);
    value.multiply_pow10(-(digits as i16));
    let text = formatter.format_fixed_decimal(&value).to_string();
    Some(text)
}

pub fn number(locale: &str, n: i64) -> Option<String> {
    let formatter = DecimalFormatter::try_new(parse(locale)?.into(), Default::default()).ok()?;
    Some(formatter.format(&Decimal::from(n)).to_string())
}

pub fn plural(locale: &str, n: i64) -> Option<Plural> {
    let rules = PluralRules::try_new_cardinal(parse(locale)?.into()).ok()?;
    Some(match rules.category_for(n) {
        PluralCategory::Zero => Plural::Zero,
        PluralCategory::One => Plural::One,
        PluralCategory::Two => Plural::Two,
        PluralCategory::Few => Plural::Few,
        PluralCategory::Many => Plural::Many,
        PluralCategory::Other => Plural::Other,
    })
}

//! ICU4X with its compiled CLDR data: the native backend (tests, the `rekindle` command, a
//! native service). Formatters are kept per locale (and currency), as the wasm backend keeps
//! its `Intl` ones: building one costs far more than using it (an email formats a dozen
//! amounts; BENCHMARKS.md, issue 20).

use super::Plural;
use fixed_decimal::Decimal;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_locale_core::preferences::extensions::unicode::keywords::CurrencyType;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};
use std::cell::RefCell;

/// Locales come from shoppers: past this many kept formatters of one kind, the cache starts
/// again rather than grow without bound.
const KEPT: usize = 64;

/// Built formatters (or the knowledge that none can be built) by locale and currency.
struct Kept<T>(Vec<(String, String, Option<T>)>);

impl<T> Kept<T> {
    fn apply<R>(&mut self, locale: &str, currency: &str, build: impl FnOnce() -> Option<T>, then: impl FnOnce(&T) -> R) -> Option<R> {
        let at = match self.0.iter().position(|(l, c, _)| l == locale && c == currency) {
            Some(at) => at,
            None => {
                if self.0.len() >= KEPT {
                    self.0.clear();
                }
                self.0.push((locale.to_string(), currency.to_string(), build()));
                self.0.len() - 1
            }
        };
        self.0[at].2.as_ref().map(then)
    }
}

thread_local! {
    static MONEY: RefCell<Kept<CurrencyFormatter<DecimalFormatter>>> = const { RefCell::new(Kept(Vec::new())) };
    static NUMBERS: RefCell<Kept<DecimalFormatter>> = const { RefCell::new(Kept(Vec::new())) };
    static PLURALS: RefCell<Kept<PluralRules>> = const { RefCell::new(Kept(Vec::new())) };
}

fn parse(locale: &str) -> Option<Locale> {
    locale.parse().ok()
}

pub fn money(locale: &str, minor: i64, currency: &str, digits: u32) -> Option<String> {
    let build = || {
        let code = CurrencyType::try_from_str(&currency.to_ascii_lowercase()).ok()?;
        CurrencyFormatter::try_new_symbol(parse(locale)?.into(), code, Default::default()).ok()
    };
    let mut value = Decimal::from(minor);
    value.multiply_pow10(-(digits as i16));
    MONEY.with(|kept| kept.borrow_mut().apply(locale, currency, build, |f| f.format_fixed_decimal(&value).to_string()))
}

pub fn number(locale: &str, n: i64) -> Option<String> {
    let build = || DecimalFormatter::try_new(parse(locale)?.into(), Default::default()).ok();
    NUMBERS.with(|kept| kept.borrow_mut().apply(locale, "", build, |f| f.format(&Decimal::from(n)).to_string()))
}

pub fn plural(locale: &str, n: i64) -> Option<Plural> {
    let build = || PluralRules::try_new_cardinal(parse(locale)?.into()).ok();
    PLURALS.with(|kept| {
        kept.borrow_mut().apply(locale, "", build, |rules| match rules.category_for(n) {
            PluralCategory::Zero => Plural::Zero,
            PluralCategory::One => Plural::One,
            PluralCategory::Two => Plural::Two,
            PluralCategory::Few => Plural::Few,
            PluralCategory::Many => Plural::Many,
            PluralCategory::Other => Plural::Other,
        })
    })
}

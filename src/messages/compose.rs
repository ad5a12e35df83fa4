//! One message from the pack (or the merchant's override): the key for the angle, the
//! language for the shopper, the values from the cart, the offer, the brand and the facts.

use super::brand::{Brand, Facts, Overrides, Voice};
use super::context::Value;
use super::pack::{self, pack};
use super::template::{self, Mode, Scope, Template};
use crate::common::cart::Cart;
use crate::common::channel::Channel;
use crate::common::money::Known;
use crate::compliance::sms_segments;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the offer changes in a message: the totals and the code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferTerms {
    pub percent_off: u8,
    pub free_shipping: bool,
    pub code: Option<String>,
}

pub struct Links<'a> {
    pub recovery: &'a str,
    pub unsubscribe: &'a str,
    pub preferences: &'a str,
    /// The SMS link: a compact token on the merchant's own domain (js-shim/server/links.js).
    pub short: &'a str,
}

pub struct Compose<'a> {
    pub channel: Channel,
    pub key: &'a str,
    /// The shopper's locale as the platform reported it ("fr-CA", "de_DE").
    pub shopper_locale: Option<&'a str>,
    pub store_name: Option<&'a str>,
    pub brand: &'a Brand,
    pub facts: &'a Facts,
    pub overrides: &'a Overrides,
    pub first_name: Option<&'a str>,
    pub cart: &'a Cart,
    pub offer: Option<&'a OfferTerms>,
    pub links: Links<'a>,
    /// The first SMS of a thread says how to opt out (CTIA).
    pub opt_out: bool,
}

/// A rendered email: what SendGrid and Postmark send as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    pub key: String,
    pub locale: String,
    pub subject: String,
    pub preheader: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub key: String,
    pub locale: String,
    pub email: Option<Email>,
    pub sms: Option<String>,
    /// What the totals say, for the audit's offer check.
    pub totals: Totals,
}

/// The SMS link's token: 16 base64url characters of an HMAC of the action id
/// (`SHORT_TOKEN_CHARS` in js-shim/server/links.js), on the merchant's own domain, never a
/// public shortener (carriers filter them).
pub const SHORT_TOKEN_CHARS: usize = 16;

/// A brand colour that keeps white text at 4.5:1 (WCAG AA), used when the brand sets none.
pub const DEFAULT_COLOR: &str = "#1d6b57";

/// The fact (or brand setting) a key's claim rests on, if it is missing: such a key is not
/// used, and the message falls back to the plain reminder.
pub fn missing_fact(key: &str, facts: &Facts, brand: &Brand, cart: &Cart) -> Option<&'static str> {
    match key {
        "freeShipping" if facts.free_shipping_threshold_minor.is_none() => Some("facts.freeShippingThresholdMinor"),
        "freeShipping" if cart.shop_currency.as_deref().is_some_and(|c| c != cart.currency) => {
            Some("facts.freeShippingThresholdMinor in the shopper's currency")
        }
        "guestCheckout" if !facts.guest_checkout => Some("facts.guestCheckout"),
        "trust" if brand.support_email.is_none() => Some("brand.supportEmail"),
        "returnPolicy" if facts.return_window_days.is_none() => Some("facts.returnWindowDays"),
        "deliveryEstimate" if facts.delivery_days.is_none() && cart.delivery_estimate.is_none() => {
            Some("facts.deliveryDays")
        }
        "urgency" if facts.cart_held_hours.is_none() => Some("facts.cartHeldHours"),
        _ => None,
    }
}

/// The totals a message shows, worked out once so the table and the copy cannot disagree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    /// None: the platform had not priced shipping yet (and no offer made it free).
    pub shipping: Option<i64>,
    pub tax: Option<i64>,
    pub total: Option<i64>,
}

pub fn totals(cart: &Cart, offer: Option<&OfferTerms>) -> Totals {
    let subtotal = cart.subtotal().minor;
    let percent = offer.map_or(0, |o| o.percent_off.min(100)) as i64;
    let discount = subtotal * percent / 100;
    let shipping = match (offer.is_some_and(|o| o.free_shipping), cart.shipping) {
        (true, _) => Some(0),
        (false, Known::Known(minor)) => Some(minor),
        (false, Known::Unknown) => None,
    };
    let tax = match cart.tax {
        Known::Known(minor) => Some(minor),
        Known::Unknown => None,
    };
    let total = match (shipping, tax) {
        (Some(s), Some(t)) => Some(subtotal - discount + s + t),
        _ => None,
    };
    Totals { subtotal, discount, shipping, tax, total }
}

pub fn compose(c: &Compose<'_>) -> Rendered {
    let chain = pack::language_chain(c.shopper_locale, c.brand.default_locale.as_deref());
    let pack = pack();
    let pack_locale = chain.iter().find(|t| pack.locales.contains_key(*t)).cloned().unwrap_or_else(|| "en".into());
    // Numbers in the shopper's own regional form when it is the pack's language ("fr-CA").
    let format_locale = c
        .shopper_locale
        .map(|t| t.trim().replace('_', "-"))
        .filter(|t| t.split('-').next().is_some_and(|l| l.eq_ignore_ascii_case(&pack_locale)))
        .unwrap_or_else(|| pack_locale.clone());
    let overrides = parsed_overrides(c.overrides, c.key, &chain, &pack_locale);
    let locale = &pack.locales[&pack_locale];
    // The brand's voice picks `<part>Formal` or `<part>Friendly` where the language has one:
    // vous / Sie / usted against tu / du / tú, and English's tone; else the part itself.
    let voice = match c.brand.voice {
        Voice::Formal => "Formal",
        Voice::Friendly => "Friendly",
    };
    let part = |name: &str| -> Option<&Template> {
        if let Some(t) = overrides.get(name) {
            return Some(t);
        }
        let copy = locale.keys.get(c.key);
        // `<part><Voice>` spelled on the stack: this runs for every `{{> part}}` of every send.
        let mut buffer = [0u8; 48];
        let voiced = match buffer.get_mut(..name.len() + voice.len()) {
            Some(spelled) => {
                spelled[..name.len()].copy_from_slice(name.as_bytes());
                spelled[name.len()..].copy_from_slice(voice.as_bytes());
                std::str::from_utf8(spelled).unwrap_or(name)
            }
            None => name, // no part's name is this long: the plain part is the only candidate
        };
        copy.and_then(|k| k.get(voiced))
            .or_else(|| locale.ui.get(voiced))
            .or_else(|| copy.and_then(|k| k.get(name)))
            .or_else(|| locale.ui.get(name))
    };
    let totals = totals(c.cart, c.offer);
    let values = values(c, &totals);
    let render = |template: &Template, mode: Mode| {
        template::render(template, &Scope { values: &values, partials: &part, locale: &format_locale, mode })
    };
    let plain = |name: &str| part(name).map(|t| render(t, Mode::Text)).unwrap_or_default();
    let (email, sms) = match c.channel {
        Channel::Email => {
            let html = render(overrides.get("html").unwrap_or(&pack.html), Mode::Html);
            let text = render(overrides.get("text").unwrap_or(&pack.text), Mode::Text);
            let email = Email {
                key: c.key.to_string(),
                locale: pack_locale.clone(),
                subject: one_line(&plain("subject")),
                preheader: one_line(&plain("preheader")),
                html,
                text,
            };
            (Some(email), None)
        }
        // Every accent GSM-7 carries stays, the others lose their mark (and Intl's no-break
        // spaces become plain ones): one character outside GSM-7 makes the SMS UCS-2.
        Channel::Sms => (None, Some(sms_segments::fit_gsm7(&render(&pack.sms, Mode::Text)))),
    };
    Rendered { key: c.key.to_string(), locale: pack_locale, email, sms, totals }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The merchant's parts for this key, the most specific language first.
fn parsed_overrides(overrides: &Overrides, key: &str, chain: &[String], pack_locale: &str) -> BTreeMap<String, Template> {
    let mut out = BTreeMap::new();
    let Some(by_locale) = overrides.get(key) else { return out };
    for tag in chain.iter().take_while(|t| *t != pack_locale).chain(std::iter::once(&pack_locale.to_string())) {
        for (part, source) in by_locale.get(tag.as_str()).into_iter().flatten() {
            if !out.contains_key(part) {
                // Validated when the policy loaded (audit::check_overrides); a failure here is impossible.
                if let Ok(t) = template::parse(source) {
                    out.insert(part.clone(), t);
                }
            }
        }
    }
    out
}

fn values(c: &Compose<'_>, totals: &Totals) -> Value {
    let currency = &c.cart.currency;
    let money = |minor: i64| Value::Money { minor, currency: currency.clone() };
    let opt_text = |s: Option<&str>| Value::text(s.map(str::trim).unwrap_or(""));
    let items = c
        .cart
        .items
        .iter()
        .map(|item| {
            Value::map([
                ("title", Value::text(item.title.trim())),
                ("variant", opt_text(item.variant.as_deref())),
                ("quantity", Value::Int(item.quantity as i64)),
                ("price", money(item.unit_price)),
                ("lineTotal", money(item.unit_price.saturating_mul(item.quantity as i64))),
                ("imageUrl", Value::text(item.image_url.as_deref().filter(|u| u.starts_with("https://")).unwrap_or(""))),
            ])
        })
        .collect();
    let mut v = Value::map([
        ("lang", Value::text(c.shopper_locale.unwrap_or("en"))),
        ("storeName", opt_text(c.store_name)),
        ("firstName", opt_text(c.first_name)),
        ("logoUrl", opt_text(c.brand.logo_url.as_deref())),
        ("brandColor", Value::text(c.brand.color.as_deref().unwrap_or(DEFAULT_COLOR))),
        ("postalAddress", opt_text(c.brand.postal_address.as_deref())),
        ("supportEmail", opt_text(c.brand.support_email.as_deref())),
        ("items", Value::List(items)),
        ("itemCount", Value::Int(c.cart.item_count() as i64)),
        ("subtotal", money(totals.subtotal)),
        ("shippingShown", Value::Bool(totals.shipping.is_some())),
        ("shippingFree", Value::Bool(totals.shipping == Some(0))),
        ("recoveryUrl", Value::text(c.links.recovery)),
        ("unsubscribeUrl", Value::text(c.links.unsubscribe)),
        ("preferencesUrl", Value::text(c.links.preferences)),
        ("shortUrl", Value::text(c.links.short)),
        ("optOut", Value::Bool(c.opt_out)),
        ("deliveryEstimate", opt_text(c.cart.delivery_estimate.as_deref())),
    ]);
    let lang = v.get("lang").map(|l| l.display("en")).unwrap_or_default();
    v.set("lang", Value::text(lang.replace('_', "-")));
    if totals.discount > 0 {
        v.set("discount", money(-totals.discount));
    }
    if let Some(s) = totals.shipping {
        v.set("shipping", money(s));
    }
    if let Some(t) = totals.tax {
        v.set("tax", money(t));
    }
    if let Some(t) = totals.total {
        v.set("total", money(t));
    }
    if let Some(offer) = c.offer {
        v.set("offerPercent", Value::Int(offer.percent_off as i64));
        v.set("code", Value::text(offer.code.clone().unwrap_or_default()));
    }
    let f = c.facts;
    if let Some(days) = f.return_window_days {
        v.set("returnDays", Value::Int(days as i64));
    }
    if let Some(minor) = f.free_shipping_threshold_minor {
        v.set("freeShippingThreshold", money(minor));
    }
    if let Some(d) = f.delivery_days {
        v.set("deliveryMin", Value::Int(d.min as i64));
        v.set("deliveryMax", Value::Int(d.max as i64));
    }
    if let Some(h) = f.cart_held_hours {
        v.set("heldHours", Value::Int(h as i64));
    }
    // Only the gift's own message names it (a layout shared by every key reads `giftUrl`).
    if let (Some(gift), true) = (&f.gift, c.key == "offer.gift") {
        v.set("giftTitle", Value::text(gift.title.trim()));
        if let Some(url) = &gift.url {
            v.set("giftUrl", Value::text(url.as_str()));
        }
    }
    v
}

/// Every variable a template may read, and the fact or setting it stands for (None: always
/// there). An override that reads a fact the merchant has not stated is a claim without its fact.
pub const VARIABLES: [(&str, Option<&str>); 31] = [
    ("lang", None),
    ("storeName", None),
    ("firstName", None),
    ("logoUrl", None),
    ("brandColor", None),
    ("postalAddress", Some("brand.postalAddress")),
    ("supportEmail", Some("brand.supportEmail")),
    ("items", None),
    ("itemCount", None),
    ("subtotal", None),
    ("discount", None),
    ("shipping", None),
    ("shippingShown", None),
    ("shippingFree", None),
    ("tax", None),
    ("total", None),
    ("offerPercent", None),
    ("code", None),
    ("returnDays", Some("facts.returnWindowDays")),
    ("freeShippingThreshold", Some("facts.freeShippingThresholdMinor")),
    ("deliveryMin", Some("facts.deliveryDays")),
    ("deliveryMax", Some("facts.deliveryDays")),
    ("deliveryEstimate", None),
    ("heldHours", Some("facts.cartHeldHours")),
    ("giftTitle", Some("facts.gift")),
    ("giftUrl", Some("facts.gift.url")),
    ("recoveryUrl", None),
    ("unsubscribeUrl", None),
    ("preferencesUrl", None),
    ("shortUrl", None),
    ("optOut", None),
];

/// Fields of each entry of `items`.
pub const ITEM_FIELDS: [&str; 6] = ["title", "variant", "quantity", "price", "lineTotal", "imageUrl"];

//! Provider payloads → engine events (docs/architecture.md, principle 1: normalisation is a decision, so
//! it lives here, not in the shim). One file per provider. Each takes the raw body text, so
//! Shopify's 64-bit ids are read exactly (JavaScript's `JSON.parse` would round them).
//!
//! The output says *where* events go without naming anyone: contact ids and index keys are
//! salted hashes, never addresses (a key is `kind:hash`). The shim resolves `lookup` keys in
//! its store, in order; the first hit is the contact, else `contactId`; if neither, the
//! events belong to nobody we know and are dropped (reported, not an error).

pub mod beacon;
pub mod postmark;
pub mod sendgrid;
pub mod shopify;
pub mod twilio;

use crate::common::ids::sha256_hex;
use crate::error::{Code, Error, Result};
use crate::model::event::Event;
use serde::Serialize;

/// Events for one contact, and how to find that contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Routed {
    /// Index keys to resolve first, most specific first.
    pub lookup: Vec<String>,
    /// The contact to use when no lookup key resolves (None: unknown contacts are dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Keys that should lead to this contact from now on (first claim wins).
    pub links: Vec<String>,
    pub events: Vec<Event>,
}

/// Everything one inbound request asks of the runtime.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingested {
    pub routed: Vec<Routed>,
    /// Shopify `customers/data_request`: export what these keys lead to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_request: Option<DataRequest>,
    /// Shopify `shop/redact`: the merchant uninstalled; erase everything for the shop.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub erase_shop: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataRequest {
    pub request_id: String,
    pub lookup: Vec<String>,
}

/// The kinds of identity an index key can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A platform customer id (Shopify's, as exact decimal text).
    Customer,
    /// A normalised email address.
    Email,
    /// An E.164 phone number.
    Phone,
    /// A cart or checkout token.
    Token,
    /// The storefront's anonymous id.
    Anonymous,
    /// A platform order id: how a refund, which names only its order, finds the contact.
    Order,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Customer => "customer",
            KeyKind::Email => "email",
            KeyKind::Phone => "phone",
            KeyKind::Token => "token",
            KeyKind::Anonymous => "anon",
            KeyKind::Order => "order",
        }
    }
}

/// Identities are hashed with the merchant's salt, so a store dump names nobody and ids
/// cannot be recomputed from a guessed address without the salt.
fn digest(salt: &str, kind: KeyKind, value: &str) -> String {
    sha256_hex(&format!("{salt}\u{1f}{}\u{1f}{value}", kind.as_str()))
}

/// An index key: `kind:hash`.
pub fn key(salt: &str, kind: KeyKind, value: &str) -> String {
    format!("{}:{}", kind.as_str(), &digest(salt, kind, value)[..32])
}

/// A pseudonymous contact id derived from one identity.
pub fn contact_id(salt: &str, kind: KeyKind, value: &str) -> String {
    format!("c_{}", &digest(salt, kind, value)[..24])
}

/// The address as contact hygiene normalises it, lowercased whole for use as an identity key
/// (every major mailbox provider treats the local part case-insensitively).
pub fn normalise_email(raw: &str) -> Option<String> {
    crate::hygiene::email::normalize(raw).ok().map(|email| email.to_lowercase())
}

/// E.164, or None for anything libphonenumber does not call valid ("555-555-SHIP").
pub fn normalise_phone(raw: &str, default_region: Option<&str>) -> Option<String> {
    let country = default_region.and_then(|r| r.get(..2));
    crate::hygiene::phone::normalize(raw, country).ok()
}

/// Decimal text ("199.00") to minor units for `currency`, exactly: no floats near money.
pub fn minor_units(amount: &str, currency: &str, path: &str) -> Result<i64> {
    let exponent: u32 = match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "JOD" | "OMR" | "TND" => 3,
        _ => 2,
    };
    let bad = || {
        Error::new(
            Code::InvalidField,
            path,
            format!("{amount:?} is not a {currency} amount"),
        )
    };
    let (whole, fraction) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return Err(bad());
    }
    // Extra fraction digits must be zeros ("19.990" is fine in USD, "19.995" is not).
    let (kept, dropped) = fraction.split_at(fraction.len().min(exponent as usize));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(bad());
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let kept_value: i64 = if kept.is_empty() {
        0
    } else {
        kept.parse().map_err(|_| bad())?
    };
    let kept_scale = 10i64.pow(exponent - kept.len() as u32);
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(kept_value * kept_scale))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_exact_minor_units() {
        assert_eq!(minor_units("199.00", "USD", "$").unwrap(), 19900);
        assert_eq!(minor_units("19.9", "USD", "$").unwrap(), 1990);
        assert_eq!(minor_units("7", "USD", "$").unwrap(), 700);
        assert_eq!(minor_units("1500", "JPY", "$").unwrap(), 1500);
        assert_eq!(minor_units("1.250", "KWD", "$").unwrap(), 1250);
        assert_eq!(minor_units("19.990", "USD", "$").unwrap(), 1999);
        for bad in ["19.995", "-1.00", "1e3", "", ".5", "12,00"] {
            assert!(minor_units(bad, "USD", "$.x").is_err(), "{bad}");
        }
    }

    #[test]
    fn identities_hash_with_the_merchants_salt() {
        let a = contact_id("s1", KeyKind::Email, "ada@example.com");
        assert_ne!(a, contact_id("s2", KeyKind::Email, "ada@example.com"));
        assert_ne!(a, contact_id("s1", KeyKind::Customer, "ada@example.com"));
        assert!(!key("s1", KeyKind::Email, "ada@example.com").contains("ada"));
    }

    #[test]
    fn addresses_normalise_or_are_refused() {
        assert_eq!(
            normalise_email(" Ada@Example.COM ").as_deref(),
            Some("ada@example.com")
        );
        assert_eq!(normalise_email("not an address"), None);
        assert_eq!(
            normalise_phone("(512) 555-0100", Some("US")).as_deref(),
            Some("+15125550100")
        );
        assert_eq!(normalise_phone("555-555-SHIP", Some("US")), None);
    }
}

//! Provider payloads → engine events (docs/architecture.md, principle 1: normalisation is a decision, so
//! it lives here, not in the shim). One file per provider. Each takes the raw body text, so
//! Shopify's 64-bit ids are read exactly (JavaScript's `JSON.parse` would round them).
//!
//! The output says *where* events go without naming anyone: contact ids and index keys are
//! salted hashes, never addresses (a key is `kind:hash`). The shim resolves `lookup` keys in
//! its store, in order; the first hit is the contact, else `contactId`; if neither, the
//! events belong to nobody we know and are dropped (reported, not an error).
//!
//! A provider's event that lacks Rekindle's own correlation (a callback URL set on a Twilio
//! Messaging Service, mail whose custom args or metadata were stripped) is matched by the
//! provider's message id instead, in two steps: without `sent`, the ingest lists the ids it
//! needs in `wanted`; the shim finds them in its ledger (the ids its sends were given) and
//! ingests again with `sent`, where an id it did not find is a message we do not know.

pub mod beacon;
pub mod postmark;
pub mod sendgrid;
pub mod shopify;
pub mod twilio;

use crate::common::ids::sha256_hex;
use crate::error::{Code, Error, Result};
use crate::model::event::Event;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Provider message ids to find in the ledger before these events can be routed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wanted: Vec<ProviderMessage>,
}

/// A message as its provider names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderMessage {
    /// The transport's name: "twilio", "sendgrid", "postmark".
    pub provider: &'static str,
    /// The id the provider gave the send (Twilio's SID, SendGrid's X-Message-Id, Postmark's
    /// MessageID).
    pub id: String,
}

/// One of our sends, as the ledger found it by its provider message id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sent {
    pub contact_id: String,
    pub action_id: String,
}

/// What the ledger found, by provider message id (`None`: not looked up yet).
pub type SentMessages = BTreeMap<String, Sent>;

/// The runtime's JSON of what the ledger found, `{ <id>: { contactId, actionId } }`, read from
/// its tree by `common::reader` rather than a derived deserializer (issue 20: each derive
/// compiles its own copy of serde_json's reading code into the server wasm).
pub fn read_sent_messages(text: &str) -> Result<SentMessages> {
    crate::common::reader::from_text(text, |found| {
        let found = found.missing_at_container();
        found
            .fields()
            .map(|id| {
                let sent = found.required_object(id)?.only(&["contactId", "actionId"])?;
                Ok((id.to_string(), Sent { contact_id: sent.required_text("contactId")?, action_id: sent.required_text("actionId")? }))
            })
            .collect()
    })
}

/// Where an event about a provider message goes when Rekindle's own correlation is missing.
pub(crate) enum ByMessage<'a> {
    /// Not looked up yet: the id is now in `wanted`.
    Wanted,
    /// The ledger's send with that provider id.
    Found(&'a Sent),
    /// Looked up and not found: a message we do not know.
    Unknown,
}

pub(crate) fn by_message<'a>(
    provider: &'static str,
    id: &str,
    sent: Option<&'a SentMessages>,
    wanted: &mut Vec<ProviderMessage>,
) -> ByMessage<'a> {
    match sent {
        None => {
            if !wanted.iter().any(|w| w.id == id) {
                wanted.push(ProviderMessage { provider, id: id.to_string() });
            }
            ByMessage::Wanted
        }
        Some(found) => found.get(id).map_or(ByMessage::Unknown, ByMessage::Found),
    }
}

impl Routed {
    /// Events for one known contact.
    pub(crate) fn to_contact(contact_id: &str, events: Vec<Event>) -> Routed {
        Routed { lookup: vec![], contact_id: Some(contact_id.to_string()), links: vec![], events }
    }

    /// Events about a message nobody here sent: counted as unmatched, applied to no one.
    pub(crate) fn unmatched(events: Vec<Event>) -> Routed {
        Routed { lookup: vec![], contact_id: None, links: vec![], events }
    }
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
    /// The order's name as the shop shows it to the shopper and support ("#1001"), without "#".
    OrderName,
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
            KeyKind::OrderName => "ordername",
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

/// The index key an operator's search finds a contact by (the console, issue 19): the same
/// salted hash ingest linked the contact under, so no address is ever listed or stored in
/// clear. `what`: "email", "phone" (E.164, or national with `region`), "order" (the platform's
/// order id), "orderName" (the name the shopper was told, "#1001") or "checkout".
pub fn lookup_key(what: &str, value: &str, salt: &str, region: Option<&str>) -> Result<String> {
    let value = value.trim();
    let (kind, normalised) = match what {
        "email" => (KeyKind::Email, normalise_email(value).ok_or_else(|| Error::new(Code::InvalidEmail, "$.email", "not an email address"))?),
        "phone" => (KeyKind::Phone, normalise_phone(value, region).ok_or_else(|| Error::new(Code::InvalidPhone, "$.phone", "not a valid phone number"))?),
        "order" => (KeyKind::Order, value.trim_start_matches('#').to_string()),
        "orderName" => (KeyKind::OrderName, order_name(value)),
        "checkout" => (KeyKind::Token, value.to_string()),
        other => return Err(Error::new(Code::InvalidField, "$.by", format!("cannot look a shopper up by {other:?} (email, phone, order, orderName, checkout)"))),
    };
    if normalised.is_empty() {
        return Err(Error::new(Code::InvalidField, format!("$.{what}"), "must not be empty"));
    }
    Ok(key(salt, kind, &normalised))
}

/// An order's name as support types it: "#1001", "1001" and " #1001 " are one order; case too
/// (a shop's prefix or suffix, "EU-1001-b", is kept but not case-sensitive).
pub fn order_name(value: &str) -> String {
    value.trim().trim_start_matches('#').trim().to_lowercase()
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

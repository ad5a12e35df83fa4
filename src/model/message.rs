//! The message a send carries: Rekindle's own rendered content (email subject, preheader,
//! HTML and text, or the SMS body) from the template pack, audited before it may go, and the
//! personalisation data for merchants who render in their provider's templates instead
//! (SendGrid dynamic templates, Postmark, Klaviyo flows: the same variable names).

use super::offer::Offer;
use crate::common::cart::Cart;
use crate::common::channel::Channel;
use crate::common::money::{Known, Money};
use crate::compliance::sms_segments::{self, Segments};
use crate::messages::{self, audit, Email};
use crate::policy::{Angle, IncentiveKind, Policy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub template: String,
    pub variant: String,
    pub angle: Angle,
    pub data: Personalisation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<SmsBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<EmailHeaders>,
    /// The rendered email: SendGrid and Postmark send it as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// The pack's key and language this message was written from ("offer.percentOff", "fr").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Personalisation {
    /// The shopper's locale as the pack's `lang` (`fr-CA`), "en" when unknown.
    #[serde(default)]
    pub lang: String,
    /// HTML-escaped for email; plain for SMS.
    #[serde(default)]
    pub store_name: String,
    /// HTML-escaped for email; plain for SMS.
    pub first_name: String,
    pub items: Vec<ItemLine>,
    /// Units in the cart (the pack's `itemCount`, which its plurals count).
    #[serde(default)]
    pub item_count: u32,
    pub subtotal: String,
    /// The offer's percentage off the subtotal, negative as the pack shows it ("-€4.80").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<String>,
    /// Shipping and tax as text, or absent when the platform had not computed them yet.
    /// Shipping is what the shopper pays: "0" under a free-shipping offer, as the pack shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<String>,
    /// `shipping` is there (the pack prints the line only then).
    #[serde(default)]
    pub shipping_shown: bool,
    /// Shipping is free (a free-shipping offer, or the platform priced it at 0).
    #[serde(default)]
    pub shipping_free: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    /// Subtotal less the discount plus shipping and tax, when shipping and tax are known (or
    /// the offer made shipping free), as the pack's totals show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// The offer's percentage (`offer.percent_off` of the pack), when it takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_percent: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_estimate: Option<String>,
    /// The journey's one offer (made by this message, or repeated from an earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive: Option<Offer>,
    pub recovery_url: String,
    pub unsubscribe_url: String,
    pub preferences_url: String,
    /// The SMS link: `<base>/s/<actionId>`, which the shim turns into a compact signed token.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_url: String,
    /// The offer's discount code, when there is an offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A gift offer's gift (`facts.gift`): its name, and the page that adds it to the cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemLine {
    pub title: String,
    pub quantity: u32,
    pub price: String,
    /// Price × quantity (the pack's `lineTotal`).
    #[serde(default)]
    pub line_total: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsBody {
    pub text: String,
    #[serde(flatten)]
    pub segments: Segments,
}

/// RFC 8058 one-click unsubscribe, required by Gmail and Yahoo for bulk senders since 2024.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailHeaders {
    #[serde(rename = "List-Unsubscribe")]
    pub list_unsubscribe: String,
    #[serde(rename = "List-Unsubscribe-Post")]
    pub list_unsubscribe_post: String,
}

/// What the server shim appends to every link it signs: '.' and 16 base64url characters
/// (`SIGNATURE_CHARS` in js-shim/server/links.js), all single GSM-7 septets.
pub const LINK_SIGNATURE_CHARS: usize = 17;

pub use crate::messages::compose::SHORT_TOKEN_CHARS;

pub struct Render<'a> {
    pub policy: &'a Policy,
    pub action_id: &'a str,
    pub channel: Channel,
    pub template: &'a str,
    pub variant: &'a str,
    pub angle: Angle,
    pub first_name: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub cart: &'a Cart,
    pub incentive: Option<&'a Offer>,
    /// No SMS of this journey has gone out yet: this one says how to opt out.
    pub first_sms: bool,
}

/// The message, or why it may not go (the audit's findings), and any note on the copy chosen.
pub struct Outcome {
    pub message: Result<Message, String>,
    pub note: Option<String>,
    /// Why Rekindle's own rendered email was withheld: the message then carries only the data,
    /// for a provider template the merchant mapped (whose content is theirs), or fails as
    /// `noContent` at the transport, never silently.
    pub withheld: Option<String>,
}

/// The pack's key for an angle, or for the offer when there is one.
pub fn key_for(angle: Angle, offer: Option<&Offer>) -> &'static str {
    if let Some(offer) = offer {
        return match offer.kind {
            IncentiveKind::FreeShipping => "offer.freeShipping",
            IncentiveKind::PercentOff => "offer.percentOff",
            IncentiveKind::Loyalty => "offer.loyalty",
            IncentiveKind::ExpeditedShipping => "offer.expeditedShipping",
            IncentiveKind::Gift => "offer.gift",
        };
    }
    match angle {
        Angle::Reminder | Angle::ByReason => "reminder",
        Angle::Value => "value",
        Angle::FreeShipping => "freeShipping",
        Angle::GuestCheckout => "guestCheckout",
        Angle::Trust => "trust",
        Angle::ReturnPolicy => "returnPolicy",
        Angle::DeliveryEstimate => "deliveryEstimate",
        Angle::Urgency => "urgency",
    }
}

pub fn render(r: Render<'_>) -> Outcome {
    let policy = r.policy;
    let base = policy.public_base_url.trim_end_matches('/');
    let recovery_url = concat(&[base, "/r/", r.action_id]);
    let unsubscribe_url = concat(&[base, "/u/", r.action_id]);
    let preferences_url = concat(&[base, "/p/", r.action_id]);
    let short_url = concat(&[base, "/s/", r.action_id]);
    let esc = |s: &str| {
        if r.channel == Channel::Email {
            escape_html(s)
        } else {
            s.to_string()
        }
    };
    let terms = r.incentive.map(|o| messages::OfferTerms {
        percent_off: match o.kind {
            IncentiveKind::PercentOff | IncentiveKind::Loyalty => o.percent,
            _ => 0,
        },
        free_shipping: matches!(o.kind, IncentiveKind::FreeShipping | IncentiveKind::ExpeditedShipping),
        code: Some(o.code()),
    });
    // A claim needs its fact: an angle whose fact the merchant has not stated falls back to
    // the plain reminder, said in the explanation.
    let mut key = key_for(r.angle, r.incentive);
    let mut note = None;
    if let Some(fact) = messages::compose::missing_fact(key, &policy.facts, &policy.brand, r.cart) {
        note = Some(format!("{key} copy needs {fact}: the reminder is sent instead"));
        key = "reminder";
    }
    let sms_link = concat(&[base, "/s/", &"x".repeat(SHORT_TOKEN_CHARS)]);
    let rendered = messages::compose(&messages::Compose {
        channel: r.channel,
        key,
        shopper_locale: r.locale,
        store_name: policy.store_name.as_deref(),
        brand: &policy.brand,
        facts: &policy.facts,
        overrides: &policy.templates,
        first_name: r.first_name,
        cart: r.cart,
        offer: terms.as_ref(),
        links: messages::Links {
            recovery: &recovery_url,
            unsubscribe: &unsubscribe_url,
            preferences: &preferences_url,
            short: &short_url,
        },
        opt_out: r.first_sms,
    });
    let headers = (r.channel == Channel::Email).then(|| EmailHeaders {
        list_unsubscribe: concat(&["<", &unsubscribe_url, ">"]),
        list_unsubscribe_post: "List-Unsubscribe=One-Click".into(),
    });
    let findings = audit::check_rendered(
        &rendered,
        &audit::Context {
            store_name: policy.store_name.as_deref(),
            brand: &policy.brand,
            facts: &policy.facts,
            segment_limit: policy.sms_segment_limit,
            opt_out_required: r.first_sms,
            sms_link_len: sms_link.len(),
            link_placeholder_len: short_url.len(),
            has_list_unsubscribe: headers.is_some() || r.channel == Channel::Sms,
            offer: terms.as_ref(),
            unsubscribe_url: &unsubscribe_url,
            preferences_url: &preferences_url,
        },
    );
    let mut withheld = None;
    let mut email = rendered.email;
    if !findings.is_empty() {
        if r.channel == Channel::Sms {
            return Outcome { message: Err(audit::summary(&findings)), note, withheld };
        }
        withheld = Some(audit::summary(&findings));
        email = None;
    }
    let sms = rendered.sms.as_ref().map(|text| {
        let sent = text.replace(&short_url, &sms_link);
        SmsBody { text: text.clone(), segments: sms_segments::count(&sent) }
    });
    let money = |minor: i64| Money::new(minor, r.cart.currency.clone()).display();
    let totals = &rendered.totals;
    let gift = policy.facts.gift.as_ref().filter(|_| r.incentive.is_some_and(|o| o.kind == IncentiveKind::Gift));
    let data = Personalisation {
        lang: r.locale.unwrap_or("en").replace('_', "-"),
        store_name: esc(policy.store_name.as_deref().unwrap_or("")),
        first_name: esc(r.first_name.unwrap_or("")),
        items: r
            .cart
            .items
            .iter()
            .map(|item| ItemLine {
                title: esc(&item.title),
                quantity: item.quantity,
                price: money(item.unit_price),
                line_total: money(item.unit_price.saturating_mul(item.quantity as i64)),
                variant: item.variant.as_deref().map(esc),
                image_url: item.image_url.as_deref().filter(|u| u.starts_with("https://")).map(esc),
            })
            .collect(),
        item_count: r.cart.item_count(),
        subtotal: r.cart.subtotal().display(),
        discount: (totals.discount > 0).then(|| money(-totals.discount)),
        total: totals.total.map(money),
        offer_percent: terms.as_ref().map(|t| t.percent_off).filter(|p| *p > 0),
        shipping: totals.shipping.map(money),
        shipping_shown: totals.shipping.is_some(),
        shipping_free: totals.shipping == Some(0),
        tax: known(r.cart.tax, &r.cart.currency),
        delivery_estimate: r.cart.delivery_estimate.as_deref().map(esc),
        incentive: r.incentive.cloned(),
        recovery_url,
        unsubscribe_url,
        preferences_url,
        short_url: if r.channel == Channel::Sms { short_url } else { String::new() },
        code: terms.and_then(|t| t.code),
        gift_title: gift.map(|g| esc(g.title.trim())),
        gift_url: gift.and_then(|g| g.url.as_deref()).map(esc),
    };
    let copy = Some(concat(&[&rendered.key, "/", &rendered.locale]));
    let message = Message {
        template: r.template.to_string(),
        variant: r.variant.to_string(),
        angle: r.angle,
        data,
        sms,
        headers,
        email,
        copy,
    };
    Outcome { message: Ok(message), note, withheld }
}

/// Text made of `parts`, allocated once at its final size (`format!` grows it step by step).
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

fn known(amount: Known, currency: &str) -> Option<String> {
    match amount {
        Known::Known(minor) => Some(Money::new(minor, currency).display()),
        Known::Unknown => None,
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

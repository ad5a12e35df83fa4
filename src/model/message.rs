//! The personalisation payload handed to the merchant's template, and the SMS body itself.
//!
//! Rendering is a minimal safe renderer rather than a template engine: email bodies are the
//! merchant's templates in their own provider (SendGrid dynamic templates, Postmark, Klaviyo),
//! so the engine only supplies data, HTML-escaped; SMS bodies are short fixed sentences per
//! angle, where a template engine would cost more wasm bytes than the whole feature.

use super::offer::Offer;
use crate::common::cart::Cart;
use crate::common::channel::Channel;
use crate::common::money::{Known, Money};
use crate::compliance::sms_segments::{self, Segments};
use crate::policy::{Angle, IncentiveKind};
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Personalisation {
    /// HTML-escaped for email; plain for SMS.
    pub first_name: String,
    pub items: Vec<ItemLine>,
    pub subtotal: String,
    /// Shipping and tax as text, or absent when the platform had not computed them yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_estimate: Option<String>,
    /// The journey's one offer; the dispatcher adds the minted code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive: Option<Offer>,
    pub recovery_url: String,
    pub unsubscribe_url: String,
    pub preferences_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemLine {
    pub title: String,
    pub quantity: u32,
    pub price: String,
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

pub struct Render<'a> {
    pub base_url: &'a str,
    pub action_id: &'a str,
    pub channel: Channel,
    pub template: &'a str,
    pub variant: &'a str,
    pub angle: Angle,
    pub first_name: Option<&'a str>,
    pub cart: &'a Cart,
    pub incentive: Option<&'a Offer>,
    pub segment_limit: u8,
    /// The policy's `storeName`: CTIA wants every SMS to say who sends it.
    pub store_name: Option<&'a str>,
}

pub fn render(r: Render<'_>) -> Message {
    let base = r.base_url.trim_end_matches('/');
    let recovery_url = concat(&[base, "/r/", r.action_id]);
    let unsubscribe_url = concat(&[base, "/u/", r.action_id]);
    let preferences_url = concat(&[base, "/p/", r.action_id]);
    let esc = |s: &str| {
        if r.channel == Channel::Email {
            escape_html(s)
        } else {
            s.to_string()
        }
    };
    let subtotal = r.cart.subtotal();
    let data = Personalisation {
        first_name: esc(r.first_name.unwrap_or("")),
        items: r
            .cart
            .items
            .iter()
            .map(|item| ItemLine {
                title: esc(&item.title),
                quantity: item.quantity,
                price: Money::new(item.unit_price, r.cart.currency.clone()).display(),
            })
            .collect(),
        subtotal: subtotal.display(),
        shipping: known(r.cart.shipping, &r.cart.currency),
        tax: known(r.cart.tax, &r.cart.currency),
        delivery_estimate: r.cart.delivery_estimate.as_deref().map(esc),
        incentive: r.incentive.cloned(),
        recovery_url: recovery_url.clone(),
        unsubscribe_url: unsubscribe_url.clone(),
        preferences_url,
    };
    let (sms, headers) = match r.channel {
        Channel::Sms => (Some(sms_body(&r, &recovery_url)), None),
        Channel::Email => (
            None,
            Some(EmailHeaders {
                list_unsubscribe: concat(&["<", &unsubscribe_url, ">"]),
                list_unsubscribe_post: "List-Unsubscribe=One-Click".into(),
            }),
        ),
    };
    Message {
        template: r.template.to_string(),
        variant: r.variant.to_string(),
        angle: r.angle,
        data,
        sms,
        headers,
    }
}

/// The sender first ("Acme: "), one sentence per angle, one call to action, "STOP to opt
/// out" as carriers expect.
fn sms_body(r: &Render<'_>, link: &str) -> SmsBody {
    let sender = r
        .store_name
        .filter(|n| !n.trim().is_empty())
        .map(|n| concat(&[n.trim(), ": "]))
        .unwrap_or_default();
    let name = r
        .first_name
        .filter(|n| !n.is_empty())
        .map(|n| format!("{n}, "))
        .unwrap_or_default();
    let first_item = r
        .cart
        .items
        .first()
        .map(|i| i.title.as_str())
        .unwrap_or("your cart");
    let pitch = match (r.incentive, r.angle) {
        (Some(offer), _) => match offer.kind {
            IncentiveKind::FreeShipping => "shipping is on us with this link.".to_string(),
            IncentiveKind::PercentOff => format!("take {}% off with this link.", offer.percent),
            IncentiveKind::Loyalty => format!("as a thank-you, {}% off with this link.", offer.percent),
            IncentiveKind::ExpeditedShipping => "free express shipping with this link.".to_string(),
            IncentiveKind::Gift => "a free gift comes with it.".to_string(),
        },
        (None, Angle::FreeShipping) => "see what it takes to ship free.".to_string(),
        (None, Angle::GuestCheckout) => "no account needed - check out as a guest.".to_string(),
        (None, Angle::Trust | Angle::ReturnPolicy) => "free returns and secure checkout, as always.".to_string(),
        (None, Angle::DeliveryEstimate) => "order now and it ships today.".to_string(),
        (None, Angle::Urgency) => "your cart is held for a few more hours.".to_string(),
        (None, _) => "we saved your cart.".to_string(),
    };
    let compose = |item: &str, link: &str| {
        concat(&[&sender, &name, item, " is waiting: ", &pitch, " ", link, " Reply STOP to opt out"])
    };
    // Count what will be sent: the shim signs the link, adding its signature's characters.
    let signed_link = concat(&[link, &"x".repeat(LINK_SIGNATURE_CHARS)]);
    let mut item = first_item.to_string();
    let mut segments = sms_segments::count(&compose(&item, &signed_link));
    // Over the policy's segment limit: shorten the product title, never the link or STOP.
    let mut keep = first_item.chars().count();
    while segments.count > r.segment_limit && keep > 8 {
        keep -= 4;
        item = first_item.chars().take(keep).collect::<String>() + "...";
        segments = sms_segments::count(&compose(&item, &signed_link));
    }
    SmsBody { text: compose(&item, link), segments }
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

//! What the merchant tells us about their store: how it looks and speaks (`Brand`), what it
//! promises (`Facts`), and their own wording for any template (`Overrides`). Claims in a
//! message come only from here or from the cart itself (issue 17: no "free returns" for a
//! store that never said so).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Brand {
    /// An https URL of the logo, shown at the top of every email (with the store name as `alt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// The call to action's colour, `#rrggbb`; white text on it must reach 4.5:1 (WCAG AA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// The email's From name; the store name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    #[serde(default)]
    pub voice: Voice,
    /// CAN-SPAM: every commercial email carries the sender's valid postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    /// The pack's language when the shopper's is not in it (then English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Voice {
    #[default]
    Friendly,
    Formal,
}

/// What the store promises, each the condition of a claim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Facts {
    /// Days a shopper has to return an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_window_days: Option<u16>,
    /// Orders at or above this subtotal ship free (shop currency, minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_shipping_threshold_minor: Option<i64>,
    /// Business days from order to doorstep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_days: Option<DeliveryDays>,
    /// Hours the store really keeps an abandoned cart (or its stock) for the shopper: the
    /// only fact an urgency message may lean on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_held_hours: Option<u16>,
    /// Checkout works without an account.
    #[serde(default)]
    pub guest_checkout: bool,
    /// Carrier-restricted categories the merchant confirms they sell lawfully
    /// (sex, hate, alcohol, firearms, tobacco, cannabis): their words then pass the audit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed_categories: Vec<String>,
    /// What a gift offer gives: without it the gift copy cannot say what the gift is, nor
    /// that the shopper adds it to the cart (the code only makes it free once it is there).
    /// The Shopify app fills it from the shop's gift product (js-shim/server/shopify/discounts.js).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<Gift>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gift {
    /// The gift as the store names it ("Enamel camp mug").
    pub title: String,
    /// An https page where the shopper adds the gift to the cart they have (the product page
    /// with the gift's variant chosen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryDays {
    pub min: u8,
    pub max: u8,
}

/// The merchant's own wording: `templates.<key>.<locale>.<part>`, e.g.
/// `templates.reminder.fr.subject`. Parts: subject, preheader, headline, body, cta, sms, html, text.
pub type Overrides = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

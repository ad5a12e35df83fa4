//! The cart snapshot a journey is about: what was in it, what it cost, where to resume it.

use crate::common::money::{Known, Money};
#[cfg(feature = "server")]
use crate::common::reader::Object;
use serde::{Deserialize, Serialize};

/// How deep the shopper got. Only the deepest stage is messaged (checkout beats cart beats browse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    Browse,
    Cart,
    Checkout,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineItem {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub quantity: u32,
    /// Unit price in the cart's currency, minor units.
    pub unit_price: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What the item costs the merchant, for the incentive margin guard (minor units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The product's image (https), shown beside the item in emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cart {
    /// The platform's cart or checkout token: the journey's key and the attribution link.
    pub token: String,
    pub stage: Stage,
    /// The currency the shopper saw (Shopify's presentment currency): every amount in the
    /// cart is in it, and messages quote it.
    pub currency: String,
    /// The shop's own currency, when the shopper saw another one (a EUR shop selling in PLN).
    /// The policy's thresholds (segments, step conditions, incentive rungs) are in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_currency: Option<String>,
    /// The subtotal in `shop_currency`, as the platform converted it (`*_set.shop_money`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_subtotal: Option<i64>,
    pub items: Vec<LineItem>,
    /// Absent in JSON when unknown.
    #[serde(default, skip_serializing_if = "Known::is_unknown")]
    pub shipping: Known,
    #[serde(default, skip_serializing_if = "Known::is_unknown")]
    pub tax: Known,
    /// The checkout's own "resume this cart" URL; recovery links redirect here.
    pub recovery_url: String,
    /// A delivery estimate as the platform phrased it ("Arrives Dec 2–4"), if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_estimate: Option<String>,
}

/// The longest product image URL kept: Shopify's CDN URLs run to about 150 characters; a
/// longer one is junk or a client stuffing the stored state.
pub const MAX_IMAGE_URL: usize = 1024;

/// Why a product image URL was dropped (a typed reason for the explanation, never a panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageRejected {
    /// Not `https://`: `http:` would be mixed content and tracked in clear, `javascript:` or
    /// `data:` would be an attack on the mail client.
    NotHttps,
    TooLong,
    /// No host, or a space, quote, angle bracket or control character: not a URL a mail
    /// client should fetch.
    Malformed,
}

impl ImageRejected {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageRejected::NotHttps => "notHttps",
            ImageRejected::TooLong => "tooLong",
            ImageRejected::Malformed => "malformed",
        }
    }
}

/// A product image URL fit for an email, or why not.
pub fn check_image_url(url: &str) -> Result<(), ImageRejected> {
    if url.len() > MAX_IMAGE_URL {
        return Err(ImageRejected::TooLong);
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(ImageRejected::NotHttps);
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')) {
        return Err(ImageRejected::Malformed);
    }
    Ok(())
}

impl Stage {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, Stage)] =
        &[("browse", Stage::Browse), ("cart", Stage::Cart), ("checkout", Stage::Checkout)];
}

impl LineItem {
    /// The server's reader (`common::reader`): unknown fields refused, as `Deserialize` did.
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<LineItem> {
        let o = o.only(&["title", "variant", "quantity", "unitPrice", "category", "unitCost", "productId", "imageUrl"])?;
        let quantity = o.count("quantity")?;
        Ok(LineItem {
            title: o.required_text("title")?,
            variant: o.text("variant")?,
            quantity: o.require("quantity", quantity)?,
            unit_price: o.required_whole("unitPrice")?,
            category: o.text("category")?,
            unit_cost: o.whole("unitCost")?,
            product_id: o.text("productId")?,
            image_url: o.text("imageUrl")?,
        })
    }

    /// The same line of the same cart in another snapshot: the same product and variant, or,
    /// when either lacks a product id (a browser snapshot may), the same title and variant.
    fn same_line(&self, other: &LineItem) -> bool {
        let variant = self.variant.as_deref().map(str::trim) == other.variant.as_deref().map(str::trim);
        match (&self.product_id, &other.product_id) {
            (Some(a), Some(b)) => a == b && variant,
            _ => variant && self.title.trim().eq_ignore_ascii_case(other.title.trim()),
        }
    }
}

impl Cart {
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<Cart> {
        let o = o.only(&[
            "token", "stage", "currency", "shopCurrency", "shopSubtotal", "items", "shipping", "tax",
            "recoveryUrl", "deliveryEstimate",
        ])?;
        let items = o.objects("items", LineItem::read)?;
        Ok(Cart {
            token: o.required_text("token")?,
            stage: o.required_one_of("stage", Stage::NAMES)?,
            currency: o.required_text("currency")?,
            shop_currency: o.text("shopCurrency")?,
            shop_subtotal: o.whole("shopSubtotal")?,
            items: o.require("items", items)?,
            shipping: o.object_or_default("shipping", Known::read)?,
            tax: o.object_or_default("tax", Known::read)?,
            recovery_url: o.required_text("recoveryUrl")?,
            delivery_estimate: o.text("deliveryEstimate")?,
        })
    }

    /// Drop every image URL that is not fit for an email; the line index and reason of each.
    pub fn drop_unfit_images(&mut self) -> Vec<(usize, ImageRejected)> {
        let mut dropped = Vec::new();
        for (i, item) in self.items.iter_mut().enumerate() {
            if let Some(Err(reason)) = item.image_url.as_deref().map(check_image_url) {
                item.image_url = None;
                dropped.push((i, reason));
            }
        }
        dropped
    }

    /// Take the images this cart lacks from another snapshot of it, line by line (Shopify's
    /// checkout webhooks carry none; the Web Pixel's checkout events do). Only images move:
    /// titles, prices and quantities stay this cart's. Returns how many lines gained one.
    pub fn adopt_images(&mut self, from: &Cart) -> usize {
        let mut adopted = 0;
        for item in self.items.iter_mut().filter(|i| i.image_url.is_none()) {
            let found = from.items.iter().find(|o| o.image_url.is_some() && item.same_line(o));
            if let Some(url) = found.and_then(|o| o.image_url.clone()) {
                item.image_url = Some(url);
                adopted += 1;
            }
        }
        adopted
    }

    pub fn subtotal(&self) -> Money {
        let minor = self
            .items
            .iter()
            .map(|item| item.unit_price.saturating_mul(item.quantity as i64))
            .fold(0i64, i64::saturating_add);
        Money::new(minor, self.currency.clone())
    }

    /// The subtotal in the shop's currency, what the policy's thresholds are written in:
    /// the subtotal itself when the shopper paid in the shop's currency, the platform's own
    /// conversion otherwise, None when the platform gave none. Thresholds compare like with
    /// like: never PLN 400 against a EUR 150 threshold.
    pub fn shop_subtotal_minor(&self) -> Option<i64> {
        match &self.shop_currency {
            Some(shop) if *shop != self.currency => self.shop_subtotal,
            _ => Some(self.subtotal().minor),
        }
    }

    /// An amount in the cart's currency converted to the shop's, at the rate the platform's
    /// two subtotals imply (Shopify converts at its own rate; we do not guess another).
    pub fn to_shop_minor(&self, minor: i64) -> Option<i64> {
        let shop = self.shop_subtotal_minor()?;
        let seen = self.subtotal().minor;
        if seen == shop {
            return Some(minor);
        }
        if seen <= 0 {
            return None;
        }
        Some(((minor as i128 * shop as i128) / seen as i128) as i64)
    }

    /// The merchant's cost of the goods in the shop's currency: exact when every item carries
    /// a cost (the catalogue's, in the shop's currency), otherwise estimated from the assumed
    /// margin. None when the value in the shop's currency is unknown.
    pub fn cost_minor(&self, assumed_margin_percent: u8) -> Option<i64> {
        let exact: Option<i64> = self
            .items
            .iter()
            .map(|item| item.unit_cost.map(|c| c.saturating_mul(item.quantity as i64)))
            .sum();
        exact.or_else(|| Some(self.shop_subtotal_minor()? * (100 - assumed_margin_percent.min(100) as i64) / 100))
    }

    pub fn item_count(&self) -> u32 {
        self.items.iter().map(|item| item.quantity).sum()
    }
}

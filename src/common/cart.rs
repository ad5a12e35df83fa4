//! The cart snapshot a journey is about: what was in it, what it cost, where to resume it.

use crate::common::money::{Known, Money};
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cart {
    /// The platform's cart or checkout token: the journey's key and the attribution link.
    pub token: String,
    pub stage: Stage,
    pub currency: String,
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

impl Cart {
    pub fn subtotal(&self) -> Money {
        let minor = self
            .items
            .iter()
            .map(|item| item.unit_price.saturating_mul(item.quantity as i64))
            .fold(0i64, i64::saturating_add);
        Money::new(minor, self.currency.clone())
    }

    /// The merchant's cost of the goods: exact when every item carries a cost, otherwise
    /// estimated from the assumed margin.
    pub fn cost_minor(&self, assumed_margin_percent: u8) -> i64 {
        let exact: Option<i64> = self
            .items
            .iter()
            .map(|item| item.unit_cost.map(|c| c.saturating_mul(item.quantity as i64)))
            .sum();
        exact.unwrap_or_else(|| self.subtotal().minor * (100 - assumed_margin_percent.min(100) as i64) / 100)
    }

    pub fn item_count(&self) -> u32 {
        self.items.iter().map(|item| item.quantity).sum()
    }
}

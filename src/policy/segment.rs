//! Segments: which shoppers a playbook is for (cart value tier, categories, loyalty,
//! responsiveness, device).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Responsiveness {
    /// Fewer than three messages received: nothing to judge by yet.
    New,
    /// Opens or clicks at least 30% of messages (*assumption*: tune on real traffic).
    Engaged,
    Unengaged,
}

/// What the engine knows about a shopper when their journey starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile<'a> {
    /// The cart's subtotal in the shop's currency (the thresholds' currency); None when the
    /// shopper saw another currency and the platform gave no conversion.
    pub cart_minor: Option<i64>,
    pub categories: Vec<&'a str>,
    pub returning: bool,
    pub orders: u32,
    pub mobile: bool,
    pub responsiveness: Responsiveness,
}

/// Every condition given must hold; an absent condition matches everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cart_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cart_minor: Option<i64>,
    /// Any item in one of these categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returning: Option<bool>,
    /// Loyal: at least this many orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_orders: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsiveness: Option<Responsiveness>,
}

impl Segment {
    pub fn matches(&self, p: &Profile<'_>) -> bool {
        self.min_cart_minor.is_none_or(|min| p.cart_minor.is_some_and(|v| v >= min))
            && self.max_cart_minor.is_none_or(|max| p.cart_minor.is_some_and(|v| v <= max))
            && (self.categories.is_empty() || p.categories.iter().any(|c| self.categories.iter().any(|s| s == c)))
            && self.returning.is_none_or(|r| p.returning == r)
            && self.min_orders.is_none_or(|n| p.orders >= n)
            && self.mobile.is_none_or(|m| p.mobile == m)
            && self.responsiveness.is_none_or(|r| p.responsiveness == r)
    }
}

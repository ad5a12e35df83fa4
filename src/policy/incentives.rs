//! The incentive ladder and its guards, as data. The choice itself is in `crate::engine::incentive`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncentiveKind {
    /// Shipping waived (the top abandonment reason is extra cost: Baymard, docs/evidence.md).
    FreeShipping,
    PercentOff,
    /// Faster shipping at no charge, for high-value carts.
    ExpeditedShipping,
    /// A gift with the order, for high-value carts.
    Gift,
    /// A tailored offer for returning customers.
    Loyalty,
}

impl IncentiveKind {
    /// Its JSON names, as `Deserialize` reads them (for the stored offers' reader).
    pub const NAMES: &'static [(&'static str, IncentiveKind)] = &[
        ("freeShipping", IncentiveKind::FreeShipping),
        ("percentOff", IncentiveKind::PercentOff),
        ("expeditedShipping", IncentiveKind::ExpeditedShipping),
        ("gift", IncentiveKind::Gift),
        ("loyalty", IncentiveKind::Loyalty),
    ];
}

/// One rung: an offer and who may get it. The ladder is read top to bottom; the first rung a
/// shopper qualifies for, within the guards, is offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rung {
    pub kind: IncentiveKind,
    /// For percentOff and loyalty.
    #[serde(default)]
    pub percent: u8,
    #[serde(default)]
    pub min_cart_minor: i64,
    #[serde(default)]
    pub returning_only: bool,
    /// What the offer costs the merchant when it is not a percentage (a gift's cost, the
    /// expedited shipping surcharge), in minor units.
    #[serde(default)]
    pub cost_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Incentives {
    #[serde(default)]
    pub ladder: Vec<Rung>,
    /// Margin guard: no percentage above this.
    #[serde(default = "default_max_discount")]
    pub max_discount_percent: u8,
    /// Margin guard: the order must keep at least this margin after the incentive.
    #[serde(default = "default_min_margin")]
    pub min_margin_percent: u8,
    /// Assumed margin when line items carry no cost.
    #[serde(default = "default_margin")]
    pub default_margin_percent: u8,
    /// Anti-gaming: no incentive to a contact who got one this recently.
    #[serde(default = "default_cooldown")]
    pub cooldown_days: u32,
    /// Anti-gaming: a contact who abandoned this many times right after incentives gets none.
    #[serde(default = "default_max_abandons")]
    pub max_abandons_after_incentive: u32,
}

impl Default for Incentives {
    fn default() -> Self {
        Incentives {
            ladder: Vec::new(),
            max_discount_percent: default_max_discount(),
            min_margin_percent: default_min_margin(),
            default_margin_percent: default_margin(),
            cooldown_days: default_cooldown(),
            max_abandons_after_incentive: default_max_abandons(),
        }
    }
}

fn default_max_discount() -> u8 {
    15
}
fn default_min_margin() -> u8 {
    20
}
fn default_margin() -> u8 {
    50
}
fn default_cooldown() -> u32 {
    30
}
fn default_max_abandons() -> u32 {
    2
}

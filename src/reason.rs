//! Why shoppers abandon (FACTS.md: Baymard's reasons, plus coupon hunting), as reported
//! by the storefront with a confidence.

use serde::{Deserialize, Serialize};

/// Why the storefront thinks the shopper stalled, with its confidence (0..=1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonSignal {
    pub reason: Reason,
    pub confidence: f32,
}

/// Abandonment reasons (Baymard's list in FACTS.md, plus coupon hunting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    ExtraCost,
    AccountRequired,
    Trust,
    DeliverySpeed,
    CheckoutFriction,
    SiteError,
    PaymentError,
    ReturnsPolicy,
    CouponHunting,
    JustBrowsing,
}

impl Reason {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExtraCost => "extraCost",
            Reason::AccountRequired => "accountRequired",
            Reason::Trust => "trust",
            Reason::DeliverySpeed => "deliverySpeed",
            Reason::CheckoutFriction => "checkoutFriction",
            Reason::SiteError => "siteError",
            Reason::PaymentError => "paymentError",
            Reason::ReturnsPolicy => "returnsPolicy",
            Reason::CouponHunting => "couponHunting",
            Reason::JustBrowsing => "justBrowsing",
        }
    }
}

//! Why shoppers abandon (docs/evidence.md: Baymard's reasons, plus coupon hunting), as reported
//! by the storefront with a confidence.

#[cfg(feature = "server")]
use crate::common::reader::Object;
use serde::{Deserialize, Serialize};

/// Why the storefront thinks the shopper stalled, with its confidence (0..=1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonSignal {
    pub reason: Reason,
    pub confidence: f32,
}

/// Abandonment reasons (Baymard's list in docs/evidence.md, plus coupon hunting).
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

/// The topic of a shopper's free-text SMS reply, by keyword. Simple on purpose: a wrong guess
/// only picks an email angle, and an unclear reply picks none.
pub fn from_reply(text: &str) -> Option<Reason> {
    const TOPICS: &[(Reason, &[&str])] = &[
        (Reason::CouponHunting, &["coupon", "discount", "promo", "code"]),
        (Reason::ExtraCost, &["shipping cost", "expensive", "price", "too much", "cost", "fees"]),
        (Reason::DeliverySpeed, &["deliver", "arrive", "shipping time", "how long", "when will"]),
        (Reason::ReturnsPolicy, &["return", "size", "fit", "exchange"]),
        (Reason::AccountRequired, &["account", "login", "log in", "password", "sign up"]),
        (Reason::PaymentError, &["card", "payment", "declined", "paypal"]),
        (Reason::Trust, &["scam", "trust", "safe", "legit"]),
    ];
    let text = text.to_lowercase();
    TOPICS.iter().find(|(_, words)| words.iter().any(|w| text.contains(w))).map(|(reason, _)| *reason)
}

impl ReasonSignal {
    /// The server's reader (`common::reader`).
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<ReasonSignal> {
        let o = o.only(&["reason", "confidence"])?;
        let confidence = o.number("confidence")?;
        Ok(ReasonSignal {
            reason: o.required_one_of("reason", Reason::NAMES)?,
            confidence: o.require("confidence", confidence)? as f32,
        })
    }
}

impl Reason {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, Reason)] = &[
        ("extraCost", Reason::ExtraCost),
        ("accountRequired", Reason::AccountRequired),
        ("trust", Reason::Trust),
        ("deliverySpeed", Reason::DeliverySpeed),
        ("checkoutFriction", Reason::CheckoutFriction),
        ("siteError", Reason::SiteError),
        ("paymentError", Reason::PaymentError),
        ("returnsPolicy", Reason::ReturnsPolicy),
        ("couponHunting", Reason::CouponHunting),
        ("justBrowsing", Reason::JustBrowsing),
    ];

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

//! Which angle a message takes, from why the shopper left (docs/evidence.md: reason → angle).

use crate::common::reason::{Reason, ReasonSignal};
use crate::policy::Angle;

/// Reasons below this confidence are not acted on: a wrong angle is worse than a plain one.
pub const MIN_CONFIDENCE: f32 = 0.5;

pub fn for_reason(reason: Reason) -> Option<Angle> {
    Some(match reason {
        Reason::ExtraCost | Reason::CouponHunting => Angle::FreeShipping,
        Reason::AccountRequired => Angle::GuestCheckout,
        Reason::Trust | Reason::PaymentError => Angle::Trust,
        Reason::DeliverySpeed => Angle::DeliveryEstimate,
        Reason::ReturnsPolicy => Angle::ReturnPolicy,
        Reason::CheckoutFriction | Reason::SiteError => Angle::Reminder,
        Reason::JustBrowsing => return None,
    })
}

/// The order in which an email looks for an angle it has not used yet.
pub const ROTATION: [Angle; 6] =
    [Angle::Value, Angle::ReturnPolicy, Angle::Trust, Angle::DeliveryEstimate, Angle::FreeShipping, Angle::Reminder];

/// Resolve a step's angle: `byReason` follows the most confident reported reason.
pub fn resolve(step_angle: Angle, fallback: Option<Angle>, reasons: &[ReasonSignal]) -> Angle {
    if step_angle != Angle::ByReason {
        return step_angle;
    }
    reasons
        .iter()
        .filter(|r| r.confidence >= MIN_CONFIDENCE)
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
        .and_then(|r| for_reason(r.reason))
        .or(fallback)
        .unwrap_or(Angle::Reminder)
}

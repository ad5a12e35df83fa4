//! Incentives are rules, not defaults (docs/architecture.md): tied to cart value, loyalty and margin,
//! kept off shoppers who learned to abandon for a coupon, and never stacked.
//!
//! A vendor case in docs/evidence.md shows why the guards matter: a 15% coupon raised *attributed*
//! uplift from 6.4% to 26.2% while total sales barely moved.

use crate::common::cart::{Cart, Stage};
use crate::common::money::Known;
use crate::common::reason::{Reason, ReasonSignal};
use crate::model::contact::Contact;
use crate::model::offer::Offer;
use crate::policy::{IncentiveKind, Incentives, Rung};
use chrono::{DateTime, Duration, Utc};

/// Why no incentive was offered, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    Cooldown,
    LearnedToWait,
    NothingQualifies,
}

impl Withheld {
    pub fn describe(self) -> &'static str {
        match self {
            Withheld::Cooldown => "an incentive was already offered to this contact within the cooldown",
            Withheld::LearnedToWait => "this contact keeps abandoning right after incentives",
            Withheld::NothingQualifies => "no rung of the ladder fits this cart within the margin guard",
        }
    }
}

pub struct Request<'a> {
    pub rules: &'a Incentives,
    pub contact: &'a Contact,
    pub cart: &'a Cart,
    pub reasons: &'a [ReasonSignal],
    pub journey_id: &'a str,
    pub now: DateTime<Utc>,
}

pub fn choose(r: Request<'_>) -> Result<Offer, Withheld> {
    let stats = &r.contact.stats;
    if stats.last_incentive_at.is_some_and(|at| r.now - at < Duration::days(r.rules.cooldown_days as i64)) {
        return Err(Withheld::Cooldown);
    }
    if stats.abandons_after_incentive >= r.rules.max_abandons_after_incentive {
        return Err(Withheld::LearnedToWait);
    }
    // A shopper who went hunting for a code is not rewarded with one (docs/evidence.md: coupon field).
    let hunting = r.reasons.iter().any(|s| s.reason == Reason::CouponHunting && s.confidence >= super::angle::MIN_CONFIDENCE);
    let loyal = r.contact.returning || stats.orders > 0;
    let rung = r
        .rules
        .ladder
        .iter()
        .filter(|rung| !(hunting && matches!(rung.kind, IncentiveKind::PercentOff)))
        .find(|rung| qualifies(rung, r.cart, loyal) && within_margin(rung, r.cart, r.rules))
        .ok_or(Withheld::NothingQualifies)?;
    Ok(Offer { kind: rung.kind, percent: rung.percent, coupon_request_id: format!("{}.coupon", r.journey_id), expires_at: None })
}

fn qualifies(rung: &Rung, cart: &Cart, loyal: bool) -> bool {
    let shippable = cart.stage != Stage::Browse;
    // In the shop's currency, like the rung; unknown value meets only a zero minimum.
    cart.shop_subtotal_minor().map_or(rung.min_cart_minor <= 0, |v| v >= rung.min_cart_minor)
        && (!rung.returning_only || loyal)
        && (shippable || !matches!(rung.kind, IncentiveKind::FreeShipping | IncentiveKind::ExpeditedShipping))
}

/// The margin guard: never above the maximum discount, never below the minimum margin. All
/// in the shop's currency (costs and fixed rung costs are the merchant's): a cart whose value
/// in it is unknown gets no offer.
fn within_margin(rung: &Rung, cart: &Cart, rules: &Incentives) -> bool {
    let Some(subtotal) = cart.shop_subtotal_minor() else { return false };
    if subtotal <= 0 {
        return false;
    }
    let Some(cost) = cart.cost_minor(rules.default_margin_percent) else { return false };
    let (revenue, extra_cost) = match rung.kind {
        IncentiveKind::PercentOff | IncentiveKind::Loyalty => {
            if rung.percent > rules.max_discount_percent {
                return false;
            }
            (subtotal * (100 - rung.percent as i64) / 100, 0)
        }
        IncentiveKind::FreeShipping => match cart.shipping {
            Known::Known(shipping) => match cart.to_shop_minor(shipping) {
                Some(shipping) => (subtotal, shipping),
                None => return false,
            },
            Known::Unknown => (subtotal, rung.cost_minor),
        },
        IncentiveKind::ExpeditedShipping | IncentiveKind::Gift => (subtotal, rung.cost_minor),
    };
    let margin = revenue - cost - extra_cost;
    margin * 100 >= revenue * rules.min_margin_percent as i64
}

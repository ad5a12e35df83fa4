//! What a journey offers: a record the journey keeps, the coupon request carries and the
//! message renders. Which offer, if any, is the engine's choice (`engine::incentive`).

use crate::policy::IncentiveKind;
use serde::{Deserialize, Serialize};

/// What a journey offers. A unique code is minted by the platform on request
/// (`Action::RequestCoupon`); the engine only names the offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Offer {
    pub kind: IncentiveKind,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub percent: u8,
    /// The coupon request this offer's code comes from.
    pub coupon_request_id: String,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

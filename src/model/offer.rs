//! What a journey offers: a record the journey keeps, the coupon request carries and the
//! message renders. Which offer, if any, is the engine's choice (`engine::incentive`).

use crate::common::reader::Object;
use crate::policy::IncentiveKind;
use chrono::{DateTime, Utc};
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
    /// When the journey that made the offer expires: the platform's code ends then too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl Offer {
    /// The stored offer's reader (`common::reader`).
    pub(crate) fn read(o: Object) -> crate::Result<Offer> {
        let o = o.only(&["kind", "percent", "couponRequestId", "expiresAt"])?;
        Ok(Offer {
            kind: o.required_one_of("kind", IncentiveKind::NAMES)?,
            percent: o.small("percent")?.unwrap_or(0),
            coupon_request_id: o.required_text("couponRequestId")?,
            expires_at: o.time("expiresAt")?,
        })
    }

    /// The discount code for this offer, named by the engine so that every message can print
    /// it (the platform creates exactly this code on `requestCoupon`): "CART-" and 8 characters
    /// of the request id's hash, from an alphabet with no 0/O or 1/I to misread.
    pub fn code(&self) -> String {
        use sha2::{Digest, Sha256};
        const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let hash = Sha256::digest(self.coupon_request_id.as_bytes());
        let mut code = String::from("CART-");
        for byte in &hash[..8] {
            code.push(ALPHABET[(*byte & 31) as usize] as char);
        }
        code
    }
}

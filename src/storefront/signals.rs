//! Storefront friction signals → an abandonment summary with reasons and confidence.
//! Runs on the shopper's device; only the summary leaves it, never the raw stream.

use crate::common::cart::Stage;
use crate::common::reason::{Reason, ReasonSignal};
use super::reader::{self, Object};
use serde::{Deserialize, Serialize};

/// What the page observed, already reduced to counters and flags by the capture script.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observations {
    pub stage: Option<Stage>,
    pub has_items: bool,
    /// Seconds since the last interaction.
    pub idle_seconds: u32,
    /// The page was hidden or unloaded (`visibilitychange`, `pagehide`).
    pub left_page: bool,
    pub shipping_cost_revealed: bool,
    /// Back navigation (from the checkout to the cart, say): an exit that stays in the shop.
    pub went_back: bool,
    pub coupon_field_focused_without_code: u32,
    pub form_errors: u32,
    pub payment_error: bool,
    pub delivery_estimate_shown: Option<bool>,
    pub account_wall_shown: bool,
    /// Navigation Timing: load event end, ms.
    pub page_load_ms: Option<u32>,
    pub completed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Idle this long with items in the cart counts as abandonment.
    pub idle_seconds: u32,
    /// A load slower than this counts as friction.
    pub slow_page_ms: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            idle_seconds: 300,
            slow_page_ms: 4000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub abandoned: bool,
    pub stage: Option<Stage>,
    pub reasons: Vec<ReasonSignal>,
}

// Read by `reader`, not derived deserializers: see `reader` for the bytes that saves.
impl Observations {
    pub(crate) fn read(o: Object) -> crate::Result<Observations> {
        let o = o.only(&[
            "stage", "hasItems", "idleSeconds", "leftPage", "shippingCostRevealed", "wentBack",
            "couponFieldFocusedWithoutCode", "formErrors", "paymentError", "deliveryEstimateShown",
            "accountWallShown", "pageLoadMs", "completed",
        ])?;
        let flag = |key| o.flag(key).map(Option::unwrap_or_default);
        let count = |key| o.count(key).map(Option::unwrap_or_default);
        Ok(Observations {
            stage: read_stage(&o, "stage")?,
            has_items: flag("hasItems")?,
            idle_seconds: count("idleSeconds")?,
            left_page: flag("leftPage")?,
            shipping_cost_revealed: flag("shippingCostRevealed")?,
            went_back: flag("wentBack")?,
            coupon_field_focused_without_code: count("couponFieldFocusedWithoutCode")?,
            form_errors: count("formErrors")?,
            payment_error: flag("paymentError")?,
            delivery_estimate_shown: o.flag("deliveryEstimateShown")?,
            account_wall_shown: flag("accountWallShown")?,
            page_load_ms: o.count("pageLoadMs")?,
            completed: flag("completed")?,
        })
    }

    /// From JSON text, with the bad field's path on error.
    pub fn from_json(text: &str) -> crate::Result<Observations> {
        reader::from_text(text, Observations::read)
    }
}

impl Thresholds {
    pub(crate) fn read(o: Object) -> crate::Result<Thresholds> {
        let o = o.only(&["idleSeconds", "slowPageMs"])?;
        let default = Thresholds::default();
        Ok(Thresholds {
            idle_seconds: o.count("idleSeconds")?.unwrap_or(default.idle_seconds),
            slow_page_ms: o.count("slowPageMs")?.unwrap_or(default.slow_page_ms),
        })
    }

    pub fn from_json(text: &str) -> crate::Result<Thresholds> {
        reader::from_text(text, Thresholds::read)
    }
}

/// A stage by its name ("browse", "cart", "checkout").
pub(crate) fn read_stage(o: &Object, key: &str) -> crate::Result<Option<Stage>> {
    const STAGES: [Stage; 3] = [Stage::Browse, Stage::Cart, Stage::Checkout];
    Ok(o.choice(key, &["browse", "cart", "checkout"])?.map(|i| STAGES[i]))
}

pub fn summarise(obs: &Observations, thresholds: &Thresholds) -> Summary {
    let stalled = obs.left_page || obs.idle_seconds >= thresholds.idle_seconds;
    let abandoned = obs.has_items && stalled && !obs.completed;
    let mut reasons = Vec::new();
    let mut add = |reason, confidence: f32| reasons.push(ReasonSignal { reason, confidence });
    if abandoned {
        // Confidences are priors from Baymard's shares (docs/evidence.md), raised when the exit
        // follows the signal directly. *Assumption*: to be calibrated on real traffic.
        if obs.shipping_cost_revealed {
            let exited = obs.left_page || obs.went_back;
            add(Reason::ExtraCost, if exited { 0.8 } else { 0.6 });
        }
        if obs.payment_error {
            add(Reason::PaymentError, 0.85);
        }
        if obs.coupon_field_focused_without_code > 0 {
            add(
                Reason::CouponHunting,
                0.55 + 0.1 * (obs.coupon_field_focused_without_code.min(3) as f32 - 1.0),
            );
        }
        if obs.account_wall_shown {
            add(Reason::AccountRequired, 0.6);
        }
        if obs.form_errors >= 2 {
            add(
                Reason::CheckoutFriction,
                0.5 + 0.1 * (obs.form_errors.min(5) as f32 - 2.0),
            );
        }
        if obs.delivery_estimate_shown == Some(false) && obs.stage == Some(Stage::Checkout) {
            add(Reason::DeliverySpeed, 0.4);
        }
        if obs
            .page_load_ms
            .is_some_and(|ms| ms >= thresholds.slow_page_ms)
        {
            add(Reason::SiteError, 0.5);
        }
    }
    // Most confident first, ties in the order added: an insertion sort (stable, as `sort_by`
    // is) over a handful of reasons, without std's ~3.5 KB sort in the wasm (issue 20).
    for i in 1..reasons.len() {
        let mut j = i;
        while j > 0 && reasons[j - 1].confidence.total_cmp(&reasons[j].confidence).is_lt() {
            reasons.swap(j - 1, j);
            j -= 1;
        }
    }
    Summary {
        abandoned,
        stage: obs.stage,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_most_confident_first_ties_in_the_order_added() {
        let obs = Observations {
            stage: Some(Stage::Checkout),
            has_items: true,
            left_page: true,
            shipping_cost_revealed: true,
            payment_error: true,
            coupon_field_focused_without_code: 1,
            account_wall_shown: true,
            form_errors: 2,
            delivery_estimate_shown: Some(false),
            page_load_ms: Some(9_000),
            ..Observations::default()
        };
        let order: Vec<Reason> = summarise(&obs, &Thresholds::default()).reasons.into_iter().map(|r| r.reason).collect();
        assert_eq!(
            order,
            [
                Reason::PaymentError,
                Reason::ExtraCost,
                Reason::AccountRequired,
                Reason::CouponHunting,
                Reason::CheckoutFriction,
                Reason::SiteError,
                Reason::DeliverySpeed,
            ]
        );
    }
}

//! Storefront friction signals → an abandonment summary with reasons and confidence.
//! Runs on the shopper's device; only the summary leaves it, never the raw stream.

use crate::common::cart::Stage;
use crate::common::reason::{Reason, ReasonSignal};
use serde::{Deserialize, Serialize};

/// What the page observed, already reduced to counters and flags by the capture script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Observations {
    pub stage: Option<Stage>,
    #[serde(default)]
    pub has_items: bool,
    /// Seconds since the last interaction.
    #[serde(default)]
    pub idle_seconds: u32,
    /// The page was hidden or unloaded (`visibilitychange`, `pagehide`).
    #[serde(default)]
    pub left_page: bool,
    #[serde(default)]
    pub shipping_cost_revealed: bool,
    /// Back navigation (from the checkout to the cart, say): an exit that stays in the shop.
    #[serde(default)]
    pub went_back: bool,
    #[serde(default)]
    pub coupon_field_focused_without_code: u32,
    #[serde(default)]
    pub form_errors: u32,
    #[serde(default)]
    pub payment_error: bool,
    #[serde(default)]
    pub delivery_estimate_shown: Option<bool>,
    #[serde(default)]
    pub account_wall_shown: bool,
    /// Navigation Timing: load event end, ms.
    #[serde(default)]
    pub page_load_ms: Option<u32>,
    #[serde(default)]
    pub completed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
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
    reasons.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    Summary {
        abandoned,
        stage: obs.stage,
        reasons,
    }
}

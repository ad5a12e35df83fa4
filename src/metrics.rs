//! What the merchant reads: the recovery funnel over contacts' stored states (docs/architecture.md,
//! Measurement). Computed in the engine so every dashboard and report counts the same way.

use crate::model::journey::{Journey, JourneyStatus, SendStatus};
use crate::model::state::State;
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    /// Journeys that were abandonments: a checkout closed by an order before any message was
    /// due was a purchase, not an abandonment.
    pub abandoned: u32,
    /// Of those, held out of messaging (for incremental lift).
    pub holdout: u32,
    /// Held-out journeys that were recovered anyway: the baseline the messages must beat.
    pub holdout_recovered: u32,
    pub messaged: u32,
    pub clicked: u32,
    /// Messaged journeys an order then matched (last-touch: not all of it is caused).
    pub recovered: u32,
    pub recovery_rate: f64,
    pub revenue_recovered_minor: i64,
}

pub fn funnel(states: &[State]) -> Funnel {
    let mut f = Funnel::default();
    // Journeys outside a partial pilot were never Rekindle's to message: not in its funnel.
    for journey in states.iter().flat_map(|s| s.journeys.iter()).filter(|j| !j.left_alone) {
        let sent = journey.sends.iter().any(|s| s.status == SendStatus::Sent);
        let recovered = journey.status == JourneyStatus::Recovered;
        if !(journey.holdout || sent || !recovered) {
            continue;
        }
        f.abandoned += 1;
        if journey.holdout {
            f.holdout += 1;
            f.holdout_recovered += recovered as u32;
        }
        if sent {
            f.messaged += 1;
            f.clicked += clicked(journey) as u32;
            if recovered {
                f.recovered += 1;
                f.revenue_recovered_minor += journey.recovered_minor.unwrap_or(0);
            }
        }
    }
    if f.abandoned > 0 {
        f.recovery_rate = f.recovered as f64 / f.abandoned as f64;
    }
    f
}

fn clicked(journey: &Journey) -> bool {
    journey.sends.iter().any(|s| s.clicked)
}

//! Experiments: variants assigned by a hash of the contact id, so the browser, the edge and
//! the server all put a shopper in the same arm without talking to each other. The partial
//! pilot is one more such split: a merchant turns Rekindle on for `pilotPercent` of shoppers
//! and leaves the rest alone, and the report compares the two arms.

use super::Angle;
use crate::common::channel::Channel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Experiment {
    pub key: String,
    /// The step it varies; every playbook's step with this key.
    pub step: String,
    /// Weights add up to 100.
    pub variants: Vec<Variant>,
}

/// What a variant changes about its step; anything absent stays as the step says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variant {
    pub key: String,
    pub weight: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<Angle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_incentive: Option<bool>,
}

impl Experiment {
    /// The arm for `unit` (the contact id): stable across runtimes and restarts.
    pub fn assign(&self, unit: &str) -> &Variant {
        let bucket = crate::common::ids::bucket(&["experiment:", &self.key], unit);
        let mut cumulative = 0u16;
        for variant in &self.variants {
            cumulative += variant.weight as u16;
            if (bucket as u16) < cumulative {
                return variant;
            }
        }
        // Validation guarantees weights add up to 100, so this is unreachable in practice.
        &self.variants[self.variants.len() - 1]
    }
}

/// Which side of a partial pilot a contact is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PilotArm {
    /// `pilotPercent` is 100: there is no pilot, every shopper is in.
    Everyone,
    /// In the pilot: Rekindle runs its playbook (and its own holdout) for this shopper.
    Pilot,
    /// Outside the pilot: the journey is tracked exactly like a held-out one and never
    /// messaged, so the pilot has a randomised comparison arm of its own.
    LeftAlone,
}

/// The pilot arm of `contact`, by contact (not journey), so a shopper outside the pilot stays
/// outside for every cart, and every runtime agrees. `policy_name` salts the hash: a new
/// policy draws a new split.
pub fn pilot_arm(policy_name: &str, pilot_percent: u8, contact: &str) -> PilotArm {
    // Buckets lie in 0..100: a full pilot needs no hash.
    if pilot_percent >= 100 {
        PilotArm::Everyone
    } else if crate::common::ids::bucket(&["pilot:", policy_name], contact) < pilot_percent {
        PilotArm::Pilot
    } else {
        PilotArm::LeftAlone
    }
}

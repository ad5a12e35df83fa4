//! The outcome log: what each decision did to a journey, appended by the host and never
//! rewritten. It holds no personal data (no address, name or cart contents: the journey id is
//! already a hash of the contact and cart), so it outlives the journey it describes: expiry,
//! retention purges and erasure drop the journey from the state, and the figures stay.
//! `src/measurement` turns the log into the merchant's report.

use crate::common::channel::Channel;
use crate::policy::Angle;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OutcomeKind {
    /// A journey was planned (or held out): the unit every rate divides by.
    Abandoned,
    Sent,
    Delivered,
    Opened,
    Clicked,
    Unsubscribed,
    Complained,
    /// An order matched the journey; `amountMinor` is its total.
    Ordered,
    Expired,
    Superseded,
    Stopped,
}

/// An experiment arm a journey was assigned when it was planned, with the arm's configured
/// weight: the sample-ratio check compares the split against it, even after the policy changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Arm {
    pub step: String,
    pub variant: String,
    pub weight: u8,
}

/// One line of the log. Journey facts ride on `abandoned`; send facts (step, channel, angle,
/// variant) on every send-level line, so a roll-up never needs the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    pub journey: String,
    pub kind: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub holdout: bool,
    /// The policy ran as a partial pilot (`pilotPercent` < 100) and this journey was in it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pilot: bool,
    /// The policy ran as a partial pilot and this contact was outside it: the journey is
    /// tracked and never messaged, the arm the pilot is compared with (`policy::experiment`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub left_alone: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<Arm>,
    /// The send id (journey, step, channel, attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<Angle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub segments: u8,
    /// The cart's value in the shop's currency on `abandoned`; the order total on `ordered`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub amount_minor: i64,
    /// The ISO 4217 currency of `amount_minor`: the shop's on `abandoned`, the order's own on
    /// `ordered`. Amounts in different currencies are never added (src/measurement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// On `sent`: the offer the message carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive: Option<Incentive>,
    /// On `sent`: the engine's explanation of the send, so "why this message" has an answer
    /// after the journey is gone (`measurement::messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// An offer as the log keeps it: what kind and how much, not the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Incentive {
    pub kind: crate::policy::IncentiveKind,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub percent: u8,
}

impl Outcome {
    pub fn new(kind: OutcomeKind, journey: &str, at: DateTime<Utc>) -> Outcome {
        Outcome {
            at,
            journey: journey.to_string(),
            kind,
            playbook: None,
            policy_version: None,
            holdout: false,
            pilot: false,
            left_alone: false,
            arms: Vec::new(),
            send: None,
            step: None,
            channel: None,
            angle: None,
            variant: None,
            segments: 0,
            amount_minor: 0,
            currency: None,
            incentive: None,
            why: None,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

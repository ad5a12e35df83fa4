//! The playbook: policy as data (DESIGN.md principle 6). One JSON document drives storefront
//! and server alike; it is validated once on load, and every problem is reported with its path.

mod validate;

use crate::error::{parse_json, Result};
use serde::{Deserialize, Serialize};

pub use validate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// The message's angle: what it leans on to bring the shopper back (FACTS.md reason → angle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Angle {
    /// A plain reminder with a deep link that restores the cart.
    Reminder,
    /// Social proof, price assurance, return policy, delivery estimate.
    Value,
    FreeShipping,
    GuestCheckout,
    Trust,
    ReturnPolicy,
    DeliveryEstimate,
    Urgency,
    /// Follow the reason the storefront reported; fall back to the step's `fallbackAngle`.
    ByReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Unique within the playbook; part of every send id.
    pub key: String,
    pub channel: Channel,
    /// Minutes after abandonment.
    pub delay_minutes: u32,
    pub angle: Angle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_angle: Option<Angle>,
    pub template: String,
    /// Higher wins when only one slot may be used (the US one-cart-SMS rule) or a cap bites.
    pub priority: u8,
    /// Only send if no order and the cart is still active (always true), plus these.
    #[serde(default)]
    pub conditions: Conditions,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Conditions {
    /// Send only if no earlier message of this journey was opened.
    #[serde(default)]
    pub unless_opened: bool,
    /// Send only if an earlier message of this journey was clicked.
    #[serde(default)]
    pub if_clicked: bool,
    /// Minimum cart subtotal in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cart_minor: Option<i64>,
}

/// A rolling-window frequency cap per channel, across every journey of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cap {
    pub channel: Channel,
    pub max: u32,
    pub window_hours: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub version: String,
    pub name: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// Jurisdiction packs that may apply, e.g. ["US", "FR", "EU"]. The recipient's region
    /// picks the applicable ones.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// Share of journeys (0..=100) held out: tracked exactly like the others, never messaged.
    #[serde(default)]
    pub holdout_percent: u8,
    /// Share of traffic (0..=100) this playbook runs on; the rest is left alone.
    #[serde(default = "hundred")]
    pub pilot_percent: u8,
    /// Orders this long after abandonment still count as recovered.
    pub attribution_window_hours: u32,
    /// A journey with nothing left to do ends this long after abandonment.
    pub journey_expiry_hours: u32,
    /// The merchant's own zone: the last resort for quiet hours.
    pub store_time_zone: String,
    /// Base URL of the server handler, for tracked links and one-click unsubscribe.
    pub public_base_url: String,
    /// Up to this many SMS segments per message; longer bodies are shortened.
    #[serde(default = "default_segment_limit")]
    pub sms_segment_limit: u8,
}

fn hundred() -> u8 {
    100
}

fn default_segment_limit() -> u8 {
    2
}

impl Policy {
    /// Parse and validate a playbook. Type errors stop at the first bad field (that is what a
    /// JSON parser can know); rule errors are all reported together.
    pub fn from_json(text: &str) -> Result<Policy> {
        let policy: Policy = parse_json(text)?;
        validate(&policy)?;
        Ok(policy)
    }

    pub fn step(&self, key: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.key == key)
    }

    /// The playbook shipped as the default: the mission's cadence (see policy/DEFAULT.md).
    pub fn default_playbook() -> Policy {
        Policy::from_json(DEFAULT_PLAYBOOK).expect("the shipped default playbook is valid")
    }
}

pub const DEFAULT_PLAYBOOK: &str = include_str!("default.json");

//! The playbook: policy as data (docs/architecture.md, principle 6). One JSON document drives storefront
//! and server alike; it is validated once on load, and every problem is reported with its path.

mod experiment;
mod incentives;
mod read;
mod segment;
mod validate;

use crate::common::channel::Channel;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

pub use experiment::{pilot_arm, Experiment, PilotArm, Variant};
pub use incentives::{IncentiveKind, Incentives, Rung};
pub use segment::{Profile, Responsiveness, Segment};
pub use validate::validate;

/// The message's angle: what it leans on to bring the shopper back (docs/evidence.md reason → angle).
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

impl Angle {
    /// Its JSON names, as `Deserialize` reads them (the stored journeys and the policy are
    /// read by `common::reader`).
    pub const NAMES: &'static [(&'static str, Angle)] = &[
        ("reminder", Angle::Reminder),
        ("value", Angle::Value),
        ("freeShipping", Angle::FreeShipping),
        ("guestCheckout", Angle::GuestCheckout),
        ("trust", Angle::Trust),
        ("returnPolicy", Angle::ReturnPolicy),
        ("deliveryEstimate", Angle::DeliveryEstimate),
        ("urgency", Angle::Urgency),
        ("byReason", Angle::ByReason),
    ];
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
    /// Offer the policy's incentive ladder with this message (subject to every guard).
    #[serde(default)]
    pub offer_incentive: bool,
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

/// One cadence for one segment of shoppers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Playbook {
    pub name: String,
    /// Who it is for. The first playbook whose segment matches wins; exactly one playbook
    /// has no segment and catches everyone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    pub steps: Vec<Step>,
}

impl Playbook {
    pub fn step(&self, key: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.key == key)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub version: String,
    pub name: String,
    pub playbooks: Vec<Playbook>,
    #[serde(default)]
    pub incentives: Incentives,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experiments: Vec<Experiment>,
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
    /// Base URL of the server handler, for tracked links and one-click unsubscribe. The server
    /// runtime always sets it from its own `publicUrl` and `basePath` (js-shim/server/settings.js);
    /// a policy need not carry it, and without it links go to `https://rekindle.invalid`, a
    /// reserved name (RFC 2606) that resolves nowhere, never to a loopback address.
    #[serde(default = "unset_public_base_url")]
    pub public_base_url: String,
    /// Up to this many SMS segments per message; longer bodies are shortened.
    #[serde(default = "default_segment_limit")]
    pub sms_segment_limit: u8,
    /// The merchant's own sending windows per channel, in the recipient's time; they add to
    /// the statutory ones, never relax them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub send_windows: Vec<crate::compliance::quiet_hours::ChannelWindow>,
    #[serde(default)]
    pub retention: Retention,
    /// The store's name as shoppers know it: every SMS and keyword reply starts with it
    /// (CTIA: a message identifies its sender).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    /// How the store looks and speaks in its messages: logo, colour, voice, postal address.
    #[serde(default, skip_serializing_if = "is_default")]
    pub brand: crate::messages::Brand,
    /// What the store promises (return window, free-shipping threshold, delivery days, a held
    /// cart): the only claims a message may make beyond the cart itself.
    #[serde(default, skip_serializing_if = "is_default")]
    pub facts: crate::messages::Facts,
    /// The merchant's own wording per template key, locale and part, validated and audited on
    /// load (`templates.reminder.fr.subject`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub templates: crate::messages::Overrides,
    /// Who answers STOP, START and HELP. Twilio answers them itself (its default opt-out
    /// handling, and Advanced Opt-Out), so by default Rekindle does not: a second confirmation
    /// is a duplicate, and FCC 24-24 allows one. `rekindle` for a provider that does not.
    #[serde(default, skip_serializing_if = "KeywordReplies::is_provider")]
    pub sms_keyword_replies: KeywordReplies,
    /// After a refund, cancellation or edit of one of the shopper's orders, nothing is sent to
    /// them for this long (src/engine/support.rs).
    #[serde(default = "default_support_pause_hours")]
    pub support_pause_hours: u32,
    /// What hostile input may cost: confirmation texts, anonymous state, clock skew.
    #[serde(default)]
    pub limits: Limits,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn default_support_pause_hours() -> u32 {
    72
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeywordReplies {
    #[default]
    Provider,
    Rekindle,
}

impl KeywordReplies {
    fn is_provider(&self) -> bool {
        *self == KeywordReplies::Provider
    }
}

/// Limits against abuse (docs/security.md has the threat model behind each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    /// One "Reply YES" confirmation text per phone number per this many days, whatever the
    /// contact, cart or shop asked: confirmation texts to unconfirmed numbers are the payload
    /// of SMS pumping.
    pub sms_confirmation_days_per_number: u32,
    /// The shop's budget of confirmation texts per day; past it they are refused and the
    /// merchant alerted, never queued.
    pub sms_confirmations_per_day: u32,
    /// A contact with no platform identity (only a browser's anonymous id) is forgotten this
    /// long after its last event.
    pub anonymous_ttl_hours: u32,
    /// How far ahead of the server's clock a browser's timestamp may be; later ones are
    /// clamped to the receive time plus this.
    pub clock_skew_seconds: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { sms_confirmation_days_per_number: 30, sms_confirmations_per_day: 200, anonymous_ttl_hours: 6, clock_skew_seconds: 120 }
    }
}

/// How long closed journeys are kept, per region (GDPR storage limitation; CCPA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Retention {
    pub days: u32,
    /// Overrides by country or region code ("FR", "US-CA"); the most specific match wins.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub regions: std::collections::BTreeMap<String, u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { days: 365, regions: Default::default() }
    }
}

impl Retention {
    /// The longest retention, regions included: how long a message's record is kept for "why
    /// this message" (`measurement::messages_kept_for`), since the record has no region to
    /// choose by. Here rather than in measurement: the decision engine's bindings report it.
    pub fn longest(&self) -> chrono::Duration {
        let days = self.regions.values().copied().chain([self.days]).max().unwrap_or(self.days);
        chrono::Duration::days(days as i64)
    }

    pub fn days_for(&self, region: Option<&str>) -> u32 {
        let Some(region) = region else { return self.days };
        let country = region.split('-').next().unwrap_or(region);
        self.regions.get(region).or_else(|| self.regions.get(country)).copied().unwrap_or(self.days)
    }
}

fn hundred() -> u8 {
    100
}

fn default_segment_limit() -> u8 {
    2
}

fn unset_public_base_url() -> String {
    "https://rekindle.invalid".to_string()
}

impl Policy {
    pub fn playbook(&self, name: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.name == name)
    }

    /// The first playbook whose segment the shopper is in, else the catch-all.
    pub fn choose(&self, profile: &Profile<'_>) -> &Playbook {
        self.playbooks
            .iter()
            .find(|p| p.segment.as_ref().is_some_and(|s| s.matches(profile)))
            .or_else(|| self.playbooks.iter().find(|p| p.segment.is_none()))
            .unwrap_or(&self.playbooks[0])
    }

    /// How a playbook ranks its step (0 if the step is gone from it).
    pub fn priority(&self, playbook: &str, step: &str) -> u8 {
        self.playbook(playbook).and_then(|p| p.step(step)).map_or(0, |s| s.priority)
    }

    /// The experiment arm `unit` is in for `step`, if the step is under an experiment.
    pub fn variant_for(&self, step: &str, unit: &str) -> Option<(&Experiment, &Variant)> {
        let experiment = self.experiments.iter().find(|e| e.step == step)?;
        Some((experiment, experiment.assign(unit)))
    }

    /// A playbook's step as a given experiment arm sees it: the step itself (not a copy)
    /// outside experiments.
    pub fn resolve_step(&self, playbook: &str, step: &str, variant: Option<&str>) -> Option<Cow<'_, Step>> {
        let planned = self.playbook(playbook)?.step(step)?;
        let arm = variant.and_then(|key| {
            let experiment = self.experiments.iter().find(|e| e.step == step)?;
            experiment.variants.iter().find(|v| v.key == key)
        });
        let Some(arm) = arm else { return Some(Cow::Borrowed(planned)) };
        let mut resolved = planned.clone();
        if let Some(template) = &arm.template {
            resolved.template = template.clone();
        }
        if let Some(angle) = arm.angle {
            resolved.angle = angle;
        }
        if let Some(delay) = arm.delay_minutes {
            resolved.delay_minutes = delay;
        }
        if let Some(channel) = arm.channel {
            resolved.channel = channel;
        }
        if let Some(offer) = arm.offer_incentive {
            resolved.offer_incentive = offer;
        }
        Some(Cow::Owned(resolved))
    }

    /// Parse and validate a policy. Type errors stop at the first bad field (that is what a
    /// JSON parser can know); rule errors are all reported together.
    pub fn from_json(text: &str) -> Result<Policy> {
        let policy = crate::common::reader::from_text(text, Policy::read)?;
        validate(&policy)?;
        Ok(policy)
    }

    /// The policy shipped as the default: the mission's cadence, plus a light and a persistent
    /// playbook chosen by segment (see src/policy/PLAYBOOKS.md).
    pub fn default_policy() -> Policy {
        Policy::from_json(DEFAULT_POLICY).expect("the shipped default policy is valid")
    }
}

pub const DEFAULT_POLICY: &str = include_str!("default.json");

//! One abandoned cart or checkout, from abandonment to recovery, expiry or supersession.

use crate::common::cart::Cart;
use crate::common::channel::Channel;
use crate::common::reader::Object;
use crate::common::reason::ReasonSignal;
use crate::policy::Angle;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JourneyStatus {
    Active,
    /// An order matched it: nothing more is sent.
    Recovered,
    /// A newer cart of the same contact took over.
    Superseded,
    Expired,
    /// The contact opted out of everything or was erased.
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SendStatus {
    Scheduled,
    Sent,
    Skipped,
    Cancelled,
    Failed,
}

/// A planned message: a promise to ask again when it comes due (principle 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlannedSend {
    /// Deterministic: journey, step, channel, attempt. The provider's idempotency key.
    pub id: String,
    pub step: String,
    pub channel: Channel,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub due_at: DateTime<Utc>,
    pub status: SendStatus,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempt: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<Angle>,
    /// The experiment arm this send is in, if its step is under an experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The provider reported it delivered (a delivery receipt, status callback or event).
    #[serde(default, skip_serializing_if = "is_false")]
    pub delivered: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub opened: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub clicked: bool,
    /// When it was due before a pause or support exception held it: lifting the hold brings
    /// it back to then (or now, if that has passed), not to the hold's recheck time.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub held_from: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Journey {
    pub id: String,
    pub status: JourneyStatus,
    /// The policy version it runs under (principle 6), and the playbook its segment chose.
    pub policy_version: String,
    pub playbook: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub abandoned_at: DateTime<Utc>,
    pub cart: Cart,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<ReasonSignal>,
    /// Held out of messaging for incrementality measurement, tracked like any other.
    #[serde(default, skip_serializing_if = "is_false")]
    pub holdout: bool,
    /// Its contact is outside a partial pilot (`pilotPercent` < 100): tracked, never messaged,
    /// so the report can compare the pilot with shoppers Rekindle left alone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub left_alone: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sends: Vec<PlannedSend>,
    /// The one incentive this journey offers, once chosen: later sends repeat it, never stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive: Option<super::offer::Offer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_minor: Option<i64>,
    /// What happened to the recovering order afterwards (refunded, cancelled, edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_outcome: Option<OrderOutcome>,
    /// Latest source timestamp applied to the cart: an older snapshot is stale.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub cart_updated_at: DateTime<Utc>,
    /// Started by a browser beacon: tracked (its reasons kept) but not planned, because a
    /// browser cannot say whom to message or vouch for the cart (principle 5). A platform
    /// event for the same cart replaces the snapshot and plans the sends.
    #[serde(default, skip_serializing_if = "is_false")]
    pub awaiting_platform: bool,
    /// The addresses the platform gave with this cart: its messages go there and nowhere
    /// else, whatever a later checkout of the same contact says (docs/security.md, Identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// An operator paused this journey only (the console).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<super::contact::Hold>,
}

/// What happened to a journey's recovering order afterwards (support exceptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderOutcome {
    Refunded,
    Cancelled,
    Edited,
}

impl OrderOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderOutcome::Refunded => "refunded",
            OrderOutcome::Cancelled => "cancelled",
            OrderOutcome::Edited => "edited",
        }
    }
}

impl JourneyStatus {
    pub const NAMES: &'static [(&'static str, JourneyStatus)] = &[
        ("active", JourneyStatus::Active),
        ("recovered", JourneyStatus::Recovered),
        ("superseded", JourneyStatus::Superseded),
        ("expired", JourneyStatus::Expired),
        ("stopped", JourneyStatus::Stopped),
    ];
}

impl SendStatus {
    pub const NAMES: &'static [(&'static str, SendStatus)] = &[
        ("scheduled", SendStatus::Scheduled),
        ("sent", SendStatus::Sent),
        ("skipped", SendStatus::Skipped),
        ("cancelled", SendStatus::Cancelled),
        ("failed", SendStatus::Failed),
    ];
}

impl OrderOutcome {
    pub const NAMES: &'static [(&'static str, OrderOutcome)] =
        &[("refunded", OrderOutcome::Refunded), ("cancelled", OrderOutcome::Cancelled), ("edited", OrderOutcome::Edited)];
}

/// The stored journey's reader (`common::reader`): unknown fields refused, as `Deserialize` did.
impl PlannedSend {
    fn read(o: Object) -> crate::Result<PlannedSend> {
        let o = o.only(&[
            "id", "step", "channel", "dueAt", "status", "attempt", "angle", "variant", "delivered", "opened", "clicked",
            "heldFrom",
        ])?;
        Ok(PlannedSend {
            id: o.required_text("id")?,
            step: o.required_text("step")?,
            channel: o.required_one_of("channel", Channel::NAMES)?,
            due_at: o.required_millis("dueAt")?,
            status: o.required_one_of("status", SendStatus::NAMES)?,
            attempt: o.small("attempt")?.unwrap_or(0),
            angle: o.one_of("angle", Angle::NAMES)?,
            variant: o.text("variant")?,
            delivered: o.flag("delivered")?.unwrap_or(false),
            opened: o.flag("opened")?.unwrap_or(false),
            clicked: o.flag("clicked")?.unwrap_or(false),
            held_from: o.millis("heldFrom")?,
        })
    }
}

impl Journey {
    pub(crate) fn read(o: Object) -> crate::Result<Journey> {
        let o = o.only(&[
            "id", "status", "policyVersion", "playbook", "abandonedAt", "cart", "reasons", "holdout", "leftAlone", "sends",
            "incentive", "orderId", "recoveredMinor", "orderOutcome", "cartUpdatedAt", "awaitingPlatform", "email", "phone",
            "paused",
        ])?;
        Ok(Journey {
            id: o.required_text("id")?,
            status: o.required_one_of("status", JourneyStatus::NAMES)?,
            policy_version: o.required_text("policyVersion")?,
            playbook: o.required_text("playbook")?,
            abandoned_at: o.required_millis("abandonedAt")?,
            cart: Cart::read(o.required_object("cart")?)?,
            reasons: o.objects("reasons", ReasonSignal::read)?.unwrap_or_default(),
            holdout: o.flag("holdout")?.unwrap_or(false),
            left_alone: o.flag("leftAlone")?.unwrap_or(false),
            sends: o.objects("sends", PlannedSend::read)?.unwrap_or_default(),
            incentive: o.object("incentive")?.map(super::offer::Offer::read).transpose()?,
            order_id: o.text("orderId")?,
            recovered_minor: o.whole("recoveredMinor")?,
            order_outcome: o.one_of("orderOutcome", OrderOutcome::NAMES)?,
            cart_updated_at: o.required_millis("cartUpdatedAt")?,
            awaiting_platform: o.flag("awaitingPlatform")?.unwrap_or(false),
            email: o.text("email")?,
            phone: o.text("phone")?,
            paused: o.object("paused")?.map(super::contact::Hold::read).transpose()?,
        })
    }

    /// Where this journey's messages on `channel` go: the address given with its cart
    /// (journeys stored before addresses were per cart fall back to the contact's).
    pub fn address<'a>(&'a self, channel: Channel, contact: &'a crate::model::contact::Contact) -> Option<&'a str> {
        let own = match channel {
            Channel::Email => self.email.as_deref(),
            Channel::Sms => self.phone.as_deref(),
        };
        if self.email.is_some() || self.phone.is_some() {
            own
        } else {
            contact.address(channel)
        }
    }

    pub fn send(&self, action_id: &str) -> Option<&PlannedSend> {
        self.sends.iter().find(|s| s.id == action_id)
    }

    pub fn send_mut(&mut self, action_id: &str) -> Option<&mut PlannedSend> {
        self.sends.iter_mut().find(|s| s.id == action_id)
    }

    pub fn pending(&self) -> impl Iterator<Item = &PlannedSend> {
        self.sends
            .iter()
            .filter(|s| s.status == SendStatus::Scheduled)
    }

    pub fn any_opened(&self) -> bool {
        self.sends.iter().any(|s| s.opened)
    }

    pub fn any_clicked(&self) -> bool {
        self.sends.iter().any(|s| s.clicked)
    }

    pub fn sent_on(&self, channel: Channel) -> usize {
        self.sends
            .iter()
            .filter(|s| s.channel == channel && s.status == SendStatus::Sent)
            .count()
    }
}

// Stored state is parsed and written on every decision: fields at their defaults are left out.
fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

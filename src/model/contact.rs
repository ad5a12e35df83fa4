//! The shopper, across every cart they leave: how to reach them, what they agreed to, what
//! they were sent (for caps and anti-gaming), and which inputs were already applied.

use crate::common::channel::Channel;
use crate::common::reader::Object;
use crate::compliance::consent::ConsentLedger;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    /// Stable pseudonymous key (a hash of the platform's customer id or normalised email),
    /// chosen by the caller; never an address in clear.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Zone hints, most trusted first: browser zone, then the store's zone as a fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The shopper's language tag (BCP 47, "fr-CA"): which language the messages are in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub returning: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mobile: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consent: ConsentLedger,
    /// Channels suppressed after a hard bounce or a complaint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Channel>,
    /// Recent sends across journeys, for rolling-window caps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<SentRecord>,
    /// Ids of recently applied events: a repeat changes nothing.
    #[serde(default, skip_serializing_if = "VecDeque::is_empty", deserialize_with = "fingerprints")]
    pub seen: VecDeque<u64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stats: Stats,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub preferences: Preferences,
    /// Since when an SMS reply that may be an opt-out ("no more texts") awaits the shopper's
    /// answer to the one clarifying text: no marketing SMS until STOP or START resolves it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub sms_opt_out_unclear_since: Option<DateTime<Utc>>,
    /// Support exceptions: no message until then (a refund, cancellation or order edit).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub support_hold_until: Option<DateTime<Utc>>,
    /// Open support exceptions (help-desk tickets, or the console's refund, changed order or
    /// ticket): nothing is sent while one is open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_tickets: Vec<OpenTicket>,
    /// An operator's pause of the whole contact (the console): nothing is sent while it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_pause: Option<Hold>,
    /// Set once personal data was erased: nothing is ever sent again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub erased: bool,
    /// The last SMS double opt-in ("Reply YES") text: planned or sent, to which number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_confirmation: Option<SmsConfirmation>,
    /// When this contact is forgotten if no platform identity arrives (anonymous visitors).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub forget_at: Option<DateTime<Utc>>,
    /// When this contact's housekeeping due entry fires: the next journey expiry or retention
    /// horizon (engine/housekeeping.rs). Kept so only a moved horizon emits an action.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub housekeeping_at: Option<DateTime<Utc>>,
    /// When the last event other than the scheduler's arrived: retention counts from here for
    /// a contact with no journey (one known only from a consent change or a text).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A confirmation text is a message like any other: quiet hours defer it, and it is capped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmsConfirmation {
    /// Its action id: the due entry while deferred, the reply's id when it goes.
    pub id: String,
    pub to: String,
    /// When it went or is due.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    /// Sent, skipped or refused: nothing more is done for it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub settled: bool,
}

/// An operator's pause, of a contact or of one journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Hold {
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub since: DateTime<Utc>,
    /// None: until an operator resumes.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub until: Option<DateTime<Utc>>,
}

impl Hold {
    pub(crate) fn read(o: Object) -> crate::Result<Hold> {
        let o = o.only(&["since", "until"])?;
        Ok(Hold { since: o.required_millis("since")?, until: o.millis("until")? })
    }

    /// Whether it still holds at `at`.
    pub fn holds_at(&self, at: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| until > at)
    }
}

/// One open support exception. Stored before exceptions had a kind, reason or end as the
/// bare ticket id: both shapes read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenTicket {
    pub id: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub kind: super::event::SupportKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub until: Option<DateTime<Utc>>,
}

impl OpenTicket {
    /// The bare ticket id of older state, or the full record.
    fn read(contact: &Object, value: &serde_json::Value, path: String) -> crate::Result<OpenTicket> {
        if let Some(id) = value.as_str() {
            return Ok(OpenTicket { id: id.to_string(), kind: Default::default(), reason: None, until: None });
        }
        let o = contact.child(value, path)?.only(&["id", "kind", "reason", "until"])?;
        Ok(OpenTicket {
            id: o.required_text("id")?,
            kind: o.one_of("kind", super::event::SupportKind::NAMES)?.unwrap_or_default(),
            reason: o.text("reason")?,
            until: o.millis("until")?,
        })
    }

    pub fn holds_at(&self, at: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| until > at)
    }
}

impl<'de> Deserialize<'de> for OpenTicket {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            id: String,
            #[serde(default)]
            kind: super::event::SupportKind,
            #[serde(default)]
            reason: Option<String>,
            #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
            until: Option<DateTime<Utc>>,
        }
        // A visitor rather than `#[serde(untagged)]`, which buffers through serde's generic
        // content tree: that alone weighed kilobytes of the server wasm.
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = OpenTicket;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a ticket id or an open ticket")
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<OpenTicket, E> {
                Ok(OpenTicket { id: id.to_string(), kind: Default::default(), reason: None, until: None })
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<OpenTicket, M::Error> {
                let f = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(OpenTicket { id: f.id, kind: f.kind, reason: f.reason, until: f.until })
            }
        }
        d.deserialize_any(Either)
    }
}

/// How often the contact wants to hear from us (the preference centre).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preferences {
    #[serde(default)]
    pub frequency: super::event::Frequency,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub paused_until: Option<DateTime<Utc>>,
}

/// Non-identifying history: how this contact responds, for segments and anti-gaming.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stats {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub messages: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub opens: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clicks: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub orders: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_milliseconds_option")]
    pub last_incentive_at: Option<DateTime<Utc>>,
    /// Times a new cart was abandoned soon after an incentive went unused.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub abandons_after_incentive: u32,
}

impl Stats {
    fn read(o: Object) -> crate::Result<Stats> {
        let o = o.only(&["messages", "opens", "clicks", "orders", "lastOrderId", "lastIncentiveAt", "abandonsAfterIncentive"])?;
        Ok(Stats {
            messages: o.count("messages")?.unwrap_or(0),
            opens: o.count("opens")?.unwrap_or(0),
            clicks: o.count("clicks")?.unwrap_or(0),
            orders: o.count("orders")?.unwrap_or(0),
            last_order_id: o.text("lastOrderId")?,
            last_incentive_at: o.millis("lastIncentiveAt")?,
            abandons_after_incentive: o.count("abandonsAfterIncentive")?.unwrap_or(0),
        })
    }

    pub fn responsiveness(&self) -> crate::policy::Responsiveness {
        use crate::policy::Responsiveness;
        if self.messages < 3 {
            Responsiveness::New
        } else if self.opens.max(self.clicks) * 10 >= self.messages * 3 {
            Responsiveness::Engaged
        } else {
            Responsiveness::Unengaged
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentRecord {
    pub action_id: String,
    pub channel: Channel,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
}

impl Preferences {
    fn read(o: Object) -> crate::Result<Preferences> {
        let o = o.only(&["frequency", "pausedUntil"])?;
        Ok(Preferences {
            frequency: o.one_of("frequency", super::event::Frequency::NAMES)?.unwrap_or_default(),
            paused_until: o.millis("pausedUntil")?,
        })
    }
}

impl SentRecord {
    fn read(o: Object) -> crate::Result<SentRecord> {
        let o = o.only(&["actionId", "channel", "at"])?;
        Ok(SentRecord {
            action_id: o.required_text("actionId")?,
            channel: o.required_one_of("channel", Channel::NAMES)?,
            at: o.required_millis("at")?,
        })
    }
}

impl SmsConfirmation {
    fn read(o: Object) -> crate::Result<SmsConfirmation> {
        let o = o.only(&["id", "to", "at", "settled"])?;
        Ok(SmsConfirmation {
            id: o.required_text("id")?,
            to: o.required_text("to")?,
            at: o.required_millis("at")?,
            settled: o.flag("settled")?.unwrap_or(false),
        })
    }
}

/// How many event ids a contact remembers. Webhook retries arrive within hours; a few dozen
/// inputs cover a journey's whole life.
pub const SEEN_CAPACITY: usize = 64;

/// The stored contact's reader (`common::reader`): unknown fields refused, as `Deserialize`
/// did; fields left out at their defaults read as those defaults.
impl Contact {
    pub(crate) fn read(o: Object) -> crate::Result<Contact> {
        let o = o.only(&[
            "id", "email", "phone", "firstName", "timeZone", "region", "locale", "returning", "mobile", "consent",
            "suppressed", "sent", "seen", "stats", "preferences", "smsOptOutUnclearSince", "supportHoldUntil",
            "openTickets", "operatorPause", "erased", "smsConfirmation", "forgetAt", "housekeepingAt", "lastSeenAt",
        ])?;
        // Fingerprints written with all 64 bits, before the mask, read masked.
        let seen = o.read("seen", "an array of whole numbers", |v| {
            v.as_array()?.iter().map(|f| Some(f.as_u64()? & ((1 << 53) - 1))).collect::<Option<VecDeque<u64>>>()
        })?;
        let tickets = o.items("openTickets")?.unwrap_or_default();
        Ok(Contact {
            id: o.required_text("id")?,
            email: o.text("email")?,
            phone: o.text("phone")?,
            first_name: o.text("firstName")?,
            time_zone: o.text("timeZone")?,
            region: o.text("region")?,
            locale: o.text("locale")?,
            returning: o.flag("returning")?.unwrap_or(false),
            mobile: o.flag("mobile")?.unwrap_or(false),
            consent: o.object_or_default("consent", ConsentLedger::read)?,
            suppressed: o.each_one_of("suppressed", Channel::NAMES)?.unwrap_or_default(),
            sent: o.objects("sent", SentRecord::read)?.unwrap_or_default(),
            seen: seen.unwrap_or_default(),
            stats: o.object_or_default("stats", Stats::read)?,
            preferences: o.object_or_default("preferences", Preferences::read)?,
            sms_opt_out_unclear_since: o.millis("smsOptOutUnclearSince")?,
            support_hold_until: o.millis("supportHoldUntil")?,
            open_tickets: tickets.into_iter().map(|(path, ticket)| OpenTicket::read(&o, ticket, path)).collect::<crate::Result<_>>()?,
            operator_pause: o.object("operatorPause")?.map(Hold::read).transpose()?,
            erased: o.flag("erased")?.unwrap_or(false),
            sms_confirmation: o.object("smsConfirmation")?.map(SmsConfirmation::read).transpose()?,
            forget_at: o.millis("forgetAt")?,
            housekeeping_at: o.millis("housekeepingAt")?,
            last_seen_at: o.millis("lastSeenAt")?,
        })
    }

    pub fn new(id: impl Into<String>) -> Self {
        Contact {
            id: id.into(),
            ..Contact::default()
        }
    }

    /// Record an event id; false if it was already applied. Ids are kept as 64-bit hashes:
    /// a fraction of the bytes, and no provider ids in clear in the stored state.
    pub fn first_sighting(&mut self, event_id: &str) -> bool {
        let hash = event_fingerprint(event_id);
        if self.seen.contains(&hash) {
            return false;
        }
        if self.seen.len() == SEEN_CAPACITY {
            self.seen.pop_front();
        }
        self.seen.push_back(hash);
        true
    }

    /// No platform identity: nobody to message, only a browser's anonymous id.
    pub fn is_anonymous(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && !self.erased
    }

    pub fn address(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Email => self.email.as_deref(),
            Channel::Sms => self.phone.as_deref(),
        }
    }

    pub fn sends_within(&self, channel: Channel, since: DateTime<Utc>) -> usize {
        self.sent
            .iter()
            .filter(|s| s.channel == channel && s.at >= since)
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

/// An event id's fingerprint: 53 bits of its FNV-1a hash, so that a host that reads the
/// stored state with JavaScript's JSON.parse (whose numbers are doubles) keeps it exact.
pub fn event_fingerprint(event_id: &str) -> u64 {
    crate::common::ids::fnv1a64(event_id) & ((1 << 53) - 1)
}

/// Fingerprints as stored; those written with all 64 bits, before the mask, read masked.
fn fingerprints<'de, D: serde::Deserializer<'de>>(d: D) -> Result<VecDeque<u64>, D::Error> {
    let mut seen = VecDeque::<u64>::deserialize(d)?;
    seen.iter_mut().for_each(|f| *f &= (1 << 53) - 1);
    Ok(seen)
}

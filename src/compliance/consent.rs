//! The consent ledger: per channel, what the contact agreed to, when, where and on what text.
//!
//! Principle 5: a browser can *ask* for SMS consent but cannot grant it. Storefront SMS
//! consent stays `Pending` until the platform confirms it or the shopper replies YES to a
//! double opt-in text.

use crate::common::channel::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum ConsentStatus {
    #[default]
    Unknown,
    Pending,
    Granted,
    Revoked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConsentSource {
    Storefront,
    Checkout,
    PlatformWebhook,
    SmsKeyword,
    DoubleOptInReply,
    Import,
    Unsubscribe,
    Suppression,
    /// The preference centre page: reached through a signed link, but still a web page.
    PreferenceCentre,
    /// The SMS provider reported the number unsubscribed at the carrier or provider level
    /// (Twilio error 21610): nothing reaches it until the shopper texts START.
    CarrierBlock,
}

impl ConsentStatus {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, ConsentStatus)] = &[
        ("unknown", ConsentStatus::Unknown),
        ("pending", ConsentStatus::Pending),
        ("granted", ConsentStatus::Granted),
        ("revoked", ConsentStatus::Revoked),
    ];
}

impl ConsentSource {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, ConsentSource)] = &[
        ("storefront", ConsentSource::Storefront),
        ("checkout", ConsentSource::Checkout),
        ("platformWebhook", ConsentSource::PlatformWebhook),
        ("smsKeyword", ConsentSource::SmsKeyword),
        ("doubleOptInReply", ConsentSource::DoubleOptInReply),
        ("import", ConsentSource::Import),
        ("unsubscribe", ConsentSource::Unsubscribe),
        ("suppression", ConsentSource::Suppression),
        ("preferenceCentre", ConsentSource::PreferenceCentre),
        ("carrierBlock", ConsentSource::CarrierBlock),
    ];

    /// Sources a browser controls. They can never move SMS consent to `Granted`.
    pub fn is_client_side(self) -> bool {
        matches!(self, ConsentSource::Storefront | ConsentSource::PreferenceCentre)
    }
}

/// One recorded change. Entries are appended, never rewritten: the ledger is the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentEntry {
    pub status: ConsentStatus,
    pub source: ConsentSource,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_version: Option<String>,
    /// SHA-256 (hex) of whatever evidence the source gave (checkbox label, webhook id, reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentLedger {
    #[serde(default)]
    pub email: Vec<ConsentEntry>,
    #[serde(default)]
    pub sms: Vec<ConsentEntry>,
}

/// The outcome of asking the ledger to record something.
/// The stored ledger's reader (`common::reader`): unknown fields refused, as `Deserialize` did.
#[cfg(feature = "server")]
impl ConsentLedger {
    pub(crate) fn read(o: crate::common::reader::Object) -> crate::Result<ConsentLedger> {
        let o = o.only(&["email", "sms"])?;
        Ok(ConsentLedger {
            email: o.objects("email", ConsentEntry::read)?.unwrap_or_default(),
            sms: o.objects("sms", ConsentEntry::read)?.unwrap_or_default(),
        })
    }
}

#[cfg(feature = "server")]
impl ConsentEntry {
    fn read(o: crate::common::reader::Object) -> crate::Result<ConsentEntry> {
        let o = o.only(&["status", "source", "at", "textVersion", "evidenceHash", "jurisdiction"])?;
        Ok(ConsentEntry {
            status: o.required_one_of("status", ConsentStatus::NAMES)?,
            source: o.required_one_of("source", ConsentSource::NAMES)?,
            at: o.required_millis("at")?,
            text_version: o.text("textVersion")?,
            evidence_hash: o.text("evidenceHash")?,
            jurisdiction: o.text("jurisdiction")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Recorded(ConsentStatus),
    /// A browser tried to grant SMS consent: recorded as pending instead.
    DowngradedToPending,
    /// Nothing changed (same status again, or an older event than the last entry).
    Ignored,
}

impl ConsentLedger {
    pub fn entries(&self, channel: Channel) -> &Vec<ConsentEntry> {
        match channel {
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
        }
    }

    fn entries_mut(&mut self, channel: Channel) -> &mut Vec<ConsentEntry> {
        match channel {
            Channel::Email => &mut self.email,
            Channel::Sms => &mut self.sms,
        }
    }

    pub fn status(&self, channel: Channel) -> ConsentStatus {
        self.entries(channel)
            .last()
            .map(|e| e.status)
            .unwrap_or_default()
    }

    /// May a marketing message go out on `channel` now?
    pub fn allows(&self, channel: Channel) -> bool {
        self.status(channel) == ConsentStatus::Granted
    }

    /// Apply the explicit transition rules:
    /// - anything → Revoked, always (an opt-out wins every race);
    /// - a client-side source asking for SMS `Granted` → `Pending`;
    /// - Pending → Granted only from a trusted source;
    /// - an entry older than the newest one is ignored (late delivery), except a revocation;
    /// - the same event again (status, source and instant of an entry already recorded) is
    ///   ignored, a revocation too: a retried STOP must not undo a later START;
    /// - `Unknown` is ignored: it says nothing was agreed or withdrawn;
    /// - after a STOP, only START from the number itself re-subscribes it (no web request);
    /// - after a carrier block (Twilio 21610) no opt-in lifts it but a keyword from the number
    ///   itself (START, or YES to a double opt-in): the carrier would drop every text anyway.
    ///
    /// `tests/consent_ledger.rs` holds the whole table.
    pub fn record(&mut self, channel: Channel, mut entry: ConsentEntry) -> Transition {
        if entry.status == ConsentStatus::Unknown {
            return Transition::Ignored;
        }
        let mut downgraded = false;
        if channel == Channel::Sms
            && entry.status == ConsentStatus::Granted
            && entry.source.is_client_side()
        {
            entry.status = ConsentStatus::Pending;
            downgraded = true;
        }
        let entries = self.entries_mut(channel);
        let repeated = entries
            .iter()
            .any(|e| e.status == entry.status && e.source == entry.source && e.at == entry.at);
        // The newest entry, not the last: a late revocation is appended after newer entries.
        let newest = entries.iter().map(|e| e.at).max();
        if let Some(last) = entries.last() {
            let stale = newest.is_some_and(|newest| entry.at < newest)
                && entry.status != ConsentStatus::Revoked;
            let same = last.status == entry.status;
            // Pending never overrides consent a trusted source already granted.
            let weaker =
                entry.status == ConsentStatus::Pending && last.status == ConsentStatus::Granted;
            // Someone who texted STOP is re-subscribed only by texting START: a web page must
            // not trigger a double opt-in text to a number that opted out (CTIA).
            let after_stop = entry.status == ConsentStatus::Pending
                && entry.source.is_client_side()
                && last.status == ConsentStatus::Revoked
                && last.source == ConsentSource::SmsKeyword;
            let blocked = matches!(entry.status, ConsentStatus::Granted | ConsentStatus::Pending)
                && last.status == ConsentStatus::Revoked
                && last.source == ConsentSource::CarrierBlock
                && !matches!(entry.source, ConsentSource::SmsKeyword | ConsentSource::DoubleOptInReply);
            if repeated || stale || same || weaker || after_stop || blocked {
                return Transition::Ignored;
            }
        }
        let status = entry.status;
        entries.push(entry);
        if downgraded {
            Transition::DowngradedToPending
        } else {
            Transition::Recorded(status)
        }
    }
}

/// Twilio error 21610: "Attempt to send to unsubscribed recipient". The number texted STOP to
/// this sender at the carrier or Twilio level, and nothing reaches it until it texts START.
/// Twilio answers it when the message is created (the transport reports `twilio:21610`) or in
/// a status callback; either way SMS is blocked for the contact ([`ConsentSource::CarrierBlock`]).
const UNSUBSCRIBED_RECIPIENT: &str = "21610";

/// Whether a send failure's code (`<provider>:<code>`, as the transports and the Twilio status
/// ingest write it) says the recipient is unsubscribed at the carrier or provider level.
pub fn means_carrier_block(code: &str) -> bool {
    code.strip_prefix("twilio:") == Some(UNSUBSCRIBED_RECIPIENT)
}

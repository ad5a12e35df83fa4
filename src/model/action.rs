//! What the engine asks the shim to do. The shim performs actions; it never decides them.

use super::message::Message;
use crate::common::channel::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Action {
    /// Put `id` in the due index for `at`; hand it back as a `due` event then.
    #[serde(rename_all = "camelCase")]
    Schedule {
        id: String,
        journey_id: String,
        step: String,
        channel: Channel,
        at: DateTime<Utc>,
    },
    /// Move `id` in the due index (quiet hours, a cap).
    #[serde(rename_all = "camelCase")]
    Defer {
        id: String,
        at: DateTime<Utc>,
        reason: String,
    },
    /// Dispatch now, with `id` as the provider's idempotency key.
    #[serde(rename_all = "camelCase")]
    Send {
        id: String,
        journey_id: String,
        channel: Channel,
        to: String,
        message: Message,
    },
    /// Remove `id` from the due index (and cancel provider-side scheduling, if any).
    #[serde(rename_all = "camelCase")]
    Cancel { id: String, reason: String },
    /// A due send that will not go out, with the recorded reason.
    #[serde(rename_all = "camelCase")]
    Skip { id: String, reason: String },
    /// A transactional SMS answer to a keyword (HELP, STOP and START confirmations, double
    /// opt-in). Not marketing: allowed without marketing consent, by carrier rules.
    #[serde(rename_all = "camelCase")]
    Reply {
        id: String,
        to: String,
        body: String,
        segments: u8,
        /// Counters the host must take in its store before sending (all of them), because
        /// they span contacts: one engine state cannot see another's. None taken: not sent.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        limits: Vec<SendLimit>,
    },
    /// Ask the platform to mint a unique code for this offer (Shopify discount codes); the
    /// dispatcher puts the code into the message whose `incentive.couponRequestId` matches.
    #[serde(rename_all = "camelCase")]
    RequestCoupon {
        id: String,
        journey_id: String,
        offer: super::offer::Offer,
        /// The code to create: the messages print it (`Offer::code`).
        code: String,
    },
    /// Tell the platform what the shopper told Rekindle (a STOP, an unsubscribe link, the
    /// preference centre, a START), so the platform's own marketing and other apps follow it.
    /// Only for what Rekindle learned itself: a change the platform reported is never echoed.
    #[serde(rename_all = "camelCase")]
    ReportConsent {
        /// Deterministic (contact, channel, when): the host queues it like a send, once.
        id: String,
        channel: Channel,
        status: crate::compliance::consent::ConsentStatus,
        source: crate::compliance::consent::ConsentSource,
        /// The address the platform knows the shopper by on this channel (its customer lookup).
        address: String,
        at: DateTime<Utc>,
    },
    /// Answer a data request: everything held about the contact, as stored.
    #[serde(rename_all = "camelCase")]
    Export { contact_id: String, data: super::state::State },
    /// Forget the contact entirely (its state, index keys and due entries): an anonymous
    /// visitor with no platform identity whose time ran out. Unlike erasure, no tombstone.
    #[serde(rename_all = "camelCase")]
    Forget { contact_id: String },
    /// A contact idle past retention: the store drops its index keys, due entries and queued
    /// sends and clears its ledger details, as for an erasure, before this decision's own rows
    /// land. Unlike erasure, nothing is suppressed at the providers and the contact may return.
    #[serde(rename_all = "camelCase")]
    Purge { contact_id: String },
    /// Erase personal data for this contact: store keys and provider-side data.
    #[serde(rename_all = "camelCase")]
    Erase {
        contact_id: String,
        journey_ids: Vec<String>,
        /// The addresses to put on each channel's provider suppression list: the action is
        /// the last place they exist, since the erased state no longer holds them.
        provider_suppressions: Vec<ProviderSuppression>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSuppression {
    pub channel: Channel,
    pub address: String,
}

/// A counter shared across contacts: at most `max` per `window_hours`, keyed by `key`, and by
/// the recipient's address too when `per_address` (the host hashes it with the salt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendLimit {
    pub key: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_address: bool,
    pub max: u32,
    pub window_hours: u32,
}

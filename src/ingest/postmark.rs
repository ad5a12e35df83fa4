//! Postmark webhooks → engine events. Postmark posts one JSON object per event, its kind in
//! `RecordType`. Rekindle sends its ids as the message's `Metadata` (`rekindle_contact`,
//! `rekindle_action`) and Postmark echoes Metadata on every webhook, which is how an event
//! finds its contact. An event without them is matched by its `MessageID` in the ledger (see
//! the module docs in `ingest`); one the ledger does not know is some other sender's mail on
//! the same server.
//!
//! Postmark numbers no webhook delivery, so event ids are built from what a retry repeats
//! exactly: the message id, the record type and the record's own time (or bounce id).

use super::sendgrid::{ACTION_ARG, CONTACT_ARG};
use super::{by_message, ByMessage, Ingested, Routed, SentMessages};
use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::model::event::{ActionRef, Bounce, Event, EventBody, Unsubscribe};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Bounce types that say the address itself is bad: retrying it harms the sender's reputation.
const PERMANENT_BOUNCES: &[&str] = &["HardBounce", "BadEmailAddress", "ManuallyDeactivated"];
/// Bounce records that are not failed deliveries (auto-replies, list traffic, tests).
const NOT_FAILURES: &[&str] = &[
    "AutoResponder",
    "Subscribe",
    "AddressChange",
    "OpenRelayTest",
    "ChallengeVerification",
];

/// Postmark's `TypeCode` for each bounce `Type` that matters here, for records that carry
/// only the code.
const TYPE_CODES: &[(i64, &str)] = &[
    (1, "HardBounce"),
    (2, "Transient"),
    (16, "Unsubscribe"),
    (32, "Subscribe"),
    (64, "AutoResponder"),
    (128, "AddressChange"),
    (512, "SpamNotification"),
    (1024, "OpenRelayTest"),
    (4096, "SoftBounce"),
    (16384, "ChallengeVerification"),
    (100000, "BadEmailAddress"),
    (100001, "SpamComplaint"),
    (100002, "ManuallyDeactivated"),
];

/// Postmark marks most webhook fields optional, and retries a non-2xx answer until it gives
/// up on the webhook. So nothing but the JSON itself is required: a record missing its time,
/// message id or bounce type still records what it can (an unsubscribe above all), with the
/// time it reached us and an id a retry repeats; a record we cannot act on changes nothing.
pub fn normalise(body: &str, sent: Option<&SentMessages>, now: DateTime<Utc>) -> Result<Ingested> {
    let raw: Value = crate::error::parse_json(body)?;
    if !raw.is_object() {
        return Err(Error::new(Code::InvalidField, "$", "a Postmark webhook is a JSON object"));
    }
    let text = |name: &str| raw.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
    let metadata = |name: &str| {
        raw.get("Metadata")
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let mut wanted = Vec::new();
    let (contact, action) = match (metadata(CONTACT_ARG), text("MessageID")) {
        (Some(contact), _) => (Some(contact), metadata(ACTION_ARG).map(str::to_string)),
        (None, Some(id)) => match by_message("postmark", id, sent, &mut wanted) {
            ByMessage::Wanted => return Ok(Ingested { wanted, ..Ingested::default() }),
            ByMessage::Found(send) => (Some(send.contact_id.as_str()), Some(send.action_id.clone())),
            ByMessage::Unknown => (None, Some(format!("postmark:{id}"))),
        },
        (None, None) => return Ok(Ingested::default()), // nothing says whose mail this was
    };
    let Some(record) = text("RecordType") else {
        return Ok(Ingested::default()); // nothing says what happened
    };
    let time_field = match record {
        "Delivery" => "DeliveredAt",
        "Open" | "Click" => "ReceivedAt",
        "Bounce" | "SpamComplaint" => "BouncedAt",
        "SubscriptionChange" => "ChangedAt",
        _ => return Ok(Ingested::default()), // inbound mail and future kinds: nothing to decide
    };
    let stamp = text(time_field);
    let at = stamp
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(now, |t| t.with_timezone(&Utc));
    // What a retry repeats exactly: the bounce id, else message, record and time, else the
    // whole body.
    let mut id = match (text("MessageID"), stamp) {
        (Some(message), Some(stamp)) => format!("postmark:{message}:{record}:{stamp}"),
        _ => format!("postmark:{record}:{}", &crate::common::ids::sha256_hex(body)[..32]),
    };
    let unsubscribe = || EventBody::Unsubscribed(Unsubscribe { channel: Some(Channel::Email) });
    let body = match record {
        "Delivery" | "Open" | "Click" => {
            let Some(action_id) = action else { return Ok(Ingested::default()) };
            match record {
                "Delivery" => EventBody::Delivered(ActionRef { action_id }),
                "Open" => EventBody::Opened(ActionRef { action_id }),
                _ => EventBody::Clicked(ActionRef { action_id }),
            }
        }
        "Bounce" => {
            if let Some(bounce) = raw.get("ID").and_then(Value::as_i64) {
                id = format!("postmark:bounce:{bounce}");
            }
            let code = raw.get("TypeCode").and_then(Value::as_i64);
            let kind = text("Type").or_else(|| {
                TYPE_CODES.iter().find(|(c, _)| Some(*c) == code).map(|(_, k)| *k)
            });
            match (kind, action) {
                (Some("Unsubscribe"), _) => unsubscribe(),
                (Some(k), _) if NOT_FAILURES.contains(&k) => return Ok(Ingested::default()),
                (kind, Some(action_id)) => EventBody::Bounced(Bounce {
                    action_id,
                    // An unknown type is not proof the address is bad: the provider retries.
                    permanent: kind.is_some_and(|k| PERMANENT_BOUNCES.contains(&k)),
                }),
                (_, None) => return Ok(Ingested::default()),
            }
        }
        // A complaint stops email whichever message it was about.
        "SpamComplaint" => EventBody::Complained(ActionRef { action_id: action.unwrap_or_default() }),
        // The address went onto the stream's suppression list (unsubscribe link, manual, bounce
        // or complaint): no more email. A reactivation is not consent, so it changes nothing;
        // without SuppressSending we cannot tell which it was.
        _ => match raw.get("SuppressSending").and_then(Value::as_bool) {
            Some(true) => unsubscribe(),
            _ => return Ok(Ingested::default()),
        },
    };
    let events = vec![Event { id, at, body }];
    let routed = match contact {
        Some(contact) => Routed::to_contact(contact, events),
        None => Routed::unmatched(events),
    };
    Ok(Ingested { routed: vec![routed], ..Ingested::default() })
}

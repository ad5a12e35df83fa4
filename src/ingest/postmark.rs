//! Postmark webhooks → engine events. Postmark posts one JSON object per event, its kind in
//! `RecordType`. Rekindle sends its ids as the message's `Metadata` (`rekindle_contact`,
//! `rekindle_action`) and Postmark echoes Metadata on every webhook, which is how an event
//! finds its contact. Events without them are some other sender's mail on the same server.
//!
//! Postmark numbers no webhook delivery, so event ids are built from what a retry repeats
//! exactly: the message id, the record type and the record's own time (or bounce id).

use super::sendgrid::{ACTION_ARG, CONTACT_ARG};
use super::{Ingested, Routed};
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

pub fn normalise(body: &str) -> Result<Ingested> {
    let raw: Value = crate::error::parse_json(body)?;
    let text = |name: &str| raw.get(name).and_then(Value::as_str);
    let metadata = |name: &str| {
        raw.get("Metadata")
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
    };
    let (Some(contact), Some(action)) = (metadata(CONTACT_ARG), metadata(ACTION_ARG)) else {
        return Ok(Ingested::default());
    };
    let required = |name: &str| {
        text(name).ok_or_else(|| Error::new(Code::InvalidField, format!("$.{name}"), "is required"))
    };
    let record = required("RecordType")?;
    let message = required("MessageID")?;
    let time_field = match record {
        "Delivery" => "DeliveredAt",
        "Open" | "Click" => "ReceivedAt",
        "Bounce" | "SpamComplaint" => "BouncedAt",
        "SubscriptionChange" => "ChangedAt",
        _ => return Ok(Ingested::default()), // inbound mail and future kinds: nothing to decide
    };
    let stamp = required(time_field)?;
    let at = DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::new(
                Code::InvalidTimestamp,
                format!("$.{time_field}"),
                "ISO 8601 required",
            )
        })?;
    let action_id = action.to_string();
    let mut id = format!("postmark:{message}:{record}:{stamp}");
    let body = match record {
        "Delivery" => EventBody::Delivered(ActionRef { action_id }),
        "Open" => EventBody::Opened(ActionRef { action_id }),
        "Click" => EventBody::Clicked(ActionRef { action_id }),
        "Bounce" => {
            let kind = required("Type")?;
            if let Some(bounce) = raw.get("ID").and_then(Value::as_i64) {
                id = format!("postmark:bounce:{bounce}");
            }
            match kind {
                "Unsubscribe" => EventBody::Unsubscribed(Unsubscribe {
                    channel: Some(Channel::Email),
                }),
                k if NOT_FAILURES.contains(&k) => return Ok(Ingested::default()),
                k => EventBody::Bounced(Bounce {
                    action_id,
                    permanent: PERMANENT_BOUNCES.contains(&k),
                }),
            }
        }
        "SpamComplaint" => EventBody::Complained(ActionRef { action_id }),
        // The address went onto the stream's suppression list (unsubscribe link, manual, bounce
        // or complaint): no more email. A reactivation is not consent, so it changes nothing.
        _ => match raw.get("SuppressSending").and_then(Value::as_bool) {
            Some(true) => EventBody::Unsubscribed(Unsubscribe {
                channel: Some(Channel::Email),
            }),
            Some(false) => return Ok(Ingested::default()),
            None => {
                return Err(Error::new(
                    Code::InvalidField,
                    "$.SuppressSending",
                    "a boolean is required",
                ))
            }
        },
    };
    Ok(Ingested {
        routed: vec![Routed {
            lookup: vec![],
            contact_id: Some(contact.to_string()),
            links: vec![],
            events: vec![Event { id, at, body }],
        }],
        ..Ingested::default()
    })
}

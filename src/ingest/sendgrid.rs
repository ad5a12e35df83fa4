//! SendGrid event webhook → engine events. The body is a JSON array of events; Rekindle's
//! own `custom_args` (`rekindle_contact`, `rekindle_action`) come back as top-level fields of
//! each event, which is how an event finds its contact without an address lookup. An event
//! without them is matched by its `sg_message_id` in the ledger (see the module docs in
//! `ingest`); one the ledger does not know is some other sender's mail on the same account.

use super::{by_message, ByMessage, Ingested, Routed, SentMessages};
use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::model::event::{ActionRef, Bounce, Event, EventBody, SendFailure, Unsubscribe};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub const CONTACT_ARG: &str = "rekindle_contact";
pub const ACTION_ARG: &str = "rekindle_action";

/// The send's X-Message-Id (what the mail send API answered, and the ledger keeps) in an
/// event's `sg_message_id`: SendGrid appends its own part for each recipient from ".filter"
/// on ("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", the Activity Feed's
/// `msg_id LIKE '<X-Message-ID>%'`).
pub fn x_message_id(sg_message_id: &str) -> &str {
    sg_message_id.find(".filter").map_or(sg_message_id, |at| &sg_message_id[..at])
}

pub fn normalise(body: &str, sent: Option<&SentMessages>) -> Result<Ingested> {
    let events: Vec<Value> = crate::error::parse_json(body)?;
    let mut routed: Vec<Routed> = Vec::new();
    let mut unmatched: Vec<Event> = Vec::new();
    let mut wanted = Vec::new();
    for (i, raw) in events.iter().enumerate() {
        let path = format!("$[{i}]");
        let field = |name: &str| raw.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
        let ours = field(CONTACT_ARG).zip(field(ACTION_ARG));
        let message = field("sg_message_id").map(x_message_id).filter(|id| !id.is_empty());
        let (contact, action) = match (ours, message) {
            (Some(ours), _) => (Some(ours.0), ours.1),
            (None, Some(id)) => match by_message("sendgrid", id, sent, &mut wanted) {
                ByMessage::Wanted => continue,
                ByMessage::Found(send) => (Some(send.contact_id.as_str()), send.action_id.as_str()),
                ByMessage::Unknown => (None, ""),
            },
            (None, None) => continue, // nothing says whose mail this was
        };
        let kind = field("event").ok_or_else(|| {
            Error::new(Code::InvalidField, format!("{path}.event"), "is required")
        })?;
        let sg_event_id = field("sg_event_id").ok_or_else(|| {
            Error::new(
                Code::InvalidField,
                format!("{path}.sg_event_id"),
                "is required",
            )
        })?;
        let at = raw
            .get("timestamp")
            .and_then(Value::as_i64)
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .ok_or_else(|| {
                Error::new(
                    Code::InvalidTimestamp,
                    format!("{path}.timestamp"),
                    "unix seconds required",
                )
            })?;
        let action_id = action.to_string();
        let body = match kind {
            "delivered" => EventBody::Delivered(ActionRef { action_id }),
            "open" => EventBody::Opened(ActionRef { action_id }),
            "click" => EventBody::Clicked(ActionRef { action_id }),
            // `type: "blocked"` is a temporary refusal by the receiving server.
            "bounce" => EventBody::Bounced(Bounce {
                action_id,
                permanent: field("type") != Some("blocked"),
            }),
            "dropped" => EventBody::SendFailed(SendFailure {
                action_id,
                permanent: true,
                code: format!("sendgrid:dropped:{}", field("reason").unwrap_or("unknown")),
            }),
            "spamreport" => EventBody::Complained(ActionRef { action_id }),
            "unsubscribe" | "group_unsubscribe" => EventBody::Unsubscribed(Unsubscribe {
                channel: Some(Channel::Email),
            }),
            // processed, deferred (SendGrid retries), group_resubscribe: nothing to decide.
            _ => continue,
        };
        let event = Event {
            id: format!("sendgrid:{sg_event_id}"),
            at,
            body,
        };
        let Some(contact) = contact else {
            unmatched.push(event);
            continue;
        };
        match routed
            .iter_mut()
            .find(|r| r.contact_id.as_deref() == Some(contact))
        {
            Some(r) => r.events.push(event),
            None => routed.push(Routed::to_contact(contact, vec![event])),
        }
    }
    if !wanted.is_empty() {
        // The whole batch waits for the lookup: it is ingested again with `sent`.
        return Ok(Ingested { wanted, ..Ingested::default() });
    }
    if !unmatched.is_empty() {
        routed.push(Routed::unmatched(unmatched));
    }
    Ok(Ingested {
        routed,
        ..Ingested::default()
    })
}

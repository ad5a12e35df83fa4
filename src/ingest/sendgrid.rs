//! SendGrid event webhook → engine events. The body is a JSON array of events; Rekindle's
//! own `custom_args` (`rekindle_contact`, `rekindle_action`) come back as top-level fields of
//! each event, which is how an event finds its contact without an address lookup. Events
//! without them are some other sender's mail on the same account, and are ignored.

use super::{Ingested, Routed};
use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::model::event::{ActionRef, Bounce, Event, EventBody, SendFailure, Unsubscribe};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub const CONTACT_ARG: &str = "rekindle_contact";
pub const ACTION_ARG: &str = "rekindle_action";

pub fn normalise(body: &str) -> Result<Ingested> {
    let events: Vec<Value> = crate::error::parse_json(body)?;
    let mut routed: Vec<Routed> = Vec::new();
    for (i, raw) in events.iter().enumerate() {
        let path = format!("$[{i}]");
        let field = |name: &str| raw.get(name).and_then(Value::as_str);
        let (Some(contact), Some(action)) = (field(CONTACT_ARG), field(ACTION_ARG)) else {
            continue;
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
        match routed
            .iter_mut()
            .find(|r| r.contact_id.as_deref() == Some(contact))
        {
            Some(r) => r.events.push(event),
            None => routed.push(Routed {
                lookup: vec![],
                contact_id: Some(contact.to_string()),
                links: vec![],
                events: vec![event],
            }),
        }
    }
    Ok(Ingested {
        routed,
        ..Ingested::default()
    })
}

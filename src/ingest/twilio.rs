//! Twilio webhooks → engine events: inbound SMS (keywords, replies) and message status
//! callbacks. Rekindle puts the contact and action ids in each message's StatusCallback URL
//! (`?c=…&a=…`); Twilio signs the whole URL, so they arrive as trustworthy as the body.

use super::{key, normalise_phone, Ingested, KeyKind, Routed};
use crate::error::{Code, Error, Result};
use crate::model::event::{ActionRef, Event, EventBody, InboundSms, SendFailure};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub type Params = BTreeMap<String, String>;

fn required<'a>(params: &'a Params, name: &str, path: &str) -> Result<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::new(Code::InvalidField, format!("{path}.{name}"), "is required"))
}

/// An SMS from a shopper. Only numbers the platform gave us lead anywhere: a text from an
/// unknown number creates nobody (principle 5).
pub fn inbound(params: &Params, salt: &str, now: DateTime<Utc>) -> Result<Ingested> {
    let sid = required(params, "MessageSid", "$")?;
    let from = required(params, "From", "$")?;
    let Some(phone) = normalise_phone(from, None) else {
        return Ok(Ingested::default());
    };
    let event = Event {
        id: format!("twilio:{sid}"),
        at: now,
        body: EventBody::SmsReceived(InboundSms {
            body: params.get("Body").cloned().unwrap_or_default(),
        }),
    };
    Ok(Ingested {
        routed: vec![Routed {
            lookup: vec![key(salt, KeyKind::Phone, &phone)],
            contact_id: None,
            links: vec![],
            events: vec![event],
        }],
        ..Ingested::default()
    })
}

/// A delivery report for a message Rekindle sent. Intermediate states (queued, sending,
/// sent) carry nothing the engine acts on.
pub fn status(params: &Params, query: &Params, now: DateTime<Utc>) -> Result<Ingested> {
    let sid = required(params, "MessageSid", "$")?;
    let state = required(params, "MessageStatus", "$")?;
    let contact = required(query, "c", "$.query")?;
    let action_id = required(query, "a", "$.query")?.to_string();
    let body = match state {
        "delivered" => EventBody::Delivered(ActionRef { action_id }),
        "failed" | "undelivered" => EventBody::SendFailed(SendFailure {
            action_id,
            // Twilio does not retry a failed message; neither does Rekindle.
            permanent: true,
            code: format!(
                "twilio:{}",
                params.get("ErrorCode").map_or(state, String::as_str)
            ),
        }),
        _ => return Ok(Ingested::default()),
    };
    let event = Event {
        id: format!("twilio:{sid}:{state}"),
        at: now,
        body,
    };
    Ok(Ingested {
        routed: vec![Routed {
            lookup: vec![],
            contact_id: Some(contact.to_string()),
            links: vec![],
            events: vec![event],
        }],
        ..Ingested::default()
    })
}

//! Twilio webhooks → engine events: inbound SMS (keywords, replies) and message status
//! callbacks. Rekindle puts the contact and action ids in each message's StatusCallback URL
//! (`?c=…&a=…`); Twilio signs the whole URL, so they arrive as trustworthy as the body.

use super::{key, normalise_phone, Ingested, KeyKind, Routed};
use crate::error::{Code, Error, Result};
use crate::consent::{ConsentSource, ConsentStatus};
use crate::event::{ActionRef, ConsentChange, Event, EventBody, InboundSms, SendFailure};
use crate::keywords::Keyword;
use crate::policy::Channel;
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
            provider_keyword: params.get("OptOutType").and_then(|t| opt_out_type(t)),
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

/// Twilio's `OptOutType` on an inbound message (Advanced Opt-Out): which keyword class Twilio
/// matched, in the language the merchant configured. Anything else is not a keyword.
fn opt_out_type(value: &str) -> Option<Keyword> {
    match value.trim().to_ascii_uppercase().as_str() {
        "STOP" => Some(Keyword::OptOut),
        "START" => Some(Keyword::OptIn),
        "HELP" => Some(Keyword::Help),
        _ => None,
    }
}

/// Twilio error 21610: "Attempt to send to unsubscribed recipient". The number texted STOP to
/// this sender at the carrier or Twilio level, and nothing reaches it until it texts START.
const UNSUBSCRIBED_RECIPIENT: &str = "21610";

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
    let mut events = vec![Event {
        id: format!("twilio:{sid}:{state}"),
        at: now,
        body,
    }];
    if params.get("ErrorCode").map(String::as_str) == Some(UNSUBSCRIBED_RECIPIENT) {
        // A carrier-level block, not a failed message: SMS stops for the contact until START.
        events.push(Event {
            id: format!("twilio:{sid}:carrier-block"),
            at: now,
            body: EventBody::ConsentChanged(ConsentChange {
                channel: Channel::Sms,
                status: ConsentStatus::Revoked,
                source: ConsentSource::CarrierBlock,
                text_version: None,
                evidence: Some(format!("twilio:{UNSUBSCRIBED_RECIPIENT}")),
            }),
        });
    }
    Ok(Ingested {
        routed: vec![Routed {
            lookup: vec![],
            contact_id: Some(contact.to_string()),
            links: vec![],
            events,
        }],
        ..Ingested::default()
    })
}

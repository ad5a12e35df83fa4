//! Twilio webhooks → engine events: inbound SMS (keywords, replies) and message status
//! callbacks. Rekindle puts the contact and action ids in each message's StatusCallback URL
//! (`?c=…&a=…`); Twilio signs the whole URL, so they arrive as trustworthy as the body.
//! A callback URL set on a Messaging Service carries no query: its `MessageSid` is looked
//! up in the ledger instead.

use super::{by_message, key, normalise_phone, ByMessage, Ingested, KeyKind, Routed, SentMessages};
use crate::compliance::consent::means_carrier_block;
use crate::compliance::keywords::Keyword;
use crate::error::{Code, Error, Result};
use crate::model::event::{ActionRef, Event, EventBody, InboundSms, SendFailure};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub type Params = BTreeMap<String, String>;

/// The runtime's JSON object of form fields or query parameters, each a string, read from its
/// tree by `common::reader` (no derived deserializer in the server wasm, issue 20).
pub fn read_params(text: &str) -> Result<Params> {
    crate::common::reader::from_text(text, |params| {
        params.fields().map(|name| Ok((name.to_string(), params.required_text(name)?))).collect()
    })
}

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

/// A delivery report for a message Rekindle sent. Intermediate states (queued, sending,
/// sent) carry nothing the engine acts on.
///
/// Rekindle's own StatusCallback URL names the contact and the action (`?c=&a=`). A callback
/// without them (a Messaging Service's or the account's own callback URL) is matched by its
/// `MessageSid` in the ledger (`sent`, see the module docs in `ingest`). A SID the ledger does
/// not know is a message we did not send; only a carrier block in it still concerns the
/// contact, found by the number it went to (`To`) among the numbers the platform gave us.
pub fn status(
    params: &Params,
    query: &Params,
    sent: Option<&SentMessages>,
    salt: &str,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    let sid = required(params, "MessageSid", "$")?;
    let state = required(params, "MessageStatus", "$")?;
    let failed = match state {
        "delivered" => false,
        "failed" | "undelivered" => true,
        _ => return Ok(Ingested::default()),
    };
    let code = format!("twilio:{}", params.get("ErrorCode").map_or(state, String::as_str));
    let event = |action_id: &str| Event {
        id: format!("twilio:{sid}:{state}"),
        at: now,
        body: if failed {
            EventBody::SendFailed(SendFailure {
                action_id: action_id.to_string(),
                // Twilio does not retry a failed message; neither does Rekindle.
                permanent: true,
                code: code.clone(),
            })
        } else {
            EventBody::Delivered(ActionRef { action_id: action_id.to_string() })
        },
    };
    let ours = query
        .get("c")
        .filter(|c| !c.is_empty())
        .zip(query.get("a").filter(|a| !a.is_empty()));
    let mut wanted = Vec::new();
    let routed = match ours {
        Some((contact, action)) => Routed::to_contact(contact, vec![event(action)]),
        None => match by_message("twilio", sid, sent, &mut wanted) {
            ByMessage::Wanted => return Ok(Ingested { wanted, ..Ingested::default() }),
            ByMessage::Found(send) => Routed::to_contact(&send.contact_id, vec![event(&send.action_id)]),
            ByMessage::Unknown => {
                let unknown = event(&format!("twilio:{sid}"));
                let to = params.get("To").and_then(|to| normalise_phone(to, None));
                match to.filter(|_| failed && means_carrier_block(&code)) {
                    Some(to) => Routed {
                        lookup: vec![key(salt, KeyKind::Phone, &to)],
                        contact_id: None,
                        links: vec![],
                        events: vec![unknown],
                    },
                    None => Routed::unmatched(vec![unknown]),
                }
            }
        },
    };
    Ok(Ingested { routed: vec![routed], ..Ingested::default() })
}

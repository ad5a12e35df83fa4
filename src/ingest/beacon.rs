//! The storefront beacon: `{"v":1,"anonymousId":"…","events":[…]}`. Browser input is
//! untrusted (principle 5): only storefront-origin abandonment and storefront consent are
//! accepted, and the engine already refuses browser-supplied addresses as send targets.

use super::{contact_id, key, Ingested, KeyKind, Routed};
use crate::compliance::consent::ConsentSource;
use crate::error::{Code, Error, Result};
use crate::model::event::{Event, EventBody, Origin};
use serde_json::Value;

pub const VERSION: u64 = 1;
/// A page flushes a handful of events at a time; more is a misbehaving or hostile client.
pub const MAX_EVENTS: usize = 20;
const MAX_ANONYMOUS_ID: usize = 128;
/// A page reports its cart and, at checkout, the checkout: more distinct carts in one beacon is
/// a client minting index keys (each one a stored row until the visitor is forgotten).
pub const MAX_CARTS: usize = 2;

pub fn normalise(body: &str, salt: &str) -> Result<Ingested> {
    let value: Value = crate::error::parse_json(body)?;
    let Value::Object(mut fields) = value else {
        return Err(Error::new(
            Code::InvalidField,
            "$",
            "a beacon is a JSON object",
        ));
    };
    match fields.remove("v") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        _ => {
            return Err(Error::new(
                Code::InvalidField,
                "$.v",
                format!("must be {VERSION}"),
            ))
        }
    }
    let anonymous_id = match fields.remove("anonymousId") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_ANONYMOUS_ID => s,
        _ => {
            return Err(Error::new(
                Code::InvalidField,
                "$.anonymousId",
                format!("a string of 1 to {MAX_ANONYMOUS_ID} characters is required"),
            ))
        }
    };
    let Some(Value::Array(raw_events)) = fields.remove("events") else {
        return Err(Error::new(
            Code::InvalidField,
            "$.events",
            "an array is required",
        ));
    };
    if let Some(extra) = fields.keys().next() {
        return Err(Error::new(
            Code::InvalidField,
            format!("$.{extra}"),
            "unknown field",
        ));
    }
    if raw_events.is_empty() || raw_events.len() > MAX_EVENTS {
        return Err(Error::new(
            Code::TooLarge,
            "$.events",
            format!("1 to {MAX_EVENTS} events per beacon"),
        ));
    }
    let mut tokens = Vec::new();
    let mut events = Vec::with_capacity(raw_events.len());
    for (i, raw) in raw_events.into_iter().enumerate() {
        let at = |e: Error| relocate(e, &format!("$.events[{i}]"));
        let event = Event::from_value(raw).map_err(at)?;
        match &event.body {
            EventBody::Abandoned(a) if a.origin == Origin::Storefront => {
                let token = key(salt, KeyKind::Token, &a.cart.token);
                if !tokens.contains(&token) {
                    if tokens.len() == MAX_CARTS {
                        return Err(at(Error::new(
                            Code::TooLarge,
                            "$.cart.token",
                            format!("at most {MAX_CARTS} distinct carts per beacon"),
                        )));
                    }
                    tokens.push(token);
                }
            }
            EventBody::ConsentChanged(c) if c.source == ConsentSource::Storefront => {}
            EventBody::Abandoned(_) => {
                return Err(at(Error::new(
                    Code::InvalidField,
                    "$.origin",
                    "must be \"storefront\"",
                )))
            }
            EventBody::ConsentChanged(_) => {
                return Err(at(Error::new(
                    Code::InvalidField,
                    "$.source",
                    "must be \"storefront\"",
                )))
            }
            other => {
                return Err(at(Error::new(
                    Code::UnknownEventType,
                    "$.type",
                    format!("{:?} is not a storefront event", other.kind()),
                )))
            }
        }
        events.push(event);
    }
    let anonymous = key(salt, KeyKind::Anonymous, &anonymous_id);
    let mut lookup = tokens.clone();
    lookup.push(anonymous.clone());
    let mut links = vec![anonymous];
    links.extend(tokens);
    Ok(Ingested {
        routed: vec![Routed {
            lookup,
            contact_id: Some(contact_id(salt, KeyKind::Anonymous, &anonymous_id)),
            links,
            events,
        }],
        ..Ingested::default()
    })
}

/// Report an event's error at its place inside the beacon (`$.cart` → `$.events[2].cart`).
fn relocate(mut error: Error, prefix: &str) -> Error {
    for problem in &mut error.problems {
        problem.path = format!("{prefix}{}", problem.path.trim_start_matches('$'));
    }
    error
}

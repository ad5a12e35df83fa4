//! Everything that can happen to a shopper, as one enum. Every event carries an `id` (so a
//! repeat is recognised) and the source's own timestamp `at` (so a late one is recognised).

use crate::common::cart::Cart;
use crate::common::channel::Channel;
pub use crate::common::contact_details::ContactDetails;
pub use crate::common::reason::{Reason, ReasonSignal};
use crate::compliance::consent::{ConsentSource, ConsentStatus};
use crate::error::{Code, Error, Result};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Unique per source delivery target: a webhook id, a beacon's event id, an action id + kind.
    pub id: String,
    /// When it happened at the source (not when it reached us).
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: EventBody,
}

/// Where an event came from: it decides how far it is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    Storefront,
    Platform,
    Provider,
    Merchant,
    Scheduler,
}

/// The event kinds, each with its own payload type. JSON: `{"id", "at", "type", ...payload}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum EventBody {
    /// A cart or checkout was left (storefront beacon, or a checkout webhook gone quiet).
    Abandoned(Abandoned),
    /// The platform created or updated a checkout: details are trusted.
    CheckoutUpdated(CheckoutUpdated),
    /// An order: ends the matching journey and every pending send.
    OrderPlaced(OrderPlaced),
    /// Shopify `orders/cancelled`, `refunds/create`, `orders/edited`: support exceptions
    /// (src/engine/support.rs says what each does to the contact's journeys).
    OrderCancelled(OrderRef),
    OrderRefunded(OrderRef),
    OrderEdited(OrderRef),
    /// The merchant's help desk, or an operator in the console: a support exception of this
    /// contact (an open ticket, a refund, a changed order) opened or closed. While one is open,
    /// nothing is sent; one with an end date ends by itself then.
    SupportTicket(SupportTicket),
    /// An operator paused the contact, or one journey: nothing is sent until resumed (or
    /// until `until`, when given). src/engine/operator.rs.
    OperatorPaused(OperatorPause),
    /// An operator lifted that pause: held sends come due again.
    OperatorResumed(OperatorResume),
    /// A scheduled send came due: the engine asks every question again (principle 3).
    Due(ActionRef),
    Delivered(ActionRef),
    Opened(ActionRef),
    Clicked(ActionRef),
    Bounced(Bounce),
    Complained(ActionRef),
    SendFailed(SendFailure),
    /// An inbound SMS from the contact (keywords, or free text that tailors the next email).
    SmsReceived(InboundSms),
    ConsentChanged(ConsentChange),
    /// One-click unsubscribe or the preference centre.
    Unsubscribed(Unsubscribe),
    /// The preference centre: which channels, how often, or a pause.
    PreferencesChanged(PreferenceChange),
    /// Shopify `customers/redact`, a merchant's or the shopper's own request.
    Erase,
    /// Shopify `customers/data_request`, or the shopper's own: everything held about them.
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Frequency {
    #[default]
    All,
    /// Only the playbook's highest-priority messages.
    Fewer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferenceChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    /// Nothing until then; `null` lifts a pause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Abandoned {
    pub origin: Origin,
    pub cart: Cart,
    #[serde(default)]
    pub contact: ContactDetails,
    #[serde(default)]
    pub reasons: Vec<ReasonSignal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutUpdated {
    pub cart: Cart,
    #[serde(default)]
    pub contact: ContactDetails,
    /// Shopify's `buyer_accepts_sms_marketing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepts_sms: Option<bool>,
    /// Shopify's `buyer_accepts_marketing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepts_email: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderPlaced {
    /// Shopify ids exceed 2^53: they travel as strings, never as JS numbers.
    pub order_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_token: Option<String>,
    pub total: crate::common::money::Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderRef {
    pub order_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TicketStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupportTicket {
    /// The help desk's own id (or the console's): a ticket opened twice is one ticket.
    pub ticket_id: String,
    pub status: TicketStatus,
    /// What the exception is about; a help desk's ticket when not said.
    #[serde(default, skip_serializing_if = "is_ticket")]
    pub kind: SupportKind,
    /// The operator's reason, shown in the shopper's timeline (never in logs or explanations:
    /// it is free text that may name the shopper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the exception ends by itself; without one it holds until closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// Why a shopper is in a conversation with the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum SupportKind {
    #[default]
    Ticket,
    Refund,
    ChangedOrder,
}

impl SupportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SupportKind::Ticket => "support ticket",
            SupportKind::Refund => "refund",
            SupportKind::ChangedOrder => "changed order",
        }
    }
}

fn is_ticket(kind: &SupportKind) -> bool {
    *kind == SupportKind::Ticket
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorPause {
    /// One journey only; every journey of the contact when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<String>,
    /// Resumes by itself then; without one, until an operator resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorResume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionRef {
    pub action_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bounce {
    pub action_id: String,
    pub permanent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendFailure {
    pub action_id: String,
    pub permanent: bool,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboundSms {
    pub body: String,
    /// The keyword the SMS provider itself recognised (Twilio's `OptOutType`, sent when
    /// Advanced Opt-Out is on): it is what the carrier and the provider acted on, so it wins
    /// over Rekindle's own reading of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_keyword: Option<crate::compliance::keywords::Keyword>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentChange {
    pub channel: Channel,
    pub status: ConsentStatus,
    pub source: ConsentSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_version: Option<String>,
    /// Raw evidence (a checkbox label, a webhook id); only its hash is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unsubscribe {
    /// `None`: every channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

impl Event {
    /// Parse an event, reporting the JSON path of the first bad field. Hand-rolled rather
    /// than `#[serde(flatten)]`, which would hide every path inside the payload.
    pub fn from_json(text: &str) -> Result<Event> {
        if let Some(event) = Event::from_json_directly(text) {
            return Ok(event);
        }
        let value: Value = crate::error::parse_json(text)?;
        Event::from_value(value)
    }

    /// The common case without a JSON tree: the envelope's fields are sliced out of the text
    /// and the payload is parsed straight into its type. Anything unusual (an escaped key, a
    /// duplicate, a bad field) returns None, and the tree path above says exactly what.
    fn from_json_directly(text: &str) -> Option<Event> {
        let fields: Vec<(&str, &RawValue)> = serde_json::from_str::<RawFields>(text).ok()?.0;
        let (mut id, mut at, mut kind) = (None, None, None);
        let mut rest = String::with_capacity(text.len());
        rest.push('{');
        for (key, raw) in fields {
            let slot = match key {
                "id" => &mut id,
                "at" => &mut at,
                "type" => &mut kind,
                _ => {
                    if rest.len() > 1 {
                        rest.push(',');
                    }
                    // A borrowed key had no escapes: quoting it again gives the same key.
                    rest.push('"');
                    rest.push_str(key);
                    rest.push_str("\":");
                    rest.push_str(raw.get());
                    continue;
                }
            };
            if slot.replace(serde_json::from_str::<String>(raw.get()).ok()?).is_some() {
                return None; // a duplicate: the tree path decides
            }
        }
        rest.push('}');
        let (id, at, kind) = (id.filter(|i| !i.is_empty())?, at?, kind?);
        let at = DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc);
        let body = EventBody::from_payload(&kind, Payload::Text(&rest)).ok()?;
        Some(Event { id, at, body })
    }

    pub fn from_value(value: Value) -> Result<Event> {
        let Value::Object(mut fields) = value else {
            return Err(Error::new(
                Code::InvalidField,
                "$",
                "an event is a JSON object",
            ));
        };
        let id = take_string(&mut fields, "id")?;
        if id.is_empty() {
            return Err(Error::new(Code::InvalidField, "$.id", "must not be empty"));
        }
        let at = take_string(&mut fields, "at")?;
        let at = DateTime::parse_from_rfc3339(&at)
            .map_err(|e| {
                Error::new(
                    Code::InvalidTimestamp,
                    "$.at",
                    format!("not an RFC 3339 time: {e}"),
                )
            })?
            .with_timezone(&Utc);
        let kind = take_string(&mut fields, "type")?;
        let body = EventBody::from_payload(&kind, Payload::Tree(Value::Object(fields)))?;
        Ok(Event { id, at, body })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// An event's fields in their order, values unparsed, keys borrowed from the text (a key
/// with an escape in it cannot be borrowed: the direct path then gives way).
struct RawFields<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawFields<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> std::result::Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(8);
                while let Some(entry) = map.next_entry::<&str, &RawValue>()? {
                    fields.push(entry);
                }
                Ok(RawFields(fields))
            }
        }
        d.deserialize_map(Fields)
    }
}

/// An event's payload (everything but `id`, `at` and `type`): a JSON tree, or JSON text.
enum Payload<'a> {
    Tree(Value),
    Text(&'a str),
}

impl Payload<'_> {
    fn parse<T: DeserializeOwned>(self) -> Result<T> {
        match self {
            Payload::Tree(value) => crate::error::from_value(value),
            Payload::Text(text) => serde_json::from_str(text)
                .map_err(|e| Error::new(Code::InvalidField, "$", e.to_string())),
        }
    }
}

fn take_string(fields: &mut Map<String, Value>, key: &str) -> Result<String> {
    match fields.remove(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::new(
            Code::InvalidField,
            format!("$.{key}"),
            "must be a string",
        )),
        None => Err(Error::new(
            Code::InvalidField,
            format!("$.{key}"),
            "is required",
        )),
    }
}


impl EventBody {
    fn from_payload(kind: &str, rest: Payload) -> Result<EventBody> {
        Ok(match kind {
            "abandoned" => EventBody::Abandoned(rest.parse()?),
            "checkoutUpdated" => EventBody::CheckoutUpdated(rest.parse()?),
            "orderPlaced" => EventBody::OrderPlaced(rest.parse()?),
            "orderCancelled" => EventBody::OrderCancelled(rest.parse()?),
            "orderRefunded" => EventBody::OrderRefunded(rest.parse()?),
            "orderEdited" => EventBody::OrderEdited(rest.parse()?),
            "supportTicket" => EventBody::SupportTicket(rest.parse()?),
            "operatorPaused" => EventBody::OperatorPaused(rest.parse()?),
            "operatorResumed" => EventBody::OperatorResumed(rest.parse()?),
            "due" => EventBody::Due(rest.parse()?),
            "delivered" => EventBody::Delivered(rest.parse()?),
            "opened" => EventBody::Opened(rest.parse()?),
            "clicked" => EventBody::Clicked(rest.parse()?),
            "bounced" => EventBody::Bounced(rest.parse()?),
            "complained" => EventBody::Complained(rest.parse()?),
            "sendFailed" => EventBody::SendFailed(rest.parse()?),
            "smsReceived" => EventBody::SmsReceived(rest.parse()?),
            "consentChanged" => EventBody::ConsentChanged(rest.parse()?),
            "unsubscribed" => EventBody::Unsubscribed(rest.parse()?),
            "preferencesChanged" => EventBody::PreferencesChanged(rest.parse()?),
            "erase" => {
                rest.parse::<Empty>()?;
                EventBody::Erase
            }
            "export" => {
                rest.parse::<Empty>()?;
                EventBody::Export
            }
            other => {
                return Err(Error::new(
                    Code::UnknownEventType,
                    "$.type",
                    format!("unknown event type {other:?}"),
                ))
            }
        })
    }

    /// The name used in explanations and metrics (never personal data).
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Abandoned(_) => "abandoned",
            EventBody::CheckoutUpdated(_) => "checkoutUpdated",
            EventBody::OrderPlaced(_) => "orderPlaced",
            EventBody::OrderCancelled(_) => "orderCancelled",
            EventBody::OrderRefunded(_) => "orderRefunded",
            EventBody::OrderEdited(_) => "orderEdited",
            EventBody::SupportTicket(_) => "supportTicket",
            EventBody::OperatorPaused(_) => "operatorPaused",
            EventBody::OperatorResumed(_) => "operatorResumed",
            EventBody::Due(_) => "due",
            EventBody::Delivered(_) => "delivered",
            EventBody::Opened(_) => "opened",
            EventBody::Clicked(_) => "clicked",
            EventBody::Bounced(_) => "bounced",
            EventBody::Complained(_) => "complained",
            EventBody::SendFailed(_) => "sendFailed",
            EventBody::SmsReceived(_) => "smsReceived",
            EventBody::ConsentChanged(_) => "consentChanged",
            EventBody::Unsubscribed(_) => "unsubscribed",
            EventBody::PreferencesChanged(_) => "preferencesChanged",
            EventBody::Erase => "erase",
            EventBody::Export => "export",
        }
    }
}

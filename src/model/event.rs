//! Everything that can happen to a shopper, as one enum. Every event carries an `id` (so a
//! repeat is recognised) and the source's own timestamp `at` (so a late one is recognised).

use crate::common::cart::Cart;
use crate::common::channel::Channel;
pub use crate::common::contact_details::ContactDetails;
pub use crate::common::reason::{Reason, ReasonSignal};
use crate::compliance::consent::{ConsentSource, ConsentStatus};
use crate::common::money::Money;
use crate::common::reader::Object;
use crate::compliance::keywords::Keyword;
use crate::error::{Code, Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Abandoned {
    pub origin: Origin,
    pub cart: Cart,
    #[serde(default)]
    pub contact: ContactDetails,
    #[serde(default)]
    pub reasons: Vec<ReasonSignal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderPlaced {
    /// Shopify ids exceed 2^53: they travel as strings, never as JS numbers.
    pub order_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_token: Option<String>,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderRef {
    pub order_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TicketStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorPause {
    /// One journey only; every journey of the contact when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<String>,
    /// Resumes by itself then; without one, until an operator resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperatorResume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionRef {
    pub action_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bounce {
    pub action_id: String,
    pub permanent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendFailure {
    pub action_id: String,
    pub permanent: bool,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboundSms {
    pub body: String,
    /// The keyword the SMS provider itself recognised (Twilio's `OptOutType`, sent when
    /// Advanced Opt-Out is on): it is what the carrier and the provider acted on, so it wins
    /// over Rekindle's own reading of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_keyword: Option<Keyword>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unsubscribe {
    /// `None`: every channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

impl Event {
    /// Parse an event, reporting the JSON path of the first bad field: the text is parsed once
    /// into a JSON tree and read by `common::reader`, not by derived deserializers (each was
    /// its own copy of serde_json's reader in the server wasm: BENCHMARKS.md, issue 20).
    pub fn from_json(text: &str) -> Result<Event> {
        let value: Value = crate::error::parse_json(text)?;
        Event::from_value(value)
    }

    pub fn from_value(value: Value) -> Result<Event> {
        let Value::Object(fields) = &value else {
            return Err(Error::new(
                Code::InvalidField,
                "$",
                "an event is a JSON object",
            ));
        };
        let id = envelope_text(fields, "id")?;
        if id.is_empty() {
            return Err(Error::new(Code::InvalidField, "$.id", "must not be empty"));
        }
        let at = envelope_text(fields, "at")?;
        let at = DateTime::parse_from_rfc3339(at)
            .map_err(|e| {
                Error::new(
                    Code::InvalidTimestamp,
                    "$.at",
                    format!("not an RFC 3339 time: {e}"),
                )
            })?
            .with_timezone(&Utc);
        let kind = envelope_text(fields, "type")?;
        let body = EventBody::read(kind, &Object::new(&value, "$".to_string())?.missing_at_container())?;
        Ok(Event { id: id.to_string(), at, body })
    }
}

fn envelope_text<'a>(fields: &'a Map<String, Value>, key: &str) -> Result<&'a str> {
    match fields.get(key) {
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

/// The envelope's fields, which every payload sits beside.
const ENVELOPE: &[&str] = &["id", "at", "type"];

impl Origin {
    /// Its JSON names.
    pub const NAMES: &'static [(&'static str, Origin)] = &[
        ("storefront", Origin::Storefront),
        ("platform", Origin::Platform),
        ("provider", Origin::Provider),
        ("merchant", Origin::Merchant),
        ("scheduler", Origin::Scheduler),
    ];
}

impl Frequency {
    /// Its JSON names, as `Deserialize` read them (the stored preferences keep the derive).
    pub const NAMES: &'static [(&'static str, Frequency)] = &[("all", Frequency::All), ("fewer", Frequency::Fewer)];
}

impl TicketStatus {
    /// Its JSON names.
    pub const NAMES: &'static [(&'static str, TicketStatus)] = &[("open", TicketStatus::Open), ("closed", TicketStatus::Closed)];
}

impl SupportKind {
    /// Its JSON names, as `Deserialize` read them (the stored holds keep the derive).
    pub const NAMES: &'static [(&'static str, SupportKind)] = &[
        ("ticket", SupportKind::Ticket),
        ("refund", SupportKind::Refund),
        ("changedOrder", SupportKind::ChangedOrder),
    ];
}

/// Each payload's reader: its fields beside the envelope's, unknown ones refused (as the
/// derived `deny_unknown_fields` did), `null` read as absent.
impl EventBody {
    fn read(kind: &str, o: &Object) -> Result<EventBody> {
        let only = |fields: &[&str]| o.only_these(fields, ENVELOPE);
        let action_id = || -> Result<String> {
            only(&["actionId"])?;
            o.required_text("actionId")
        };
        let order_ref = || -> Result<OrderRef> {
            only(&["orderId"])?;
            Ok(OrderRef { order_id: o.required_text("orderId")? })
        };
        Ok(match kind {
            "abandoned" => {
                only(&["origin", "cart", "contact", "reasons"])?;
                EventBody::Abandoned(Abandoned {
                    origin: o.required_one_of("origin", Origin::NAMES)?,
                    cart: Cart::read(o.required_object("cart")?)?,
                    contact: o.object_or_default("contact", ContactDetails::read)?,
                    reasons: o.objects("reasons", ReasonSignal::read)?.unwrap_or_default(),
                })
            }
            "checkoutUpdated" => {
                only(&["cart", "contact", "acceptsSms", "acceptsEmail"])?;
                EventBody::CheckoutUpdated(CheckoutUpdated {
                    cart: Cart::read(o.required_object("cart")?)?,
                    contact: o.object_or_default("contact", ContactDetails::read)?,
                    accepts_sms: o.flag("acceptsSms")?,
                    accepts_email: o.flag("acceptsEmail")?,
                })
            }
            "orderPlaced" => {
                only(&["orderId", "cartToken", "total"])?;
                EventBody::OrderPlaced(OrderPlaced {
                    order_id: o.required_text("orderId")?,
                    cart_token: o.text("cartToken")?,
                    total: Money::read(o.required_object("total")?)?,
                })
            }
            "orderCancelled" => EventBody::OrderCancelled(order_ref()?),
            "orderRefunded" => EventBody::OrderRefunded(order_ref()?),
            "orderEdited" => EventBody::OrderEdited(order_ref()?),
            "supportTicket" => {
                only(&["ticketId", "status", "kind", "reason", "until"])?;
                EventBody::SupportTicket(SupportTicket {
                    ticket_id: o.required_text("ticketId")?,
                    status: o.required_one_of("status", TicketStatus::NAMES)?,
                    kind: o.one_of("kind", SupportKind::NAMES)?.unwrap_or_default(),
                    reason: o.text("reason")?,
                    until: o.time("until")?,
                })
            }
            "operatorPaused" => {
                only(&["journeyId", "until"])?;
                EventBody::OperatorPaused(OperatorPause { journey_id: o.text("journeyId")?, until: o.time("until")? })
            }
            "operatorResumed" => {
                only(&["journeyId"])?;
                EventBody::OperatorResumed(OperatorResume { journey_id: o.text("journeyId")? })
            }
            "due" => EventBody::Due(ActionRef { action_id: action_id()? }),
            "delivered" => EventBody::Delivered(ActionRef { action_id: action_id()? }),
            "opened" => EventBody::Opened(ActionRef { action_id: action_id()? }),
            "clicked" => EventBody::Clicked(ActionRef { action_id: action_id()? }),
            "complained" => EventBody::Complained(ActionRef { action_id: action_id()? }),
            "bounced" => {
                only(&["actionId", "permanent"])?;
                EventBody::Bounced(Bounce { action_id: o.required_text("actionId")?, permanent: o.required_flag("permanent")? })
            }
            "sendFailed" => {
                only(&["actionId", "permanent", "code"])?;
                EventBody::SendFailed(SendFailure {
                    action_id: o.required_text("actionId")?,
                    permanent: o.required_flag("permanent")?,
                    code: o.required_text("code")?,
                })
            }
            "smsReceived" => {
                only(&["body", "providerKeyword"])?;
                EventBody::SmsReceived(InboundSms {
                    body: o.required_text("body")?,
                    provider_keyword: o.one_of("providerKeyword", Keyword::NAMES)?,
                })
            }
            "consentChanged" => {
                only(&["channel", "status", "source", "textVersion", "evidence"])?;
                EventBody::ConsentChanged(ConsentChange {
                    channel: o.required_one_of("channel", Channel::NAMES)?,
                    status: o.required_one_of("status", ConsentStatus::NAMES)?,
                    source: o.required_one_of("source", ConsentSource::NAMES)?,
                    text_version: o.text("textVersion")?,
                    evidence: o.text("evidence")?,
                })
            }
            "unsubscribed" => {
                only(&["channel"])?;
                EventBody::Unsubscribed(Unsubscribe { channel: o.one_of("channel", Channel::NAMES)? })
            }
            "preferencesChanged" => {
                only(&["email", "sms", "frequency", "pausedUntil"])?;
                EventBody::PreferencesChanged(PreferenceChange {
                    email: o.flag("email")?,
                    sms: o.flag("sms")?,
                    frequency: o.one_of("frequency", Frequency::NAMES)?,
                    paused_until: o.time("pausedUntil")?,
                })
            }
            "erase" => {
                only(&[])?;
                EventBody::Erase
            }
            "export" => {
                only(&[])?;
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

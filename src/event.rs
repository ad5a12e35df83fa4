//! Everything that can happen to a shopper, as one enum. Every event carries an `id` (so a
//! repeat is recognised) and the source's own timestamp `at` (so a late one is recognised).

use crate::cart::Cart;
use crate::consent::{ConsentSource, ConsentStatus};
use crate::policy::Channel;
pub use crate::reason::{Reason, ReasonSignal};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Unique per source delivery target: a webhook id, a beacon's event id, an action id + kind.
    pub id: String,
    /// When it happened at the source (not when it reached us).
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: EventBody,
}

/// Contact details as a source reports them. Browser-reported details are only hints:
/// they are matched against the platform's record, never trusted to start an SMS (principle 5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// IANA zone reported by the browser (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// ISO 3166-2 region of the shipping address, e.g. "US-TX".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<bool>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum EventBody {
    /// A cart or checkout was left (storefront beacon, or a checkout webhook gone quiet).
    #[serde(rename_all = "camelCase")]
    Abandoned {
        origin: Origin,
        cart: Cart,
        #[serde(default)]
        contact: ContactDetails,
        #[serde(default)]
        reasons: Vec<ReasonSignal>,
    },
    /// The platform created or updated a checkout: details are trusted, not yet abandoned.
    #[serde(rename_all = "camelCase")]
    CheckoutUpdated {
        cart: Cart,
        #[serde(default)]
        contact: ContactDetails,
        /// Shopify's `buyer_accepts_sms_marketing` and `buyer_accepts_marketing`.
        #[serde(default)]
        accepts_sms: Option<bool>,
        #[serde(default)]
        accepts_email: Option<bool>,
    },
    /// An order: ends the matching journey and every pending send.
    #[serde(rename_all = "camelCase")]
    OrderPlaced {
        order_id: String,
        #[serde(default)]
        cart_token: Option<String>,
        total: crate::money::Money,
    },
    #[serde(rename_all = "camelCase")]
    OrderCancelled { order_id: String },
    /// A scheduled send came due: the engine asks every question again (principle 3).
    #[serde(rename_all = "camelCase")]
    Due { action_id: String },
    #[serde(rename_all = "camelCase")]
    Delivered { action_id: String },
    #[serde(rename_all = "camelCase")]
    Opened { action_id: String },
    #[serde(rename_all = "camelCase")]
    Clicked { action_id: String },
    #[serde(rename_all = "camelCase")]
    Bounced { action_id: String, permanent: bool },
    #[serde(rename_all = "camelCase")]
    Complained { action_id: String },
    #[serde(rename_all = "camelCase")]
    SendFailed { action_id: String, permanent: bool, code: String },
    /// An inbound SMS from the contact (keywords, or free text that tailors the next email).
    #[serde(rename_all = "camelCase")]
    SmsReceived { body: String },
    #[serde(rename_all = "camelCase")]
    ConsentChanged {
        channel: Channel,
        status: ConsentStatus,
        source: ConsentSource,
        #[serde(default)]
        text_version: Option<String>,
        #[serde(default)]
        evidence: Option<String>,
    },
    /// One-click unsubscribe or the preference centre. `channel: None` means every channel.
    #[serde(rename_all = "camelCase")]
    Unsubscribed {
        #[serde(default)]
        channel: Option<Channel>,
    },
    /// Shopify `customers/redact`, a merchant's or the shopper's own request.
    Erase,
}

impl EventBody {
    /// The name used in explanations and metrics (never personal data).
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Abandoned { .. } => "abandoned",
            EventBody::CheckoutUpdated { .. } => "checkoutUpdated",
            EventBody::OrderPlaced { .. } => "orderPlaced",
            EventBody::OrderCancelled { .. } => "orderCancelled",
            EventBody::Due { .. } => "due",
            EventBody::Delivered { .. } => "delivered",
            EventBody::Opened { .. } => "opened",
            EventBody::Clicked { .. } => "clicked",
            EventBody::Bounced { .. } => "bounced",
            EventBody::Complained { .. } => "complained",
            EventBody::SendFailed { .. } => "sendFailed",
            EventBody::SmsReceived { .. } => "smsReceived",
            EventBody::ConsentChanged { .. } => "consentChanged",
            EventBody::Unsubscribed { .. } => "unsubscribed",
            EventBody::Erase => "erase",
        }
    }
}

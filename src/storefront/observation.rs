//! What the page saw: one fact per observation, as the capture script, a merchant's `track()`
//! or a Shopify Web Pixel event reports it. The session folds them (`session`); a pixel event
//! is carried as it came and mapped there (`web_pixel`).

use super::device::DeviceFacts;
use super::page_consent::{ChannelChoice, PlatformPurposes, ShopifyPrivacy};
use super::pixel_event::PixelEvent;
use crate::common::cart::Stage;
use crate::common::channel::Channel;
use crate::common::money::ShownPrice;
use serde::{Deserialize, Serialize};

/// One fact the page saw. JSON: `{"<kind>": {...fields}}`, e.g. `{"formError": {}}`.
/// Externally tagged on purpose: it parses without buffering, which keeps the storefront
/// wasm small (an internally tagged enum tripled it).
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Observation {
    /// A page of the shop was shown; `url` without query or fragment.
    Page {
        path: String,
        #[serde(default)]
        url: Option<String>,
    },
    /// The page declares its stage (`data-rekindle-stage`).
    Stage {
        stage: Stage,
    },
    /// The whole cart as the page shows it.
    Cart {
        #[serde(default)]
        token: Option<String>,
        currency: String,
        items: Vec<ShownItem>,
        #[serde(default)]
        recovery_url: Option<String>,
    },
    ItemAdded {
        currency: String,
        item: ShownItem,
    },
    /// A click, key or touch: the shopper is still there.
    Interaction {},
    /// A shipping cost was shown; `amount` as displayed, when known.
    ShippingCost {
        #[serde(default)]
        amount: Option<ShownPrice>,
    },
    DeliveryEstimate {
        shown: bool,
    },
    /// The shopper left a form field; coupon fields are recognised here by name.
    FieldLeft {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        id: Option<String>,
        filled: bool,
    },
    FormError {},
    PaymentError {},
    AccountWall {},
    /// Navigation Timing: `loadEventEnd`, ms.
    PageLoad {
        ms: u32,
    },
    Hidden {},
    Visible {},
    PageHide {},
    /// A same-site link or form is about to navigate: the hide that follows is not an exit.
    Navigating {},
    /// Back/forward navigation (`popstate`, or a `back_forward` navigation entry).
    Back {},
    Completed {},
    Identify {
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        first_name: Option<String>,
    },
    Region {
        country_code: String,
        #[serde(default)]
        province_code: Option<String>,
    },
    /// Read once per page: time zone, locale, device, Global Privacy Control.
    Environment {
        #[serde(default)]
        time_zone: Option<String>,
        #[serde(default)]
        locale: Option<String>,
        #[serde(default)]
        device: DeviceFacts,
        #[serde(default)]
        gpc: bool,
    },
    ShopifyPrivacy {
        privacy: ShopifyPrivacy,
    },
    PlatformConsent {
        purposes: PlatformPurposes,
    },
    AnalyticsChoice {
        granted: bool,
    },
    ChannelConsent {
        channel: Channel,
        choice: ChannelChoice,
    },
    /// A Shopify Web Pixel standard event, mapped in `web_pixel`.
    Shopify {
        event: PixelEvent,
    },
}

/// A line item as the page shows it; the price is converted with the cart's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShownItem {
    pub title: String,
    #[serde(default = "one")]
    pub quantity: u32,
    pub price: ShownPrice,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// The product's image as the page or the Web Pixel shows it (`variant.image.src`).
    #[serde(default)]
    pub image_url: Option<String>,
}

fn one() -> u32 {
    1
}

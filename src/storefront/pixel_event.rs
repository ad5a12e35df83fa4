//! Shopify's Web Pixel standard events, in the shape the pixel's `analytics.subscribe` hands
//! them over. A page observation carries one as it came (`Observation::Shopify`); `web_pixel`
//! maps it. Shapes from Shopify's Web Pixels API reference (standard events, `Checkout`,
//! `CartLine`, `MoneyV2`, `AlertDisplayed`). Everything is optional and unknown fields are
//! ignored: the pixel API grows fields often, and a missing one must not lose the rest.

use crate::common::money::ShownPrice;
use serde::Deserialize;

/// A standard event as the pixel's `analytics.subscribe` hands it over.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PixelEvent {
    pub(super) name: String,
    pub(super) data: Data,
    pub(super) context: Context,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Data {
    pub(super) checkout: Option<Checkout>,
    pub(super) cart: Option<PixelCart>,
    pub(super) cart_line: Option<CartLine>,
    pub(super) alert: Option<Alert>,
    pub(super) element: Option<Element>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Checkout {
    pub(super) token: Option<String>,
    pub(super) currency_code: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) line_items: Vec<CheckoutLineItem>,
    pub(super) shipping_line: Option<ShippingRate>,
    pub(super) shipping_address: Option<MailingAddress>,
    pub(super) billing_address: Option<MailingAddress>,
    pub(super) delivery: Option<Delivery>,
    pub(super) buyer_accepts_email_marketing: Option<bool>,
    pub(super) buyer_accepts_sms_marketing: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CheckoutLineItem {
    pub(super) title: Option<String>,
    pub(super) quantity: f64,
    pub(super) variant: Option<ProductVariant>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ProductVariant {
    pub(super) title: Option<String>,
    pub(super) price: Option<MoneyV2>,
    pub(super) product: Option<Product>,
    /// Shopify's Web Pixels API `ProductVariant.image` (`Image.src`): what checkout webhooks lack.
    pub(super) image: Option<Image>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Image {
    pub(super) src: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Product {
    pub(super) id: Option<String>,
    pub(super) title: Option<String>,
    #[serde(rename = "type")]
    pub(super) product_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MoneyV2 {
    pub(super) amount: ShownPrice,
    #[serde(default)]
    pub(super) currency_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShippingRate {
    pub(super) price: Option<MoneyV2>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct MailingAddress {
    pub(super) country_code: Option<String>,
    pub(super) province_code: Option<String>,
    pub(super) first_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Delivery {
    pub(super) selected_delivery_options: Vec<DeliveryOption>,
}

/// A chosen rate; its `description` is where checkouts show the delivery estimate.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DeliveryOption {
    pub(super) description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PixelCart {
    pub(super) id: Option<String>,
    pub(super) lines: Vec<CartLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CartLine {
    pub(super) quantity: f64,
    pub(super) merchandise: Option<ProductVariant>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Alert {
    #[serde(rename = "type")]
    pub(super) kind: String,
}

/// DOM events (`input_blurred`) describe the field.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Element {
    pub(super) id: Option<String>,
    pub(super) name: Option<String>,
    pub(super) value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Context {
    pub(super) document: Option<Document>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Document {
    pub(super) location: Option<Location>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Location {
    pub(super) origin: Option<String>,
    pub(super) pathname: Option<String>,
}

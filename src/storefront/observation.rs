//! What the page saw: one fact per observation, as the capture script, a merchant's `track()`
//! or a Shopify Web Pixel event reports it. The session folds them (`session`); a pixel event
//! is carried as it came and mapped there (`web_pixel`).

use super::device::DeviceFacts;
use super::page_consent::{ChannelChoice, PlatformPurposes, ShopifyPrivacy};
#[cfg(feature = "web-pixel")]
use super::pixel_event::PixelEvent;
use crate::common::cart::Stage;
use crate::common::channel::Channel;
use crate::common::money::ShownPrice;
use super::reader::{invalid, Object};
use crate::error::{Code, Error, Result};
use serde::Serialize;
use serde_json::Value;

/// One fact the page saw. JSON: `{"<kind>": {...fields}}`, e.g. `{"formError": {}}`.
/// Externally tagged: one key names the kind. Read from the parsed tree by `Observation::read`
/// (`reader`), not a derived deserializer: see `reader` for the bytes that saves.
#[derive(Debug)]
pub enum Observation {
    /// A page of the shop was shown; `url` without query or fragment.
    Page {
        path: String,
        url: Option<String>,
    },
    /// The page declares its stage (`data-rekindle-stage`).
    Stage {
        stage: Stage,
    },
    /// The whole cart as the page shows it.
    Cart {
        token: Option<String>,
        currency: String,
        items: Vec<ShownItem>,
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
        amount: Option<ShownPrice>,
    },
    DeliveryEstimate {
        shown: bool,
    },
    /// The shopper left a form field; coupon fields are recognised here by name.
    FieldLeft {
        name: Option<String>,
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
        email: Option<String>,
        phone: Option<String>,
        first_name: Option<String>,
    },
    Region {
        country_code: String,
        province_code: Option<String>,
    },
    /// Read once per page: time zone, locale, device, Global Privacy Control.
    Environment {
        time_zone: Option<String>,
        locale: Option<String>,
        device: DeviceFacts,
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
    /// A Shopify Web Pixel standard event, mapped in `web_pixel` (the Web Pixel's own build).
    #[cfg(feature = "web-pixel")]
    Shopify {
        event: PixelEvent,
    },
}

/// A line item as the page shows it; the price is converted with the cart's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownItem {
    pub title: String,
    pub quantity: u32,
    pub price: ShownPrice,
    pub variant: Option<String>,
    pub product_id: Option<String>,
    pub category: Option<String>,
    /// The product's image as the page or the Web Pixel shows it (`variant.image.src`).
    pub image_url: Option<String>,
}

const CHANNELS: [Channel; 2] = [Channel::Email, Channel::Sms];

impl Observation {
    /// Read one observation (`{"<kind>": {...}}`) from the parsed tree at `path`. Field names
    /// are camelCase and unknown fields are refused, as the capture API documents.
    pub fn read(value: &Value, path: &str) -> Result<Observation> {
        let outer = Object::new(value, path.to_string())?;
        let mut kinds = outer.fields();
        let (Some(kind), None) = (kinds.next(), kinds.next()) else {
            return Err(invalid(path, "an object with one key, the observation's kind"));
        };
        let o = outer.required_object(kind)?;
        let empty = |o: Object, observation: Observation| o.only(&[]).map(|_| observation);
        Ok(match kind {
            "page" => {
                let o = o.only(&["path", "url"])?;
                Observation::Page { path: o.required_text("path")?, url: o.text("url")? }
            }
            "stage" => {
                let o = o.only(&["stage"])?;
                let stage = super::signals::read_stage(&o, "stage")?;
                Observation::Stage { stage: o.require("stage", stage)? }
            }
            "cart" => {
                let o = o.only(&["token", "currency", "items", "recoveryUrl"])?;
                let items = o.items("items")?;
                let items = o.require("items", items)?;
                Observation::Cart {
                    token: o.text("token")?,
                    currency: o.required_text("currency")?,
                    items: items
                        .into_iter()
                        .map(|(path, item)| ShownItem::read(item, path))
                        .collect::<Result<_>>()?,
                    recovery_url: o.text("recoveryUrl")?,
                }
            }
            "itemAdded" => {
                let o = o.only(&["currency", "item"])?;
                let item = o.required_object("item")?;
                Observation::ItemAdded {
                    currency: o.required_text("currency")?,
                    item: ShownItem::read_object(item)?,
                }
            }
            "interaction" => empty(o, Observation::Interaction {})?,
            "shippingCost" => {
                let o = o.only(&["amount"])?;
                Observation::ShippingCost { amount: o.price("amount")? }
            }
            "deliveryEstimate" => {
                let o = o.only(&["shown"])?;
                Observation::DeliveryEstimate { shown: o.required_flag("shown")? }
            }
            "fieldLeft" => {
                let o = o.only(&["name", "id", "filled"])?;
                Observation::FieldLeft {
                    name: o.text("name")?,
                    id: o.text("id")?,
                    filled: o.required_flag("filled")?,
                }
            }
            "formError" => empty(o, Observation::FormError {})?,
            "paymentError" => empty(o, Observation::PaymentError {})?,
            "accountWall" => empty(o, Observation::AccountWall {})?,
            "pageLoad" => {
                let o = o.only(&["ms"])?;
                let ms = o.count("ms")?;
                Observation::PageLoad { ms: o.require("ms", ms)? }
            }
            "hidden" => empty(o, Observation::Hidden {})?,
            "visible" => empty(o, Observation::Visible {})?,
            "pageHide" => empty(o, Observation::PageHide {})?,
            "navigating" => empty(o, Observation::Navigating {})?,
            "back" => empty(o, Observation::Back {})?,
            "completed" => empty(o, Observation::Completed {})?,
            "identify" => {
                let o = o.only(&["email", "phone", "firstName"])?;
                Observation::Identify {
                    email: o.text("email")?,
                    phone: o.text("phone")?,
                    first_name: o.text("firstName")?,
                }
            }
            "region" => {
                let o = o.only(&["countryCode", "provinceCode"])?;
                Observation::Region {
                    country_code: o.required_text("countryCode")?,
                    province_code: o.text("provinceCode")?,
                }
            }
            "environment" => {
                let o = o.only(&["timeZone", "locale", "device", "gpc"])?;
                Observation::Environment {
                    time_zone: o.text("timeZone")?,
                    locale: o.text("locale")?,
                    device: o.object("device")?.map(DeviceFacts::read).transpose()?.unwrap_or_default(),
                    gpc: o.flag("gpc")?.unwrap_or(false),
                }
            }
            "shopifyPrivacy" => {
                let o = o.only(&["privacy"])?;
                Observation::ShopifyPrivacy { privacy: ShopifyPrivacy::read(o.required_object("privacy")?)? }
            }
            "platformConsent" => {
                let o = o.only(&["purposes"])?;
                Observation::PlatformConsent {
                    purposes: PlatformPurposes::read(o.required_object("purposes")?)?,
                }
            }
            "analyticsChoice" => {
                let o = o.only(&["granted"])?;
                Observation::AnalyticsChoice { granted: o.required_flag("granted")? }
            }
            "channelConsent" => {
                let o = o.only(&["channel", "choice"])?;
                let channel = o.choice("channel", &["email", "sms"])?;
                Observation::ChannelConsent {
                    channel: CHANNELS[o.require("channel", channel)?],
                    choice: ChannelChoice::read(o.required_object("choice")?)?,
                }
            }
            #[cfg(feature = "web-pixel")]
            "shopify" => {
                let o = o.only(&["event"])?;
                let event = o.get("event").cloned();
                Observation::Shopify { event: PixelEvent::from(o.require("event", event)?) }
            }
            other => {
                return Err(Error::new(Code::InvalidField, outer.path_of(other), format!("unknown observation kind `{other}`")))
            }
        })
    }
}

impl ShownItem {
    fn read(value: &Value, path: String) -> Result<ShownItem> {
        ShownItem::read_object(Object::new(value, path)?)
    }

    fn read_object(o: Object) -> Result<ShownItem> {
        let o = o.only(&["title", "quantity", "price", "variant", "productId", "category", "imageUrl"])?;
        let price = o.price("price")?;
        Ok(ShownItem {
            title: o.required_text("title")?,
            quantity: o.count("quantity")?.unwrap_or(1),
            price: o.require("price", price)?,
            variant: o.text("variant")?,
            product_id: o.text("productId")?,
            category: o.text("category")?,
            image_url: o.text("imageUrl")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(value: Value) -> Result<Observation> {
        Observation::read(&value, "$[0][1]")
    }

    fn error_at(value: Value) -> (String, String) {
        let problem = read(value).expect_err("refused").problems.remove(0);
        assert_eq!(problem.code, Code::InvalidField);
        (problem.path, problem.message)
    }

    #[test]
    fn a_cart_reads_its_items_with_defaults() {
        let cart = read(json!({ "cart": { "currency": "USD", "items": [
            { "title": "Socks", "price": "$4.50" },
            { "title": "Hat", "price": 12, "quantity": 2, "variant": null }
        ] } }))
        .unwrap();
        let Observation::Cart { items, token: None, .. } = cart else { panic!("{cart:?}") };
        assert_eq!(items[0].quantity, 1);
        assert_eq!(items[0].price, ShownPrice::Text("$4.50".into()));
        assert_eq!((items[1].quantity, items[1].variant.clone()), (2, None));
    }

    #[test]
    fn every_refusal_names_the_field_that_broke_the_contract() {
        let cases = [
            (json!({ "cart": { "currency": "USD", "items": "socks" } }), "$[0][1].cart.items", "an array"),
            (json!({ "cart": { "currency": "USD", "items": [{ "price": 1 }] } }), "$[0][1].cart.items[0].title", "missing"),
            (json!({ "pageLoad": { "ms": -1 } }), "$[0][1].pageLoad.ms", "whole number"),
            (json!({ "stage": { "stage": "basket" } }), "$[0][1].stage.stage", "one of"),
            (json!({ "formError": { "field": "email" } }), "$[0][1].formError.field", "unknown field"),
            (json!({ "environment": { "device": { "screenWidth": "wide" } } }), "$[0][1].environment.device.screenWidth", "whole number"),
            (json!({ "channelConsent": { "channel": "sms", "choice": {} } }), "$[0][1].channelConsent.choice.granted", "missing"),
            (json!({ "shopifyPrivacy": { "privacy": { "marketingAllowed": 1 } } }), "$[0][1].shopifyPrivacy.privacy.marketingAllowed", "a boolean"),
            (json!({ "teleport": {} }), "$[0][1].teleport", "unknown observation kind"),
            (json!({ "hidden": {}, "visible": {} }), "$[0][1]", "one key"),
            (json!("hidden"), "$[0][1]", "an object"),
        ];
        for (input, path, message) in cases {
            let (at, said) = error_at(input.clone());
            assert_eq!(at, path, "{input}");
            assert!(said.contains(message), "{input}: {said}");
        }
    }

    #[test]
    fn null_reads_as_absent_and_unknown_visitor_consent_fields_pass() {
        let privacy = read(json!({ "shopifyPrivacy": { "privacy": {
            "marketingAllowed": null, "visitorConsent": { "marketing": "yes", "preferences": "" }
        } } }))
        .unwrap();
        let Observation::ShopifyPrivacy { privacy } = privacy else { panic!() };
        assert_eq!(privacy.marketing_allowed, None);
        assert!(privacy.visitor_consent.is_some_and(|v| v.marketing.is_some()));
    }
}

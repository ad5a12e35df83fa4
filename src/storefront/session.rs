//! The storefront session: raw observations from the page folded into friction signals, a
//! cart, contact hints and consent. The state is opaque JSON the page keeps in
//! `sessionStorage` between checkout pages. It comes from the browser, so state that does not
//! parse starts a fresh session instead of failing.

use super::device::{self, DeviceClass};
use super::observation::{Observation, ShownItem};
use super::page_consent::{ChannelChoice, PageConsent};
use super::reader::{self, Object};
use super::signals::{Observations, Thresholds};
#[cfg(feature = "web-pixel")]
use super::web_pixel;
use crate::common::cart::{LineItem, Stage};
use crate::common::contact_details::ContactDetails;
use serde::Serialize;

/// The merchant's settings for the capture (data attributes or `init({...})`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub thresholds: Thresholds,
    /// Opt-in regions: nothing leaves before analytics consent (see `page_consent`).
    pub consent_required: bool,
    /// The version of the consent wording on the page, recorded with every consent change.
    pub text_version: Option<String>,
    /// Where a recovery link should land, when the page does not say.
    pub recovery_url: Option<String>,
}

impl Settings {
    /// From the page's JSON, with the bad field's path on error (`reader`, not derived).
    pub fn from_json(text: &str) -> crate::Result<Settings> {
        reader::from_text(text, |o| {
            let o = o.only(&["thresholds", "consentRequired", "textVersion", "recoveryUrl"])?;
            Ok(Settings {
                thresholds: o.object("thresholds")?.map(Thresholds::read).transpose()?.unwrap_or_default(),
                consent_required: o.flag("consentRequired")?.unwrap_or_default(),
                text_version: o.text("textVersion")?,
                recovery_url: o.text("recoveryUrl")?,
            })
        })
    }
}

/// A hide within this long after a same-site click is that click's navigation (*assumption*:
/// covers a slow server response; a real exit seldom follows a click inside the shop this fast).
const NAVIGATION_GRACE_MS: f64 = 5_000.0;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CartDraft {
    pub token: Option<String>,
    pub currency: String,
    pub items: Vec<LineItem>,
    pub recovery_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub signals: Observations,
    pub cart: Option<CartDraft>,
    pub contact: ContactDetails,
    pub consent: PageConsent,
    pub page_url: Option<String>,
    pub shipping_minor: Option<i64>,
    pub last_activity_ms: f64,
    pub navigating_at_ms: Option<f64>,
    /// What the last abandonment beacon said (cart token and reasons), so it is not repeated.
    pub reported: Option<String>,
    pub reported_email: Option<bool>,
    pub reported_sms: Option<bool>,
    /// Numbers this session's events; with the anonymous id it makes every event id unique.
    pub sequence: u32,
}

impl Session {
    pub fn from_json_or_fresh(text: Option<&str>) -> Session {
        text.and_then(|text| reader::from_text(text, Session::read).ok())
            .unwrap_or_default()
    }

    /// The state as `Serialize` wrote it, read by `reader` (no derived deserializer in the
    /// storefront wasm). Unknown fields pass: an older page's state may carry retired ones.
    fn read(o: Object) -> crate::Result<Session> {
        let cart = match o.object("cart")? {
            Some(c) => Some(CartDraft {
                token: c.text("token")?,
                currency: c.text("currency")?.unwrap_or_default(),
                items: c
                    .items("items")?
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(path, item)| read_line_item(Object::new(item, path)?))
                    .collect::<crate::Result<_>>()?,
                recovery_url: c.text("recoveryUrl")?,
            }),
            None => None,
        };
        let contact = match o.object("contact")? {
            Some(c) => ContactDetails {
                email: c.text("email")?,
                phone: c.text("phone")?,
                first_name: c.text("firstName")?,
                time_zone: c.text("timeZone")?,
                region: c.text("region")?,
                locale: c.text("locale")?,
                returning: c.flag("returning")?,
                mobile: c.flag("mobile")?,
            },
            None => ContactDetails::default(),
        };
        let consent = match o.object("consent")? {
            Some(c) => PageConsent {
                gpc: c.flag("gpc")?.unwrap_or_default(),
                platform_analytics: c.flag("platformAnalytics")?,
                platform_marketing: c.flag("platformMarketing")?,
                chosen_analytics: c.flag("chosenAnalytics")?,
                email: c.object("email")?.map(ChannelChoice::read).transpose()?,
                sms: c.object("sms")?.map(ChannelChoice::read).transpose()?,
            },
            None => PageConsent::default(),
        };
        Ok(Session {
            signals: o.object("signals")?.map(Observations::read).transpose()?.unwrap_or_default(),
            cart,
            contact,
            consent,
            page_url: o.text("pageUrl")?,
            shipping_minor: o.whole("shippingMinor")?,
            last_activity_ms: o.number("lastActivityMs")?.unwrap_or_default(),
            navigating_at_ms: o.number("navigatingAtMs")?,
            reported: o.text("reported")?,
            reported_email: o.flag("reportedEmail")?,
            reported_sms: o.flag("reportedSms")?,
            sequence: o.count("sequence")?.unwrap_or_default(),
        })
    }

    pub fn observe(&mut self, at_ms: f64, observation: Observation) {
        if is_activity(&observation) {
            self.last_activity_ms = self.last_activity_ms.max(at_ms);
        }
        let signals = &mut self.signals;
        match observation {
            Observation::Page { path, url } => {
                signals.left_page = false;
                self.navigating_at_ms = None;
                if let Some(stage) = stage_of_path(&path) {
                    self.raise_stage(stage);
                }
                self.page_url = url.or(self.page_url.take());
            }
            Observation::Stage { stage } => self.raise_stage(stage),
            Observation::Cart {
                token,
                currency,
                items,
                recovery_url,
            } => {
                let items = line_items(&items, &currency);
                let previous = self.cart.take().unwrap_or_default();
                self.cart = Some(CartDraft {
                    token: token.or(previous.token),
                    currency,
                    items,
                    recovery_url: recovery_url.or(previous.recovery_url),
                });
                self.raise_stage(Stage::Cart);
            }
            Observation::ItemAdded { currency, item } => {
                let cart = self.cart.get_or_insert_with(Default::default);
                if cart.currency.is_empty() {
                    cart.currency = currency.clone();
                }
                for added in line_items(&[item], &currency) {
                    match cart
                        .items
                        .iter_mut()
                        .find(|i| i.title == added.title && i.variant == added.variant)
                    {
                        Some(line) => line.quantity = line.quantity.saturating_add(added.quantity),
                        None => cart.items.push(added),
                    }
                }
                self.raise_stage(Stage::Cart);
            }
            Observation::Interaction {} => {}
            Observation::ShippingCost { amount } => {
                let currency = self
                    .cart
                    .as_ref()
                    .map(|c| c.currency.as_str())
                    .unwrap_or("");
                let shown = amount.map(|a| a.to_minor(currency));
                self.shipping_minor = shown.flatten();
                // A marked cost without an amount counts; "Free" or "Calculated at next step"
                // (no number, or zero) reveals no extra cost.
                self.signals.shipping_cost_revealed = match shown {
                    None => true,
                    Some(minor) => minor.is_some_and(|m| m > 0),
                };
            }
            Observation::DeliveryEstimate { shown } => {
                signals.delivery_estimate_shown =
                    Some(signals.delivery_estimate_shown == Some(true) || shown)
            }
            Observation::FieldLeft { name, id, filled } => {
                if !filled && is_coupon_field(name.as_deref(), id.as_deref()) {
                    signals.coupon_field_focused_without_code += 1;
                }
            }
            Observation::FormError {} => signals.form_errors += 1,
            Observation::PaymentError {} => signals.payment_error = true,
            Observation::AccountWall {} => signals.account_wall_shown = true,
            Observation::PageLoad { ms } => {
                signals.page_load_ms = Some(signals.page_load_ms.unwrap_or(0).max(ms))
            }
            Observation::Hidden {} | Observation::PageHide {} => {
                let navigating = self
                    .navigating_at_ms
                    .is_some_and(|started| at_ms - started <= NAVIGATION_GRACE_MS);
                if !navigating {
                    signals.left_page = true;
                }
            }
            Observation::Visible {} => signals.left_page = false,
            Observation::Navigating {} => self.navigating_at_ms = Some(at_ms),
            Observation::Back {} => signals.went_back = true,
            Observation::Completed {} => signals.completed = true,
            Observation::Identify {
                email,
                phone,
                first_name,
            } => {
                let contact = &mut self.contact;
                contact.email = non_empty(email).or(contact.email.take());
                contact.phone = non_empty(phone).or(contact.phone.take());
                contact.first_name = non_empty(first_name).or(contact.first_name.take());
            }
            Observation::Region {
                country_code,
                province_code,
            } => {
                // ISO 3166-2 wants codes ("US-TX"); a page may hold names ("Texas"): drop those.
                let code = |text: &str, len: std::ops::RangeInclusive<usize>| {
                    let text = text.trim().to_ascii_uppercase();
                    let valid = len.contains(&text.len())
                        && text.chars().all(|c| c.is_ascii_alphanumeric());
                    valid.then_some(text)
                };
                if let Some(country) = code(&country_code, 2..=2) {
                    let province = province_code.as_deref().and_then(|p| code(p, 1..=3));
                    self.contact.region = Some(match province {
                        Some(province) => format!("{country}-{province}"),
                        None => country,
                    });
                }
            }
            Observation::Environment {
                time_zone,
                locale,
                device,
                gpc,
            } => {
                self.contact.time_zone = non_empty(time_zone).or(self.contact.time_zone.take());
                self.contact.locale = non_empty(locale).or(self.contact.locale.take());
                self.contact.mobile = Some(device::classify(&device) == DeviceClass::Mobile);
                self.consent.gpc = gpc;
            }
            Observation::ShopifyPrivacy { privacy } => self.consent.apply_shopify(&privacy),
            Observation::PlatformConsent { purposes } => self.consent.apply_platform(&purposes),
            Observation::AnalyticsChoice { granted } => {
                self.consent.chosen_analytics = Some(granted)
            }
            Observation::ChannelConsent { channel, choice } => {
                self.consent.choose_channel(channel, choice)
            }
            #[cfg(feature = "web-pixel")]
            Observation::Shopify { event } => {
                for mapped in web_pixel::observations(event) {
                    self.observe(at_ms, mapped);
                }
            }
        }
        self.signals.has_items = self.cart.as_ref().is_some_and(|c| !c.items.is_empty());
    }

    fn raise_stage(&mut self, stage: Stage) {
        self.signals.stage = Some(self.signals.stage.map_or(stage, |s| s.max(stage)));
    }
}

/// Everything but the page's own comings and goings shows the shopper is still there.
fn is_activity(observation: &Observation) -> bool {
    // A pixel event is not activity itself: what it maps to may be.
    #[cfg(feature = "web-pixel")]
    if matches!(observation, Observation::Shopify { .. }) {
        return false;
    }
    !matches!(
        observation,
        Observation::Hidden {}
            | Observation::Visible {}
            | Observation::PageHide {}
            | Observation::PageLoad { .. }
            | Observation::Environment { .. }
            | Observation::ShopifyPrivacy { .. }
            | Observation::PlatformConsent { .. }
            | Observation::FormError {}
            | Observation::PaymentError {}
            | Observation::ShippingCost { .. }
            | Observation::DeliveryEstimate { .. }
    )
}

/// Shopify's checkout names its discount field `reductions`; themes say coupon, discount, promo.
pub fn is_coupon_field(name: Option<&str>, id: Option<&str>) -> bool {
    [name, id].into_iter().flatten().any(|label| {
        let label = label.to_ascii_lowercase();
        ["discount", "coupon", "reductions", "promo"]
            .iter()
            .any(|word| super::text::contains(&label, word))
    })
}

/// Shop URLs name their stage: Shopify's `/cart` and `/checkouts/...`, and most others alike.
fn stage_of_path(path: &str) -> Option<Stage> {
    let path = path.to_ascii_lowercase();
    let has = |part| super::text::contains(&path, part);
    if has("/checkout") {
        Some(Stage::Checkout)
    } else if has("/cart") || has("/basket") || has("/bag") {
        Some(Stage::Cart)
    } else {
        None
    }
}

fn read_line_item(o: Object) -> crate::Result<LineItem> {
    let quantity = o.count("quantity")?;
    let unit_price = o.whole("unitPrice")?;
    Ok(LineItem {
        title: o.required_text("title")?,
        variant: o.text("variant")?,
        quantity: o.require("quantity", quantity)?,
        unit_price: o.require("unitPrice", unit_price)?,
        category: o.text("category")?,
        unit_cost: o.whole("unitCost")?,
        product_id: o.text("productId")?,
        image_url: o.text("imageUrl")?,
    })
}

fn line_items(items: &[ShownItem], currency: &str) -> Vec<LineItem> {
    items
        .iter()
        .filter(|item| item.quantity > 0)
        .filter_map(|item| {
            Some(LineItem {
                title: item.title.clone(),
                variant: item.variant.clone(),
                quantity: item.quantity,
                unit_price: item.price.to_minor(currency)?,
                category: item.category.clone(),
                product_id: item.product_id.clone(),
                // Costs are the merchant's secret: the storefront never knows them.
                unit_cost: None,
                // Only an image fit for an email travels (the server checks again).
                image_url: item.image_url.clone().filter(|u| crate::common::cart::check_image_url(u).is_ok()),
            })
        })
        .collect()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod state_tests {
    use super::*;
    use crate::common::channel::Channel;
    use serde_json::json;

    fn observe(session: &mut Session, at: f64, observation: serde_json::Value) {
        session.observe(at, Observation::read(&observation, "$").expect("an observation"));
    }

    #[test]
    fn the_state_reads_back_as_it_was_written() {
        let mut session = Session::default();
        observe(&mut session, 1.0, json!({ "cart": { "token": "c1", "currency": "USD", "recoveryUrl": "https://s.example/c",
            "items": [{ "title": "Socks", "price": "4.50", "quantity": 2, "variant": "M", "category": "apparel", "productId": "p1" }] } }));
        observe(&mut session, 2.0, json!({ "page": { "path": "/checkouts/c1", "url": "https://s.example/checkouts/c1" } }));
        observe(&mut session, 3.0, json!({ "identify": { "email": "a@b.example", "phone": "+15550100", "firstName": "Ann" } }));
        observe(&mut session, 4.0, json!({ "region": { "countryCode": "us", "provinceCode": "tx" } }));
        observe(&mut session, 5.0, json!({ "environment": { "timeZone": "America/Chicago", "locale": "en-US", "gpc": true, "device": { "coarsePointer": true, "screenWidth": 390 } } }));
        observe(&mut session, 6.0, json!({ "shippingCost": { "amount": 5 } }));
        observe(&mut session, 7.0, json!({ "navigating": {} }));
        observe(&mut session, 8.0, json!({ "pageLoad": { "ms": 5100 } }));
        observe(&mut session, 9.0, json!({ "platformConsent": { "purposes": { "analytics": "yes", "marketing": false } } }));
        observe(&mut session, 9.5, json!({ "analyticsChoice": { "granted": true } }));
        session.consent.choose_channel(Channel::Sms, ChannelChoice { granted: true, text_version: Some("v2".into()), evidence: Some("Text me".into()) });
        session.reported = Some("c1:extraCost".into());
        session.reported_email = Some(true);
        session.sequence = 3;
        let text = serde_json::to_string(&session).unwrap();
        assert_eq!(Session::from_json_or_fresh(Some(&text)), session, "{text}");
    }

    #[test]
    fn state_of_the_wrong_shape_starts_fresh() {
        for text in ["{not json", "[]", r#"{"sequence": -1}"#, r#"{"cart": {"items": [{"title": "x"}]}}"#] {
            assert_eq!(Session::from_json_or_fresh(Some(text)), Session::default(), "{text}");
        }
    }

    #[test]
    fn settings_name_the_bad_field() {
        let error = Settings::from_json(r#"{"thresholds": {"idleSeconds": "soon"}}"#).unwrap_err();
        assert_eq!(error.path(), "$.thresholds.idleSeconds");
        let error = Settings::from_json(r#"{"consentRequire": true}"#).unwrap_err();
        assert_eq!(error.path(), "$.consentRequire");
        let settings = Settings::from_json(r#"{"thresholds": {"slowPageMs": 100}}"#).unwrap();
        assert_eq!((settings.thresholds.idle_seconds, settings.thresholds.slow_page_ms), (300, 100));
    }
}

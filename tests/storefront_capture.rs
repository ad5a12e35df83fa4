//! The storefront session as the page drives it: JSON observations in, beacons out. Every
//! beacon event must be an engine event the server accepts.

use rekindle::engine::decide;
use rekindle::model::event::Event;
use rekindle::model::state::State;
use rekindle::policy::Policy;
use rekindle::storefront::capture::{step_json, Step};
use rekindle::storefront::session::Settings;
use serde_json::{json, Value};

const T0: f64 = 1_795_791_600_000.0; // 2026-11-27T15:00:00Z
const IDLE_MS: f64 = 300_000.0; // the default idle threshold

struct Page {
    state: Option<String>,
    settings: Settings,
    beacons: Vec<Value>,
}

impl Page {
    fn new() -> Page {
        Page {
            state: None,
            settings: Settings::default(),
            beacons: Vec::new(),
        }
    }

    fn step(&mut self, now: f64, observations: Value) -> Step {
        let step = step_json(
            self.state.as_deref(),
            &self.settings,
            &observations.to_string(),
            now,
            "anon-1",
        )
        .expect("a batch of observations is valid JSON");
        self.state = Some(step.state.clone());
        if let Some(beacon) = &step.beacon {
            self.beacons.push(serde_json::from_str(beacon).unwrap());
        }
        step
    }

    fn events(&self, kind: &str) -> Vec<Value> {
        self.beacons
            .iter()
            .flat_map(|b| b["events"].as_array().unwrap().clone())
            .filter(|e| e["type"] == kind)
            .collect()
    }
}

fn environment(gpc: bool) -> Value {
    json!({ "environment": { "timeZone": "America/Chicago", "locale": "en-US",
            "device": { "coarsePointer": true, "screenWidth": 393 }, "gpc": gpc } })
}

/// Cart page, then checkout, then the shipping step shows a $5.99 rate.
fn checkout_to_shipping(page: &mut Page, extra: Vec<Value>) {
    let mut batch = vec![
        json!([T0, environment(false)]),
        json!([T0, { "page": { "path": "/cart", "url": "https://shop.example/cart" } }]),
        json!([T0 + 1000.0, { "cart": { "token": "c1", "currency": "USD",
            "items": [{ "title": "Merino wool socks", "quantity": 2, "price": "$18.00", "variant": "M", "productId": "gid://shopify/Product/1" }] } }]),
        json!([T0 + 4000.0, { "navigating": {} }]),
        json!([T0 + 4100.0, { "hidden": {} }]),
        json!([T0 + 5000.0, { "page": { "path": "/checkouts/c1", "url": "https://shop.example/checkouts/c1" } }]),
        json!([T0 + 8000.0, { "interaction": {} }]),
        json!([T0 + 9000.0, { "shippingCost": { "amount": "$5.99" } }]),
    ];
    batch.extend(extra.into_iter().map(|o| json!([T0 + 9000.0, o])));
    page.step(T0 + 9000.0, Value::Array(batch));
}

#[test]
fn shipping_cost_then_idle_sends_one_abandonment_with_extra_cost() {
    let mut page = Page::new();
    checkout_to_shipping(&mut page, vec![]);
    assert!(
        page.beacons.is_empty(),
        "a click inside the shop is not an exit"
    );

    let waiting = page.step(T0 + 9000.0 + 60_000.0, json!([]));
    assert_eq!(
        waiting.recheck_in_ms,
        Some((IDLE_MS - 61_000.0) as u64),
        "the page is told when to ask again"
    );

    let idle = page.step(T0 + 8000.0 + IDLE_MS, json!([]));
    assert!(idle.summary.abandoned);
    let abandoned = page.events("abandoned");
    assert_eq!(abandoned.len(), 1);
    let event = &abandoned[0];
    assert_eq!(
        event["reasons"],
        json!([{ "reason": "extraCost", "confidence": 0.6 }])
    );
    assert_eq!(event["cart"]["stage"], "checkout");
    assert_eq!(event["cart"]["items"][0]["unitPrice"], 1800);
    assert_eq!(
        event["cart"]["shipping"],
        json!({ "state": "known", "minor": 599 })
    );
    assert_eq!(
        event["contact"],
        json!({ "timeZone": "America/Chicago", "locale": "en-US", "mobile": true })
    );

    page.step(
        T0 + 8000.0 + IDLE_MS + 5000.0,
        json!([[T0 + 8000.0 + IDLE_MS + 5000.0, { "pageHide": {} }]]),
    );
    assert_eq!(
        page.events("abandoned").len(),
        1,
        "leaving after the idle beacon tells nothing new"
    );
}

#[test]
fn an_exit_right_after_the_shipping_cost_is_stronger_evidence_than_idling() {
    let mut page = Page::new();
    checkout_to_shipping(&mut page, vec![json!({ "hidden": {} })]);
    let abandoned = page.events("abandoned");
    assert_eq!(
        abandoned.len(),
        1,
        "tab hidden on mobile: tell now, pagehide may never come"
    );
    assert_eq!(
        abandoned[0]["reasons"][0],
        json!({ "reason": "extraCost", "confidence": 0.8 })
    );
}

#[test]
fn free_shipping_revealed_is_no_extra_cost() {
    let mut page = Page::new();
    checkout_to_shipping(
        &mut page,
        vec![
            json!({ "shippingCost": { "amount": "Free" } }),
            json!({ "hidden": {} }),
        ],
    );
    let abandoned = page.events("abandoned");
    assert_eq!(
        abandoned[0]["reasons"],
        json!([]),
        "an unreadable amount is a cost, but 0 is not: {abandoned:?}"
    );
}

#[test]
fn without_marketing_consent_no_contact_detail_leaves_the_page() {
    let mut page = Page::new();
    let identify = json!({ "identify": { "email": "ada@example.com", "phone": "+15125550100", "firstName": "Ada" } });
    checkout_to_shipping(&mut page, vec![identify, json!({ "hidden": {} })]);
    let contact = &page.events("abandoned")[0]["contact"];
    assert!(
        contact.get("email").is_none()
            && contact.get("phone").is_none()
            && contact.get("firstName").is_none()
    );
    assert!(!serde_json::to_string(&page.beacons)
        .unwrap()
        .contains("ada@"));
}

#[test]
fn an_explicit_email_tick_sends_consent_then_the_email() {
    let mut page = Page::new();
    let tick = json!({ "channelConsent": { "channel": "email",
        "choice": { "granted": true, "textVersion": "email-v2", "evidence": "Email me about my cart" } } });
    let identify = json!({ "identify": { "email": "ada@example.com" } });
    checkout_to_shipping(&mut page, vec![identify, tick, json!({ "hidden": {} })]);
    let events = &page.beacons[0]["events"];
    assert_eq!(
        events[0]["type"], "consentChanged",
        "consent is told before the abandonment"
    );
    assert_eq!(events[0]["status"], "granted");
    assert_eq!(events[0]["textVersion"], "email-v2");
    assert_eq!(events[1]["contact"]["email"], "ada@example.com");
}

#[test]
fn gpc_is_honoured_over_the_platform_marketing_default() {
    let mut page = Page::new();
    let shopify = json!({ "shopifyPrivacy": { "privacy": { "analyticsProcessingAllowed": true, "marketingAllowed": true } } });
    let identify = json!({ "identify": { "email": "ada@example.com" } });
    let gpc = environment(true);
    checkout_to_shipping(
        &mut page,
        vec![gpc, shopify, identify, json!({ "hidden": {} })],
    );
    let abandoned = page.events("abandoned");
    assert_eq!(abandoned.len(), 1, "the anonymous summary still goes");
    assert!(abandoned[0]["contact"].get("email").is_none());
}

#[test]
fn where_consent_is_required_nothing_leaves_before_it() {
    let mut page = Page::new();
    page.settings.consent_required = true;
    checkout_to_shipping(&mut page, vec![json!({ "hidden": {} })]);
    assert!(page.beacons.is_empty());
    page.step(
        T0 + 20_000.0,
        json!([[T0 + 20_000.0, { "platformConsent": { "purposes": { "analytics": "yes" } } }]]),
    );
    assert_eq!(
        page.events("abandoned").len(),
        1,
        "told once consent arrives"
    );
}

#[test]
fn a_completed_checkout_is_never_an_abandonment() {
    let mut page = Page::new();
    checkout_to_shipping(
        &mut page,
        vec![json!({ "completed": {} }), json!({ "hidden": {} })],
    );
    assert!(page.events("abandoned").is_empty());
}

#[test]
fn a_malformed_observation_is_dropped_and_reported_the_rest_still_count() {
    let mut page = Page::new();
    let step = page.step(T0, json!([[T0, { "cart": { "currency": "USD", "items": "socks" } }], [T0, { "interaction": {} }]]));
    assert_eq!(step.rejected.len(), 1);
    assert_eq!(step.rejected[0].path, "$[0][1]");
    assert!(step.rejected[0].message.contains("$[0][1].cart.items"), "{}", step.rejected[0].message);
    assert!(!step.summary.abandoned);
}

#[test]
fn state_that_does_not_parse_starts_a_fresh_session() {
    let settings = Settings::default();
    let step = step_json(Some("{not json"), &settings, "[]", T0, "anon-1").unwrap();
    assert!(!step.summary.abandoned);
    assert!(step.state.starts_with('{'));
}

// ---------- Shopify Web Pixel events reach the same summary as the DOM capture ----------

fn money(amount: f64) -> Value {
    json!({ "amount": amount, "currencyCode": "USD" })
}

fn pixel_checkout(shipping: Option<f64>) -> Value {
    let mut checkout = json!({
        "token": "c1", "currencyCode": "USD", "email": "ada@example.com",
        "lineItems": [{ "title": "Merino wool socks", "quantity": 2,
            "variant": { "title": "M", "price": money(18.0), "product": { "id": "gid://shopify/Product/1", "title": "Merino wool socks", "type": "" } } }],
        "shippingAddress": { "countryCode": "US", "provinceCode": "TX", "firstName": "Ada" },
        "subtotalPrice": money(36.0), "totalPrice": money(41.99)
    });
    if let Some(amount) = shipping {
        checkout["shippingLine"] = json!({ "price": money(amount) });
        checkout["delivery"] = json!({ "selectedDeliveryOptions": [{ "title": "Standard", "description": "", "cost": money(amount) }] });
    }
    checkout
}

fn pixel(name: &str, at: f64, data: Value) -> Value {
    json!([at, { "shopify": { "event": { "name": name, "id": format!("sh-{at}"), "timestamp": "2026-11-27T15:00:00.000Z", "data": data } } }])
}

#[test]
fn web_pixel_standard_events_give_the_same_summary_as_the_dom_capture() {
    let mut dom = Page::new();
    checkout_to_shipping(&mut dom, vec![]);
    dom.step(T0 + 8000.0 + IDLE_MS, json!([]));

    let mut shopify = Page::new();
    let cart_line = json!({ "quantity": 2, "merchandise": { "title": "M", "price": money(18.0), "product": { "title": "Merino wool socks", "id": "gid://shopify/Product/1" } } });
    shopify.step(
        T0 + 9000.0,
        json!([
            [T0, environment(false)],
            pixel(
                "product_added_to_cart",
                T0 + 1000.0,
                json!({ "cartLine": cart_line })
            ),
            pixel(
                "checkout_started",
                T0 + 5000.0,
                json!({ "checkout": pixel_checkout(None) })
            ),
            pixel(
                "checkout_contact_info_submitted",
                T0 + 8000.0,
                json!({ "checkout": pixel_checkout(None) })
            ),
            pixel(
                "checkout_shipping_info_submitted",
                T0 + 8000.0,
                json!({ "checkout": pixel_checkout(Some(5.99)) })
            ),
        ]),
    );
    shopify.step(T0 + 8000.0 + IDLE_MS, json!([]));

    let (dom_event, pixel_event) = (&dom.events("abandoned")[0], &shopify.events("abandoned")[0]);
    assert_eq!(pixel_event["reasons"][0], dom_event["reasons"][0]);
    assert_eq!(pixel_event["cart"]["items"], dom_event["cart"]["items"]);
    assert_eq!(pixel_event["cart"]["stage"], dom_event["cart"]["stage"]);
    assert_eq!(
        pixel_event["cart"]["shipping"],
        dom_event["cart"]["shipping"]
    );
    assert_eq!(pixel_event["contact"]["region"], "US-TX");
    assert!(
        pixel_event["contact"].get("email").is_none(),
        "the pixel sees the email; without consent it stays"
    );
    let reasons: Vec<&str> = pixel_event["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["extraCost", "deliverySpeed"],
        "the chosen rate showed no delivery estimate"
    );
}

#[test]
fn web_pixel_alerts_and_the_discount_field_become_friction_signals() {
    let mut page = Page::new();
    let alert = |kind: &str| json!({ "alert": { "type": kind, "target": "cart.deliveryGroups[0]", "value": null } });
    page.step(T0 + 2000.0, json!([
        pixel("checkout_started", T0, json!({ "checkout": pixel_checkout(None) })),
        pixel("alert_displayed", T0 + 1000.0, alert("PAYMENT_ERROR")),
        pixel("input_blurred", T0 + 1500.0, json!({ "element": { "name": "reductions", "value": "" } })),
        pixel("page_viewed", T0 + 1600.0, json!({})),
        [T0 + 2000.0, { "pageHide": {} }],
    ]));
    let reasons: Vec<String> = page.events("abandoned")[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap().into())
        .collect();
    assert_eq!(reasons, ["paymentError", "couponHunting"]);
}

// ---------- the contract with the server ----------

#[test]
fn every_beacon_event_is_an_engine_event_the_server_accepts() {
    let mut page = Page::new();
    let tick = |channel: &str| json!({ "channelConsent": { "channel": channel, "choice": { "granted": true, "evidence": "tick" } } });
    let identify =
        json!({ "identify": { "email": "ada@example.com", "phone": "+15125550100" } });
    checkout_to_shipping(
        &mut page,
        vec![
            identify,
            tick("email"),
            tick("sms"),
            json!({ "formError": {} }),
            json!({ "hidden": {} }),
        ],
    );
    let policy = Policy::from_json(rekindle::policy::DEFAULT_POLICY).unwrap();
    let mut state = State::new("anon-1");
    let beacon = &page.beacons[0];
    assert_eq!(beacon["v"], 1);
    assert_eq!(beacon["anonymousId"], "anon-1");
    let events = beacon["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    for event in events {
        let parsed =
            Event::from_json(&event.to_string()).unwrap_or_else(|e| panic!("{e}: {event}"));
        state = decide(&policy, state, &parsed, parsed.at).state;
    }
    let ids: std::collections::HashSet<_> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len(), "event ids are unique");
}

/// Shopify's checkout webhooks carry no product image; the Web Pixel's checkout events do
/// (`lineItems[].variant.image.src`). The beacon carries the image fit for an email and drops
/// the rest (the server checks again and says why).
#[test]
fn web_pixel_product_images_travel_in_the_beacon_and_hostile_ones_do_not() {
    let mut checkout = pixel_checkout(None);
    checkout["lineItems"][0]["variant"]["image"] = json!({ "src": "https://cdn.shopify.com/socks.png" });
    let cap = json!({ "title": "Trail cap", "quantity": 1,
        "variant": { "title": "One size", "price": money(24.0), "image": { "src": "javascript:alert(1)" }, "product": { "id": "gid://shopify/Product/2", "title": "Trail cap", "type": "" } } });
    checkout["lineItems"].as_array_mut().unwrap().push(cap);
    let mut page = Page::new();
    page.step(T0 + 2000.0, json!([pixel("checkout_started", T0, json!({ "checkout": checkout })), [T0 + 2000.0, { "pageHide": {} }]]));
    let items = page.events("abandoned")[0]["cart"]["items"].clone();
    assert_eq!(items[0]["imageUrl"], "https://cdn.shopify.com/socks.png", "{items}");
    assert_eq!(items[1]["title"], "Trail cap");
    assert!(items[1].get("imageUrl").is_none(), "{items}");
}

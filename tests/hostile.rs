//! Hostile input, one test per class of attack (docs/security.md): what a browser, or whoever
//! types into a checkout, can make the engine do. The handler-level suite is
//! tests/server/hostile.test.mjs.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::model::action::Action;
use rekindle::compliance::consent::ConsentStatus;
use rekindle::ingest::{self, KeyKind};
use rekindle::model::journey::JourneyStatus;
use rekindle::common::channel::Channel;
use serde_json::{json, Value};

fn browser_consent(id: &str, at: &str, channel: &str, status: &str) -> Value {
    json!({ "id": id, "at": at, "type": "consentChanged", "channel": channel, "status": status, "source": "storefront" })
}

fn browser_cart(id: &str, at: &str, token: &str, stage: &str) -> Value {
    json!({ "id": id, "at": at, "type": "abandoned", "origin": "storefront", "cart": cart(token, stage),
            "reasons": [{ "reason": "extraCost", "confidence": 0.9 }] })
}

trait Tap {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl Tap for Value {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

fn replies(shopper: &Shopper) -> Vec<(String, String)> {
    shopper
        .log
        .iter()
        .flat_map(|(_, d)| d.actions.iter())
        .filter_map(|a| match a {
            Action::Reply { to, body, .. } => Some((to.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

/// Finding 1: a visitor checks out with any number and the SMS box unticked, then beacons
/// carrying the cart's token switch SMS consent off and on, once a second, at 03:00 the
/// recipient's time. At most one confirmation text results, and not before quiet hours end.
#[test]
fn consent_toggles_cause_at_most_one_confirmation_text_and_never_at_night() {
    let mut shopper = Shopper::new(policy());
    // 09:00Z is 03:00 in Chicago, the shopper's zone.
    let start = t("2026-11-27T09:00:00Z");
    shopper.apply(
        checkout("e1", "2026-11-27T09:00:00Z", "c1").tap(|e| e["acceptsSms"] = json!(null)),
        start,
    );
    for i in 0..60 {
        let now = start + chrono::Duration::seconds(i + 1);
        let status = if i % 2 == 0 { "granted" } else { "revoked" };
        let d = shopper.apply(browser_consent(&format!("b{i}"), &now.to_rfc3339(), "sms", status), now);
        assert!(
            !d.actions.iter().any(|a| matches!(a, Action::Reply { .. })),
            "no text at 03:00 local: {:?}",
            d.actions
        );
    }
    shopper.run_until(t("2026-11-30T00:00:00Z"));
    let texts = replies(&shopper);
    assert_eq!(texts.len(), 1, "one confirmation text, not one per toggle: {texts:?}");
    let (sent_at, _) = shopper
        .log
        .iter()
        .find(|(_, d)| d.actions.iter().any(|a| matches!(a, Action::Reply { .. })))
        .unwrap();
    assert!(*sent_at >= t("2026-11-27T14:00:00Z"), "after 08:00 in Chicago: {sent_at}");
    // The text carries the counters that span contacts: one per number, and the shop's budget.
    let limits = shopper
        .log
        .iter()
        .flat_map(|(_, d)| d.actions.iter())
        .find_map(|a| match a {
            Action::Reply { limits, .. } => Some(limits.clone()),
            _ => None,
        })
        .unwrap();
    assert!(limits.iter().any(|l| l.per_address && l.max == 1 && l.window_hours == 30 * 24), "{limits:?}");
    assert!(limits.iter().any(|l| !l.per_address), "{limits:?}");
}

/// Finding 2: details typed into a checkout are claims. Two guests who type the same email
/// stay two contacts, and a merged contact's carts each keep the address given with them.
#[test]
fn typed_details_never_merge_contacts_or_redirect_messages() {
    let body = |token: &str, phone: &str| {
        json!({ "token": token, "email": "victim@example.com", "phone": phone, "updated_at": "2026-11-27T10:00:00-05:00",
                "currency": "USD", "line_items": [{ "title": "Socks", "quantity": 1, "price": "18.00" }],
                "abandoned_checkout_url": format!("https://shop.example/{token}/recover"),
                "shipping_address": { "country_code": "US", "province_code": "TX" } })
        .to_string()
    };
    let now = t("2026-11-27T15:05:00Z");
    let victim = ingest::shopify::normalise("checkouts/create", "w1", &body("v1", "+15125550100"), "salt", now).unwrap();
    let attacker = ingest::shopify::normalise("checkouts/create", "w2", &body("a1", "+15125550199"), "salt", now).unwrap();
    let (victim, attacker) = (&victim.routed[0], &attacker.routed[0]);
    assert_ne!(victim.contact_id, attacker.contact_id, "the same typed email is not the same person");
    let email_key = ingest::key("salt", KeyKind::Email, "victim@example.com");
    assert!(!attacker.lookup.contains(&email_key), "a typed email never finds an existing contact");

    // A verified identity (the platform's customer id) joins carts; each keeps its own address.
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let mut other = checkout("e2", "2026-11-27T15:01:00Z", "c2");
    other["contact"]["phone"] = json!("+15125550199");
    other["cart"]["stage"] = json!("checkout");
    shopper.apply(other, t("2026-11-27T15:01:00Z"));
    let first = shopper.state.journeys.iter().find(|j| j.cart.token == "c1").unwrap();
    assert_eq!(first.address(Channel::Sms, &shopper.state.contact), Some("+15125550100"));
    // The attacker's checkout first (the victim's email, the attacker's phone, the SMS box
    // ticked), then the victim's, with no phone: the victim's cart is never texted to the attacker.
    let mut merged = Shopper::new(policy());
    merged.apply(checkout("a1", "2026-11-27T15:00:00Z", "attacker"), t("2026-11-27T15:00:00Z"));
    let mut victim = checkout("v1", "2026-11-27T15:02:00Z", "victim");
    victim["contact"].as_object_mut().unwrap().remove("phone");
    merged.apply(victim, t("2026-11-27T15:02:00Z"));
    let journey = merged.state.journeys.iter().find(|j| j.cart.token == "victim").unwrap();
    assert_eq!(journey.address(Channel::Sms, &merged.state.contact), None, "the victim gave no number");
    let journey = journey.clone();
    let texted = merged.run_until(t("2026-11-30T00:00:00Z"));
    assert!(
        !texted.iter().any(|a| matches!(a, Action::Send { channel: Channel::Sms, journey_id, .. } if *journey_id == journey.id)),
        "{texted:?}"
    );
    for journey in &shopper.state.journeys {
        let recover = format!("https://shop.example/checkouts/{}/recover", journey.cart.token);
        assert_eq!(journey.cart.recovery_url, recover, "a journey's link opens only its own checkout");
    }
}

/// Finding 3: a beacon that knows a cart token cannot rewrite what the platform said: not the
/// cart (lines, prices, recovery URL), not the contact's consent.
#[test]
fn a_beacon_cannot_rewrite_a_platform_cart_or_its_consent() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let before = shopper.state.journeys[0].cart.clone();
    let mut forged = browser_cart("b1", "2026-11-27T15:10:00Z", "c1", "checkout");
    forged["cart"]["recoveryUrl"] = json!("https://evil.example/phish");
    forged["cart"]["items"][0]["unitPrice"] = json!(1);
    shopper.apply(forged, t("2026-11-27T15:10:00Z"));
    assert_eq!(shopper.state.journeys[0].cart, before, "the platform's snapshot stands");
    assert_eq!(shopper.state.journeys[0].reasons.len(), 1, "the browser's reasons are still welcome");

    shopper.apply(browser_consent("b2", "2026-11-27T15:11:00Z", "email", "revoked"), t("2026-11-27T15:11:00Z"));
    shopper.apply(browser_consent("b3", "2026-11-27T15:12:00Z", "sms", "revoked"), t("2026-11-27T15:12:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Email), ConsentStatus::Granted);
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Granted);

    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1").tap(|e| e["acceptsEmail"] = json!(null)), t("2026-11-27T15:00:00Z"));
    shopper.apply(browser_consent("b1", "2026-11-27T15:01:00Z", "email", "granted"), t("2026-11-27T15:01:00Z"));
    assert_ne!(shopper.state.contact.consent.status(Channel::Email), ConsentStatus::Granted, "a browser cannot grant email for a known address");
}

/// Finding 4: the checkout journey wins whatever order the events arrive in, and a browser's
/// far-future timestamp is clamped to the receive time.
#[test]
fn stage_precedence_holds_in_any_arrival_order_and_future_times_are_clamped() {
    // A cart beacon, then the checkout webhook of that cart, dated a minute earlier.
    let mut shopper = Shopper::new(policy());
    shopper.apply(browser_cart("b1", "2026-11-27T15:01:00Z", "cart-1", "cart"), t("2026-11-27T15:01:00Z"));
    let d = shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "chk-1"), t("2026-11-27T15:02:00Z"));
    assert!(d.actions.iter().any(|a| matches!(a, Action::Schedule { .. })), "the checkout journey is planned: {:?}", d.explanation);
    let checkout_journey = shopper.state.journeys.iter().find(|j| j.cart.token == "chk-1").unwrap();
    assert_eq!(checkout_journey.status, JourneyStatus::Active);

    // A far-future beacon first: it neither outranks nor drops the real journey.
    let mut shopper = Shopper::new(policy());
    shopper.apply(browser_cart("b1", "2099-01-01T00:00:00Z", "cart-9", "checkout"), t("2026-11-27T15:00:00Z"));
    let clamped = shopper.state.journeys[0].abandoned_at;
    assert!(clamped <= t("2026-11-27T15:02:00Z"), "clamped to the receive time plus the skew: {clamped}");
    let d = shopper.apply(checkout("e1", "2026-11-27T15:03:00Z", "chk-2"), t("2026-11-27T15:03:00Z"));
    assert!(d.actions.iter().any(|a| matches!(a, Action::Schedule { .. })), "{:?}", d.explanation);

    // The same with the beacon after the checkout: a cart never outranks a checkout.
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "chk-3"), t("2026-11-27T15:00:00Z"));
    shopper.apply(browser_cart("b1", "2099-01-01T00:00:00Z", "cart-3", "cart"), t("2026-11-27T15:01:00Z"));
    let journey = shopper.state.journeys.iter().find(|j| j.cart.token == "chk-3").unwrap();
    assert_eq!(journey.status, JourneyStatus::Active);
    assert!(journey.sends.iter().all(|s| s.status == rekindle::model::journey::SendStatus::Scheduled));
}

/// Finding 6: a junk beacon plans nothing, and the anonymous contact it made is forgotten
/// whole once its time runs out; a beacon cannot mint many index keys.
#[test]
fn anonymous_visitors_plan_nothing_and_are_forgotten() {
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(browser_cart("b1", "2026-11-27T15:00:00Z", "junk-1", "checkout"), t("2026-11-27T15:00:00Z"));
    assert!(!d.actions.iter().any(|a| matches!(a, Action::Schedule { .. })), "nobody to message: {:?}", d.actions);
    let forget_at = d
        .actions
        .iter()
        .find_map(|a| match a {
            Action::Defer { id, at, .. } if id.ends_with(".forget") => Some(*at),
            _ => None,
        })
        .expect("forgetting is scheduled");
    assert_eq!(forget_at, t("2026-11-27T21:00:00Z"), "six hours after the last event");
    shopper.run_until(t("2026-11-28T00:00:00Z"));
    assert!(
        shopper.log.iter().any(|(_, d)| d.actions.iter().any(|a| matches!(a, Action::Forget { .. }))),
        "the contact is forgotten"
    );

    let tokens: Vec<Value> = (0..20)
        .map(|i| browser_cart(&format!("e{i}"), "2026-11-27T15:00:00Z", &format!("t{i}"), "cart"))
        .collect();
    let body = json!({ "v": 1, "anonymousId": "a1", "events": tokens }).to_string();
    let error = ingest::beacon::normalise(&body, "salt").unwrap_err();
    assert_eq!(error.code().as_str(), "TOO_LARGE");
}

/// The limits are policy, but a policy cannot switch the protections off.
#[test]
fn a_policy_cannot_switch_the_abuse_limits_off() {
    let mut value = serde_json::to_value(policy()).unwrap();
    value["limits"]["smsConfirmationDaysPerNumber"] = json!(0);
    value["limits"]["anonymousTtlHours"] = json!(0);
    let error = rekindle::policy::Policy::from_json(&value.to_string()).unwrap_err();
    let paths: Vec<&str> = error.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.limits.smsConfirmationDaysPerNumber", "$.limits.anonymousTtlHours"]);
}

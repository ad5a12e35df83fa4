//! Segments choose a playbook; incentives are rules with guards; experiments assign stably;
//! the journey adapts to opens, clicks and replies.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::common::channel::Channel;
use rekindle::model::action::Action;
use rekindle::model::message::Message;
use rekindle::policy::{Angle, IncentiveKind};
use serde_json::{json, Value};

fn checkout_with(id: &str, at: &str, token: &str, unit_price: i64, returning: bool) -> Value {
    let mut e = checkout(id, at, token);
    e["cart"]["items"][0]["unitPrice"] = json!(unit_price);
    e["contact"]["returning"] = json!(returning);
    e
}

fn messages(actions: &[Action]) -> Vec<(String, Message)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { id, message, .. } => Some((id.clone(), message.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_high_value_cart_gets_the_persistent_playbook() {
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(checkout_with("e1", "2026-11-27T15:00:00Z", "c1", 12000, false), t("2026-11-27T15:00:00Z"));
    assert_eq!(shopper.state.journeys[0].playbook, "persistent");
    assert!(d.explanation.summary().contains("playbook persistent: 6 sends planned"), "{}", d.explanation.summary());
}

#[test]
fn a_low_value_cart_gets_the_light_playbook_with_no_sms() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout_with("e1", "2026-11-27T15:00:00Z", "c1", 900, false), t("2026-11-27T15:00:00Z"));
    assert_eq!(shopper.state.journeys[0].playbook, "light");
    let sent = shopper.run_until(t("2026-12-01T00:00:00Z"));
    assert_eq!(sends(&sent).len(), 2);
    assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email));
}

#[test]
fn a_returning_high_value_customer_gets_a_loyalty_offer_and_a_coupon_request() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout_with("e1", "2026-11-27T15:00:00Z", "c1", 12000, true), t("2026-11-27T15:00:00Z"));
    shopper.run_until(t("2026-12-01T00:00:00Z"));
    let coupons: Vec<_> = shopper
        .log
        .iter()
        .flat_map(|(_, d)| d.actions.iter())
        .filter_map(|a| match a {
            Action::RequestCoupon { offer, .. } => Some(offer.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(coupons.len(), 1, "one coupon per journey");
    assert_eq!((coupons[0].kind, coupons[0].percent), (IncentiveKind::Loyalty, 10));
}

#[test]
fn no_open_in_48_hours_brings_a_new_email_with_a_different_angle_and_an_offer() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    let emails: Vec<_> = sent.iter().filter(|(id, _)| id.contains(".email.")).collect();
    let third = emails.iter().find(|(id, _)| id.contains("email-3")).expect("email-3 went out");
    let earlier: Vec<Angle> = emails.iter().filter(|(id, _)| !id.contains("email-3")).map(|(_, m)| m.angle).collect();
    assert!(!earlier.contains(&third.1.angle), "{:?} repeats one of {earlier:?}", third.1.angle);
    assert_eq!(third.1.data.incentive.as_ref().map(|o| o.kind), Some(IncentiveKind::PercentOff));
}

#[test]
fn an_open_cancels_the_no_open_offer_email() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let first = sends(&shopper.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    shopper.apply(json!({ "id": "o1", "at": "2026-11-27T16:00:00Z", "type": "opened", "actionId": first }), t("2026-11-27T16:00:00Z"));
    let sent = sends(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    assert!(sent.iter().all(|(id, _)| !id.contains("email-3")));
}

#[test]
fn incentives_are_never_stacked_within_a_journey() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout_with("e1", "2026-11-27T15:00:00Z", "c1", 12000, false), t("2026-11-27T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    let offers: Vec<_> = sent.iter().filter_map(|(_, m)| m.data.incentive.clone()).collect();
    assert_eq!(offers.len(), 2, "email-3 and email-4 both carry an offer");
    assert_eq!(offers[0], offers[1], "the same offer, not a second one");
}

#[test]
fn no_incentive_within_the_cooldown_of_the_last_one() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.run_until(t("2026-12-01T00:00:00Z"));
    shopper.apply(checkout("e2", "2026-12-05T15:00:00Z", "c2"), t("2026-12-05T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-12-09T00:00:00Z")));
    assert!(sent.iter().all(|(_, m)| m.data.incentive.is_none()));
    assert_eq!(shopper.state.contact.stats.abandons_after_incentive, 1, "abandoning right after an offer is remembered");
    let why: Vec<_> = shopper.log.iter().flat_map(|(_, d)| d.explanation.reasons()).filter(|r| r.code == "noIncentive").collect();
    assert!(why[0].detail.contains("cooldown"), "{why:?}");
}

#[test]
fn a_coupon_hunter_is_not_rewarded_with_a_percent_off_code() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(
        json!({ "id": "b1", "at": "2026-11-27T15:01:00Z", "type": "abandoned", "origin": "storefront", "cart": cart("c1", "checkout"),
                "reasons": [{ "reason": "couponHunting", "confidence": 0.7 }] }),
        t("2026-11-27T15:01:00Z"),
    );
    let sent = messages(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    assert!(sent.iter().all(|(_, m)| m.data.incentive.as_ref().is_none_or(|o| o.kind != IncentiveKind::PercentOff)));
}

#[test]
fn the_margin_guard_refuses_a_discount_below_the_minimum_margin() {
    let mut shopper = Shopper::new(policy());
    let mut e = checkout("e1", "2026-11-27T15:00:00Z", "c1");
    e["cart"]["items"][0]["unitCost"] = json!(1550); // 14% margin before any discount
    shopper.apply(e, t("2026-11-27T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    assert!(sent.iter().all(|(_, m)| m.data.incentive.is_none()));
}

#[test]
fn an_sms_reply_tailors_the_next_email() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(
        json!({ "id": "r1", "at": "2026-11-27T16:00:00Z", "type": "smsReceived", "body": "will it arrive before christmas?" }),
        t("2026-11-27T16:00:00Z"),
    );
    let sent = messages(&shopper.run_until(t("2026-11-28T14:00:00Z")));
    let email2 = sent.iter().find(|(id, _)| id.contains("email-2")).expect("email-2 went out");
    assert_eq!(email2.1.angle, Angle::DeliveryEstimate);
    assert!(!serde_json::to_string(&shopper.state).unwrap().contains("christmas"), "the reply text is not kept");
}

#[test]
fn an_email_open_shifts_the_next_sms() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let first = sends(&shopper.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    let d = shopper.apply(json!({ "id": "o1", "at": "2026-11-27T15:10:00Z", "type": "opened", "actionId": first }), t("2026-11-27T15:10:00Z"));
    match &d.actions[..] {
        [Action::Defer { id, at, .. }] => {
            assert!(id.contains("sms-1"));
            assert_eq!(*at, t("2026-11-27T15:40:00Z"));
        }
        other => panic!("expected the next SMS to move, got {other:?}"),
    }
}

#[test]
fn experiment_arms_are_stable_per_contact_and_recorded_on_the_send() {
    let p = policy();
    let arm = p.variant_for("email-1", "contact-1").unwrap().1.key.clone();
    let mut shopper = Shopper::new(p);
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-11-27T15:05:00Z")));
    assert_eq!(sent[0].1.variant, arm);
    // Over many contacts, the 50/50 split comes out near 50/50.
    let policy = policy();
    let in_b = (0..2000).filter(|i| policy.variant_for("email-1", &format!("contact-{i}")).unwrap().1.key == "value-first").count();
    assert!((900..1100).contains(&in_b), "{in_b} of 2000");
}

/// The default playbook cut to its first email (made to offer) and first SMS, no experiments.
fn offer_first_policy() -> rekindle::policy::Policy {
    let mut p = policy();
    p.experiments.clear();
    for playbook in &mut p.playbooks {
        playbook.steps.retain(|s| s.key == "email-1" || s.key == "sms-1");
        for step in &mut playbook.steps {
            if step.key == "email-1" {
                step.offer_incentive = true;
                step.template = "cart.email.offer".into();
            }
        }
    }
    p
}

#[test]
fn once_offered_every_later_message_repeats_the_same_code_in_its_data_and_its_sms_text() {
    let mut shopper = Shopper::new(offer_first_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sent = messages(&shopper.run_until(t("2026-11-28T15:00:00Z")));
    let email = sent.iter().find(|(id, _)| id.contains("email-1")).expect("the offer email went out");
    let sms = sent.iter().find(|(id, _)| id.contains("sms-1")).expect("the later SMS went out");
    let code = email.1.data.code.clone().expect("the offer email carries its code");
    assert!(code.starts_with("CART-"), "{code}");
    assert_eq!(sms.1.data.code.as_deref(), Some(code.as_str()), "the later SMS repeats the code, never a new one");
    assert_eq!(sms.1.data.incentive, email.1.data.incentive);
    assert!(sms.1.sms.as_ref().expect("an SMS body").text.contains(&code), "the SMS text prints the code");
    let requests = shopper.log.iter().flat_map(|(_, d)| d.actions.iter()).filter(|a| matches!(a, Action::RequestCoupon { .. })).count();
    assert_eq!(requests, 1, "one coupon request for the journey, however many messages print its code");
}

#[test]
fn the_offer_expires_with_its_journey() {
    let mut shopper = Shopper::new(offer_first_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.run_until(t("2026-11-27T16:00:00Z"));
    let offer = shopper.state.journeys[0].incentive.clone().expect("an offer was made");
    let expected = shopper.state.journeys[0].abandoned_at + chrono::Duration::hours(shopper.policy.journey_expiry_hours as i64);
    assert_eq!(offer.expires_at, Some(expected));
}

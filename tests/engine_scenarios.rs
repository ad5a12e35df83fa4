//! The recovery engine's rules, as scenarios through the one pure entry point.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::common::channel::Channel;
use rekindle::model::action::Action;
use rekindle::model::journey::JourneyStatus;
use serde_json::json;

#[test]
fn checkout_with_consent_plans_the_default_cadence() {
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let planned: Vec<_> = d
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Schedule { step, at, .. } => Some((step.as_str(), at.to_rfc3339())),
            _ => None,
        })
        .collect();
    assert_eq!(
        planned,
        vec![
            ("email-1", "2026-11-27T15:05:00+00:00".to_string()),
            ("sms-1", "2026-11-27T15:17:00+00:00".to_string()),
            ("email-2", "2026-11-28T13:00:00+00:00".to_string()),
            ("sms-2", "2026-11-28T21:00:00+00:00".to_string()),
            ("email-3", "2026-11-29T15:00:00+00:00".to_string()),
        ]
    );
    assert!(d.explanation.summary().contains("playbook default: 5 sends planned"), "{}", d.explanation.summary());
}

#[test]
fn order_placed_cancels_every_pending_send() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let d = shopper.apply(
        json!({ "id": "o1", "at": "2026-11-27T15:03:00Z", "type": "orderPlaced", "orderId": "820982911946154508",
                "cartToken": "c1", "total": { "minor": 3600, "currency": "USD" } }),
        t("2026-11-27T15:03:00Z"),
    );
    let cancelled = d
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Cancel { .. }))
        .count();
    assert_eq!(cancelled, 5);
    assert_eq!(shopper.state.journeys[0].status, JourneyStatus::Recovered);
    assert_eq!(
        shopper.state.journeys[0].order_id.as_deref(),
        Some("820982911946154508")
    );
    assert!(
        shopper.run_until(t("2026-12-01T00:00:00Z")).is_empty(),
        "nothing is sent after the order"
    );
}

#[test]
fn due_send_after_an_order_on_another_device_is_not_dispatched() {
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let Action::Schedule { id, .. } = &d.actions[0] else {
        panic!("first action schedules")
    };
    // The order arrives without a cart token (another device): matched by identity.
    shopper.apply(
        json!({ "id": "o1", "at": "2026-11-27T15:04:00Z", "type": "orderPlaced", "orderId": "1",
                "total": { "minor": 3600, "currency": "USD" } }),
        t("2026-11-27T15:04:00Z"),
    );
    let d = shopper.due(id, t("2026-11-27T15:05:00Z"));
    assert!(sends(&d.actions).is_empty());
}

#[test]
fn duplicate_event_changes_nothing() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let before = shopper.state.clone();
    let d = shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:01:00Z"),
    );
    assert!(d.actions.is_empty());
    assert_eq!(d.explanation.reasons().next().unwrap().code, "duplicate");
    assert_eq!(shopper.state, before);
}

#[test]
fn sms_without_confirmed_consent_is_skipped_at_send_time() {
    let mut shopper = Shopper::new(policy());
    let mut e = checkout("e1", "2026-11-27T15:00:00Z", "c1");
    e["acceptsSms"] = json!(false);
    shopper.apply(e, t("2026-11-27T15:00:00Z"));
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email));
    assert_eq!(sends(&sent).len(), 3, "email-1, email-2, and email-3 (nothing was opened)");
}

#[test]
fn storefront_sms_consent_stays_pending_and_asks_for_double_opt_in() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1").tap(|e| e["acceptsSms"] = json!(null)),
        t("2026-11-27T15:00:00Z"),
    );
    let d = shopper.apply(
        json!({ "id": "c1", "at": "2026-11-27T15:01:00Z", "type": "consentChanged", "channel": "sms",
                "status": "granted", "source": "storefront", "textVersion": "sms-v3" }),
        t("2026-11-27T15:01:00Z"),
    );
    assert_eq!(
        shopper.state.contact.consent.status(Channel::Sms),
        rekindle::compliance::consent::ConsentStatus::Pending
    );
    assert!(d
        .actions
        .iter()
        .any(|a| matches!(a, Action::Reply { body, .. } if body.contains("Reply YES"))));
    let d = shopper.apply(
        json!({ "id": "in1", "at": "2026-11-27T15:02:00Z", "type": "smsReceived", "body": " yes " }),
        t("2026-11-27T15:02:00Z"),
    );
    assert_eq!(
        shopper.state.contact.consent.status(Channel::Sms),
        rekindle::compliance::consent::ConsentStatus::Granted
    );
    // The SMS provider confirms keywords itself by default (Twilio does): no second text.
    assert!(!d.actions.iter().any(|a| matches!(a, Action::Reply { .. })));
    assert!(d.explanation.reasons().any(|r| r.code == "keywordReply"));
}

#[test]
fn stop_cancels_every_pending_sms() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let d = shopper.apply(
        json!({ "id": "in1", "at": "2026-11-27T15:02:00Z", "type": "smsReceived", "body": "Stop" }),
        t("2026-11-27T15:02:00Z"),
    );
    let cancelled: Vec<_> = d
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Cancel { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled.len(), 2);
    assert!(cancelled.iter().all(|id| id.contains(".sms.")));
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email));
}

#[test]
fn quiet_hours_defer_sms_to_next_morning_in_recipient_zone() {
    let mut shopper = Shopper::new(policy());
    // sms-2 comes due 30 h after abandonment: 09:13 UTC = 03:13 in Chicago.
    shopper.apply(
        checkout("e1", "2026-11-28T03:13:00Z", "c1"),
        t("2026-11-28T03:13:00Z"),
    );
    let sms = shopper
        .pending()
        .into_iter()
        .find(|(id, _)| id.contains("sms-2"))
        .unwrap();
    assert_eq!(sms.1, t("2026-11-29T09:13:00Z"));
    let d = shopper.due(&sms.0, sms.1);
    match &d.actions[..] {
        [Action::Defer { at, reason, .. }] => {
            // Texas spans two zones: 08:00 in El Paso (America/Denver) is 09:00 in Chicago,
            // and the SMS must fit the window in every zone the recipient may be in.
            assert_eq!(at.to_rfc3339(), "2026-11-29T15:00:00+00:00", "08:00 in Denver");
            assert!(reason.contains("quiet hours"), "{reason}");
        }
        other => panic!("expected a deferral, got {other:?}"),
    }
}

#[test]
fn us_allows_one_cart_sms_per_abandonment_spent_on_the_best_ranked_slot() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    let sms: Vec<_> = sends(&sent)
        .into_iter()
        .filter(|(_, c)| *c == Channel::Sms)
        .collect();
    assert_eq!(sms.len(), 1);
    assert!(
        sms[0].0.contains("sms-2"),
        "the playbook ranks sms-2 highest: {sms:?}"
    );
}

#[test]
fn click_on_first_email_brings_sms_within_15_minutes() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let sent = shopper.run_until(t("2026-11-27T15:05:00Z"));
    let (email, _) = &sends(&sent)[0];
    shopper.apply(
        json!({ "id": "k1", "at": "2026-11-27T15:06:00Z", "type": "clicked", "actionId": email }),
        t("2026-11-27T15:06:00Z"),
    );
    let sent = shopper.run_until(t("2026-11-27T15:21:00Z"));
    assert!(
        sends(&sent).iter().any(|(_, c)| *c == Channel::Sms),
        "an SMS within 15 minutes of the click"
    );
}

#[test]
fn newer_cart_supersedes_older_journey() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let d = shopper.apply(
        checkout("e2", "2026-11-27T16:00:00Z", "c2"),
        t("2026-11-27T16:00:00Z"),
    );
    assert_eq!(shopper.state.journeys[0].status, JourneyStatus::Superseded);
    assert_eq!(shopper.state.journeys[1].status, JourneyStatus::Active);
    let cancelled: Vec<_> = d
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Cancel { .. }))
        .collect();
    assert_eq!(
        cancelled.len(),
        3,
        "email-1 went and sms-1 was skipped before the new cart; the other three are cancelled"
    );
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    let old = &shopper.state.journeys[0].id;
    assert!(
        sends(&sent)
            .iter()
            .all(|(id, _)| !id.starts_with(old.as_str())),
        "nothing crosses over"
    );
}

#[test]
fn late_cart_snapshot_does_not_restart_the_journey() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e2", "2026-11-27T15:10:00Z", "c1"),
        t("2026-11-27T15:10:00Z"),
    );
    let d = shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:11:00Z"),
    );
    assert!(d.actions.is_empty());
    assert_eq!(d.explanation.reasons().last().unwrap().code, "stale");
}

#[test]
fn holdout_journeys_are_tracked_but_never_messaged() {
    let mut p = policy();
    p.holdout_percent = 100;
    let mut shopper = Shopper::new(p);
    let d = shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    // Nothing planned but the contact's housekeeping: a holdout journey expires too.
    assert!(d.actions.iter().all(|a| matches!(a, Action::Defer { id, .. } if id == "contact-1.housekeeping")));
    assert!(shopper.state.journeys[0].holdout);
    shopper.apply(
        json!({ "id": "o1", "at": "2026-11-28T15:00:00Z", "type": "orderPlaced", "orderId": "9",
                "cartToken": "c1", "total": { "minor": 3600, "currency": "USD" } }),
        t("2026-11-28T15:00:00Z"),
    );
    assert_eq!(
        shopper.state.journeys[0].status,
        JourneyStatus::Recovered,
        "holdout orders still count"
    );
}

#[test]
fn storefront_cannot_point_sends_at_a_phone_number() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        json!({ "id": "b1", "at": "2026-11-27T15:00:00Z", "type": "abandoned", "origin": "storefront",
                "cart": cart("c1", "checkout"), "contact": { "phone": "+15125550199", "timeZone": "America/Chicago" } }),
        t("2026-11-27T15:00:00Z"),
    );
    assert_eq!(shopper.state.contact.phone, None);
    assert_eq!(
        shopper.state.contact.time_zone.as_deref(),
        Some("America/Chicago")
    );
}

#[test]
fn erase_removes_personal_data_and_returns_the_deletions() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    let d = shopper.apply(
        json!({ "id": "x1", "at": "2026-11-27T16:00:00Z", "type": "erase" }),
        t("2026-11-27T16:00:00Z"),
    );
    assert!(d
        .actions
        .iter()
        .any(|a| matches!(a, Action::Erase { journey_ids, .. } if journey_ids.len() == 1)));
    // The action carries the address each provider must suppress: the state no longer has it.
    let Some(Action::Erase { provider_suppressions, .. }) = d.actions.iter().find(|a| matches!(a, Action::Erase { .. })) else {
        panic!()
    };
    assert!(provider_suppressions
        .iter()
        .any(|s| s.channel == rekindle::common::channel::Channel::Email && s.address == "ada@example.com"));
    let stored = shopper.state.to_json();
    assert!(
        !stored.contains("ada@example.com") && !stored.contains("+1512") && !stored.contains("Ada")
    );
    let d = shopper.apply(
        checkout("e3", "2026-11-27T17:00:00Z", "c9"),
        t("2026-11-27T17:00:00Z"),
    );
    assert!(d.actions.is_empty(), "an erased contact is not re-enrolled");
}

#[test]
fn explanations_never_contain_contact_details() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(
        checkout("e1", "2026-11-27T15:00:00Z", "c1"),
        t("2026-11-27T15:00:00Z"),
    );
    shopper.run_until(t("2026-11-30T00:00:00Z"));
    for (_, d) in &shopper.log {
        let text = serde_json::to_string(&d.explanation).unwrap();
        assert!(
            !text.contains("ada@example.com") && !text.contains("5550100") && !text.contains("Ada"),
            "{text}"
        );
    }
}

/// `value.tap(|v| ...)`: edit a JSON literal in place inside an expression.
trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}
impl Tap for serde_json::Value {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

#[test]
fn fewer_messages_keeps_only_the_highest_ranked_steps() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(json!({ "id": "p1", "at": "2026-11-27T15:01:00Z", "type": "preferencesChanged", "frequency": "fewer" }), t("2026-11-27T15:01:00Z"));
    let sent = sends(&shopper.run_until(t("2026-12-01T00:00:00Z")));
    let steps: Vec<_> = sent.iter().map(|(id, _)| id.split('.').nth(1).unwrap().to_string()).collect();
    assert_eq!(steps, ["email-1", "email-2", "sms-2", "email-3"], "sms-1 (priority 70) is dropped");
}

#[test]
fn a_pause_defers_every_send_until_it_ends() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(
        json!({ "id": "p1", "at": "2026-11-27T15:01:00Z", "type": "preferencesChanged", "pausedUntil": "2026-11-28T16:00:00Z" }),
        t("2026-11-27T15:01:00Z"),
    );
    shopper.run_until(t("2026-12-01T00:00:00Z"));
    let first_send = shopper.log.iter().find(|(_, d)| !sends(&d.actions).is_empty()).map(|(now, _)| *now).unwrap();
    assert_eq!(first_send, t("2026-11-28T16:00:00Z"));
}

#[test]
fn a_data_request_exports_what_is_stored() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = shopper.apply(json!({ "id": "x1", "at": "2026-11-27T16:00:00Z", "type": "export" }), t("2026-11-27T16:00:00Z"));
    match &d.actions[..] {
        [Action::Export { data, .. }] => {
            assert_eq!(data.contact.email.as_deref(), Some("ada@example.com"));
            assert_eq!(data.journeys.len(), 1);
        }
        other => panic!("expected one export, got {other:?}"),
    }
}

#[test]
fn closed_journeys_are_purged_after_the_regions_retention() {
    let mut p = policy();
    p.retention.regions.insert("US-TX".into(), 30);
    let mut shopper = Shopper::new(p);
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(json!({ "id": "o1", "at": "2026-11-27T16:00:00Z", "type": "orderPlaced", "orderId": "1", "cartToken": "c1",
                          "total": { "minor": 3600, "currency": "USD" } }), t("2026-11-27T16:00:00Z"));
    shopper.apply(json!({ "id": "d1", "at": "2026-12-20T00:00:00Z", "type": "delivered", "actionId": "x" }), t("2026-12-20T00:00:00Z"));
    assert_eq!(shopper.state.journeys.len(), 1, "kept within 30 days");
    let d = shopper.apply(json!({ "id": "d2", "at": "2027-01-02T00:00:00Z", "type": "delivered", "actionId": "x" }), t("2027-01-02T00:00:00Z"));
    assert!(shopper.state.journeys.is_empty());
    assert_eq!(d.explanation.reasons().next().unwrap().code, "retention");
}

#[test]
fn platform_addresses_are_normalised_and_invalid_ones_refused() {
    let mut shopper = Shopper::new(policy());
    let mut e = checkout("e1", "2026-11-27T15:00:00Z", "c1");
    e["contact"]["email"] = json!("  Ada.Lovelace@EXAMPLE.com ");
    e["contact"]["phone"] = json!("(512) 555-0100");
    shopper.apply(e, t("2026-11-27T15:00:00Z"));
    assert_eq!(shopper.state.contact.email.as_deref(), Some("Ada.Lovelace@example.com"));
    assert_eq!(shopper.state.contact.phone.as_deref(), Some("+15125550100"));
    let mut e = checkout("e2", "2026-11-27T15:10:00Z", "c1");
    e["contact"]["phone"] = json!("12");
    let d = shopper.apply(e, t("2026-11-27T15:10:00Z"));
    assert_eq!(shopper.state.contact.phone.as_deref(), Some("+15125550100"), "a bad number never replaces a good one");
    assert!(d.explanation.reasons().any(|r| r.code == "invalidPhone"));
}

#[test]
fn under_a_cap_the_last_slot_goes_to_the_higher_priority_message() {
    let mut p = policy();
    p.caps = vec![rekindle::policy::Cap { channel: Channel::Email, max: 1, window_hours: 24 }];
    let mut shopper = Shopper::new(p);
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sent = sends(&shopper.run_until(t("2026-12-01T12:00:00Z")));
    let emails: Vec<_> = sent.iter().filter(|(_, c)| *c == Channel::Email).map(|(id, _)| id.split('.').nth(1).unwrap().to_string()).collect();
    // email-2 (priority 80) comes due first, but the only slot of its day is kept for email-3
    // (priority 85); email-2 follows when the cap allows again.
    assert_eq!(emails, ["email-1", "email-3", "email-2"]);
    let why: Vec<_> = shopper.log.iter().flat_map(|(_, d)| d.explanation.reasons()).filter(|r| r.detail.contains("kept for email-3")).collect();
    assert!(!why.is_empty());
}

#[test]
fn a_landline_is_suppressed_for_sms_and_a_mobile_lifts_it() {
    let mut shopper = Shopper::new(policy());
    let mut e = checkout("e1", "2026-11-27T15:00:00Z", "c1");
    e["contact"]["phone"] = json!("+44 20 7946 0000");
    e["contact"]["region"] = json!("GB");
    shopper.apply(e, t("2026-11-27T15:00:00Z"));
    assert!(shopper.state.contact.suppressed.contains(&Channel::Sms));
    let mut e = checkout("e2", "2026-11-27T15:01:00Z", "c1");
    e["contact"]["phone"] = json!("+44 7400 123456");
    e["contact"]["region"] = json!("GB");
    shopper.apply(e, t("2026-11-27T15:01:00Z"));
    assert!(!shopper.state.contact.suppressed.contains(&Channel::Sms));
}

//! Expiry and retention run from the scheduler (issue 15): with no other event, the contact's
//! housekeeping due closes a journey past `journeyExpiryHours` and purges a contact idle past
//! its region's retention. Runs natively and, through wasm-bindgen-test, as wasm.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use rekindle::model::action::Action;
use rekindle::model::journey::JourneyStatus;
use serde_json::json;

const HOUSEKEEPING: &str = "contact-1.housekeeping";

/// The time the last decision put the housekeeping entry at, if it moved it.
fn housekept(actions: &[Action]) -> Option<DateTime<Utc>> {
    actions.iter().find_map(|a| match a {
        Action::Defer { id, at, .. } if id == HOUSEKEEPING => Some(*at),
        _ => None,
    })
}

#[test]
fn a_journey_past_expiry_is_closed_by_its_due_alone() {
    let mut shopper = Shopper::new(policy());
    let start = t("2026-03-02T15:00:00Z");
    let first = shopper.apply(checkout("c1", "2026-03-02T15:00:00Z", "tok-1"), start);
    let expiry = Duration::hours(shopper.policy.journey_expiry_hours as i64);
    let at = housekept(&first.actions).expect("a journey's start schedules its expiry");
    assert_eq!(at, start + expiry + Duration::seconds(1));

    // The journey's own sends run; none of them moves the horizon.
    shopper.run_until(at - Duration::seconds(1));
    assert!(shopper.log[1..].iter().all(|(_, d)| housekept(&d.actions).is_none()));
    assert_eq!(shopper.state.journeys[0].status, JourneyStatus::Active);

    let due = shopper.due(HOUSEKEEPING, at);
    assert_eq!(shopper.state.journeys[0].status, JourneyStatus::Expired);
    // Next: the contact's retention horizon (US-TX: the default days).
    let days = Duration::days(shopper.policy.retention.days as i64);
    assert_eq!(housekept(&due.actions), Some(start + days + Duration::seconds(1)));
}

#[test]
fn a_contact_idle_past_retention_is_purged_and_keeps_its_consent_ledger() {
    let mut shopper = Shopper::new(policy());
    let start = t("2026-03-02T15:00:00Z");
    shopper.apply(checkout("c1", "2026-03-02T15:00:00Z", "tok-1"), start);
    let expiry = shopper.state.contact.housekeeping_at.unwrap();
    shopper.run_until(expiry - Duration::seconds(1));
    shopper.due(HOUSEKEEPING, expiry);
    let horizon = shopper.state.contact.housekeeping_at.expect("retention is scheduled");
    let consent = shopper.state.contact.consent.clone();
    assert!(shopper.state.contact.email.is_some());

    // A day early, the due finds nothing to purge and leaves the entry where it is.
    let early = shopper.due(HOUSEKEEPING, horizon - Duration::days(1));
    assert!(early.actions.is_empty());
    assert_eq!(shopper.state.journeys.len(), 1);

    let due = shopper.due(HOUSEKEEPING, horizon);
    let contact = &shopper.state.contact;
    assert!(shopper.state.journeys.is_empty(), "the cart went with its journey");
    assert_eq!((&contact.email, &contact.phone, &contact.first_name, &contact.region), (&None, &None, &None, &None));
    assert_eq!(contact.consent, consent, "the consent ledger stays as proof");
    assert!(!contact.erased, "not an erasure: the shopper may come back");
    let stored = serde_json::to_string(&shopper.state).unwrap();
    assert!(!stored.contains("ada@example.com") && !stored.contains("5550100"), "{stored}");
    // The store is told to drop the contact's keys and entries; nothing left to expire.
    assert!(matches!(due.actions.as_slice(), [Action::Purge { contact_id }, Action::Cancel { id, .. }]
        if contact_id == "contact-1" && id == HOUSEKEEPING), "{:?}", due.actions);
    assert_eq!(shopper.state.contact.housekeeping_at, None);
    // A repeat of the due (a retried tick) purges nothing twice.
    assert!(shopper.due(HOUSEKEEPING, horizon + Duration::days(1)).actions.is_empty());
}

/// A contact known only from a consent change (no cart, no journey) counts from its last event.
#[test]
fn a_contact_without_journeys_is_purged_after_retention_from_its_last_event() {
    let mut shopper = Shopper::new(policy());
    let at = t("2026-03-02T15:00:00Z");
    let consent = |id: &str, at: &str| json!({ "id": id, "at": at, "type": "consentChanged", "channel": "email",
        "status": "granted", "source": "platformWebhook" });
    // A known address (from an earlier platform lookup) and a consent change: no journey.
    shopper.state.contact.email = Some("ada@example.com".into());
    shopper.apply(consent("c0", "2026-03-02T15:00:00Z"), at);
    let first = housekept(&shopper.log.last().unwrap().1.actions).expect("retention is scheduled");
    let days = Duration::days(shopper.policy.retention.days as i64);
    assert_eq!(first, at + days + Duration::seconds(1));

    // Later activity moves the horizon; the old entry, fired early, purges nothing.
    let later = at + Duration::days(200);
    let d = shopper.apply(json!({ "id": "u1", "at": later.to_rfc3339(), "type": "preferencesChanged", "frequency": "fewer" }), later);
    assert_eq!(housekept(&d.actions), Some(later + days + Duration::seconds(1)));
    assert!(shopper.due(HOUSEKEEPING, first).actions.is_empty());
    assert_eq!(shopper.state.contact.email.as_deref(), Some("ada@example.com"));

    let due = shopper.due(HOUSEKEEPING, later + days + Duration::seconds(1));
    assert!(due.actions.iter().any(|a| matches!(a, Action::Purge { .. })));
    assert_eq!(shopper.state.contact.email, None);
    assert_eq!(shopper.state.contact.consent.email.len(), 1, "the consent ledger stays as proof");
}

/// An idle contact whose housekeeping has not run yet (a backlog) is purged before a new
/// event is applied: the new cart starts afresh, with nothing of the old one.
#[test]
fn an_event_after_retention_finds_the_old_data_purged_first() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("c1", "2026-03-02T15:00:00Z", "tok-1"), t("2026-03-02T15:00:00Z"));
    shopper.state.contact.first_name = Some("Old name".into());
    let mut back = checkout("c2", "2027-07-15T15:00:00Z", "tok-2"); // 500 days on
    back["contact"]["firstName"] = json!(null);
    let d = shopper.apply(back, t("2027-07-15T15:00:00Z"));
    let purge = d.actions.iter().position(|a| matches!(a, Action::Purge { .. })).expect("purged");
    let schedule = d.actions.iter().position(|a| matches!(a, Action::Schedule { .. })).expect("a new journey");
    assert!(purge < schedule);
    assert_eq!(shopper.state.journeys.len(), 1);
    assert_eq!(shopper.state.journeys[0].cart.token, "tok-2");
    assert_eq!(shopper.state.contact.first_name, None, "nothing of the old contact survives");
}

/// An anonymous visitor has its own, much shorter end (`limits.anonymousTtlHours`): no
/// housekeeping entry of its own.
#[test]
fn an_anonymous_visitor_gets_no_housekeeping_entry() {
    let mut shopper = Shopper::new(policy());
    let beacon = json!({ "id": "b1", "at": "2026-03-02T15:00:00Z", "type": "abandoned", "origin": "storefront",
        "cart": cart("tok-1", "checkout"), "reasons": [] });
    let d = shopper.apply(beacon, t("2026-03-02T15:00:00Z"));
    assert_eq!(housekept(&d.actions), None, "{:?}", d.actions);
    assert_eq!(shopper.state.contact.housekeeping_at, None);
}

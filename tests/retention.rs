//! Expiry and retention run from the scheduler (issue 15): with no other event, the contact's
//! housekeeping due closes a journey past `journeyExpiryHours` and purges a contact idle past
//! its region's retention.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use rekindle::model::action::Action;
use rekindle::model::journey::JourneyStatus;

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
    // Nothing left to expire: the entry is dropped, and no further due is scheduled.
    assert!(matches!(due.actions.as_slice(), [Action::Cancel { id, .. }] if id == HOUSEKEEPING));
    assert_eq!(shopper.state.contact.housekeeping_at, None);
}

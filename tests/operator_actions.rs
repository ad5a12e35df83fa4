//! An operator's actions from the console (issue 19, src/engine/operator.rs and support.rs):
//! pause and resume a shopper or one journey, and a support exception with a reason and an
//! optional end. Each is an engine event: decided here, explained, held rather than dropped.

mod common;

use common::*;
use rekindle::model::action::Action;
use rekindle::model::event::Event;
use rekindle::model::journey::JourneyStatus;
use rekindle::model::state::State;
use serde_json::json;

fn shopper_with_sends() -> Shopper {
    let mut s = Shopper::new(policy());
    s.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    assert!(!s.pending().is_empty());
    s
}

fn operator(id: &str, at: &str, body: serde_json::Value) -> serde_json::Value {
    let mut event = json!({ "id": id, "at": at });
    event.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    event
}

fn reasons(d: &rekindle::engine::Decision) -> Vec<&'static str> {
    d.explanation.reasons().map(|r| r.code).collect()
}

#[test]
fn a_paused_shopper_is_sent_nothing_until_resumed_then_held_sends_go_at_once() {
    let mut s = shopper_with_sends();
    let d = s.apply(operator("p1", "2026-11-27T15:01:00Z", json!({ "type": "operatorPaused" })), t("2026-11-27T15:01:00Z"));
    assert!(reasons(&d).contains(&"operatorPause"));
    assert!(d.explanation.summary().contains("paused by the merchant until resumed"), "{}", d.explanation.summary());
    let held = s.run_until(t("2026-11-28T15:00:00Z"));
    assert!(held.is_empty(), "nothing while paused: {held:?}");
    let deferred = s.log.iter().flat_map(|(_, d)| &d.actions).any(|a| matches!(a, Action::Defer { reason, .. } if reason.contains("paused by the merchant")));
    assert!(deferred, "each due send was deferred with the pause as its reason");

    let resume_at = t("2026-11-28T15:10:00Z");
    let d = s.apply(operator("r1", "2026-11-28T15:10:00Z", json!({ "type": "operatorResumed" })), resume_at);
    assert!(reasons(&d).contains(&"operatorResume"));
    let released: Vec<_> = d.actions.iter().filter_map(|a| match a { Action::Defer { at, .. } => Some(*at), _ => None }).collect();
    assert!(!released.is_empty() && released.iter().all(|at| *at == resume_at), "held sends come due now: {:?}", d.actions);
    let after = s.run_until(resume_at);
    assert!(!after.is_empty(), "a held send goes at once on resume");
    assert!(s.state.contact.operator_pause.is_none());
}

#[test]
fn a_pause_with_an_end_lifts_by_itself() {
    let mut s = shopper_with_sends();
    s.apply(operator("p1", "2026-11-27T15:01:00Z", json!({ "type": "operatorPaused", "until": "2026-11-27T20:00:00Z" })), t("2026-11-27T15:01:00Z"));
    assert!(s.run_until(t("2026-11-27T19:59:00Z")).is_empty());
    let after = s.run_until(t("2026-11-27T20:00:00Z"));
    assert!(!after.is_empty(), "sends go when the pause ends");
    let first = after.iter().find_map(|a| match a { Action::Send { .. } => Some(()), _ => None });
    assert!(first.is_some());
}

#[test]
fn pausing_one_journey_holds_only_its_sends() {
    let mut s = shopper_with_sends();
    s.apply(checkout("e2", "2026-11-27T15:00:30Z", "c2"), t("2026-11-27T15:00:30Z"));
    let paused = s.state.journeys.iter().find(|j| j.cart.token == "c2" && j.status == JourneyStatus::Active).map(|j| j.id.clone());
    // A second cart supersedes the first: pause the one that is active.
    let paused = paused.expect("the newer cart is active");
    let d = s.apply(operator("p1", "2026-11-27T15:01:00Z", json!({ "type": "operatorPaused", "journeyId": paused })), t("2026-11-27T15:01:00Z"));
    assert!(d.explanation.summary().contains(&format!("journey {paused} paused")), "{}", d.explanation.summary());
    assert!(s.run_until(t("2026-11-28T15:00:00Z")).is_empty(), "the paused journey sends nothing");
    let d = s.apply(operator("r1", "2026-11-28T15:10:00Z", json!({ "type": "operatorResumed", "journeyId": paused })), t("2026-11-28T15:10:00Z"));
    assert!(d.explanation.summary().contains("resumed"));
    assert!(!s.run_until(t("2026-11-28T15:10:00Z")).is_empty());
}

#[test]
fn pausing_a_journey_that_is_not_the_contacts_changes_nothing() {
    let mut s = shopper_with_sends();
    let before = s.state.clone();
    let d = s.apply(operator("p1", "2026-11-27T15:01:00Z", json!({ "type": "operatorPaused", "journeyId": "j_nobody" })), t("2026-11-27T15:01:00Z"));
    assert!(d.explanation.summary().contains("not this contact's"));
    assert_eq!(s.state.journeys, before.journeys);
}

#[test]
fn a_support_exception_with_an_end_holds_every_send_until_then() {
    let mut s = shopper_with_sends();
    let d = s.apply(
        operator("x1", "2026-11-27T15:01:00Z", json!({ "type": "supportTicket", "ticketId": "console-1", "status": "open",
            "kind": "refund", "reason": "Refund for the damaged socks", "until": "2026-11-28T12:00:00Z" })),
        t("2026-11-27T15:01:00Z"),
    );
    assert!(d.explanation.summary().contains("support exception opened (refund)"), "{}", d.explanation.summary());
    assert!(!d.explanation.summary().contains("damaged"), "the operator's free text stays out of explanations");
    let deferred: Vec<_> = d.actions.iter().filter_map(|a| match a { Action::Defer { at, .. } => Some(*at), _ => None }).collect();
    assert!(!deferred.is_empty() && deferred.iter().all(|at| *at == t("2026-11-28T12:00:00Z")));
    let ticket = &s.state.contact.open_tickets[0];
    assert_eq!(ticket.reason.as_deref(), Some("Refund for the damaged socks"), "the reason is kept for the timeline");
    assert!(s.run_until(t("2026-11-28T11:59:00Z")).is_empty(), "nothing before its end");
    assert!(!s.run_until(t("2026-11-28T12:00:00Z")).is_empty(), "sends go once it ends");
}

#[test]
fn closing_a_support_exception_early_brings_held_sends_back_now() {
    let mut s = shopper_with_sends();
    s.apply(
        operator("x1", "2026-11-27T15:01:00Z", json!({ "type": "supportTicket", "ticketId": "console-2", "status": "open",
            "kind": "changedOrder", "until": "2026-11-30T12:00:00Z" })),
        t("2026-11-27T15:01:00Z"),
    );
    assert!(s.run_until(t("2026-11-27T18:00:00Z")).is_empty());
    let d = s.apply(operator("x2", "2026-11-27T18:00:00Z", json!({ "type": "supportTicket", "ticketId": "console-2", "status": "closed", "kind": "changedOrder" })), t("2026-11-27T18:00:00Z"));
    assert!(d.explanation.summary().contains("held sends due again"), "{}", d.explanation.summary());
    assert!(!s.run_until(t("2026-11-27T18:00:00Z")).is_empty(), "the held email goes at once");
    assert!(s.state.contact.open_tickets.is_empty());
}

#[test]
fn an_exception_already_ended_holds_nothing() {
    let mut s = shopper_with_sends();
    let d = s.apply(
        operator("x1", "2026-11-27T15:01:00Z", json!({ "type": "supportTicket", "ticketId": "console-3", "status": "open", "until": "2026-11-27T15:00:00Z" })),
        t("2026-11-27T15:01:00Z"),
    );
    assert!(d.explanation.summary().contains("already ended"));
    assert!(s.state.contact.open_tickets.is_empty());
}

#[test]
fn tickets_stored_as_bare_ids_still_read() {
    let mut s = shopper_with_sends();
    let mut value: serde_json::Value = serde_json::from_str(&s.state.to_json()).unwrap();
    value["contact"]["openTickets"] = json!(["zd-1"]);
    s.state = State::from_json(&value.to_string()).unwrap();
    assert_eq!(s.state.contact.open_tickets[0].id, "zd-1");
    assert!(s.run_until(t("2026-11-27T18:00:00Z")).is_empty(), "an old open ticket still holds");
}

#[test]
fn operator_events_refuse_unknown_fields_with_their_path() {
    let bad = json!({ "id": "p1", "at": "2026-11-27T15:01:00Z", "type": "operatorPaused", "journey": "j_1" });
    let error = Event::from_value(bad).unwrap_err();
    assert_eq!(error.code().as_str(), "INVALID_FIELD");
    let bad = json!({ "id": "p1", "at": "2026-11-27T15:01:00Z", "type": "operatorPaused", "until": "tomorrow" });
    assert!(Event::from_value(bad).is_err());
    let bad = json!({ "id": "x1", "at": "2026-11-27T15:01:00Z", "type": "supportTicket", "ticketId": "t", "status": "open", "kind": "lawsuit" });
    let error = Event::from_value(bad).unwrap_err();
    assert!(error.path().starts_with("$"), "{}", error.path());
}

#[test]
fn erasure_drops_pauses_and_exceptions_with_everything_else() {
    let mut s = shopper_with_sends();
    s.apply(operator("p1", "2026-11-27T15:01:00Z", json!({ "type": "operatorPaused" })), t("2026-11-27T15:01:00Z"));
    s.apply(operator("x1", "2026-11-27T15:02:00Z", json!({ "type": "supportTicket", "ticketId": "c", "status": "open", "reason": "Ada called" })), t("2026-11-27T15:02:00Z"));
    s.apply(json!({ "id": "er", "at": "2026-11-27T15:03:00Z", "type": "erase" }), t("2026-11-27T15:03:00Z"));
    assert!(s.state.contact.operator_pause.is_none() && s.state.contact.open_tickets.is_empty());
    assert!(!s.state.to_json().contains("Ada called"));
}

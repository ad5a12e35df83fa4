//! Support exceptions (src/engine/support.rs): a refund, a cancellation or an edit of the
//! shopper's order pauses their other journeys, with the reason, and a cancelled order is no
//! longer a recovery; an open help-desk ticket holds every send until it closes. Webhooks are
//! Shopify's own sample payloads or shaped like them, through ingest, then the engine.

mod common;

use common::*;
use rekindle::model::action::Action;
use rekindle::engine::Decision;
use rekindle::ingest::shopify;
use rekindle::model::journey::{JourneyStatus, OrderOutcome};
use serde_json::{json, Value};

const ORDER: &str = "820982911946154508";

// Shaped as Shopify's refunds/create payload.
const REFUND: &str = r#"{"id": 890088186047892319, "order_id": 820982911946154508, "created_at": "2026-11-29T11:00:00-05:00",
  "note": "Arrived damaged", "user_id": 548380009, "processed_at": "2026-11-29T11:00:00-05:00", "restock": true,
  "duties": [], "admin_graphql_api_id": "gid://shopify/Refund/890088186047892319",
  "refund_line_items": [{"id": 487817672276298554, "line_item_id": 487817672276298554, "quantity": 1, "restock_type": "no_restock", "subtotal": 36.0}],
  "transactions": [{"id": 245135719, "order_id": 820982911946154508, "kind": "refund", "status": "success", "amount": "36.00", "currency": "USD"}],
  "order_adjustments": []}"#;

// Shaped as Shopify's orders/edited payload (an `order_edit` naming its order).
const ORDER_EDIT: &str = r#"{"order_edit": {"id": 78912328, "app_id": null, "created_at": "2026-11-29T10:58:00-05:00",
  "committed_at": "2026-11-29T11:00:00-05:00", "notify_customer": false, "order_id": 820982911946154508,
  "staff_note": "Customer asked for a different size", "user_id": null,
  "line_items": {"additions": [{"id": 1022782915, "delta": 1}], "removals": [{"id": 466157049, "delta": 1}]},
  "discounts": {"line_item": {"additions": [], "removals": []}},
  "shipping_lines": {"additions": [], "removals": []}}}"#;

fn vector(path: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Bought cart c1 (order 820982911946154508), then left cart c2: one recovered journey, one
/// active with sends pending.
fn bought_then_left_another() -> Shopper {
    let mut s = Shopper::new(policy());
    s.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    s.apply(
        json!({ "id": "o1", "at": "2026-11-27T15:30:00Z", "type": "orderPlaced", "orderId": ORDER, "cartToken": "c1",
                "total": { "minor": 3600, "currency": "USD" } }),
        t("2026-11-27T15:30:00Z"),
    );
    s.apply(checkout("e2", "2026-11-29T15:00:00Z", "c2"), t("2026-11-29T15:00:00Z"));
    assert!(!s.pending().is_empty());
    s
}

fn through_ingest(s: &mut Shopper, topic: &str, body: &str, now: &str) -> Decision {
    let out = shopify::normalise(topic, &format!("w-{topic}"), body, "salt", t(now)).unwrap();
    let event: Value = serde_json::to_value(&out.routed[0].events[0]).unwrap();
    s.apply(event, t(now))
}

fn journey<'a>(s: &'a Shopper, token: &str) -> &'a rekindle::model::journey::Journey {
    s.state.journeys.iter().find(|j| j.cart.token == token).unwrap()
}

fn assert_paused(s: &Shopper, d: &Decision, from: &str) {
    let hold = t(from) + chrono::Duration::hours(72);
    let deferred: Vec<_> = d.actions.iter().filter_map(|a| match a { Action::Defer { at, .. } => Some(*at), _ => None }).collect();
    assert!(!deferred.is_empty(), "the other journey's sends are paused: {:?}", d.actions);
    assert!(deferred.iter().all(|at| *at >= hold));
    assert!(s.pending().iter().all(|(_, at)| *at >= hold));
    assert!(d.explanation.reasons().any(|r| r.code == "supportPause"));
    assert_eq!(journey(s, "c2").status, JourneyStatus::Active, "paused, not closed");
}

#[test]
fn a_refund_records_on_the_recovered_journey_and_pauses_the_others() {
    let mut s = bought_then_left_another();
    let d = through_ingest(&mut s, "refunds/create", REFUND, "2026-11-29T16:05:00Z");
    let recovered = journey(&s, "c1");
    assert_eq!((recovered.status, recovered.order_outcome), (JourneyStatus::Recovered, Some(OrderOutcome::Refunded)));
    assert_eq!(recovered.recovered_minor, Some(3600), "a refund may be partial: the recovery stands");
    assert_paused(&s, &d, "2026-11-29T16:05:00Z");
    // Nothing goes out during the pause; it resumes after.
    let sent = s.run_until(t("2026-12-02T16:00:00Z"));
    assert!(sent.is_empty(), "{sent:?}");
}

#[test]
fn a_cancelled_order_is_no_recovery_and_pauses_the_others() {
    let mut s = bought_then_left_another();
    // Shopify's own orders sample, delivered on orders/cancelled (it carries cancelled_at).
    let d = through_ingest(&mut s, "orders/cancelled", &vector("shopify/orders_create.json"), "2026-11-29T16:05:00Z");
    let closed = journey(&s, "c1");
    assert_eq!((closed.status, closed.order_outcome, closed.recovered_minor), (JourneyStatus::Stopped, Some(OrderOutcome::Cancelled), None));
    assert!(d.explanation.reasons().any(|r| r.code == "orderCancelled"));
    assert_paused(&s, &d, "2026-11-29T16:05:00Z");
}

#[test]
fn an_order_edit_reaches_its_order_and_pauses_the_others() {
    let out = shopify::normalise("orders/edited", "w-e", ORDER_EDIT, "salt", t("2026-11-29T16:05:00Z")).unwrap();
    assert_eq!(out.routed[0].lookup, [rekindle::ingest::key("salt", rekindle::ingest::KeyKind::Order, ORDER)]);
    assert_eq!(out.routed[0].events[0].at, t("2026-11-29T16:00:00Z"), "committed_at");
    let mut s = bought_then_left_another();
    let d = through_ingest(&mut s, "orders/edited", ORDER_EDIT, "2026-11-29T16:05:00Z");
    assert_eq!(journey(&s, "c1").order_outcome, Some(OrderOutcome::Edited));
    assert_paused(&s, &d, "2026-11-29T16:05:00Z");
}

#[test]
fn an_open_support_ticket_holds_every_send_until_it_closes() {
    let mut s = Shopper::new(policy());
    s.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = s.apply(json!({ "id": "tk1", "at": "2026-11-27T15:02:00Z", "type": "supportTicket", "ticketId": "zd-4411", "status": "open" }), t("2026-11-27T15:02:00Z"));
    assert!(d.actions.iter().any(|a| matches!(a, Action::Defer { .. })));
    let held = s.run_until(t("2026-11-28T15:00:00Z"));
    assert!(held.is_empty(), "nothing while the ticket is open: {held:?}");
    let deferred_for_ticket = s.log.iter().flat_map(|(_, d)| &d.actions).any(|a| matches!(a, Action::Defer { reason, .. } if reason.contains("support ticket")));
    assert!(deferred_for_ticket);
    s.apply(json!({ "id": "tk2", "at": "2026-11-28T15:10:00Z", "type": "supportTicket", "ticketId": "zd-4411", "status": "closed" }), t("2026-11-28T15:10:00Z"));
    let after = s.run_until(t("2026-11-29T15:00:00Z"));
    assert!(!after.is_empty(), "held sends go out once the ticket is closed");
}

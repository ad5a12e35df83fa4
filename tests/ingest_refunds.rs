//! Shopify `refunds/create`: a refund names only its order, so it reaches the contact through
//! the order key that the placed order linked (the engine's side: tests/support_exceptions.rs).

use chrono::{DateTime, Utc};
use rekindle::engine::decide;
use rekindle::error::Code;
use rekindle::ingest::{key, shopify, KeyKind};
use rekindle::model::event::{Event, EventBody};
use rekindle::model::state::State;
use rekindle::policy::Policy;

const SALT: &str = "test-salt";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T15:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

// Shaped as Shopify's refunds/create payload (ids above 2^53, as Shopify sends them).
const REFUND: &str = r#"{"id": 890088186047892319, "order_id": 820982911946154508, "created_at": "2026-11-27T11:00:00-05:00",
  "note": "Things were damaged", "user_id": 548380009, "processed_at": "2026-11-27T11:00:00-05:00", "restock": true,
  "duties": [], "admin_graphql_api_id": "gid://shopify/Refund/890088186047892319",
  "refund_line_items": [{"id": 487817672276298554, "line_item_id": 487817672276298554, "quantity": 1, "restock_type": "no_restock", "subtotal": 199.0}],
  "transactions": [{"id": 245135719, "order_id": 820982911946154508, "kind": "refund", "status": "success", "amount": "199.00", "currency": "USD"}],
  "order_adjustments": []}"#;

#[test]
fn shopify_refund_reaches_the_contact_of_its_order() {
    let out = shopify::normalise("refunds/create", "w-r1", REFUND, SALT, now()).unwrap();
    let routed = &out.routed[0];
    assert_eq!(
        routed.lookup,
        [key(SALT, KeyKind::Order, "820982911946154508")]
    );
    assert_eq!(routed.contact_id, None, "a refund alone creates no contact");
    let event = Event::from_json(&serde_json::to_string(&routed.events[0]).unwrap()).unwrap();
    let EventBody::OrderRefunded(r) = &event.body else {
        panic!("{event:?}")
    };
    assert_eq!(
        r.order_id, "820982911946154508",
        "the 64-bit id stays exact"
    );
    assert_eq!(event.at.to_rfc3339(), "2026-11-27T16:00:00+00:00");

    let policy = Policy::default_policy();
    let decision = decide(&policy, State::new("c_1"), &event, now());
    assert!(decision.actions.is_empty(), "no journey, nothing to pause");
    assert!(decision
        .explanation
        .reasons()
        .any(|b| b.code == "orderException"));
}

#[test]
fn shopify_refund_without_an_order_names_the_field() {
    let e = shopify::normalise(
        "refunds/create",
        "w-r2",
        r#"{"id": 1, "created_at": "2026-11-27T11:00:00Z"}"#,
        SALT,
        now(),
    )
    .unwrap_err();
    assert_eq!((e.code(), e.path()), (Code::InvalidField, "$.order_id"));
}

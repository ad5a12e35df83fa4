//! The recovery funnel counts abandonments, not purchases, and keeps the holdout apart.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::metrics::funnel;
use serde_json::json;

fn order(id: &str, at: &str, token: &str) -> serde_json::Value {
    json!({ "id": id, "at": at, "type": "orderPlaced", "orderId": id, "cartToken": token, "total": { "minor": 3600, "currency": "USD" } })
}

#[test]
fn the_funnel_counts_abandonments_messages_clicks_and_recoveries() {
    // Messaged, clicked, recovered.
    let mut a = Shopper::new(policy());
    a.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let first = sends(&a.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    a.apply(json!({ "id": "k1", "at": "2026-11-27T15:10:00Z", "type": "clicked", "actionId": first }), t("2026-11-27T15:10:00Z"));
    a.apply(order("o1", "2026-11-27T15:20:00Z", "c1"), t("2026-11-27T15:20:00Z"));
    // Bought before any message: a purchase, not an abandonment.
    let mut b = Shopper::new(policy());
    b.apply(checkout("e1", "2026-11-27T15:00:00Z", "c2"), t("2026-11-27T15:00:00Z"));
    b.apply(order("o2", "2026-11-27T15:02:00Z", "c2"), t("2026-11-27T15:02:00Z"));
    // Held out, and bought anyway: the baseline.
    let mut p = policy();
    p.holdout_percent = 100;
    let mut c = Shopper::new(p);
    c.apply(checkout("e1", "2026-11-27T15:00:00Z", "c3"), t("2026-11-27T15:00:00Z"));
    c.apply(order("o3", "2026-11-28T15:00:00Z", "c3"), t("2026-11-28T15:00:00Z"));
    // Messaged, never bought.
    let mut d = Shopper::new(policy());
    d.apply(checkout("e1", "2026-11-27T15:00:00Z", "c4"), t("2026-11-27T15:00:00Z"));
    d.run_until(t("2026-11-28T00:00:00Z"));

    let f = funnel(&[a.state, b.state, c.state, d.state]);
    assert_eq!((f.abandoned, f.holdout, f.holdout_recovered, f.messaged, f.clicked, f.recovered), (3, 1, 1, 2, 1, 1));
    assert_eq!(f.revenue_recovered_minor, 3600);
    assert!((f.recovery_rate - 1.0 / 3.0).abs() < 1e-9);
}

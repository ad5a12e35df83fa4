//! Golden decision traces for the default policy: a few scripted shoppers, every decision's
//! actions and explanation, compared line by line with tests/golden/default_policy.txt.
//! After an intended change, regenerate with `UPDATE_GOLDEN=1 cargo test --test golden_traces`
//! and review the diff like code.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use rekindle::model::action::Action;
use serde_json::json;
use std::fmt::Write;

fn describe(action: &Action) -> String {
    match action {
        Action::Schedule { id, at, .. } => format!("schedule {id} at {}", at.to_rfc3339()),
        Action::Defer { id, at, reason } => format!("defer {id} to {} ({reason})", at.to_rfc3339()),
        Action::Send { id, message, .. } => {
            let offer = message.data.incentive.as_ref().map(|o| format!(" offer={:?}/{}", o.kind, o.percent)).unwrap_or_default();
            let sms = message.sms.as_ref().map(|s| format!(" sms=\"{}\" ({} segment)", s.text, s.segments.count)).unwrap_or_default();
            format!("send {id} template={} variant={} angle={:?}{offer}{sms}", message.template, message.variant, message.angle)
        }
        Action::Cancel { id, reason } => format!("cancel {id} ({reason})"),
        Action::Skip { id, reason } => format!("skip {id} ({reason})"),
        Action::Reply { body, .. } => format!("reply \"{body}\""),
        Action::RequestCoupon { id, offer, .. } => format!("request coupon {id} {:?}/{}", offer.kind, offer.percent),
        Action::Erase { journey_ids, .. } => format!("erase {} journeys", journey_ids.len()),
        Action::Forget { contact_id } => format!("forget {contact_id}"),
        Action::Purge { contact_id } => format!("purge {contact_id}"),
        Action::ReportConsent { channel, status, source, .. } => format!("report consent {channel:?} {status:?} ({source:?})"),
        Action::Export { data, .. } => format!("export {} journeys", data.journeys.len()),
    }
}

fn trace(title: &str, shopper: &Shopper, out: &mut String) {
    writeln!(out, "## {title}").unwrap();
    for (now, decision) in &shopper.log {
        writeln!(out, "{}  {}", now.to_rfc3339(), decision.explanation.summary()).unwrap();
        for action in &decision.actions {
            writeln!(out, "    {}", describe(action)).unwrap();
        }
    }
    out.push('\n');
}

#[test]
fn the_default_policy_matches_its_golden_trace() {
    let mut out = String::new();

    let mut s = Shopper::new(policy());
    s.apply(checkout("e1", "2026-11-27T20:40:00Z", "c1"), t("2026-11-27T20:40:00Z"));
    s.apply(
        json!({ "id": "b1", "at": "2026-11-27T20:41:00Z", "type": "abandoned", "origin": "storefront", "cart": cart("c1", "checkout"),
                "reasons": [{ "reason": "extraCost", "confidence": 0.8 }] }),
        t("2026-11-27T20:41:00Z"),
    );
    s.run_until(t("2026-12-02T00:00:00Z"));
    trace("Texas shopper leaves at the shipping cost; never opens", &s, &mut out);

    let mut s = Shopper::new(policy());
    s.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let first = sends(&s.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    s.apply(json!({ "id": "k1", "at": "2026-11-27T15:20:00Z", "type": "clicked", "actionId": first }), t("2026-11-27T15:20:00Z"));
    s.run_until(t("2026-11-27T16:00:00Z"));
    s.apply(
        json!({ "id": "o1", "at": "2026-11-27T16:10:00Z", "type": "orderPlaced", "orderId": "5001", "cartToken": "c1",
                "total": { "minor": 3600, "currency": "USD" } }),
        t("2026-11-27T16:10:00Z"),
    );
    s.run_until(t("2026-12-02T00:00:00Z"));
    trace("clicks the first email, gets the SMS follow-up, buys", &s, &mut out);

    let mut s = Shopper::new(policy());
    let mut e = checkout("e1", "2026-11-27T15:00:00Z", "c1");
    e["cart"]["items"][0]["unitPrice"] = json!(12000);
    e["contact"]["returning"] = json!(true);
    s.apply(e, t("2026-11-27T15:00:00Z"));
    s.apply(json!({ "id": "s1", "at": "2026-11-27T15:30:00Z", "type": "smsReceived", "body": "STOP" }), t("2026-11-27T15:30:00Z"));
    s.run_until(t("2026-12-02T00:00:00Z"));
    trace("high-value returning customer replies STOP", &s, &mut out);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/default_policy.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file exists (UPDATE_GOLDEN=1 writes it)");
    for (i, (got, want)) in out.lines().zip(golden.lines()).enumerate() {
        assert_eq!(got, want, "line {} of {path} differs", i + 1);
    }
    assert_eq!(out.lines().count(), golden.lines().count(), "trace length differs from {path}");
}

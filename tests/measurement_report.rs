//! The report reads the outcome log the engine writes: treated against held out, per step and
//! channel, last touch against any touch, and it outlives the journeys it counts.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::measurement::{self, Dimension, Log, Options};
use rekindle::model::outcome::{Arm, Outcome, OutcomeKind};
use serde_json::json;

fn order(id: &str, at: &str, token: &str, minor: i64) -> serde_json::Value {
    json!({ "id": id, "at": at, "type": "orderPlaced", "orderId": id, "cartToken": token, "total": { "minor": minor, "currency": "USD" } })
}

fn lines(shopper: &Shopper) -> Vec<Outcome> {
    shopper.log.iter().flat_map(|(_, d)| d.outcomes.iter().cloned()).collect()
}

/// Three shoppers: messaged then clicked and bought; messaged and never bought; held out and
/// bought anyway.
fn three_shoppers() -> (Log, Shopper) {
    let mut a = Shopper::new(policy());
    a.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let first = sends(&a.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    a.apply(json!({ "id": "d1", "at": "2026-11-27T15:06:00Z", "type": "delivered", "actionId": first }), t("2026-11-27T15:06:00Z"));
    a.apply(json!({ "id": "k1", "at": "2026-11-27T15:10:00Z", "type": "clicked", "actionId": first }), t("2026-11-27T15:10:00Z"));
    a.apply(order("o1", "2026-11-27T15:20:00Z", "c1", 3600), t("2026-11-27T15:20:00Z"));
    let mut b = Shopper::new(policy());
    b.apply(checkout("e1", "2026-11-27T16:00:00Z", "c2"), t("2026-11-27T16:00:00Z"));
    b.run_until(t("2026-11-29T00:00:00Z"));
    let mut p = policy();
    p.holdout_percent = 100;
    let mut c = Shopper::new(p);
    c.apply(checkout("e1", "2026-11-28T15:00:00Z", "c3"), t("2026-11-28T15:00:00Z"));
    c.apply(order("o3", "2026-11-29T15:00:00Z", "c3", 5000), t("2026-11-29T15:00:00Z"));
    let mut outcomes = lines(&a);
    outcomes.extend(lines(&b));
    outcomes.extend(lines(&c));
    (Log { outcomes, rollups: Default::default() }, b)
}

#[test]
fn the_treated_rate_never_counts_held_out_journeys() {
    let (log, _) = three_shoppers();
    let r = measurement::report(&log, &Options::default());
    assert_eq!((r.treated.abandoned, r.treated.recovered), (2, 1));
    let money: Vec<(Option<&str>, i64)> = r.treated.revenue.iter().map(|m| (m.currency.as_deref(), m.revenue_minor)).collect();
    assert_eq!(money, [(Some("USD"), 3600)]);
    assert_eq!((r.holdout.abandoned, r.holdout.recovered, r.holdout.messages), (1, 1, 0));
    assert!(r.treated.messages >= 3, "both treated shoppers were messaged: {:?}", r.treated);
    assert_eq!((r.treated.delivered, r.treated.clicked), (1, 1));
    let lift = r.lift.expect("a holdout to compare with");
    assert_eq!((lift.treated_rate, lift.holdout_rate), (0.5, 1.0));
    assert!(!lift.conclusive, "three journeys prove nothing");
    assert!(lift.verdict.starts_with("inconclusive"), "{}", lift.verdict);
    assert!(lift.more_abandonments_needed.unwrap() > 0);
    assert_eq!((r.from.as_deref(), r.to.as_deref()), (Some("2026-11-27"), Some("2026-11-28")));
}

#[test]
fn the_last_message_before_the_order_gets_the_last_touch() {
    let (log, _) = three_shoppers();
    let steps = measurement::rollup(&log, Dimension::Step, &Options::default());
    let credited: Vec<_> = steps.iter().filter(|r| r.metrics.recovered_last_touch > 0).collect();
    assert_eq!(credited.len(), 1, "one order, one last touch: {steps:#?}");
    // Any-touch credits every message before the order.
    let order_at = t("2026-11-27T15:20:00Z");
    let before_order = log.outcomes.iter().filter(|l| l.kind == OutcomeKind::Sent && l.at <= order_at).count() as u64;
    assert!(before_order >= 2, "the email and the SMS went before the order");
    assert_eq!(steps.iter().map(|r| r.metrics.recovered).sum::<u64>(), before_order);
    assert_eq!(steps.iter().map(|r| r.metrics.recovered_last_touch).sum::<u64>(), 1);
    let channels = measurement::rollup(&log, Dimension::Channel, &Options::default());
    assert!(channels.iter().all(|r| r.lift.is_none()), "messages have no holdout to compare with");
    let playbooks = measurement::rollup(&log, Dimension::Playbook, &Options::default());
    assert!(playbooks.iter().all(|r| r.lift.is_some()));
}

#[test]
fn the_figures_survive_journey_expiry_and_retention() {
    let (log, mut b) = three_shoppers();
    let before = measurement::report(&log, &Options::default());
    // A year later the journey has expired and been purged from the state.
    b.apply(json!({ "id": "late", "at": "2027-12-01T00:00:00Z", "type": "unsubscribed" }), t("2027-12-01T00:00:00Z"));
    assert!(b.state.journeys.is_empty(), "purged past retention");
    assert!(lines(&b).iter().any(|l| l.kind == OutcomeKind::Expired));
    let after = measurement::report(&log, &Options::default());
    assert_eq!(before, after);
}

#[test]
fn rolling_finished_journeys_into_days_changes_no_figure() {
    let (log, _) = three_shoppers();
    let compacted = measurement::compact(&log, t("2026-11-28T00:00:00Z"), None);
    assert!(compacted.outcomes.len() < log.outcomes.len(), "the 27th's journeys became roll-ups");
    assert!(compacted.outcomes.iter().all(|l| l.at >= t("2026-11-28T00:00:00Z")));
    // Through JSON, as a store keeps it.
    let stored: Log = serde_json::from_str(&serde_json::to_string(&compacted).unwrap()).unwrap();
    let options = Options::default();
    assert_eq!(measurement::report(&stored, &options), measurement::report(&log, &options));
    for d in measurement::DIMENSIONS {
        assert_eq!(measurement::rollup(&stored, d, &options), measurement::rollup(&log, d, &options), "{d:?}");
    }
    // A late line for a rolled-up journey counts nowhere, and goes at the next roll-up.
    let mut late = stored.clone();
    let rolled = log.outcomes.iter().find(|l| l.at < t("2026-11-28T00:00:00Z")).unwrap().journey.clone();
    late.outcomes.push(Outcome::new(OutcomeKind::Delivered, &rolled, t("2026-11-29T00:00:00Z")));
    assert_eq!(measurement::report(&late, &options), measurement::report(&log, &options));
    assert!(measurement::compact(&late, t("2026-11-30T00:00:00Z"), None).outcomes.iter().all(|l| l.journey != rolled));
    // Rolling up again folds the rest without counting the first days twice.
    let all = measurement::compact(&stored, t("2027-01-01T00:00:00Z"), None);
    assert!(all.outcomes.is_empty());
    assert_eq!(measurement::report(&all, &options), measurement::report(&log, &options));
}

fn arm_line(journey: usize, variant: &str, day: u32, ordered: bool) -> Vec<Outcome> {
    let at = t(&format!("2026-11-{day:02}T12:00:00Z"));
    let mut a = Outcome::new(OutcomeKind::Abandoned, &format!("j_{journey:016x}"), at);
    a.playbook = Some("default".into());
    a.arms = vec![Arm { step: "email1".into(), variant: variant.into(), weight: 50 }];
    let mut out = vec![a];
    if ordered {
        let mut o = Outcome::new(OutcomeKind::Ordered, &format!("j_{journey:016x}"), at);
        o.amount_minor = 4000;
        out.push(o);
    }
    out
}

#[test]
fn experiments_report_each_arm_and_warn_when_the_split_is_off() {
    // 600 journeys in arm a, 400 in b, configured 50/50: a broken assignment.
    let mut outcomes = Vec::new();
    for i in 0..1000 {
        let (variant, rate) = if i < 600 { ("a", 10) } else { ("b", 4) };
        outcomes.extend(arm_line(i, variant, 1 + (i % 10) as u32, i % 100 < rate));
    }
    let r = measurement::report(&Log { outcomes, rollups: Default::default() }, &Options::default());
    let e = &r.experiments[0];
    assert_eq!(e.step, "email1");
    assert_eq!(e.arms.iter().map(|a| (a.variant.as_str(), a.journeys, a.recovered)).collect::<Vec<_>>(), [("a", 600, 60), ("b", 400, 16)]);
    assert!(e.sample_ratio.mismatch, "{:?}", e.sample_ratio);
    let c = &e.comparisons[0];
    assert_eq!((c.variant.as_str(), c.against.as_str()), ("b", "a"));
    assert!(c.always_valid.high - c.always_valid.low > c.fixed.high - c.fixed.low, "always valid costs width");
    assert!(r.lift.is_none(), "no holdout, no lift");
}

#[test]
fn the_csv_has_a_row_per_group_and_defuses_formulas() {
    let (mut log, _) = three_shoppers();
    for l in log.outcomes.iter_mut() {
        if l.playbook.is_some() {
            l.playbook = Some("=HYPERLINK(\"x\")".into());
        }
    }
    let options = Options::default();
    let rows = measurement::rollups(&log, &options);
    let csv = measurement::to_csv(&rows);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), rows.len() + 1);
    assert!(lines[0].starts_with("dimension,key,currency,abandoned,"));
    assert!(csv.contains("playbook,\"'=HYPERLINK(\"\"x\"\")\","), "{csv}");
}

#[test]
fn bad_options_are_typed_errors_with_a_path() {
    let e = Options::from_json(r#"{"level": 1.5}"#).unwrap_err();
    assert_eq!(e.path(), "$.level");
    let e = Options::from_json(r#"{"levle": 0.9}"#).unwrap_err();
    assert_eq!(e.code().as_str(), "INVALID_FIELD");
    assert_eq!(Dimension::parse("galaxy").unwrap_err().path(), "$.dimension");
    assert!(measurement::parse_log(r#"{"outcomes":[{"at":0,"journey":"j","kind":"teleported"}]}"#).is_err());
}

#[test]
fn the_log_holds_no_personal_data() {
    let (log, _) = three_shoppers();
    let text = serde_json::to_string(&log).unwrap();
    for personal in ["ada@example.com", "5125550100", "Ada", "Merino", "contact-1", "checkouts/c1"] {
        assert!(!text.contains(personal), "{personal} is in the log: {text}");
    }
}

#[test]
fn a_stop_is_an_unsubscribe_from_the_last_text_and_a_complaint_is_not() {
    use rekindle::common::channel::Channel;
    let mut a = Shopper::new(policy());
    a.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let email = sends(&a.run_until(t("2026-11-27T15:05:00Z")))[0].0.clone();
    // A click brings the concise SMS follow-up.
    a.apply(json!({ "id": "k1", "at": "2026-11-27T15:10:00Z", "type": "clicked", "actionId": email }), t("2026-11-27T15:10:00Z"));
    let later = sends(&a.run_until(t("2026-11-27T15:40:00Z")));
    let text = later.iter().find(|(_, c)| *c == Channel::Sms).expect("the follow-up text").0.clone();
    a.apply(json!({ "id": "x1", "at": "2026-11-27T15:45:00Z", "type": "complained", "actionId": email }), t("2026-11-27T15:45:00Z"));
    a.apply(json!({ "id": "s1", "at": "2026-11-27T15:46:00Z", "type": "smsReceived", "body": "STOP" }), t("2026-11-27T15:46:00Z"));
    let lines = lines(&a);
    let of = |kind| lines.iter().filter(|l| l.kind == kind).map(|l| l.send.clone().unwrap()).collect::<Vec<_>>();
    assert_eq!(of(OutcomeKind::Complained), [email]);
    assert_eq!(of(OutcomeKind::Unsubscribed), [text], "the complaint withdrew email consent without counting as an unsubscribe");
}

/// A log line by hand, for the money and pilot rules.
fn line(kind: OutcomeKind, journey: &str, at: &str) -> Outcome {
    Outcome::new(kind, journey, t(at))
}

fn abandoned(journey: &str, currency: &str, holdout: bool) -> Outcome {
    let mut l = line(OutcomeKind::Abandoned, journey, "2026-11-27T15:00:00Z");
    l.currency = Some(currency.into());
    l.holdout = holdout;
    l.playbook = Some("default".into());
    l
}

fn ordered(journey: &str, currency: &str, minor: i64) -> Outcome {
    let mut l = line(OutcomeKind::Ordered, journey, "2026-11-27T18:00:00Z");
    l.currency = Some(currency.into());
    l.amount_minor = minor;
    l
}

#[test]
fn money_in_different_currencies_is_never_added() {
    // Two USD journeys and two EUR ones, treated; two of each held out. 5000 USD and 7000 EUR
    // recovered: a report that added them would say 12000 of something.
    let outcomes = vec![
        abandoned("u1", "USD", false),
        ordered("u1", "USD", 5000),
        abandoned("u2", "USD", false),
        abandoned("e1", "EUR", false),
        ordered("e1", "EUR", 7000),
        abandoned("e2", "EUR", false),
        abandoned("u3", "USD", true),
        abandoned("u4", "USD", true),
        abandoned("e3", "EUR", true),
        ordered("e3", "EUR", 1000),
        abandoned("e4", "EUR", true),
    ];
    let log = Log { outcomes, rollups: Default::default() };
    let r = measurement::report(&log, &Options::default());
    assert_eq!((r.treated.abandoned, r.treated.recovered), (4, 2), "counts add up across currencies");
    let money: Vec<(Option<&str>, u64, u64, i64)> = r.treated.revenue.iter().map(|m| (m.currency.as_deref(), m.abandoned, m.recovered, m.revenue_minor)).collect();
    assert_eq!(money, [(Some("EUR"), 2, 1, 7000), (Some("USD"), 2, 1, 5000)]);
    assert!(!serde_json::to_string(&r).unwrap().contains("12000"), "no figure adds euros to dollars");
    let lift = r.lift.expect("held-out journeys in both currencies");
    let per: Vec<(Option<&str>, f64, f64)> = lift.revenue_per_abandonment.iter().map(|l| (l.currency.as_deref(), l.treated_minor, l.holdout_minor)).collect();
    assert_eq!(per, [(Some("EUR"), 3500.0, 500.0), (Some("USD"), 2500.0, 0.0)]);
    // The CSV: a row per group and currency, each with its own money only.
    let csv = measurement::to_csv(&measurement::rollups(&log, &Options::default()));
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| l.starts_with("playbook,default,")).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("playbook,default,EUR,2,0,0,0,0,0,1,0,0.5,7000,"), "{}", rows[0]);
    assert!(rows[1].starts_with("playbook,default,USD,2,0,0,0,0,0,1,0,0.5,5000,"), "{}", rows[1]);
}

#[test]
fn the_engine_logs_the_shops_currency_and_the_orders_own() {
    let (log, _) = three_shoppers();
    let currencies: Vec<(OutcomeKind, Option<&str>)> = log
        .outcomes
        .iter()
        .filter(|l| matches!(l.kind, OutcomeKind::Abandoned | OutcomeKind::Ordered))
        .map(|l| (l.kind, l.currency.as_deref()))
        .collect();
    assert!(currencies.iter().all(|(_, c)| *c == Some("USD")), "{currencies:?}");
    // A shopper who saw PLN in a USD shop: the abandonment is logged in the shop's currency,
    // what its amount (Shopify's shop_money) is in, never in the presentment one.
    let mut s = Shopper::new(policy());
    let mut c = checkout("e1", "2026-11-27T15:00:00Z", "pln");
    c["cart"]["currency"] = json!("PLN");
    c["cart"]["shopCurrency"] = json!("USD");
    c["cart"]["shopSubtotal"] = json!(900);
    s.apply(c, t("2026-11-27T15:00:00Z"));
    let line = lines(&s).into_iter().find(|l| l.kind == OutcomeKind::Abandoned).unwrap();
    assert_eq!((line.currency.as_deref(), line.amount_minor), (Some("USD"), 900));
}

#[test]
fn a_partial_pilot_leaves_the_rest_alone_and_the_report_compares_them() {
    let mut p = policy();
    p.pilot_percent = 50;
    let mut outcomes = Vec::new();
    let (mut inside, mut outside) = (0, 0);
    for i in 0..40 {
        let mut s = Shopper::new(p.clone());
        s.state = rekindle::model::state::State::new(&format!("pilot-contact-{i}"));
        s.apply(checkout(&format!("e{i}"), "2026-11-27T15:00:00Z", &format!("c{i}")), t("2026-11-27T15:00:00Z"));
        let sent = sends(&s.run_until(t("2026-11-27T17:00:00Z")));
        let journey = &s.state.journeys[0];
        if journey.left_alone {
            outside += 1;
            assert!(sent.is_empty() && journey.sends.is_empty(), "a shopper outside the pilot is never messaged");
        } else {
            inside += 1;
            assert!(!sent.is_empty());
        }
        // Every fourth shopper buys, inside the pilot or not: tracked all the same.
        if i % 4 == 0 {
            s.apply(order(&format!("o{i}"), "2026-11-27T18:00:00Z", &format!("c{i}"), 3000), t("2026-11-27T18:00:00Z"));
            assert_eq!(s.state.journeys[0].status, rekindle::model::journey::JourneyStatus::Recovered);
        }
        outcomes.extend(lines(&s));
    }
    assert!(inside > 5 && outside > 5, "the hash split forty shoppers both ways: {inside} in, {outside} out");
    let log = Log { outcomes, rollups: Default::default() };
    let r = measurement::report(&log, &Options::default());
    assert_eq!(r.treated.abandoned, inside, "the treated figures never count the left-alone journeys");
    let pilot = r.pilot.expect("a partial pilot is compared with its left-alone arm");
    assert_eq!((pilot.pilot.abandoned, pilot.left_alone.abandoned), (inside, outside));
    assert_eq!(pilot.left_alone.messages, 0);
    assert_eq!(pilot.pilot.recovered + pilot.left_alone.recovered, 10);
    let lift = pilot.lift.expect("both arms have journeys");
    assert_eq!((lift.treated, lift.held_out), (inside, outside));
    let rows = measurement::rollup(&log, Dimension::Pilot, &Options::default());
    let arms: Vec<(&str, u64)> = rows.iter().map(|r| (r.key.as_str(), r.metrics.abandoned)).collect();
    assert_eq!(arms, [("leftAlone", outside), ("pilot", inside)]);
    // Every other dimension counts only Rekindle's own journeys.
    let playbooks: u64 = measurement::rollup(&log, Dimension::Playbook, &Options::default()).iter().map(|r| r.metrics.abandoned).sum();
    assert_eq!(playbooks, inside);
}

#[test]
fn why_this_message_is_answered_after_the_roll_up_until_retention_ends() {
    let (log, _) = three_shoppers();
    let sent = log.outcomes.iter().find(|l| l.kind == OutcomeKind::Sent).unwrap().clone();
    let id = sent.send.clone().unwrap();
    let live = measurement::message(&log, &id).expect("the send is in the log");
    assert_eq!(live.policy_version.as_deref(), Some(policy().version.as_str()));
    assert_eq!(live.step.as_deref(), Some("email-1"));
    assert!(live.angle.is_some());
    let why = live.why.clone().unwrap();
    assert!(why.contains("email-1 dispatched with angle"), "{why}");
    // A year on the journeys are rolled up: no line is left, the record is.
    let year = t("2027-11-27T00:00:00Z");
    let rolled = measurement::compact(&log, year, Some(t("2026-11-01T00:00:00Z")));
    assert!(rolled.outcomes.is_empty());
    let kept = measurement::message(&rolled, &id).expect("kept with the roll-ups");
    assert_eq!((kept.policy_version, kept.step, kept.angle, kept.why), (live.policy_version, live.step, live.angle, live.why));
    // Through the store's text, as a store keeps it.
    let text = serde_json::to_string(&rolled).unwrap();
    assert!(measurement::message(&measurement::parse_log(&text).unwrap(), &id).is_some());
    // Rolled up again past the retention horizon: gone.
    let later = measurement::compact(&rolled, year, Some(t("2027-12-01T00:00:00Z")));
    assert!(measurement::message(&later, &id).is_none());
    assert!(measurement::message(&log, "no-such-send").is_none());
    let p = policy();
    assert_eq!(measurement::messages_kept_for(&p).num_days(), p.retention.days as i64);
}

#[test]
fn roll_ups_stored_before_messages_were_kept_still_read() {
    let (log, _) = three_shoppers();
    let rolled = measurement::compact(&log, t("2027-01-01T00:00:00Z"), None);
    let days = serde_json::to_string(&rolled.rollups.days).unwrap();
    let old = measurement::parse_log(&format!(r#"{{"outcomes":[],"rollups":{days}}}"#)).unwrap();
    assert_eq!(measurement::report(&old, &Options::default()), measurement::report(&rolled, &Options::default()));
    assert!(old.rollups.messages.is_empty());
}

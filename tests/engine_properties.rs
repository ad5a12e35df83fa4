//! Properties over random event sequences, with duplicates, late and out-of-order delivery:
//! no send without consent at dispatch, none after the order, none in quiet hours, never
//! above caps, no two sends with one id, and the same inputs always give the same outputs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{cart, t};
use proptest::prelude::*;
use rekindle::common::channel::Channel;
use rekindle::compliance::quiet_hours;
use rekindle::engine::{decide, Decision};
use rekindle::model::action::Action;
use rekindle::model::event::Event;
use rekindle::model::journey::JourneyStatus;
use rekindle::model::state::State;
use rekindle::policy::Policy;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone)]
enum Input {
    Checkout { token: u8, price: i64, sms: bool, email: bool, zone: u8 },
    Beacon { token: u8, reason: u8 },
    Order { token: Option<u8> },
    Engage { kind: u8, pick: usize },
    Sms { body: u8 },
    Consent { sms: bool, granted: bool, storefront: bool },
    Unsubscribe { channel: u8 },
    Bounce { pick: usize },
    Erase,
    /// Deliver an earlier input again (a webhook retry), with its original id and time.
    Repeat { pick: usize },
}

const ZONES: &[(&str, &str)] =
    &[("US-TX", "America/Chicago"), ("US-FL", "America/New_York"), ("US-CA", "America/Los_Angeles"), ("FR", "Europe/Paris"), ("US-HI", "Pacific/Honolulu")];

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (0..8u8, prop_oneof![Just(900i64), Just(1800), Just(9000)], any::<bool>(), any::<bool>(), 0..ZONES.len() as u8)
            .prop_map(|(token, price, sms, email, zone)| Input::Checkout { token, price, sms, email, zone }),
        1 => (0..3u8, 0..4u8).prop_map(|(token, reason)| Input::Beacon { token, reason }),
        1 => prop::option::of(0..3u8).prop_map(|token| Input::Order { token }),
        3 => (0..3u8, any::<usize>()).prop_map(|(kind, pick)| Input::Engage { kind, pick }),
        1 => (0..5u8).prop_map(|body| Input::Sms { body }),
        1 => (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(sms, granted, storefront)| Input::Consent { sms, granted, storefront }),
        1 => (0..3u8).prop_map(|channel| Input::Unsubscribe { channel }),
        1 => any::<usize>().prop_map(|pick| Input::Bounce { pick }),
        1 => Just(Input::Erase),
        2 => any::<usize>().prop_map(|pick| Input::Repeat { pick }),
    ]
}

/// A step of the simulated world: how long passes, and what arrives (possibly late).
fn world() -> impl Strategy<Value = Vec<(u32, u32, Input)>> {
    prop::collection::vec((prop_oneof![0..30u32, 0..900u32], 0..120u32, input()), 1..48)
}

struct Run {
    decisions: Vec<(DateTime<Utc>, Value, Decision, State)>,
}

fn simulate(policy: &Policy, steps: &[(u32, u32, Input)]) -> Run {
    let mut state = State::new("contact-p");
    let mut now = t("2026-11-27T12:00:00Z");
    let mut due: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    let mut sent_ids: Vec<String> = Vec::new();
    let mut delivered: Vec<Value> = Vec::new();
    let mut out = Run { decisions: Vec::new() };
    let mut counter = 0;

    let apply = |state: &mut State, value: Value, now: DateTime<Utc>, out: &mut Run, due: &mut BTreeMap<String, DateTime<Utc>>, sent_ids: &mut Vec<String>| {
        let event = Event::from_value(value.clone()).expect("generated events are valid");
        let before = state.clone();
        let d = decide(policy, state.clone(), &event, now);
        for a in &d.actions {
            match a {
                Action::Schedule { id, at, .. } | Action::Defer { id, at, .. } => {
                    due.insert(id.clone(), *at);
                }
                Action::Cancel { id, .. } | Action::Skip { id, .. } => {
                    due.remove(id);
                }
                Action::Send { id, .. } => {
                    due.remove(id);
                    sent_ids.push(id.clone());
                }
                _ => {}
            }
        }
        *state = d.state.clone();
        out.decisions.push((now, value, d, before));
    };

    for (advance, lateness, input) in steps {
        let until = now + Duration::minutes(*advance as i64);
        // The scheduler fires everything due up to `until`, in time order.
        loop {
            let next = due.iter().min_by_key(|(_, at)| **at).map(|(id, at)| (id.clone(), *at));
            let Some((id, at)) = next.filter(|(_, at)| *at <= until) else { break };
            due.remove(&id);
            counter += 1;
            let at = at.max(now);
            let value = json!({ "id": format!("due-{counter}"), "at": at.to_rfc3339(), "type": "due", "actionId": id });
            apply(&mut state, value, at, &mut out, &mut due, &mut sent_ids);
            now = at;
        }
        now = until;
        counter += 1;
        let at = (now - Duration::minutes(*lateness as i64)).to_rfc3339();
        let id = format!("in-{counter}");
        let pick_sent = |pick: usize| sent_ids.get(pick % sent_ids.len().max(1)).cloned();
        let value = match input {
            Input::Checkout { token, price, sms, email, zone } => {
                let (region, tz) = ZONES[*zone as usize];
                let mut c = cart(&format!("c{token}"), "checkout");
                c["items"][0]["unitPrice"] = json!(price);
                Some(json!({ "id": id, "at": at, "type": "checkoutUpdated", "cart": c, "acceptsSms": sms, "acceptsEmail": email,
                    "contact": { "email": "p@example.com", "phone": "+15125550100", "region": region, "timeZone": tz } }))
            }
            Input::Beacon { token, reason } => {
                let reason = ["extraCost", "couponHunting", "deliverySpeed", "trust"][*reason as usize];
                Some(json!({ "id": id, "at": at, "type": "abandoned", "origin": "storefront", "cart": cart(&format!("c{token}"), "cart"),
                    "reasons": [{ "reason": reason, "confidence": 0.8 }] }))
            }
            Input::Order { token } => Some(json!({ "id": id, "at": at, "type": "orderPlaced", "orderId": format!("o{counter}"),
                "cartToken": token.map(|t| format!("c{t}")), "total": { "minor": 3600, "currency": "USD" } })),
            Input::Engage { kind, pick } => pick_sent(*pick).map(|action| {
                let kind = ["opened", "clicked", "delivered"][*kind as usize];
                json!({ "id": id, "at": at, "type": kind, "actionId": action })
            }),
            Input::Sms { body } => {
                let body = ["STOP", " start ", "HELP", "is shipping free?", "stop please"][*body as usize];
                Some(json!({ "id": id, "at": at, "type": "smsReceived", "body": body }))
            }
            Input::Consent { sms, granted, storefront } => Some(json!({ "id": id, "at": at, "type": "consentChanged",
                "channel": if *sms { "sms" } else { "email" }, "status": if *granted { "granted" } else { "revoked" },
                "source": if *storefront { "storefront" } else { "platformWebhook" } })),
            Input::Unsubscribe { channel } => Some(match channel {
                0 => json!({ "id": id, "at": at, "type": "unsubscribed", "channel": "email" }),
                1 => json!({ "id": id, "at": at, "type": "unsubscribed", "channel": "sms" }),
                _ => json!({ "id": id, "at": at, "type": "unsubscribed" }),
            }),
            Input::Bounce { pick } => pick_sent(*pick).map(|action| json!({ "id": id, "at": at, "type": "bounced", "actionId": action, "permanent": true })),
            Input::Erase => Some(json!({ "id": id, "at": at, "type": "erase" })),
            Input::Repeat { pick } => {
                if delivered.is_empty() { None } else { Some(delivered[pick % delivered.len()].clone()) }
            }
        };
        if let Some(value) = value {
            delivered.push(value.clone());
            apply(&mut state, value, now, &mut out, &mut due, &mut sent_ids);
        }
    }
    out
}

fn check(policy: &Policy, run: &Run) -> Result<(), TestCaseError> {
    let mut ids = HashSet::new();
    let mut history: Vec<(Channel, DateTime<Utc>)> = Vec::new();
    for (now, _, decision, before) in &run.decisions {
        for action in &decision.actions {
            let Action::Send { id, channel, journey_id, .. } = action else { continue };
            prop_assert!(ids.insert(id.clone()), "two sends with id {id}");
            prop_assert!(before.contact.consent.allows(*channel), "{id} sent without {channel:?} consent");
            prop_assert!(!before.contact.suppressed.contains(channel), "{id} sent to a suppressed channel");
            let journey = before.journeys.iter().find(|j| &j.id == journey_id).expect("send belongs to a journey");
            prop_assert_eq!(journey.status, JourneyStatus::Active, "{} sent for a closed journey (after an order?)", id);
            prop_assert!(!journey.holdout, "{id} sent from the holdout");
            if *channel == Channel::Sms {
                let region = before.contact.region.clone();
                let packs = quiet_hours::applicable(&policy.jurisdictions, region.as_deref());
                let zones = rekindle::compliance::zones::plausible(&rekindle::compliance::zones::ZoneHints {
                    browser: before.contact.time_zone.as_deref(),
                    region: region.as_deref(),
                    phone: before.contact.phone.as_deref(),
                    store: &policy.store_time_zone,
                })
                .zones;
                for zone in &zones {
                    let opening = quiet_hours::next_opening(*now, Channel::Sms, &packs, std::slice::from_ref(zone)).unwrap();
                    prop_assert_eq!(opening, *now, "{} sent in quiet hours in {}", id, zone);
                }
            }
            history.push((*channel, *now));
            for cap in policy.caps.iter().filter(|c| c.channel == *channel) {
                let window = Duration::hours(cap.window_hours as i64);
                let recent = history.iter().filter(|(c, at)| c == channel && *now - *at < window).count();
                prop_assert!(recent as u32 <= cap.max, "{recent} {channel:?} sends within {} h (cap {})", cap.window_hours, cap.max);
            }
        }
    }
    Ok(())
}

fn test_policy() -> Policy {
    let mut p = Policy::default_policy();
    p.holdout_percent = 0;
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn every_send_respects_consent_orders_quiet_hours_caps_and_ids(steps in world()) {
        let policy = test_policy();
        let run = simulate(&policy, &steps);
        check(&policy, &run)?;
    }

    #[test]
    fn the_same_inputs_always_give_the_same_outputs(steps in world()) {
        let policy = test_policy();
        let a = simulate(&policy, &steps);
        let b = simulate(&policy, &steps);
        prop_assert_eq!(a.decisions.len(), b.decisions.len());
        for (x, y) in a.decisions.iter().zip(&b.decisions) {
            prop_assert_eq!(&x.2, &y.2);
        }
    }

    #[test]
    fn a_repeated_event_changes_nothing(steps in world()) {
        let policy = test_policy();
        let run = simulate(&policy, &steps);
        for (now, value, decision, _) in &run.decisions {
            let again = decide(&policy, decision.state.clone(), &Event::from_value(value.clone()).unwrap(), *now);
            prop_assert!(again.actions.is_empty());
            prop_assert_eq!(&again.state, &decision.state);
        }
    }
}

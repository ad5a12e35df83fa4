//! The native measurement both benchmark binaries run, each under its own allocator:
//! decisions per second on a realistic mixed stream, measured the way hosts call the engine
//! (state and event arrive as JSON text and the new state leaves as JSON text), and the engine
//! alone on parsed inputs. Writes the stream to target/bench/stream.json so the wasm
//! benchmark replays the same one.

use chrono::{DateTime, Duration, Utc};
use rekindle::engine::decide;
use rekindle::model::event::Event;
use rekindle::model::state::State;
use rekindle::policy::Policy;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Instant;

const CONTACTS: usize = 2_000;

/// Each contact's life, with its own address and number: abandon, the first email
/// delivered/opened/clicked, sends coming due, and then an order or a STOP. Event kinds
/// follow the default playbook's journey (src/policy/PLAYBOOKS.md).
fn stream() -> Vec<(String, Value, i64)> {
    let base: DateTime<Utc> = "2026-11-27T15:00:00Z".parse().unwrap();
    let mut out = Vec::new();
    let policy = Policy::default_policy();
    for c in 0..CONTACTS {
        let contact = format!("contact-{c}");
        let at = base + Duration::seconds(c as i64 * 7);
        let token = format!("chk-{c}");
        let journey = rekindle::common::ids::journey_id(&contact, &token);
        let send = |step: &str, ch: &str| format!("{journey}.{step}.{ch}.0");
        let ev = |n: usize, at: DateTime<Utc>, body: Value| {
            let mut e = body;
            e["id"] = json!(format!("{contact}-{n}"));
            e["at"] = json!(at.to_rfc3339());
            (contact.clone(), e, at.timestamp_millis())
        };
        let m = |n: i64| at + Duration::minutes(n);
        out.push(ev(0, at, json!({ "type": "checkoutUpdated", "acceptsSms": true, "acceptsEmail": true,
            "cart": { "token": token, "stage": "checkout", "currency": "USD", "recoveryUrl": "https://shop.example/r",
                      "items": [{ "title": "Merino wool socks", "quantity": 2, "unitPrice": 1800, "category": "apparel" },
                                { "title": "Trail cap", "quantity": 1, "unitPrice": 2400 }] },
            "contact": { "email": format!("shopper{c}@example.com"), "phone": format!("+1512{:03}{:04}", 200 + c % 800, c), "firstName": "Ada",
                         "region": "US-TX", "timeZone": "America/Chicago" } })));
        out.push(ev(1, m(1), json!({ "type": "abandoned", "origin": "storefront",
            "cart": { "token": token, "stage": "checkout", "currency": "USD", "recoveryUrl": "https://shop.example/r",
                      "items": [{ "title": "Merino wool socks", "quantity": 2, "unitPrice": 1800 }] },
            "reasons": [{ "reason": "extraCost", "confidence": 0.8 }] })));
        out.push(ev(2, m(5), json!({ "type": "due", "actionId": send("email-1", "email") })));
        out.push(ev(3, m(6), json!({ "type": "delivered", "actionId": send("email-1", "email") })));
        out.push(ev(4, m(30), json!({ "type": "opened", "actionId": send("email-1", "email") })));
        if c % 3 == 0 {
            out.push(ev(5, m(32), json!({ "type": "clicked", "actionId": send("email-1", "email") })));
        }
        out.push(ev(6, m(17), json!({ "type": "due", "actionId": send("sms-1", "sms") })));
        let day = policy.playbook("default").unwrap().step("email-2").unwrap().delay_minutes as i64;
        out.push(ev(7, m(day), json!({ "type": "due", "actionId": send("email-2", "email") })));
        match c % 4 {
            0 => out.push(ev(8, m(day + 60), json!({ "type": "orderPlaced", "orderId": format!("{}", 820982911946154508u64 + c as u64),
                    "cartToken": token, "total": { "minor": 6000, "currency": "USD" } }))),
            1 => out.push(ev(8, m(day + 60), json!({ "type": "smsReceived", "body": "STOP" }))),
            _ => out.push(ev(8, m(1800), json!({ "type": "due", "actionId": send("sms-2", "sms") }))),
        }
    }
    // As a host meets them: contacts interleaved in time, not one contact's life at a time.
    out.sort_by_key(|(_, _, at)| *at);
    out
}

pub fn main(allocator: &str) {
    let policy = Policy::default_policy();
    let stream = stream();
    // Each contact's state lives in a slot, found before timing: a host keeps states in its
    // own store, and hashing contact ids here would be the harness's cost, not the engine's.
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    for (contact, _, _) in &stream {
        let next = slot_of.len();
        slot_of.entry(contact.as_str()).or_insert(next);
    }
    let texts: Vec<(&str, usize, String, i64)> =
        stream.iter().map(|(c, e, t)| (c.as_str(), slot_of[c.as_str()], e.to_string(), *t)).collect();
    std::fs::create_dir_all("target/bench").unwrap();
    std::fs::write("target/bench/stream.json", serde_json::to_string(&stream.iter().map(|(c, e, t)| json!([c, e, t])).collect::<Vec<_>>()).unwrap()).unwrap();

    let mut rounds = Vec::new();
    let mut last_states = Vec::new();
    for _ in 0..round_count() {
        let mut states: Vec<Option<String>> = vec![None; slot_of.len()];
        let started = Instant::now();
        for (contact, slot, event, now) in &texts {
            let state = match &states[*slot] {
                Some(text) => State::from_json(text).unwrap(),
                None => State::new(*contact),
            };
            let event = Event::from_json(event).unwrap();
            let now = DateTime::<Utc>::from_timestamp_millis(*now).unwrap();
            let decision = decide(&policy, state, &event, now);
            let output = serde_json::to_string(&(&decision.actions, &decision.explanation)).unwrap();
            std::hint::black_box(output);
            states[*slot] = Some(decision.state.to_json());
        }
        rounds.push(texts.len() as f64 / started.elapsed().as_secs_f64());
        last_states = states.into_iter().flatten().collect();
    }
    rounds.sort_by(f64::total_cmp);
    let median = rounds[rounds.len() / 2];

    // The engine alone, on parsed inputs: what the JSON boundary costs natively.
    let parsed: Vec<(&str, usize, Event, DateTime<Utc>)> = texts
        .iter()
        .map(|(c, slot, e, t)| (*c, *slot, Event::from_json(e).unwrap(), DateTime::<Utc>::from_timestamp_millis(*t).unwrap()))
        .collect();
    let mut pure = Vec::new();
    for _ in 0..round_count() {
        let mut states: Vec<Option<State>> = vec![None; slot_of.len()];
        let started = Instant::now();
        for (contact, slot, event, now) in &parsed {
            let state = states[*slot].take().unwrap_or_else(|| State::new(*contact));
            let decision = decide(&policy, state, event, *now);
            states[*slot] = Some(std::hint::black_box(decision).state);
        }
        pure.push(parsed.len() as f64 / started.elapsed().as_secs_f64());
    }
    pure.sort_by(f64::total_cmp);

    // Where the JSON path's time goes: one more pass, each stage timed on its own.
    let mut stages = [0f64; 5];
    let mut states: Vec<Option<String>> = vec![None; slot_of.len()];
    for (contact, slot, event, now) in &texts {
        let t0 = Instant::now();
        let state = match &states[*slot] {
            Some(text) => State::from_json(text).unwrap(),
            None => State::new(*contact),
        };
        let t1 = Instant::now();
        let event = Event::from_json(event).unwrap();
        let t2 = Instant::now();
        let decision = decide(&policy, state, &event, DateTime::<Utc>::from_timestamp_millis(*now).unwrap());
        let t3 = Instant::now();
        std::hint::black_box(serde_json::to_string(&(&decision.actions, &decision.explanation)).unwrap());
        let t4 = Instant::now();
        states[*slot] = Some(decision.state.to_json());
        let t5 = Instant::now();
        for (stage, (from, to)) in stages.iter_mut().zip([(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]) {
            *stage += (to - from).as_secs_f64();
        }
    }
    let total: f64 = stages.iter().sum();
    let names = ["parse state", "parse event", "decide", "write output", "write state"];
    let breakdown: Vec<String> = names
        .iter()
        .zip(stages)
        .map(|(name, t)| format!("{name} {:.2} µs ({:.0}%)", t / texts.len() as f64 * 1e6, 100.0 * t / total))
        .collect();

    let state_bytes: usize = last_states.iter().map(String::len).sum::<usize>() / last_states.len();
    let journey_bytes: usize = last_states
        .iter()
        .map(|s| State::from_json(s).unwrap())
        .flat_map(|s| s.journeys.into_iter().map(|j| serde_json::to_string(&j).unwrap().len()))
        .sum::<usize>()
        / last_states.len();
    println!("native decisions/s (JSON in and out, median of 7): {median:.0}");
    println!("native decisions/s (engine only, parsed inputs):   {:.0}", pure[pure.len() / 2]);
    println!("allocator: {allocator}");
    println!("JSON path per decision: {}", breakdown.join(", "));
    println!("stream: {} decisions over {CONTACTS} contacts", texts.len());
    println!("serialised state per contact (bytes, mean): {state_bytes}");
    println!("serialised journey (bytes, mean): {journey_bytes}");
    println!("JSON-BENCH {}", json!({ "allocator": allocator, "nativeDecisionsPerSec": median, "nativeEngineOnlyPerSec": pure[pure.len() / 2],
        "decisions": texts.len(), "stateBytes": state_bytes, "journeyBytes": journey_bytes }));
}

/// Rounds per measurement: 7, or BENCH_ROUNDS (1 under a profiler).
fn round_count() -> usize {
    std::env::var("BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(7)
}

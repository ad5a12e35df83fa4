//! The JS surface itself, under wasm-bindgen-test in Node: errors cross the boundary as
//! `RekindleError`s with a code and a path; decisions come back as plain objects.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

use js_sys::Reflect;
use rekindle::wasm::server::Engine;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test as test;

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

#[test]
fn a_bad_playbook_throws_a_rekindle_error_with_code_and_path() {
    let err = Engine::new(r#"{"version": 5}"#).err().expect("invalid policy throws");
    assert_eq!(field(&err, "name").as_string().as_deref(), Some("RekindleError"));
    assert_eq!(field(&err, "code").as_string().as_deref(), Some("INVALID_FIELD"));
    assert_eq!(field(&err, "path").as_string().as_deref(), Some("$.version"));
}

#[test]
fn a_malformed_event_throws_with_the_path_of_the_bad_field() {
    let engine = Engine::new(rekindle::policy::DEFAULT_POLICY).unwrap();
    let err = engine.decide("c-1", None, r#"{"id":"e1","at":"2026-11-27T15:00:00Z","type":"due","actionId":7}"#, 0.0).err().unwrap();
    assert_eq!(field(&err, "code").as_string().as_deref(), Some("INVALID_FIELD"));
    assert_eq!(field(&err, "path").as_string().as_deref(), Some("$.actionId"));
    let problems = js_sys::Array::from(&field(&err, "problems"));
    assert_eq!(problems.length(), 1);
}

#[test]
fn a_decision_is_the_state_string_and_the_output_as_json() {
    let engine = Engine::new(rekindle::policy::DEFAULT_POLICY).unwrap();
    let out = engine.decide("c-1", None, r#"{"id":"e1","at":"2026-11-27T15:00:00Z","type":"erase"}"#, 1.7e12).unwrap();
    assert!(out.get(0).as_string().unwrap().contains("\"schemaVersion\""));
    let output: serde_json::Value = serde_json::from_str(&out.get(1).as_string().unwrap()).unwrap();
    assert!(output["actions"].is_array());
    assert!(output["explanation"]["summary"].is_string());
}

#[test]
fn the_benchmarks_pricing_helper_decides_as_decide_does_and_leaves_out_only_what_it_is_told() {
    let events = [
        r#"{"id":"e1","at":"2026-11-27T15:00:00Z","type":"checkoutUpdated","acceptsEmail":true,"cart":{"token":"t","stage":"checkout","currency":"USD","recoveryUrl":"https://shop.example/r","items":[{"title":"Socks","quantity":2,"unitPrice":1800}]},"contact":{"email":"a@example.com","timeZone":"America/Chicago"}}"#,
        r#"{"id":"e2","at":"2026-11-27T15:06:00Z","type":"due","actionId":"x"}"#,
    ];
    let (shipped, priced) = (Engine::new(rekindle::policy::DEFAULT_POLICY).unwrap(), Engine::new(rekindle::policy::DEFAULT_POLICY).unwrap());
    let (mut state, mut ticket) = (None, None);
    for (i, event) in events.iter().enumerate() {
        let now = 1_795_791_600_000.0 + i as f64 * 360_000.0;
        let want = shipped.decide("c-1", state.take(), event, now).unwrap();
        let got = priced.decide_pricing("c-1", ticket, event, now, true, true).unwrap();
        assert_eq!(got.get(0).as_string(), want.get(0).as_string(), "the same state");
        assert_eq!(got.get(1).as_string(), want.get(1).as_string(), "the same output");
        state = want.get(0).as_string();
        ticket = got.get(2).as_f64().map(|t| t as u32);
    }
    let neither = priced.decide_pricing("c-1", ticket, r#"{"id":"e3","at":"2026-11-27T15:20:00Z","type":"erase"}"#, 1.8e12, false, false).unwrap();
    assert!(neither.get(0).is_undefined() && neither.get(1).is_undefined());
    let kept = neither.get(2).as_f64().unwrap() as u32;
    let output = priced.decide_pricing("c-1", Some(kept), r#"{"id":"e4","at":"2026-11-27T15:21:00Z","type":"erase"}"#, 1.8e12, false, true).unwrap();
    assert!(output.get(0).is_undefined() && output.get(1).as_string().unwrap().contains("\"explanation\""));
    assert!(priced.decide_pricing("c-1", Some(kept), r#"{"id":"e5","at":"2026-11-27T15:22:00Z","type":"erase"}"#, 1.8e12, true, true).is_err(), "a spent ticket is refused");
}

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

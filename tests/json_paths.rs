//! Every kind of serde error is reported at the JSON path of the offending field, with the
//! code that says whose fault it is. The paths here were first recorded with
//! `serde_path_to_error` (which tracked the path while deserializing); the engine now finds the
//! path from where serde_json stopped (`error::path_at`), so these cases pin that the two agree.

use rekindle::error::{from_value, parse_json};
use rekindle::model::event::Event;
use rekindle::model::state::State;
use rekindle::policy::Policy;
use rekindle::Code;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Shop {
    name: String,
    open: bool,
    #[serde(default)]
    staff: Vec<Person>,
    #[serde(default)]
    hours: Option<[u8; 2]>,
    #[serde(default)]
    tags: BTreeMap<String, u32>,
    #[serde(default)]
    kind: Option<Kind>,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    site: Option<Site>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Person {
    first_name: String,
    #[serde(default)]
    age: Option<u8>,
    #[serde(default)]
    phones: Vec<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Retail,
    Online { url: String },
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum Channel {
    Sms { number: String },
    Email { address: String },
}

/// A value checked after it is read (`try_from`): its error comes when the value is complete.
#[derive(Debug, Deserialize)]
#[serde(try_from = "String")]
struct Site(#[allow(dead_code)] String);

impl TryFrom<String> for Site {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.starts_with("https://") { Ok(Site(s)) } else { Err("not https".into()) }
    }
}

fn shop_error(text: &str) -> (Code, String) {
    let err = parse_json::<Shop>(text).unwrap_err();
    (err.code(), err.path().to_string())
}

/// Collects every case that differs, so one run shows them all.
fn check(wrong: &mut Vec<String>, text: &str, want: (Code, String)) {
    let got = shop_error(text);
    if got != want {
        wrong.push(format!("{text}\n    got {got:?}, want {want:?}"));
    }
}

fn none_wrong(wrong: Vec<String>) {
    assert!(wrong.is_empty(), "paths differ:\n{}", wrong.join("\n"));
}

fn field(path: &str) -> (Code, String) {
    (Code::InvalidField, path.to_string())
}

fn malformed(path: &str) -> (Code, String) {
    (Code::MalformedJson, path.to_string())
}

#[test]
fn a_wrong_type_is_reported_at_the_value() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": 5, "open": true}"#, field("$.name"));
    check(&mut wrong, r#"{"name": "a", "open": "yes"}"#, field("$.open"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A"}, {"firstName": ["B"]}]}"#, field("$.staff[1].firstName"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A", "phones": ["1", 2]}]}"#, field("$.staff[0].phones[1]"));
    check(&mut wrong, r#"{"name": {"x": 1}, "open": true}"#, field("$.name"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": {"firstName": "A"}}"#, field("$.staff"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": ["A"]}"#, field("$.staff[0]"));
    // A struct read from an array: its first field is the first element.
    check(&mut wrong, r#"[1, 2]"#, field("$[0]"));
    check(&mut wrong, r#"  "a shop"  "#, field("$"));
    none_wrong(wrong);
}

#[test]
fn a_value_out_of_range_is_reported_at_the_value() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A", "age": 300}]}"#, field("$.staff[0].age"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A", "age": -1}]}"#, field("$.staff[0].age"));
    check(&mut wrong, r#"{"name": "a", "open": true, "tags": {"x": 1, "y": 1.5}}"#, field("$.tags.y"));
    none_wrong(wrong);
}

#[test]
fn an_unknown_key_is_reported_at_the_key() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a", "opne": true}"#, field("$.opne"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A"}, {"firstName": "B", "agee": 3}]}"#, field("$.staff[1].agee"));
    // An escaped key is reported as it reads once unescaped.
    check(&mut wrong, r#"{"name": "a", "open": true, "n\u0061m": 1}"#, field("$.nam"));
    none_wrong(wrong);
}

#[test]
fn a_missing_field_is_reported_at_its_object() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a"}"#, field("$"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A"}, {"age": 3}]}"#, field("$.staff[1]"));
    none_wrong(wrong);
}

#[test]
fn a_wrong_length_is_reported_at_the_sequence() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a", "open": true, "hours": [8]}"#, field("$.hours"));
    // serde_json reads a third element of a pair as input after the array: malformed.
    check(&mut wrong, r#"{"name": "a", "open": true, "hours": [8, 9, 10]}"#, malformed("$.hours"));
    none_wrong(wrong);
}

#[test]
fn an_unknown_variant_is_reported_at_the_enum() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a", "open": true, "kind": "wholesale"}"#, field("$.kind"));
    check(&mut wrong, r#"{"name": "a", "open": true, "kind": {"online": {"url": 5}}}"#, field("$.kind.online.url"));
    // An internally tagged enum reads its tag first, then buffers the rest: an unknown tag is
    // reported at the tag, an error in the buffered fields at the enum.
    check(&mut wrong, r#"{"name": "a", "open": true, "channel": {"type": "fax", "number": "1"}}"#, field("$.channel.type"));
    check(&mut wrong, r#"{"name": "a", "open": true, "channel": {"type": "sms", "number": 1}}"#, field("$.channel"));
    none_wrong(wrong);
}

#[test]
fn a_value_refused_after_it_is_read_is_reported_at_the_value() {
    let mut wrong = Vec::new();
    // serde_json stamps such an error where the container stopped: after the `}` when the
    // value was the last one, before the `,` otherwise. Both are the value.
    check(&mut wrong, r#"{"name": "a", "open": true, "site": "http://x"}"#, field("$.site"));
    check(&mut wrong, r#"{"site": "http://x", "name": "a", "open": true}"#, field("$.site"));
    check(&mut wrong, r#"{"name": "a", "open": true, "channel": {"type": "sms", "number": 1}, "site": "https://x"}"#, field("$.channel"));
    // After a container and a `,`, the error may be the container's own or its last value's:
    // the container is reported, the one path that holds either way.
    check(&mut wrong, r#"{"name": "a", "open": true, "kind": {"online": {"url": "x"}}, "site": "http://x"}"#, field("$.site"));
    none_wrong(wrong);
}

#[test]
fn malformed_json_is_reported_where_the_parser_stopped() {
    let mut wrong = Vec::new();
    check(&mut wrong, r#"{"name": "a", "open": tru}"#, malformed("$.open"));
    // Where a key was expected, the path is the object's (serde_path_to_error appended `.?`).
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A" "age": 3}]}"#, malformed("$.staff[0]"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A"}, ]}"#, malformed("$.staff"));
    check(&mut wrong, r#"{"name": "a", "open": true, "staff": [{"firstName": "A"}"#, malformed("$.staff"));
    check(&mut wrong, r#"{"name": "a", "#, malformed("$"));
    check(&mut wrong, r#"{"name": "unterminated"#, malformed("$.name"));
    check(&mut wrong, "", malformed("$"));
    // A complete value with more after it: the value is fine, the input is not.
    check(&mut wrong, r#"{"name": "a", "open": true} trailing"#, field("$"));
    none_wrong(wrong);
}

#[test]
fn multi_line_input_is_located_by_line_and_column() {
    let mut wrong = Vec::new();
    let text = "{\n  \"name\": \"a\",\n  \"open\": true,\n  \"staff\": [\n    {\"firstName\": \"é\", \"age\": \"x\"}\n  ]\n}";
    check(&mut wrong, text, field("$.staff[0].age"));
    none_wrong(wrong);
}

#[test]
fn a_parsed_tree_reports_the_same_paths() {
    let err = from_value::<Shop>(json!({"name": "a", "open": true, "staff": [{"firstName": "A"}, {"firstName": 2}]})).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.staff[1].firstName"));
    let err = from_value::<Shop>(json!({"name": "a", "open": true, "zzz": 1})).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.zzz"));
    assert!(!err.problems[0].message.contains("line"), "a tree has no lines: {}", err.problems[0].message);
}

#[test]
fn the_engine_inputs_report_their_paths() {
    let mut p: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    p["playbooks"][0]["steps"][1]["channel"] = json!("pigeon");
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.playbooks[0].steps[1].channel"));

    let event = json!({"id": "e1", "at": "2026-11-27T15:00:00Z", "type": "checkoutUpdated",
        "cart": {"token": "c1", "stage": "checkout", "currency": "USD", "recoveryUrl": "https://x",
                 "items": [{"title": "Socks", "quantity": 1, "unitPrice": 1800, "colour": "red"}]}});
    let err = Event::from_json(&event.to_string()).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.cart.items[0].colour"));

    // Stored state of an older schema goes through the tree, and keeps its paths.
    let v1 = json!({"contact": {"id": "c-1", "tz": "Europe/Paris"}, "journeys": [{"id": 7}]});
    let err = State::from_json(&v1.to_string()).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.journeys[0].id"));
}

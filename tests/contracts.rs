//! Broken contracts are errors with a stable code and the path of the bad field; anything
//! else is data. No input, however malformed, makes the engine panic.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rekindle::model::event::Event;
use rekindle::model::state::{State, SCHEMA_VERSION};
use rekindle::policy::Policy;
use rekindle::Code;
use serde_json::json;

#[test]
fn the_shipped_default_playbook_is_valid() {
    let p = Policy::from_json(rekindle::policy::DEFAULT_POLICY).unwrap();
    let names: Vec<_> = p.playbooks.iter().map(|pb| pb.name.as_str()).collect();
    assert_eq!(names, ["persistent", "light", "default"]);
    assert_eq!(p.playbook("default").unwrap().steps.len(), 5);
}

#[test]
fn an_invalid_playbook_reports_every_problem_with_its_path() {
    let mut p: serde_json::Value =
        serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    p["playbooks"][2]["steps"][1]["key"] = json!("email-1");
    p["holdoutPercent"] = json!(120);
    p["storeTimeZone"] = json!("Mars/Olympus_Mons");
    p["caps"][0]["max"] = json!(0);
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    let paths: Vec<_> = err
        .problems
        .iter()
        .map(|p| (p.code, p.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            (Code::InvalidPolicy, "$.playbooks[2].steps[1].key"),
            (Code::InvalidPolicy, "$.caps[0].max"),
            (Code::InvalidPolicy, "$.holdoutPercent"),
            (Code::InvalidPolicy, "$.storeTimeZone"),
        ]
    );
}

#[test]
fn a_mistyped_playbook_field_is_reported_at_its_path() {
    let err = Policy::from_json(r#"{"version": 5}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.version"));
    let mut p: serde_json::Value =
        serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    p["playbooks"][0]["steps"][2]["delayMinutes"] = json!("soon");
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (Code::InvalidField, "$.playbooks[0].steps[2].delayMinutes")
    );
    p["playbooks"][0]["steps"][2]["delayMinutes"] = json!(5);
    p["playbooks"][0]["steps"][2]["dealyMinutes"] = json!(5);
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    assert_eq!(
        err.code(),
        Code::InvalidField,
        "a typo is an error, not a silent default"
    );
}

#[test]
fn a_mistyped_event_field_is_reported_at_its_path() {
    let bad = json!({ "id": "e1", "at": "2026-11-27T15:00:00Z", "type": "abandoned", "origin": "storefront",
        "cart": { "token": "c1", "stage": "checkout", "currency": "USD", "recoveryUrl": "https://x",
                  "items": [{ "title": "Socks", "quantity": 1, "unitPrice": "18.00" }] } });
    let err = Event::from_json(&bad.to_string()).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (Code::InvalidField, "$.cart.items[0].unitPrice")
    );
}

#[test]
fn an_unknown_event_type_is_its_own_error() {
    let err = Event::from_json(r#"{"id":"e1","at":"2026-11-27T15:00:00Z","type":"teleported"}"#)
        .unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::UnknownEventType, "$.type"));
}

#[test]
fn malformed_json_and_bad_timestamps_are_distinguished() {
    assert_eq!(
        Event::from_json("{\"id\": ").unwrap_err().code(),
        Code::MalformedJson
    );
    let err = Event::from_json(r#"{"id":"e1","at":"yesterday","type":"erase"}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidTimestamp, "$.at"));
    let err = Event::from_json(r#"{"at":"2026-11-27T15:00:00Z","type":"erase"}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.id"));
}

#[test]
fn shopify_order_ids_above_2_pow_53_survive_exactly() {
    let e = Event::from_json(
        r#"{"id":"w1","at":"2026-11-27T15:00:00Z","type":"orderPlaced","orderId":"9007199254740993","total":{"minor":1,"currency":"USD"}}"#,
    )
    .unwrap();
    assert!(serde_json::to_string(&e)
        .unwrap()
        .contains("9007199254740993"));
}

#[test]
fn state_written_under_schema_1_migrates_to_the_current_schema() {
    let v1 = json!({ "contact": { "id": "c-1", "tz": "Europe/Paris" }, "journeys": [] });
    let state = State::from_json(&v1.to_string()).unwrap();
    assert_eq!(state.schema_version, SCHEMA_VERSION);
    assert_eq!(state.contact.time_zone.as_deref(), Some("Europe/Paris"));
    let again = State::from_json(&state.to_json()).unwrap();
    assert_eq!(again, state, "the current schema round-trips unchanged");
}

#[test]
fn state_from_a_newer_engine_is_refused_not_misread() {
    let future = json!({ "schemaVersion": SCHEMA_VERSION + 1, "contact": { "id": "c-1" } });
    let err = State::from_json(&future.to_string()).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (Code::UnsupportedSchemaVersion, "$.schemaVersion")
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-zA-Z0-9:+-]{0,12}".prop_map(serde_json::Value::from),
            prop_oneof![
                Just("abandoned"),
                Just("due"),
                Just("orderPlaced"),
                Just("checkout"),
                Just("sms"),
                Just("2026-11-27T15:00:00Z")
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("id".to_string()),
                        Just("at".to_string()),
                        Just("type".to_string()),
                        Just("cart".to_string()),
                        Just("items".to_string()),
                        Just("steps".to_string()),
                        Just("contact".to_string()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_text_makes_the_json_entry_points_panic(text in ".{0,200}") {
            let _ = Event::from_json(&text);
            let _ = Policy::from_json(&text);
            let _ = State::from_json(&text);
        }

        #[test]
        fn no_json_value_makes_the_json_entry_points_panic(value in arbitrary_json()) {
            let text = value.to_string();
            let _ = Event::from_json(&text);
            let _ = Policy::from_json(&text);
            let _ = State::from_json(&text);
        }
    }
}

#[test]
fn state_written_under_schema_2_migrates_instants_and_event_ids() {
    let v2 = json!({
        "schemaVersion": 2,
        "contact": { "id": "c-1", "seen": ["evt-1"],
                     "consent": { "email": [{ "status": "granted", "source": "checkout", "at": "2026-11-27T15:00:00Z" }] },
                     "sent": [{ "actionId": "a", "channel": "email", "at": "2026-11-27T15:05:00Z" }] },
        "journeys": [{ "id": "j", "status": "active", "policyVersion": "v", "playbook": "default",
                       "abandonedAt": "2026-11-27T15:00:00Z", "cartUpdatedAt": "2026-11-27T15:00:00Z",
                       "cart": { "token": "c1", "stage": "cart", "currency": "USD", "items": [], "recoveryUrl": "https://x" },
                       "sends": [{ "id": "a", "step": "email-1", "channel": "email", "dueAt": "2026-11-27T15:05:00Z", "status": "sent" }] }]
    });
    let state = State::from_json(&v2.to_string()).unwrap();
    assert_eq!(state.schema_version, 3);
    assert_eq!(state.journeys[0].sends[0].due_at.to_rfc3339(), "2026-11-27T15:05:00+00:00");
    assert_eq!(state.contact.consent.email[0].at.to_rfc3339(), "2026-11-27T15:00:00+00:00");
    let mut contact = state.contact.clone();
    assert!(!contact.first_sighting("evt-1"), "an event seen under schema 2 is still a repeat");
    assert!(state.to_json().contains("\"dueAt\":1795791900000"), "{}", state.to_json());
}

#[test]
fn unknown_shipping_and_tax_are_left_out_of_the_state_and_still_read_when_written_out() {
    let cart = |extra: serde_json::Value| {
        let mut cart = json!({ "token": "c1", "stage": "checkout", "currency": "USD", "items": [], "recoveryUrl": "https://x" });
        cart.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({ "schemaVersion": SCHEMA_VERSION, "contact": { "id": "c-1" },
                "journeys": [{ "id": "j", "status": "active", "policyVersion": "v", "playbook": "default",
                               "abandonedAt": 1795791600000u64, "cartUpdatedAt": 1795791600000u64, "cart": cart }] })
    };
    let spelled_out = State::from_json(&cart(json!({ "shipping": { "state": "unknown" }, "tax": { "state": "unknown" } })).to_string()).unwrap();
    let left_out = State::from_json(&cart(json!({})).to_string()).unwrap();
    assert_eq!(spelled_out, left_out);
    assert!(!left_out.to_json().contains("shipping"), "{}", left_out.to_json());
    let known = State::from_json(&cart(json!({ "shipping": { "state": "known", "minor": 500 } })).to_string()).unwrap();
    assert!(known.to_json().contains(r#""shipping":{"state":"known","minor":500}"#), "{}", known.to_json());
}

#[test]
fn event_fingerprints_survive_a_javascript_json_round_trip() {
    let mut state = State::new("c-1");
    for i in 0..64 {
        state.contact.first_sighting(&format!("evt-{i}"));
    }
    // JSON.parse reads numbers as doubles: every fingerprint must be exact below 2^53.
    assert!(state.contact.seen.iter().all(|f| *f < 1 << 53));
    // A state stored before the mask (all 64 bits) still recognises its events.
    let full = rekindle::common::ids::fnv1a64("evt-old");
    assert!(full >= 1 << 53, "the vector needs a hash above 2^53");
    let old = json!({ "schemaVersion": 3, "contact": { "id": "c-1", "seen": [full] }, "journeys": [] });
    let mut contact = State::from_json(&old.to_string()).unwrap().contact;
    assert!(!contact.first_sighting("evt-old"), "a repeat across the upgrade is still a repeat");
}

#[test]
fn events_read_from_text_equal_events_read_from_a_json_tree() {
    // Event::from_json slices the envelope out of the text and parses the payload directly;
    // from_value is the tree path every failure falls back to. Both must read the same event.
    let cart = json!({ "token": "t", "stage": "checkout", "currency": "USD", "recoveryUrl": "https://shop.example/r",
                       "items": [{ "title": "Socks \"wool\" é", "quantity": 2, "unitPrice": 1800, "category": "apparel" }] });
    let events = [
        json!({ "type": "checkoutUpdated", "acceptsSms": true, "cart": cart, "contact": { "email": "a@example.com", "timeZone": "America/Chicago" } }),
        json!({ "type": "abandoned", "origin": "storefront", "cart": cart, "reasons": [{ "reason": "extraCost", "confidence": 0.8 }] }),
        json!({ "type": "orderPlaced", "orderId": "820982911946154508", "cartToken": "t", "total": { "minor": 6000, "currency": "USD" } }),
        json!({ "type": "due", "actionId": "j_1.email-1.email.0" }),
        json!({ "type": "smsReceived", "body": "STOP" }),
        json!({ "type": "unsubscribed" }),
        json!({ "type": "erase" }),
    ];
    for (i, body) in events.into_iter().enumerate() {
        let mut event = body;
        event["id"] = json!(format!("e-{i}"));
        event["at"] = json!("2026-11-27T15:00:00Z");
        let text = event.to_string();
        assert_eq!(Event::from_json(&text).unwrap(), Event::from_value(event).unwrap(), "{text}");
    }
    // What the direct path gives way on still reads as before: a duplicate key (the last wins)
    // and an escaped key.
    let duplicate = r#"{"id":"d","at":"2026-11-27T15:00:00Z","type":"due","actionId":"x","actionId":"y"}"#;
    let escaped = r#"{"id":"d","at":"2026-11-27T15:00:00Z","type":"due","action\u0049d":"y"}"#;
    for text in [duplicate, escaped] {
        let event = Event::from_json(text).unwrap();
        assert_eq!(event, Event::from_value(serde_json::from_str(text).unwrap()).unwrap());
        assert!(format!("{event:?}").contains("\"y\""), "{event:?}");
    }
}

#[test]
fn the_public_base_url_must_be_https_or_loopback_and_header_safe() {
    let mut p: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    for bad in ["http://shop.example", "https://shop.example/u>\r\nBcc: x", "ftp://x", "https://", "http://127.0.0.1.evil.example"] {
        p["publicBaseUrl"] = json!(bad);
        let err = Policy::from_json(&p.to_string()).unwrap_err();
        assert_eq!(err.path(), "$.publicBaseUrl", "{bad}");
    }
    for good in ["https://hooks.shop.example/rekindle", "http://127.0.0.1:8787", "http://localhost"] {
        p["publicBaseUrl"] = json!(good);
        assert!(Policy::from_json(&p.to_string()).is_ok(), "{good}");
    }
}

#[test]
fn the_default_policy_names_no_public_base_url_and_links_then_go_nowhere_rather_than_to_loopback() {
    let p: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    assert!(p.get("publicBaseUrl").is_none(), "the server sets it from its publicUrl");
    assert_eq!(Policy::from_json(rekindle::policy::DEFAULT_POLICY).unwrap().public_base_url, "https://rekindle.invalid");
}

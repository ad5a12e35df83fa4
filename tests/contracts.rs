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
fn every_event_kind_reads_back_what_it_writes() {
    // Events are read by `common::reader`, their JSON written by the derived `Serialize`: every
    // kind, every optional field and every enum name written must read back to the same event.
    use rekindle::common::cart::{Cart, LineItem, Stage};
    use rekindle::common::channel::Channel;
    use rekindle::common::money::{Known, Money};
    use rekindle::compliance::consent::{ConsentSource, ConsentStatus};
    use rekindle::compliance::keywords::Keyword;
    use rekindle::model::event::*;
    let at = "2026-11-27T15:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let item = |image: Option<&str>| LineItem {
        title: "Socks \"wool\" é".into(),
        variant: Some("M".into()),
        quantity: 2,
        unit_price: -1800,
        category: Some("apparel".into()),
        unit_cost: Some(600),
        product_id: Some("p-1".into()),
        image_url: image.map(str::to_string),
    };
    let carts: Vec<Cart> = Stage::NAMES
        .iter()
        .zip([Known::Unknown, Known::Known(500), Known::Known(0)])
        .map(|(&(_, stage), known)| Cart {
            token: "t".into(),
            stage,
            currency: "EUR".into(),
            shop_currency: Some("USD".into()),
            shop_subtotal: Some(3900),
            items: vec![item(Some("https://cdn.example/a.png")), item(None)],
            shipping: known,
            tax: Known::Known(7),
            recovery_url: "https://shop.example/r".into(),
            delivery_estimate: Some("2 days".into()),
        })
        .collect();
    let contact = ContactDetails {
        email: Some("a@example.com".into()),
        phone: Some("+15555550100".into()),
        first_name: Some("Ana".into()),
        time_zone: Some("America/Chicago".into()),
        region: Some("US-IL".into()),
        locale: Some("en-US".into()),
        returning: Some(true),
        mobile: Some(false),
    };
    let mut bodies = vec![
        EventBody::OrderPlaced(OrderPlaced { order_id: "9007199254740993".into(), cart_token: Some("t".into()), total: Money::new(6000, "USD") }),
        EventBody::OrderCancelled(OrderRef { order_id: "1".into() }),
        EventBody::OrderRefunded(OrderRef { order_id: "2".into() }),
        EventBody::OrderEdited(OrderRef { order_id: "3".into() }),
        EventBody::OperatorPaused(OperatorPause { journey_id: Some("j".into()), until: Some(at) }),
        EventBody::OperatorPaused(OperatorPause { journey_id: None, until: None }),
        EventBody::OperatorResumed(OperatorResume { journey_id: Some("j".into()) }),
        EventBody::Due(ActionRef { action_id: "a".into() }),
        EventBody::Delivered(ActionRef { action_id: "a".into() }),
        EventBody::Opened(ActionRef { action_id: "a".into() }),
        EventBody::Clicked(ActionRef { action_id: "a".into() }),
        EventBody::Complained(ActionRef { action_id: "a".into() }),
        EventBody::Bounced(Bounce { action_id: "a".into(), permanent: true }),
        EventBody::SendFailed(SendFailure { action_id: "a".into(), permanent: false, code: "21610".into() }),
        EventBody::SmsReceived(InboundSms { body: "STOP".into(), provider_keyword: None }),
        EventBody::Unsubscribed(Unsubscribe { channel: None }),
        EventBody::PreferencesChanged(PreferenceChange { email: Some(false), sms: Some(true), frequency: None, paused_until: Some(at) }),
        EventBody::Erase,
        EventBody::Export,
    ];
    for (i, cart) in carts.into_iter().enumerate() {
        let reasons = Reason::NAMES.iter().map(|&(_, reason)| ReasonSignal { reason, confidence: 0.25 * i as f32 }).collect();
        let origin = Origin::NAMES[i % Origin::NAMES.len()].1;
        bodies.push(EventBody::Abandoned(Abandoned { origin, cart: cart.clone(), contact: contact.clone(), reasons }));
        bodies.push(EventBody::CheckoutUpdated(CheckoutUpdated { cart, contact: ContactDetails::default(), accepts_sms: Some(i == 0), accepts_email: None }));
    }
    bodies.extend(Origin::NAMES.iter().map(|&(_, origin)| {
        let cart = Cart { token: "t".into(), stage: Stage::Cart, currency: "USD".into(), shop_currency: None, shop_subtotal: None, items: vec![],
            shipping: Known::Unknown, tax: Known::Unknown, recovery_url: "https://x".into(), delivery_estimate: None };
        EventBody::Abandoned(Abandoned { origin, cart, contact: ContactDetails::default(), reasons: vec![] })
    }));
    for &(_, status) in TicketStatus::NAMES {
        for &(_, kind) in SupportKind::NAMES {
            bodies.push(EventBody::SupportTicket(SupportTicket { ticket_id: "t-1".into(), status, kind, reason: Some("late".into()), until: Some(at) }));
        }
    }
    bodies.extend(Keyword::NAMES.iter().map(|&(_, k)| EventBody::SmsReceived(InboundSms { body: "x".into(), provider_keyword: Some(k) })));
    bodies.extend(Frequency::NAMES.iter().map(|&(_, f)| EventBody::PreferencesChanged(PreferenceChange { email: None, sms: None, frequency: Some(f), paused_until: None })));
    for &(_, channel) in Channel::NAMES {
        bodies.push(EventBody::Unsubscribed(Unsubscribe { channel: Some(channel) }));
        for &(_, status) in ConsentStatus::NAMES {
            for &(_, source) in ConsentSource::NAMES {
                bodies.push(EventBody::ConsentChanged(ConsentChange { channel, status, source, text_version: Some("v2".into()), evidence: Some("box".into()) }));
            }
        }
    }
    let mut kinds = std::collections::BTreeSet::new();
    for (i, body) in bodies.into_iter().enumerate() {
        kinds.insert(body.kind());
        let event = Event { id: format!("e-{i}"), at, body };
        let text = serde_json::to_string(&event).unwrap();
        assert_eq!(Event::from_json(&text).unwrap(), event, "{text}");
    }
    assert_eq!(kinds.len(), 22, "every kind: {kinds:?}");
}

#[test]
fn event_payloads_refuse_unknown_fields_wrong_types_and_missing_fields_at_their_paths() {
    let event = |body: serde_json::Value| {
        let mut e = body;
        e["id"] = json!("e1");
        e["at"] = json!("2026-11-27T15:00:00Z");
        Event::from_json(&e.to_string()).map_err(|e| (e.code(), e.path().to_string()))
    };
    let cart = json!({ "token": "t", "stage": "cart", "currency": "USD", "recoveryUrl": "https://x", "items": [] });
    let field = |path: &str| Err((Code::InvalidField, path.to_string()));
    assert_eq!(event(json!({ "type": "erase", "reason": "x" })).map(|_| ()), field("$.reason"));
    // A missing field is reported at its object's path, as serde's derive reported it.
    assert_eq!(event(json!({ "type": "due" })).map(|_| ()), field("$"));
    assert_eq!(event(json!({ "type": "due", "actionId": 7 })).map(|_| ()), field("$.actionId"));
    assert_eq!(event(json!({ "type": "bounced", "actionId": "a", "permanent": "yes" })).map(|_| ()), field("$.permanent"));
    assert_eq!(event(json!({ "type": "abandoned", "origin": "moon", "cart": cart })).map(|_| ()), field("$.origin"));
    assert_eq!(event(json!({ "type": "abandoned", "origin": "storefront", "cart": cart, "contact": { "mail": "a" } })).map(|_| ()), field("$.contact.mail"));
    assert_eq!(event(json!({ "type": "abandoned", "origin": "storefront", "cart": cart, "reasons": [{ "reason": "trust" }] })).map(|_| ()), field("$.reasons[0]"));
    let mut bad = cart.clone();
    bad["shipping"] = json!({ "state": "known" });
    assert_eq!(event(json!({ "type": "checkoutUpdated", "cart": bad })).map(|_| ()), field("$.cart.shipping"));
    bad["shipping"] = json!({ "state": "known", "minor": 1.5 });
    assert_eq!(event(json!({ "type": "checkoutUpdated", "cart": bad })).map(|_| ()), field("$.cart.shipping.minor"));
    bad["shipping"] = json!(null);
    bad["items"] = json!([{ "title": "Socks", "quantity": -1, "unitPrice": 1 }]);
    assert_eq!(event(json!({ "type": "checkoutUpdated", "cart": bad })).map(|_| ()), field("$.cart.items[0].quantity"));
    assert_eq!(event(json!({ "type": "orderPlaced", "orderId": "1", "total": { "minor": 1 } })).map(|_| ()), field("$.total"));
    assert_eq!(event(json!({ "type": "supportTicket", "ticketId": "t", "status": "open", "until": "soon" })).map(|_| ()), field("$.until"));
    assert_eq!(event(json!({ "type": "consentChanged", "channel": "pigeon", "status": "granted", "source": "import" })).map(|_| ()), field("$.channel"));
    assert_eq!(event(json!({ "type": "checkoutUpdated", "cart": [] })).map(|_| ()), field("$.cart"));
    assert_eq!(event(json!({ "type": "teleported" })).map(|_| ()), Err((Code::UnknownEventType, "$.type".to_string())));
    // `null` reads as absent, as serde's optional fields did.
    assert!(event(json!({ "type": "unsubscribed", "channel": null })).is_ok());
}

#[test]
fn stored_state_with_every_field_set_reads_back_unchanged() {
    // State is read by `common::reader`, written by the derived `Serialize`: every field and
    // every enum name written must read back, and a field the reader does not know is refused.
    use rekindle::common::cart::{Cart, LineItem, Stage};
    use rekindle::common::channel::Channel;
    use rekindle::common::money::Known;
    use rekindle::compliance::consent::{ConsentEntry, ConsentLedger, ConsentSource, ConsentStatus};
    use rekindle::model::contact::*;
    use rekindle::model::event::{Frequency, Reason, ReasonSignal, SupportKind};
    use rekindle::model::journey::*;
    use rekindle::model::offer::Offer;
    use rekindle::policy::{Angle, IncentiveKind};
    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(1_764_255_600_000 + ms).unwrap();
    let entry = |(status, source): (ConsentStatus, ConsentSource)| ConsentEntry {
        status, source, at: at(1), text_version: Some("v1".into()), evidence_hash: Some("ab".into()), jurisdiction: Some("US-CA".into()),
    };
    let pairs = || ConsentStatus::NAMES.iter().zip(ConsentSource::NAMES.iter().cycle()).map(|(a, b)| (a.1, b.1));
    let mut contact = Contact {
        email: Some("a@example.com".into()), phone: Some("+15555550100".into()), first_name: Some("Ana".into()),
        time_zone: Some("Europe/Paris".into()), region: Some("FR".into()), locale: Some("fr-FR".into()), returning: true, mobile: true,
        consent: ConsentLedger { email: pairs().map(entry).collect(), sms: ConsentSource::NAMES.iter().map(|s| entry((ConsentStatus::Granted, s.1))).collect() },
        suppressed: vec![Channel::Sms, Channel::Email],
        sent: Channel::NAMES.iter().map(|c| SentRecord { action_id: "a".into(), channel: c.1, at: at(2) }).collect(),
        stats: Stats { messages: 5, opens: 2, clicks: 1, orders: 1, last_order_id: Some("o".into()), last_incentive_at: Some(at(3)), abandons_after_incentive: 4 },
        preferences: Preferences { frequency: Frequency::Fewer, paused_until: Some(at(4)) },
        sms_opt_out_unclear_since: Some(at(5)), support_hold_until: Some(at(6)),
        open_tickets: SupportKind::NAMES.iter().map(|k| OpenTicket { id: "t".into(), kind: k.1, reason: Some("late".into()), until: Some(at(7)) }).collect(),
        operator_pause: Some(Hold { since: at(8), until: Some(at(9)) }), erased: true,
        sms_confirmation: Some(SmsConfirmation { id: "c".into(), to: "+15555550100".into(), at: at(10), settled: true }),
        forget_at: Some(at(11)), housekeeping_at: Some(at(12)), last_seen_at: Some(at(13)),
        ..Contact::new("c-1")
    };
    assert!(contact.first_sighting("evt-1"));
    let cart = Cart { token: "t".into(), stage: Stage::Checkout, currency: "EUR".into(), shop_currency: Some("USD".into()), shop_subtotal: Some(10),
        items: vec![LineItem { title: "Socks".into(), variant: None, quantity: 1, unit_price: 900, category: None, unit_cost: Some(1), product_id: None, image_url: None }],
        shipping: Known::Known(0), tax: Known::Unknown, recovery_url: "https://x".into(), delivery_estimate: None };
    let send = |i: usize| PlannedSend {
        id: format!("s-{i}"), step: "email-1".into(), channel: Channel::NAMES[i % 2].1, due_at: at(20), status: SendStatus::NAMES[i % 5].1,
        attempt: 2, angle: Some(Angle::NAMES[i].1), variant: Some("b".into()), delivered: true, opened: true, clicked: true, held_from: Some(at(21)),
    };
    let journeys: Vec<Journey> = JourneyStatus::NAMES.iter().enumerate().map(|(i, status)| Journey {
        id: format!("j-{i}"), status: status.1, policy_version: "v".into(), playbook: "default".into(), abandoned_at: at(30), cart: cart.clone(),
        reasons: vec![ReasonSignal { reason: Reason::Trust, confidence: 0.5 }], holdout: true, left_alone: true,
        sends: (0..Angle::NAMES.len()).map(send).collect(),
        incentive: Some(Offer { kind: IncentiveKind::NAMES[i].1, percent: 10, coupon_request_id: "r".into(), expires_at: Some(at(31)) }),
        order_id: Some("o".into()), recovered_minor: Some(-5), order_outcome: OrderOutcome::NAMES.get(i).map(|o| o.1), cart_updated_at: at(32),
        awaiting_platform: true, email: Some("b@example.com".into()), phone: None, paused: Some(Hold { since: at(33), until: None }),
    }).collect();
    let state = State { schema_version: SCHEMA_VERSION, contact, journeys };
    let text = state.to_json();
    assert_eq!(State::from_json(&text).unwrap(), state, "{text}");
    // A field the reader does not know is refused at its path, as the derive refused it.
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["journeys"][1]["sends"][0]["colour"] = json!("red");
    let err = State::from_json(&value.to_string()).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$.journeys[1].sends[0].colour"));
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

/// The playbook is read from its JSON tree (src/policy/read.rs), with the contract its derived
/// deserializers had: the field's path for a wrong type or an unknown field, the object's for a
/// missing one, a send window's own path for times that do not parse, `null` as absent.
#[test]
fn a_playbook_read_from_its_tree_keeps_the_derives_paths() {
    let default: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    let at = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut p = default.clone();
        edit(&mut p);
        let err = Policy::from_json(&p.to_string()).unwrap_err();
        (err.code(), err.path().to_string())
    };
    let field = |path: &str| (Code::InvalidField, path.to_string());
    assert_eq!(at(&|p| {
        p["playbooks"][1]["steps"][0].as_object_mut().unwrap().remove("template");
    }), field("$.playbooks[1].steps[0]"));
    assert_eq!(at(&|p| {
        p.as_object_mut().unwrap().remove("version");
    }), field("$"));
    assert_eq!(at(&|p| p["brand"] = json!({ "colour": "#000000" })), field("$.brand.colour"));
    assert_eq!(at(&|p| p["facts"] = json!({ "deliveryDays": { "min": 2, "max": 300 } })), field("$.facts.deliveryDays.max"));
    assert_eq!(at(&|p| p["retention"] = json!({ "days": 30, "regions": { "FR": "long" } })), field("$.retention.regions.FR"));
    assert_eq!(at(&|p| p["templates"] = json!({ "reminder": { "fr": { "subject": 5 } } })), field("$.templates.reminder.fr.subject"));
    assert_eq!(at(&|p| p["jurisdictions"] = json!(["US", 7])), field("$.jurisdictions[1]"));
    assert_eq!(at(&|p| p["smsKeywordReplies"] = json!("nobody")), field("$.smsKeywordReplies"));
    assert_eq!(
        at(&|p| p["sendWindows"] = json!([{ "channel": "sms", "start": "09:00", "end": "21:00" }, { "channel": "sms", "start": "25:00", "end": "06:00" }])),
        field("$.sendWindows[1]")
    );

    let mut p = default.clone();
    p["storeName"] = json!(null);
    p["sendWindows"] = json!([{ "channel": "sms", "start": "22:00", "end": "06:00" }]);
    p["retention"] = json!({ "days": 30, "regions": { "FR": 90 } });
    let policy = Policy::from_json(&p.to_string()).unwrap();
    assert_eq!((policy.store_name, policy.pilot_percent, policy.sms_segment_limit, policy.support_pause_hours), (None, 100, 2, 72));
    assert_eq!((policy.send_windows[0].window.start, policy.send_windows[0].window.end), (22 * 60, 6 * 60));
    assert_eq!(policy.retention.days_for(Some("FR")), 90);
}

//! Provider payloads → engine events, against the platforms' own sample payloads in
//! tests/fixtures/vectors (see its README for provenance), then through the engine.

use chrono::{DateTime, Utc};
use rekindle::engine::decide;
use rekindle::error::Code;
use rekindle::ingest::{self, beacon, sendgrid, shopify, twilio, KeyKind};
use rekindle::model::action::Action;
use rekindle::model::event::{Event, EventBody};
use rekindle::model::state::State;
use rekindle::policy::Policy;
use std::path::PathBuf;

const SALT: &str = "test-salt";

fn vector(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vectors")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T15:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Round-trips through JSON exactly as the shim does (wasm output → `decide` input).
fn as_engine_input(event: &Event) -> Event {
    Event::from_json(&serde_json::to_string(event).unwrap()).unwrap()
}

#[test]
fn shopify_checkout_sample_becomes_a_checkout_update_keyed_by_token() {
    let out = shopify::normalise(
        "checkouts/create",
        "w-1",
        &vector("shopify/checkouts_create.json"),
        SALT,
        now(),
    )
    .unwrap();
    assert_eq!(out.routed.len(), 1);
    let routed = &out.routed[0];
    // The sample's customer id is above 2^53: read exactly, hashed, never rounded.
    assert_eq!(
        routed.contact_id.as_deref(),
        Some(ingest::contact_id(SALT, KeyKind::Customer, "603851970716743426").as_str())
    );
    assert_eq!(
        routed.lookup[0],
        ingest::key(SALT, KeyKind::Token, "123123123")
    );
    assert!(routed.links.contains(&ingest::key(
        SALT,
        KeyKind::Token,
        "eeafa272cebfd4b22385bc4b645e762c"
    )));
    assert!(routed
        .links
        .contains(&ingest::key(SALT, KeyKind::Email, "example@email.com")));
    let json = serde_json::to_string(&routed).unwrap();
    assert!(
        !json.contains("603851970716743426"),
        "no raw customer id in keys"
    );
    let event = as_engine_input(&routed.events[0]);
    assert_eq!(event.id, "shopify:w-1");
    let EventBody::CheckoutUpdated(c) = &event.body else {
        panic!("{event:?}")
    };
    assert_eq!(c.cart.token, "123123123");
    assert_eq!(c.cart.items.len(), 2);
    assert_eq!(c.cart.subtotal().minor, 39800);
    assert_eq!(
        c.cart.recovery_url,
        "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token"
    );
    assert_eq!(c.contact.region.as_deref(), Some("US-KY"));
    assert_eq!(
        c.contact.phone, None,
        "\"555-555-SHIP\" is not a phone number"
    );
    assert_eq!(c.accepts_sms, Some(false));
}

#[test]
fn shopify_checkout_starts_a_journey_in_the_engine() {
    let out = shopify::normalise(
        "checkouts/update",
        "w-2",
        &vector("shopify/checkouts_update.json"),
        SALT,
        now(),
    )
    .unwrap();
    let routed = &out.routed[0];
    let policy = Policy::from_json(rekindle::policy::DEFAULT_POLICY).unwrap();
    let state = State::new(routed.contact_id.clone().unwrap());
    let event = as_engine_input(&routed.events[0]);
    // The sample checkout is from 2022: decide as of its own time, not years later.
    let decision = decide(&policy, state, &event, event.at);
    let planned = decision
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Schedule { .. }))
        .count();
    // A $398 cart takes the persistent playbook (6 steps), unless the journey landed in the
    // holdout; either way a journey exists.
    assert!(
        planned == 6 || decision.state.journeys[0].holdout,
        "{decision:?}"
    );
    assert_eq!(decision.state.journeys.len(), 1);
}

#[test]
fn shopify_order_sample_keeps_its_64_bit_id_exact() {
    let out = shopify::normalise(
        "orders/create",
        "w-3",
        &vector("shopify/orders_create.json"),
        SALT,
        now(),
    )
    .unwrap();
    let routed = &out.routed[0];
    assert_eq!(routed.contact_id, None, "an order alone creates no contact");
    // Its links are the order id, for refunds, and its name ("#9999"), for support's search
    // (only known contacts are ever linked).
    assert_eq!(
        routed.links,
        [ingest::key(SALT, KeyKind::Order, "820982911946154508"), ingest::key(SALT, KeyKind::OrderName, "9999")]
    );
    for typed in ["#9999", "9999", " # 9999 "] {
        assert_eq!(ingest::lookup_key("orderName", typed, SALT, None).unwrap(), routed.links[1], "{typed:?}");
    }
    assert_ne!(ingest::lookup_key("order", "9999", SALT, None).unwrap(), routed.links[1], "an order id is not a name");
    let EventBody::OrderPlaced(o) = &as_engine_input(&routed.events[0]).body else {
        panic!()
    };
    assert_eq!(o.order_id, "820982911946154508");
    assert_eq!(o.total.minor, 40495);
    let cancelled = shopify::normalise(
        "orders/cancelled",
        "w-4",
        &vector("shopify/orders_create.json"),
        SALT,
        now(),
    )
    .unwrap();
    assert!(matches!(
        cancelled.routed[0].events[0].body,
        EventBody::OrderCancelled(_)
    ));
}

#[test]
fn shopify_privacy_topics_erase_export_and_wipe() {
    let redact = shopify::normalise(
        "customers/redact",
        "w-5",
        &vector("shopify/customers_redact.json"),
        SALT,
        now(),
    )
    .unwrap();
    assert!(!redact.routed.is_empty());
    for routed in &redact.routed {
        assert_eq!(routed.contact_id, None, "erasure never creates a contact");
        assert!(matches!(routed.events[0].body, EventBody::Erase));
    }
    let request = shopify::normalise(
        "customers/data_request",
        "w-6",
        &vector("shopify/customers_data_request.json"),
        SALT,
        now(),
    )
    .unwrap();
    let data = request.data_request.unwrap();
    assert_eq!(data.request_id, "9999");
    assert!(data
        .lookup
        .contains(&ingest::key(SALT, KeyKind::Customer, "191167")));
    let shop = shopify::normalise(
        "shop/redact",
        "w-7",
        &vector("shopify/shop_redact.json"),
        SALT,
        now(),
    )
    .unwrap();
    assert!(shop.erase_shop);
}

#[test]
fn shopify_consent_updates_record_only_definite_states() {
    let sample = shopify::normalise(
        "customers_marketing_consent/update",
        "w-8",
        &vector("shopify/customers_marketing_consent_update.json"),
        SALT,
        now(),
    )
    .unwrap();
    assert!(sample.routed.is_empty(), "state null records nothing");
    let body = r#"{"id":706405506930370084,"phone":"+15125550100","sms_marketing_consent":{"state":"subscribed","opt_in_level":"confirmed_opt_in","consent_updated_at":"2026-11-27T14:00:00Z","consent_collected_from":"SHOPIFY"}}"#;
    let out = shopify::normalise(
        "customers_marketing_consent/update",
        "w-9",
        body,
        SALT,
        now(),
    )
    .unwrap();
    assert_eq!(
        out.routed[0].contact_id.as_deref(),
        Some(ingest::contact_id(SALT, KeyKind::Customer, "706405506930370084").as_str())
    );
    let EventBody::ConsentChanged(c) = &out.routed[0].events[0].body else {
        panic!()
    };
    assert_eq!(serde_json::to_value(c.status).unwrap(), "granted");
}

#[test]
fn shopify_rejects_unknown_topics_and_malformed_bodies_with_paths() {
    let e = shopify::normalise("products/create", "w", "{}", SALT, now()).unwrap_err();
    assert_eq!((e.code(), e.path()), (Code::UnknownEventType, "$.topic"));
    let e = shopify::normalise("checkouts/create", "w", "{not json", SALT, now()).unwrap_err();
    assert_eq!(e.code(), Code::MalformedJson);
    let e =
        shopify::normalise("checkouts/create", "w", r#"{"token":"t"}"#, SALT, now()).unwrap_err();
    assert_eq!(e.code(), Code::InvalidField);
    let e = shopify::normalise("checkouts/create", "", "{}", SALT, now()).unwrap_err();
    assert_eq!(e.path(), "$.webhookId");
}

#[test]
fn shopify_payloads_refuse_wrong_types_at_their_paths_and_ignore_fields_rekindle_does_not_read() {
    let sample: serde_json::Value = serde_json::from_str(&vector("shopify/checkouts_create.json")).unwrap();
    let checkout = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut body = sample.clone();
        edit(&mut body);
        shopify::normalise("checkouts/update", "w", &body.to_string(), SALT, now()).map_err(|e| (e.code(), e.path().to_string()))
    };
    let field = |path: &str| Err((Code::InvalidField, path.to_string()));
    // Shopify adds fields to its payloads: one Rekindle does not know is no error.
    assert!(checkout(&|b| b["a_field_from_2030"] = serde_json::json!({ "x": 1 })).is_ok());
    assert_eq!(checkout(&|b| b["line_items"][0]["quantity"] = serde_json::json!("2")).map(|_| ()), field("$.line_items[0].quantity"));
    assert_eq!(checkout(&|b| b["line_items"][0]["product_id"] = serde_json::json!(1.5)).map(|_| ()), field("$.line_items[0].product_id"));
    assert_eq!(checkout(&|b| b["customer"]["id"] = serde_json::json!("")).map(|_| ()), field("$.customer.id"));
    assert_eq!(checkout(&|b| b["total_tax_set"] = serde_json::json!({ "shop_money": { "amount": "1.00" } })).map(|_| ()), field("$.total_tax_set.shop_money"));
    assert_eq!(checkout(&|b| b["buyer_accepts_marketing"] = serde_json::json!("yes")).map(|_| ()), field("$.buyer_accepts_marketing"));
    assert_eq!(checkout(&|b| b["line_items"] = serde_json::json!({})).map(|_| ()), field("$.line_items"));
    let err = shopify::normalise("checkouts/update", "w", "[]", SALT, now()).unwrap_err();
    assert_eq!((err.code(), err.path()), (Code::InvalidField, "$"));
    // An order's id is required, if only as null (which is then refused as missing); missing,
    // it is reported at the body's path, as serde reported it.
    let order = |body: serde_json::Value| shopify::normalise("orders/create", "w", &body.to_string(), SALT, now()).unwrap_err();
    let e = order(serde_json::json!({ "created_at": "2026-11-27T15:00:00Z" }));
    assert_eq!((e.code(), e.path()), (Code::InvalidField, "$"));
    let e = order(serde_json::json!({ "id": null, "created_at": "2026-11-27T15:00:00Z" }));
    assert_eq!((e.code(), e.path()), (Code::InvalidField, "$.id"));
    // Ids above 2^53 keep every digit, whether sent as numbers or as text.
    for id in [serde_json::json!(9007199254740993u64), serde_json::json!("9007199254740993")] {
        let body = serde_json::json!({ "id": id, "currency": "USD", "total_price": "1.00", "created_at": "2026-11-27T15:00:00Z" });
        let out = shopify::normalise("orders/create", "w", &body.to_string(), SALT, now()).unwrap();
        let EventBody::OrderPlaced(placed) = &out.routed[0].events[0].body else { panic!("{out:?}") };
        assert_eq!(placed.order_id, "9007199254740993");
    }
}

#[test]
fn twilio_status_callbacks_report_delivery_and_failure() {
    let query = twilio::Params::from([
        ("c".into(), "c_1".into()),
        ("a".into(), "j_1.sms-1.sms.0".into()),
    ]);
    let params = |status: &str| {
        twilio::Params::from([
            ("MessageSid".into(), "SM1".into()),
            ("MessageStatus".into(), status.into()),
            ("ErrorCode".into(), "30003".into()),
        ])
    };
    let out = twilio::status(&params("undelivered"), &query, None, SALT, now()).unwrap();
    let EventBody::SendFailed(f) = &out.routed[0].events[0].body else {
        panic!()
    };
    assert_eq!((f.permanent, f.code.as_str()), (true, "twilio:30003"));
    assert!(twilio::status(&params("sent"), &query, None, SALT, now())
        .unwrap()
        .routed
        .is_empty());
}

#[test]
fn twilio_inbound_sms_only_reaches_known_numbers() {
    let params = twilio::Params::from([
        ("MessageSid".into(), "SM2".into()),
        ("From".into(), "+15125550100".into()),
        ("Body".into(), " stop ".into()),
    ]);
    let out = twilio::inbound(&params, SALT, now()).unwrap();
    assert_eq!(
        out.routed[0].lookup,
        vec![ingest::key(SALT, KeyKind::Phone, "+15125550100")]
    );
    assert_eq!(out.routed[0].contact_id, None);
}

fn ledger(id: &str, contact: &str, action: &str) -> ingest::SentMessages {
    ingest::SentMessages::from([(
        id.to_string(),
        serde_json::from_value(serde_json::json!({ "contactId": contact, "actionId": action })).unwrap(),
    )])
}

#[test]
fn sendgrid_events_without_rekindle_args_are_found_by_their_message_id() {
    let sample = vector("sendgrid/event_webhook_sample.json");
    // First the ids to look up: the X-Message-Id the send was given, before SendGrid's ".filter…".
    let out = sendgrid::normalise(&sample, None).unwrap();
    assert!(out.routed.is_empty());
    assert_eq!(
        out.wanted,
        [ingest::ProviderMessage { provider: "sendgrid", id: "14c5d75ce93.dfd.64b469".into() }],
        "one lookup per message, however many events"
    );
    // Not in the ledger: someone else's mail, counted as unmatched, applied to no one.
    let out = sendgrid::normalise(&sample, Some(&ingest::SentMessages::new())).unwrap();
    assert_eq!(out.routed.len(), 1);
    assert_eq!((out.routed[0].contact_id.as_deref(), out.routed[0].lookup.len()), (None, 0));
    assert!(out.wanted.is_empty());
    // Ours: every event the engine acts on goes to the send the ledger names.
    let found = ledger("14c5d75ce93.dfd.64b469", "c_1", "j.e1.email.0");
    let out = sendgrid::normalise(&sample, Some(&found)).unwrap();
    assert_eq!(out.routed.len(), 1);
    assert_eq!(out.routed[0].contact_id.as_deref(), Some("c_1"));
    let kinds: Vec<_> = out.routed[0].events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(kinds, ["delivered", "opened", "clicked", "bounced", "sendFailed", "complained", "unsubscribed", "unsubscribed"]);
    let EventBody::Delivered(d) = &out.routed[0].events[0].body else { panic!() };
    assert_eq!(d.action_id, "j.e1.email.0");
}

#[test]
fn sendgrid_message_ids_lose_only_sendgrids_per_recipient_part() {
    assert_eq!(sendgrid::x_message_id("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"), "14c5d75ce93.dfd.64b469");
    assert_eq!(sendgrid::x_message_id("XBg2anf2TqCy6WXKQFhieQ.filter0905p1mdw1-4434-59E0C6FF-3.0"), "XBg2anf2TqCy6WXKQFhieQ");
    assert_eq!(sendgrid::x_message_id("XBg2anf2TqCy6WXKQFhieQ"), "XBg2anf2TqCy6WXKQFhieQ");
}

#[test]
fn twilio_status_callbacks_without_rekindles_query_are_found_by_their_sid() {
    // As a Messaging Service's own StatusCallback posts it: no ?c=&a=.
    let params = twilio::Params::from([
        ("MessageSid".into(), "SM5f3a5bd4d3b64b3a9c2f6e0a1b2c3d4e".into()),
        ("MessageStatus".into(), "delivered".into()),
        ("SmsSid".into(), "SM5f3a5bd4d3b64b3a9c2f6e0a1b2c3d4e".into()),
        ("SmsStatus".into(), "delivered".into()),
        ("AccountSid".into(), "AC0123456789abcdef0123456789abcdef".into()),
        ("MessagingServiceSid".into(), "MG0123456789abcdef0123456789abcdef".into()),
        ("From".into(), "+15005550006".into()),
        ("To".into(), "+15125550100".into()),
        ("ApiVersion".into(), "2010-04-01".into()),
    ]);
    let none = twilio::Params::new();
    let out = twilio::status(&params, &none, None, SALT, now()).unwrap();
    assert!(out.routed.is_empty());
    assert_eq!(out.wanted, [ingest::ProviderMessage { provider: "twilio", id: "SM5f3a5bd4d3b64b3a9c2f6e0a1b2c3d4e".into() }]);
    let found = ledger("SM5f3a5bd4d3b64b3a9c2f6e0a1b2c3d4e", "c_1", "j_1.sms-1.sms.0");
    let out = twilio::status(&params, &none, Some(&found), SALT, now()).unwrap();
    assert_eq!(out.routed[0].contact_id.as_deref(), Some("c_1"));
    let EventBody::Delivered(d) = &out.routed[0].events[0].body else { panic!() };
    assert_eq!(d.action_id, "j_1.sms-1.sms.0");
    // Unknown, and not a carrier block: nobody's.
    let out = twilio::status(&params, &none, Some(&ingest::SentMessages::new()), SALT, now()).unwrap();
    assert_eq!((out.routed[0].contact_id.as_deref(), out.routed[0].lookup.len()), (None, 0));
    // Intermediate states need no lookup.
    let mut sent = params.clone();
    sent.insert("MessageStatus".into(), "sent".into());
    let out = twilio::status(&sent, &none, None, SALT, now()).unwrap();
    assert!(out.routed.is_empty() && out.wanted.is_empty());
}

#[test]
fn sendgrid_events_map_to_engine_events_per_contact() {
    let body = r#"[
      {"email":"a@x.io","timestamp":1700000000,"event":"open","sg_event_id":"e1","rekindle_contact":"c_1","rekindle_action":"j.e1.email.0"},
      {"email":"a@x.io","timestamp":1700000001,"event":"bounce","type":"blocked","sg_event_id":"e2","rekindle_contact":"c_1","rekindle_action":"j.e1.email.0"},
      {"email":"b@x.io","timestamp":1700000002,"event":"spamreport","sg_event_id":"e3","rekindle_contact":"c_2","rekindle_action":"j.e2.email.0"},
      {"email":"b@x.io","timestamp":1700000003,"event":"processed","sg_event_id":"e4","rekindle_contact":"c_2","rekindle_action":"j.e2.email.0"}
    ]"#;
    let out = sendgrid::normalise(body, None).unwrap();
    assert_eq!(out.routed.len(), 2);
    let kinds: Vec<_> = out.routed[0].events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(kinds, ["opened", "bounced"]);
    let EventBody::Bounced(b) = &out.routed[0].events[1].body else {
        panic!()
    };
    assert!(!b.permanent, "blocked is temporary");
    assert_eq!(out.routed[1].events.len(), 1, "processed carries nothing");
}

fn beacon_body(events: &str) -> String {
    format!(r#"{{"v":1,"anonymousId":"anon-1","events":[{events}]}}"#)
}

const ABANDONED: &str = r#"{"id":"b1","at":"2026-11-27T14:59:00Z","type":"abandoned","origin":"storefront",
  "cart":{"token":"cart-9","stage":"cart","currency":"USD","items":[{"title":"Socks","quantity":1,"unitPrice":1800}],"recoveryUrl":"https://shop.example/cart"},
  "contact":{"phone":"+15125550199"}}"#;

#[test]
fn beacon_routes_by_cart_token_then_anonymous_id() {
    let out = beacon::normalise(&beacon_body(ABANDONED), SALT).unwrap();
    let routed = &out.routed[0];
    assert_eq!(
        routed.lookup,
        vec![
            ingest::key(SALT, KeyKind::Token, "cart-9"),
            ingest::key(SALT, KeyKind::Anonymous, "anon-1")
        ]
    );
    assert_eq!(
        routed.contact_id.as_deref(),
        Some(ingest::contact_id(SALT, KeyKind::Anonymous, "anon-1").as_str())
    );
    // A browser cannot point a send at a number: the engine keeps no address from it.
    let policy = Policy::from_json(rekindle::policy::DEFAULT_POLICY).unwrap();
    let decision = decide(
        &policy,
        State::new("c"),
        &as_engine_input(&routed.events[0]),
        now(),
    );
    assert_eq!(decision.state.contact.phone, None);
}

#[test]
fn beacon_refuses_what_a_browser_may_not_say() {
    let platform = ABANDONED.replace("\"storefront\"", "\"platform\"");
    let e = beacon::normalise(&beacon_body(&platform), SALT).unwrap_err();
    assert_eq!(e.path(), "$.events[0].origin");
    let order = r#"{"id":"o","at":"2026-11-27T14:59:00Z","type":"orderPlaced","orderId":"1","total":{"minor":1,"currency":"USD"}}"#;
    let e = beacon::normalise(&beacon_body(order), SALT).unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        (Code::UnknownEventType, "$.events[0].type")
    );
    let bad_item = ABANDONED.replace("\"quantity\":1", "\"quantity\":\"1\"");
    let e = beacon::normalise(&beacon_body(&bad_item), SALT).unwrap_err();
    assert_eq!(e.path(), "$.events[0].cart.items[0].quantity");
    let many = vec![ABANDONED; beacon::MAX_EVENTS + 1].join(",");
    assert_eq!(
        beacon::normalise(&beacon_body(&many), SALT)
            .unwrap_err()
            .code(),
        Code::TooLarge
    );
    let e = beacon::normalise(r#"{"v":2,"anonymousId":"a","events":[]}"#, SALT).unwrap_err();
    assert_eq!(e.path(), "$.v");
}

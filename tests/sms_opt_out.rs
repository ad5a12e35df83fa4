//! Opt-outs as carriers and the law see them (FCC 24-24, 47 CFR 64.1200(a)(10); CTIA):
//! revocation words inside a reply, wording that may be an opt-out (one clarifying text within
//! 5 minutes, no marketing SMS until resolved), Twilio's own keyword matching (`OptOutType`),
//! a carrier-level block (Twilio error 21610), who confirms a keyword, and the store's name in
//! every SMS. Inbound and status payloads are shaped as Twilio posts them (form fields).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::common::channel::Channel;
use rekindle::compliance::consent::ConsentStatus;
use rekindle::ingest::twilio;
use rekindle::model::action::Action;
use rekindle::policy::KeywordReplies;
use serde_json::json;

const PHONE: &str = "+15125550100";

fn named_policy() -> rekindle::policy::Policy {
    let mut p = policy();
    p.store_name = Some("Acme Socks".into());
    p
}

fn replies(d: &rekindle::engine::Decision) -> Vec<String> {
    d.actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply { body, .. } => Some(body.clone()),
            _ => None,
        })
        .collect()
}

fn sms(id: &str, at: &str, body: &str) -> serde_json::Value {
    json!({ "id": id, "at": at, "type": "smsReceived", "body": body })
}

/// A Twilio inbound message (the form fields Twilio posts), through ingest, as engine JSON.
fn twilio_inbound(fields: &[(&str, &str)]) -> serde_json::Value {
    let mut params = twilio::Params::from([
        ("MessageSid".to_string(), "SM1a2b3c".to_string()),
        ("AccountSid".to_string(), "ACxxxxxxxx".to_string()),
        ("From".to_string(), PHONE.to_string()),
        ("To".to_string(), "+15005550006".to_string()),
        ("NumMedia".to_string(), "0".to_string()),
        ("NumSegments".to_string(), "1".to_string()),
        ("ApiVersion".to_string(), "2010-04-01".to_string()),
    ]);
    for (k, v) in fields {
        params.insert(k.to_string(), v.to_string());
    }
    let out = twilio::inbound(&params, "salt", t("2026-11-27T15:02:00Z")).unwrap();
    serde_json::to_value(&out.routed[0].events[0]).unwrap()
}

#[test]
fn stop_with_punctuation_or_filler_revokes_and_cancels_pending_sms() {
    for body in ["Stop.", "STOP!", "stop please", "OPT OUT", "opt-out"] {
        let mut shopper = Shopper::new(policy());
        shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
        let d = shopper.apply(sms("in1", "2026-11-27T15:02:00Z", body), t("2026-11-27T15:02:00Z"));
        assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked, "{body:?}");
        assert!(d.actions.iter().any(|a| matches!(a, Action::Cancel { .. })), "{body:?}");
        let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
        assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email), "{body:?}");
    }
}

#[test]
fn wording_that_may_be_an_opt_out_gets_one_clarifying_text_and_holds_marketing_sms() {
    let mut shopper = Shopper::new(named_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = shopper.apply(sms("in1", "2026-11-27T15:01:00Z", "no more texts"), t("2026-11-27T15:01:30Z"));
    let texts = replies(&d);
    assert_eq!(texts.len(), 1, "one clarifying text");
    assert!(texts[0].starts_with("Acme Socks: "), "{}", texts[0]);
    assert!(texts[0].contains("STOP") && texts[0].contains("START"), "{}", texts[0]);
    assert!(!texts[0].contains("http"), "no marketing, no link: {}", texts[0]);
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Granted, "not revoked outright");

    // Asked once: another unclear reply gets no second text.
    let d = shopper.apply(sms("in2", "2026-11-27T15:03:00Z", "leave me alone"), t("2026-11-27T15:03:00Z"));
    assert!(replies(&d).is_empty());

    // Held: the due SMS is skipped, with the reason; email goes on.
    let sent = shopper.run_until(t("2026-11-27T23:00:00Z"));
    assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email), "{sent:?}");
    let skipped_sms = shopper.log.iter().flat_map(|(_, d)| &d.actions).any(|a| {
        matches!(a, Action::Skip { id, reason } if id.contains(".sms.") && reason.contains("may be an opt-out"))
    });
    assert!(skipped_sms);

    // STOP resolves it as a revocation.
    shopper.apply(sms("in3", "2026-11-27T23:10:00Z", "stop"), t("2026-11-27T23:10:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked);
    assert_eq!(shopper.state.contact.sms_opt_out_unclear_since, None);
}

#[test]
fn start_after_a_clarifying_text_lifts_the_hold() {
    let mut shopper = Shopper::new(named_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(sms("in1", "2026-11-27T15:01:00Z", "don't text me"), t("2026-11-27T15:01:00Z"));
    assert!(shopper.state.contact.sms_opt_out_unclear_since.is_some());
    shopper.apply(sms("in2", "2026-11-27T15:05:00Z", "Start"), t("2026-11-27T15:05:00Z"));
    assert_eq!(shopper.state.contact.sms_opt_out_unclear_since, None);
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    assert!(sends(&sent).iter().any(|(_, c)| *c == Channel::Sms), "SMS resumes after START");
}

#[test]
fn no_clarifying_text_more_than_five_minutes_after_the_reply() {
    let mut shopper = Shopper::new(named_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    // The webhook reached the engine late (a retried delivery, an outage).
    let d = shopper.apply(sms("in1", "2026-11-27T15:01:00Z", "no more messages"), t("2026-11-27T15:07:00Z"));
    assert!(replies(&d).is_empty(), "FCC 24-24: the one text goes within 5 minutes");
    assert!(shopper.state.contact.sms_opt_out_unclear_since.is_some(), "still held");
}

#[test]
fn twilio_opt_out_type_is_honoured_whatever_the_body_says() {
    // Advanced Opt-Out matched a keyword the merchant configured (here in Spanish).
    let event = twilio_inbound(&[("Body", "Basta"), ("OptOutType", "STOP")]);
    assert_eq!(event["providerKeyword"], "optOut");
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(event, t("2026-11-27T15:02:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked);

    // And a body that reads like START is not re-subscription unless Twilio says so.
    let event = twilio_inbound(&[("MessageSid", "SM2"), ("Body", "ok"), ("OptOutType", "START")]);
    shopper.apply(event, t("2026-11-27T15:03:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Granted);

    // Without OptOutType (Advanced Opt-Out off), the body decides.
    let event = twilio_inbound(&[("MessageSid", "SM3"), ("Body", "hello")]);
    assert!(event.get("providerKeyword").is_none());
}

#[test]
fn a_21610_carrier_block_stops_sms_until_start_and_no_web_opt_in_lifts_it() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sms_id = shopper.pending().into_iter().find(|(id, _)| id.contains(".sms.")).unwrap().0;
    // Twilio's status callback for a message it refused to send (form fields as posted).
    let params = twilio::Params::from([
        ("MessageSid".to_string(), "SMdead".to_string()),
        ("MessageStatus".to_string(), "failed".to_string()),
        ("ErrorCode".to_string(), "21610".to_string()),
        ("AccountSid".to_string(), "ACxxxxxxxx".to_string()),
        ("From".to_string(), "+15005550006".to_string()),
        ("To".to_string(), PHONE.to_string()),
        ("ApiVersion".to_string(), "2010-04-01".to_string()),
    ]);
    let query = twilio::Params::from([("c".to_string(), "contact-1".to_string()), ("a".to_string(), sms_id)]);
    let out = twilio::status(&params, &query, None, "salt", t("2026-11-27T15:20:00Z")).unwrap();
    for event in &out.routed[0].events {
        shopper.apply(serde_json::to_value(event).unwrap(), t("2026-11-27T15:20:00Z"));
    }
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked);
    assert!(shopper.pending().iter().all(|(id, _)| !id.contains(".sms.")), "pending SMS cancelled");

    // A new checkout with the SMS box ticked does not lift a carrier block.
    shopper.apply(checkout("e2", "2026-11-28T10:00:00Z", "c2"), t("2026-11-28T10:00:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked);
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    assert!(sends(&sent).iter().all(|(_, c)| *c == Channel::Email));

    // START from the number does.
    shopper.apply(sms("in9", "2026-11-30T01:00:00Z", "START"), t("2026-11-30T01:00:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Granted);
}

#[test]
fn keyword_confirmations_come_from_the_provider_by_default_and_from_rekindle_if_set() {
    let mut shopper = Shopper::new(named_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = shopper.apply(sms("in1", "2026-11-27T15:02:00Z", "STOP"), t("2026-11-27T15:02:00Z"));
    assert!(replies(&d).is_empty(), "Twilio already confirmed: a second text is a duplicate");
    assert!(d.explanation.reasons().any(|r| r.code == "keywordReply"));

    let mut p = named_policy();
    p.sms_keyword_replies = KeywordReplies::Rekindle;
    let mut shopper = Shopper::new(p);
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = shopper.apply(sms("in1", "2026-11-27T15:02:00Z", "HELP"), t("2026-11-27T15:02:00Z"));
    let help = replies(&d);
    assert_eq!(help.len(), 1);
    assert!(help[0].starts_with("Acme Socks: "), "CTIA: the HELP reply names the store: {}", help[0]);
    assert!(help[0].contains("Help:") && help[0].contains("Reply STOP"), "{}", help[0]);
    let d = shopper.apply(sms("in2", "2026-11-27T15:03:00Z", "Stop."), t("2026-11-27T15:03:00Z"));
    let stop = replies(&d);
    assert_eq!(stop.len(), 1, "exactly one confirmation");
    assert!(stop[0].starts_with("Acme Socks: ") && !stop[0].contains("http"), "{}", stop[0]);
}

#[test]
fn every_marketing_sms_names_the_store() {
    let mut shopper = Shopper::new(named_policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sent = shopper.run_until(t("2026-11-30T00:00:00Z"));
    let texts: Vec<&str> = sent
        .iter()
        .filter_map(|a| match a {
            Action::Send { message, .. } => message.sms.as_ref().map(|s| s.text.as_str()),
            _ => None,
        })
        .collect();
    assert!(!texts.is_empty());
    for text in texts {
        assert!(text.starts_with("Acme Socks: ") && text.ends_with("Reply STOP to opt out"), "{text}");
    }
}

#[test]
fn a_21610_refusal_when_sending_blocks_sms_like_the_callback_does() {
    // Twilio usually refuses at create time: the runtime reports the transport's code.
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sms_id = shopper.pending().into_iter().find(|(id, _)| id.contains(".sms.")).unwrap().0;
    shopper.apply(
        json!({ "id": format!("sendFailed:{sms_id}"), "at": "2026-11-27T15:15:00Z", "type": "sendFailed",
                "actionId": sms_id, "permanent": true, "code": "twilio:21610" }),
        t("2026-11-27T15:15:00Z"),
    );
    let last = shopper.state.contact.consent.entries(Channel::Sms).last().unwrap().clone();
    assert_eq!((last.status, last.source), (ConsentStatus::Revoked, rekindle::compliance::consent::ConsentSource::CarrierBlock));
    // Any other permanent failure is just a failed message.
    let mut other = Shopper::new(policy());
    other.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    other.apply(
        json!({ "id": "sf", "at": "2026-11-27T15:15:00Z", "type": "sendFailed", "actionId": "x", "permanent": true, "code": "twilio:30003" }),
        t("2026-11-27T15:15:00Z"),
    );
    assert_eq!(other.state.contact.consent.status(Channel::Sms), ConsentStatus::Granted);
}

#[test]
fn a_status_callback_without_rekindles_query_finds_the_contact_by_the_number() {
    // A Messaging Service's own StatusCallback: no ?c=&a=, as Twilio posts it.
    let params = twilio::Params::from([
        ("MessageSid".to_string(), "SMfeed".to_string()),
        ("MessageStatus".to_string(), "undelivered".to_string()),
        ("ErrorCode".to_string(), "21610".to_string()),
        ("MessagingServiceSid".to_string(), "MGxxxxxxxx".to_string()),
        ("AccountSid".to_string(), "ACxxxxxxxx".to_string()),
        ("From".to_string(), "+15005550006".to_string()),
        ("To".to_string(), PHONE.to_string()),
        ("ApiVersion".to_string(), "2010-04-01".to_string()),
    ]);
    let out = twilio::status(&params, &twilio::Params::new(), Some(&Default::default()), "salt", t("2026-11-27T15:20:00Z")).unwrap();
    let routed = &out.routed[0];
    assert_eq!(routed.lookup, [rekindle::ingest::key("salt", rekindle::ingest::KeyKind::Phone, PHONE)]);
    assert_eq!(routed.contact_id, None, "a number we were never given creates nobody");
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    shopper.apply(serde_json::to_value(&routed.events[0]).unwrap(), t("2026-11-27T15:20:00Z"));
    assert_eq!(shopper.state.contact.consent.status(Channel::Sms), ConsentStatus::Revoked);
    assert!(shopper.pending().iter().all(|(id, _)| !id.contains(".sms.")));
}

#[test]
fn a_status_callback_found_by_its_sid_records_delivery_on_the_send_once() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let sms_id = shopper.pending().into_iter().find(|(id, _)| id.contains(".sms.")).unwrap().0;
    // A Messaging Service's own StatusCallback (no ?c=&a=), its SID found in the ledger.
    let params = twilio::Params::from([
        ("MessageSid".to_string(), "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9".to_string()),
        ("MessageStatus".to_string(), "delivered".to_string()),
        ("SmsSid".to_string(), "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9".to_string()),
        ("SmsStatus".to_string(), "delivered".to_string()),
        ("AccountSid".to_string(), "ACxxxxxxxx".to_string()),
        ("From".to_string(), "+15005550006".to_string()),
        ("To".to_string(), PHONE.to_string()),
        ("ApiVersion".to_string(), "2010-04-01".to_string()),
    ]);
    let ledger: rekindle::ingest::SentMessages = serde_json::from_value(json!({
        "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9": { "contactId": "contact-1", "actionId": sms_id }
    }))
    .unwrap();
    let out = twilio::status(&params, &twilio::Params::new(), Some(&ledger), "salt", t("2026-11-27T15:20:00Z")).unwrap();
    let event = serde_json::to_value(&out.routed[0].events[0]).unwrap();
    let d = shopper.apply(event.clone(), t("2026-11-27T15:20:00Z"));
    assert!(d.explanation.reasons().any(|r| r.code == "delivered"));
    let delivered = |s: &Shopper| s.state.journeys.iter().flat_map(|j| &j.sends).filter(|s| s.delivered).map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(delivered(&shopper), [sms_id.clone()]);
    // Twilio repeats a callback it did not see answered: the same event changes nothing.
    let before = shopper.state.clone();
    let again = shopper.apply(event, t("2026-11-27T15:20:00Z"));
    assert!(again.actions.is_empty());
    assert_eq!(shopper.state, before);
}

#[test]
fn a_stop_is_reported_back_to_the_platform_but_a_change_the_platform_reported_is_not() {
    use rekindle::compliance::consent::{ConsentSource, ConsentStatus};
    let reported = |d: &rekindle::engine::Decision| -> Vec<(Channel, ConsentStatus, ConsentSource, String)> {
        d.actions
            .iter()
            .filter_map(|a| match a {
                Action::ReportConsent { channel, status, source, address, .. } => Some((*channel, *status, *source, address.clone())),
                _ => None,
            })
            .collect()
    };
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    assert!(reported(&d).is_empty(), "the checkout's boxes came from the platform");
    let d = shopper.apply(sms("s1", "2026-11-27T15:30:00Z", "STOP"), t("2026-11-27T15:30:00Z"));
    assert_eq!(reported(&d), vec![(Channel::Sms, ConsentStatus::Revoked, ConsentSource::SmsKeyword, "+15125550100".to_string())]);
    let again = shopper.apply(sms("s2", "2026-11-27T15:31:00Z", "stop"), t("2026-11-27T15:31:00Z"));
    assert!(reported(&again).is_empty(), "a second STOP changes nothing, so nothing is reported");
    let platform = json!({ "id": "w1", "at": "2026-11-27T16:00:00Z", "type": "consentChanged", "channel": "email", "status": "revoked", "source": "platformWebhook" });
    assert!(reported(&shopper.apply(platform, t("2026-11-27T16:00:00Z"))).is_empty(), "never echoed back to where it came from");
    let link = json!({ "id": "u1", "at": "2026-11-27T17:00:00Z", "type": "unsubscribed", "channel": "email" });
    let mut other = Shopper::new(policy());
    other.apply(checkout("e1", "2026-11-27T15:00:00Z", "c1"), t("2026-11-27T15:00:00Z"));
    let d = other.apply(link, t("2026-11-27T17:00:00Z"));
    assert_eq!(reported(&d), vec![(Channel::Email, ConsentStatus::Revoked, ConsentSource::Unsubscribe, "ada@example.com".to_string())]);
}

//! Postmark webhooks → engine events. Payloads are shaped as Postmark's webhook reference
//! documents them (one object per request, `RecordType`, PascalCase fields, ISO 8601 times
//! with 7 fractional digits and an offset), with Rekindle's ids in `Metadata`.

use rekindle::common::channel::Channel;
use rekindle::error::Code;
use rekindle::ingest::{postmark, ProviderMessage, SentMessages};
use rekindle::model::event::{Event, EventBody};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-27T15:30:00Z").unwrap().with_timezone(&chrono::Utc)
}

const META: &str = r#""Metadata": {"rekindle_contact": "c_1", "rekindle_action": "j1.email-1.email.0", "shop": "x"}"#;

fn one(body: &str) -> Event {
    let out = postmark::normalise(body, None, now()).unwrap();
    assert_eq!(out.routed.len(), 1, "{body}");
    assert_eq!(out.routed[0].contact_id.as_deref(), Some("c_1"));
    assert!(
        out.routed[0].lookup.is_empty(),
        "Metadata names the contact: no address lookup"
    );
    assert_eq!(out.routed[0].events.len(), 1);
    let event = out.routed[0].events[0].clone();
    // What the shim hands `decide` must parse as an engine event.
    Event::from_json(&serde_json::to_string(&event).unwrap()).unwrap()
}

fn action(body: &EventBody) -> &str {
    match body {
        EventBody::Delivered(a)
        | EventBody::Opened(a)
        | EventBody::Clicked(a)
        | EventBody::Complained(a) => &a.action_id,
        EventBody::Bounced(b) => &b.action_id,
        other => panic!("no action on {other:?}"),
    }
}

#[test]
fn postmark_delivery_open_and_click_reach_the_action_in_metadata() {
    let delivery = one(&format!(
        r#"{{"RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Recipient": "john@example.com", "Tag": "", "DeliveredAt": "2026-11-27T10:00:01.2735393-05:00", "Details": "Test delivery", {META}}}"#
    ));
    assert_eq!(delivery.body.kind(), "delivered");
    assert_eq!(action(&delivery.body), "j1.email-1.email.0");
    assert_eq!(
        delivery.at.to_rfc3339(),
        "2026-11-27T15:00:01.273539300+00:00"
    );

    let open = one(&format!(
        r#"{{"RecordType": "Open", "MessageStream": "outbound", "FirstOpen": true, "Client": {{"Name": "Chrome"}}, "OS": {{"Name": "OS X"}},
            "Platform": "WebMail", "UserAgent": "Mozilla/5.0", "ReadSeconds": 5, "Geo": {{}}, "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "ReceivedAt": "2026-11-27T15:05:00Z", "Tag": "", "Recipient": "john@example.com", {META}}}"#
    ));
    assert_eq!(open.body.kind(), "opened");

    let click = one(&format!(
        r#"{{"RecordType": "Click", "MessageStream": "outbound", "ClickLocation": "HTML", "OriginalLink": "https://example.com/r/x.sig",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ReceivedAt": "2026-11-27T15:06:00Z", "Recipient": "john@example.com", {META}}}"#
    ));
    assert_eq!(click.body.kind(), "clicked");
    assert_ne!(open.id, click.id);
}

#[test]
fn postmark_hard_bounce_is_permanent_and_a_soft_one_is_not() {
    let bounce = |kind: &str, id: u32| {
        format!(
            r#"{{"RecordType": "Bounce", "ID": {id}, "Type": "{kind}", "TypeCode": 1, "Name": "Hard bounce", "Tag": "Test",
                "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 23, "MessageStream": "outbound",
                "Description": "The server was unable to deliver your message", "Details": "Test bounce details", "Email": "john@example.com",
                "From": "sender@example.com", "BouncedAt": "2026-11-27T10:00:10.2735393-05:00", "DumpAvailable": true, "Inactive": true,
                "CanActivate": true, "Subject": "Test subject", "Content": "", {META}}}"#
        )
    };
    let hard = one(&bounce("HardBounce", 42));
    let EventBody::Bounced(b) = &hard.body else {
        panic!("{hard:?}")
    };
    assert!(b.permanent);
    assert_eq!(
        hard.id, "postmark:bounce:42",
        "a retried webhook repeats the bounce id"
    );
    let EventBody::Bounced(b) = one(&bounce("SoftBounce", 43)).body else {
        panic!()
    };
    assert!(!b.permanent);
    assert!(
        postmark::normalise(&bounce("AutoResponder", 44), None, now())
            .unwrap()
            .routed
            .is_empty(),
        "an auto-reply is no failure"
    );
}

#[test]
fn postmark_spam_complaint_and_suppression_stop_email() {
    let complaint = one(&format!(
        r#"{{"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint", "TypeCode": 512, "MessageID": "00000000-0000-0000-0000-000000000000",
            "Email": "john@example.com", "BouncedAt": "2026-11-27T15:10:00Z", "MessageStream": "outbound", {META}}}"#
    ));
    assert_eq!(complaint.body.kind(), "complained");

    let change = |suppress: bool| {
        format!(
            r#"{{"RecordType": "SubscriptionChange", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 23, "MessageStream": "outbound",
                "ChangedAt": "2026-11-27T15:20:00Z", "Recipient": "john@example.com", "Origin": "Recipient", "SuppressSending": {suppress},
                "SuppressionReason": "ManualSuppression", "Tag": "", {META}}}"#
        )
    };
    let EventBody::Unsubscribed(u) = one(&change(true)).body else {
        panic!()
    };
    assert_eq!(u.channel, Some(Channel::Email));
    assert!(
        postmark::normalise(&change(false), None, now())
            .unwrap()
            .routed
            .is_empty(),
        "a reactivation is not consent"
    );
}

#[test]
fn postmark_events_without_rekindle_metadata_are_found_by_their_message_id() {
    let delivery = r#"{"RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "john@example.com", "Tag": "", "DeliveredAt": "2026-11-27T10:00:01.2735393-05:00", "Details": "Test delivery", "Metadata": {"user_id": "43"}}"#;
    let out = postmark::normalise(delivery, None, now()).unwrap();
    assert!(out.routed.is_empty());
    assert_eq!(out.wanted, [ProviderMessage { provider: "postmark", id: "883953f4-6105-42a2-a16a-77a8eac79483".into() }]);

    let found: SentMessages = serde_json::from_str(
        r#"{"883953f4-6105-42a2-a16a-77a8eac79483": {"contactId": "c_1", "actionId": "j1.email-1.email.0"}}"#,
    )
    .unwrap();
    let out = postmark::normalise(delivery, Some(&found), now()).unwrap();
    assert_eq!(out.routed[0].contact_id.as_deref(), Some("c_1"));
    assert_eq!(action(&out.routed[0].events[0].body), "j1.email-1.email.0");

    // A hard bounce of the same message stops email to the contact.
    let bounce = r#"{"RecordType": "Bounce", "ID": 692560173, "Type": "HardBounce", "TypeCode": 1, "Name": "Hard bounce", "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 23, "MessageStream": "outbound", "Description": "The server was unable to deliver your message",
        "Details": "", "Email": "john@example.com", "From": "sender@example.com", "BouncedAt": "2026-11-27T10:00:01.2735393-05:00",
        "DumpAvailable": true, "Inactive": true, "CanActivate": true, "Subject": "Your cart"}"#;
    let out = postmark::normalise(bounce, Some(&found), now()).unwrap();
    let EventBody::Bounced(b) = &out.routed[0].events[0].body else { panic!() };
    assert!(b.permanent && b.action_id == "j1.email-1.email.0");

    // Not in the ledger: some other sender's mail, applied to no one.
    let out = postmark::normalise(delivery, Some(&SentMessages::new()), now()).unwrap();
    assert_eq!((out.routed[0].contact_id.as_deref(), out.routed[0].lookup.len()), (None, 0));
    // Neither metadata nor a message id: nothing says whose it was.
    let bare = r#"{"RecordType": "Delivery", "DeliveredAt": "2026-11-27T15:00:00Z", "Metadata": {"user_id": "43"}}"#;
    let out = postmark::normalise(bare, None, now()).unwrap();
    assert!(out.routed.is_empty() && out.wanted.is_empty());
}

#[test]
fn postmark_records_without_optional_fields_still_record_what_they_can() {
    // An unsubscribe-type bounce as Postmark documents it, without BouncedAt (optional).
    let unsubscribe = one(&format!(
        r#"{{"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "Unsubscribe", "TypeCode": 16, "Name": "Unsubscribe request",
            "Tag": "", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 23, "MessageStream": "outbound",
            "Description": "The recipient has asked to be removed from the mailing list.", "Details": "",
            "Email": "john@example.com", "From": "sender@example.com", "DumpAvailable": false, "Inactive": false,
            "CanActivate": true, "Subject": "Your cart", {META}}}"#
    ));
    assert_eq!(unsubscribe.body, EventBody::Unsubscribed(rekindle::model::event::Unsubscribe { channel: Some(Channel::Email) }));
    assert_eq!(unsubscribe.at, now(), "no BouncedAt: the time it reached us");
    assert_eq!(unsubscribe.id, "postmark:bounce:4323372036854775807");

    // Only the TypeCode, no Type, no ID, no time: still an unsubscribe, with an id a retry repeats.
    let bare = format!(r#"{{"RecordType": "Bounce", "TypeCode": 16, "Email": "john@example.com", {META}}}"#);
    let first = one(&bare);
    assert_eq!(first.body.kind(), "unsubscribed");
    assert_eq!(first.id, one(&bare).id, "a retry is recognised");

    // A suppression without its message id or time.
    let change = one(&format!(
        r#"{{"RecordType": "SubscriptionChange", "ServerID": 23, "MessageStream": "outbound", "Recipient": "john@example.com",
            "Origin": "Customer", "SuppressSending": true, "SuppressionReason": "ManualSuppression", {META}}}"#
    ));
    assert_eq!(change.body.kind(), "unsubscribed");

    // A complaint without BouncedAt still stops email.
    let complaint = one(&format!(r#"{{"RecordType": "SpamComplaint", "ID": 7, "Type": "SpamComplaint", "TypeCode": 100001, {META}}}"#));
    assert_eq!(complaint.body.kind(), "complained");

    // Delivery, open and click without their times or message id: recorded at arrival.
    for (record, kind) in [("Delivery", "delivered"), ("Open", "opened"), ("Click", "clicked")] {
        let event = one(&format!(r#"{{"RecordType": "{record}", "Recipient": "john@example.com", {META}}}"#));
        assert_eq!((event.body.kind(), event.at), (kind, now()));
    }
    // A time we cannot read is not a reason to refuse what the record says.
    let late = one(&format!(r#"{{"RecordType": "Delivery", "MessageID": "m", "DeliveredAt": "yesterday", {META}}}"#));
    assert_eq!(late.at, now());
}

#[test]
fn postmark_records_we_cannot_act_on_change_nothing_and_are_not_errors() {
    for body in [
        format!(r#"{{"MessageID": "m", {META}}}"#),
        format!(r#"{{"RecordType": "SubscriptionChange", "MessageID": "m", {META}}}"#),
        format!(r#"{{"RecordType": "Bounce", "Type": "AutoResponder", {META}}}"#),
        r#"{"RecordType": "Open", "Metadata": {"rekindle_contact": "c_1"}}"#.to_string(),
    ] {
        assert!(postmark::normalise(&body, None, now()).unwrap().routed.is_empty(), "{body}");
    }
    assert_eq!(
        postmark::normalise("{not json", None, now()).unwrap_err().code(),
        Code::MalformedJson
    );
}

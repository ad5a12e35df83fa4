//! RFC 8058 one-click unsubscribe: the header pair every marketing email carries, checked
//! against the format Gmail's and Yahoo's sender guidelines show
//! (`tests/fixtures/vectors/unsubscribe/one_click_vectors.json`).

// The vectors are files: these tests run natively only. Rendering is server-only.
#![cfg(all(not(target_arch = "wasm32"), feature = "server"))]

mod vectors;

use rekindle::common::cart::{Cart, LineItem, Stage};
use rekindle::common::channel::Channel;
use rekindle::model::message::{render, Message, Render};
use rekindle::policy::{Angle, Policy};
use serde_json::Value;

fn cart() -> Cart {
    Cart {
        shop_currency: None,
        shop_subtotal: None,
        token: "c1".into(),
        stage: Stage::Checkout,
        currency: "USD".into(),
        items: vec![LineItem {
            title: "Merino wool socks".into(),
            variant: None,
            quantity: 2,
            unit_price: 1800,
            category: None,
            product_id: None,
            unit_cost: None,
            image_url: None,
        }],
        shipping: Default::default(),
        tax: Default::default(),
        recovery_url: "https://shop.example/checkouts/c1/recover".into(),
        delivery_estimate: None,
    }
}

/// The default policy with the brand a send needs (a store name, a postal address).
fn policy(base_url: &str) -> Policy {
    let mut policy = Policy::default_policy();
    policy.public_base_url = base_url.into();
    policy.store_name = Some("Acme Outdoor".into());
    policy.brand.postal_address = Some("1 Main St, Springfield, IL 62701, USA".into());
    policy
}

fn email(base_url: &str) -> Message {
    let cart = cart();
    let policy = policy(base_url);
    render(Render {
        policy: &policy,
        action_id: "j1.email-1.email.0",
        channel: Channel::Email,
        template: "cart-reminder",
        variant: "control",
        angle: Angle::Reminder,
        first_name: Some("Ada"),
        locale: None,
        cart: &cart,
        incentive: None,
        first_sms: false,
    })
    .message
    .expect("passes the audit")
}

/// What a mailbox provider does with the pair (RFC 8058 3.2): POST the body
/// `List-Unsubscribe=One-Click` to the one HTTPS URI in angle brackets.
fn one_click_request(list_unsubscribe: &str, list_unsubscribe_post: &str) -> Value {
    let uri = list_unsubscribe
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .expect("one URI in angle brackets");
    assert!(
        !uri.contains(['<', '>', ',', ' ', '\r', '\n']),
        "exactly one URI: {uri:?}"
    );
    let rest = uri
        .strip_prefix("https://")
        .expect("an HTTPS URI (RFC 8058 3.1)");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    serde_json::json!({
        "method": "POST",
        "path": if path.is_empty() { "/" } else { path },
        "host": host,
        "headers": {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": list_unsubscribe_post.len().to_string(),
        },
        "body": list_unsubscribe_post,
    })
}

#[test]
fn the_one_click_reading_of_the_vector_pair_gives_the_vectors_request() {
    // Checks the reading used below against the vector itself.
    let v = vectors::vector("unsubscribe/one_click_vectors.json");
    let pair = &v["valid_header_pair"];
    let request = one_click_request(
        pair["List-Unsubscribe"].as_str().unwrap(),
        pair["List-Unsubscribe-Post"].as_str().unwrap(),
    );
    assert_eq!(request, v["expected_one_click_request"]);
}

#[test]
fn every_email_carries_the_rfc_8058_one_click_header_pair() {
    let v = vectors::vector("unsubscribe/one_click_vectors.json");
    let message = email("https://hooks.shop.example/rekindle/");
    let headers = message
        .headers
        .as_ref()
        .expect("an email has unsubscribe headers");
    // The same two header names, spelt as the vector spells them.
    let ours = serde_json::to_value(headers).unwrap();
    let mut names: Vec<&String> = ours.as_object().unwrap().keys().collect();
    let mut want: Vec<&String> = v["valid_header_pair"].as_object().unwrap().keys().collect();
    names.sort();
    want.sort();
    assert_eq!(names, want);
    // List-Unsubscribe-Post is exactly the vector's value.
    assert_eq!(
        headers.list_unsubscribe_post,
        v["valid_header_pair"]["List-Unsubscribe-Post"]
            .as_str()
            .unwrap()
    );
    assert_eq!(headers.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    // List-Unsubscribe is one HTTPS URI in angle brackets, and a provider's POST to it lands
    // on this action's unsubscribe route.
    assert_eq!(
        headers.list_unsubscribe,
        "<https://hooks.shop.example/rekindle/u/j1.email-1.email.0>"
    );
    let request = one_click_request(&headers.list_unsubscribe, &headers.list_unsubscribe_post);
    assert_eq!(request["host"], "hooks.shop.example");
    assert_eq!(request["path"], "/rekindle/u/j1.email-1.email.0");
    assert_eq!(request["body"], v["expected_one_click_request"]["body"]);
    assert_eq!(
        request["headers"],
        v["expected_one_click_request"]["headers"]
    );
    // The body's unsubscribe link is the same URL the header names.
    assert_eq!(
        format!("<{}>", message.data.unsubscribe_url),
        headers.list_unsubscribe
    );
}

#[test]
fn an_sms_carries_no_email_headers() {
    let cart = cart();
    let policy = policy("https://hooks.shop.example");
    let sms = render(Render {
        policy: &policy,
        action_id: "j1.sms-1.sms.0",
        channel: Channel::Sms,
        template: "sms",
        variant: "control",
        angle: Angle::Reminder,
        first_name: None,
        locale: None,
        cart: &cart,
        incentive: None,
        first_sms: true,
    })
    .message
    .expect("passes the audit");
    assert!(sms.headers.is_none());
}

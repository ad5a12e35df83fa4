//! Product images in emails (issue 17): Shopify's checkout webhooks carry none, the Web Pixel's
//! checkout events do (`lineItems[].variant.image.src`). The storefront's snapshot of the cart
//! lends its images to the platform's, line by line, in whichever order they arrive; an image
//! that is not https, too long or malformed is dropped with a typed reason, never a panic.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use rekindle::common::cart::{check_image_url, ImageRejected, MAX_IMAGE_URL};
use rekindle::model::action::Action;
use serde_json::{json, Value};

const SOCKS: &str = "https://cdn.shopify.com/s/files/1/0001/products/socks.png?v=1";

/// The storefront's snapshot of the same checkout: two lines, each with the image `images` gives.
fn beacon(at: &str, images: [&str; 2]) -> Value {
    json!({ "id": format!("b-{at}"), "at": at, "type": "abandoned", "origin": "storefront",
        "cart": { "token": "c1", "stage": "checkout", "currency": "USD", "recoveryUrl": "https://shop.example/checkouts/c1/recover",
            "items": [
                { "title": "Merino wool socks", "quantity": 2, "unitPrice": 1800, "productId": "gid://shopify/Product/1", "imageUrl": images[0] },
                { "title": "Trail cap", "quantity": 1, "unitPrice": 2400, "imageUrl": images[1] } ] } })
}

/// The platform's checkout, as a Shopify webhook gives it: the same lines, no image.
fn webhook(at: &str) -> Value {
    let mut e = checkout("w1", at, "c1");
    e["cart"]["items"] = json!([
        { "title": "Merino wool socks", "quantity": 2, "unitPrice": 1800, "productId": "gid://shopify/Product/1" },
        { "title": "Trail cap", "quantity": 1, "unitPrice": 2400, "productId": "gid://shopify/Product/2" } ]);
    e
}

fn first_email_html(shopper: &mut Shopper) -> String {
    let sent = shopper.run_until(t("2026-11-27T15:30:00Z"));
    sent.iter()
        .find_map(|a| match a {
            Action::Send { message, .. } => message.email.as_ref().map(|e| e.html.clone()),
            _ => None,
        })
        .expect("the first email went out, rendered")
}

#[test]
fn the_pixel_images_reach_the_email_when_the_beacon_comes_before_the_webhook() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(beacon("2026-11-27T14:59:00Z", [SOCKS, "https://cdn.shopify.com/cap.jpg"]), t("2026-11-27T14:59:00Z"));
    shopper.apply(webhook("2026-11-27T15:00:00Z"), t("2026-11-27T15:00:00Z"));
    let html = first_email_html(&mut shopper);
    assert!(html.contains(&format!("<img src=\"{SOCKS}\" alt=\"Merino wool socks\"")), "{html}");
    // The cap's line has no product id in the beacon: matched by title and variant.
    assert!(html.contains("<img src=\"https://cdn.shopify.com/cap.jpg\" alt=\"Trail cap\""), "{html}");
}

#[test]
fn the_pixel_images_reach_the_email_when_the_webhook_comes_first() {
    let mut shopper = Shopper::new(policy());
    shopper.apply(webhook("2026-11-27T15:00:00Z"), t("2026-11-27T15:00:00Z"));
    let d = shopper.apply(beacon("2026-11-27T15:01:00Z", [SOCKS, ""]), t("2026-11-27T15:01:00Z"));
    assert!(d.explanation.reasons().any(|r| r.code == "imagesAdded"), "{}", d.explanation.summary());
    let journey = &shopper.state.journeys[0];
    assert_eq!(journey.cart.items[0].unit_price, 1800, "the platform's cart stays the platform's");
    assert_eq!(journey.cart.items[1].product_id.as_deref(), Some("gid://shopify/Product/2"));
    let html = first_email_html(&mut shopper);
    assert!(html.contains("alt=\"Merino wool socks\""), "{html}");
    assert!(!html.contains("alt=\"Trail cap\""), "an empty image URL is no image");
}

#[test]
fn hostile_image_urls_are_dropped_with_their_reason() {
    let mut shopper = Shopper::new(policy());
    let d = shopper.apply(beacon("2026-11-27T14:59:00Z", ["javascript:alert(1)", "http://cdn.example.com/cap.jpg"]), t("2026-11-27T14:59:00Z"));
    let dropped: Vec<&str> = d.explanation.reasons().filter(|r| r.code == "imageDropped").map(|r| r.detail).collect();
    assert_eq!(dropped, ["the image of line 1 was dropped: notHttps", "the image of line 2 was dropped: notHttps"]);
    shopper.apply(webhook("2026-11-27T15:00:00Z"), t("2026-11-27T15:00:00Z"));
    assert!(shopper.state.journeys[0].cart.items.iter().all(|i| i.image_url.is_none()));
    let html = first_email_html(&mut shopper);
    assert!(!html.contains("javascript:") && !html.contains("http://cdn.example.com") && !html.contains("<img src=\"\""), "{html}");
    // From the platform too: the rule is the engine's, whoever sends the cart.
    let mut platform = Shopper::new(policy());
    let mut e = webhook("2026-11-27T15:00:00Z");
    e["cart"]["items"][0]["imageUrl"] = json!(format!("https://cdn.example.com/{}", "a".repeat(MAX_IMAGE_URL)));
    let d = platform.apply(e, t("2026-11-27T15:00:00Z"));
    assert!(d.explanation.reasons().any(|r| r.code == "imageDropped" && r.detail.ends_with("tooLong")), "{}", d.explanation.summary());
}

#[test]
fn an_image_url_is_https_capped_and_well_formed() {
    assert_eq!(check_image_url(SOCKS), Ok(()));
    for (url, why) in [
        ("javascript:alert(1)", ImageRejected::NotHttps),
        ("http://cdn.example.com/a.png", ImageRejected::NotHttps),
        ("data:image/png;base64,AAAA", ImageRejected::NotHttps),
        ("HTTPS://cdn.example.com/a.png", ImageRejected::NotHttps),
        ("//cdn.example.com/a.png", ImageRejected::NotHttps),
        ("https://", ImageRejected::Malformed),
        ("https:///a.png", ImageRejected::Malformed),
        ("https://cdn.example.com/a b.png", ImageRejected::Malformed),
        ("https://cdn.example.com/a.png\"onerror=\"x", ImageRejected::Malformed),
        ("https://cdn.example.com/<a>.png", ImageRejected::Malformed),
        ("https://cdn.example.com/a.png\n", ImageRejected::Malformed),
    ] {
        assert_eq!(check_image_url(url), Err(why), "{url}");
    }
    let long = format!("https://cdn.example.com/{}", "a".repeat(MAX_IMAGE_URL));
    assert_eq!(check_image_url(&long), Err(ImageRejected::TooLong));
}

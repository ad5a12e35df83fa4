//! The gallery's sample merchant and carts (one item, many items, a long title, a non-Latin
//! name; offers come with the offer keys): what `rekindle preview` renders and the tests check.
//! Native only: the wasm builds never carry them.

use super::brand::{Brand, DeliveryDays, Facts, Gift};
use super::compose::OfferTerms;
use crate::common::cart::{Cart, LineItem, Stage};
use crate::common::money::Known;

pub const STORE_NAME: &str = "Trailhead";
pub const BASE_URL: &str = "https://shop.example.com/rk";
pub const ACTION_ID: &str = "j_0123456789abcdef.email-1.email.0";
pub const CODE: &str = "CART-ABCD2345";

/// A merchant with every setting and fact stated.
pub fn brand() -> Brand {
    Brand {
        logo_url: Some("https://cdn.example.com/trailhead.png".into()),
        color: Some("#1d6b57".into()),
        sender_name: Some("Trailhead".into()),
        postal_address: Some("12 Canyon Rd, Boulder, CO 80302, USA".into()),
        support_email: Some("help@trailhead.example".into()),
        ..Brand::default()
    }
}

pub fn facts() -> Facts {
    Facts {
        return_window_days: Some(30),
        free_shipping_threshold_minor: Some(7500),
        delivery_days: Some(DeliveryDays { min: 2, max: 5 }),
        cart_held_hours: Some(48),
        guest_checkout: true,
        confirmed_categories: vec![],
        gift: Some(Gift {
            title: "Enamel camp mug".into(),
            url: Some("https://shop.example.com/products/enamel-camp-mug?variant=44000000000000001".into()),
        }),
    }
}

fn item(title: &str, variant: Option<&str>, quantity: u32, unit_price: i64) -> LineItem {
    LineItem {
        title: title.into(),
        variant: variant.map(Into::into),
        quantity,
        unit_price,
        category: None,
        unit_cost: None,
        product_id: None,
        image_url: Some("https://cdn.example.com/p/1.jpg".into()),
    }
}

fn cart(currency: &str, items: Vec<LineItem>, shipping: Known) -> Cart {
    Cart {
        token: "c1".into(),
        stage: Stage::Checkout,
        currency: currency.into(),
        shop_currency: None,
        shop_subtotal: None,
        items,
        shipping,
        tax: Known::Known(0),
        recovery_url: "https://shop.example/checkouts/c1/recover".into(),
        delivery_estimate: None,
    }
}

pub fn carts() -> Vec<(&'static str, Cart)> {
    vec![
        ("one-item", cart("USD", vec![item("Merino hiking socks", Some("Size M"), 1, 1800)], Known::Known(895))),
        (
            "many-items",
            cart(
                "EUR",
                vec![
                    item("Trail runner", Some("42"), 1, 12900),
                    item("Merino hiking socks", None, 3, 1800),
                    item("Headlamp", None, 1, 3450),
                ],
                Known::Unknown,
            ),
        ),
        (
            "long-title",
            cart("GBP", vec![item(&"Ultralight waterproof breathable three-layer hiking jacket ".repeat(3), None, 2, 24999)], Known::Known(0)),
        ),
        ("non-latin", cart("JPY", vec![item("登山用ソックス", Some("グレー"), 2, 2400)], Known::Known(500))),
    ]
}

/// The offer an offer key is about, with a code; None for the angle keys.
pub fn offer_for(key: &str) -> Option<OfferTerms> {
    let code = Some(CODE.to_string());
    Some(match key {
        "offer.freeShipping" | "offer.expeditedShipping" => OfferTerms { percent_off: 0, free_shipping: true, code },
        "offer.percentOff" | "offer.loyalty" => OfferTerms { percent_off: 10, free_shipping: false, code },
        "offer.gift" => OfferTerms { percent_off: 0, free_shipping: false, code },
        _ => return None,
    })
}

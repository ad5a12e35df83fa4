//! Shopify Web Pixel standard events → the same observations the DOM capture makes, so a
//! Shopify checkout and any other storefront reach the same summary by the same rules.
//! The events' shapes, as Shopify delivers them, are in `pixel_event`.

use super::observation::{Observation, ShownItem};
use super::page_consent::ChannelChoice;
use super::pixel_event::{At, PixelEvent};
use crate::common::cart::Stage;
use crate::common::channel::Channel;

/// The observations one pixel event stands for; none for an event Rekindle has no use for.
pub fn observations(event: PixelEvent) -> Vec<Observation> {
    let mut out = Vec::new();
    let root = event.root();
    let name = root.at("name").text().unwrap_or_default();
    let data = root.at("data");
    match name.as_str() {
        "page_viewed" => {
            let location = root.at("context").at("document").at("location");
            if location.exists() {
                let path = location.at("pathname").text().unwrap_or_default();
                let url = location.at("origin").text().map(|origin| format!("{origin}{path}"));
                out.push(Observation::Page { path, url });
            }
        }
        "product_added_to_cart" => {
            if let Some((currency, item)) = cart_line_item(data.at("cartLine")) {
                out.push(Observation::ItemAdded { currency, item });
            }
        }
        "cart_viewed" => {
            let cart = data.at("cart");
            if cart.exists() {
                let items: Vec<_> = cart.at("lines").items().filter_map(cart_line_item).collect();
                if let Some((currency, _)) = items.first() {
                    out.push(Observation::Cart {
                        token: cart.at("id").text(),
                        currency: currency.clone(),
                        items: items.into_iter().map(|(_, item)| item).collect(),
                        recovery_url: None,
                    });
                }
            }
        }
        "checkout_started"
        | "checkout_contact_info_submitted"
        | "checkout_address_info_submitted"
        | "checkout_shipping_info_submitted"
        | "payment_info_submitted" => {
            let checkout = data.at("checkout");
            if checkout.exists() {
                let shipping_chosen = name == "checkout_shipping_info_submitted";
                checkout_snapshot(checkout, shipping_chosen, &mut out);
            }
            if name != "checkout_started" {
                out.push(Observation::Interaction {});
            }
        }
        "checkout_completed" => out.push(Observation::Completed {}),
        "alert_displayed" => match data.at("alert").at("type").text().as_deref() {
            Some("PAYMENT_ERROR") => out.push(Observation::PaymentError {}),
            Some(
                "INPUT_INVALID" | "INPUT_REQUIRED" | "CONTACT_ERROR" | "DELIVERY_ERROR"
                | "DISCOUNT_ERROR" | "CHECKOUT_ERROR",
            ) => out.push(Observation::FormError {}),
            _ => {}
        },
        "input_blurred" => {
            let element = data.at("element");
            if element.exists() {
                let filled = element.at("value").text().is_some_and(|v| !v.trim().is_empty());
                out.push(Observation::FieldLeft {
                    name: element.at("name").text(),
                    id: element.at("id").text(),
                    filled,
                });
            }
        }
        "clicked" | "input_focused" | "input_changed" | "form_submitted" => {
            out.push(Observation::Interaction {})
        }
        _ => {}
    }
    out
}

fn checkout_snapshot(checkout: At, shipping_chosen: bool, out: &mut Vec<Observation>) {
    let currency = checkout.at("currencyCode").text().unwrap_or_default();
    let items = checkout
        .at("lineItems")
        .items()
        .filter_map(|line| {
            let variant = line.at("variant");
            if !variant.exists() {
                return None;
            }
            let product = variant.at("product");
            Some(ShownItem {
                title: line.at("title").text().or_else(|| product.at("title").text())?,
                quantity: quantity(line),
                price: variant.at("price").at("amount").price()?,
                variant: variant.at("title").text(),
                product_id: product.at("id").text(),
                category: product.at("type").text().filter(|t| !t.is_empty()),
                // Shopify's `ProductVariant.image.src`: what checkout webhooks lack.
                image_url: variant.at("image").at("src").text(),
            })
        })
        .collect();
    out.push(Observation::Cart {
        token: checkout.at("token").text(),
        currency,
        items,
        recovery_url: None,
    });
    out.push(Observation::Stage {
        stage: Stage::Checkout,
    });
    let address = match checkout.at("shippingAddress") {
        shipping if shipping.exists() => shipping,
        _ => checkout.at("billingAddress"),
    };
    let (email, phone) = (checkout.at("email").text(), checkout.at("phone").text());
    let first_name = address.at("firstName").text();
    if email.is_some() || phone.is_some() || first_name.is_some() {
        out.push(Observation::Identify { email, phone, first_name });
    }
    if let Some(country_code) = address.at("countryCode").text() {
        let province_code = address.at("provinceCode").text();
        out.push(Observation::Region {
            country_code,
            province_code,
        });
    }
    // Only a tick is evidence: an unticked box is the checkout's default, not a revocation.
    for (channel, accepts) in [
        (Channel::Email, checkout.at("buyerAcceptsEmailMarketing").flag()),
        (Channel::Sms, checkout.at("buyerAcceptsSmsMarketing").flag()),
    ] {
        if accepts == Some(true) {
            let evidence = format!(
                "Shopify checkout: buyerAccepts{}Marketing",
                if channel == Channel::Email {
                    "Email"
                } else {
                    "Sms"
                }
            );
            let choice = ChannelChoice {
                granted: true,
                text_version: None,
                evidence: Some(evidence),
            };
            out.push(Observation::ChannelConsent { channel, choice });
        }
    }
    if shipping_chosen {
        let amount = checkout.at("shippingLine").at("price").at("amount").price();
        out.push(Observation::ShippingCost { amount });
        let delivery = checkout.at("delivery");
        if delivery.exists() {
            let shown = delivery
                .at("selectedDeliveryOptions")
                .items()
                .any(|o| o.at("description").text().is_some_and(|d| !d.trim().is_empty()));
            out.push(Observation::DeliveryEstimate { shown });
        }
    }
}

fn cart_line_item(line: At) -> Option<(String, ShownItem)> {
    let variant = line.at("merchandise");
    let price = variant.at("price");
    let product = variant.at("product");
    let item = ShownItem {
        title: product.at("title").text().or_else(|| variant.at("title").text())?,
        quantity: quantity(line),
        price: price.at("amount").price()?,
        variant: variant.at("title").text(),
        product_id: product.at("id").text(),
        category: product.at("type").text().filter(|t| !t.is_empty()),
        image_url: variant.at("image").at("src").text(),
    };
    Some((price.at("currencyCode").text().unwrap_or_default(), item))
}

/// A line's `quantity`, 0 when absent.
fn quantity(line: At) -> u32 {
    line.at("quantity").number().unwrap_or(0.0).max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::money::ShownPrice;

    fn event(json: &str) -> Vec<Observation> {
        observations(serde_json::from_str(json).expect("an event"))
    }

    #[test]
    fn a_shipping_step_maps_to_cart_stage_contact_region_consent_cost_and_estimate() {
        let out = event(
            r#"{"name": "checkout_shipping_info_submitted", "data": {"checkout": {
                "token": "c1", "currencyCode": "EUR", "email": "ada@example.com", "buyerAcceptsSmsMarketing": true,
                "lineItems": [{"title": "Socks", "quantity": 2, "variant": {"title": "M", "price": {"amount": 18.5, "currencyCode": "EUR"},
                               "product": {"id": "p1", "title": "Merino socks", "type": "Apparel"}}},
                              {"title": "No variant", "quantity": 1}],
                "shippingAddress": null, "billingAddress": {"countryCode": "FR", "firstName": "Ada"},
                "shippingLine": {"price": {"amount": "4.90"}},
                "delivery": {"selectedDeliveryOptions": [{"description": " "}, {"description": "2-3 days"}]}}}}"#,
        );
        let [Observation::Cart { token, currency, items, .. }, Observation::Stage { .. }, Observation::Identify { email, first_name, .. }, Observation::Region { country_code, province_code }, Observation::ChannelConsent { channel: Channel::Sms, .. }, Observation::ShippingCost { amount: Some(ShownPrice::Text(cost)) }, Observation::DeliveryEstimate { shown: true }, Observation::Interaction {}] =
            out.as_slice()
        else {
            panic!("unexpected mapping: {out:?}");
        };
        assert_eq!((token.as_deref(), currency.as_str()), (Some("c1"), "EUR"));
        assert_eq!(items.len(), 1, "a line without a variant has no price: left out");
        assert_eq!((items[0].title.as_str(), items[0].quantity, &items[0].price), ("Socks", 2, &ShownPrice::Amount(18.5)));
        assert_eq!(items[0].category.as_deref(), Some("Apparel"));
        assert_eq!((email.as_deref(), first_name.as_deref()), (Some("ada@example.com"), Some("Ada")), "billing address when shipping is null");
        assert_eq!((country_code.as_str(), province_code), ("FR", &None));
        assert_eq!(cost, "4.90");
    }

    #[test]
    fn a_field_of_the_wrong_type_reads_as_absent_and_the_rest_still_counts() {
        let out = event(
            r#"{"name": "product_added_to_cart", "data": {"cartLine": {"quantity": "two",
                "merchandise": {"title": 7, "price": {"amount": 18, "currencyCode": "USD"}, "product": {"title": "Socks", "id": 1}}}}}"#,
        );
        let [Observation::ItemAdded { currency, item }] = out.as_slice() else { panic!("unexpected mapping: {out:?}") };
        assert_eq!(currency, "USD");
        assert_eq!((item.title.as_str(), item.quantity, item.variant.as_deref(), item.product_id.as_deref()), ("Socks", 0, None, None));
        assert_eq!(item.price, ShownPrice::Amount(18.0));
        assert!(event(r#"{"name": "product_added_to_cart", "data": {"cartLine": {"merchandise": {"title": "M"}}}}"#).is_empty(), "no price: no item");
        assert!(event(r#""not an event""#).is_empty());
        assert!(event(r#"{"name": "checkout_completed"}"#).iter().all(|o| matches!(o, Observation::Completed {})));
    }
}

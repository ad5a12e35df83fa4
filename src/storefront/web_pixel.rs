//! Shopify Web Pixel standard events → the same observations the DOM capture makes, so a
//! Shopify checkout and any other storefront reach the same summary by the same rules.
//! The events' shapes, as Shopify delivers them, are in `pixel_event`.

use super::observation::{Observation, ShownItem};
use super::page_consent::ChannelChoice;
use super::pixel_event::{CartLine, Checkout, PixelEvent};
use crate::common::cart::Stage;
use crate::common::channel::Channel;

/// The observations one pixel event stands for; none for an event Rekindle has no use for.
pub fn observations(event: PixelEvent) -> Vec<Observation> {
    let mut out = Vec::new();
    match event.name.as_str() {
        "page_viewed" => {
            if let Some(location) = event.context.document.and_then(|d| d.location) {
                let path = location.pathname.unwrap_or_default();
                let url = location.origin.map(|origin| format!("{origin}{path}"));
                out.push(Observation::Page { path, url });
            }
        }
        "product_added_to_cart" => {
            if let Some((currency, item)) = event.data.cart_line.as_ref().and_then(cart_line_item) {
                out.push(Observation::ItemAdded { currency, item });
            }
        }
        "cart_viewed" => {
            if let Some(cart) = event.data.cart {
                let items: Vec<_> = cart.lines.iter().filter_map(cart_line_item).collect();
                if let Some((currency, _)) = items.first() {
                    out.push(Observation::Cart {
                        token: cart.id,
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
            if let Some(checkout) = event.data.checkout {
                let shipping_chosen = event.name == "checkout_shipping_info_submitted";
                checkout_snapshot(checkout, shipping_chosen, &mut out);
            }
            if event.name != "checkout_started" {
                out.push(Observation::Interaction {});
            }
        }
        "checkout_completed" => out.push(Observation::Completed {}),
        "alert_displayed" => match event.data.alert.map(|a| a.kind).as_deref() {
            Some("PAYMENT_ERROR") => out.push(Observation::PaymentError {}),
            Some(
                "INPUT_INVALID" | "INPUT_REQUIRED" | "CONTACT_ERROR" | "DELIVERY_ERROR"
                | "DISCOUNT_ERROR" | "CHECKOUT_ERROR",
            ) => out.push(Observation::FormError {}),
            _ => {}
        },
        "input_blurred" => {
            if let Some(element) = event.data.element {
                let filled = element.value.is_some_and(|v| !v.trim().is_empty());
                out.push(Observation::FieldLeft {
                    name: element.name,
                    id: element.id,
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

fn checkout_snapshot(checkout: Checkout, shipping_chosen: bool, out: &mut Vec<Observation>) {
    let currency = checkout.currency_code.clone().unwrap_or_default();
    let items = checkout
        .line_items
        .iter()
        .filter_map(|line| {
            let variant = line.variant.as_ref()?;
            let product = variant.product.as_ref();
            Some(ShownItem {
                title: line
                    .title
                    .clone()
                    .or_else(|| product.and_then(|p| p.title.clone()))?,
                quantity: line.quantity.max(0.0) as u32,
                price: variant.price.as_ref()?.amount.clone(),
                variant: variant.title.clone(),
                product_id: product.and_then(|p| p.id.clone()),
                category: product
                    .and_then(|p| p.product_type.clone())
                    .filter(|t| !t.is_empty()),
                image_url: variant.image.as_ref().and_then(|i| i.src.clone()),
            })
        })
        .collect();
    out.push(Observation::Cart {
        token: checkout.token,
        currency,
        items,
        recovery_url: None,
    });
    out.push(Observation::Stage {
        stage: Stage::Checkout,
    });
    let address = checkout.shipping_address.or(checkout.billing_address);
    let first_name = address.as_ref().and_then(|a| a.first_name.clone());
    if checkout.email.is_some() || checkout.phone.is_some() || first_name.is_some() {
        out.push(Observation::Identify {
            email: checkout.email,
            phone: checkout.phone,
            first_name,
        });
    }
    if let Some(country_code) = address.as_ref().and_then(|a| a.country_code.clone()) {
        let province_code = address.and_then(|a| a.province_code);
        out.push(Observation::Region {
            country_code,
            province_code,
        });
    }
    // Only a tick is evidence: an unticked box is the checkout's default, not a revocation.
    for (channel, accepts) in [
        (Channel::Email, checkout.buyer_accepts_email_marketing),
        (Channel::Sms, checkout.buyer_accepts_sms_marketing),
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
        let amount = checkout
            .shipping_line
            .and_then(|s| s.price)
            .map(|p| p.amount);
        out.push(Observation::ShippingCost { amount });
        if let Some(delivery) = checkout.delivery {
            let shown = delivery.selected_delivery_options.iter().any(|o| {
                o.description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty())
            });
            out.push(Observation::DeliveryEstimate { shown });
        }
    }
}

fn cart_line_item(line: &CartLine) -> Option<(String, ShownItem)> {
    let variant = line.merchandise.as_ref()?;
    let price = variant.price.as_ref()?;
    let product = variant.product.as_ref();
    let item = ShownItem {
        title: product
            .and_then(|p| p.title.clone())
            .or_else(|| variant.title.clone())?,
        quantity: line.quantity.max(0.0) as u32,
        price: price.amount.clone(),
        variant: variant.title.clone(),
        product_id: product.and_then(|p| p.id.clone()),
        category: product
            .and_then(|p| p.product_type.clone())
            .filter(|t| !t.is_empty()),
        image_url: variant.image.as_ref().and_then(|i| i.src.clone()),
    };
    Some((price.currency_code.clone().unwrap_or_default(), item))
}

//! Shopify webhooks → engine events. The topic comes from `X-Shopify-Topic`, the event id
//! from `X-Shopify-Webhook-Id` (the same on every retry of one delivery, so a retry is a
//! duplicate the engine ignores).
//!
//! Shopify has no "abandoned" webhook: a checkout that exists and is not completed *is*
//! the abandonment (docs/compliance.md), and every step is re-checked when due, so a checkout that
//! turns into an order minutes later costs nothing.

use super::{contact_id, key, minor_units, normalise_email, normalise_phone, order_name};
use super::{DataRequest, Ingested, KeyKind, Routed};
use crate::common::cart::{Cart, LineItem, Stage};
use crate::common::channel::Channel;
use crate::common::money::{Known, Money};
use crate::compliance::consent::{ConsentSource, ConsentStatus};
use crate::error::{Code, Error, Result};
use crate::model::event::{
    CheckoutUpdated, ConsentChange, ContactDetails, Event, EventBody, OrderPlaced, OrderRef,
};
use chrono::{DateTime, Utc};
use crate::common::reader::Object;
use serde_json::Value;

/// The topics Rekindle subscribes to, spelled as Shopify sends them in `X-Shopify-Topic`
/// (tests/shopify_topics.rs checks each against Shopify's published list). The consent topics
/// are `customers_marketing_consent/update` (SMS) and `customers_email_marketing_consent/update`,
/// not `customers/...`: a misspelt topic is answered 400 and Shopify drops the subscription.
pub const TOPICS: &[&str] = &[
    "checkouts/create",
    "checkouts/update",
    "orders/create",
    "orders/paid",
    "orders/cancelled",
    "orders/edited",
    "refunds/create",
    "customers_marketing_consent/update",
    "customers_email_marketing_consent/update",
    "customers/redact",
    "customers/data_request",
    "shop/redact",
];

pub fn normalise(
    topic: &str,
    webhook_id: &str,
    body: &str,
    salt: &str,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    if webhook_id.trim().is_empty() {
        return Err(Error::new(
            Code::InvalidField,
            "$.webhookId",
            "X-Shopify-Webhook-Id is required: it is what makes a retry recognisable",
        ));
    }
    let id = format!("shopify:{webhook_id}");
    let mut out = Ingested::default();
    // A topic Rekindle does not take is refused before its body is read, as before.
    if !TOPICS.contains(&topic) {
        return Err(unsupported(topic));
    }
    let tree: Value = crate::error::parse_json(body)?;
    let body = Object::new(&tree, "$".to_string())?.missing_at_container();
    match topic {
        "checkouts/create" | "checkouts/update" => {
            out.routed.extend(checkout(Checkout::read(body)?, &id, salt)?);
        }
        "orders/create" | "orders/paid" => {
            out.routed.extend(order(Order::read(body)?, &id, salt, true)?);
        }
        "orders/cancelled" => out.routed.extend(order(Order::read(body)?, &id, salt, false)?),
        "refunds/create" => out.routed.push(refund(Refund::read(body)?, &id, salt)?),
        "orders/edited" => out.routed.push(order_edit(OrderEdited::read(body)?, &id, salt)?),
        "customers_marketing_consent/update" => {
            out.routed
                .extend(sms_consent(SmsConsentUpdate::read(body)?, &id, salt, now)?);
        }
        "customers_email_marketing_consent/update" => {
            out.routed
                .extend(email_consent(EmailConsentUpdate::read(body)?, &id, salt, now)?);
        }
        "customers/redact" => {
            let redact = Redact::read(body)?;
            let event = Event {
                id,
                at: now,
                body: EventBody::Erase,
            };
            // Every contact any of the customer's identities leads to; nobody new.
            out.routed = identity_keys(&redact.customer, salt)
                .into_iter()
                .map(|k| Routed {
                    lookup: vec![k],
                    contact_id: None,
                    links: vec![],
                    events: vec![event.clone()],
                })
                .collect();
        }
        "customers/data_request" => {
            let request = DataRequestBody::read(body)?;
            out.data_request = Some(DataRequest {
                request_id: request
                    .data_request
                    .and_then(|r| r.id)
                    .unwrap_or_else(|| webhook_id.to_string()),
                lookup: identity_keys(&request.customer, salt),
            });
        }
        "shop/redact" => {
            // Required, so a body meant for another topic is not taken for this one.
            let shop = ShopRedact::read(body)?;
            if shop.shop_domain.is_empty() {
                return Err(Error::new(
                    Code::InvalidField,
                    "$.shop_domain",
                    "must not be empty",
                ));
            }
            out.erase_shop = true;
        }
        other => return Err(unsupported(other)),
    }
    Ok(out)
}

fn unsupported(topic: &str) -> Error {
    Error::new(
        Code::UnknownEventType,
        "$.topic",
        format!("unsupported Shopify topic {topic:?}; supported: {}", TOPICS.join(", ")),
    )
}

// The payloads are read from their JSON tree by `common::reader`, not by derived
// deserializers: each of those was its own copy of serde_json's reader in the server wasm
// (BENCHMARKS.md, issue 20). Shopify adds fields to its payloads: unknown ones are ignored.

/// Shopify ids are integers up to 2^63: kept as exact decimal text. Accepts strings too.
fn id_text(o: &Object, key: &str) -> Result<Option<String>> {
    o.read(key, "an id: an integer or a non-empty string", |v| match v {
        // itoa, not `to_string`: core::fmt was ~7% of a checkout webhook's ingest in wasm (issue 20).
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Some(itoa::Buffer::new().format(u).to_owned()),
            (None, Some(i)) => Some(itoa::Buffer::new().format(i).to_owned()),
            _ => None,
        },
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

/// A field that must be there, if only as `null` (what serde asked of an `Option` field
/// without `default`); missing, it is reported where serde reported it.
fn present(o: &Object, key: &str) -> Result<()> {
    match o.fields().any(|field| field == key) {
        true => Ok(()),
        false => o.require(key, None::<()>),
    }
}

fn time(text: &str, path: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::new(
                Code::InvalidTimestamp,
                path,
                format!("not an RFC 3339 time: {e}"),
            )
        })
}

#[derive(Default)]
struct Customer {
    id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    first_name: Option<String>,
}

impl Customer {
    fn read(o: Object) -> Result<Customer> {
        Ok(Customer {
            id: id_text(&o, "id")?,
            email: o.text("email")?,
            phone: o.text("phone")?,
            first_name: o.text("first_name")?,
        })
    }
}

struct Address {
    country_code: Option<String>,
    province_code: Option<String>,
    first_name: Option<String>,
}

impl Address {
    fn read(o: Object) -> Result<Address> {
        Ok(Address {
            country_code: o.text("country_code")?,
            province_code: o.text("province_code")?,
            first_name: o.text("first_name")?,
        })
    }
}

impl Address {
    /// ISO 3166-2 ("US-KY"), or the country alone.
    fn region(&self) -> Option<String> {
        let country = self.country_code.as_deref().filter(|c| c.len() == 2)?;
        Some(
            match self.province_code.as_deref().filter(|p| !p.is_empty()) {
                Some(province) => format!("{country}-{province}"),
                None => country.to_string(),
            },
        )
    }
}

/// Shopify's MoneyBag (`price_set`, `total_tax_set`, ...): the amount in the shop's currency
/// and in the one the shopper saw.
#[derive(Default)]
struct MoneySet {
    shop_money: Option<MoneyV2>,
    presentment_money: Option<MoneyV2>,
}

impl MoneySet {
    fn read(o: Object) -> Result<MoneySet> {
        Ok(MoneySet {
            shop_money: o.object("shop_money")?.map(MoneyV2::read).transpose()?,
            presentment_money: o.object("presentment_money")?.map(MoneyV2::read).transpose()?,
        })
    }
}

struct MoneyV2 {
    amount: String,
    currency_code: String,
}

impl MoneyV2 {
    fn read(o: Object) -> Result<MoneyV2> {
        Ok(MoneyV2 { amount: o.required_text("amount")?, currency_code: o.required_text("currency_code")? })
    }
}

impl MoneySet {
    /// The presentment amount, if it is in `currency` (the one the cart is quoted in).
    fn presentment(&self, currency: &str) -> Option<&str> {
        let money = self.presentment_money.as_ref()?;
        (money.currency_code == currency).then_some(money.amount.as_str())
    }

    fn shop(&self, currency: &str) -> Option<&str> {
        let money = self.shop_money.as_ref()?;
        (money.currency_code == currency).then_some(money.amount.as_str())
    }
}

struct CheckoutLine {
    title: String,
    variant_title: Option<String>,
    quantity: u32,
    /// In the shopper's (presentment) currency on a checkout; `price_set` carries both.
    price: String,
    price_set: Option<MoneySet>,
    product_id: Option<String>,
}

impl CheckoutLine {
    fn read(o: Object) -> Result<CheckoutLine> {
        let quantity = o.count("quantity")?;
        Ok(CheckoutLine {
            title: o.required_text("title")?,
            variant_title: o.text("variant_title")?,
            quantity: o.require("quantity", quantity)?,
            price: o.required_text("price")?,
            price_set: o.object("price_set")?.map(MoneySet::read).transpose()?,
            product_id: id_text(&o, "product_id")?,
        })
    }
}

struct ShippingLine {
    price: String,
    price_set: Option<MoneySet>,
}

impl ShippingLine {
    fn read(o: Object) -> Result<ShippingLine> {
        Ok(ShippingLine {
            price: o.required_text("price")?,
            price_set: o.object("price_set")?.map(MoneySet::read).transpose()?,
        })
    }
}

struct Checkout {
    /// The checkout token: the journey's key. (The 2026 payload has no top-level `id`.)
    token: String,
    cart_token: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    /// The number the buyer consented to SMS marketing with, when they did.
    sms_marketing_phone: Option<String>,
    buyer_accepts_marketing: Option<bool>,
    buyer_accepts_sms_marketing: Option<bool>,
    updated_at: String,
    /// The shop's currency.
    currency: String,
    /// The currency the shopper saw and would pay in (Shopify Markets); absent or equal to
    /// `currency` for a single-currency shop.
    presentment_currency: Option<String>,
    total_tax_set: Option<MoneySet>,
    total_line_items_price_set: Option<MoneySet>,
    customer_locale: Option<String>,
    completed_at: Option<String>,
    line_items: Vec<CheckoutLine>,
    shipping_lines: Vec<ShippingLine>,
    total_tax: Option<String>,
    abandoned_checkout_url: Option<String>,
    shipping_address: Option<Address>,
    billing_address: Option<Address>,
    customer: Option<Customer>,
}

impl Checkout {
    fn read(o: Object) -> Result<Checkout> {
        let money_set = |key| o.object(key)?.map(MoneySet::read).transpose();
        let address = |key| o.object(key)?.map(Address::read).transpose();
        let line_items = o.objects("line_items", CheckoutLine::read)?;
        Ok(Checkout {
            token: o.required_text("token")?,
            cart_token: o.text("cart_token")?,
            email: o.text("email")?,
            phone: o.text("phone")?,
            sms_marketing_phone: o.text("sms_marketing_phone")?,
            buyer_accepts_marketing: o.flag("buyer_accepts_marketing")?,
            buyer_accepts_sms_marketing: o.flag("buyer_accepts_sms_marketing")?,
            updated_at: o.required_text("updated_at")?,
            currency: o.required_text("currency")?,
            presentment_currency: o.text("presentment_currency")?,
            total_tax_set: money_set("total_tax_set")?,
            total_line_items_price_set: money_set("total_line_items_price_set")?,
            customer_locale: o.text("customer_locale")?,
            completed_at: o.text("completed_at")?,
            line_items: o.require("line_items", line_items)?,
            shipping_lines: o.objects("shipping_lines", ShippingLine::read)?.unwrap_or_default(),
            total_tax: o.text("total_tax")?,
            abandoned_checkout_url: o.text("abandoned_checkout_url")?,
            shipping_address: address("shipping_address")?,
            billing_address: address("billing_address")?,
            customer: o.object("customer")?.map(Customer::read).transpose()?,
        })
    }
}

fn checkout(c: Checkout, id: &str, salt: &str) -> Result<Option<Routed>> {
    if c.completed_at.is_some() {
        // Completed: the order webhooks close the journey; nothing was abandoned.
        return Ok(None);
    }
    let at = time(&c.updated_at, "$.updated_at")?;
    // Messages quote what the shopper saw: the presentment currency and its amounts. The
    // policy's thresholds are in the shop's currency, compared against the platform's own
    // conversion (`shop_money`), never against the presentment number (src/common/cart.rs).
    let shop_currency = c.currency.clone();
    let currency = c
        .presentment_currency
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| shop_currency.clone());
    let no_set = MoneySet::default();
    let items = c
        .line_items
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let set = line.price_set.as_ref().unwrap_or(&no_set);
            let (price, path) = match set.presentment(&currency) {
                Some(p) => (p, format!("$.line_items[{i}].price_set.presentment_money.amount")),
                None => (line.price.as_str(), format!("$.line_items[{i}].price")),
            };
            Ok(LineItem {
                title: line.title.clone(),
                variant: line.variant_title.clone().filter(|v| !v.is_empty()),
                quantity: line.quantity,
                unit_price: minor_units(price, &currency, &path)?,
                category: None,
                product_id: line.product_id.clone(),
                // The merchant's costs come from the product catalogue, not the checkout.
                unit_cost: None,
                image_url: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let shop_subtotal = if currency == shop_currency {
        None
    } else {
        shop_subtotal(&c, &shop_currency)?
    };
    // Shipping is unknown until the shopper reached the shipping step.
    let shipping = if c.shipping_lines.is_empty() {
        Known::Unknown
    } else {
        let mut total = 0i64;
        for (i, line) in c.shipping_lines.iter().enumerate() {
            let set = line.price_set.as_ref().unwrap_or(&no_set);
            let price = set.presentment(&currency).unwrap_or(&line.price);
            total += minor_units(price, &currency, &format!("$.shipping_lines[{i}].price"))?;
        }
        Known::Known(total)
    };
    let tax_text = c
        .total_tax_set
        .as_ref()
        .and_then(|s| s.presentment(&currency))
        .or(c.total_tax.as_deref());
    let tax = match tax_text {
        Some(t) => Known::Known(minor_units(t, &currency, "$.total_tax")?),
        None => Known::Unknown,
    };
    let recovery_url = c
        .abandoned_checkout_url
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            Error::new(
                Code::InvalidField,
                "$.abandoned_checkout_url",
                "is required: recovery links redirect to it",
            )
        })?;
    let address = c.shipping_address.as_ref().or(c.billing_address.as_ref());
    let region = address.and_then(Address::region);
    let customer = c.customer.unwrap_or_default();
    let phone = [&c.sms_marketing_phone, &c.phone, &customer.phone]
        .into_iter()
        .flatten()
        .find_map(|p| normalise_phone(p, region.as_deref()));
    let identity = Identity {
        customer_id: customer.id.clone(),
        email: c
            .email
            .as_deref()
            .or(customer.email.as_deref())
            .and_then(normalise_email),
        phone,
    };
    let contact = ContactDetails {
        email: identity.email.clone(),
        phone: identity.phone.clone(),
        first_name: customer
            .first_name
            .clone()
            .or_else(|| address.and_then(|a| a.first_name.clone()))
            .filter(|n| !n.is_empty()),
        time_zone: None,
        region,
        locale: c.customer_locale.clone(),
        returning: None,
        mobile: None,
    };
    let cart = Cart {
        token: c.token.clone(),
        stage: Stage::Checkout,
        shop_currency: (currency != shop_currency).then_some(shop_currency),
        shop_subtotal,
        currency,
        items,
        shipping,
        tax,
        recovery_url,
        delivery_estimate: None,
    };
    let mut tokens = vec![key(salt, KeyKind::Token, &c.token)];
    if let Some(cart_token) = c.cart_token.as_deref().filter(|t| !t.is_empty()) {
        tokens.push(key(salt, KeyKind::Token, cart_token));
    }
    let event = Event {
        id: id.to_string(),
        at,
        body: EventBody::CheckoutUpdated(CheckoutUpdated {
            cart,
            contact,
            accepts_sms: c.buyer_accepts_sms_marketing,
            accepts_email: c.buyer_accepts_marketing,
        }),
    };
    Ok(Some(identity.route_checkout(salt, &c.token, tokens, event)))
}

/// The line items' subtotal in the shop's currency, from Shopify's own conversion: every
/// line's `price_set.shop_money`, else `total_line_items_price_set.shop_money`. None when the
/// payload has neither (the cart's value in the shop's currency is then unknown).
fn shop_subtotal(c: &Checkout, shop_currency: &str) -> Result<Option<i64>> {
    let mut total = 0i64;
    let mut every_line = true;
    for (i, line) in c.line_items.iter().enumerate() {
        match line.price_set.as_ref().and_then(|s| s.shop(shop_currency)) {
            Some(p) => {
                let path = format!("$.line_items[{i}].price_set.shop_money.amount");
                total += minor_units(p, shop_currency, &path)?.saturating_mul(line.quantity as i64);
            }
            None => every_line = false,
        }
    }
    if every_line && !c.line_items.is_empty() {
        return Ok(Some(total));
    }
    match c.total_line_items_price_set.as_ref().and_then(|s| s.shop(shop_currency)) {
        Some(p) => Ok(Some(minor_units(p, shop_currency, "$.total_line_items_price_set.shop_money.amount")?)),
        None => Ok(None),
    }
}

/// What identifies a shopper in a payload, strongest first.
struct Identity {
    customer_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Identity {
    fn keys(&self, salt: &str) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(id) = &self.customer_id {
            keys.push(key(salt, KeyKind::Customer, id));
        }
        if let Some(email) = &self.email {
            keys.push(key(salt, KeyKind::Email, email));
        }
        if let Some(phone) = &self.phone {
            keys.push(key(salt, KeyKind::Phone, phone));
        }
        keys
    }

    fn derived_contact(&self, salt: &str) -> Option<String> {
        if let Some(id) = &self.customer_id {
            Some(contact_id(salt, KeyKind::Customer, id))
        } else if let Some(email) = &self.email {
            Some(contact_id(salt, KeyKind::Email, email))
        } else {
            self.phone
                .as_deref()
                .map(|p| contact_id(salt, KeyKind::Phone, p))
        }
    }

    /// A checkout's email and phone are typed by whoever is at the keyboard: claims, not proof
    /// (docs/security.md, Identity). They never find an existing contact, so two shoppers who
    /// type the same address stay two contacts. The cart's tokens find its journey; the
    /// platform's customer id is the verified identity that joins carts; else the contact is
    /// this checkout's own. The addresses are still claimed as keys (first claim wins), for
    /// what only names an address: an order on another device, an SMS reply, an erasure.
    fn route_checkout(&self, salt: &str, checkout_token: &str, tokens: Vec<String>, event: Event) -> Routed {
        let identities = self.keys(salt);
        let mut lookup = tokens.clone();
        // The customer's key is the first of `keys` when there is one: hashed once for both.
        lookup.extend(self.customer_id.as_ref().map(|_| identities[0].clone()));
        let mut links = tokens;
        links.extend(identities);
        let contact = match &self.customer_id {
            Some(id) => contact_id(salt, KeyKind::Customer, id),
            None => contact_id(salt, KeyKind::Token, checkout_token),
        };
        Routed { lookup, contact_id: Some(contact), links, events: vec![event] }
    }

    /// Tokens first (whoever started this cart's journey keeps it), then identities.
    fn route(&self, salt: &str, tokens: Vec<String>, create: bool, event: Event) -> Routed {
        let identities = self.keys(salt);
        let mut lookup = tokens.clone();
        lookup.extend(identities.iter().cloned());
        let mut links = tokens;
        links.extend(identities);
        Routed {
            lookup,
            contact_id: if create {
                self.derived_contact(salt)
            } else {
                None
            },
            links,
            events: vec![event],
        }
    }
}

struct Order {
    id: Option<String>,
    checkout_token: Option<String>,
    cart_token: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    total_price: Option<String>,
    currency: Option<String>,
    processed_at: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    customer: Option<Customer>,
    /// The name the shopper and support know the order by ("#1001").
    name: Option<String>,
}

impl Order {
    fn read(o: Object) -> Result<Order> {
        present(&o, "id")?;
        Ok(Order {
            id: id_text(&o, "id")?,
            checkout_token: o.text("checkout_token")?,
            cart_token: o.text("cart_token")?,
            email: o.text("email")?,
            phone: o.text("phone")?,
            total_price: o.text("total_price")?,
            currency: o.text("currency")?,
            processed_at: o.text("processed_at")?,
            created_at: o.text("created_at")?,
            updated_at: o.text("updated_at")?,
            customer: o.object("customer")?.map(Customer::read).transpose()?,
            name: o.text("name")?,
        })
    }
}

fn order(o: Order, id: &str, salt: &str, placed: bool) -> Result<Option<Routed>> {
    let order_id =
        o.id.clone()
            .ok_or_else(|| Error::new(Code::InvalidField, "$.id", "is required"))?;
    let order_key = key(salt, KeyKind::Order, &order_id);
    let at_text = if placed {
        o.processed_at.as_ref().or(o.created_at.as_ref())
    } else {
        o.updated_at.as_ref().or(o.created_at.as_ref())
    };
    let at = time(
        at_text.ok_or_else(|| Error::new(Code::InvalidField, "$.created_at", "is required"))?,
        "$.created_at",
    )?;
    let body = if placed {
        let currency = o
            .currency
            .clone()
            .ok_or_else(|| Error::new(Code::InvalidField, "$.currency", "is required"))?;
        let total = o
            .total_price
            .as_deref()
            .ok_or_else(|| Error::new(Code::InvalidField, "$.total_price", "is required"))?;
        EventBody::OrderPlaced(OrderPlaced {
            order_id,
            // The journey is keyed by the checkout token; the cart token is the fallback.
            cart_token: o.checkout_token.clone().or_else(|| o.cart_token.clone()),
            total: Money::new(minor_units(total, &currency, "$.total_price")?, currency),
        })
    } else {
        EventBody::OrderCancelled(OrderRef { order_id })
    };
    let customer = o.customer.unwrap_or_default();
    let identity = Identity {
        customer_id: customer.id,
        email: o
            .email
            .as_deref()
            .or(customer.email.as_deref())
            .and_then(normalise_email),
        phone: o
            .phone
            .as_deref()
            .or(customer.phone.as_deref())
            .and_then(|p| normalise_phone(p, None)),
    };
    let tokens = [&o.checkout_token, &o.cart_token]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .map(|t| key(salt, KeyKind::Token, t))
        .collect();
    let event = Event {
        id: id.to_string(),
        at,
        body,
    };
    // An order from someone with no journey needs no state: only known contacts hear of it.
    // A placed order becomes a key of its contact, for the refunds that name only the order.
    let mut routed = identity.route(salt, tokens, false, event);
    if placed {
        // The order's name too, so support can find the shopper by the "#1001" of their email.
        let name = o.name.as_deref().map(order_name).filter(|n| !n.is_empty());
        routed.links = std::iter::once(order_key).chain(name.map(|n| key(salt, KeyKind::OrderName, &n))).collect();
    } else {
        // A cancellation finds the contact its order was linked to first.
        routed.links = vec![];
        routed.lookup.insert(0, order_key);
    }
    Ok(Some(routed))
}

struct Refund {
    order_id: Option<String>,
    processed_at: Option<String>,
    created_at: Option<String>,
}

impl Refund {
    fn read(o: Object) -> Result<Refund> {
        Ok(Refund {
            order_id: id_text(&o, "order_id")?,
            processed_at: o.text("processed_at")?,
            created_at: o.text("created_at")?,
        })
    }
}

/// `refunds/create` names its order only: it reaches the contact the placed order was linked to.
fn refund(r: Refund, id: &str, salt: &str) -> Result<Routed> {
    let order_id = r
        .order_id
        .ok_or_else(|| Error::new(Code::InvalidField, "$.order_id", "is required"))?;
    let at_text = r.processed_at.as_ref().or(r.created_at.as_ref());
    let at = time(
        at_text.ok_or_else(|| Error::new(Code::InvalidField, "$.created_at", "is required"))?,
        "$.created_at",
    )?;
    Ok(by_order(salt, id, at, order_id, EventBody::OrderRefunded))
}

/// An event that names only its order reaches the contact the placed order was linked to.
fn by_order(salt: &str, id: &str, at: DateTime<Utc>, order_id: String, body: fn(OrderRef) -> EventBody) -> Routed {
    Routed {
        lookup: vec![key(salt, KeyKind::Order, &order_id)],
        contact_id: None,
        links: vec![],
        events: vec![Event { id: id.to_string(), at, body: body(OrderRef { order_id }) }],
    }
}

struct OrderEdited {
    order_edit: OrderEdit,
}

impl OrderEdited {
    fn read(o: Object) -> Result<OrderEdited> {
        Ok(OrderEdited { order_edit: OrderEdit::read(o.required_object("order_edit")?)? })
    }
}

struct OrderEdit {
    order_id: Option<String>,
    /// When the edit was saved to the order (API 2024-07 and later); `created_at` before.
    committed_at: Option<String>,
    created_at: Option<String>,
}

impl OrderEdit {
    fn read(o: Object) -> Result<OrderEdit> {
        Ok(OrderEdit {
            order_id: id_text(&o, "order_id")?,
            committed_at: o.text("committed_at")?,
            created_at: o.text("created_at")?,
        })
    }
}

/// `orders/edited` names its order only (`order_edit.order_id`): like a refund, it reaches the
/// contact the placed order was linked to.
fn order_edit(e: OrderEdited, id: &str, salt: &str) -> Result<Routed> {
    let edit = e.order_edit;
    let order_id = edit
        .order_id
        .ok_or_else(|| Error::new(Code::InvalidField, "$.order_edit.order_id", "is required"))?;
    let at_text = edit.committed_at.as_ref().or(edit.created_at.as_ref());
    let at = time(
        at_text.ok_or_else(|| Error::new(Code::InvalidField, "$.order_edit.created_at", "is required"))?,
        "$.order_edit.created_at",
    )?;
    Ok(by_order(salt, id, at, order_id, EventBody::OrderEdited))
}

struct SmsConsentUpdate {
    id: Option<String>,
    phone: Option<String>,
    sms_marketing_consent: Option<ConsentState>,
}

impl SmsConsentUpdate {
    fn read(o: Object) -> Result<SmsConsentUpdate> {
        present(&o, "id")?;
        present(&o, "sms_marketing_consent")?;
        Ok(SmsConsentUpdate {
            id: id_text(&o, "id")?,
            phone: o.text("phone")?,
            sms_marketing_consent: o.object("sms_marketing_consent")?.map(ConsentState::read).transpose()?,
        })
    }
}

struct EmailConsentUpdate {
    customer_id: Option<String>,
    email_address: Option<String>,
    email_marketing_consent: Option<ConsentState>,
}

impl EmailConsentUpdate {
    fn read(o: Object) -> Result<EmailConsentUpdate> {
        present(&o, "customer_id")?;
        present(&o, "email_marketing_consent")?;
        Ok(EmailConsentUpdate {
            customer_id: id_text(&o, "customer_id")?,
            email_address: o.text("email_address")?,
            email_marketing_consent: o.object("email_marketing_consent")?.map(ConsentState::read).transpose()?,
        })
    }
}

struct ConsentState {
    state: Option<String>,
    consent_updated_at: Option<String>,
}

impl ConsentState {
    fn read(o: Object) -> Result<ConsentState> {
        Ok(ConsentState { state: o.text("state")?, consent_updated_at: o.text("consent_updated_at")? })
    }
}

/// Shopify's marketing states: only a definite one is recorded.
fn consent_status(state: Option<&str>) -> Option<ConsentStatus> {
    match state? {
        "subscribed" => Some(ConsentStatus::Granted),
        "unsubscribed" | "redacted" => Some(ConsentStatus::Revoked),
        "pending" => Some(ConsentStatus::Pending),
        // "not_subscribed", "invalid" or null: nothing was agreed or withdrawn.
        _ => None,
    }
}

fn consent_route(
    channel: Channel,
    identity: Identity,
    state: Option<ConsentState>,
    id: &str,
    salt: &str,
    now: DateTime<Utc>,
) -> Result<Option<Routed>> {
    let Some(state) = state else { return Ok(None) };
    let Some(status) = consent_status(state.state.as_deref()) else {
        return Ok(None);
    };
    let at = match state.consent_updated_at.as_deref() {
        Some(t) => time(t, "$.consent_updated_at")?,
        None => now,
    };
    let event = Event {
        id: id.to_string(),
        at,
        body: EventBody::ConsentChanged(ConsentChange {
            channel,
            status,
            source: ConsentSource::PlatformWebhook,
            text_version: None,
            evidence: Some(id.to_string()),
        }),
    };
    Ok(Some(identity.route(salt, vec![], true, event)))
}

fn sms_consent(
    u: SmsConsentUpdate,
    id: &str,
    salt: &str,
    now: DateTime<Utc>,
) -> Result<Option<Routed>> {
    let identity = Identity {
        customer_id: u.id,
        email: None,
        phone: u.phone.as_deref().and_then(|p| normalise_phone(p, None)),
    };
    consent_route(
        Channel::Sms,
        identity,
        u.sms_marketing_consent,
        id,
        salt,
        now,
    )
}

fn email_consent(
    u: EmailConsentUpdate,
    id: &str,
    salt: &str,
    now: DateTime<Utc>,
) -> Result<Option<Routed>> {
    let identity = Identity {
        customer_id: u.customer_id,
        email: u.email_address.as_deref().and_then(normalise_email),
        phone: None,
    };
    consent_route(
        Channel::Email,
        identity,
        u.email_marketing_consent,
        id,
        salt,
        now,
    )
}

struct Redact {
    customer: Customer,
}

impl Redact {
    fn read(o: Object) -> Result<Redact> {
        Ok(Redact { customer: Customer::read(o.required_object("customer")?)? })
    }
}

struct DataRequestBody {
    customer: Customer,
    data_request: Option<DataRequestId>,
}

impl DataRequestBody {
    fn read(o: Object) -> Result<DataRequestBody> {
        Ok(DataRequestBody {
            customer: Customer::read(o.required_object("customer")?)?,
            data_request: o.object("data_request")?.map(DataRequestId::read).transpose()?,
        })
    }
}

struct DataRequestId {
    id: Option<String>,
}

impl DataRequestId {
    fn read(o: Object) -> Result<DataRequestId> {
        Ok(DataRequestId { id: id_text(&o, "id")? })
    }
}

struct ShopRedact {
    shop_domain: String,
}

impl ShopRedact {
    fn read(o: Object) -> Result<ShopRedact> {
        Ok(ShopRedact { shop_domain: o.required_text("shop_domain")? })
    }
}

fn identity_keys(c: &Customer, salt: &str) -> Vec<String> {
    Identity {
        customer_id: c.id.clone(),
        email: c.email.as_deref().and_then(normalise_email),
        phone: c.phone.as_deref().and_then(|p| normalise_phone(p, None)),
    }
    .keys(salt)
}

//! Money as the shopper saw it: a EUR shop selling to a shopper in Poland who pays in PLN
//! (Shopify Markets). Messages quote the presentment money; segments, step conditions and
//! incentive rungs, written in the shop's currency, compare against Shopify's own conversion
//! (`*_set.shop_money`), never against the PLN number. Fixture:
//! tests/fixtures/shopify-multicurrency/checkouts_create_eur_shop_pln.json (its provenance is
//! in the file).

mod common;

use common::*;
use rekindle::model::action::Action;
use rekindle::common::cart::Cart;
use rekindle::model::contact::Contact;
use rekindle::model::event::EventBody;
use rekindle::engine::incentive::{self, Request};
use rekindle::ingest::shopify;
use rekindle::policy::IncentiveKind;
use serde_json::Value;

fn fixture() -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/shopify-multicurrency/checkouts_create_eur_shop_pln.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The fixture without any `*_set` field: the payload as the 2026 checkout sample has it.
fn without_money_sets() -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| !k.ends_with("_set"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(&fixture()).unwrap();
    strip(&mut v);
    v.to_string()
}

fn event(body: &str) -> Value {
    let out = shopify::normalise("checkouts/create", "w-pln", body, "salt", t("2026-11-27T15:00:00Z")).unwrap();
    serde_json::to_value(&out.routed[0].events[0]).unwrap()
}

fn cart(body: &str) -> Cart {
    let out = shopify::normalise("checkouts/create", "w-pln", body, "salt", t("2026-11-27T15:00:00Z")).unwrap();
    let EventBody::CheckoutUpdated(c) = &out.routed[0].events[0].body else { panic!() };
    c.cart.clone()
}

#[test]
fn the_cart_is_in_the_shoppers_currency_with_the_shops_value_beside_it() {
    let cart = cart(&fixture());
    assert_eq!(cart.currency, "PLN");
    assert_eq!(cart.subtotal().minor, 21070, "2 × 105.35 PLN");
    assert_eq!(cart.shop_currency.as_deref(), Some("EUR"));
    assert_eq!(cart.shop_subtotal_minor(), Some(4900), "2 × 24.50 EUR, Shopify's conversion");
    assert_eq!(cart.tax, rekindle::common::money::Known::Known(1264));
}

#[test]
fn messages_quote_zloty_not_euros() {
    let mut policy = policy();
    policy.store_name = Some("Trailhead".into());
    let mut s = Shopper::new(policy);
    let mut e = event(&fixture());
    e["contact"]["timeZone"] = "Europe/Warsaw".into();
    s.apply(e, t("2026-11-27T15:00:00Z"));
    let sent = s.run_until(t("2026-11-30T00:00:00Z"));
    let Some(Action::Send { message, .. }) = sent.first() else { panic!("nothing sent: {:?}", s.log) };
    assert_eq!(message.data.subtotal, "210.70 PLN");
    assert!(message.data.items.iter().all(|i| i.price == "105.35 PLN"), "{:?}", message.data.items);
    assert_eq!(message.data.tax.as_deref(), Some("12.64 PLN"));
    assert!(!serde_json::to_string(&message).unwrap().contains('€'));
}

#[test]
fn segments_compare_in_the_shops_currency() {
    // The persistent playbook is for carts of EUR 150 and more: 210.70 PLN is EUR 49.
    let mut s = Shopper::new(policy());
    s.apply(event(&fixture()), t("2026-11-27T15:00:00Z"));
    assert_eq!(s.state.journeys[0].playbook, "default");
    // Without a conversion the value is unknown: no threshold is met, the catch-all applies.
    let mut s = Shopper::new(policy());
    s.apply(event(&without_money_sets()), t("2026-11-27T15:00:00Z"));
    assert_eq!(s.state.journeys[0].playbook, "default");
}

#[test]
fn incentive_thresholds_compare_in_the_shops_currency() {
    let policy = policy();
    let contact = Contact::new("c1");
    let request = |cart: &Cart| incentive::choose(Request {
        rules: &policy.incentives,
        contact: &contact,
        cart,
        reasons: &[],
        journey_id: "j1",
        now: t("2026-11-27T15:00:00Z"),
    });
    // Expedited shipping needs EUR 150, free shipping EUR 50: EUR 49 earns 10% off.
    let offer = request(&cart(&fixture())).unwrap();
    assert_eq!(offer.kind, IncentiveKind::PercentOff);
    // Value in EUR unknown: no offer rather than one priced against zloty.
    assert!(request(&cart(&without_money_sets())).is_err());
}

#[test]
fn a_single_currency_checkout_is_unchanged() {
    let body = std::fs::read_to_string(format!("{}/tests/fixtures/vectors/shopify/checkouts_create.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let cart = cart(&body);
    assert_eq!((cart.currency.as_str(), cart.shop_currency.as_deref()), ("USD", None));
    assert_eq!(cart.shop_subtotal_minor(), Some(39800));
}

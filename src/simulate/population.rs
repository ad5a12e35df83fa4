//! The synthetic shoppers: one per abandonment, drawn from the world with the shopper's own
//! random stream, so every policy meets the same people.

use super::random::Stream;
use super::world::World;
use crate::common::cart::{Cart, LineItem, Stage};
use crate::common::reason::{Reason, ReasonSignal};
use chrono::{DateTime, Duration, TimeZone, Utc};

#[derive(Debug, Clone)]
pub struct Shopper {
    pub index: u64,
    pub abandoned_at: DateTime<Utc>,
    pub time_zone: String,
    pub region: String,
    pub cart: Cart,
    pub subtotal_minor: i64,
    pub reason: Reason,
    /// The storefront saw why (else no beacon reason reaches the engine).
    pub reason_detected: bool,
    pub email_consent: bool,
    pub sms_consent: bool,
    pub returning: bool,
    pub mobile: bool,
    /// Hours after abandonment at which they would buy with no message, if they would
    /// within the world's window.
    pub organic_hours: Option<f64>,
}

impl Shopper {
    pub fn draw(world: &World, seed: u64, index: u64) -> Shopper {
        let mut rng = Stream::shopper(seed, index);
        let zone = &world.zones[rng.pick(world.zones.iter().map(|z| z.share))];
        let tz: chrono_tz::Tz = zone.time_zone.parse().expect("checked on load");
        // A local day and hour, then a uniform minute: arrivals follow the shopper's clock.
        let day = (rng.uniform() * world.days as f64) as i64;
        let hour = rng.pick(world.arrival_hours.iter().copied()) as i64;
        let minute = rng.uniform() * 60.0;
        let start = world.start_at();
        let local_midnight = start.with_timezone(&tz).date_naive() + Duration::days(day);
        let local = local_midnight.and_hms_opt(0, 0, 0).expect("midnight exists")
            + Duration::hours(hour)
            + Duration::seconds((minute * 60.0) as i64);
        // A local time skipped by a DST change: take the instant an hour on.
        let abandoned_at = tz
            .from_local_datetime(&local)
            .earliest()
            .unwrap_or_else(|| tz.from_utc_datetime(&(local + Duration::hours(1))))
            .with_timezone(&Utc);

        let subtotal = (world.cart.median_minor * (world.cart.log_sigma * rng.normal()).exp()).round().max(100.0) as i64;
        let mut items = 1u32;
        let p_more = world.cart.extra_items_mean / (1.0 + world.cart.extra_items_mean);
        while items < 20 && rng.chance(p_more) {
            items += 1;
        }
        let cart = cart(index, &world.cart.currency, subtotal, items);
        let reason = world.reasons[rng.pick(world.reasons.iter().map(|r| r.share))].reason;
        let reason_detected = rng.chance(world.reason_detected);
        let email_consent = rng.chance(world.consent.email);
        let sms_consent = rng.chance(world.consent.sms);
        let returning = rng.chance(world.cart.returning_share);
        let mobile = rng.chance(world.cart.mobile_share);
        // Truncated exponential: buys within the window with probability `purchase`, at a
        // time drawn from the exponential conditioned on falling inside the window.
        let organic_hours = rng.chance(world.baseline.purchase).then(|| {
            let mean = world.baseline.mean_hours;
            let inside = 1.0 - (-world.window_hours / mean).exp();
            -mean * (1.0 - rng.uniform() * inside).ln()
        });
        Shopper {
            index,
            abandoned_at,
            time_zone: zone.time_zone.clone(),
            region: zone.region.clone(),
            subtotal_minor: cart.subtotal().minor,
            cart,
            reason,
            reason_detected,
            email_consent,
            sms_consent,
            returning,
            mobile,
            organic_hours,
        }
    }

    pub fn contact_id(&self) -> String {
        format!("sim-{}", self.index)
    }

    pub fn email(&self) -> String {
        format!("shopper{}@example.com", self.index)
    }

    /// A number in the shopper's own area (555-01xx: reserved for fiction), so the engine's
    /// zone hints agree with the address.
    pub fn phone(&self) -> String {
        let line = 100 + self.index % 100;
        match self.region.as_str() {
            "FR" => format!("+3361234{:04}", self.index % 10_000),
            "US-NY" => format!("+1212555{line:04}"),
            "US-FL" => format!("+1305555{line:04}"),
            "US-CA" => format!("+1415555{line:04}"),
            "US-CO" => format!("+1303555{line:04}"),
            _ => format!("+1512555{line:04}"),
        }
    }

    pub fn reasons(&self) -> Vec<ReasonSignal> {
        if self.reason_detected {
            vec![ReasonSignal { reason: self.reason, confidence: 0.8 }]
        } else {
            Vec::new()
        }
    }
}

/// `items` lines adding up to `subtotal` (the last line takes the rounding).
fn cart(index: u64, currency: &str, subtotal: i64, items: u32) -> Cart {
    let each = (subtotal / items as i64).max(1);
    let lines = (0..items)
        .map(|i| LineItem {
            title: format!("Item {}", i + 1),
            variant: None,
            quantity: 1,
            unit_price: if i + 1 == items { subtotal - each * (items as i64 - 1) } else { each },
            category: None,
            unit_cost: None,
            product_id: None,
            image_url: None,
        })
        .collect();
    let token = format!("simcart{index}");
    Cart {
        recovery_url: format!("https://shop.example/checkouts/{token}/recover"),
        token,
        stage: Stage::Checkout,
        currency: currency.to_string(),
        shop_currency: None,
        shop_subtotal: None,
        items: lines,
        shipping: Default::default(),
        tax: Default::default(),
        delivery_estimate: None,
    }
}

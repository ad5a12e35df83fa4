//! One shopper under one policy: the engine decides (through the runtime's loop, driver.rs),
//! the world answers (opens, clicks, STOP replies, unsubscribes, the order or its absence),
//! and the answers go back to the engine as the events a provider or Shopify would send.

use super::driver::Driver;
use super::population::Shopper;
use super::random::Stream;
use super::world::World;
use crate::common::channel::Channel;
use crate::common::money::Money;
use crate::model::action::Action;
use crate::model::event::{
    Abandoned, ActionRef, CheckoutUpdated, ContactDetails, EventBody, InboundSms, OrderPlaced, Origin, Unsubscribe,
};
use crate::model::offer::Offer;
use crate::policy::{IncentiveKind, Policy};
use chrono::{DateTime, Duration, Utc};

/// Klaviyo's default attribution: an order within 5 days of a message is that message's.
const LAST_TOUCH_HOURS: f64 = 120.0;

/// What happened to one shopper under one policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Ordered within the world's window.
    pub ordered: bool,
    pub revenue_minor: i64,
    pub emails: u32,
    pub sms: u32,
    pub sms_segments: u32,
    pub unsubscribes: u32,
    pub offers: u32,
    /// What the redeemed incentive cost the merchant (zero unless they ordered after it).
    pub incentive_cost_minor: i64,
    /// The engine held the journey out (measured, never messaged).
    pub holdout: bool,
    /// The last message within 5 days before the order, as vendors attribute it.
    pub last_touch: Option<Channel>,
}

/// A world response still to be handed to the engine.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Opened(usize),
    Clicked(usize),
    Unsubscribed(Channel),
}

/// The shopper with no message at all: the counterfactual every policy is measured against.
pub fn baseline(shopper: &Shopper) -> Outcome {
    Outcome {
        ordered: shopper.organic_hours.is_some(),
        revenue_minor: if shopper.organic_hours.is_some() { shopper.subtotal_minor } else { 0 },
        ..Outcome::default()
    }
}

/// One shopper's whole journey under `policy` (as given: no holdout or store name added).
pub fn shopper_under(world: &World, policy: &Policy, seed: u64, shopper: &Shopper) -> Outcome {
    let t0 = shopper.abandoned_at;
    let end = t0 + hours(world.window_hours);
    let mut driver = Driver::new(policy, shopper.contact_id());
    let mut out = Outcome::default();
    let reasons = shopper.reasons();
    if !reasons.is_empty() {
        // The storefront's beacon: why they left (a browser cannot start sends by itself).
        driver.apply(
            EventBody::Abandoned(Abandoned {
                origin: Origin::Storefront,
                cart: shopper.cart.clone(),
                contact: ContactDetails { time_zone: Some(shopper.time_zone.clone()), ..Default::default() },
                reasons,
            }),
            t0,
        );
    }
    let checkout = CheckoutUpdated {
        cart: shopper.cart.clone(),
        contact: ContactDetails {
            email: Some(shopper.email()),
            phone: shopper.sms_consent.then(|| shopper.phone()),
            first_name: Some("Sam".into()),
            time_zone: Some(shopper.time_zone.clone()),
            region: Some(shopper.region.clone()),
            locale: None,
            returning: Some(shopper.returning),
            mobile: Some(shopper.mobile),
        },
        accepts_sms: Some(shopper.sms_consent),
        accepts_email: Some(shopper.email_consent),
    };
    let mut sent: Vec<(String, Channel, DateTime<Utc>)> = Vec::new();
    let mut offer: Option<Offer> = None;
    let mut organic = shopper.organic_hours.map(|h| t0 + hours(h));
    let mut caused: Option<DateTime<Utc>> = None;
    let mut answers: Vec<(DateTime<Utc>, Answer)> = Vec::new();
    let mut actions = driver.apply(EventBody::CheckoutUpdated(checkout), t0);
    out.holdout = driver.state.journeys.iter().any(|j| j.holdout);
    let mut now = t0;
    loop {
        for action in actions.drain(..) {
            match action {
                Action::Send { id, channel, message, .. } => {
                    let respond = Respond { world, seed, shopper, now, t0 };
                    match channel {
                        Channel::Email => out.emails += 1,
                        Channel::Sms => {
                            out.sms += 1;
                            out.sms_segments += message.sms.as_ref().map_or(1, |s| s.segments.count as u32);
                        }
                    }
                    let nth = sent.iter().filter(|(_, c, _)| *c == channel).count() as u32;
                    let earlier = sent.len() as i32;
                    sent.push((id, channel, now));
                    respond.to(channel, nth, earlier, sent.len() - 1, &mut organic, &mut caused, &mut answers);
                }
                Action::RequestCoupon { offer: o, .. } => {
                    out.offers += 1;
                    offer = Some(o);
                }
                _ => {}
            }
        }
        let order_at = match (organic, caused) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let due_at = driver.next_due().map(|(_, at)| at);
        let answer = answers.iter().enumerate().min_by_key(|(_, (at, _))| *at).map(|(i, (at, _))| (i, *at));
        let next = [due_at, answer.map(|a| a.1), order_at].into_iter().flatten().min();
        let Some(next) = next.filter(|at| *at <= end) else { break };
        now = next;
        if Some(next) == due_at {
            actions = driver.fire_next().unwrap_or_default();
        } else if Some(next) == answer.map(|a| a.1) {
            let (_, answer) = answers.swap_remove(answer.expect("chosen").0);
            let body = match answer {
                Answer::Opened(i) => EventBody::Opened(ActionRef { action_id: sent[i].0.clone() }),
                Answer::Clicked(i) => EventBody::Clicked(ActionRef { action_id: sent[i].0.clone() }),
                Answer::Unsubscribed(Channel::Email) => EventBody::Unsubscribed(Unsubscribe { channel: Some(Channel::Email) }),
                Answer::Unsubscribed(Channel::Sms) => {
                    EventBody::SmsReceived(InboundSms { body: "STOP".into(), provider_keyword: None })
                }
            };
            if let Answer::Unsubscribed(_) = answer {
                out.unsubscribes += 1;
            }
            actions = driver.apply(body, now);
        } else {
            driver.apply(
                EventBody::OrderPlaced(OrderPlaced {
                    order_id: format!("simorder{}", shopper.index),
                    cart_token: Some(shopper.cart.token.clone()),
                    total: Money::new(shopper.subtotal_minor, shopper.cart.currency.clone()),
                }),
                now,
            );
            out.ordered = true;
            out.revenue_minor = shopper.subtotal_minor;
            out.last_touch = sent
                .iter()
                .rev()
                .find(|(_, _, at)| *at <= now && now - *at <= hours(LAST_TOUCH_HOURS))
                .map(|(_, channel, _)| *channel);
            out.incentive_cost_minor = offer.as_ref().map_or(0, |o| incentive_cost(o, policy, world, shopper.subtotal_minor));
            break;
        }
    }
    out
}

/// What a redeemed offer costs the merchant.
fn incentive_cost(offer: &Offer, policy: &Policy, world: &World, subtotal: i64) -> i64 {
    match offer.kind {
        IncentiveKind::PercentOff | IncentiveKind::Loyalty => subtotal * offer.percent as i64 / 100,
        IncentiveKind::FreeShipping => world.shipping_cost_minor,
        kind => policy.incentives.ladder.iter().find(|r| r.kind == kind).map_or(0, |r| r.cost_minor),
    }
}

/// The world's answer to one delivered message.
struct Respond<'a> {
    world: &'a World,
    seed: u64,
    shopper: &'a Shopper,
    now: DateTime<Utc>,
    t0: DateTime<Utc>,
}

impl Respond<'_> {
    #[allow(clippy::too_many_arguments)]
    fn to(
        &self,
        channel: Channel,
        nth: u32,
        earlier: i32,
        sent_index: usize,
        organic: &mut Option<DateTime<Utc>>,
        caused: &mut Option<DateTime<Utc>>,
        answers: &mut Vec<(DateTime<Utc>, Answer)>,
    ) {
        let world = self.world;
        let now = self.now;
        let response = match channel {
            Channel::Email => &world.email,
            Channel::Sms => &world.sms,
        };
        // Every draw is made, used or not, so the n-th message's answers line up across
        // policies (common random numbers).
        let mut rng = Stream::message(self.seed, self.shopper.index, channel, nth);
        let (u_open, u_click, u_unsub, u_lift, u_deter) = (rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform());
        let open_delay = rng.exponential(response.open_delay_minutes);
        let click_delay = rng.exponential(2.0);
        let unsub_delay = rng.exponential(response.open_delay_minutes);
        let order_delay = rng.exponential(world.effect.order_delay_minutes);
        let checkout_minutes = rng.exponential(world.effect.checkout_minutes);

        let since = (now - self.t0).num_milliseconds() as f64 / 3_600_000.0;
        let effect = world.lift(since, channel);
        let scale = (self.shopper.subtotal_minor as f64 / world.effect.reference_minor).powf(world.effect.value_elasticity)
            * world.effect.repeat_decay.powi(earlier);
        let pending = |at: &Option<DateTime<Utc>>| at.is_some_and(|at| at > now);
        let already = |at: &Option<DateTime<Utc>>| at.is_some_and(|at| at <= now);
        let bought = already(organic) || already(caused);
        let mut clicked_at = None;
        if u_open < response.open {
            let opened = now + minutes(open_delay);
            answers.push((opened, Answer::Opened(sent_index)));
            if u_click < response.click_given_open {
                clicked_at = Some(opened + minutes(click_delay));
            }
        }
        if !bought && u_lift < (effect.lift * scale).min(1.0) {
            // A shopper the message brings back comes through its link, then checks out.
            let through = now + minutes(order_delay);
            let at = through + minutes(checkout_minutes);
            if caused.is_none_or(|c| at < c) {
                *caused = Some(at);
            }
            clicked_at = Some(clicked_at.map_or(through, |c: DateTime<Utc>| c.min(through)));
        }
        if let Some(at) = clicked_at {
            answers.push((at, Answer::Clicked(sent_index)));
        }
        if pending(organic) && u_deter < (effect.deter * scale).min(1.0) {
            *organic = None;
        }
        if u_unsub < response.unsubscribe {
            answers.push((now + minutes(unsub_delay), Answer::Unsubscribed(channel)));
        }
    }
}

fn minutes(m: f64) -> Duration {
    Duration::milliseconds((m * 60_000.0) as i64)
}

fn hours(h: f64) -> Duration {
    Duration::milliseconds((h * 3_600_000.0) as i64)
}

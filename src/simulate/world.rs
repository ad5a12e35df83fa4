//! The world a simulation runs in, as a documented JSON with its sources: who abandons carts
//! (arrivals, zones, cart values, reasons, consent), what they would do with no message (the
//! baseline), and how they answer a message (opens, clicks, unsubscribes, and the message's
//! effect on purchase by hours since abandonment, growing with cart value).
//!
//! Every number in a shipped world names its source in `sources` or is listed as an
//! assumption there (docs/simulation.md has the tables).

use crate::common::reason::Reason;
use crate::error::{Code, Error, Problem, Result};
use serde::{Deserialize, Serialize};

/// The shipped worlds: `vendor` takes the vendors' benchmarks as if messages caused them;
/// `randomised` follows the field experiments (Li et al. 2021).
pub const VENDOR: &str = include_str!("worlds/vendor.json");
pub const RANDOMISED: &str = include_str!("worlds/randomised.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct World {
    pub name: String,
    pub description: String,
    /// Where each number comes from; anything not from a source is an `assumption` entry.
    pub sources: Vec<SourceNote>,
    /// Abandonments arrive uniformly over this many days, from `start`.
    pub days: u32,
    /// RFC 3339: when the first simulated day starts (a Monday keeps weekdays plain).
    pub start: String,
    /// Relative weight of each local hour 0..24 for the moment of abandonment.
    pub arrival_hours: Vec<f64>,
    pub zones: Vec<ZoneShare>,
    pub cart: CartModel,
    pub reasons: Vec<ReasonShare>,
    /// Share of abandonments whose reason the storefront detects and reports.
    pub reason_detected: f64,
    pub consent: ConsentModel,
    pub baseline: Baseline,
    pub email: ChannelResponse,
    pub sms: ChannelResponse,
    pub effect: Effect,
    /// What one SMS segment costs, minor units of the cart's currency.
    pub sms_segment_cost_minor: f64,
    /// What waiving shipping costs the merchant, minor units (for free-shipping offers).
    pub shipping_cost_minor: i64,
    /// Orders this long after abandonment are outside the comparison (the policies' window).
    pub window_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceNote {
    /// Which fields it supports, e.g. `email.click`.
    pub fields: Vec<String>,
    /// The source, or "assumption: why".
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZoneShare {
    pub time_zone: String,
    /// ISO 3166-2 region of the shipping address ("US-TX"): the jurisdiction rules follow it.
    pub region: String,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CartModel {
    pub currency: String,
    /// Cart subtotals are log-normal: this median and this sigma of the log.
    pub median_minor: f64,
    pub log_sigma: f64,
    /// Items per cart: 1 + a geometric count with this mean.
    pub extra_items_mean: f64,
    pub returning_share: f64,
    pub mobile_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonShare {
    pub reason: Reason,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentModel {
    /// Gave an email address and accepted email marketing at checkout.
    pub email: f64,
    /// Gave a phone and confirmed SMS marketing consent (platform-confirmed).
    pub sms: f64,
}

/// What a shopper does with no message: buys on their own with this probability within the
/// window, after an exponentially distributed delay with this mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Baseline {
    pub purchase: f64,
    pub mean_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelResponse {
    /// Opened (email) or read (SMS), per message delivered.
    pub open: f64,
    /// Clicked, given opened.
    pub click_given_open: f64,
    /// Unsubscribed (email) or replied STOP (SMS), per message delivered.
    pub unsubscribe: f64,
    /// Mean minutes from delivery to the open.
    pub open_delay_minutes: f64,
}

/// What a message does to purchase, by hours since abandonment when it is delivered. Each
/// message, for a shopper who has not bought yet: with probability `lift` brings them back
/// through its link (after `orderDelayMinutes` on average) to order (`checkoutMinutes`
/// later) when they otherwise would not have then; with
/// probability `deter` cancels an organic purchase still to come (Li et al.: "too early
/// retargeting backfires"). Both scale with (cart value / `referenceMinor`)^`valueElasticity`
/// (Li et al.: both effects grow with cart price) and by `repeatDecay` per earlier message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Effect {
    pub windows: Vec<EffectWindow>,
    pub reference_minor: f64,
    pub value_elasticity: f64,
    pub repeat_decay: f64,
    pub order_delay_minutes: f64,
    /// Mean minutes from that click to the order.
    pub checkout_minutes: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EffectWindow {
    /// Hours since abandonment, [from, to).
    pub from_hours: f64,
    pub to_hours: f64,
    pub email: Lift,
    pub sms: Lift,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lift {
    pub lift: f64,
    #[serde(default)]
    pub deter: f64,
}

impl World {
    /// Parse and check a world: every probability in [0, 1], shares that add up to something.
    pub fn from_json(text: &str) -> Result<World> {
        let world: World = crate::error::parse_json(text)?;
        world.check()?;
        Ok(world)
    }

    pub fn vendor() -> World {
        World::from_json(VENDOR).expect("the shipped vendor world is valid")
    }

    pub fn randomised() -> World {
        World::from_json(RANDOMISED).expect("the shipped randomised world is valid")
    }

    /// A shipped world by name.
    pub fn named(name: &str) -> Option<World> {
        match name {
            "vendor" => Some(World::vendor()),
            "randomised" => Some(World::randomised()),
            _ => None,
        }
    }

    pub(super) fn start_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(&self.start).expect("checked on load").with_timezone(&chrono::Utc)
    }

    /// The effect window a message delivered `hours` after abandonment falls in.
    pub fn lift(&self, hours: f64, channel: crate::common::channel::Channel) -> Lift {
        use crate::common::channel::Channel;
        self.effect
            .windows
            .iter()
            .find(|w| hours >= w.from_hours && hours < w.to_hours)
            .map_or(Lift { lift: 0.0, deter: 0.0 }, |w| match channel {
                Channel::Email => w.email,
                Channel::Sms => w.sms,
            })
    }

    fn check(&self) -> Result<()> {
        let mut problems: Vec<(String, String)> = Vec::new();
        fn probability_at(problems: &mut Vec<(String, String)>, path: &str, p: f64) {
            if !(0.0..=1.0).contains(&p) {
                problems.push((path.to_string(), format!("a probability in [0, 1], not {p}")));
            }
        }
        fn positive_at(problems: &mut Vec<(String, String)>, path: &str, x: f64) {
            if !(x.is_finite() && x > 0.0) {
                problems.push((path.to_string(), format!("must be a positive number, not {x}")));
            }
        }
        probability_at(&mut problems, "$.reasonDetected", self.reason_detected);
        probability_at(&mut problems, "$.consent.email", self.consent.email);
        probability_at(&mut problems, "$.consent.sms", self.consent.sms);
        probability_at(&mut problems, "$.cart.returningShare", self.cart.returning_share);
        probability_at(&mut problems, "$.cart.mobileShare", self.cart.mobile_share);
        probability_at(&mut problems, "$.baseline.purchase", self.baseline.purchase);
        for (name, r) in [("email", &self.email), ("sms", &self.sms)] {
            probability_at(&mut problems, &format!("$.{name}.open"), r.open);
            probability_at(&mut problems, &format!("$.{name}.clickGivenOpen"), r.click_given_open);
            probability_at(&mut problems, &format!("$.{name}.unsubscribe"), r.unsubscribe);
        }
        probability_at(&mut problems, "$.effect.repeatDecay", self.effect.repeat_decay);
        for (i, w) in self.effect.windows.iter().enumerate() {
            for (name, l) in [("email", w.email), ("sms", w.sms)] {
                probability_at(&mut problems, &format!("$.effect.windows[{i}].{name}.lift"), l.lift);
                probability_at(&mut problems, &format!("$.effect.windows[{i}].{name}.deter"), l.deter);
            }
            if w.to_hours <= w.from_hours {
                problems.push((format!("$.effect.windows[{i}].toHours"), "must be after fromHours".into()));
            }
        }
        positive_at(&mut problems, "$.cart.medianMinor", self.cart.median_minor);
        positive_at(&mut problems, "$.baseline.meanHours", self.baseline.mean_hours);
        positive_at(&mut problems, "$.effect.referenceMinor", self.effect.reference_minor);
        positive_at(&mut problems, "$.effect.orderDelayMinutes", self.effect.order_delay_minutes);
        positive_at(&mut problems, "$.effect.checkoutMinutes", self.effect.checkout_minutes);
        positive_at(&mut problems, "$.email.openDelayMinutes", self.email.open_delay_minutes);
        positive_at(&mut problems, "$.sms.openDelayMinutes", self.sms.open_delay_minutes);
        positive_at(&mut problems, "$.windowHours", self.window_hours);
        if self.days == 0 {
            problems.push(("$.days".into(), "at least one day".into()));
        }
        if self.arrival_hours.len() != 24 || self.arrival_hours.iter().all(|w| *w <= 0.0) {
            problems.push(("$.arrivalHours".into(), "24 weights, not all zero".into()));
        }
        if self.zones.iter().map(|z| z.share).sum::<f64>() <= 0.0 {
            problems.push(("$.zones".into(), "at least one zone with a positive share".into()));
        }
        for (i, z) in self.zones.iter().enumerate() {
            if z.time_zone.parse::<chrono_tz::Tz>().is_err() {
                problems.push((format!("$.zones[{i}].timeZone"), format!("not an IANA zone: {}", z.time_zone)));
            }
        }
        if self.reasons.iter().map(|r| r.share).sum::<f64>() <= 0.0 {
            problems.push(("$.reasons".into(), "at least one reason with a positive share".into()));
        }
        if chrono::DateTime::parse_from_rfc3339(&self.start).is_err() {
            problems.push(("$.start".into(), "an RFC 3339 time".into()));
        }
        if self.sources.is_empty() {
            problems.push(("$.sources".into(), "a world names its sources".into()));
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error {
            problems: problems
                .into_iter()
                .map(|(path, message)| Problem { code: Code::InvalidField, path, message })
                .collect(),
        })
    }
}

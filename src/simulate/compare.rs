//! Side by side, with intervals. Every policy meets the same shoppers with the same random
//! numbers (random.rs), so each figure is a mean over shoppers of a paired difference (the
//! policy's outcome minus the no-message baseline's, or minus another policy's), and its 95%
//! interval is the normal one, mean ± 1.96 · sd / √n: with thousands of shoppers the mean of
//! a bounded per-shopper difference is close to normal (central limit theorem).

use super::run::Outcome;
use serde::Serialize;

/// The normal quantile for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A running mean and variance (Welford), so a million shoppers need no list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mean {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Mean {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The mean times `scale`, with its 95% interval.
    pub fn interval(&self, scale: f64) -> Interval {
        let sd = if self.n > 1 { (self.m2 / (self.n - 1) as f64).sqrt() } else { 0.0 };
        let half = Z95 * sd / (self.n.max(1) as f64).sqrt();
        Interval { estimate: self.mean * scale, low: (self.mean - half) * scale, high: (self.mean + half) * scale }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// The interval lies wholly above zero.
    pub fn positive(&self) -> bool {
        self.low > 0.0
    }

    pub fn negative(&self) -> bool {
        self.high < 0.0
    }
}

/// One policy's running sums over shoppers.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub shoppers: u64,
    incremental_orders: Mean,
    incremental_revenue: Mean,
    incremental_net: Mean,
    orders: Mean,
    messages: Mean,
    emails: Mean,
    sms: Mean,
    sms_cost: Mean,
    unsubscribes: Mean,
    incentive_cost: Mean,
    offers: Mean,
    /// Against the first policy of the run, paired shopper by shopper.
    orders_vs_first: Mean,
    messages_vs_first: Mean,
    /// The engine's holdout: orders of held-out journeys (calibration reads it).
    held_out: Mean,
    /// Vendor-style last-touch attribution (calibration reads it).
    pub emails_sent: u64,
    pub email_attributed_orders: u64,
    pub email_attributed_revenue_minor: i64,
    pub sms_sent: u64,
    pub sms_attributed_revenue_minor: i64,
}

impl Tally {
    pub fn add(&mut self, outcome: &Outcome, baseline: &Outcome, first: &Outcome, sms_segment_cost: f64) {
        let ordered = |o: &Outcome| o.ordered as u8 as f64;
        let sms_cost = outcome.sms_segments as f64 * sms_segment_cost;
        let net = |o: &Outcome, sms_cost: f64| o.revenue_minor as f64 - o.incentive_cost_minor as f64 - sms_cost;
        self.shoppers += 1;
        self.incremental_orders.add(ordered(outcome) - ordered(baseline));
        self.incremental_revenue.add((outcome.revenue_minor - baseline.revenue_minor) as f64);
        self.incremental_net.add(net(outcome, sms_cost) - net(baseline, 0.0));
        self.orders.add(ordered(outcome));
        let messages = (outcome.emails + outcome.sms) as f64;
        self.messages.add(messages);
        self.emails.add(outcome.emails as f64);
        self.sms.add(outcome.sms as f64);
        self.sms_cost.add(sms_cost);
        self.unsubscribes.add(outcome.unsubscribes as f64);
        self.incentive_cost.add(outcome.incentive_cost_minor as f64);
        self.offers.add(outcome.offers as f64);
        self.orders_vs_first.add(ordered(outcome) - ordered(first));
        self.messages_vs_first.add(messages - (first.emails + first.sms) as f64);
        if outcome.holdout {
            self.held_out.add(ordered(outcome));
        }
        self.emails_sent += outcome.emails as u64;
        self.sms_sent += outcome.sms as u64;
        match outcome.last_touch {
            Some(crate::common::channel::Channel::Email) => {
                self.email_attributed_orders += 1;
                self.email_attributed_revenue_minor += outcome.revenue_minor;
            }
            Some(crate::common::channel::Channel::Sms) => self.sms_attributed_revenue_minor += outcome.revenue_minor,
            None => {}
        }
    }

    /// Per 1,000 abandonments; money in major units (minor / 100).
    pub fn summary(&self, name: &str) -> PolicySummary {
        const PER: f64 = 1000.0;
        const MONEY: f64 = PER / 100.0;
        PolicySummary {
            policy: name.to_string(),
            shoppers: self.shoppers,
            incremental_orders: self.incremental_orders.interval(PER),
            incremental_revenue: self.incremental_revenue.interval(MONEY),
            incremental_net_revenue: self.incremental_net.interval(MONEY),
            orders: self.orders.interval(PER),
            messages: self.messages.interval(PER),
            emails: self.emails.interval(PER),
            sms: self.sms.interval(PER),
            sms_cost: self.sms_cost.interval(MONEY),
            unsubscribes: self.unsubscribes.interval(PER),
            offers: self.offers.interval(PER),
            incentive_cost: self.incentive_cost.interval(MONEY),
            orders_vs_first: self.orders_vs_first.interval(PER),
            messages_vs_first: self.messages_vs_first.interval(PER),
            held_out_shoppers: self.held_out.n,
            held_out_order_rate: (self.held_out.n > 0).then(|| self.held_out.interval(1.0)),
            email_placed_order_rate: (self.emails_sent > 0)
                .then(|| self.email_attributed_orders as f64 / self.emails_sent as f64),
            email_revenue_per_send: (self.emails_sent > 0)
                .then(|| self.email_attributed_revenue_minor as f64 / 100.0 / self.emails_sent as f64),
            sms_revenue_per_send: (self.sms_sent > 0)
                .then(|| self.sms_attributed_revenue_minor as f64 / 100.0 / self.sms_sent as f64),
        }
    }
}

/// One policy's figures. Counts and money are per 1,000 abandonments, money in the cart's
/// currency (major units); every `Interval` is a 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    pub policy: String,
    pub shoppers: u64,
    /// Orders caused: the policy's orders minus the same shoppers' orders with no message.
    pub incremental_orders: Interval,
    pub incremental_revenue: Interval,
    /// Incremental revenue less redeemed incentives and SMS cost.
    pub incremental_net_revenue: Interval,
    pub orders: Interval,
    pub messages: Interval,
    pub emails: Interval,
    pub sms: Interval,
    pub sms_cost: Interval,
    pub unsubscribes: Interval,
    pub offers: Interval,
    pub incentive_cost: Interval,
    /// This policy minus the run's first policy, shopper by shopper.
    pub orders_vs_first: Interval,
    pub messages_vs_first: Interval,
    /// Journeys the policy's own holdout kept (0 when the run turns holdouts off).
    pub held_out_shoppers: u64,
    pub held_out_order_rate: Option<Interval>,
    /// Vendor-style, last touch within 5 days: orders per email sent.
    pub email_placed_order_rate: Option<f64>,
    /// Vendor-style, last touch within 5 days: revenue per email sent (major units).
    pub email_revenue_per_send: Option<f64>,
    /// Vendor-style, last touch within 5 days: revenue per SMS sent (major units).
    pub sms_revenue_per_send: Option<f64>,
}

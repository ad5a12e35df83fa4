//! What recovery caused: the report over the outcome log (`model::outcome`), defined once so
//! every runtime, the endpoint, the CSV export and the dashboard count the same way.
//! docs/measurement.md defines each figure and says why each method.
//!
//! The unit is the journey, counted from its planning (intent to treat): a journey whose
//! order came before any message counts in its arm like any other, so the treated and held-out
//! recovery rates compare like with like, and the treated rate never counts held-out journeys.

mod csv;
mod cube;
pub mod inference;
pub mod stats;

use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::model::outcome::Outcome;
use crate::policy::Angle;
use cube::{angle_code, angle_of, channel_code, channel_of, Counts, Cube, Key};
use inference::{Interval, Moments};
use serde::{Deserialize, Serialize};

pub use csv::to_csv;

/// The log as a store holds it: lines not yet rolled up, and what replaced the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Log {
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    #[serde(default)]
    pub rollups: Rollups,
}

/// What a store keeps in place of settled journeys' lines: daily cells for the figures, and
/// each message's `sent` line (policy version, step, angle, offer, the engine's sentence) so
/// "why did this shopper get this message" has an answer until the retention horizon.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollups {
    pub days: Vec<Rollup>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Outcome>,
}

/// Stores hold the roll-ups as opaque text: either this shape, or the bare array of daily
/// cells written before messages were kept (read as days without messages).
impl<'de> Deserialize<'de> for Rollups {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Rollups, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = Rollups;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("daily roll-ups: an array, or {days, messages}")
            }
            fn visit_unit<E>(self) -> std::result::Result<Rollups, E> {
                Ok(Rollups::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Rollups, A::Error> {
                let mut days = Vec::new();
                while let Some(day) = seq.next_element()? {
                    days.push(day);
                }
                Ok(Rollups { days, messages: Vec::new() })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Rollups, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Kept {
                    #[serde(default)]
                    days: Vec<Rollup>,
                    #[serde(default)]
                    messages: Vec<Outcome>,
                }
                let kept = Kept::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Rollups { days: kept.days, messages: kept.messages })
            }
        }
        deserializer.deserialize_any(Either)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Options {
    /// Confidence level of the fixed-horizon intervals.
    pub level: f64,
    /// What one SMS segment costs, in minor units of the shop's currency (0.79 = $0.0079).
    pub sms_segment_price_minor: f64,
    /// The always-valid intervals' mixture standard deviation τ, in recovery-rate points: the
    /// size of effect the test is tuned to find fastest (2 points: a typical reminder's lift).
    pub mixture_sd: f64,
    /// Below this p-value the arms' split is reported as a sample-ratio mismatch.
    pub sample_ratio_alpha: f64,
    /// The power the minimum detectable effect is quoted at.
    pub power: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { level: 0.95, sms_segment_price_minor: 0.79, mixture_sd: 0.02, sample_ratio_alpha: 0.001, power: 0.8 }
    }
}

impl Options {
    pub fn from_json(text: &str) -> Result<Options> {
        let options: Options = parse(text)?;
        let unit = |v: f64| v > 0.0 && v < 1.0;
        for (ok, path, what) in [
            (unit(options.level), "$.level", "between 0 and 1"),
            (unit(options.power), "$.power", "between 0 and 1"),
            (unit(options.sample_ratio_alpha), "$.sampleRatioAlpha", "between 0 and 1"),
            (options.mixture_sd > 0.0 && options.mixture_sd.is_finite(), "$.mixtureSd", "a positive number"),
            (options.sms_segment_price_minor >= 0.0 && options.sms_segment_price_minor.is_finite(), "$.smsSegmentPriceMinor", "zero or more"),
        ] {
            if !ok {
                return Err(Error::new(Code::InvalidField, path, format!("must be {what}")));
            }
        }
        Ok(options)
    }
}

/// The figures of one group of journeys (or of messages, for a step, channel, angle or variant).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// Journeys (messages reaching the step, for message-level groups).
    pub abandoned: u64,
    pub messaged: u64,
    pub messages: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    /// Orders matched (journeys); orders after one of these messages (messages: any-touch).
    pub recovered: u64,
    /// Orders whose last message before them was in this group (messages); journeys recovered
    /// after at least one message (journeys).
    pub recovered_last_touch: u64,
    pub recovery_rate: f64,
    /// Money, one entry per currency: amounts in different currencies are never added.
    pub revenue: Vec<Revenue>,
    pub sms_segments: u64,
    pub sms_cost_minor: f64,
    pub unsubscribes_per_1000: f64,
    pub complaints_per_1000: f64,
}

/// A group's money in one currency (ISO 4217; absent for lines logged before currencies were).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revenue {
    pub currency: Option<String>,
    /// Journeys (messages) whose money is in this currency, and those recovered.
    pub abandoned: u64,
    pub recovered: u64,
    pub revenue_minor: i64,
    pub average_order_minor: f64,
    pub revenue_per_message_minor: f64,
}

/// Revenue per abandonment treated against held out, in one currency: only the journeys whose
/// money is in it, on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueLift {
    pub currency: Option<String>,
    pub treated_minor: f64,
    pub holdout_minor: f64,
    /// Welch's interval for the difference in revenue per abandonment.
    pub difference: Interval,
    pub p_value: f64,
    pub degrees_of_freedom: f64,
    /// The difference times this currency's treated journeys: revenue the messages caused.
    pub incremental_minor: Interval,
}

/// Treated against held out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lift {
    pub treated: u64,
    pub held_out: u64,
    pub treated_rate: f64,
    pub holdout_rate: f64,
    /// Newcombe's interval for the difference of recovery rates.
    pub difference: Interval,
    /// treated / held-out − 1, with the log interval; absent without recoveries in both.
    pub relative: Option<Interval>,
    pub p_value: f64,
    /// One per currency both arms have journeys in.
    pub revenue_per_abandonment: Vec<RevenueLift>,
    /// The difference times the treated journeys: orders the messages caused.
    pub incremental_orders: Interval,
    /// The difference's interval excludes zero.
    pub conclusive: bool,
    /// The smallest difference these sample sizes detect (two-sided, at `level`, `power`).
    pub minimum_detectable_effect: f64,
    /// When inconclusive: abandonments more (at today's split) to detect the observed
    /// difference, and days at the observed traffic.
    pub more_abandonments_needed: Option<u64>,
    pub more_days_needed: Option<f64>,
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmResult {
    pub variant: String,
    pub weight: u8,
    pub journeys: u64,
    pub recovered: u64,
    pub recovery_rate: f64,
    /// Per currency.
    pub revenue_per_abandonment: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    pub currency: Option<String>,
    pub minor: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleRatio {
    pub chi_square: f64,
    pub p_value: f64,
    /// The split is not what the weights say: the arms are not comparable until it is found.
    pub mismatch: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub variant: String,
    pub against: String,
    /// Fixed-horizon (Newcombe): valid if read once, at a size chosen in advance.
    pub fixed: Interval,
    /// Always valid (mSPRT): valid however often it is read.
    pub always_valid: Interval,
    pub always_valid_p: f64,
    pub conclusive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentResult {
    pub step: String,
    pub arms: Vec<ArmResult>,
    pub sample_ratio: SampleRatio,
    /// Each arm against the first.
    pub comparisons: Vec<Comparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Cohort days the log covers (first and last abandonment day, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    pub treated: Metrics,
    pub holdout: Metrics,
    pub lift: Option<Lift>,
    /// A partial pilot against the shoppers it left alone; absent without a partial pilot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pilot: Option<PilotComparison>,
    pub experiments: Vec<ExperimentResult>,
}

/// A merchant ran Rekindle for a share of shoppers (`pilotPercent`) and left the rest alone:
/// the pilot's messaged journeys against the left-alone ones. Both arms are randomised (by
/// contact), so the difference is what running the policy caused. The pilot's own holdout is
/// in neither arm: it is the report's main comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PilotComparison {
    pub pilot: Metrics,
    pub left_alone: Metrics,
    /// The pilot as "treated", the left-alone arm as "held out".
    pub lift: Option<Lift>,
}

/// A dimension the report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Dimension {
    Playbook,
    Version,
    Pilot,
    Day,
    Week,
    Step,
    Channel,
    Angle,
    Variant,
}

pub const DIMENSIONS: [Dimension; 9] = [
    Dimension::Playbook,
    Dimension::Version,
    Dimension::Pilot,
    Dimension::Day,
    Dimension::Week,
    Dimension::Step,
    Dimension::Channel,
    Dimension::Angle,
    Dimension::Variant,
];

impl Dimension {
    pub fn parse(text: &str) -> Result<Dimension> {
        DIMENSIONS
            .into_iter()
            .find(|d| d.as_str() == text)
            .ok_or_else(|| Error::new(Code::InvalidField, "$.dimension", "one of playbook, version, pilot, day, week, step, channel, angle, variant"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Playbook => "playbook",
            Dimension::Version => "version",
            Dimension::Pilot => "pilot",
            Dimension::Day => "day",
            Dimension::Week => "week",
            Dimension::Step => "step",
            Dimension::Channel => "channel",
            Dimension::Angle => "angle",
            Dimension::Variant => "variant",
        }
    }

    fn per_message(self) -> bool {
        matches!(self, Dimension::Step | Dimension::Channel | Dimension::Angle | Dimension::Variant)
    }
}

/// One group of a roll-up: the treated figures, and for journey-level groups the held-out
/// ones with the lift.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub dimension: Dimension,
    pub key: String,
    /// Set when the groups are split by currency too (the CSV): every figure of the row is
    /// then about this currency's journeys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub metrics: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lift: Option<Lift>,
}

/// A cell written down: the daily roll-up a store keeps in place of finished journeys' lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollup {
    pub day: chrono::NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub holdout: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pilot: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub left_alone: bool,
    /// The currency of the cell's money (ISO 4217).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// A journey-level cell of one experiment arm (`step`, `variant`, `weight`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub arm: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<Angle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u8>,
    /// units, messaged, messages, delivered, opened, clicked, unsubscribed, complained,
    /// segments, recovered, lastTouch: in that order (a year of them stays small).
    pub counts: [u64; 11],
    pub last_touch_revenue: i64,
    /// Revenue: n, sum, sum of squares.
    pub revenue: [f64; 3],
}

const EPOCH: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

fn date(day: i32) -> chrono::NaiveDate {
    EPOCH + chrono::Duration::days(day as i64)
}

impl Cube {
    fn from_log(log: &Log) -> Cube {
        let mut cube = Cube::new();
        for r in &log.rollups.days {
            let key = Key {
                day: (r.day - EPOCH).num_days() as i32,
                playbook: cube.names.id(r.playbook.as_deref()),
                version: cube.names.id(r.version.as_deref()),
                holdout: r.holdout,
                pilot: r.pilot,
                left_alone: r.left_alone,
                currency: cube.names.id(r.currency.as_deref()),
                arm: r.arm,
                step: cube.names.id(r.step.as_deref()),
                channel: channel_code(r.channel),
                angle: angle_code(r.angle),
                variant: cube.names.id(r.variant.as_deref()),
            };
            if let Some(weight) = r.weight {
                cube.weights.insert((key.step, key.variant), weight);
            }
            let c = r.counts;
            let counts = Counts {
                units: c[0],
                messaged: c[1],
                messages: c[2],
                delivered: c[3],
                opened: c[4],
                clicked: c[5],
                unsubscribed: c[6],
                complained: c[7],
                segments: c[8],
                recovered: c[9],
                last_touch: c[10],
                last_touch_revenue: r.last_touch_revenue,
                revenue: Moments { n: r.revenue[0], sum: r.revenue[1], sum_sq: r.revenue[2] },
            };
            cube.cells.entry(key).or_default().add(&counts);
        }
        cube.add_lines(&log.outcomes);
        cube
    }

    fn rollups(&self) -> Vec<Rollup> {
        let mut out: Vec<Rollup> = self
            .cells
            .iter()
            .map(|(k, c)| Rollup {
                day: date(k.day),
                playbook: self.names.name(k.playbook).map(str::to_string),
                version: self.names.name(k.version).map(str::to_string),
                holdout: k.holdout,
                pilot: k.pilot,
                left_alone: k.left_alone,
                currency: self.names.name(k.currency).map(str::to_string),
                arm: k.arm,
                step: self.names.name(k.step).map(str::to_string),
                channel: channel_of(k.channel),
                angle: angle_of(k.angle),
                variant: self.names.name(k.variant).map(str::to_string),
                weight: if k.arm { self.weights.get(&(k.step, k.variant)).copied() } else { None },
                counts: [c.units, c.messaged, c.messages, c.delivered, c.opened, c.clicked, c.unsubscribed, c.complained, c.segments, c.recovered, c.last_touch],
                last_touch_revenue: c.last_touch_revenue,
                revenue: [c.revenue.n, c.revenue.sum, c.revenue.sum_sq],
            })
            .collect();
        // By day: a store's text reads in order (the report does not care).
        out.sort_unstable_by_key(|r| r.day);
        out
    }

    fn span(&self) -> Option<(i32, i32)> {
        let days = self.cells.keys().map(|k| k.day);
        Some((days.clone().min()?, days.max()?))
    }
}

/// Fold the lines of journeys abandoned before `before` into the daily roll-ups; keep the rest
/// as lines. A line arriving later for a rolled-up journey (a late delivery receipt) is left
/// out of every figure, and dropped at the next roll-up: the host rolls up only journeys past
/// expiry and attribution. Rolled-up `sent` lines are kept as message records until
/// `forget_messages_before` (the retention horizon: `messages_kept_for`).
pub fn compact(log: &Log, before: chrono::DateTime<chrono::Utc>, forget_messages_before: Option<chrono::DateTime<chrono::Utc>>) -> Log {
    use crate::model::outcome::OutcomeKind;
    let (old, young): (Vec<&Outcome>, Vec<&Outcome>) = {
        let abandoned: std::collections::HashMap<&str, bool> = log
            .outcomes
            .iter()
            .filter(|o| o.kind == OutcomeKind::Abandoned)
            .map(|o| (o.journey.as_str(), o.at < before))
            .collect();
        // A line whose journey has no `abandoned` line here (it was rolled up before) counts
        // nowhere: it goes once it is as old as the cut, so such lines never pile up.
        log.outcomes
            .iter()
            .partition(|o| abandoned.get(o.journey.as_str()).copied().unwrap_or(o.at < before))
    };
    let kept = |o: &Outcome| forget_messages_before.is_none_or(|cut| o.at >= cut);
    let mut messages: Vec<Outcome> = log.rollups.messages.iter().filter(|o| kept(o)).cloned().collect();
    let mut known: std::collections::HashSet<&str> = log.rollups.messages.iter().filter_map(|o| o.send.as_deref()).collect();
    for line in old.iter().filter(|o| o.kind == OutcomeKind::Sent && kept(o)) {
        // A send logs `sent` once; a line handed over twice is kept once.
        if line.send.as_deref().is_some_and(|id| known.insert(id)) {
            messages.push((*line).clone());
        }
    }
    let old: Vec<Outcome> = old.into_iter().cloned().collect();
    let cube = Cube::from_log(&Log { outcomes: old, rollups: Rollups { days: log.rollups.days.clone(), messages: Vec::new() } });
    Log { outcomes: young.into_iter().cloned().collect(), rollups: Rollups { days: cube.rollups(), messages } }
}

/// How long a message's record is kept for "why this message": the policy's longest retention
/// (regions included), since the record has no region to choose by. It holds no personal data,
/// but nothing outlives what the merchant documented.
pub fn messages_kept_for(policy: &crate::policy::Policy) -> chrono::Duration {
    policy.retention.longest()
}

/// "Why did this shopper get this message?": the record of the send `action_id`, from the live
/// lines or the rolled-up messages, with what the provider reported of it while the lines were
/// still kept. None when no such send was logged (or its record is past retention).
pub fn message(log: &Log, action_id: &str) -> Option<Message> {
    use crate::model::outcome::OutcomeKind;
    let is_it = |o: &&Outcome| o.kind == OutcomeKind::Sent && o.send.as_deref() == Some(action_id);
    let sent = log.outcomes.iter().find(is_it).or_else(|| log.rollups.messages.iter().find(is_it))?;
    let later: Vec<OutcomeKind> = log
        .outcomes
        .iter()
        .filter(|o| o.send.as_deref() == Some(action_id) && o.kind != OutcomeKind::Sent)
        .map(|o| o.kind)
        .collect();
    Some(Message {
        action_id: action_id.to_string(),
        journey: sent.journey.clone(),
        sent_at: sent.at,
        playbook: sent.playbook.clone(),
        policy_version: sent.policy_version.clone(),
        step: sent.step.clone(),
        channel: sent.channel,
        angle: sent.angle,
        variant: sent.variant.clone(),
        incentive: sent.incentive.clone(),
        segments: sent.segments,
        why: sent.why.clone(),
        since: later,
    })
}

/// One message, explained (`message`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub action_id: String,
    pub journey: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub sent_at: chrono::DateTime<chrono::Utc>,
    /// Absent on lines logged before sends carried them.
    pub playbook: Option<String>,
    pub policy_version: Option<String>,
    pub step: Option<String>,
    pub channel: Option<Channel>,
    pub angle: Option<Angle>,
    pub variant: Option<String>,
    pub incentive: Option<crate::model::outcome::Incentive>,
    pub segments: u8,
    /// The engine's explanation of the decision that sent it.
    pub why: Option<String>,
    /// Delivered, opened, clicked, unsubscribed, complained, while the journey's lines were kept.
    pub since: Vec<crate::model::outcome::OutcomeKind>,
}

/// A group's counts, its money kept apart per currency: counts add up across currencies,
/// amounts never do.
#[derive(Debug, Clone, Default)]
struct Split {
    all: Counts,
    by_currency: std::collections::BTreeMap<String, Counts>,
}

impl Split {
    fn add(&mut self, cube: &Cube, k: &Key, c: &Counts) {
        self.all.add(c);
        self.by_currency.entry(cube.names.name(k.currency).unwrap_or("").to_string()).or_default().add(c);
    }
}

fn currency(name: &str) -> Option<String> {
    (!name.is_empty()).then(|| name.to_string())
}

fn metrics(split: &Split, options: &Options) -> Metrics {
    let c = &split.all;
    let per = |x: u64, of: u64| if of > 0 { x as f64 / of as f64 } else { 0.0 };
    let revenue = split
        .by_currency
        .iter()
        .map(|(name, c)| Revenue {
            currency: currency(name),
            abandoned: c.units,
            recovered: c.recovered,
            revenue_minor: c.revenue.sum.round() as i64,
            average_order_minor: if c.recovered > 0 { c.revenue.sum / c.recovered as f64 } else { 0.0 },
            revenue_per_message_minor: if c.messages > 0 { c.revenue.sum / c.messages as f64 } else { 0.0 },
        })
        .collect();
    Metrics {
        abandoned: c.units,
        messaged: c.messaged,
        messages: c.messages,
        delivered: c.delivered,
        opened: c.opened,
        clicked: c.clicked,
        recovered: c.recovered,
        recovered_last_touch: c.last_touch,
        recovery_rate: per(c.recovered, c.units),
        revenue,
        sms_segments: c.segments,
        sms_cost_minor: c.segments as f64 * options.sms_segment_price_minor,
        unsubscribes_per_1000: 1000.0 * per(c.unsubscribed, c.messages),
        complaints_per_1000: 1000.0 * per(c.complained, c.messages),
    }
}

fn lift(treated_split: &Split, held_split: &Split, days: f64, options: &Options) -> Option<Lift> {
    let (treated, held) = (&treated_split.all, &held_split.all);
    let (x1, n1, x2, n2) = (treated.recovered as f64, treated.units as f64, held.recovered as f64, held.units as f64);
    if n1 < 1.0 || n2 < 1.0 {
        return None;
    }
    let level = options.level;
    let difference = inference::newcombe_difference(x1, n1, x2, n2, level);
    // Revenue per abandonment, currency by currency: a journey's zero counts in its shop's.
    let revenue = treated_split
        .by_currency
        .iter()
        .filter_map(|(name, t)| {
            let h = held_split.by_currency.get(name)?;
            let (difference, p_value, df) = inference::welch(t.revenue, h.revenue, level)?;
            Some(RevenueLift {
                currency: currency(name),
                treated_minor: t.revenue.mean(),
                holdout_minor: h.revenue.mean(),
                difference,
                p_value,
                degrees_of_freedom: df,
                incremental_minor: difference.scaled(t.units as f64),
            })
        })
        .collect();
    let pooled = (x1 + x2) / (n1 + n2);
    let mde = inference::minimum_detectable_effect(pooled, n1, n2, 1.0 - level, options.power);
    let conclusive = difference.excludes_zero();
    let observed = difference.estimate.abs();
    let (more, more_days) = if conclusive || observed == 0.0 || !mde.is_finite() {
        (None, None)
    } else {
        // The detectable effect shrinks as 1/√n: n·(mde/observed)² detects what is observed.
        let needed = (n1 + n2) * (mde / observed).powi(2);
        let more = (needed - n1 - n2).max(0.0).ceil();
        (Some(more as u64), Some(more / ((n1 + n2) / days.max(1.0))))
    };
    let verdict = match (conclusive, more) {
        (true, _) if difference.estimate > 0.0 => "the messages raised recovery".to_string(),
        (true, _) => "the messages lowered recovery".to_string(),
        (false, Some(m)) => format!("inconclusive: about {m} more abandonments would detect a difference this size"),
        (false, None) => "inconclusive: no difference observed".to_string(),
    };
    Some(Lift {
        treated: treated.units,
        held_out: held.units,
        treated_rate: x1 / n1,
        holdout_rate: x2 / n2,
        difference,
        relative: inference::relative_lift(x1, n1, x2, n2, level),
        p_value: inference::two_proportion_p(x1, n1, x2, n2),
        incremental_orders: difference.scaled(n1),
        revenue_per_abandonment: revenue,
        conclusive,
        minimum_detectable_effect: mde,
        more_abandonments_needed: more,
        more_days_needed: more_days,
        verdict,
    })
}

fn group_key(cube: &Cube, k: &Key, dimension: Dimension) -> String {
    let name = |id| cube.names.name(id).unwrap_or("").to_string();
    match dimension {
        Dimension::Playbook => name(k.playbook),
        Dimension::Version => name(k.version),
        Dimension::Pilot => if k.left_alone {
            "leftAlone"
        } else if k.pilot {
            "pilot"
        } else {
            "all"
        }
        .to_string(),
        Dimension::Day => date(k.day).to_string(),
        // Weeks start on Monday; 1970-01-01 was a Thursday.
        Dimension::Week => date(k.day - (k.day + 3).rem_euclid(7)).to_string(),
        Dimension::Step => name(k.step),
        Dimension::Channel => channel_of(k.channel).map_or("", Channel::as_str).to_string(),
        Dimension::Angle => angle_of(k.angle).map(|a| serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()).unwrap_or_default(),
        Dimension::Variant => name(k.variant),
    }
}

fn days(cube: &Cube) -> f64 {
    cube.span().map_or(1.0, |(a, b)| (b - a + 1) as f64)
}

/// `by_currency`: one group per key and currency (the CSV's rows), else per key.
fn rollup_cube(cube: &Cube, dimension: Dimension, options: &Options, by_currency: bool) -> Vec<Row> {
    let mut groups: std::collections::BTreeMap<(String, String), (Split, Split)> = Default::default();
    for (k, c) in &cube.cells {
        let message_cell = k.step != 0 && !k.arm;
        if k.arm || message_cell != dimension.per_message() {
            continue;
        }
        // Left-alone journeys are Rekindle's to count only as the pilot's comparison arm.
        if k.left_alone && dimension != Dimension::Pilot {
            continue;
        }
        let money = if by_currency { cube.names.name(k.currency).unwrap_or("").to_string() } else { String::new() };
        let entry = groups.entry((group_key(cube, k, dimension), money)).or_default();
        if k.holdout { &mut entry.1 } else { &mut entry.0 }.add(cube, k, c);
    }
    let span = days(cube);
    groups
        .into_iter()
        .filter(|(_, (treated, _))| treated.all.units > 0 || !dimension.per_message())
        .map(|((key, money), (treated, held))| Row {
            dimension,
            key,
            currency: if by_currency { currency(&money) } else { None },
            metrics: metrics(&treated, options),
            lift: if dimension.per_message() { None } else { lift(&treated, &held, span, options) },
        })
        .collect()
}

fn report_cube(cube: &Cube, options: &Options) -> Report {
    let (mut treated, mut held) = (Split::default(), Split::default());
    let (mut in_pilot, mut left_alone) = (Split::default(), Split::default());
    let mut arms: std::collections::BTreeMap<(String, String), (u32, u32, Split)> = Default::default();
    for (k, c) in &cube.cells {
        if k.arm {
            let name = |id| cube.names.name(id).unwrap_or("").to_string();
            arms.entry((name(k.step), name(k.variant))).or_insert((k.step, k.variant, Split::default())).2.add(cube, k, c);
        } else if k.step == 0 {
            // The treated rate never counts held-out or left-alone journeys.
            if k.left_alone {
                left_alone.add(cube, k, c);
            } else if k.holdout {
                held.add(cube, k, c);
            } else {
                treated.add(cube, k, c);
                if k.pilot {
                    in_pilot.add(cube, k, c);
                }
            }
        }
    }
    let mut experiments: Vec<ExperimentResult> = Vec::new();
    for ((step, variant), (s, v, split)) in arms {
        let c = &split.all;
        let arm = ArmResult {
            variant,
            weight: cube.weights.get(&(s, v)).copied().unwrap_or(0),
            journeys: c.units,
            recovered: c.recovered,
            recovery_rate: if c.units > 0 { c.recovered as f64 / c.units as f64 } else { 0.0 },
            revenue_per_abandonment: split.by_currency.iter().map(|(name, c)| Amount { currency: currency(name), minor: c.revenue.mean() }).collect(),
        };
        match experiments.last_mut() {
            Some(e) if e.step == step => e.arms.push(arm),
            _ => experiments.push(ExperimentResult {
                step,
                arms: vec![arm],
                sample_ratio: SampleRatio { chi_square: 0.0, p_value: 1.0, mismatch: false },
                comparisons: Vec::new(),
            }),
        }
    }
    for e in &mut experiments {
        let observed: Vec<f64> = e.arms.iter().map(|a| a.journeys as f64).collect();
        let shares: Vec<f64> = e.arms.iter().map(|a| a.weight as f64).collect();
        if e.arms.len() > 1 && shares.iter().all(|s| *s > 0.0) {
            let (chi_square, p_value) = inference::chi_square(&observed, &shares);
            e.sample_ratio = SampleRatio { chi_square, p_value, mismatch: p_value < options.sample_ratio_alpha };
        }
        let base = e.arms[0].clone();
        for arm in &e.arms[1..] {
            let (x1, n1, x2, n2) = (arm.recovered as f64, arm.journeys as f64, base.recovered as f64, base.journeys as f64);
            if n1 < 1.0 || n2 < 1.0 {
                continue;
            }
            let fixed = inference::newcombe_difference(x1, n1, x2, n2, options.level);
            let Some((always_valid, p)) = inference::msprt_difference(x1, n1, x2, n2, options.mixture_sd, 1.0 - options.level) else { continue };
            e.comparisons.push(Comparison {
                variant: arm.variant.clone(),
                against: base.variant.clone(),
                fixed,
                always_valid,
                always_valid_p: p,
                conclusive: always_valid.excludes_zero(),
            });
        }
    }
    let span = cube.span();
    let pilot = (left_alone.all.units > 0 || in_pilot.all.units > 0).then(|| PilotComparison {
        pilot: metrics(&in_pilot, options),
        left_alone: metrics(&left_alone, options),
        lift: lift(&in_pilot, &left_alone, days(cube), options),
    });
    Report {
        from: span.map(|(a, _)| date(a).to_string()),
        to: span.map(|(_, b)| date(b).to_string()),
        treated: metrics(&treated, options),
        holdout: metrics(&held, options),
        lift: lift(&treated, &held, days(cube), options),
        pilot,
        experiments,
    }
}

pub fn report(log: &Log, options: &Options) -> Report {
    report_cube(&Cube::from_log(log), options)
}

pub fn rollup(log: &Log, dimension: Dimension, options: &Options) -> Vec<Row> {
    rollup_cube(&Cube::from_log(log), dimension, options, false)
}

/// Every dimension's roll-up, for the CSV export: one row per group and currency, so no cell
/// of a spreadsheet adds two currencies, and the count columns still add up to the total.
pub fn rollups(log: &Log, options: &Options) -> Vec<Row> {
    let cube = Cube::from_log(log);
    DIMENSIONS.iter().flat_map(|d| rollup_cube(&cube, *d, options, true)).collect()
}

pub fn parse_log(text: &str) -> Result<Log> {
    parse(text)
}

/// serde_json's own error (line and column) without the JSON path: tracking paths through the
/// log's types cost 40 KB of server wasm, and the log is the engine's own writing, read back
/// from a store, not a caller's input; the handler checks a report query's names itself.
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() { Code::MalformedJson } else { Code::InvalidField };
        Error::new(code, "$", e.to_string())
    })
}


//! The log folded into cells: counts and sums keyed by cohort day and every dimension a
//! report groups by. A report is a grouping of cells; a daily roll-up is cells written down.
//! So the live log and a year of roll-ups flow through the same arithmetic.
//!
//! One pass over the lines per concern, strings interned once into small integers and keys
//! hashed with a multiply-and-rotate hash (FxHash): the report over a million journeys' log
//! is a few hash lookups per line, with no allocation per line (BENCHMARKS.md).

use super::inference::Moments;
use crate::common::channel::Channel;
use crate::model::outcome::{Outcome, OutcomeKind};
use crate::policy::Angle;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's): keys are short and not attacker-chosen in a batch report.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n as u64)
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64)
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64)
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Strings as small integers; 0 is "none".
#[derive(Default)]
pub struct Names {
    ids: FxMap<String, u32>,
    pub names: Vec<String>,
}

impl Names {
    pub fn new() -> Names {
        Names { ids: FxMap::default(), names: vec![String::new()] }
    }

    pub fn id(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name else { return 0 };
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn name(&self, id: u32) -> Option<&str> {
        (id != 0).then(|| self.names[id as usize].as_str())
    }
}

/// What a cell is about. `step == 0` is a journey-level cell; with `arm`, a journey-level cell
/// of one experiment arm (`step`, `variant`); otherwise a message-level one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Key {
    /// Days since 1970-01-01 (UTC) of the abandonment: the cohort.
    pub day: i32,
    pub playbook: u32,
    pub version: u32,
    pub holdout: bool,
    pub pilot: bool,
    /// Outside a partial pilot: tracked, never messaged.
    pub left_alone: bool,
    /// The journey's money's currency (interned; 0: unknown, a line logged before currencies
    /// were): its order's, else the shop's at abandonment. Cells never add two currencies.
    pub currency: u32,
    pub arm: bool,
    pub step: u32,
    pub channel: u8,
    pub angle: u8,
    pub variant: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Journey cells: journeys; message cells: messages sent.
    pub units: u64,
    /// Journeys with at least one message sent (journey cells).
    pub messaged: u64,
    pub messages: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub unsubscribed: u64,
    pub complained: u64,
    pub segments: u64,
    /// Journey cells: orders matched. Message cells: orders after this message (any-touch).
    pub recovered: u64,
    /// Message cells: orders whose last message before the order was this one.
    pub last_touch: u64,
    pub last_touch_revenue: i64,
    /// Journey cells: revenue per journey, zeros included (so revenue per abandonment has a
    /// variance). Message cells: any-touch revenue in `sum`.
    pub revenue: Moments,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.units += o.units;
        self.messaged += o.messaged;
        self.messages += o.messages;
        self.delivered += o.delivered;
        self.opened += o.opened;
        self.clicked += o.clicked;
        self.unsubscribed += o.unsubscribed;
        self.complained += o.complained;
        self.segments += o.segments;
        self.recovered += o.recovered;
        self.last_touch += o.last_touch;
        self.last_touch_revenue += o.last_touch_revenue;
        self.revenue.n += o.revenue.n;
        self.revenue.sum += o.revenue.sum;
        self.revenue.sum_sq += o.revenue.sum_sq;
    }
}

pub struct Cube {
    pub names: Names,
    pub cells: FxMap<Key, Counts>,
    /// Configured weight of each experiment arm, by (step, variant).
    pub weights: FxMap<(u32, u32), u8>,
}

/// One journey's facts while folding.
struct Journey {
    key: Key,
    arms: (u32, u32),
    order_at: i64,
    revenue: i64,
    order_currency: u32,
    /// Its `abandoned` line was among the lines (an `ordered` one alone does not count it).
    known: bool,
    ordered: bool,
    messaged: bool,
    /// The last message sent before the order: (its time, its cell).
    last: Option<(i64, Key)>,
}

pub fn channel_code(c: Option<Channel>) -> u8 {
    match c {
        None => 0,
        Some(Channel::Email) => 1,
        Some(Channel::Sms) => 2,
    }
}

pub fn channel_of(code: u8) -> Option<Channel> {
    match code {
        1 => Some(Channel::Email),
        2 => Some(Channel::Sms),
        _ => None,
    }
}

const ANGLES: [Angle; 9] = [
    Angle::Reminder,
    Angle::Value,
    Angle::FreeShipping,
    Angle::GuestCheckout,
    Angle::Trust,
    Angle::ReturnPolicy,
    Angle::DeliveryEstimate,
    Angle::Urgency,
    Angle::ByReason,
];

pub fn angle_code(a: Option<Angle>) -> u8 {
    a.map_or(0, |a| ANGLES.iter().position(|x| *x == a).unwrap_or(0) as u8 + 1)
}

pub fn angle_of(code: u8) -> Option<Angle> {
    code.checked_sub(1).and_then(|i| ANGLES.get(i as usize).copied())
}

const DAY_MS: i64 = 86_400_000;

impl Cube {
    pub fn new() -> Cube {
        Cube { names: Names::new(), cells: FxMap::default(), weights: FxMap::default() }
    }

    /// Fold log lines in. Lines of a journey whose `abandoned` line is not among them (it was
    /// rolled up already, or logged before the log began) are left out: a message without its
    /// journey has no cohort, arm or denominator.
    pub fn add_lines(&mut self, lines: &[Outcome]) {
        let mut index: FxMap<&str, u32> = FxMap::default();
        index.reserve(lines.len() / 4);
        let mut journeys: Vec<Journey> = Vec::with_capacity(lines.len() / 4);
        let mut arms: Vec<(u32, u32)> = Vec::new();
        // Pass 1: journeys, from their `abandoned` and `ordered` lines, in one scan whatever
        // order the store returns lines in.
        for line in lines {
            let (abandoned, ordered) = (line.kind == OutcomeKind::Abandoned, line.kind == OutcomeKind::Ordered);
            if !(abandoned || ordered) {
                continue;
            }
            let i = *index.entry(line.journey.as_str()).or_insert_with(|| {
                journeys.push(Journey {
                    key: Key::default(),
                    arms: (0, 0),
                    order_at: i64::MAX,
                    revenue: 0,
                    order_currency: 0,
                    known: false,
                    ordered: false,
                    messaged: false,
                    last: None,
                });
                journeys.len() as u32 - 1
            });
            let j = &mut journeys[i as usize];
            if ordered && !j.ordered {
                j.ordered = true;
                j.order_at = line.at.timestamp_millis();
                j.revenue = line.amount_minor;
                j.order_currency = self.names.id(line.currency.as_deref());
            }
            if abandoned && !j.known {
                j.known = true;
                j.key = Key {
                    day: line.at.timestamp_millis().div_euclid(DAY_MS) as i32,
                    playbook: self.names.id(line.playbook.as_deref()),
                    version: self.names.id(line.policy_version.as_deref()),
                    holdout: line.holdout,
                    pilot: line.pilot,
                    left_alone: line.left_alone,
                    currency: self.names.id(line.currency.as_deref()),
                    ..Key::default()
                };
                let start = arms.len() as u32;
                for arm in &line.arms {
                    let step = self.names.id(Some(&arm.step));
                    let variant = self.names.id(Some(&arm.variant));
                    self.weights.insert((step, variant), arm.weight);
                    arms.push((step, variant));
                }
                j.arms = (start, arms.len() as u32);
            }
        }
        // Revenue is in the order's currency: a journey's money goes where its order's does.
        // (On Shopify both are the shop's currency; elsewhere an order may name its own.)
        for j in journeys.iter_mut().filter(|j| j.order_currency != 0) {
            j.key.currency = j.order_currency;
        }
        // Pass 2: message lines into message cells, and their journey's tallies.
        let mut journey_extra: Vec<Counts> = vec![Counts::default(); journeys.len()];
        for line in lines {
            let kind = line.kind;
            if matches!(kind, OutcomeKind::Abandoned | OutcomeKind::Ordered | OutcomeKind::Expired | OutcomeKind::Superseded | OutcomeKind::Stopped) {
                continue;
            }
            let Some(&i) = index.get(line.journey.as_str()) else { continue };
            let j = &mut journeys[i as usize];
            if !j.known {
                continue;
            }
            let Some(step) = line.step.as_deref() else { continue };
            let key = Key {
                step: self.names.id(Some(step)),
                channel: channel_code(line.channel),
                angle: angle_code(line.angle),
                variant: self.names.id(line.variant.as_deref()),
                ..j.key
            };
            let cell = self.cells.entry(key).or_default();
            let extra = &mut journey_extra[i as usize];
            let at = line.at.timestamp_millis();
            match kind {
                OutcomeKind::Sent => {
                    cell.units += 1;
                    cell.messages += 1;
                    cell.segments += line.segments as u64;
                    extra.messages += 1;
                    extra.segments += line.segments as u64;
                    j.messaged = true;
                    if j.ordered && at <= j.order_at {
                        cell.recovered += 1;
                        cell.revenue.sum += j.revenue as f64;
                        if j.last.is_none_or(|(t, _)| at >= t) {
                            j.last = Some((at, key));
                        }
                    }
                }
                OutcomeKind::Delivered => {
                    cell.delivered += 1;
                    extra.delivered += 1;
                }
                OutcomeKind::Opened => {
                    cell.opened += 1;
                    extra.opened += 1;
                }
                OutcomeKind::Clicked => {
                    cell.clicked += 1;
                    extra.clicked += 1;
                }
                OutcomeKind::Unsubscribed => {
                    cell.unsubscribed += 1;
                    extra.unsubscribed += 1;
                }
                OutcomeKind::Complained => {
                    cell.complained += 1;
                    extra.complained += 1;
                }
                _ => {}
            }
        }
        // Pass 3: journey cells (and one per experiment arm), and last-touch credit.
        for (j, extra) in journeys.iter().zip(&journey_extra).filter(|(j, _)| j.known) {
            let mut counts = *extra;
            counts.units = 1;
            counts.messaged = j.messaged as u64;
            counts.recovered = j.ordered as u64;
            let r = j.revenue as f64;
            counts.revenue = Moments { n: 1.0, sum: r, sum_sq: r * r };
            if let Some((_, key)) = j.last {
                counts.last_touch = 1;
                counts.last_touch_revenue = j.revenue;
                let cell = self.cells.entry(key).or_default();
                cell.last_touch += 1;
                cell.last_touch_revenue += j.revenue;
            }
            self.cells.entry(j.key).or_default().add(&counts);
            for &(step, variant) in &arms[j.arms.0 as usize..j.arms.1 as usize] {
                let key = Key { arm: true, step, variant, ..j.key };
                self.cells.entry(key).or_default().add(&counts);
            }
        }
    }
}

//! Replay: a candidate policy over a store's own history, to show what it would have sent.
//! The history is the engine's inputs as the handler received them, one JSON line each:
//! `{"contactId": "...", "receivedAt": "<RFC 3339>", "event": {<engine event>}}`. Each
//! contact's lines run in order through the runtime's loop (driver.rs) under the candidate;
//! the recorded `due` events are dropped, because the candidate's own schedule decides what
//! comes due, and after the last line the scheduler runs on until every journey has expired.

use super::driver::Driver;
use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::model::action::Action;
use crate::model::event::{Event, EventBody};
use crate::policy::{IncentiveKind, Policy};
use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Line<'a> {
    contact_id: String,
    received_at: DateTime<Utc>,
    #[serde(borrow)]
    event: &'a RawValue,
}

/// What the candidate would have done.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub policy: String,
    pub contacts: u64,
    pub events: u64,
    pub journeys: u64,
    pub held_out: u64,
    pub recovered: u64,
    pub sends: u64,
    pub by_step: BTreeMap<String, u64>,
    pub by_channel: BTreeMap<String, u64>,
    /// Sends by the recipient's local hour (UTC where no zone is known).
    pub by_hour: BTreeMap<u32, u64>,
    /// Sends deferred for quiet hours (a send deferred twice counts twice).
    pub quiet_hour_deferrals: u64,
    /// Sends deferred by a frequency cap or for the cap's last slot.
    pub caps_hit: u64,
    pub skipped: u64,
    pub cancelled: u64,
    pub incentives_offered: BTreeMap<String, u64>,
    /// What the offers would cost if every one were redeemed, minor units.
    pub incentive_cost_if_redeemed_minor: i64,
    /// What the offers made to shoppers who then ordered would cost, minor units.
    pub incentive_cost_redeemed_minor: i64,
}

/// `shipping_cost_minor`: what a free-shipping offer costs the merchant.
pub fn replay(policy: &Policy, history: &str, shipping_cost_minor: i64) -> Result<Replay> {
    // Lines grouped by contact, in their order.
    let mut contacts: BTreeMap<String, Vec<(DateTime<Utc>, Event)>> = BTreeMap::new();
    let mut out = Replay { policy: policy.version.clone(), ..Replay::default() };
    for (n, text) in history.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let at_line = |e: Error| {
            let mut e = e;
            for p in &mut e.problems {
                p.path = format!("line {}: {}", n + 1, p.path);
            }
            e
        };
        let line: Line = serde_json::from_str(text)
            .map_err(|e| at_line(Error::new(Code::InvalidField, "$", e.to_string())))?;
        let event = Event::from_json(line.event.get()).map_err(|e| {
            let mut e = at_line(e);
            for p in &mut e.problems {
                p.path = p.path.replacen("$", "$.event", 1);
            }
            e
        })?;
        out.events += 1;
        if matches!(event.body, EventBody::Due(_)) {
            continue;
        }
        contacts.entry(line.contact_id).or_default().push((line.received_at, event));
    }
    Ok(run(policy, contacts, out, shipping_cost_minor))
}

/// Each contact's inputs (received time, event), in any order, through the candidate.
pub(super) fn run(policy: &Policy, contacts: BTreeMap<String, Vec<(DateTime<Utc>, Event)>>, mut out: Replay, shipping_cost_minor: i64) -> Replay {
    let expiry = Duration::hours(policy.journey_expiry_hours as i64);
    for (contact_id, mut lines) in contacts {
        out.contacts += 1;
        lines.sort_by_key(|(received, _)| *received);
        let mut driver = Driver::new(policy, contact_id);
        let mut offers: Vec<(String, i64)> = Vec::new();
        let horizon = lines.last().map(|(at, _)| *at + expiry + Duration::hours(1));
        let mut pending = lines.into_iter().peekable();
        loop {
            let due = driver.next_due().map(|(_, at)| at);
            let next_line = pending.peek().map(|(at, _)| *at);
            let actions = match (due, next_line) {
                (Some(due), Some(line)) if due <= line => driver.fire_next(),
                (Some(due), None) if horizon.is_some_and(|h| due <= h) => driver.fire_next(),
                (_, Some(_)) => {
                    let (received, event) = pending.next().expect("peeked");
                    Some(driver.decide(&event, received))
                }
                _ => None,
            };
            let Some(actions) = actions else { break };
            out.count(&actions, &driver, policy, shipping_cost_minor, &mut offers);
        }
        for journey in &driver.state.journeys {
            out.journeys += 1;
            out.held_out += journey.holdout as u64;
            if journey.order_id.is_some() {
                out.recovered += 1;
                out.incentive_cost_redeemed_minor +=
                    offers.iter().filter(|(id, _)| *id == journey.id).map(|(_, cost)| cost).sum::<i64>();
            }
        }
    }
    out
}

impl Replay {
    fn count(&mut self, actions: &[Action], driver: &Driver, policy: &Policy, shipping: i64, offers: &mut Vec<(String, i64)>) {
        for action in actions {
            match action {
                Action::Send { id, channel, .. } => {
                    self.sends += 1;
                    let journey = driver.state.journeys.iter().find(|j| j.send(id).is_some());
                    let step = journey.and_then(|j| j.send(id)).map_or("?".to_string(), |s| s.step.clone());
                    *self.by_step.entry(step).or_default() += 1;
                    *self.by_channel.entry(channel_name(*channel).into()).or_default() += 1;
                    let at = journey.and_then(|j| j.send(id)).map(|s| s.due_at).unwrap_or_default();
                    let zone = driver.state.contact.time_zone.as_deref().and_then(|z| z.parse::<chrono_tz::Tz>().ok());
                    let hour = zone.map_or(at.hour(), |z| at.with_timezone(&z).hour());
                    *self.by_hour.entry(hour).or_default() += 1;
                }
                Action::Defer { reason, .. } => {
                    self.quiet_hour_deferrals += reason.contains("quiet hours") as u64;
                    // "frequency cap until ..." and "the last slot under the frequency cap ...".
                    self.caps_hit += reason.contains("frequency cap") as u64;
                }
                Action::Skip { .. } => self.skipped += 1,
                Action::Cancel { .. } => self.cancelled += 1,
                Action::RequestCoupon { journey_id, offer, .. } => {
                    *self.incentives_offered.entry(format!("{:?}", offer.kind)).or_default() += 1;
                    let subtotal = driver
                        .state
                        .journeys
                        .iter()
                        .find(|j| j.id == *journey_id)
                        .and_then(|j| j.cart.shop_subtotal_minor())
                        .unwrap_or(0);
                    let cost = match offer.kind {
                        IncentiveKind::PercentOff | IncentiveKind::Loyalty => subtotal * offer.percent as i64 / 100,
                        IncentiveKind::FreeShipping => shipping,
                        kind => policy.incentives.ladder.iter().find(|r| r.kind == kind).map_or(0, |r| r.cost_minor),
                    };
                    self.incentive_cost_if_redeemed_minor += cost;
                    offers.push((journey_id.clone(), cost));
                }
                _ => {}
            }
        }
    }

    /// Plain text for the command.
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(out, "policy {}: {} contacts, {} events, {} journeys ({} held out, {} recovered)", self.policy, self.contacts, self.events, self.journeys, self.held_out, self.recovered);
        let _ = writeln!(out, "sends: {}  skipped: {}  cancelled: {}", self.sends, self.skipped, self.cancelled);
        let list = |m: &BTreeMap<String, u64>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "by step: {}", list(&self.by_step));
        let _ = writeln!(out, "by channel: {}", list(&self.by_channel));
        let hours = self.by_hour.iter().map(|(h, v)| format!("{h:02}h {v}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "by local hour: {hours}");
        let _ = writeln!(out, "quiet-hour deferrals: {}  caps hit: {}", self.quiet_hour_deferrals, self.caps_hit);
        let _ = writeln!(
            out,
            "incentives offered: {} (cost if all redeemed {:.2}; redeemed by shoppers who ordered {:.2})",
            if self.incentives_offered.is_empty() { "none".to_string() } else { list(&self.incentives_offered) },
            self.incentive_cost_if_redeemed_minor as f64 / 100.0,
            self.incentive_cost_redeemed_minor as f64 / 100.0
        );
        out
    }
}

fn channel_name(channel: Channel) -> &'static str {
    channel.as_str()
}

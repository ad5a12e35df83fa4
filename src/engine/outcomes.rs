//! What a decision did to the contact's journeys, as lines for the outcome log
//! (`model::outcome`). Read off the difference between the state before and after, plus the
//! few outcomes only the event carries (a delivery, a complaint): one place, so no rule that
//! changes a journey can forget to log it.

use crate::common::channel::Channel;
use crate::model::action::Action;
use crate::model::event::{Event, EventBody};
use crate::model::journey::{Journey, JourneyStatus, PlannedSend, SendStatus};
use crate::model::outcome::{Arm, Incentive, Outcome, OutcomeKind};
use crate::model::state::State;
use crate::policy::Policy;

/// The little of the state before a decision that the difference needs.
pub(super) struct Before {
    journeys: Vec<(String, JourneyStatus, Vec<(SendStatus, bool, bool)>)>,
    /// Planned journeys still active, with their abandonment time: if one is gone after the
    /// decision, it expired and was purged in one go, or the contact was erased.
    active: Vec<(String, chrono::DateTime<chrono::Utc>)>,
    allows: [bool; 2],
}

impl Before {
    #[inline(never)]
    pub(super) fn of(state: &State) -> Before {
        Before {
            journeys: state
                .journeys
                .iter()
                .map(|j| (j.id.clone(), j.status, j.sends.iter().map(|s| (s.status, s.opened, s.clicked)).collect()))
                .collect(),
            active: state
                .journeys
                .iter()
                .filter(|j| j.status == JourneyStatus::Active && !j.awaiting_platform)
                .map(|j| (j.id.clone(), j.abandoned_at))
                .collect(),
            allows: [state.contact.consent.allows(Channel::Email), state.contact.consent.allows(Channel::Sms)],
        }
    }
}

// Not inlined into `decide`: one copy, off the hot path's code (it cost 33 KB of wasm inlined).
#[inline(never)]
pub(super) fn outcomes(before: &Before, policy: &Policy, state: &State, event: &Event, actions: &[Action], why: &super::explain::Explanation, decided_at: chrono::DateTime<chrono::Utc>) -> Vec<Outcome> {
    let mut out = Vec::new();
    let at = event.at;
    for journey in &state.journeys {
        // A browser's journey is not planned yet: it starts when the platform confirms it.
        if journey.awaiting_platform {
            continue;
        }
        let old = before.journeys.iter().find(|(id, ..)| *id == journey.id);
        if old.is_none() {
            out.push(abandoned(journey, policy));
        }
        for (i, send) in journey.sends.iter().enumerate() {
            let (status, opened, clicked) = old.and_then(|(_, _, s)| s.get(i).copied()).unwrap_or((SendStatus::Scheduled, false, false));
            if send.status == SendStatus::Sent && status != SendStatus::Sent {
                let mut line = send_line(OutcomeKind::Sent, journey, send, at);
                // What "why this message" needs months on, when the journey is gone: the
                // policy it ran under, its offer and the engine's own sentence.
                line.policy_version = Some(journey.policy_version.clone());
                line.playbook = Some(journey.playbook.clone());
                let (segments, offer) = sent_facts(actions, &send.id);
                line.segments = segments;
                line.incentive = offer.map(|o| Incentive { kind: o.kind, percent: o.percent });
                line.why = Some(why.summary().to_string());
                out.push(line);
            }
            if send.opened && !opened {
                out.push(send_line(OutcomeKind::Opened, journey, send, at));
            }
            if send.clicked && !clicked {
                out.push(send_line(OutcomeKind::Clicked, journey, send, at));
            }
        }
        let was = old.map_or(JourneyStatus::Active, |(_, status, _)| *status);
        if journey.status != was {
            let kind = match journey.status {
                JourneyStatus::Recovered => OutcomeKind::Ordered,
                JourneyStatus::Expired => OutcomeKind::Expired,
                JourneyStatus::Superseded => OutcomeKind::Superseded,
                JourneyStatus::Stopped => OutcomeKind::Stopped,
                JourneyStatus::Active => continue,
            };
            let mut line = Outcome::new(kind, &journey.id, at);
            if kind == OutcomeKind::Ordered {
                line.amount_minor = journey.recovered_minor.unwrap_or(0);
                // The order's own currency (a Shopify order's `currency` is the shop's).
                if let EventBody::OrderPlaced(order) = &event.body {
                    line.currency = Some(order.total.currency.clone());
                }
            }
            out.push(line);
        }
    }
    let expiry = chrono::Duration::hours(policy.journey_expiry_hours as i64);
    for (id, abandoned_at) in &before.active {
        if !state.journeys.iter().any(|j| j.id == *id) {
            let kind = if decided_at - *abandoned_at > expiry { OutcomeKind::Expired } else { OutcomeKind::Stopped };
            out.push(Outcome::new(kind, id, at));
        }
    }
    match &event.body {
        EventBody::Delivered(e) => out.extend(line_for(state, &e.action_id, OutcomeKind::Delivered, at)),
        EventBody::Complained(e) => out.extend(line_for(state, &e.action_id, OutcomeKind::Complained, at)),
        _ => {}
    }
    // An opt-out (a link, a STOP) counts against the last message on its channel; a complaint,
    // a bounce or a carrier's block withdraws consent too, but is not an unsubscribe.
    if !matches!(event.body, EventBody::Complained(_) | EventBody::Bounced(_) | EventBody::SendFailed(_) | EventBody::Erase) {
        for (i, channel) in [Channel::Email, Channel::Sms].into_iter().enumerate() {
            if before.allows[i] && !state.contact.consent.allows(channel) {
                let last = state
                    .journeys
                    .iter()
                    .flat_map(|j| j.sends.iter().map(move |s| (j, s)))
                    .filter(|(_, s)| s.channel == channel && s.status == SendStatus::Sent)
                    .max_by_key(|(_, s)| s.due_at);
                if let Some((journey, send)) = last {
                    out.push(send_line(OutcomeKind::Unsubscribed, journey, send, at));
                }
            }
        }
    }
    out
}

fn abandoned(journey: &Journey, policy: &Policy) -> Outcome {
    let mut line = Outcome::new(OutcomeKind::Abandoned, &journey.id, journey.abandoned_at);
    line.playbook = Some(journey.playbook.clone());
    line.policy_version = Some(journey.policy_version.clone());
    line.holdout = journey.holdout;
    line.left_alone = journey.left_alone;
    line.pilot = policy.pilot_percent < 100 && !journey.left_alone;
    line.amount_minor = journey.cart.shop_subtotal_minor().unwrap_or(0);
    // The shop's currency, what `shop_subtotal_minor` is in (Shopify's `shop_money`).
    line.currency = Some(journey.cart.shop_currency.clone().unwrap_or_else(|| journey.cart.currency.clone()));
    // Arms are assigned by contact, holdout or not: a held-out journey is in no arm, since it
    // receives none of them.
    for send in &journey.sends {
        let Some(variant) = &send.variant else { continue };
        let weight = policy
            .experiments
            .iter()
            .find(|e| e.step == send.step)
            .and_then(|e| e.variants.iter().find(|v| &v.key == variant))
            .map_or(0, |v| v.weight);
        if !line.arms.iter().any(|a| a.step == send.step) {
            line.arms.push(Arm { step: send.step.clone(), variant: variant.clone(), weight });
        }
    }
    line
}

fn send_line(kind: OutcomeKind, journey: &Journey, send: &PlannedSend, at: chrono::DateTime<chrono::Utc>) -> Outcome {
    let mut line = Outcome::new(kind, &journey.id, at);
    line.send = Some(send.id.clone());
    line.step = Some(send.step.clone());
    line.channel = Some(send.channel);
    line.angle = send.angle;
    line.variant = send.variant.clone();
    line
}

fn line_for(state: &State, action_id: &str, kind: OutcomeKind, at: chrono::DateTime<chrono::Utc>) -> Option<Outcome> {
    let journey = state.journeys.iter().find(|j| j.send(action_id).is_some())?;
    Some(send_line(kind, journey, journey.send(action_id)?, at))
}

/// The SMS segments and the offer of the send `send_id` dispatched in this decision.
fn sent_facts<'a>(actions: &'a [Action], send_id: &str) -> (u8, Option<&'a crate::model::offer::Offer>) {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Send { id, message, .. } if id == send_id => {
                Some((message.sms.as_ref().map_or(0, |s| s.segments.count), message.data.incentive.as_ref()))
            }
            _ => None,
        })
        .unwrap_or((0, None))
}

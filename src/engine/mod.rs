//! The pure decision function (docs/architecture.md, principle 2):
//! `(policy, state, event, now) → (state', actions, explanation)`.
//! No clock, no randomness, no I/O: the same inputs give the same outputs everywhere.

mod angle;
mod anonymous;
mod confirmation;
mod contact_updates;
mod engagement;
pub mod explain;
mod housekeeping;
pub mod incentive;
mod operator;
mod outcomes;
mod send_time;
mod start;
mod support;

use crate::common::channel::Channel;
use crate::common::ids;
use crate::compliance::consent::{ConsentEntry, ConsentSource};
use crate::compliance::sms_segments;
use crate::model::action::Action;
use crate::model::event::{Event, EventBody, Origin};
use crate::model::journey::{JourneyStatus, OrderOutcome, PlannedSend, SendStatus};
use crate::model::state::State;
use crate::policy::Policy;
use chrono::{DateTime, Duration, Utc};
use explain::Explanation;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub state: State,
    pub actions: Vec<Action>,
    pub explanation: Explanation,
    /// Lines for the outcome log (`model::outcome`): the host appends them as they are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<crate::model::outcome::Outcome>,
}

pub fn decide(policy: &Policy, state: State, event: &Event, now: DateTime<Utc>) -> Decision {
    // Nothing happened in the future: a source's clock (a browser's above all) is believed up
    // to a small skew past ours, so a far-future `at` cannot outrank every real event.
    let latest = now + Duration::seconds(policy.limits.clock_skew_seconds as i64);
    let clamped;
    let event = if event.at > latest {
        clamped = Event { at: latest, ..event.clone() };
        &clamped
    } else {
        event
    };
    let mut run = Run {
        policy,
        state,
        now,
        actions: Vec::new(),
        why: Explanation::default(),
        given: (None, None),
    };
    // A `due` needs no memory of its id: it acts only on a send still scheduled, so a repeat
    // finds it handled. Not recording the scheduler's ids keeps the dedupe window for the
    // inputs that need it (webhooks are retried for up to 48 hours).
    let idempotent_by_itself = matches!(event.body, EventBody::Due(_));
    if !idempotent_by_itself && !run.state.contact.first_sighting(&event.id) {
        run.why.because(
            "duplicate",
            format_args!("event {} was already applied: nothing changes", event.id),
        );
        return run.finish();
    }
    if run.state.contact.erased && !matches!(event.body, EventBody::Erase) {
        run.why.because(
            "erased",
            "the contact was erased: nothing is recorded or sent",
        );
        return run.finish();
    }
    let before = outcomes::Before::of(&run.state);
    let housekept = run.state.contact.housekeeping_at;
    run.expire_old_journeys();
    run.purge_past_retention();
    run.seen(event);
    match &event.body {
        EventBody::Abandoned(e) => {
            run.learn(&e.contact, e.origin);
            run.abandoned(&e.cart, &e.reasons, event.at, e.origin);
        }
        EventBody::CheckoutUpdated(e) => {
            run.learn(&e.contact, Origin::Platform);
            run.platform_consent([(Channel::Sms, e.accepts_sms), (Channel::Email, e.accepts_email)], event);
            run.abandoned(&e.cart, &[], event.at, Origin::Platform);
        }
        EventBody::OrderPlaced(e) => run.order_placed(
            &e.order_id,
            e.cart_token.as_deref(),
            e.total.minor,
            event.at,
        ),
        EventBody::OrderCancelled(e) => run.order_exception(&e.order_id, OrderOutcome::Cancelled),
        EventBody::OrderRefunded(e) => run.order_exception(&e.order_id, OrderOutcome::Refunded),
        EventBody::OrderEdited(e) => run.order_exception(&e.order_id, OrderOutcome::Edited),
        EventBody::SupportTicket(e) => run.support_ticket(e),
        EventBody::OperatorPaused(e) => run.operator_paused(e),
        EventBody::OperatorResumed(e) => run.operator_resumed(e),
        EventBody::Due(e) if run.is_forget_id(&e.action_id) => run.forget_if_due(),
        EventBody::Due(e) if run.is_housekeeping_id(&e.action_id) => run.housekeeping_due(),
        EventBody::Due(e) if run.is_confirmation_id(&e.action_id) => run.confirmation_due(&e.action_id),
        EventBody::Due(e) => run.due(&e.action_id),
        EventBody::Delivered(e) => run.delivered(&e.action_id),
        EventBody::Opened(e) => run.opened(&e.action_id),
        EventBody::Clicked(e) => run.clicked(&e.action_id),
        EventBody::Bounced(e) => run.bounced(&e.action_id, e.permanent),
        EventBody::Complained(_) => {
            run.suppress(Channel::Email, "spam complaint");
            run.revoke(Channel::Email, ConsentSource::Suppression, event.at);
        }
        EventBody::SendFailed(e) => run.send_failed(&e.action_id, e.permanent, &e.code, event.at),
        EventBody::SmsReceived(e) => run.sms_received(e, event),
        EventBody::ConsentChanged(e) if e.source.is_client_side() && !run.browser_may_set_consent(e) => {}
        EventBody::ConsentChanged(e) => {
            let entry = ConsentEntry {
                status: e.status,
                source: e.source,
                at: event.at,
                text_version: e.text_version.clone(),
                evidence_hash: e.evidence.as_deref().map(ids::sha256_hex),
                jurisdiction: run.state.contact.region.clone(),
            };
            run.record_consent(e.channel, entry);
        }
        EventBody::Unsubscribed(e) => {
            let channels: &[Channel] = match e.channel {
                Some(Channel::Email) => &[Channel::Email],
                Some(Channel::Sms) => &[Channel::Sms],
                None => &[Channel::Email, Channel::Sms],
            };
            for c in channels {
                run.revoke(*c, ConsentSource::Unsubscribe, event.at);
            }
        }
        EventBody::PreferencesChanged(e) => run.preferences_changed(e, event.at),
        EventBody::Erase => run.erase(),
        EventBody::Export => run.export(),
    }
    // Only a browser makes anonymous contacts (signed sources name someone), and only the
    // visitor's own events keep one: not the scheduler's.
    let from_browser = match &event.body {
        EventBody::Abandoned(e) => e.origin == Origin::Storefront,
        EventBody::ConsentChanged(e) => e.source.is_client_side(),
        _ => false,
    };
    if from_browser || (run.state.contact.forget_at.is_some() && !idempotent_by_itself) {
        run.keep_or_forget_anonymous();
    }
    run.reschedule_housekeeping(housekept);
    let logged = outcomes::outcomes(&before, policy, &run.state, event, &run.actions, &run.why, run.now);
    let mut decision = run.finish();
    decision.outcomes = logged;
    decision
}

/// One decision in progress: the inputs, and the outputs as they accumulate.
struct Run<'p> {
    policy: &'p Policy,
    state: State,
    now: DateTime<Utc>,
    actions: Vec<Action>,
    why: Explanation,
    /// The email and phone the platform gave with this event, normalised: a journey's own.
    given: (Option<String>, Option<String>),
}

impl Run<'_> {
    fn finish(self) -> Decision {
        let mut why = self.why;
        if why.is_empty() {
            why.because("noop", "nothing to do");
        }
        Decision {
            state: self.state,
            actions: self.actions,
            explanation: why,
            outcomes: Vec::new(),
        }
    }

    pub(super) fn reply(&mut self, to: String, body: &str, kind: &str) {
        let id = format!(
            "{}.reply.{kind}.{}",
            self.state.contact.id,
            self.now.timestamp()
        );
        self.reply_with(id, to, body, Vec::new());
    }

    pub(super) fn reply_with(&mut self, id: String, to: String, body: &str, limits: Vec<crate::model::action::SendLimit>) {
        let segments = sms_segments::count(body).count;
        self.actions.push(Action::Reply {
            id,
            to,
            body: body.to_string(),
            segments,
            limits,
        });
    }

    pub(super) fn close_journey(&mut self, id: &str, status: JourneyStatus, reason: &str) {
        let Some(journey) = self.state.journeys.iter_mut().find(|j| j.id == id) else {
            return;
        };
        if journey.status == JourneyStatus::Active {
            journey.status = status;
        }
        for send in journey
            .sends
            .iter_mut()
            .filter(|s| s.status == SendStatus::Scheduled)
        {
            send.status = SendStatus::Cancelled;
            self.actions.push(Action::Cancel {
                id: send.id.clone(),
                reason: reason.to_string(),
            });
        }
    }

    pub(super) fn cancel_pending(&mut self, which: impl Fn(&PlannedSend) -> bool, reason: &str) {
        for journey in self.state.journeys.iter_mut() {
            for send in journey
                .sends
                .iter_mut()
                .filter(|s| s.status == SendStatus::Scheduled && which(s))
            {
                send.status = SendStatus::Cancelled;
                self.actions.push(Action::Cancel {
                    id: send.id.clone(),
                    reason: reason.to_string(),
                });
            }
        }
    }

    pub(super) fn expire_old_journeys(&mut self) {
        let expiry = Duration::hours(self.policy.journey_expiry_hours as i64);
        let expired: Vec<String> = self
            .state
            .journeys
            .iter()
            .filter(|j| j.status == JourneyStatus::Active && self.now - j.abandoned_at > expiry)
            .map(|j| j.id.clone())
            .collect();
        for id in expired {
            self.close_journey(&id, JourneyStatus::Expired, "journey expired");
        }
    }
}

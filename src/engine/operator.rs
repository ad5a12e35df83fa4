//! An operator's actions from the console (issue 19), decided here like every other input:
//! pause a shopper or one journey, and resume. A pause holds sends rather than cancelling them
//! (the carts are still the shopper's): a send that comes due while paused is deferred and
//! asked again, and a resume brings every held send back to the time it was due (or now).
//! Support exceptions from the console are `supportTicket` events (support.rs).
//!
//! Explanations name journeys and counts, never the operator's free text (it may name the
//! shopper, and explanations reach logs).

use super::Run;
use crate::model::action::Action;
use crate::model::contact::Hold;
use crate::model::event::{OperatorPause, OperatorResume};
use crate::model::journey::{JourneyStatus, SendStatus};
use chrono::{DateTime, Duration, Utc};

/// While a pause without an end holds, a due send is asked again this much later.
pub(super) const PAUSE_RECHECK: Duration = Duration::hours(6);

impl Run<'_> {
    pub(super) fn operator_paused(&mut self, pause: &OperatorPause) {
        let hold = Hold { since: self.now, until: pause.until.filter(|until| *until > self.now) };
        if pause.until.is_some() && hold.until.is_none() {
            self.why.because("operatorPause", "pause ignored: its end is already past");
            return;
        }
        let till = hold.until.map_or_else(|| "until resumed".to_string(), |u| format!("until {}", u.to_rfc3339()));
        match &pause.journey_id {
            None => {
                self.state.contact.operator_pause = Some(hold);
                let pending = self.state.journeys.iter().flat_map(|j| j.pending()).count();
                self.why.because("operatorPause", format_args!("paused by the merchant {till}: {pending} pending sends held"));
            }
            Some(id) => match self.state.journey_mut(id) {
                Some(journey) if journey.status == JourneyStatus::Active => {
                    journey.paused = Some(hold);
                    let pending = journey.pending().count();
                    self.why.because("operatorPause", format_args!("journey {id} paused by the merchant {till}: {pending} pending sends held"));
                }
                Some(journey) => {
                    let status = journey.status;
                    self.why.because("operatorPause", format_args!("journey {id} is {status:?}, not active: nothing to pause"));
                }
                None => self.why.because("operatorPause", format_args!("journey {id} is not this contact's: nothing paused")),
            },
        }
    }

    pub(super) fn operator_resumed(&mut self, resume: &OperatorResume) {
        match &resume.journey_id {
            None => {
                if self.state.contact.operator_pause.take().is_none() {
                    self.why.because("operatorResume", "the contact was not paused: nothing to resume");
                    return;
                }
                let released = self.release_held(|_| true, "resumed by the merchant");
                self.why.because("operatorResume", format_args!("resumed by the merchant: {released} held sends due again"));
            }
            Some(id) => {
                let Some(journey) = self.state.journey_mut(id) else {
                    self.why.because("operatorResume", format_args!("journey {id} is not this contact's: nothing resumed"));
                    return;
                };
                if journey.paused.take().is_none() {
                    self.why.because("operatorResume", format_args!("journey {id} was not paused: nothing to resume"));
                    return;
                }
                let released = self.release_held(|j| j == id, "journey resumed by the merchant");
                self.why.because("operatorResume", format_args!("journey {id} resumed by the merchant: {released} held sends due again"));
            }
        }
    }

    /// Bring every held send of the matching active journeys back to when it was due (or now),
    /// to be asked again then: whatever still holds it defers it again at that moment.
    pub(super) fn release_held(&mut self, journeys: impl Fn(&str) -> bool, reason: &str) -> usize {
        let now = self.now;
        let mut count = 0;
        for journey in self.state.journeys.iter_mut().filter(|j| j.status == JourneyStatus::Active && journeys(&j.id)) {
            for send in journey.sends.iter_mut().filter(|s| s.status == SendStatus::Scheduled) {
                let Some(from) = send.held_from.take() else { continue };
                let at = from.max(now);
                if at < send.due_at {
                    send.due_at = at;
                    count += 1;
                    self.actions.push(Action::Defer { id: send.id.clone(), at, reason: reason.to_string() });
                }
            }
        }
        count
    }
}

/// The end of the operator's holds on a send due at `at` (the contact's pause, its journey's),
/// and what to say: None when nothing holds it.
pub(super) fn operator_hold(contact: Option<&Hold>, journey: Option<&Hold>, at: DateTime<Utc>) -> Option<(DateTime<Utc>, String)> {
    let mut end: Option<(DateTime<Utc>, String)> = None;
    for (hold, whose) in [(contact, "the shopper"), (journey, "this journey")] {
        let Some(hold) = hold.filter(|h| h.holds_at(at)) else { continue };
        let (until, note) = match hold.until {
            Some(until) => (until, format!("{whose} paused by the merchant until {}", until.to_rfc3339())),
            None => (at + PAUSE_RECHECK, format!("{whose} paused by the merchant until resumed")),
        };
        if end.as_ref().is_none_or(|(e, _)| until > *e) {
            end = Some((until, note));
        }
    }
    end
}

//! Support exceptions: a refund, a cancellation or an edit of one of the shopper's orders, and
//! an open ticket at the merchant's help desk. A shopper who is getting their money back,
//! cancelling, changing an order or waiting on support is in a conversation with the store; a
//! cart reminder in the middle of it reads as not listening.
//!
//! - The journey the order recovered records what became of it (`orderOutcome`). A cancelled
//!   order was not a recovery after all: the journey is closed as `stopped` and its revenue no
//!   longer counts. A refund or an edit leaves the recovery standing (a refund may be partial,
//!   an edit may add items), recorded on the journey.
//! - Every *active* journey of the contact pauses for the policy's `supportPauseHours`
//!   (72 h by default): each pending send is deferred past the pause, and re-checked then.
//!   Pause, not close: the carts are still theirs, and the reminder may help once it is over.
//! - An open support ticket (a merchant event) holds every send until the ticket closes: a
//!   send that comes due is deferred by `TICKET_RECHECK` and asked again then.

use super::Run;
use crate::model::action::Action;
use crate::model::event::TicketStatus;
use crate::model::journey::{JourneyStatus, OrderOutcome, SendStatus};
use chrono::Duration;

/// While a ticket is open, a due send is asked again this much later.
pub(super) const TICKET_RECHECK: Duration = Duration::hours(6);

impl Run<'_> {
    pub(super) fn order_exception(&mut self, order_id: &str, outcome: OrderOutcome) {
        let what = outcome.as_str();
        if let Some(j) = self.state.journeys.iter_mut().find(|j| j.order_id.as_deref() == Some(order_id)) {
            j.order_outcome = Some(outcome);
            let id = j.id.clone();
            if outcome == OrderOutcome::Cancelled {
                // Not a recovery after all; nothing resumes either.
                j.recovered_minor = None;
                if j.status == JourneyStatus::Recovered {
                    j.status = JourneyStatus::Stopped;
                }
                self.close_journey(&id, JourneyStatus::Stopped, "the recovered order was cancelled");
                self.why.because("orderCancelled", format_args!("order {order_id} cancelled: journey {id} closed, no longer a recovery"));
            } else {
                self.why.because(
                    if outcome == OrderOutcome::Refunded { "orderRefunded" } else { "orderEdited" },
                    format_args!("order {order_id} {what}: recorded on journey {id}, which it recovered"),
                );
            }
        } else {
            self.why.because("orderException", format_args!("order {order_id} {what}: it recovered no journey"));
        }
        let until = self.now + Duration::hours(self.policy.support_pause_hours as i64);
        let hold = self.state.contact.support_hold_until.map_or(until, |h| h.max(until));
        self.state.contact.support_hold_until = Some(hold);
        let reason = format!("an order was {what}: no messages for {} h while the shopper deals with the store", self.policy.support_pause_hours);
        let paused = self.defer_pending_until(hold, &reason);
        self.why.because("supportPause", format_args!("{paused} pending sends paused until {}: {reason}", hold.to_rfc3339()));
    }

    pub(super) fn support_ticket(&mut self, ticket_id: &str, status: TicketStatus) {
        let tickets = &mut self.state.contact.open_tickets;
        match status {
            TicketStatus::Open => {
                if !tickets.iter().any(|t| t == ticket_id) {
                    tickets.push(ticket_id.to_string());
                }
                let until = self.now + TICKET_RECHECK;
                let paused = self.defer_pending_until(until, "a support ticket is open: nothing is sent until it closes");
                self.why.because("supportTicket", format_args!("support ticket opened: {paused} pending sends held until it closes"));
            }
            TicketStatus::Closed => {
                tickets.retain(|t| t != ticket_id);
                let left = tickets.len();
                self.why.because(
                    "supportTicket",
                    if left == 0 {
                        "support ticket closed: held sends go out when next due".to_string()
                    } else {
                        format!("support ticket closed; {left} still open: sends stay held")
                    },
                );
            }
        }
    }

    /// Push every pending send of every active journey to `until` at the earliest.
    fn defer_pending_until(&mut self, until: chrono::DateTime<chrono::Utc>, reason: &str) -> usize {
        let mut count = 0;
        for journey in self.state.journeys.iter_mut().filter(|j| j.status == JourneyStatus::Active) {
            for send in journey.sends.iter_mut().filter(|s| s.status == SendStatus::Scheduled && s.due_at < until) {
                send.due_at = until;
                count += 1;
                self.actions.push(Action::Defer { id: send.id.clone(), at: until, reason: reason.to_string() });
            }
        }
        count
    }
}

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
//!   send that comes due is deferred by `TICKET_RECHECK` and asked again then. The console
//!   opens the same exception for a refund, a changed order or a ticket, with the operator's
//!   reason and perhaps an end date: then it holds until that date and ends by itself.
//!   Closing the last one brings held sends back to when they were due (operator.rs).

use super::Run;
use crate::model::action::Action;
use crate::model::contact::OpenTicket;
use crate::model::event::{SupportTicket, TicketStatus};
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

    /// A help desk's ticket, or the console's support exception (a refund, a changed order,
    /// an open ticket) with its reason and perhaps an end. Opened twice, it is one exception,
    /// the later details winning; closed, held sends come due again.
    pub(super) fn support_ticket(&mut self, ticket: &SupportTicket) {
        let now = self.now;
        // Exceptions whose end has passed hold nothing: they are let go as any event passes.
        self.state.contact.open_tickets.retain(|t| t.holds_at(now));
        let tickets = &mut self.state.contact.open_tickets;
        let what = ticket.kind.as_str();
        match ticket.status {
            TicketStatus::Open if ticket.until.is_some_and(|until| until <= now) => {
                tickets.retain(|t| t.id != ticket.ticket_id);
                self.why.because("supportTicket", format_args!("support exception ({what}) already ended: nothing held"));
            }
            TicketStatus::Open => {
                let open = OpenTicket { id: ticket.ticket_id.clone(), kind: ticket.kind, reason: ticket.reason.clone(), until: ticket.until };
                match tickets.iter_mut().find(|t| t.id == ticket.ticket_id) {
                    Some(known) => *known = open,
                    None => tickets.push(open),
                }
                let (until, till) = match ticket.until {
                    Some(until) => (until, format!("until {}", until.to_rfc3339())),
                    None => (now + TICKET_RECHECK, "until it closes".to_string()),
                };
                let paused = self.defer_pending_until(until, &format!("a support exception is open ({what}): nothing is sent {till}"));
                self.why.because("supportTicket", format_args!("support exception opened ({what}): {paused} pending sends held {till}"));
            }
            TicketStatus::Closed => {
                tickets.retain(|t| t.id != ticket.ticket_id);
                let left = tickets.len();
                if left == 0 {
                    let released = self.release_held(|_| true, "the support exception closed");
                    self.why.because("supportTicket", format_args!("support exception closed ({what}): {released} held sends due again"));
                } else {
                    self.why.because("supportTicket", format_args!("support exception closed ({what}); {left} still open: sends stay held"));
                }
            }
        }
    }

    /// Push every pending send of every active journey to `until` at the earliest.
    fn defer_pending_until(&mut self, until: chrono::DateTime<chrono::Utc>, reason: &str) -> usize {
        let mut count = 0;
        for journey in self.state.journeys.iter_mut().filter(|j| j.status == JourneyStatus::Active) {
            for send in journey.sends.iter_mut().filter(|s| s.status == SendStatus::Scheduled && s.due_at < until) {
                send.held_from.get_or_insert(send.due_at);
                send.due_at = until;
                count += 1;
                self.actions.push(Action::Defer { id: send.id.clone(), at: until, reason: reason.to_string() });
            }
        }
        count
    }
}

//! Expiry and retention that run by themselves: both used to run only when a new event
//! arrived, so an idle contact kept its journeys `active` and its personal data for ever
//! (issue 15; GDPR art. 5(1)(e), storage limitation). Every decision keeps one due entry per
//! contact, `<contactId>.housekeeping`, at the earliest time something must expire; its `due`
//! runs the same expiry and retention as any event, and the next one is scheduled after it.
//! The id is stable, so moving the time replaces the entry, and only a decision that moves it
//! emits an action.

use super::Run;
use crate::model::action::Action;
use crate::model::event::{Event, EventBody};
use crate::model::journey::JourneyStatus;
use chrono::{DateTime, Duration, Utc};

impl Run<'_> {
    fn housekeeping_id(&self) -> String {
        format!("{}.housekeeping", self.state.contact.id)
    }

    pub(super) fn is_housekeeping_id(&self, action_id: &str) -> bool {
        action_id == self.housekeeping_id()
    }

    pub(super) fn retention_days(&self) -> Duration {
        Duration::days(self.policy.retention.days_for(self.state.contact.region.as_deref()) as i64)
    }

    /// The contact's newest activity: its last event, or its newest journey for state written
    /// before events were timed (the later of the two).
    fn last_activity(&self) -> Option<DateTime<Utc>> {
        let newest = self.state.journeys.iter().map(|j| j.abandoned_at).max();
        newest.max(self.state.contact.last_seen_at)
    }

    /// An event other than the scheduler's is activity: retention counts from the newest.
    pub(super) fn seen(&mut self, event: &Event) {
        if matches!(event.body, EventBody::Due(_)) {
            return;
        }
        let contact = &mut self.state.contact;
        contact.last_seen_at = contact.last_seen_at.max(Some(event.at));
    }

    /// The earliest time something must expire: an active journey's expiry, a closed journey's
    /// retention horizon, and, once no journey is active, the contact's own. None for an
    /// anonymous visitor (its own forgetting, engine/anonymous.rs, comes far sooner) and for an
    /// erased or purged contact, which holds nothing to expire. A second past the boundary,
    /// since expiry and retention both compare strictly.
    fn next_housekeeping(&self) -> Option<DateTime<Utc>> {
        let contact = &self.state.contact;
        if contact.erased || contact.is_anonymous() {
            return None;
        }
        let expiry = Duration::hours(self.policy.journey_expiry_hours as i64);
        let retention = self.retention_days();
        let journeys = self.state.journeys.iter().map(|j| match j.status {
            JourneyStatus::Active => j.abandoned_at + expiry,
            _ => j.abandoned_at + retention,
        });
        let any_active = self.state.journeys.iter().any(|j| j.status == JourneyStatus::Active);
        let idle = if any_active { None } else { self.last_activity().map(|at| at + retention) };
        journeys.chain(idle).min().map(|at| at + Duration::seconds(1))
    }

    /// Closed journeys older than the region's retention are dropped from the state: their cart
    /// contents and timelines are personal data with no further purpose. A contact with no
    /// active journey and no activity within retention is purged whole.
    pub(super) fn purge_past_retention(&mut self) {
        let retention = self.retention_days();
        let (horizon, days) = (self.now - retention, retention.num_days());
        let any_active = self.state.journeys.iter().any(|j| j.status == JourneyStatus::Active);
        let idle = !any_active && !self.state.contact.is_anonymous() && self.last_activity().is_some_and(|at| at < horizon);
        if idle {
            self.purge_idle_contact(days);
            return;
        }
        let before = self.state.journeys.len();
        self.state.journeys.retain(|j| j.status == JourneyStatus::Active || j.abandoned_at >= horizon);
        let purged = before - self.state.journeys.len();
        if purged > 0 {
            self.why.because("retention", format_args!("{purged} closed journeys purged after {days} days of retention"));
        }
    }

    /// An idle contact has no purpose left for its personal data: it goes as in an erasure
    /// (email, phone, name, region, time zone, carts and their timelines, the send record;
    /// the store drops its index keys, due entries and queued sends), but nobody is suppressed
    /// at the providers, and the contact may come back. Kept as proof: the consent ledger
    /// (statuses, sources, times, text versions, evidence hashes; it holds no address), the
    /// suppressions, which honour an opt-out, and the hashed ids of applied events, so a late
    /// webhook retry is not applied again (docs/compliance.md).
    fn purge_idle_contact(&mut self, days: i64) {
        self.cancel_pending(|_| true, "contact purged after retention");
        let old = std::mem::take(&mut self.state.contact);
        self.state.journeys.clear();
        let contact = &mut self.state.contact;
        contact.id = old.id;
        contact.consent = old.consent;
        contact.suppressed = old.suppressed;
        contact.seen = old.seen;
        contact.housekeeping_at = old.housekeeping_at;
        self.actions.push(Action::Purge { contact_id: contact.id.clone() });
        self.why.because("retention", format_args!("idle for {days} days: personal data purged, the consent ledger kept"));
    }

    pub(super) fn housekeeping_due(&mut self) {
        self.why.because("housekeeping", "expiry and retention checked");
    }

    /// After every decision: the entry moves only when the earliest horizon moved from where
    /// the decision found it (`before`: an erasure replaces the state that remembered it).
    pub(super) fn reschedule_housekeeping(&mut self, before: Option<DateTime<Utc>>) {
        let next = self.next_housekeeping();
        self.state.contact.housekeeping_at = next;
        if next == before {
            return;
        }
        let id = self.housekeeping_id();
        match next {
            Some(at) => {
                let reason = "the next journey expiry or retention horizon".to_string();
                self.actions.push(Action::Defer { id, at, reason });
            }
            None => self.actions.push(Action::Cancel { id, reason: "nothing left to expire".into() }),
        }
    }
}

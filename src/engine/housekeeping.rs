//! Expiry and retention that run by themselves: both used to run only when a new event
//! arrived, so an idle contact kept its journeys `active` and its personal data for ever
//! (issue 15; GDPR art. 5(1)(e), storage limitation). Every decision keeps one due entry per
//! contact, `<contactId>.housekeeping`, at the earliest time something must expire; its `due`
//! runs the same expiry and retention as any event, and the next one is scheduled after it.
//! The id is stable, so moving the time replaces the entry, and only a decision that moves it
//! emits an action.

use super::Run;
use crate::model::action::Action;
use crate::model::journey::JourneyStatus;
use chrono::{DateTime, Duration, Utc};

impl Run<'_> {
    fn housekeeping_id(&self) -> String {
        format!("{}.housekeeping", self.state.contact.id)
    }

    pub(super) fn is_housekeeping_id(&self, action_id: &str) -> bool {
        action_id == self.housekeeping_id()
    }

    /// The earliest time something must expire: an active journey's expiry, else (every
    /// journey closed) the retention horizon of the newest one, when the contact is purged.
    /// A second past the boundary, since expiry and retention both compare strictly.
    fn next_housekeeping(&self) -> Option<DateTime<Utc>> {
        let journeys = &self.state.journeys;
        let active = journeys.iter().filter(|j| j.status == JourneyStatus::Active);
        let at = match active.map(|j| j.abandoned_at).min() {
            Some(oldest) => oldest + Duration::hours(self.policy.journey_expiry_hours as i64),
            None => {
                let newest = journeys.iter().map(|j| j.abandoned_at).max()?;
                newest + Duration::days(self.retention_days() as i64)
            }
        };
        Some(at + Duration::seconds(1))
    }

    pub(super) fn retention_days(&self) -> u32 {
        self.policy.retention.days_for(self.state.contact.region.as_deref())
    }

    /// A contact whose every journey is past retention has no purpose left for its personal
    /// data: it goes as in an erasure (email, phone, name, region, time zone, carts, sends),
    /// but without suppressing anyone at the providers, and the contact may come back. Kept as
    /// proof: the consent ledger (statuses, sources, times, text versions and evidence hashes;
    /// it holds no address), the suppressions, which honour an opt-out, and the seen event
    /// hashes, so a late webhook retry is not applied again (docs/compliance.md).
    pub(super) fn purge_idle_contact(&mut self) {
        let old = std::mem::take(&mut self.state.contact);
        let contact = &mut self.state.contact;
        contact.id = old.id;
        contact.consent = old.consent;
        contact.suppressed = old.suppressed;
        contact.seen = old.seen;
        contact.housekeeping_at = old.housekeeping_at;
        self.why.because("retention", "idle past retention: personal data purged, the consent ledger kept");
    }

    pub(super) fn housekeeping_due(&mut self) {
        self.why.because("housekeeping", "expiry and retention checked");
    }

    /// After every decision: the entry moves only when the earliest horizon moved from where
    /// the decision found it (`before`: an erasure replaces the state that remembered it).
    pub(super) fn reschedule_housekeeping(&mut self, before: Option<DateTime<Utc>>) {
        let next = if self.state.contact.erased { None } else { self.next_housekeeping() };
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

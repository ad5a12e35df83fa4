//! Anonymous visitors: a contact known only by a browser's anonymous id. A beacon is free to
//! send, so such contacts are kept only for a while (`limits.anonymousTtlHours` after their last
//! event) and then forgotten whole, rows and index keys, unless a platform identity arrives.
//! Without this, every junk beacon would leave state behind for ever (docs/security.md).

use super::Run;
use crate::model::action::Action;
use chrono::Duration;

impl Run<'_> {
    fn forget_id(&self) -> String {
        format!("{}.forget", self.state.contact.id)
    }

    pub(super) fn is_forget_id(&self, action_id: &str) -> bool {
        action_id == self.forget_id()
    }

    /// After every decision: an anonymous contact's forgetting moves to TTL after now; one that
    /// gained a platform identity is kept.
    pub(super) fn keep_or_forget_anonymous(&mut self) {
        let id = self.forget_id();
        if self.state.contact.is_anonymous() {
            let at = self.now + Duration::hours(self.policy.limits.anonymous_ttl_hours as i64);
            self.state.contact.forget_at = Some(at);
            let reason = "no platform identity: forgotten then unless one arrives".to_string();
            self.actions.push(Action::Defer { id, at, reason });
        } else if self.state.contact.forget_at.take().is_some() {
            self.actions.push(Action::Cancel { id, reason: "a platform identity arrived".into() });
        }
    }

    pub(super) fn forget_if_due(&mut self) {
        let contact = &mut self.state.contact;
        match contact.forget_at {
            Some(at) if contact.is_anonymous() && at <= self.now => {
                // Cleared, so a repeated due finds nothing to do.
                contact.forget_at = None;
                let contact_id = contact.id.clone();
                self.why.because("forgotten", "anonymous visitor with no platform identity: forgotten");
                self.actions.push(Action::Forget { contact_id });
            }
            _ => self.why.because("kept", "not due to be forgotten"),
        }
    }
}

//! The SMS double opt-in text ("Reply YES"). It goes to a number that has not confirmed
//! anything, which makes it the payload of SMS pumping: a hostile page toggling a consent box
//! could otherwise make the merchant text any number again and again (docs/security.md). So it
//! is a message like any other: quiet hours defer it, one contact asks at most once per number
//! in the policy's window, and the reply carries counters the host takes in its store before
//! sending (per number across every contact, and the shop's daily budget).

use super::Run;
use crate::model::action::{Action, SendLimit};
use crate::compliance::consent::ConsentStatus;
use crate::model::contact::SmsConfirmation;
use crate::common::channel::Channel;
use crate::compliance::quiet_hours;
use chrono::{DateTime, Duration, Utc};

const TEXT: &str = "Reply YES to get cart reminders by text. Msg & data rates may apply. Reply STOP to opt out.";

impl Run<'_> {
    pub(super) fn is_confirmation_id(&self, action_id: &str) -> bool {
        self.state.contact.sms_confirmation.as_ref().is_some_and(|c| c.id == action_id)
    }

    /// Ask a pending SMS subscriber to confirm, if the platform gave us their number, unless
    /// this number was already asked within the window.
    pub(super) fn double_opt_in(&mut self) {
        let Some(phone) = self.state.contact.phone.clone() else { return };
        let days = self.policy.limits.sms_confirmation_days_per_number;
        if let Some(last) = &self.state.contact.sms_confirmation {
            if last.to == phone && self.now - last.at < Duration::days(days as i64) {
                self.why.because(
                    "confirmationCapped",
                    format_args!("a confirmation text to this number was already planned on {}: at most one per {days} days", last.at.to_rfc3339()),
                );
                return;
            }
        }
        let id = format!("{}.confirm-sms.{}", self.state.contact.id, self.now.timestamp());
        self.state.contact.sms_confirmation = Some(SmsConfirmation { id: id.clone(), to: phone, at: self.now, settled: false });
        self.confirmation_due(&id);
    }

    /// Send the confirmation now, defer it past quiet hours, or drop it if its reason went.
    pub(super) fn confirmation_due(&mut self, action_id: &str) {
        let Some(pending) = self.state.contact.sms_confirmation.clone().filter(|c| c.id == action_id) else { return };
        if pending.settled {
            self.why.because("alreadyHandled", format_args!("{action_id} was already handled"));
            return;
        }
        if pending.at > self.now {
            // A repeated or early due: the text was already deferred past it, and its own entry comes then.
            self.why.because("notYetDue", format_args!("{action_id} is due at {}", pending.at.to_rfc3339()));
            return;
        }
        let contact = &self.state.contact;
        let refusal = if contact.consent.status(Channel::Sms) != ConsentStatus::Pending {
            Some(format!("SMS consent is {:?}, no longer pending", contact.consent.status(Channel::Sms)))
        } else if contact.phone.as_deref() != Some(pending.to.as_str()) {
            Some("the number changed since it was asked for".to_string())
        } else if contact.suppressed.contains(&Channel::Sms) {
            Some("SMS is suppressed for this contact".to_string())
        } else {
            None
        };
        if let Some(reason) = refusal {
            self.settle_confirmation(pending.at);
            self.why.because("skipped", format_args!("confirmation text skipped: {reason}"));
            if pending.at < self.now {
                // It was deferred, so it has a due entry.
                self.actions.push(Action::Skip { id: action_id.to_string(), reason });
            }
            return;
        }
        match self.sms_opening() {
            Ok(at) if at > self.now => {
                if let Some(c) = self.state.contact.sms_confirmation.as_mut() {
                    c.at = at;
                }
                let reason = "quiet hours".to_string();
                self.why.because("deferred", format_args!("confirmation text deferred to {}: {reason}", at.to_rfc3339()));
                self.actions.push(Action::Defer { id: action_id.to_string(), at, reason });
            }
            Ok(_) => {
                self.settle_confirmation(self.now);
                let limits = &self.policy.limits;
                let limits = vec![
                    SendLimit { key: "smsConfirmation".into(), per_address: true, max: 1, window_hours: limits.sms_confirmation_days_per_number * 24 },
                    SendLimit { key: "smsConfirmation:shop".into(), per_address: false, max: limits.sms_confirmations_per_day, window_hours: 24 },
                ];
                self.why.because("confirmationSent", "confirmation text sent, if the number and the shop are within their limits");
                // CTIA: the text names its sender, as every SMS does (the policy's storeName).
                let text = match self.policy.store_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(store) => format!("{store}: {TEXT}"),
                    None => TEXT.to_string(),
                };
                self.reply_with(action_id.to_string(), pending.to, &text, limits);
            }
            Err(e) => {
                self.settle_confirmation(pending.at);
                self.why.because("skipped", format_args!("confirmation text skipped: no lawful send time could be established: {e}"));
            }
        }
    }

    fn settle_confirmation(&mut self, at: DateTime<Utc>) {
        if let Some(c) = self.state.contact.sms_confirmation.as_mut() {
            c.settled = true;
            c.at = at;
        }
    }

    /// The first instant from now at which an SMS may reach this contact, everywhere they may be.
    fn sms_opening(&self) -> crate::error::Result<DateTime<Utc>> {
        let policy = self.policy;
        let contact = &self.state.contact;
        let packs = quiet_hours::applicable(&policy.jurisdictions, super::send_time::region_of(contact));
        let zones = if quiet_hours::binds(Channel::Sms, &packs, &policy.send_windows) {
            crate::compliance::zones::plausible_zones(&super::send_time::zone_hints(contact, policy))
        } else {
            Vec::new()
        };
        quiet_hours::next_opening_with(self.now, Channel::Sms, &packs, &policy.send_windows, &zones)
    }
}

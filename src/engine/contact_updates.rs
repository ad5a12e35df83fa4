//! What the engine learns about a contact: details by trust level, consent, suppression,
//! erasure.

use super::Run;
use crate::action::Action;
use crate::consent::{ConsentEntry, ConsentSource, ConsentStatus};
use crate::event::{ContactDetails, Event, Origin};
use crate::ids;
use crate::policy::Channel;
use crate::state::State;
use chrono::{DateTime, Utc};

impl Run<'_> {
    /// Take what a source says about the contact. Addresses only from the platform: a browser
    /// cannot point sends at an arbitrary number (SMS pumping; principle 5).
    pub(super) fn learn(&mut self, details: &ContactDetails, origin: Origin) {
        let c = &mut self.state.contact;
        let trusted = origin != Origin::Storefront;
        if trusted {
            if details.email.is_some() {
                c.email = details.email.clone();
            }
            if details.phone.is_some() {
                c.phone = details.phone.clone();
            }
            if details.region.is_some() {
                c.region = details.region.clone();
            }
        }
        if details.first_name.is_some() && (trusted || c.first_name.is_none()) {
            c.first_name = details.first_name.clone();
        }
        if let Some(zone) = &details.time_zone {
            c.time_zone = Some(zone.clone());
        }
        if let Some(returning) = details.returning {
            c.returning = returning;
        }
        if let Some(mobile) = details.mobile {
            c.mobile = mobile;
        }
    }

    pub(super) fn platform_consent(&mut self, channel: Channel, accepts: Option<bool>, event: &Event) {
        // `false` on a checkout means "box not ticked this time", not a revocation.
        if accepts == Some(true) {
            let entry = ConsentEntry {
                status: ConsentStatus::Granted,
                source: ConsentSource::Checkout,
                at: event.at,
                text_version: None,
                evidence_hash: Some(ids::sha256_hex(&event.id)),
                jurisdiction: self.state.contact.region.clone(),
            };
            self.record_consent(channel, entry);
        }
    }

    pub(super) fn record_consent(&mut self, channel: Channel, entry: ConsentEntry) {
        use crate::consent::Transition;
        let source = entry.source;
        match self.state.contact.consent.record(channel, entry) {
            Transition::Recorded(ConsentStatus::Revoked) => {
                self.why.because(
                    "consentRevoked",
                    format!("{} consent revoked", channel.as_str()),
                );
                self.cancel_pending(|s| s.channel == channel, "consent revoked");
            }
            Transition::Recorded(status) => {
                self.why.because(
                    "consentRecorded",
                    format!("{} consent now {status:?} ({source:?})", channel.as_str()),
                );
                if channel == Channel::Sms && status == ConsentStatus::Pending {
                    self.double_opt_in();
                }
            }
            Transition::DowngradedToPending => {
                self.why.because(
                    "consentPending",
                    "SMS consent from the storefront stays pending until the platform or a YES reply confirms it",
                );
                self.double_opt_in();
            }
            Transition::Ignored => self.why.because(
                "consentUnchanged",
                format!("{} consent unchanged", channel.as_str()),
            ),
        }
    }

    /// Ask a pending SMS subscriber to confirm, if the platform gave us their number.
    pub(super) fn double_opt_in(&mut self) {
        if let Some(phone) = self.state.contact.phone.clone() {
            self.reply(phone, "Reply YES to get cart reminders by text. Msg & data rates may apply. Reply STOP to opt out.", "doi");
        }
    }

    pub(super) fn suppress(&mut self, channel: Channel, reason: &str) {
        if !self.state.contact.suppressed.contains(&channel) {
            self.state.contact.suppressed.push(channel);
        }
        self.why.because(
            "suppressed",
            format!("{} suppressed: {reason}", channel.as_str()),
        );
        self.cancel_pending(|s| s.channel == channel, reason);
    }

    pub(super) fn revoke(&mut self, channel: Channel, source: ConsentSource, at: DateTime<Utc>) {
        let entry = ConsentEntry {
            status: ConsentStatus::Revoked,
            source,
            at,
            text_version: None,
            evidence_hash: None,
            jurisdiction: self.state.contact.region.clone(),
        };
        self.record_consent(channel, entry);
    }

    pub(super) fn erase(&mut self) {
        let contact_id = self.state.contact.id.clone();
        let journey_ids = self.state.journeys.iter().map(|j| j.id.clone()).collect();
        let mut providers = Vec::new();
        if self.state.contact.email.is_some() {
            providers.push(Channel::Email);
        }
        if self.state.contact.phone.is_some() {
            providers.push(Channel::Sms);
        }
        self.cancel_pending(|_| true, "contact erased");
        self.actions.push(Action::Erase {
            contact_id: contact_id.clone(),
            journey_ids,
            provider_suppressions: providers,
        });
        let seen = std::mem::take(&mut self.state.contact.seen);
        self.state = State::new(contact_id);
        self.state.contact.erased = true;
        self.state.contact.seen = seen;
        self.why.because(
            "erased",
            "personal data erased; only the pseudonymous id remains to refuse new data",
        );
    }
}

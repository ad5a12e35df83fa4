//! What the engine learns about a contact: details by trust level, consent, suppression,
//! erasure.

use super::Run;
use crate::common::channel::Channel;
use crate::common::ids;
use crate::compliance::consent::{ConsentEntry, ConsentSource, ConsentStatus};
use crate::model::action::Action;
use crate::model::event::{ContactDetails, Event, Origin};
use crate::model::state::State;
use chrono::{DateTime, Utc};

impl Run<'_> {
    /// Take what a source says about the contact. Addresses only from the platform: a browser
    /// cannot point sends at an arbitrary number (SMS pumping; principle 5).
    /// Take what a source says about the contact. Addresses only from the platform: a browser
    /// cannot point sends at an arbitrary number (SMS pumping; principle 5). Addresses are
    /// normalised (lowercase domain, E.164) or refused, never stored half-valid.
    pub(super) fn learn(&mut self, details: &ContactDetails, origin: Origin) {
        let trusted = origin != Origin::Storefront;
        if trusted {
            if details.region.is_some() {
                self.state.contact.region = details.region.clone();
            }
            // Webhook retries and checkout updates repeat the same address: parsing it again
            // costs microseconds a decision does not need to spend.
            if let Some(raw) = details.email.as_ref() {
                if self.state.contact.email.as_ref() == Some(raw) {
                    self.given.0 = Some(raw.clone());
                } else {
                    match crate::hygiene::email::normalize(raw) {
                        Ok(email) => {
                            self.given.0 = Some(email.clone());
                            self.state.contact.email = Some(email);
                        }
                        Err(e) => self.why.because("invalidEmail", format_args!("email not stored: {}", e.code().as_str())),
                    }
                }
            }
            if let Some(raw) = details.phone.as_ref() {
                if self.state.contact.phone.as_ref() == Some(raw) {
                    self.given.1 = Some(raw.clone());
                } else {
                    let country = self.state.contact.region.as_deref().map(|r| r.split('-').next().unwrap_or(r).to_string());
                    match crate::hygiene::phone::normalize_for_sms(raw, country.as_deref()) {
                        Ok((phone, takes_sms)) => {
                            self.given.1 = Some(phone.clone());
                            self.set_phone(phone, takes_sms);
                        }
                        Err(e) => self.why.because("invalidPhone", format_args!("phone not stored: {}", e.code().as_str())),
                    }
                }
            }
        }
        let c = &mut self.state.contact;
        if details.first_name.is_some() && (trusted || c.first_name.is_none()) {
            c.first_name = details.first_name.clone();
        }
        if let Some(zone) = &details.time_zone {
            c.time_zone = Some(zone.clone());
        }
        // Only a language tag's shape is kept: it picks the copy, nothing else.
        let tag_like = |t: &&String| (2..=35).contains(&t.len()) && t.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if let Some(locale) = details.locale.as_ref().filter(tag_like) {
            if trusted || c.locale.is_none() {
                c.locale = Some(locale.clone());
            }
        }
        // "Returning" picks playbooks and incentives: a browser's word for it would farm the
        // loyalty offer, so only the platform's counts (docs/security.md).
        if let Some(returning) = details.returning.filter(|_| trusted) {
            c.returning = returning;
        }
        if let Some(mobile) = details.mobile {
            c.mobile = mobile;
        }
    }

    /// A new number; SMS suppression follows its line type (a landline cannot take texts).
    /// Only line type ever suppresses SMS, so it is recomputed whenever the number changes.
    fn set_phone(&mut self, phone: String, takes_sms: Option<bool>) {
        let landline = takes_sms == Some(false);
        self.state.contact.phone = Some(phone);
        if landline {
            self.suppress(Channel::Sms, "the number is a landline");
        } else {
            self.state.contact.suppressed.retain(|c| *c != Channel::Sms);
        }
    }

    /// The preference centre: channels on or off, fewer messages, or a pause.
    pub(super) fn preferences_changed(&mut self, change: &crate::model::event::PreferenceChange, at: DateTime<Utc>) {
        for (channel, wanted) in [(Channel::Email, change.email), (Channel::Sms, change.sms)] {
            let Some(wanted) = wanted else { continue };
            let status = if wanted { ConsentStatus::Granted } else { ConsentStatus::Revoked };
            let entry = ConsentEntry {
                status,
                source: ConsentSource::PreferenceCentre,
                at,
                text_version: None,
                evidence_hash: None,
                jurisdiction: self.state.contact.region.clone(),
            };
            self.record_consent(channel, entry);
        }
        let prefs = &mut self.state.contact.preferences;
        if let Some(frequency) = change.frequency {
            prefs.frequency = frequency;
        }
        prefs.paused_until = change.paused_until;
        let pause = prefs.paused_until.map(|t| format!(", paused until {}", t.to_rfc3339())).unwrap_or_default();
        self.why.because("preferences", format_args!("preferences saved: {:?}{pause}", prefs.frequency));
    }

    /// A data request: everything held about the contact, exactly as stored.
    pub(super) fn export(&mut self) {
        let contact_id = self.state.contact.id.clone();
        self.actions.push(Action::Export { contact_id, data: self.state.clone() });
        self.why.because("export", "data request answered with the stored contact and journeys");
    }

    /// The checkout's consent boxes, each with the event as evidence (hashed once for both).
    pub(super) fn platform_consent(&mut self, accepts: [(Channel, Option<bool>); 2], event: &Event) {
        let mut evidence = None;
        // `false` on a checkout means "box not ticked this time", not a revocation.
        for (channel, _) in accepts.into_iter().filter(|(_, accepts)| *accepts == Some(true)) {
            let evidence_hash = evidence.get_or_insert_with(|| ids::sha256_hex(&event.id)).clone();
            let entry = ConsentEntry {
                status: ConsentStatus::Granted,
                source: ConsentSource::Checkout,
                at: event.at,
                text_version: None,
                evidence_hash: Some(evidence_hash),
                jurisdiction: self.state.contact.region.clone(),
            };
            self.record_consent(channel, entry);
        }
    }

    pub(super) fn record_consent(&mut self, channel: Channel, entry: ConsentEntry) {
        use crate::compliance::consent::Transition;
        let source = entry.source;
        let at = entry.at;
        let transition = self.state.contact.consent.record(channel, entry);
        if let Transition::Recorded(status) = transition {
            self.report_consent(channel, status, source, at);
        }
        match transition {
            Transition::Recorded(ConsentStatus::Revoked) => {
                self.why.because(
                    "consentRevoked",
                    format_args!("{} consent revoked", channel.as_str()),
                );
                self.cancel_pending(|s| s.channel == channel, "consent revoked");
            }
            Transition::Recorded(status) => {
                self.why.because(
                    "consentRecorded",
                    format_args!("{} consent now {status:?} ({source:?})", channel.as_str()),
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
                format_args!("{} consent unchanged", channel.as_str()),
            ),
        }
    }

    /// A change the shopper made through Rekindle goes back to the platform (`reportConsent`).
    /// What the platform itself reported (a checkout box, its consent webhooks), an import or a
    /// bounce is not sent back: the platform has it already, or it is not the shopper's choice.
    fn report_consent(&mut self, channel: Channel, status: ConsentStatus, source: ConsentSource, at: DateTime<Utc>) {
        let shoppers_own = matches!(
            source,
            ConsentSource::SmsKeyword
                | ConsentSource::DoubleOptInReply
                | ConsentSource::Unsubscribe
                | ConsentSource::PreferenceCentre
                | ConsentSource::CarrierBlock
        );
        let contact = &self.state.contact;
        let address = match channel {
            Channel::Email => contact.email.clone(),
            Channel::Sms => contact.phone.clone(),
        };
        if let (true, Some(address)) = (shoppers_own, address) {
            let id = format!("{}.consent.{}.{}", contact.id, channel.as_str(), at.timestamp_millis());
            self.actions.push(Action::ReportConsent { id, channel, status, source, address, at });
        }
    }

    /// Consent a browser reports (the storefront widget, a page's checkbox) is page-level
    /// consent for the anonymous visitor. Once the platform has given the contact an address,
    /// a browser may only *ask* for SMS (which stays pending and triggers one capped
    /// confirmation text): it can neither grant nor revoke anything, since whoever knows a cart
    /// token could otherwise rewrite a stranger's consent (docs/security.md).
    pub(super) fn browser_may_set_consent(&mut self, change: &crate::model::event::ConsentChange) -> bool {
        if self.state.contact.is_anonymous()
            || (change.channel == Channel::Sms && change.status == ConsentStatus::Granted)
        {
            return true;
        }
        self.why.because(
            "browserConsentIgnored",
            format_args!(
                "{} consent for a contact the platform knows comes from the platform, a reply or a signed link, not a browser",
                change.channel.as_str()
            ),
        );
        false
    }

    pub(super) fn suppress(&mut self, channel: Channel, reason: &str) {
        if !self.state.contact.suppressed.contains(&channel) {
            self.state.contact.suppressed.push(channel);
        }
        self.why.because(
            "suppressed",
            format_args!("{} suppressed: {reason}", channel.as_str()),
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
        let contact = &self.state.contact;
        let providers = [(Channel::Email, &contact.email), (Channel::Sms, &contact.phone)]
            .into_iter()
            .filter_map(|(channel, address)| {
                let address = address.clone()?;
                Some(crate::model::action::ProviderSuppression { channel, address })
            })
            .collect();
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

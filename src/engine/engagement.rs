//! What shoppers do after a message: orders, opens, clicks, bounces, failures and replies.

use super::Run;
use crate::common::channel::Channel;
use crate::common::ids;
use crate::compliance::consent::{ConsentEntry, ConsentSource, ConsentStatus};
use crate::compliance::keywords::{self, Keyword};
use crate::model::action::Action;
use crate::model::event::Event;
use crate::model::journey::{JourneyStatus, PlannedSend, SendStatus};
use crate::policy::KeywordReplies;
use chrono::{DateTime, Duration, Utc};

/// How soon after a click the follow-up SMS goes (the mission: a concise SMS reminder).
const CLICK_FOLLOW_UP: Duration = Duration::minutes(10);
/// A shopper who says why in their own words outranks any inferred signal.
const REPLY_CONFIDENCE: f32 = 0.9;
/// FCC 24-24: the one text after a revocation request goes out within 5 minutes of it.
const CLARIFY_WITHIN: Duration = Duration::minutes(5);
/// After an email open, the next SMS waits at least this long: they are reading.
const OPEN_SHIFT: Duration = Duration::minutes(30);

impl Run<'_> {
    pub(super) fn order_placed(
        &mut self,
        order_id: &str,
        cart_token: Option<&str>,
        total_minor: i64,
        at: DateTime<Utc>,
    ) {
        let window = Duration::hours(self.policy.attribution_window_hours as i64);
        // Match by cart token first, then the contact's latest journey within the window.
        let matched = cart_token
            .and_then(|token| self.state.journeys.iter().find(|j| j.cart.token == token))
            .or_else(|| {
                self.state
                    .journeys
                    .iter()
                    .filter(|j| at >= j.abandoned_at && at - j.abandoned_at <= window)
                    .max_by_key(|j| j.abandoned_at)
            })
            .map(|j| j.id.clone());
        let stats = &mut self.state.contact.stats;
        // orders/create and orders/paid both report one order: count it once.
        if stats.last_order_id.as_deref() != Some(order_id) {
            stats.orders += 1;
            stats.last_order_id = Some(order_id.to_string());
        }
        if let Some(id) = &matched {
            if let Some(j) = self.state.journey_mut(id) {
                if j.order_id.is_none() {
                    j.order_id = Some(order_id.to_string());
                    j.recovered_minor = Some(total_minor);
                }
            }
            self.close_journey(id, JourneyStatus::Recovered, "order placed");
            self.why
                .because("recovered", format_args!("order matched journey {id}"));
        } else {
            self.why
                .because("orderUnmatched", "order matched no journey");
        }
        // Never a message after a purchase, from any journey of this contact.
        let others: Vec<String> = self
            .state
            .journeys
            .iter()
            .filter(|j| j.status == JourneyStatus::Active)
            .map(|j| j.id.clone())
            .collect();
        for id in others {
            self.close_journey(&id, JourneyStatus::Stopped, "the contact placed an order");
        }
    }

    /// Recorded on the send; a delivery changes no plan.
    pub(super) fn delivered(&mut self, action_id: &str) {
        let send = self.state.journey_of_action(action_id).and_then(|j| j.send_mut(action_id));
        match send {
            Some(send) => {
                send.delivered = true;
                self.why.because("delivered", format_args!("{action_id} delivered"));
            }
            None => self.why.because("unknownAction", format_args!("delivery for unknown {action_id}")),
        }
    }

    pub(super) fn opened(&mut self, action_id: &str) {
        let now = self.now;
        let Some(journey) = self.state.journey_of_action(action_id) else {
            self.why
                .because("unknownAction", format_args!("open for unknown {action_id}"));
            return;
        };
        let mut first_open = false;
        if let Some(s) = journey.send_mut(action_id) {
            first_open = !s.opened;
            s.opened = true;
        }
        // An email open shifts the next SMS: do not text someone who is reading.
        let mut moved = None;
        if journey.status == JourneyStatus::Active {
            if let Some(next) = journey
                .sends
                .iter_mut()
                .filter(|s| s.status == SendStatus::Scheduled && s.channel == Channel::Sms)
                .min_by_key(|s| s.due_at)
            {
                if next.due_at < now + OPEN_SHIFT {
                    next.due_at = now + OPEN_SHIFT;
                    moved = Some((next.id.clone(), next.due_at));
                }
            }
        }
        if first_open {
            self.state.contact.stats.opens += 1;
        }
        self.why.because("opened", format_args!("{action_id} opened"));
        if let Some((id, at)) = moved {
            self.why.because(
                "shifted",
                format_args!("next SMS moved to {} after the open", at.to_rfc3339()),
            );
            self.actions.push(Action::Defer {
                id,
                at,
                reason: "email opened: give the reader time".into(),
            });
        }
    }

    pub(super) fn clicked(&mut self, action_id: &str) {
        let now = self.now;
        let Some(journey) = self.state.journey_of_action(action_id) else {
            self.why
                .because("unknownAction", format_args!("click for unknown {action_id}"));
            return;
        };
        let (first_click, first_open) = match journey.send_mut(action_id) {
            Some(s) => {
                let firsts = (!s.clicked, !s.opened);
                s.clicked = true;
                s.opened = true;
                firsts
            }
            None => (false, false),
        };
        self.why.because("clicked", format_args!("{action_id} clicked"));
        let stats = &mut self.state.contact.stats;
        stats.clicks += first_click as u32;
        stats.opens += first_open as u32;
        let Some(journey) = self.state.journey_of_action(action_id) else { return };
        if journey.status != JourneyStatus::Active || journey.sent_on(Channel::Sms) > 0 {
            return;
        }
        // A click brings a concise SMS follow-up: pull the best-ranked pending SMS forward
        // (where only one cart SMS is allowed, a click is the moment to spend it).
        let target = now + CLICK_FOLLOW_UP;
        let playbook = journey.playbook.clone();
        let rank = |s: &PlannedSend| self.policy.priority(&playbook, &s.step);
        if let Some(next) = journey
            .sends
            .iter_mut()
            .filter(|s| s.status == SendStatus::Scheduled && s.channel == Channel::Sms)
            .max_by_key(|s| rank(s))
        {
            if next.due_at > target {
                next.due_at = target;
                let id = next.id.clone();
                self.why.because(
                    "followUp",
                    format_args!(
                        "click pulls SMS {} forward to {}",
                        next.step,
                        target.to_rfc3339()
                    ),
                );
                self.actions.push(Action::Defer {
                    id,
                    at: target,
                    reason: "email clicked: concise SMS follow-up".into(),
                });
            }
        }
    }

    pub(super) fn bounced(&mut self, action_id: &str, permanent: bool) {
        if permanent {
            self.suppress(Channel::Email, "hard bounce");
        } else {
            self.why.because(
                "softBounce",
                format_args!("{action_id} soft-bounced: the provider retries"),
            );
        }
    }

    pub(super) fn send_failed(&mut self, action_id: &str, permanent: bool, code: &str, at: DateTime<Utc>) {
        if let Some(journey) = self.state.journey_of_action(action_id) {
            if permanent {
                if let Some(s) = journey.send_mut(action_id) {
                    s.status = SendStatus::Failed;
                }
            }
        }
        self.why.because(
            "sendFailed",
            format_args!(
                "{action_id} failed ({code}, {})",
                if permanent {
                    "permanent"
                } else {
                    "transient: retried by the dispatcher"
                }
            ),
        );
        if permanent && crate::compliance::consent::means_carrier_block(code) {
            // The carrier or Twilio blocks this number for our sender until it texts START: no
            // SMS is planned or sent meanwhile, and no web or checkout opt-in lifts it.
            self.revoke(Channel::Sms, ConsentSource::CarrierBlock, at);
        }
    }

    pub(super) fn sms_received(&mut self, sms: &crate::model::event::InboundSms, event: &Event) {
        let body = sms.body.as_str();
        let Some(phone) = self.state.contact.phone.clone() else {
            self.why.because(
                "unknownSender",
                "SMS from a number the platform never gave us",
            );
            return;
        };
        let status = self.state.contact.consent.status(Channel::Sms);
        let entry = |status, source| ConsentEntry {
            status,
            source,
            at: event.at,
            text_version: None,
            evidence_hash: Some(ids::sha256_hex(body.trim())),
            jurisdiction: self.state.contact.region.clone(),
        };
        // What the provider matched is what the carrier acted on: it wins over our reading.
        let keyword = sms.provider_keyword.or_else(|| keywords::classify(body));
        let store = self.policy.store_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        let named = |text: &str| match &store {
            Some(name) => format!("{name}: {text}"),
            None => text.to_string(),
        };
        match keyword {
            Some(Keyword::OptOut) => {
                self.state.contact.sms_opt_out_unclear_since = None;
                let e = entry(ConsentStatus::Revoked, ConsentSource::SmsKeyword);
                self.record_consent(Channel::Sms, e);
                self.cancel_pending(|s| s.channel == Channel::Sms, "STOP received");
                let text = named("You're unsubscribed and will get no more cart texts. Reply START to resubscribe.");
                self.keyword_reply(phone, &text, "stop");
            }
            Some(Keyword::OptIn) => {
                self.state.contact.sms_opt_out_unclear_since = None;
                let source = if status == ConsentStatus::Pending {
                    ConsentSource::DoubleOptInReply
                } else {
                    ConsentSource::SmsKeyword
                };
                let e = entry(ConsentStatus::Granted, source);
                self.record_consent(Channel::Sms, e);
                let text = named("You're subscribed to cart reminders. Reply STOP to opt out, HELP for help.");
                self.keyword_reply(phone, &text, "start");
            }
            Some(Keyword::Help) => {
                self.why.because("help", "HELP received");
                // CTIA: who is texting, how to get help, how to stop.
                let text = named("Cart reminders by text. Help: reply to this text or visit our store. Reply STOP to opt out. Msg & data rates may apply.");
                self.keyword_reply(phone, &text, "help");
            }
            Some(Keyword::MaybeOptOut) => self.maybe_opt_out(phone, event, &named),
            None => self.tailor_from_reply(body),
        }
    }

    /// STOP, START and HELP confirmations, unless the provider sends its own (the policy's
    /// `smsKeywordReplies`; Twilio does by default): one confirmation, never two.
    fn keyword_reply(&mut self, phone: String, text: &str, kind: &str) {
        match self.policy.sms_keyword_replies {
            KeywordReplies::Rekindle => self.reply(phone, text, kind),
            KeywordReplies::Provider => self.why.because(
                "keywordReply",
                format_args!("{kind} confirmation left to the SMS provider, which sends its own"),
            ),
        }
    }

    /// A reply that may be a revocation ("no more texts"): FCC 24-24 judges such wording on
    /// the totality of the circumstances, and allows one text within 5 minutes, without
    /// marketing, to clarify. Marketing SMS is held until STOP or START answers it.
    fn maybe_opt_out(&mut self, phone: String, event: &Event, named: &dyn Fn(&str) -> String) {
        let consent = self.state.contact.consent.status(Channel::Sms);
        if matches!(consent, ConsentStatus::Revoked | ConsentStatus::Unknown) {
            self.why.because("maybeOptOut", "a reply that may be an opt-out, from a number with no SMS consent: nothing to hold");
            return;
        }
        if self.state.contact.sms_opt_out_unclear_since.is_some() {
            self.why.because("maybeOptOut", "another reply that may be an opt-out: marketing SMS stays held; the one clarifying text was already sent");
            return;
        }
        self.state.contact.sms_opt_out_unclear_since = Some(event.at);
        if self.now - event.at > CLARIFY_WITHIN {
            self.why.because("maybeOptOut", "a reply that may be an opt-out: marketing SMS held until STOP or START; too late for the clarifying text (5 minutes)");
            return;
        }
        self.why.because("maybeOptOut", "a reply that may be an opt-out: one clarifying text, marketing SMS held until STOP or START");
        let text = named("Do you want to stop getting texts from us? Reply STOP to opt out or START to keep getting them.");
        self.reply(phone, &text, "clarify");
    }

    /// A free-text reply tailors the next email: what it is about becomes the journey's
    /// strongest reason. Only the classified reason is kept, never the text.
    fn tailor_from_reply(&mut self, body: &str) {
        let Some(reason) = crate::common::reason::from_reply(body) else {
            self.why.because("reply", "free-text SMS reply with no recognisable topic");
            return;
        };
        for journey in self.state.journeys.iter_mut().filter(|j| j.status == JourneyStatus::Active) {
            journey.reasons.retain(|r| r.reason != reason);
            journey.reasons.insert(0, crate::common::reason::ReasonSignal { reason, confidence: REPLY_CONFIDENCE });
        }
        self.why.because("reply", format_args!("SMS reply about {reason:?}: the next email's angle follows it"));
    }
}

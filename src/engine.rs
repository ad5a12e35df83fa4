//! The pure decision function (DESIGN.md principle 2):
//! `(policy, state, event, now) → (state', actions, explanation)`.
//! No clock, no randomness, no I/O: the same inputs give the same outputs everywhere.

use crate::action::Action;
use crate::angle;
use crate::cart::Cart;
use crate::consent::{ConsentEntry, ConsentSource, ConsentStatus};
use crate::contact::SentRecord;
use crate::event::{ContactDetails, Event, EventBody, Origin, ReasonSignal};
use crate::explain::Explanation;
use crate::ids;
use crate::journey::{Journey, JourneyStatus, PlannedSend, SendStatus};
use crate::keywords::{self, Keyword};
use crate::message::{self, Render};
use crate::policy::{Channel, Policy};
use crate::quiet_hours;
use crate::sms_segments;
use crate::state::State;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub state: State,
    pub actions: Vec<Action>,
    pub explanation: Explanation,
}

/// How soon after a click the follow-up SMS goes (the mission: a concise SMS reminder).
const CLICK_FOLLOW_UP: Duration = Duration::minutes(10);
/// After an email open, the next SMS waits at least this long: they are reading.
const OPEN_SHIFT: Duration = Duration::minutes(30);

pub fn decide(policy: &Policy, state: State, event: &Event, now: DateTime<Utc>) -> Decision {
    let mut run = Run {
        policy,
        state,
        now,
        actions: Vec::new(),
        why: Explanation::default(),
    };
    if !run.state.contact.first_sighting(&event.id) {
        run.why.because(
            "duplicate",
            format!("event {} was already applied: nothing changes", event.id),
        );
        return run.finish();
    }
    if run.state.contact.erased && !matches!(event.body, EventBody::Erase) {
        run.why.because(
            "erased",
            "the contact was erased: nothing is recorded or sent",
        );
        return run.finish();
    }
    run.expire_old_journeys();
    match &event.body {
        EventBody::Abandoned(e) => {
            run.learn(&e.contact, e.origin);
            run.abandoned(&e.cart, &e.reasons, event.at);
        }
        EventBody::CheckoutUpdated(e) => {
            run.learn(&e.contact, Origin::Platform);
            run.platform_consent(Channel::Sms, e.accepts_sms, event);
            run.platform_consent(Channel::Email, e.accepts_email, event);
            run.abandoned(&e.cart, &[], event.at);
        }
        EventBody::OrderPlaced(e) => run.order_placed(
            &e.order_id,
            e.cart_token.as_deref(),
            e.total.minor,
            event.at,
        ),
        EventBody::OrderCancelled(_) => run.why.because(
            "orderCancelled",
            "order cancelled: the journey stays closed, no messages resume",
        ),
        EventBody::Due(e) => run.due(&e.action_id),
        EventBody::Delivered(e) => run
            .why
            .because("delivered", format!("{} delivered", e.action_id)),
        EventBody::Opened(e) => run.opened(&e.action_id),
        EventBody::Clicked(e) => run.clicked(&e.action_id),
        EventBody::Bounced(e) => run.bounced(&e.action_id, e.permanent),
        EventBody::Complained(_) => {
            run.suppress(Channel::Email, "spam complaint");
            run.revoke(Channel::Email, ConsentSource::Suppression, event.at);
        }
        EventBody::SendFailed(e) => run.send_failed(&e.action_id, e.permanent, &e.code),
        EventBody::SmsReceived(e) => run.sms_received(&e.body, event),
        EventBody::ConsentChanged(e) => {
            let entry = ConsentEntry {
                status: e.status,
                source: e.source,
                at: event.at,
                text_version: e.text_version.clone(),
                evidence_hash: e.evidence.as_deref().map(ids::sha256_hex),
                jurisdiction: run.state.contact.region.clone(),
            };
            run.record_consent(e.channel, entry);
        }
        EventBody::Unsubscribed(e) => {
            let channels: &[Channel] = match e.channel {
                Some(Channel::Email) => &[Channel::Email],
                Some(Channel::Sms) => &[Channel::Sms],
                None => &[Channel::Email, Channel::Sms],
            };
            for c in channels {
                run.revoke(*c, ConsentSource::Unsubscribe, event.at);
            }
        }
        EventBody::Erase => run.erase(),
    }
    run.finish()
}

struct Run<'p> {
    policy: &'p Policy,
    state: State,
    now: DateTime<Utc>,
    actions: Vec<Action>,
    why: Explanation,
}

impl Run<'_> {
    fn finish(self) -> Decision {
        let mut why = self.why;
        if why.reasons.is_empty() {
            why.because("noop", "nothing to do");
        }
        Decision {
            state: self.state,
            actions: self.actions,
            explanation: why,
        }
    }

    /// Take what a source says about the contact. Addresses only from the platform: a browser
    /// cannot point sends at an arbitrary number (SMS pumping; principle 5).
    fn learn(&mut self, details: &ContactDetails, origin: Origin) {
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

    fn platform_consent(&mut self, channel: Channel, accepts: Option<bool>, event: &Event) {
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

    fn record_consent(&mut self, channel: Channel, entry: ConsentEntry) {
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
    fn double_opt_in(&mut self) {
        if let Some(phone) = self.state.contact.phone.clone() {
            self.reply(phone, "Reply YES to get cart reminders by text. Msg & data rates may apply. Reply STOP to opt out.", "doi");
        }
    }

    fn reply(&mut self, to: String, body: &str, kind: &str) {
        let segments = sms_segments::count(body).count;
        let id = format!(
            "{}.reply.{kind}.{}",
            self.state.contact.id,
            self.now.timestamp()
        );
        self.actions.push(Action::Reply {
            id,
            to,
            body: body.to_string(),
            segments,
        });
    }

    fn abandoned(&mut self, cart: &Cart, reasons: &[ReasonSignal], at: DateTime<Utc>) {
        let journey_id = ids::journey_id(&self.state.contact.id, &cart.token);
        if let Some(journey) = self.state.journey_mut(&journey_id) {
            // The same cart again: never restart. The storefront's reasons are kept whenever
            // they come (a beacon often races the checkout webhook); the cart snapshot only
            // if it is newer.
            if !reasons.is_empty() {
                journey.reasons = reasons.to_vec();
                self.why.because("reasons", format!("journey {journey_id} learned why the shopper left"));
            }
            if at > journey.cart_updated_at && cart.stage >= journey.cart.stage {
                journey.cart = cart.clone();
                journey.cart_updated_at = at;
                self.why.because("cartUpdated", format!("journey {journey_id} cart refreshed"));
            } else {
                self.why.because("stale", format!("journey {journey_id} already has a newer snapshot"));
            }
            return;
        }
        // Stage precedence and supersession across this contact's carts.
        let mut superseded = Vec::new();
        for other in self
            .state
            .journeys
            .iter()
            .filter(|j| j.status == JourneyStatus::Active)
        {
            let newer_than_us = other.abandoned_at > at;
            if newer_than_us || other.cart.stage > cart.stage {
                self.why.because(
                    "outranked",
                    format!("journey {} is newer or at a deeper stage: this {:?} is tracked, not messaged", other.id, cart.stage),
                );
                return;
            }
            superseded.push(other.id.clone());
        }
        for id in superseded {
            self.close_journey(&id, JourneyStatus::Superseded, "superseded by a newer cart");
        }

        if ids::bucket(
            &format!("pilot:{}", self.policy.name),
            &self.state.contact.id,
        ) >= self.policy.pilot_percent
        {
            self.why.because(
                "outsidePilot",
                format!(
                    "contact is outside the {}% pilot",
                    self.policy.pilot_percent
                ),
            );
            return;
        }
        let holdout = ids::bucket(&format!("holdout:{}", self.policy.name), &journey_id)
            < self.policy.holdout_percent;
        let mut journey = Journey {
            id: journey_id.clone(),
            status: JourneyStatus::Active,
            policy_version: self.policy.version.clone(),
            abandoned_at: at,
            cart: cart.clone(),
            reasons: reasons.to_vec(),
            holdout,
            sends: Vec::new(),
            order_id: None,
            recovered_minor: None,
            cart_updated_at: at,
        };
        if holdout {
            self.why.because(
                "holdout",
                format!(
                    "journey {journey_id} is in the {}% holdout: tracked, never messaged",
                    self.policy.holdout_percent
                ),
            );
        } else {
            for step in &self.policy.steps {
                let id = ids::send_id(&journey_id, &step.key, step.channel, 0);
                let due_at = (at + Duration::minutes(step.delay_minutes as i64)).max(self.now);
                journey.sends.push(PlannedSend {
                    id: id.clone(),
                    step: step.key.clone(),
                    channel: step.channel,
                    due_at,
                    status: SendStatus::Scheduled,
                    attempt: 0,
                    // Chosen when it comes due: the storefront's reasons may arrive later.
                    angle: None,
                    opened: false,
                    clicked: false,
                });
                self.actions.push(Action::Schedule {
                    id,
                    journey_id: journey_id.clone(),
                    step: step.key.clone(),
                    channel: step.channel,
                    at: due_at,
                });
            }
            self.why.because(
                "journeyStarted",
                format!("journey {journey_id} started under {}: {} sends planned, each re-checked when due", self.policy.version, journey.sends.len()),
            );
        }
        self.state.journeys.push(journey);
    }

    fn order_placed(
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
        if let Some(id) = &matched {
            if let Some(j) = self.state.journey_mut(id) {
                if j.order_id.is_none() {
                    j.order_id = Some(order_id.to_string());
                    j.recovered_minor = Some(total_minor);
                }
            }
            self.close_journey(id, JourneyStatus::Recovered, "order placed");
            self.why
                .because("recovered", format!("order matched journey {id}"));
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

    fn close_journey(&mut self, id: &str, status: JourneyStatus, reason: &str) {
        let Some(journey) = self.state.journeys.iter_mut().find(|j| j.id == id) else {
            return;
        };
        if journey.status == JourneyStatus::Active {
            journey.status = status;
        }
        for send in journey
            .sends
            .iter_mut()
            .filter(|s| s.status == SendStatus::Scheduled)
        {
            send.status = SendStatus::Cancelled;
            self.actions.push(Action::Cancel {
                id: send.id.clone(),
                reason: reason.to_string(),
            });
        }
    }

    fn cancel_pending(&mut self, which: impl Fn(&PlannedSend) -> bool, reason: &str) {
        for journey in self.state.journeys.iter_mut() {
            for send in journey
                .sends
                .iter_mut()
                .filter(|s| s.status == SendStatus::Scheduled && which(s))
            {
                send.status = SendStatus::Cancelled;
                self.actions.push(Action::Cancel {
                    id: send.id.clone(),
                    reason: reason.to_string(),
                });
            }
        }
    }

    fn expire_old_journeys(&mut self) {
        let expiry = Duration::hours(self.policy.journey_expiry_hours as i64);
        let expired: Vec<String> = self
            .state
            .journeys
            .iter()
            .filter(|j| j.status == JourneyStatus::Active && self.now - j.abandoned_at > expiry)
            .map(|j| j.id.clone())
            .collect();
        for id in expired {
            self.close_journey(&id, JourneyStatus::Expired, "journey expired");
        }
    }

    /// Principle 3: a scheduled send is a promise to ask again.
    fn due(&mut self, action_id: &str) {
        let now = self.now;
        let policy = self.policy;
        let contact = self.state.contact.clone();
        let Some(journey) = self.state.journey_of_action(action_id) else {
            self.why.because(
                "unknownAction",
                format!("{action_id} belongs to no journey: ignored"),
            );
            return;
        };
        let send = journey
            .send(action_id)
            .cloned()
            .expect("journey_of_action found it");
        if send.status != SendStatus::Scheduled {
            self.why.because(
                "alreadyHandled",
                format!("{action_id} is {:?}: nothing to do", send.status),
            );
            return;
        }
        if send.due_at > now {
            self.why.because(
                "early",
                format!("{action_id} is not due until {}", send.due_at.to_rfc3339()),
            );
            return;
        }
        let channel = send.channel;
        let step = policy.step(&send.step);
        let packs = quiet_hours::applicable(&policy.jurisdictions, region_of(&contact).as_deref());

        let skip = |reason: String| -> Option<String> { Some(reason) };
        let verdict: Option<String> = if journey.status != JourneyStatus::Active {
            skip(format!("journey is {:?}", journey.status))
        } else if journey.holdout {
            skip("journey is in the holdout".into())
        } else if step.is_none() {
            skip(format!(
                "step {} is not in playbook {}",
                send.step, policy.version
            ))
        } else if !contact.consent.allows(channel) {
            skip(format!(
                "no confirmed {} consent ({:?})",
                channel.as_str(),
                contact.consent.status(channel)
            ))
        } else if contact.suppressed.contains(&channel) {
            skip(format!(
                "{} suppressed after a bounce or complaint",
                channel.as_str()
            ))
        } else if contact.address(channel).is_none() {
            skip(format!("no {} address from the platform", channel.as_str()))
        } else if let Some(reason) = step.and_then(|s| unmet_condition(s, journey)) {
            skip(reason)
        } else if channel == Channel::Sms {
            one_cart_sms_rule(policy, &packs, journey, &send, now)
        } else {
            None
        };
        if let Some(reason) = verdict {
            if let Some(s) = journey.send_mut(action_id) {
                s.status = SendStatus::Skipped;
            }
            self.why.because(
                "skipped",
                format!("{} {} skipped: {reason}", channel.as_str(), send.step),
            );
            self.actions.push(Action::Skip {
                id: action_id.to_string(),
                reason,
            });
            return;
        }

        // Caps and quiet hours defer rather than drop.
        let mut at = now;
        let mut deferral = Vec::new();
        if let Some(until) = cap_clear_at(policy, &contact, channel, &packs, at) {
            deferral.push(format!("frequency cap until {}", until.to_rfc3339()));
            at = until;
        }
        let (zones, zone_note) = plausible_zones(&contact, policy);
        match quiet_hours::next_opening(at, channel, &packs, &zones) {
            Ok(opening) if opening > at => {
                let codes: Vec<&str> = packs.iter().map(|p| p.code).collect();
                deferral.push(format!(
                    "quiet hours ({}) in {}",
                    codes.join("+"),
                    zones.join(", ")
                ));
                at = opening;
            }
            Ok(_) => {}
            Err(e) => deferral.push(format!("time zone problem: {e}")),
        }
        let expires = journey.abandoned_at + Duration::hours(policy.journey_expiry_hours as i64);
        if at > now {
            let Some(s) = journey.send_mut(action_id) else {
                return;
            };
            if at > expires {
                s.status = SendStatus::Skipped;
                let reason = format!(
                    "{} and the next opening falls after the journey expires",
                    deferral.join("; ")
                );
                self.why.because(
                    "skipped",
                    format!("{} {} skipped: {reason}", channel.as_str(), send.step),
                );
                self.actions.push(Action::Skip {
                    id: action_id.to_string(),
                    reason,
                });
                return;
            }
            s.due_at = at;
            let reason = format!("{}{zone_note}", deferral.join("; "));
            self.why.because(
                "deferred",
                format!(
                    "{} {} deferred to {}: {reason}",
                    channel.as_str(),
                    send.step,
                    at.to_rfc3339()
                ),
            );
            self.actions.push(Action::Defer {
                id: action_id.to_string(),
                at,
                reason,
            });
            return;
        }

        let step = step.expect("checked above");
        let angle = angle::resolve(step.angle, step.fallback_angle, &journey.reasons);
        let to = contact.address(channel).unwrap_or_default().to_string();
        let message = message::render(Render {
            base_url: &policy.public_base_url,
            action_id,
            channel,
            template: &step.template,
            variant: "control",
            angle,
            first_name: contact.first_name.as_deref(),
            cart: &journey.cart,
            segment_limit: policy.sms_segment_limit,
        });
        let journey_id = journey.id.clone();
        if let Some(s) = journey.send_mut(action_id) {
            s.status = SendStatus::Sent;
            s.angle = Some(angle);
        }
        self.state.contact.sent.push(SentRecord {
            action_id: action_id.to_string(),
            channel,
            at: now,
        });
        prune_sent(&mut self.state.contact.sent, now);
        self.why.because("dispatch", format!("{} {} dispatched with angle {angle:?}: consent, order, quiet hours and caps re-checked", channel.as_str(), send.step));
        self.actions.push(Action::Send {
            id: action_id.to_string(),
            journey_id,
            channel,
            to,
            message,
        });
    }

    fn opened(&mut self, action_id: &str) {
        let now = self.now;
        let Some(journey) = self.state.journey_of_action(action_id) else {
            self.why
                .because("unknownAction", format!("open for unknown {action_id}"));
            return;
        };
        if let Some(s) = journey.send_mut(action_id) {
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
        self.why.because("opened", format!("{action_id} opened"));
        if let Some((id, at)) = moved {
            self.why.because(
                "shifted",
                format!("next SMS moved to {} after the open", at.to_rfc3339()),
            );
            self.actions.push(Action::Defer {
                id,
                at,
                reason: "email opened: give the reader time".into(),
            });
        }
    }

    fn clicked(&mut self, action_id: &str) {
        let now = self.now;
        let Some(journey) = self.state.journey_of_action(action_id) else {
            self.why
                .because("unknownAction", format!("click for unknown {action_id}"));
            return;
        };
        if let Some(s) = journey.send_mut(action_id) {
            s.clicked = true;
            s.opened = true;
        }
        self.why.because("clicked", format!("{action_id} clicked"));
        if journey.status != JourneyStatus::Active || journey.sent_on(Channel::Sms) > 0 {
            return;
        }
        // A click brings a concise SMS follow-up: pull the best-ranked pending SMS forward
        // (where only one cart SMS is allowed, a click is the moment to spend it).
        let target = now + CLICK_FOLLOW_UP;
        let rank = |s: &PlannedSend| self.policy.step(&s.step).map_or(0, |step| step.priority);
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
                    format!(
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

    fn bounced(&mut self, action_id: &str, permanent: bool) {
        if permanent {
            self.suppress(Channel::Email, "hard bounce");
        } else {
            self.why.because(
                "softBounce",
                format!("{action_id} soft-bounced: the provider retries"),
            );
        }
    }

    fn suppress(&mut self, channel: Channel, reason: &str) {
        if !self.state.contact.suppressed.contains(&channel) {
            self.state.contact.suppressed.push(channel);
        }
        self.why.because(
            "suppressed",
            format!("{} suppressed: {reason}", channel.as_str()),
        );
        self.cancel_pending(|s| s.channel == channel, reason);
    }

    fn revoke(&mut self, channel: Channel, source: ConsentSource, at: DateTime<Utc>) {
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

    fn send_failed(&mut self, action_id: &str, permanent: bool, code: &str) {
        if let Some(journey) = self.state.journey_of_action(action_id) {
            if permanent {
                if let Some(s) = journey.send_mut(action_id) {
                    s.status = SendStatus::Failed;
                }
            }
        }
        self.why.because(
            "sendFailed",
            format!(
                "{action_id} failed ({code}, {})",
                if permanent {
                    "permanent"
                } else {
                    "transient: retried by the dispatcher"
                }
            ),
        );
    }

    fn sms_received(&mut self, body: &str, event: &Event) {
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
        match keywords::classify(body) {
            Some(Keyword::OptOut) => {
                let e = entry(ConsentStatus::Revoked, ConsentSource::SmsKeyword);
                self.record_consent(Channel::Sms, e);
                self.cancel_pending(|s| s.channel == Channel::Sms, "STOP received");
                self.reply(phone, "You're unsubscribed and will get no more cart texts. Reply START to resubscribe.", "stop");
            }
            Some(Keyword::OptIn) => {
                let source = if status == ConsentStatus::Pending {
                    ConsentSource::DoubleOptInReply
                } else {
                    ConsentSource::SmsKeyword
                };
                let e = entry(ConsentStatus::Granted, source);
                self.record_consent(Channel::Sms, e);
                self.reply(
                    phone,
                    "You're subscribed to cart reminders. Reply STOP to opt out, HELP for help.",
                    "start",
                );
            }
            Some(Keyword::Help) => {
                self.why.because("help", "HELP received: auto-reply");
                self.reply(phone, "Cart reminders from this store. Reply STOP to opt out. Msg & data rates may apply.", "help");
            }
            None => self
                .why
                .because("reply", "free-text SMS reply noted for the next email"),
        }
    }

    fn erase(&mut self) {
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

fn unmet_condition(step: &crate::policy::Step, journey: &Journey) -> Option<String> {
    let c = &step.conditions;
    if c.unless_opened && journey.any_opened() {
        return Some("an earlier message was opened".into());
    }
    if c.if_clicked && !journey.any_clicked() {
        return Some("no earlier message was clicked".into());
    }
    if let Some(min) = c.min_cart_minor {
        if journey.cart.subtotal().minor < min {
            return Some("cart below the step's minimum value".into());
        }
    }
    None
}

/// US practice: one cart-recovery SMS per abandonment, within 48 h, spent on the slot the
/// playbook ranks highest (not simply the first to come due).
fn one_cart_sms_rule(
    policy: &Policy,
    packs: &[&quiet_hours::Pack],
    journey: &Journey,
    send: &PlannedSend,
    now: DateTime<Utc>,
) -> Option<String> {
    let hours = packs
        .iter()
        .filter_map(|p| p.one_cart_sms_within_hours)
        .min()?;
    let deadline = journey.abandoned_at + Duration::hours(hours as i64);
    if journey.sent_on(Channel::Sms) > 0 {
        return Some("the one US cart SMS for this abandonment was already sent".into());
    }
    if now > deadline {
        return Some(format!("past the {hours} h window for a US cart SMS"));
    }
    let rank = |s: &PlannedSend| policy.step(&s.step).map_or(0, |step| step.priority);
    let better = journey.pending().find(|other| {
        other.channel == Channel::Sms
            && other.id != send.id
            && other.due_at <= deadline
            && rank(other) > rank(send)
    })?;
    Some(format!(
        "the one US cart SMS is saved for the higher-ranked step {}",
        better.step
    ))
}

/// When every cap on `channel` would allow one more message, if one forbids it now.
fn cap_clear_at(
    policy: &Policy,
    contact: &crate::contact::Contact,
    channel: Channel,
    packs: &[&quiet_hours::Pack],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut clear: Option<DateTime<Utc>> = None;
    let mut check = |max: u32, window: Duration, channels: &[Channel]| {
        let mut times: Vec<DateTime<Utc>> = contact
            .sent
            .iter()
            .filter(|s| channels.contains(&s.channel) && s.at > now - window)
            .map(|s| s.at)
            .collect();
        if times.len() as u32 >= max {
            times.sort();
            let at = times[times.len() - max as usize] + window;
            clear = Some(clear.map_or(at, |c| c.max(at)));
        }
    };
    for cap in policy.caps.iter().filter(|c| c.channel == channel) {
        check(
            cap.max,
            Duration::hours(cap.window_hours as i64),
            &[channel],
        );
    }
    if channel == Channel::Sms {
        for max in packs.iter().filter_map(|p| p.max_per_24h) {
            check(max, Duration::hours(24), &[Channel::Sms]);
        }
    }
    clear
}

fn prune_sent(sent: &mut Vec<SentRecord>, now: DateTime<Utc>) {
    // Caps look back at most a week.
    sent.retain(|s| now - s.at <= Duration::days(7));
}

/// The region that decides which jurisdiction packs apply: the platform's address, else
/// the phone's country (+1 → US, +33 → FR).
fn region_of(contact: &crate::contact::Contact) -> Option<String> {
    if contact.region.is_some() {
        return contact.region.clone();
    }
    let phone = contact.phone.as_deref()?;
    if phone.starts_with("+1") {
        Some("US".into())
    } else if phone.starts_with("+33") {
        Some("FR".into())
    } else {
        None
    }
}

/// Zones the recipient may be in, with a note when we fell back.
fn plausible_zones(contact: &crate::contact::Contact, policy: &Policy) -> (Vec<String>, String) {
    match &contact.time_zone {
        Some(zone) if crate::time_zone::check_zone(zone).is_ok() => {
            (vec![zone.clone()], String::new())
        }
        Some(_) => (
            vec![policy.store_time_zone.clone()],
            "; recipient zone invalid, store zone used".into(),
        ),
        None => (
            vec![policy.store_time_zone.clone()],
            "; recipient zone unknown, store zone used".into(),
        ),
    }
}

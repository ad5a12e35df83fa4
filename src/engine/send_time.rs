//! Send time (docs/architecture.md, principle 3): a due send is re-checked against consent, order,
//! conditions, jurisdiction rules, caps and quiet hours, then dispatched, deferred or skipped.

use super::angle;
use super::incentive;
use super::Run;
use crate::common::channel::Channel;
use crate::compliance::quiet_hours;
use crate::model::action::Action;
use crate::model::contact::{Contact, SentRecord};
use crate::model::event::Frequency;
use crate::model::journey::{Journey, JourneyStatus, PlannedSend, SendStatus};
use crate::model::message::{self, Render};
use crate::model::offer::Offer;
use crate::policy::{Angle, Policy, Step};
use chrono::{DateTime, Duration, Utc};

/// With "fewer messages", only steps the playbook ranks at least this high go out.
const FEWER_MIN_PRIORITY: u8 = 80;

impl Run<'_> {
    /// Principle 3: a scheduled send is a promise to ask again.
    pub(super) fn due(&mut self, action_id: &str) {
        let now = self.now;
        let policy = self.policy;
        let Some(journey) = self.state.journeys.iter().find(|j| j.send(action_id).is_some()) else {
            self.why.because("unknownAction", format_args!("{action_id} belongs to no journey: ignored"));
            return;
        };
        let send = journey.send(action_id).cloned().expect("the journey was found by this send");
        if send.status != SendStatus::Scheduled {
            self.why.because("alreadyHandled", format_args!("{action_id} is {:?}: nothing to do", send.status));
            return;
        }
        if send.due_at > now {
            self.why.because("early", format_args!("{action_id} is not due until {}", send.due_at.to_rfc3339()));
            return;
        }
        let step = policy.resolve_step(&journey.playbook, &send.step, send.variant.as_deref());
        let contact = &self.state.contact;
        let packs = quiet_hours::applicable(&policy.jurisdictions, region_of(contact));
        let verdict = match &step {
            None => Some(format!("step {} is not in playbook {} of {}", send.step, journey.playbook, policy.version)),
            Some(step) => refusal(policy, contact, journey, &send, step, &packs, now),
        };
        if let Some(reason) = verdict {
            return self.skip(action_id, &send, reason);
        }
        let step = step.expect("refusal covers a missing step");

        // Pauses, caps and quiet hours defer rather than drop.
        let mut at = now;
        let mut deferral = Vec::new();
        if let Some(until) = contact.preferences.paused_until.filter(|until| *until > at) {
            deferral.push(format!("paused by the contact until {}", until.to_rfc3339()));
            at = until;
        }
        // Support exceptions (src/engine/support.rs): a refund, cancellation or order edit, or
        // an open help-desk ticket.
        if let Some(until) = contact.support_hold_until.filter(|until| *until > at) {
            deferral.push(format!("support exception: an order was refunded, cancelled or edited; paused until {}", until.to_rfc3339()));
            at = until;
        }
        if let Some((until, note)) = open_exception(contact, at) {
            deferral.push(note);
            at = until;
        }
        let journey_pause = journey.paused.as_ref();
        if let Some((until, note)) = super::operator::operator_hold(contact.operator_pause.as_ref(), journey_pause, at) {
            deferral.push(note);
            at = until;
        }
        let held = at > now;
        if let Some(until) = cap_clear_at(policy, contact, send.channel, &packs, at) {
            deferral.push(format!("frequency cap until {}", until.to_rfc3339()));
            at = until;
        } else if let Some((step, due)) = outranked_for_last_slot(policy, &self.state, &send, &packs, at) {
            // The cap's last slot goes to the higher-priority message; this one follows it.
            deferral.push(format!("the last slot under the frequency cap is kept for {step}, due first"));
            at = due + Duration::minutes(1);
        }
        // With no window to fit, where the recipient is does not matter.
        let zones = if quiet_hours::binds(send.channel, &packs, &policy.send_windows) {
            crate::compliance::zones::plausible_zones(&zone_hints(contact, policy))
        } else {
            Vec::new()
        };
        match quiet_hours::next_opening_with(at, send.channel, &packs, &policy.send_windows, &zones) {
            Ok(opening) if opening > at => {
                let codes: Vec<&str> = packs.iter().map(|p| p.code).collect();
                deferral.push(format!("quiet hours ({}) in {}", codes.join("+"), zones.join(", ")));
                at = opening;
            }
            Ok(_) => {}
            // No instant is provably inside the window: not sending is the only safe answer.
            Err(e) => return self.skip(action_id, &send, format!("no lawful send time could be established: {e}")),
        }
        if at > now {
            let expires = journey.abandoned_at + Duration::hours(policy.journey_expiry_hours as i64);
            if at > expires {
                let reason = format!("{} and the next opening falls after the journey expires", deferral.join("; "));
                return self.skip(action_id, &send, reason);
            }
            let notes = crate::compliance::zones::plausible(&zone_hints(contact, policy)).notes;
            let reason = deferral.into_iter().chain(notes).collect::<Vec<_>>().join("; ");
            return self.defer(action_id, &send, at, reason, held);
        }
        self.dispatch(action_id, &send, &step);
    }

    fn skip(&mut self, action_id: &str, send: &PlannedSend, reason: String) {
        if let Some(s) = self.state.journey_of_action(action_id).and_then(|j| j.send_mut(action_id)) {
            s.status = SendStatus::Skipped;
        }
        self.why.because("skipped", format_args!("{} {} skipped: {reason}", send.channel.as_str(), send.step));
        self.actions.push(Action::Skip { id: action_id.to_string(), reason });
    }

    /// `held`: a pause or support exception moved it, so lifting that brings it back.
    fn defer(&mut self, action_id: &str, send: &PlannedSend, at: DateTime<Utc>, reason: String, held: bool) {
        if let Some(s) = self.state.journey_of_action(action_id).and_then(|j| j.send_mut(action_id)) {
            if held {
                s.held_from.get_or_insert(s.due_at);
            }
            s.due_at = at;
        }
        self.why.because(
            "deferred",
            format_args!("{} {} deferred to {}: {reason}", send.channel.as_str(), send.step, at.to_rfc3339()),
        );
        self.actions.push(Action::Defer { id: action_id.to_string(), at, reason });
    }

    fn dispatch(&mut self, action_id: &str, send: &PlannedSend, step: &Step) {
        let now = self.now;
        let policy = self.policy;
        let channel = send.channel;
        let journey = self.state.journeys.iter().find(|j| j.send(action_id).is_some()).expect("due found it");
        let angle = fresh_angle(step, journey, channel);
        // Once the journey has offered a code, every later message repeats that offer (the same
        // code, never a new one): a shopper holding a code is not sent a message without it.
        let offer = if step.offer_incentive {
            self.offer(action_id)
        } else {
            self.state.journeys.iter().find(|j| j.send(action_id).is_some()).and_then(|j| j.incentive.clone())
        };
        let journey = self.state.journeys.iter().find(|j| j.send(action_id).is_some()).expect("due found it");
        let contact = &self.state.contact;
        let first_sms = !journey.sends.iter().any(|s| s.channel == Channel::Sms && s.status == SendStatus::Sent);
        let outcome = message::render(Render {
            policy,
            action_id,
            channel,
            template: &step.template,
            variant: send.variant.as_deref().unwrap_or("control"),
            angle,
            first_name: contact.first_name.as_deref(),
            locale: contact.locale.as_deref(),
            cart: &journey.cart,
            incentive: offer.as_ref(),
            first_sms,
        });
        if let Some(note) = &outcome.note {
            self.why.because("copy", format_args!("{} {}: {note}", channel.as_str(), send.step));
        }
        if let Some(reason) = &outcome.withheld {
            self.why.because(
                "emailWithheld",
                format_args!("email {}: Rekindle's own email withheld, only a mapped provider template may send: {reason}", send.step),
            );
        }
        let message = match outcome.message {
            Ok(message) => message,
            Err(reason) => return self.skip(action_id, send, reason),
        };
        let journey = self.state.journeys.iter().find(|j| j.send(action_id).is_some()).expect("due found it");
        let contact = &self.state.contact;
        let to = journey.address(channel, contact).unwrap_or_default().to_string();
        let journey_id = journey.id.clone();
        if let Some(s) = self.state.journey_of_action(action_id).and_then(|j| j.send_mut(action_id)) {
            s.status = SendStatus::Sent;
            s.angle = Some(angle);
        }
        let contact = &mut self.state.contact;
        contact.stats.messages += 1;
        contact.sent.push(SentRecord { action_id: action_id.to_string(), channel, at: now });
        prune_sent(&mut contact.sent, now);
        let with = offer.as_ref().map(|o| format!(" and a {:?} offer", o.kind)).unwrap_or_default();
        self.why.because(
            "dispatch",
            format_args!(
                "{} {} dispatched with angle {angle:?}{with}: consent, order, quiet hours and caps re-checked",
                channel.as_str(),
                send.step
            ),
        );
        self.actions.push(Action::Send { id: action_id.to_string(), journey_id, channel, to, message });
    }

    /// The journey's one incentive: the one already offered, or a new one if the guards allow.
    fn offer(&mut self, action_id: &str) -> Option<Offer> {
        let now = self.now;
        let journey = self.state.journeys.iter().find(|j| j.send(action_id).is_some())?;
        if let Some(existing) = &journey.incentive {
            return Some(existing.clone()); // never stacked: the same offer again
        }
        let request = incentive::Request {
            rules: &self.policy.incentives,
            contact: &self.state.contact,
            cart: &journey.cart,
            reasons: &journey.reasons,
            journey_id: &journey.id,
            now,
        };
        match incentive::choose(request) {
            Ok(mut offer) => {
                // The platform's code lives as long as the journey: a code outliving the cart
                // it was for would be a standing discount.
                offer.expires_at = Some(journey.abandoned_at + Duration::hours(self.policy.journey_expiry_hours as i64));
                let journey_id = journey.id.clone();
                self.state.contact.stats.last_incentive_at = Some(now);
                if let Some(j) = self.state.journey_mut(&journey_id) {
                    j.incentive = Some(offer.clone());
                }
                self.actions.push(Action::RequestCoupon {
                    id: offer.coupon_request_id.clone(),
                    journey_id,
                    code: offer.code(),
                    offer: offer.clone(),
                });
                Some(offer)
            }
            Err(withheld) => {
                self.why.because("noIncentive", format_args!("no incentive: {}", withheld.describe()));
                None
            }
        }
    }
}

/// Why a due send must not go out at all, if it must not.
fn refusal(
    policy: &Policy,
    contact: &Contact,
    journey: &Journey,
    send: &PlannedSend,
    step: &Step,
    packs: &[&quiet_hours::Pack],
    now: DateTime<Utc>,
) -> Option<String> {
    let channel = send.channel;
    if journey.status != JourneyStatus::Active {
        Some(format!("journey is {:?}", journey.status))
    } else if journey.holdout {
        Some("journey is in the holdout".into())
    } else if !contact.consent.allows(channel) {
        Some(format!("no confirmed {} consent ({:?})", channel.as_str(), contact.consent.status(channel)))
    } else if contact.suppressed.contains(&channel) {
        Some(format!("{} suppressed after a bounce or complaint", channel.as_str()))
    } else if channel == Channel::Sms && contact.sms_opt_out_unclear_since.is_some() {
        Some("the shopper's last reply may be an opt-out: no marketing SMS until STOP or START answers it".into())
    } else if journey.address(channel, contact).is_none() {
        Some(format!("no {} address from the platform", channel.as_str()))
    } else if let Some(reason) = unmet_condition(step, journey) {
        Some(reason)
    } else if contact.preferences.frequency == Frequency::Fewer && step.priority < FEWER_MIN_PRIORITY {
        Some("the contact asked for fewer messages".into())
    } else if channel == Channel::Sms {
        one_cart_sms_rule(policy, packs, journey, send, now)
    } else {
        None
    }
}

/// The step's angle; a new email never repeats an angle an earlier email of the journey
/// used (the mission: no open in 48 h brings a *different* angle).
fn fresh_angle(step: &Step, journey: &Journey, channel: Channel) -> Angle {
    let wanted = angle::resolve(step.angle, step.fallback_angle, &journey.reasons);
    if channel != Channel::Email || step.angle != Angle::ByReason {
        return wanted;
    }
    let used: Vec<Angle> = journey
        .sends
        .iter()
        .filter(|s| s.channel == Channel::Email && s.status == SendStatus::Sent)
        .filter_map(|s| s.angle)
        .collect();
    std::iter::once(wanted)
        .chain(step.fallback_angle)
        .chain(angle::ROTATION.iter().copied())
        .find(|a| !used.contains(a))
        .unwrap_or(wanted)
}

fn unmet_condition(step: &Step, journey: &Journey) -> Option<String> {
    let c = &step.conditions;
    if c.unless_opened && journey.any_opened() {
        return Some("an earlier message was opened".into());
    }
    if c.if_clicked && !journey.any_clicked() {
        return Some("no earlier message was clicked".into());
    }
    if let Some(min) = c.min_cart_minor {
        // In the shop's currency, like the policy; unknown value does not meet a minimum.
        if journey.cart.shop_subtotal_minor().is_none_or(|v| v < min) {
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
    let rank = |s: &PlannedSend| policy.priority(&journey.playbook, &s.step);
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
    contact: &crate::model::contact::Contact,
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

/// When sending `send` now would use the cap's last free slot while a higher-priority message
/// on the same channel (from any journey) comes due within the cap's window, that message's
/// step and due time: the cap defers by priority instead of first come, first served.
fn outranked_for_last_slot(
    policy: &Policy,
    state: &crate::model::state::State,
    send: &PlannedSend,
    packs: &[&quiet_hours::Pack],
    now: DateTime<Utc>,
) -> Option<(String, DateTime<Utc>)> {
    let priority_of = |playbook: &str, s: &PlannedSend| policy.priority(playbook, &s.step);
    let own = state.journeys.iter().find(|j| j.send(&send.id).is_some()).map(|j| priority_of(&j.playbook, send))?;
    let caps = policy.caps.iter().filter(|c| c.channel == send.channel);
    let statutory = packs.iter().filter(|_| send.channel == Channel::Sms).filter_map(|p| p.max_per_24h);
    let mut windows = caps
        .map(|c| (c.max, Duration::hours(c.window_hours as i64)))
        .chain(statutory.map(|max| (max, Duration::hours(24))));
    windows.find_map(|(max, window)| {
        let used = state.contact.sent.iter().filter(|s| s.channel == send.channel && s.at > now - window).count() as u32;
        if used + 1 != max {
            return None;
        }
        state
            .journeys
            .iter()
            .filter(|j| j.status == JourneyStatus::Active && !j.holdout)
            .flat_map(|j| j.pending().map(move |s| (j, s)))
            .filter(|(j, s)| s.channel == send.channel && s.id != send.id && s.due_at < now + window && priority_of(&j.playbook, s) > own)
            .min_by_key(|(_, s)| s.due_at)
            .map(|(_, s)| (s.step.clone(), s.due_at.max(now)))
    })
}

fn prune_sent(sent: &mut Vec<SentRecord>, now: DateTime<Utc>) {
    // Caps look back at most a week.
    sent.retain(|s| now - s.at <= Duration::days(7));
}

/// The region that decides which jurisdiction packs apply: the platform's address, else
/// the phone's country (+1 → US, +33 → FR).
pub(super) fn region_of(contact: &Contact) -> Option<&str> {
    if contact.region.is_some() {
        return contact.region.as_deref();
    }
    // Else the phone's region: a NANP area code names its state or province; other numbers
    // their country.
    let digits = contact.phone.as_deref()?.strip_prefix('+')?;
    if let Some(rest) = digits.strip_prefix('1') {
        let area: u16 = rest.get(..3)?.parse().ok()?;
        return match crate::compliance::zones::nanp_regions(area).as_slice() {
            [one] => Some(one),
            [] => None,
            many if many.iter().all(|r| r.starts_with("US-")) => Some("US"),
            _ => None,
        };
    }
    crate::compliance::zones::CALLING_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map(|(_, country)| *country)
}

/// Every zone the recipient may be in (browser, shipping address, phone, store). US SMS must
/// fit the window in all of them.
pub(super) fn zone_hints<'a>(contact: &'a Contact, policy: &'a Policy) -> crate::compliance::zones::ZoneHints<'a> {
    crate::compliance::zones::ZoneHints {
        browser: contact.time_zone.as_deref(),
        region: contact.region.as_deref(),
        phone: contact.phone.as_deref(),
        store: &policy.store_time_zone,
    }
}

/// The open support exceptions' hold on a send due at `at`: one without an end is asked again
/// after `TICKET_RECHECK`; otherwise the latest end.
fn open_exception(contact: &Contact, at: DateTime<Utc>) -> Option<(DateTime<Utc>, String)> {
    let open: Vec<_> = contact.open_tickets.iter().filter(|t| t.holds_at(at)).collect();
    if open.is_empty() {
        return None;
    }
    let kinds = open.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>().join(", ");
    if open.iter().any(|t| t.until.is_none()) {
        return Some((at + super::support::TICKET_RECHECK, format!("a support exception is open ({kinds}): held until it closes")));
    }
    let until = open.iter().filter_map(|t| t.until).max().expect("every open one has an end");
    Some((until, format!("a support exception is open ({kinds}) until {}", until.to_rfc3339())))
}

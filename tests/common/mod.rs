//! Builders shared by the engine's integration tests: a contact, a cart, events, and a
//! tiny driver that threads state through `decide` like a store would.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use rekindle::engine::{decide, Decision};
use rekindle::model::action::Action;
use rekindle::model::event::Event;
use rekindle::model::state::State;
use rekindle::policy::Policy;
use serde_json::{json, Value};

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn cart(token: &str, stage: &str) -> Value {
    json!({
        "token": token, "stage": stage, "currency": "USD",
        "items": [{ "title": "Merino wool socks", "quantity": 2, "unitPrice": 1800, "category": "apparel" }],
        "recoveryUrl": format!("https://shop.example/checkouts/{token}/recover")
    })
}

/// A platform checkout for a Texas shopper who ticked both marketing boxes.
pub fn checkout(id: &str, at: &str, token: &str) -> Value {
    json!({
        "id": id, "at": at, "type": "checkoutUpdated", "cart": cart(token, "checkout"),
        "contact": { "email": "ada@example.com", "phone": "+15125550100", "firstName": "Ada",
                     "region": "US-TX", "timeZone": "America/Chicago" },
        "acceptsSms": true, "acceptsEmail": true
    })
}

pub fn event(value: Value) -> Event {
    Event::from_value(value).expect("test event is valid")
}

/// A policy without the holdout, so tests are about the cadence, not the dice.
pub fn policy() -> Policy {
    let mut p = Policy::default_policy();
    p.holdout_percent = 0;
    p.store_name = Some("Acme Outdoor".into());
    p.brand.postal_address = Some("1 Main St, Springfield, IL 62701, USA".into());
    p
}

/// Threads state through decisions like a store would, and runs due sends like a scheduler.
pub struct Shopper {
    pub policy: Policy,
    pub state: State,
    pub log: Vec<(DateTime<Utc>, Decision)>,
    /// The simulated clock: never goes backwards.
    pub now: DateTime<Utc>,
    counter: u32,
}

impl Shopper {
    pub fn new(policy: Policy) -> Self {
        Shopper {
            policy,
            state: State::new("contact-1"),
            log: Vec::new(),
            now: DateTime::<Utc>::MIN_UTC,
            counter: 0,
        }
    }

    /// Deliver an event at `now`, after the scheduler fired everything due before it (the
    /// world does not pause between inputs).
    pub fn apply(&mut self, value: Value, now: DateTime<Utc>) -> Decision {
        self.run_until(now);
        self.decide(value, now)
    }

    fn decide(&mut self, value: Value, now: DateTime<Utc>) -> Decision {
        let now = now.max(self.now);
        let decision = decide(&self.policy, self.state.clone(), &event(value), now);
        self.state = decision.state.clone();
        self.now = now;
        self.log.push((now, decision.clone()));
        decision
    }

    /// Deliver a `due` for `action_id` at `now`.
    pub fn due(&mut self, action_id: &str, now: DateTime<Utc>) -> Decision {
        self.counter += 1;
        let id = format!("due-{}-{}", action_id, self.counter);
        self.decide(json!({ "id": id, "at": now.to_rfc3339(), "type": "due", "actionId": action_id }), now)
    }

    /// Every scheduled send's current due time, as the store's due index would hold it.
    pub fn pending(&self) -> Vec<(String, DateTime<Utc>)> {
        let mut out: Vec<_> = self
            .state
            .journeys
            .iter()
            .flat_map(|j| j.pending().map(|s| (s.id.clone(), s.due_at)))
            .collect();
        // The contact's own entries: a deferred confirmation text, an anonymous visitor's end.
        let contact = &self.state.contact;
        out.extend(contact.sms_confirmation.iter().filter(|c| !c.settled).map(|c| (c.id.clone(), c.at)));
        out.extend(contact.forget_at.map(|at| (format!("{}.forget", contact.id), at)));
        out.sort_by_key(|(_, at)| *at);
        out
    }

    /// Run the scheduler until `until`: each pending send is handed back as `due` at its time.
    pub fn run_until(&mut self, until: DateTime<Utc>) -> Vec<Action> {
        let mut sent = Vec::new();
        for _ in 0..100 {
            let Some((id, at)) = self.pending().into_iter().find(|(_, at)| *at <= until) else {
                break;
            };
            let d = self.due(&id, at);
            sent.extend(
                d.actions
                    .into_iter()
                    .filter(|a| matches!(a, Action::Send { .. })),
            );
        }
        sent
    }
}

pub fn sends(actions: &[Action]) -> Vec<(String, rekindle::common::channel::Channel)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { id, channel, .. } => Some((id.clone(), *channel)),
            _ => None,
        })
        .collect()
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

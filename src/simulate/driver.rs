//! The runtime's loop, in memory: a contact's state threaded through `engine::decide` like a
//! store would (the same entry point the wasm `Engine.decide` calls), and a due index fed by
//! the decisions' Schedule, Defer, Cancel and Skip actions and fired like a scheduler tick.
//! Both the simulator and replay drive the engine through it.

use crate::engine::{decide, Decision};
use crate::model::action::Action;
use crate::model::event::{ActionRef, Event, EventBody};
use crate::model::state::State;
use crate::policy::Policy;
use chrono::{DateTime, Utc};

pub struct Driver<'p> {
    pub policy: &'p Policy,
    pub state: State,
    /// Scheduled sends by id, as a store's due index holds them.
    due: Vec<(String, DateTime<Utc>)>,
    events: u64,
}

impl<'p> Driver<'p> {
    pub fn new(policy: &'p Policy, contact_id: String) -> Self {
        Driver { policy, state: State::new(contact_id), due: Vec::new(), events: 0 }
    }

    /// The earliest scheduled send, if any.
    pub fn next_due(&self) -> Option<(&str, DateTime<Utc>)> {
        self.due.iter().min_by_key(|(_, at)| *at).map(|(id, at)| (id.as_str(), *at))
    }

    /// Hand the earliest due send back to the engine at its time.
    pub fn fire_next(&mut self) -> Option<Vec<Action>> {
        let (id, at) = self.next_due().map(|(id, at)| (id.to_string(), at))?;
        let body = EventBody::Due(ActionRef { action_id: id });
        Some(self.apply(body, at))
    }

    /// One input at `at` (also the decision's `now`: inputs arrive as they happen).
    pub fn apply(&mut self, body: EventBody, at: DateTime<Utc>) -> Vec<Action> {
        self.events += 1;
        let event = Event { id: format!("sim-e{}", self.events), at, body };
        self.decide(&event, at)
    }

    /// A recorded input, decided at the time it was received.
    pub fn decide(&mut self, event: &Event, now: DateTime<Utc>) -> Vec<Action> {
        let state = std::mem::replace(&mut self.state, State::new(String::new()));
        let Decision { state, actions, .. } = decide(self.policy, state, event, now);
        self.state = state;
        self.index(&actions);
        actions
    }

    fn index(&mut self, actions: &[Action]) {
        for action in actions {
            match action {
                Action::Schedule { id, at, .. } | Action::Defer { id, at, .. } => {
                    match self.due.iter_mut().find(|(known, _)| known == id) {
                        Some(entry) => entry.1 = *at,
                        None => self.due.push((id.clone(), *at)),
                    }
                }
                Action::Send { id, .. } | Action::Cancel { id, .. } | Action::Skip { id, .. } => {
                    self.due.retain(|(known, _)| known != id);
                }
                _ => {}
            }
        }
    }
}

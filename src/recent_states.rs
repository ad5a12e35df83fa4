//! The states an engine instance produced lately, kept parsed, by contact. A host that hands
//! back the very state it was given last time (the loader checks the string is the same)
//! gets it from here instead of paying to parse it again: on a 2 KB state that parse was
//! the largest single cost of a decision through wasm (BENCHMARKS.md).
//!
//! Each kept state has a ticket. The host quotes the ticket with the contact; a miss (the
//! state was evicted, or belongs to an older ticket) means "send the JSON", never a guess.

use crate::model::state::State;
use std::collections::HashMap;

pub struct RecentStates {
    capacity: usize,
    next_ticket: u32,
    /// A taken state leaves its entry empty, so the decision that follows refills it without
    /// hashing and allocating the contact id again.
    by_contact: HashMap<String, (u32, Option<State>)>,
}

impl RecentStates {
    /// Keeps up to `capacity` contacts, and at most twice that between evictions.
    pub fn new(capacity: usize) -> Self {
        RecentStates {
            capacity,
            next_ticket: 1,
            by_contact: HashMap::new(),
        }
    }

    /// Remember `state` as the latest for `contact_id`; returns its ticket.
    pub fn keep(&mut self, contact_id: &str, state: State) -> u32 {
        let ticket = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1).max(1);
        match self.by_contact.get_mut(contact_id) {
            Some(entry) => *entry = (ticket, Some(state)),
            None => {
                if self.by_contact.len() >= 2 * self.capacity {
                    self.evict_oldest(ticket);
                }
                self.by_contact.insert(contact_id.to_string(), (ticket, Some(state)));
            }
        }
        ticket
    }

    /// The state kept under `ticket` for `contact_id`, taken out (the decision that follows
    /// keeps its successor). None if it is not here any more.
    pub fn take(&mut self, contact_id: &str, ticket: u32) -> Option<State> {
        match self.by_contact.get_mut(contact_id) {
            Some((kept, state)) if *kept == ticket => state.take(),
            _ => None,
        }
    }

    /// Contacts with an entry: a taken state's entry stays until it is refilled or evicted.
    pub fn len(&self) -> usize {
        self.by_contact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_contact.is_empty()
    }

    /// Keep the `capacity` most recently kept: one pass every `capacity` insertions.
    fn evict_oldest(&mut self, newest: u32) {
        // Age is measured back from the newest ticket, so wrapping at u32::MAX is harmless.
        let capacity = self.capacity as u32;
        self.by_contact
            .retain(|_, (ticket, _)| newest.wrapping_sub(*ticket) < capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_taken_once_and_only_with_its_ticket() {
        let mut recent = RecentStates::new(4);
        let first = recent.keep("c1", State::new("c1"));
        let second = recent.keep("c1", State::new("c1"));
        assert_eq!(recent.take("c1", first), None, "an older ticket misses");
        assert_eq!(recent.take("c2", second), None, "another contact misses");
        assert!(recent.take("c1", second).is_some());
        assert_eq!(recent.take("c1", second), None, "taken: the next decision keeps its successor");
    }

    #[test]
    fn only_the_most_recent_contacts_are_kept() {
        let mut recent = RecentStates::new(2);
        let tickets: Vec<u32> = (0..5).map(|i| recent.keep(&format!("c{i}"), State::new("c"))).collect();
        assert!(recent.len() <= 4);
        assert!(recent.take("c0", tickets[0]).is_none(), "the oldest went");
        assert!(recent.take("c4", tickets[4]).is_some(), "the newest stayed");
        assert!(recent.take("c3", tickets[3]).is_some());
    }
}

//! The server engine's records: the events it reads, a contact's state (the contact, their
//! consent ledger and stats, their journeys), and the actions and messages it hands back.
//! Plain data with its own invariants (parsing, schema migration, deduplication); the rules
//! that change it are in `engine`, which these never import.

pub mod action;
pub mod contact;
pub mod event;
pub mod journey;
pub mod message;
pub mod offer;
pub mod outcome;
pub mod state;
pub mod view;

//! Rekindle's recovery-decision engine.
//!
//! The engine is one pure function, [`engine::decide`]: given the playbook, a contact's
//! persisted [`state::State`], one [`event::Event`] and the current time, it returns the
//! new state, the [`action::Action`]s the host must perform, and an explanation.
//! Everything here compiles natively with no JS dependency; `wasm.rs` (feature `wasm`)
//! is the JS surface.

pub mod common;
pub mod compliance;
pub mod error;
pub mod hygiene;
pub mod policy;
pub mod storefront;
pub mod time_zone;

#[cfg(feature = "server")]
pub mod engine;
#[cfg(feature = "server")]
pub mod ingest;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod model;
#[cfg(feature = "server")]
pub mod recent_states;


// The bindings only exist on wasm32: natively there is no JS to bind to.
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub mod wasm;

pub use error::{Code, Error, Result};

/// The engine's version, reported by every runtime's loader.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

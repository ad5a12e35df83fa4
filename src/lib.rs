//! Rekindle's recovery-decision engine.
//!
//! The engine is one pure function, [`engine::decide`]: given the playbook, a contact's
//! persisted [`model::state::State`], one [`model::event::Event`] and the current time, it
//! returns the new state, the [`model::action::Action`]s the host must perform, and an
//! explanation. Everything here compiles natively with no JS dependency; `wasm.rs` (feature
//! `wasm`) is the JS surface.
//!
//! # The tree
//!
//! The crate is two builds: the server build (feature `server`, the default) is all of it;
//! without `server` it is the storefront build, the small wasm a shop's pages load. In wasm the
//! server build is split once more: the report (feature `report`) is a module of its own
//! (`report-module`), which no edge request loads (docs/architecture.md). Each
//! folder is a layer and imports only from the layers below it (`tests/layering.rs` checks
//! every `crate::` path against this table, and that no two modules import each other):
//!
//! ```text
//! layer             build         may import                    what it is
//! wasm.rs           feature wasm  anything                      the only file that knows wasm-bindgen
//!                                                               (time_zone's Intl backend aside)
//! ingest/           server        model compliance hygiene      provider payloads -> routed engine events
//!                                 common error
//! simulate/         server,       engine model policy           the policy simulator and replay:
//!                   native only   compliance common error       worlds, shoppers, comparisons, reports
//! metrics.rs        server        model common error            the funnel over stored states
//! measurement/      report        model policy common error     the report over the outcome log: lift,
//!                   (own wasm)                                  intervals, experiments, roll-ups, CSV
//! recent_states.rs  server        model common error            the states a wasm Engine keeps parsed
//! engine/           server        model policy compliance       decide(): start, send time, engagement,
//!                                 hygiene time_zone common      contact updates; angle, incentive,
//!                                 error                         explanation
//! model/            server        policy messages compliance    the records: event, state, contact,
//!                                 common error                  journey, offer, action, message
//! policy/           server        messages compliance time_zone the playbook as data, with the brand,
//!                                 common error                  facts and template overrides
//! messages/         server        locale compliance common      template pack, renderer, content audit
//!                                 error
//! locale/           server        common error                  money, numbers, plurals: ICU4X, or Intl in wasm
//! storefront/       both          compliance common error       capture, session, beacon, signals,
//!                                                               page consent, Web Pixel, device
//! compliance/       consent: both time_zone common error        consent, quiet hours, zones, SMS
//!                   rest: server                                keywords and segments
//! hygiene/          server        error                         email and phone normalisation
//! time_zone/        server        error                         UTC offsets: chrono-tz, or its rules table + Intl in wasm
//! common/           both          error                         channel, money, cart, contact details,
//!                                                               reasons, ids, the checked JSON reader
//! error.rs          both          nothing                       stable codes with JSON paths
//! ```
//!
//! Nothing but `wasm.rs` imports `storefront/`: the server reads the storefront's beacon as
//! engine events, never through its types.

pub mod common;
pub mod compliance;
pub mod error;
pub mod storefront;

#[cfg(feature = "server")]
pub mod engine;
#[cfg(feature = "server")]
pub mod hygiene;
#[cfg(feature = "server")]
pub mod ingest;
#[cfg(feature = "server")]
pub mod locale;
#[cfg(feature = "report")]
pub mod measurement;
#[cfg(feature = "server")]
pub mod messages;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod model;
#[cfg(feature = "server")]
pub mod policy;
#[cfg(feature = "server")]
pub mod recent_states;
#[cfg(feature = "server")]
pub mod time_zone;
// Native only: the simulator reads time zones through chrono-tz and never ships in a wasm.
#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
pub mod simulate;

// The bindings only exist on wasm32: natively there is no JS to bind to.
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub mod wasm;

pub use error::{Code, Error, Result};

/// The storefront wasm's allocator: talc rather than the default dlmalloc, for the bytes every
/// shop page downloads (BENCHMARKS.md, issue 20). Single-threaded wasm; a trap's recovery
/// instantiates a fresh module, and with it a fresh heap. The server wasm keeps dlmalloc.
#[cfg(all(target_arch = "wasm32", not(feature = "server")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The engine's version, reported by every runtime's loader.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

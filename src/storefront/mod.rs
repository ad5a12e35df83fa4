//! The storefront build's own modules: what the page saw, folded into a session, friction
//! signals and a consent state, and the one beacon the page sends. The server build compiles
//! them too (the same wasm answers both), but its engine, policy and ingest never import them:
//! the server reads the beacon as engine events, not these types.

pub mod beacon;
pub mod capture;
pub mod device;
pub mod json;
pub mod observation;
pub mod page_consent;
#[cfg(feature = "web-pixel")]
pub mod pixel_event;
pub mod reader;
pub mod session;
pub mod signals;
pub mod text;
#[cfg(feature = "web-pixel")]
pub mod web_pixel;

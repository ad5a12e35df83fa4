//! Contact hygiene: an address is checked and put in one canonical form before the engine
//! keys a contact on it or hands it to a provider. A bad address is a broken contract
//! (`INVALID_EMAIL`, `INVALID_PHONE`), never a guess.
//!
//! Email checking is plain Rust and ships in every build. Phone numbers need libphonenumber's
//! metadata (the `rlibphonenumber` crate, about 120 KB of gzipped wasm), which only the
//! server build carries: the storefront never decides where an SMS goes (DESIGN.md
//! principle 5).

pub mod email;
#[cfg(feature = "server")]
pub mod phone;

//! Contact hygiene: an address is checked and put in one canonical form before the engine
//! keys a contact on it or hands it to a provider. A bad address is a broken contract
//! (`INVALID_EMAIL`, `INVALID_PHONE`), never a guess.
//!
//! Server build only: the storefront never keys a contact nor decides where an SMS goes
//! (docs/architecture.md, principle 5). Phone numbers need libphonenumber's metadata
//! (`phone_plans.bin`, 36 KB gzipped, read by `phone` with its own matcher), which is
//! why phone hygiene is the `server` feature's own.

pub mod email;
pub mod phone;

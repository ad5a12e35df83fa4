//! What law and carriers require before a message goes out: consent and its ledger, quiet
//! hours by jurisdiction in every zone the recipient may be in, the SMS keywords carriers
//! mandate, and SMS segments as carriers count them. Rules only: they read the shared
//! vocabulary (`common`) and time zones, and never the engine that applies them.
//!
//! Consent is in both builds (the storefront reports consent in the ledger's own terms); the
//! rest only in the server build, which is the one that sends.

pub mod consent;
#[cfg(feature = "server")]
pub mod keywords;
#[cfg(feature = "server")]
pub mod quiet_hours;
#[cfg(feature = "server")]
pub mod sms_segments;
#[cfg(feature = "server")]
pub mod zones;

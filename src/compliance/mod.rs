//! What law and carriers require before a message goes out: consent and its ledger, quiet
//! hours by jurisdiction in every zone the recipient may be in, the SMS keywords carriers
//! mandate, and SMS segments as carriers count them. Rules only: they read the shared
//! vocabulary (`common`) and time zones, and never the engine that applies them.

pub mod consent;
pub mod keywords;
pub mod quiet_hours;
pub mod sms_segments;
pub mod zones;

//! The two ways to reach a shopper. Consent, quiet hours, caps and playbook steps are all kept
//! per channel, so every layer names it, and it lives below them all.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// Its JSON names, as `Deserialize` read them.
    pub const NAMES: &'static [(&'static str, Channel)] = &[("email", Channel::Email), ("sms", Channel::Sms)];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

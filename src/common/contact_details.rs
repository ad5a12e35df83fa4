//! Contact details as a source reports them: shared by the server's events and the
//! storefront's beacon, so both builds agree on one shape.

use serde::{Deserialize, Serialize};

/// Contact details as a source reports them. Browser-reported details are only hints:
/// they are matched against the platform's record, never trusted to start an SMS (principle 5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// IANA zone reported by the browser (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// ISO 3166-2 region of the shipping address, e.g. "US-TX".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<bool>,
}

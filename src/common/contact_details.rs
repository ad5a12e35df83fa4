//! Contact details as a source reports them: shared by the server's events and the
//! storefront's beacon, so both builds agree on one shape.

#[cfg(feature = "server")]
use crate::common::reader::Object;
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

impl ContactDetails {
    /// The server's reader (`common::reader`): unknown fields refused, as `Deserialize` did.
    #[cfg(feature = "server")]
    pub(crate) fn read(o: Object) -> crate::Result<ContactDetails> {
        let o = o.only(&["email", "phone", "firstName", "timeZone", "region", "locale", "returning", "mobile"])?;
        Ok(ContactDetails {
            email: o.text("email")?,
            phone: o.text("phone")?,
            first_name: o.text("firstName")?,
            time_zone: o.text("timeZone")?,
            region: o.text("region")?,
            locale: o.text("locale")?,
            returning: o.flag("returning")?,
            mobile: o.flag("mobile")?,
        })
    }
}

//! Which kind of device the shopper is on, from what the browser exposes. Mobile shoppers
//! abandon more (docs/evidence.md: ~80–85% against ~70%) and get the mobile one-click angle.

use serde::{Deserialize, Serialize};

/// Raw facts the page reads; the class is decided here, not in the capture script.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFacts {
    /// `navigator.userAgentData.mobile` (Chromium only).
    pub ua_mobile: Option<bool>,
    /// `matchMedia('(pointer: coarse)')`: the primary pointer is a finger.
    pub coarse_pointer: bool,
    /// The user-agent string, where nothing better exists (the Web Pixel sandbox).
    pub user_agent: Option<String>,
    /// `screen.width` in CSS pixels.
    pub screen_width: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceClass {
    Mobile,
    Tablet,
    Desktop,
}

impl DeviceFacts {
    /// Read from the page's JSON (`reader`: no derived deserializer in the storefront wasm).
    pub(crate) fn read(o: super::reader::Object) -> crate::Result<DeviceFacts> {
        let o = o.only(&["uaMobile", "coarsePointer", "userAgent", "screenWidth"])?;
        Ok(DeviceFacts {
            ua_mobile: o.flag("uaMobile")?,
            coarse_pointer: o.flag("coarsePointer")?.unwrap_or(false),
            user_agent: o.text("userAgent")?,
            screen_width: o.count("screenWidth")?.unwrap_or(0),
        })
    }
}

/// Phones are narrower than 768 CSS px (the common tablet breakpoint, *assumption*).
const TABLET_MIN_WIDTH: u32 = 768;

pub fn classify(facts: &DeviceFacts) -> DeviceClass {
    // "Mobi" in the user agent is the marker MDN recommends for phones.
    let ua_mobile = facts
        .ua_mobile
        .or_else(|| facts.user_agent.as_ref().map(|ua| super::text::contains(ua, "Mobi")));
    let touch_first = facts.coarse_pointer || ua_mobile == Some(true);
    match (touch_first, facts.screen_width) {
        (false, _) => DeviceClass::Desktop,
        (true, 0) if ua_mobile == Some(true) => DeviceClass::Mobile,
        (true, width) if width < TABLET_MIN_WIDTH => DeviceClass::Mobile,
        (true, _) => DeviceClass::Tablet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(ua_mobile: Option<bool>, coarse_pointer: bool, screen_width: u32) -> DeviceFacts {
        DeviceFacts {
            ua_mobile,
            coarse_pointer,
            screen_width,
            user_agent: None,
        }
    }

    #[test]
    fn a_narrow_touch_screen_is_a_phone_a_wide_one_a_tablet() {
        assert_eq!(classify(&facts(None, true, 393)), DeviceClass::Mobile);
        assert_eq!(classify(&facts(Some(true), false, 0)), DeviceClass::Mobile);
        assert_eq!(classify(&facts(None, true, 1024)), DeviceClass::Tablet);
        assert_eq!(
            classify(&facts(Some(false), false, 1920)),
            DeviceClass::Desktop
        );
        assert_eq!(
            classify(&facts(None, false, 393)),
            DeviceClass::Desktop,
            "a narrow desktop window is still a desktop"
        );
    }
}

//! What the shopper agreed to on the page, from every source a storefront has, and what that
//! lets leave the device. Analytics (the anonymous abandonment summary) and marketing (the
//! contact details a recovery message needs) are separate purposes, decided separately.
//!
//! The page can only *report* consent: SMS consent from a browser stays pending until the
//! platform or a double opt-in confirms it (principle 5, enforced by the engine's ledger).

use crate::common::channel::Channel;
use crate::compliance::consent::{ConsentSource, ConsentStatus};
use super::reader::Object;
use serde::Serialize;
use serde_json::Value;

/// A consent value as platforms spell it: a boolean, or Shopify's `currentVisitorConsent()`
/// strings ("yes", "no", and "" for "not asked yet"; some stores answer "true"/"false").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConsentFlag {
    Bool(bool),
    Text(String),
}

impl ConsentFlag {
    fn decided(&self) -> Option<bool> {
        match self {
            ConsentFlag::Bool(value) => Some(*value),
            ConsentFlag::Text(text) => match text.to_ascii_lowercase().as_str() {
                "yes" | "true" | "granted" => Some(true),
                "no" | "false" | "denied" => Some(false),
                _ => None,
            },
        }
    }
}

/// What `window.Shopify.customerPrivacy` answered. Its shape differs across versions, so the
/// page reports whichever methods exist and the rules below pick.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopifyPrivacy {
    pub analytics_processing_allowed: Option<ConsentFlag>,
    pub marketing_allowed: Option<ConsentFlag>,
    pub sale_of_data_allowed: Option<ConsentFlag>,
    pub visitor_consent: Option<VisitorConsent>,
}

/// `currentVisitorConsent()`: the visitor's own answers, without the region's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VisitorConsent {
    pub analytics: Option<ConsentFlag>,
    pub marketing: Option<ConsentFlag>,
    pub sale_of_data: Option<ConsentFlag>,
}

/// Purposes as any consent-management platform reports them through the capture API.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformPurposes {
    pub analytics: Option<ConsentFlag>,
    pub marketing: Option<ConsentFlag>,
}

/// The shopper's own tick or untick for one channel (a checkout checkbox, the widget).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelChoice {
    pub granted: bool,
    /// Which wording the shopper saw (the merchant's consent text version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_version: Option<String>,
    /// The label's text, kept as evidence (the server stores only its hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageConsent {
    /// Global Privacy Control (`navigator.globalPrivacyControl`): do not sell or share.
    pub gpc: bool,
    pub platform_analytics: Option<bool>,
    pub platform_marketing: Option<bool>,
    /// The analytics switch in Rekindle's own preference widget.
    pub chosen_analytics: Option<bool>,
    pub email: Option<ChannelChoice>,
    pub sms: Option<ChannelChoice>,
}

// Read from the page's JSON by `reader`, not derived deserializers (see `reader` for why).
fn flag(o: &Object, key: &str) -> crate::Result<Option<ConsentFlag>> {
    o.read(key, "a boolean, or \"yes\", \"no\" or \"\"", |value| match value {
        Value::Bool(value) => Some(ConsentFlag::Bool(*value)),
        Value::String(text) => Some(ConsentFlag::Text(text.clone())),
        _ => None,
    })
}

impl ShopifyPrivacy {
    pub(crate) fn read(o: Object) -> crate::Result<ShopifyPrivacy> {
        let o = o.only(&["analyticsProcessingAllowed", "marketingAllowed", "saleOfDataAllowed", "visitorConsent"])?;
        let visitor_consent = match o.object("visitorConsent")? {
            // `currentVisitorConsent()` answers in snake_case and grows fields: unknown ones pass.
            Some(v) => Some(VisitorConsent {
                analytics: flag(&v, "analytics")?,
                marketing: flag(&v, "marketing")?,
                sale_of_data: flag(&v, "sale_of_data")?,
            }),
            None => None,
        };
        Ok(ShopifyPrivacy {
            analytics_processing_allowed: flag(&o, "analyticsProcessingAllowed")?,
            marketing_allowed: flag(&o, "marketingAllowed")?,
            sale_of_data_allowed: flag(&o, "saleOfDataAllowed")?,
            visitor_consent,
        })
    }
}

impl PlatformPurposes {
    pub(crate) fn read(o: Object) -> crate::Result<PlatformPurposes> {
        let o = o.only(&["analytics", "marketing"])?;
        Ok(PlatformPurposes { analytics: flag(&o, "analytics")?, marketing: flag(&o, "marketing")? })
    }
}

impl ChannelChoice {
    pub(crate) fn read(o: Object) -> crate::Result<ChannelChoice> {
        let o = o.only(&["granted", "textVersion", "evidence"])?;
        Ok(ChannelChoice {
            granted: o.required_flag("granted")?,
            text_version: o.text("textVersion")?,
            evidence: o.text("evidence")?,
        })
    }
}

impl PageConsent {
    pub fn apply_shopify(&mut self, privacy: &ShopifyPrivacy) {
        let visitor = privacy.visitor_consent.clone().unwrap_or_default();
        let decided = |flag: &Option<ConsentFlag>| flag.as_ref().and_then(ConsentFlag::decided);
        // The *Allowed() methods already fold in the region's default (opt-in in the EU,
        // opt-out in most of the US): prefer them to the visitor's raw answers.
        let analytics =
            decided(&privacy.analytics_processing_allowed).or(decided(&visitor.analytics));
        let marketing = decided(&privacy.marketing_allowed).or(decided(&visitor.marketing));
        let sale = decided(&privacy.sale_of_data_allowed).or(decided(&visitor.sale_of_data));
        self.platform_analytics = analytics.or(self.platform_analytics);
        self.platform_marketing = match (marketing, sale) {
            // An opt-out of sale or sharing (CCPA) covers handing details to a messaging flow.
            (_, Some(false)) => Some(false),
            (Some(value), _) => Some(value),
            (None, _) => self.platform_marketing,
        };
    }

    pub fn apply_platform(&mut self, purposes: &PlatformPurposes) {
        let decided = |flag: &Option<ConsentFlag>| flag.as_ref().and_then(ConsentFlag::decided);
        self.platform_analytics = decided(&purposes.analytics).or(self.platform_analytics);
        self.platform_marketing = decided(&purposes.marketing).or(self.platform_marketing);
    }

    pub fn choose_channel(&mut self, channel: Channel, choice: ChannelChoice) {
        match channel {
            Channel::Email => self.email = Some(choice),
            Channel::Sms => self.sms = Some(choice),
        }
    }

    pub fn channel(&self, channel: Channel) -> Option<&ChannelChoice> {
        match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
        }
    }

    /// May the anonymous abandonment summary leave the page? The shopper's own choice wins,
    /// then the platform's; with neither, the merchant's setting: `consent_required` for
    /// opt-in regions, otherwise allowed (no personal data is in it).
    pub fn analytics_allowed(&self, consent_required: bool) -> bool {
        self.chosen_analytics
            .or(self.platform_analytics)
            .unwrap_or(!consent_required)
    }

    /// May contact details (email, phone, first name) leave with it? Only with marketing
    /// consent: an explicit tick on the page, or the platform's marketing purpose unless GPC
    /// is on. An explicit untick beats a platform default.
    pub fn personal_data_allowed(&self, consent_required: bool) -> bool {
        if !self.analytics_allowed(consent_required) {
            return false;
        }
        let ticks = [&self.email, &self.sms].map(|choice| choice.as_ref().map(|c| c.granted));
        if ticks.contains(&Some(true)) {
            return true;
        }
        if ticks.contains(&Some(false)) {
            return false;
        }
        !self.gpc && self.platform_marketing == Some(true)
    }
}

/// What the page's consent allows right now (the preference widget shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allowed {
    pub analytics: bool,
    pub personal_data: bool,
}

impl PageConsent {
    pub fn allowed(&self, consent_required: bool) -> Allowed {
        Allowed {
            analytics: self.analytics_allowed(consent_required),
            personal_data: self.personal_data_allowed(consent_required),
        }
    }
}

/// The consent change the page reports for a channel: a browser source, whatever it says.
pub fn reported_status(choice: &ChannelChoice) -> (ConsentStatus, ConsentSource) {
    let status = if choice.granted {
        ConsentStatus::Granted
    } else {
        ConsentStatus::Revoked
    };
    (status, ConsentSource::Storefront)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick(granted: bool) -> Option<ChannelChoice> {
        Some(ChannelChoice {
            granted,
            text_version: None,
            evidence: None,
        })
    }

    #[test]
    fn without_any_signal_only_the_anonymous_summary_may_leave_unless_consent_is_required() {
        let consent = PageConsent::default();
        assert!(consent.analytics_allowed(false));
        assert!(!consent.personal_data_allowed(false));
        assert!(!consent.analytics_allowed(true));
    }

    #[test]
    fn gpc_blocks_personal_data_from_platform_defaults_but_not_an_explicit_tick() {
        let mut consent = PageConsent {
            gpc: true,
            platform_marketing: Some(true),
            ..Default::default()
        };
        assert!(!consent.personal_data_allowed(false));
        consent.email = tick(true);
        assert!(consent.personal_data_allowed(false));
    }

    #[test]
    fn an_explicit_untick_beats_the_platform_marketing_default() {
        let consent = PageConsent {
            platform_marketing: Some(true),
            email: tick(false),
            ..Default::default()
        };
        assert!(!consent.personal_data_allowed(false));
    }

    #[test]
    fn shopify_allowed_methods_win_over_raw_visitor_answers_and_sale_opt_out_blocks_marketing() {
        let mut consent = PageConsent::default();
        consent.apply_shopify(&ShopifyPrivacy {
            analytics_processing_allowed: Some(ConsentFlag::Bool(true)),
            visitor_consent: Some(VisitorConsent {
                analytics: Some(ConsentFlag::Text("".into())),
                marketing: Some(ConsentFlag::Text("yes".into())),
                sale_of_data: Some(ConsentFlag::Text("no".into())),
            }),
            ..Default::default()
        });
        assert_eq!(consent.platform_analytics, Some(true));
        assert_eq!(
            consent.platform_marketing,
            Some(false),
            "sale of data refused"
        );
    }

    #[test]
    fn visitor_consent_alone_is_read_when_the_allowed_methods_are_missing() {
        let mut consent = PageConsent::default();
        consent.apply_shopify(&ShopifyPrivacy {
            visitor_consent: Some(VisitorConsent {
                analytics: Some(ConsentFlag::Text("no".into())),
                marketing: Some(ConsentFlag::Bool(true)),
                sale_of_data: None,
            }),
            ..Default::default()
        });
        assert!(!consent.analytics_allowed(false));
        assert_eq!(consent.platform_marketing, Some(true));
    }

    #[test]
    fn the_widget_choice_beats_the_platform_for_analytics() {
        let consent = PageConsent {
            platform_analytics: Some(true),
            chosen_analytics: Some(false),
            ..Default::default()
        };
        assert!(!consent.analytics_allowed(false));
    }
}

//! The playbook read from its JSON tree by `common::reader`, not by serde's derived
//! deserializers: those compiled one copy of serde_json's reading code per type into the
//! server wasm (BENCHMARKS.md, 2026-12-03, issue 20). The contract is the derive's: a wrong
//! type or an unknown field is `INVALID_FIELD` at the field's path, a missing required field
//! at its object's, `null` reads as absent, and absent fields take the same defaults.

use super::{
    Angle, Cap, Conditions, Experiment, IncentiveKind, Incentives, KeywordReplies, Limits, Playbook, Policy,
    Responsiveness, Retention, Rung, Segment, Step, Variant,
};
use crate::common::channel::Channel;
use crate::common::reader::{invalid, Object};
use crate::compliance::quiet_hours::ChannelWindow;
use crate::error::Result;
use crate::messages::{Brand, DeliveryDays, Facts, Gift, Overrides, Voice};
use serde_json::Value;
use std::collections::BTreeMap;

impl Policy {
    pub(crate) fn read(o: Object) -> Result<Policy> {
        let o = o.missing_at_container().only(&[
            "version", "name", "playbooks", "incentives", "experiments", "caps", "jurisdictions",
            "holdoutPercent", "pilotPercent", "attributionWindowHours", "journeyExpiryHours",
            "storeTimeZone", "publicBaseUrl", "smsSegmentLimit", "sendWindows", "retention",
            "storeName", "brand", "facts", "templates", "smsKeywordReplies", "supportPauseHours",
            "limits",
        ])?;
        Ok(Policy {
            version: o.required_text("version")?,
            name: o.required_text("name")?,
            playbooks: o.require("playbooks", o.objects("playbooks", Playbook::read)?)?,
            incentives: o.object_or_default("incentives", Incentives::read)?,
            experiments: o.objects("experiments", Experiment::read)?.unwrap_or_default(),
            caps: o.objects("caps", Cap::read)?.unwrap_or_default(),
            jurisdictions: texts(&o, "jurisdictions")?.unwrap_or_default(),
            holdout_percent: o.small("holdoutPercent")?.unwrap_or(0),
            pilot_percent: o.small("pilotPercent")?.unwrap_or(100),
            attribution_window_hours: required_count(&o, "attributionWindowHours")?,
            journey_expiry_hours: required_count(&o, "journeyExpiryHours")?,
            store_time_zone: o.required_text("storeTimeZone")?,
            public_base_url: o.text("publicBaseUrl")?.unwrap_or_else(super::unset_public_base_url),
            sms_segment_limit: o.small("smsSegmentLimit")?.unwrap_or(2),
            send_windows: o.objects("sendWindows", read_channel_window)?.unwrap_or_default(),
            retention: o.object_or_default("retention", Retention::read)?,
            store_name: o.text("storeName")?,
            brand: o.object_or_default("brand", Brand::read)?,
            facts: o.object_or_default("facts", Facts::read)?,
            templates: o.object("templates")?.map(read_overrides).transpose()?.unwrap_or_default(),
            sms_keyword_replies: o
                .one_of("smsKeywordReplies", &[("provider", KeywordReplies::Provider), ("rekindle", KeywordReplies::Rekindle)])?
                .unwrap_or_default(),
            support_pause_hours: o.count("supportPauseHours")?.unwrap_or(72),
            limits: o.object_or_default("limits", Limits::read)?,
        })
    }
}

impl Playbook {
    fn read(o: Object) -> Result<Playbook> {
        let o = o.only(&["name", "segment", "steps"])?;
        Ok(Playbook {
            name: o.required_text("name")?,
            segment: o.object("segment")?.map(Segment::read).transpose()?,
            steps: o.require("steps", o.objects("steps", Step::read)?)?,
        })
    }
}

impl Step {
    fn read(o: Object) -> Result<Step> {
        let o = o.only(&[
            "key", "channel", "delayMinutes", "angle", "fallbackAngle", "template", "priority", "offerIncentive",
            "conditions",
        ])?;
        Ok(Step {
            key: o.required_text("key")?,
            channel: o.required_one_of("channel", Channel::NAMES)?,
            delay_minutes: required_count(&o, "delayMinutes")?,
            angle: o.required_one_of("angle", Angle::NAMES)?,
            fallback_angle: o.one_of("fallbackAngle", Angle::NAMES)?,
            template: o.required_text("template")?,
            priority: o.require("priority", o.small("priority")?)?,
            offer_incentive: o.flag("offerIncentive")?.unwrap_or(false),
            conditions: o.object_or_default("conditions", |c| {
                let c = c.only(&["unlessOpened", "ifClicked", "minCartMinor"])?;
                Ok(Conditions {
                    unless_opened: c.flag("unlessOpened")?.unwrap_or(false),
                    if_clicked: c.flag("ifClicked")?.unwrap_or(false),
                    min_cart_minor: c.whole("minCartMinor")?,
                })
            })?,
        })
    }
}

impl Segment {
    fn read(o: Object) -> Result<Segment> {
        let o = o.only(&["minCartMinor", "maxCartMinor", "categories", "returning", "minOrders", "mobile", "responsiveness"])?;
        Ok(Segment {
            min_cart_minor: o.whole("minCartMinor")?,
            max_cart_minor: o.whole("maxCartMinor")?,
            categories: texts(&o, "categories")?.unwrap_or_default(),
            returning: o.flag("returning")?,
            min_orders: o.count("minOrders")?,
            mobile: o.flag("mobile")?,
            responsiveness: o.one_of(
                "responsiveness",
                &[("new", Responsiveness::New), ("engaged", Responsiveness::Engaged), ("unengaged", Responsiveness::Unengaged)],
            )?,
        })
    }
}

impl Experiment {
    fn read(o: Object) -> Result<Experiment> {
        let o = o.only(&["key", "step", "variants"])?;
        Ok(Experiment {
            key: o.required_text("key")?,
            step: o.required_text("step")?,
            variants: o.require("variants", o.objects("variants", Variant::read)?)?,
        })
    }
}

impl Variant {
    fn read(o: Object) -> Result<Variant> {
        let o = o.only(&["key", "weight", "template", "angle", "delayMinutes", "channel", "offerIncentive"])?;
        Ok(Variant {
            key: o.required_text("key")?,
            weight: o.require("weight", o.small("weight")?)?,
            template: o.text("template")?,
            angle: o.one_of("angle", Angle::NAMES)?,
            delay_minutes: o.count("delayMinutes")?,
            channel: o.one_of("channel", Channel::NAMES)?,
            offer_incentive: o.flag("offerIncentive")?,
        })
    }
}

impl Cap {
    fn read(o: Object) -> Result<Cap> {
        let o = o.only(&["channel", "max", "windowHours"])?;
        Ok(Cap {
            channel: o.required_one_of("channel", Channel::NAMES)?,
            max: required_count(&o, "max")?,
            window_hours: required_count(&o, "windowHours")?,
        })
    }
}

impl Incentives {
    fn read(o: Object) -> Result<Incentives> {
        let o = o.only(&[
            "ladder", "maxDiscountPercent", "minMarginPercent", "defaultMarginPercent", "cooldownDays",
            "maxAbandonsAfterIncentive",
        ])?;
        let defaults = Incentives::default();
        Ok(Incentives {
            ladder: o.objects("ladder", Rung::read)?.unwrap_or_default(),
            max_discount_percent: o.small("maxDiscountPercent")?.unwrap_or(defaults.max_discount_percent),
            min_margin_percent: o.small("minMarginPercent")?.unwrap_or(defaults.min_margin_percent),
            default_margin_percent: o.small("defaultMarginPercent")?.unwrap_or(defaults.default_margin_percent),
            cooldown_days: o.count("cooldownDays")?.unwrap_or(defaults.cooldown_days),
            max_abandons_after_incentive: o.count("maxAbandonsAfterIncentive")?.unwrap_or(defaults.max_abandons_after_incentive),
        })
    }
}

impl Rung {
    fn read(o: Object) -> Result<Rung> {
        let o = o.only(&["kind", "percent", "minCartMinor", "returningOnly", "costMinor"])?;
        Ok(Rung {
            kind: o.required_one_of("kind", IncentiveKind::NAMES)?,
            percent: o.small("percent")?.unwrap_or(0),
            min_cart_minor: o.whole("minCartMinor")?.unwrap_or(0),
            returning_only: o.flag("returningOnly")?.unwrap_or(false),
            cost_minor: o.whole("costMinor")?.unwrap_or(0),
        })
    }
}

impl Retention {
    fn read(o: Object) -> Result<Retention> {
        let o = o.only(&["days", "regions"])?;
        let regions = match o.object("regions")? {
            None => BTreeMap::new(),
            Some(regions) => regions
                .fields()
                .map(|region| Ok((region.to_string(), required_count(&regions, region)?)))
                .collect::<Result<_>>()?,
        };
        Ok(Retention { days: required_count(&o, "days")?, regions })
    }
}

impl Limits {
    fn read(o: Object) -> Result<Limits> {
        let o = o.only(&["smsConfirmationDaysPerNumber", "smsConfirmationsPerDay", "anonymousTtlHours", "clockSkewSeconds"])?;
        Ok(Limits {
            sms_confirmation_days_per_number: required_count(&o, "smsConfirmationDaysPerNumber")?,
            sms_confirmations_per_day: required_count(&o, "smsConfirmationsPerDay")?,
            anonymous_ttl_hours: required_count(&o, "anonymousTtlHours")?,
            clock_skew_seconds: required_count(&o, "clockSkewSeconds")?,
        })
    }
}

impl Brand {
    fn read(o: Object) -> Result<Brand> {
        let o = o.only(&["logoUrl", "color", "senderName", "voice", "postalAddress", "supportEmail", "defaultLocale"])?;
        Ok(Brand {
            logo_url: o.text("logoUrl")?,
            color: o.text("color")?,
            sender_name: o.text("senderName")?,
            voice: o.one_of("voice", &[("friendly", Voice::Friendly), ("formal", Voice::Formal)])?.unwrap_or_default(),
            postal_address: o.text("postalAddress")?,
            support_email: o.text("supportEmail")?,
            default_locale: o.text("defaultLocale")?,
        })
    }
}

impl Facts {
    fn read(o: Object) -> Result<Facts> {
        let o = o.only(&[
            "returnWindowDays", "freeShippingThresholdMinor", "deliveryDays", "cartHeldHours", "guestCheckout",
            "confirmedCategories", "gift",
        ])?;
        let days = |key: &str| o.read(key, "a whole number from 0 to 65535", |v| v.as_u64().and_then(|n| u16::try_from(n).ok()));
        Ok(Facts {
            return_window_days: days("returnWindowDays")?,
            free_shipping_threshold_minor: o.whole("freeShippingThresholdMinor")?,
            delivery_days: o
                .object("deliveryDays")?
                .map(|d| {
                    let d = d.only(&["min", "max"])?;
                    Ok(DeliveryDays { min: d.require("min", d.small("min")?)?, max: d.require("max", d.small("max")?)? })
                })
                .transpose()?,
            cart_held_hours: days("cartHeldHours")?,
            guest_checkout: o.flag("guestCheckout")?.unwrap_or(false),
            confirmed_categories: texts(&o, "confirmedCategories")?.unwrap_or_default(),
            gift: o
                .object("gift")?
                .map(|g| {
                    let g = g.only(&["title", "url"])?;
                    Ok(Gift { title: g.require("title", g.text("title")?)?, url: g.text("url")? })
                })
                .transpose()?,
        })
    }
}

/// `{"channel": "sms", "start": "22:00", "end": "06:00"}`; a window that does not parse is
/// refused at the window's path, as the derive's `try_from` was.
fn read_channel_window(o: Object) -> Result<ChannelWindow> {
    let o = o.only(&["channel", "start", "end"])?;
    let channel = o.required_one_of("channel", Channel::NAMES)?;
    let (start, end) = (o.required_text("start")?, o.required_text("end")?);
    ChannelWindow::from_parts(channel, &start, &end)
        .map_err(|message| crate::error::Error::new(crate::error::Code::InvalidField, o.path(), message))
}

/// `templates.<key>.<locale>.<part>`: text at the leaves.
fn read_overrides(o: Object) -> Result<Overrides> {
    let mut overrides = Overrides::new();
    for key in o.fields() {
        let by_locale = o.required_object(key)?;
        let mut locales = BTreeMap::new();
        for locale in by_locale.fields() {
            let parts = by_locale.required_object(locale)?;
            let mut texts = BTreeMap::new();
            for part in parts.fields() {
                texts.insert(part.to_string(), parts.required_text(part)?);
            }
            locales.insert(locale.to_string(), texts);
        }
        overrides.insert(key.to_string(), locales);
    }
    Ok(overrides)
}

/// An array of strings, each checked at its own path.
fn texts(o: &Object, key: &str) -> Result<Option<Vec<String>>> {
    o.items(key)?
        .map(|items| {
            let text = |(path, item): (String, &Value)| item.as_str().map(str::to_string).ok_or_else(|| invalid(&path, "a string"));
            items.into_iter().map(text).collect()
        })
        .transpose()
}

fn required_count(o: &Object, key: &str) -> Result<u32> {
    o.require(key, o.count(key)?)
}

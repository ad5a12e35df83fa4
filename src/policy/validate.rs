//! Rule checks on a parsed policy. Every broken rule is reported, each with its path.

use super::{Angle, Policy, Step};
use crate::error::{Code, Error, Problem, Result};
use std::collections::HashSet;

struct Problems(Vec<Problem>);

impl Problems {
    fn bad(&mut self, path: impl Into<String>, message: &str) {
        self.0.push(Problem { code: Code::InvalidPolicy, path: path.into(), message: message.to_string() });
    }
}

pub fn validate(policy: &Policy) -> Result<()> {
    let mut p = Problems(Vec::new());

    if policy.version.trim().is_empty() {
        p.bad("$.version", "must not be empty: journeys record the version they ran under");
    }
    if policy.playbooks.is_empty() {
        p.bad("$.playbooks", "a policy needs at least one playbook");
    }
    let catch_alls = policy.playbooks.iter().filter(|pb| pb.segment.is_none()).count();
    if !policy.playbooks.is_empty() && catch_alls != 1 {
        p.bad("$.playbooks", "exactly one playbook must have no segment: it catches every other shopper");
    }
    let mut names = HashSet::new();
    for (i, playbook) in policy.playbooks.iter().enumerate() {
        let at = format!("$.playbooks[{i}]");
        if !is_key(&playbook.name) {
            p.bad(format!("{at}.name"), "must be non-empty letters, digits, '-' or '_'");
        }
        if !names.insert(playbook.name.as_str()) {
            p.bad(format!("{at}.name"), "duplicate playbook name");
        }
        if playbook.steps.is_empty() {
            p.bad(format!("{at}.steps"), "a playbook needs at least one step");
        }
        if let Some(segment) = &playbook.segment {
            if let (Some(min), Some(max)) = (segment.min_cart_minor, segment.max_cart_minor) {
                if min > max {
                    p.bad(format!("{at}.segment.minCartMinor"), "above maxCartMinor: nobody matches");
                }
            }
        }
        let mut keys = HashSet::new();
        for (j, step) in playbook.steps.iter().enumerate() {
            let at = format!("{at}.steps[{j}]");
            if !keys.insert(step.key.as_str()) {
                p.bad(format!("{at}.key"), "duplicate step key");
            }
            check_step(&mut p, &at, step, policy);
        }
    }

    // A zero would switch a protection off (docs/security.md): the smallest window is the rule.
    let limits = &policy.limits;
    for (field, value) in [
        ("smsConfirmationDaysPerNumber", limits.sms_confirmation_days_per_number),
        ("anonymousTtlHours", limits.anonymous_ttl_hours),
    ] {
        if value == 0 {
            p.bad(format!("$.limits.{field}"), "must be at least 1: zero would switch the limit off");
        }
    }

    let incentives = &policy.incentives;
    if incentives.max_discount_percent > 90 {
        p.bad("$.incentives.maxDiscountPercent", "must be at most 90");
    }
    if incentives.min_margin_percent >= 100 || incentives.default_margin_percent > 100 {
        p.bad("$.incentives", "margins are percentages below 100");
    }
    for (i, rung) in incentives.ladder.iter().enumerate() {
        let percent_kind = matches!(rung.kind, super::IncentiveKind::PercentOff | super::IncentiveKind::Loyalty);
        if percent_kind && (rung.percent == 0 || rung.percent > incentives.max_discount_percent) {
            p.bad(format!("$.incentives.ladder[{i}].percent"), "must be between 1 and maxDiscountPercent");
        }
        if rung.min_cart_minor < 0 || rung.cost_minor < 0 {
            p.bad(format!("$.incentives.ladder[{i}]"), "amounts cannot be negative");
        }
    }

    let mut experiment_keys = HashSet::new();
    for (i, experiment) in policy.experiments.iter().enumerate() {
        let at = format!("$.experiments[{i}]");
        if !is_key(&experiment.key) || !experiment_keys.insert(experiment.key.as_str()) {
            p.bad(format!("{at}.key"), "must be a unique key of letters, digits, '-' or '_'");
        }
        if !policy.playbooks.iter().any(|pb| pb.step(&experiment.step).is_some()) {
            p.bad(format!("{at}.step"), "no playbook has this step");
        }
        let total: u32 = experiment.variants.iter().map(|v| v.weight as u32).sum();
        if total != 100 {
            p.bad(format!("{at}.variants"), "weights must add up to 100");
        }
        let mut variant_keys = HashSet::new();
        for (j, variant) in experiment.variants.iter().enumerate() {
            if !is_key(&variant.key) || !variant_keys.insert(variant.key.as_str()) {
                p.bad(format!("{at}.variants[{j}].key"), "must be a unique key");
            }
            if variant.angle == Some(Angle::ByReason) {
                p.bad(format!("{at}.variants[{j}].angle"), "a variant names a concrete angle");
            }
            if variant.delay_minutes.is_some_and(|d| d > policy.journey_expiry_hours.saturating_mul(60)) {
                p.bad(format!("{at}.variants[{j}].delayMinutes"), "falls after the journey expires");
            }
        }
    }

    for (i, cap) in policy.caps.iter().enumerate() {
        if cap.max == 0 {
            p.bad(format!("$.caps[{i}].max"), "must be at least 1 (remove the channel's steps instead)");
        }
        if cap.window_hours == 0 {
            p.bad(format!("$.caps[{i}].windowHours"), "must be at least 1");
        }
    }
    if policy.holdout_percent > 100 {
        p.bad("$.holdoutPercent", "must be between 0 and 100");
    }
    if policy.pilot_percent > 100 {
        p.bad("$.pilotPercent", "must be between 0 and 100");
    }
    if policy.attribution_window_hours == 0 {
        p.bad("$.attributionWindowHours", "must be at least 1");
    }
    if policy.journey_expiry_hours == 0 {
        p.bad("$.journeyExpiryHours", "must be at least 1");
    }
    if !(1..=10).contains(&policy.sms_segment_limit) {
        p.bad("$.smsSegmentLimit", "must be between 1 and 10");
    }
    if crate::time_zone::check_zone(&policy.store_time_zone).is_err() {
        p.bad("$.storeTimeZone", "not an IANA time-zone name this runtime knows");
    }
    if !is_public_base_url(&policy.public_base_url) {
        p.bad(
            "$.publicBaseUrl",
            "must be an https URL (RFC 8058 one-click unsubscribe), or http on a loopback host for development, with no spaces, '<', '>' or line breaks",
        );
    }
    if policy.retention.days == 0 || policy.retention.regions.values().any(|d| *d == 0) {
        p.bad("$.retention", "retention is at least one day (erasure is a separate, explicit request)");
    }
    for (i, code) in policy.jurisdictions.iter().enumerate() {
        if crate::compliance::quiet_hours::pack(code).is_none() {
            p.bad(format!("$.jurisdictions[{i}]"), "unknown jurisdiction pack");
        }
    }

    check_brand(&mut p, policy);
    // The audit's rules on the merchant's own wording: each broken rule at its JSON path.
    for (path, finding) in crate::messages::audit::check_overrides(&policy.templates, &policy.facts, &policy.brand) {
        p.bad(path, &format!("{}: {}", finding.rule.as_str(), finding.detail));
    }

    if p.0.is_empty() {
        Ok(())
    } else {
        Err(Error::from_problems(p.0))
    }
}

fn check_step(p: &mut Problems, at: &str, step: &Step, policy: &Policy) {
    if !is_key(&step.key) {
        p.bad(format!("{at}.key"), "must be non-empty letters, digits, '-' or '_'");
    }
    if step.template.trim().is_empty() {
        p.bad(format!("{at}.template"), "must not be empty");
    }
    if step.angle == Angle::ByReason && step.fallback_angle.is_none() {
        p.bad(format!("{at}.fallbackAngle"), "required when angle is byReason");
    }
    if step.fallback_angle == Some(Angle::ByReason) {
        p.bad(format!("{at}.fallbackAngle"), "cannot itself be byReason");
    }
    if step.delay_minutes > policy.journey_expiry_hours.saturating_mul(60) {
        p.bad(format!("{at}.delayMinutes"), "falls after the journey expires");
    }
    if step.offer_incentive && policy.incentives.ladder.is_empty() {
        p.bad(format!("{at}.offerIncentive"), "the policy has no incentive ladder");
    }
    if step.conditions.unless_opened && step.conditions.if_clicked {
        p.bad(format!("{at}.conditions"), "unlessOpened and ifClicked can never both hold");
    }
}

fn check_brand(p: &mut Problems, policy: &Policy) {
    let brand = &policy.brand;
    if let Some(color) = &brand.color {
        match parse_hex(color) {
            None => p.bad("$.brand.color", "must be #rrggbb"),
            // White text on the button must stay readable (WCAG 2.1 AA, 4.5:1).
            Some(rgb) if contrast_with_white(rgb) < 4.5 => {
                p.bad("$.brand.color", "white text on this colour is below 4.5:1 contrast (WCAG AA): choose a darker one")
            }
            _ => {}
        }
    }
    if brand.logo_url.as_deref().is_some_and(|u| !u.starts_with("https://") || u.contains(['"', '<', '>', ' '])) {
        p.bad("$.brand.logoUrl", "must be an https URL");
    }
    if brand.support_email.as_deref().is_some_and(|e| !e.contains('@') || e.contains(['"', '<', '>', ' '])) {
        p.bad("$.brand.supportEmail", "must be an email address");
    }
    if brand.postal_address.as_deref().is_some_and(|a| a.trim().len() < 10) {
        p.bad("$.brand.postalAddress", "a postal address a letter could reach (CAN-SPAM)");
    }
    if let Some(d) = policy.facts.delivery_days {
        if d.min > d.max || d.max == 0 {
            p.bad("$.facts.deliveryDays", "min must not exceed max, and max is at least 1");
        }
    }
    if policy.facts.cart_held_hours == Some(0) {
        p.bad("$.facts.cartHeldHours", "must be at least 1 (leave it out if carts are not held)");
    }
    if let Some(gift) = &policy.facts.gift {
        let title = gift.title.trim();
        // Shopify caps a product title at 255 characters; a control character would break a header or an SMS.
        if title.is_empty() || title.chars().count() > 255 || title.chars().any(char::is_control) {
            p.bad("$.facts.gift.title", "the gift's name as the store shows it: 1 to 255 characters, one line");
        }
        if gift.url.as_deref().is_some_and(|u| !u.starts_with("https://") || u.len() > 2048 || u.contains(['"', '<', '>', ' ', '\'', '\n'])) {
            p.bad("$.facts.gift.url", "must be an https URL (where the shopper adds the gift to the cart)");
        }
    }
    for (i, c) in policy.facts.confirmed_categories.iter().enumerate() {
        if !["sex", "hate", "alcohol", "firearms", "tobacco", "cannabis"].contains(&c.as_str()) {
            p.bad(format!("$.facts.confirmedCategories[{i}]"), "one of sex, hate, alcohol, firearms, tobacco, cannabis");
        }
    }
}

fn parse_hex(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())?;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2.1 contrast ratio of white against `rgb` (relative luminance, sRGB).
fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let l = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
    1.05 / (l + 0.05)
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Links and the `List-Unsubscribe` header are built from this URL: RFC 8058 requires HTTPS,
/// and a stray `>` or line break would let it inject header text.
fn is_public_base_url(url: &str) -> bool {
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
    let https = url.strip_prefix("https://").is_some_and(|rest| !rest.is_empty());
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|host| url.strip_prefix(host).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    clean && (https || loopback)
}

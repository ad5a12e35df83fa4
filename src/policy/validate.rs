//! Rule checks on a parsed playbook. Every broken rule is reported, each with its path.

use super::{Angle, Policy};
use crate::error::{Code, Error, Problem, Result};
use std::collections::HashSet;

pub fn validate(policy: &Policy) -> Result<()> {
    let mut problems = Vec::new();
    let mut bad = |path: String, message: &str| {
        problems.push(Problem {
            code: Code::InvalidPolicy,
            path,
            message: message.to_string(),
        });
    };

    if policy.version.trim().is_empty() {
        bad(
            "$.version".into(),
            "must not be empty: journeys record the version they ran under",
        );
    }
    if policy.steps.is_empty() {
        bad("$.steps".into(), "a playbook needs at least one step");
    }
    let mut keys = HashSet::new();
    for (i, step) in policy.steps.iter().enumerate() {
        if step.key.is_empty()
            || !step
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bad(
                format!("$.steps[{i}].key"),
                "must be non-empty letters, digits, '-' or '_'",
            );
        }
        if !keys.insert(step.key.as_str()) {
            bad(format!("$.steps[{i}].key"), "duplicate step key");
        }
        if step.template.trim().is_empty() {
            bad(format!("$.steps[{i}].template"), "must not be empty");
        }
        if step.angle == Angle::ByReason && step.fallback_angle.is_none() {
            bad(
                format!("$.steps[{i}].fallbackAngle"),
                "required when angle is byReason",
            );
        }
        if step.fallback_angle == Some(Angle::ByReason) {
            bad(
                format!("$.steps[{i}].fallbackAngle"),
                "cannot itself be byReason",
            );
        }
        if step.delay_minutes > policy.journey_expiry_hours.saturating_mul(60) {
            bad(
                format!("$.steps[{i}].delayMinutes"),
                "falls after the journey expires",
            );
        }
    }
    for (i, cap) in policy.caps.iter().enumerate() {
        if cap.max == 0 {
            bad(
                format!("$.caps[{i}].max"),
                "must be at least 1 (remove the channel's steps instead)",
            );
        }
        if cap.window_hours == 0 {
            bad(format!("$.caps[{i}].windowHours"), "must be at least 1");
        }
    }
    if policy.holdout_percent > 100 {
        bad("$.holdoutPercent".into(), "must be between 0 and 100");
    }
    if policy.pilot_percent > 100 {
        bad("$.pilotPercent".into(), "must be between 0 and 100");
    }
    if policy.attribution_window_hours == 0 {
        bad("$.attributionWindowHours".into(), "must be at least 1");
    }
    if policy.journey_expiry_hours == 0 {
        bad("$.journeyExpiryHours".into(), "must be at least 1");
    }
    if !(1..=10).contains(&policy.sms_segment_limit) {
        bad("$.smsSegmentLimit".into(), "must be between 1 and 10");
    }
    if crate::time_zone::check_zone(&policy.store_time_zone).is_err() {
        bad(
            "$.storeTimeZone".into(),
            "not an IANA time-zone name this runtime knows",
        );
    }
    if !(policy.public_base_url.starts_with("https://")
        || policy.public_base_url.starts_with("http://"))
    {
        bad("$.publicBaseUrl".into(), "must be an absolute http(s) URL");
    }
    for (i, code) in policy.jurisdictions.iter().enumerate() {
        if crate::quiet_hours::pack(code).is_none() {
            bad(format!("$.jurisdictions[{i}]"), "unknown jurisdiction pack");
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::from_problems(problems))
    }
}

//! When a message may reach a recipient, by the law of where they are, in *their* time.
//!
//! A jurisdiction pack is data: its SMS window, extra rules, and the US one-cart-SMS rule.
//! A send outside the window is deferred to the next opening, never silently dropped.

use crate::error::Result;
use crate::policy::Channel;
use crate::time_zone;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};

/// A daily window in local time, `[start, end)` in minutes after midnight. `start > end`
/// means it crosses midnight (a night-shift merchant's own window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u16,
    pub end: u16,
}

impl Window {
    pub const fn hours(start: u16, end: u16) -> Window {
        Window {
            start: start * 60,
            end: end * 60,
        }
    }

    pub fn contains(&self, minute_of_day: u16) -> bool {
        if self.start <= self.end {
            (self.start..self.end).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start || minute_of_day < self.end
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub code: &'static str,
    /// The rule's source, for explanations.
    pub rule: &'static str,
    pub sms_window: Window,
    pub no_sundays: bool,
    /// At most this many messages on the same subject per rolling 24 h (FL, OK, MD).
    pub max_per_24h: Option<u32>,
    /// At most one cart-recovery SMS per abandonment, within this many hours (US practice).
    pub one_cart_sms_within_hours: Option<u32>,
}

const US: Pack = Pack {
    code: "US",
    rule: "47 CFR 64.1200(c)(1); CTIA cart-SMS practice",
    sms_window: Window::hours(8, 21),
    no_sundays: false,
    max_per_24h: None,
    one_cart_sms_within_hours: Some(48),
};

const fn us_state(code: &'static str, rule: &'static str, start: u16, cap: Option<u32>) -> Pack {
    Pack {
        code,
        rule,
        sms_window: Window::hours(start, 20),
        no_sundays: false,
        max_per_24h: cap,
        one_cart_sms_within_hours: Some(48),
    }
}

/// Source: ../shared/vectors/quiet-hours/us_state_rules.json and FACTS.md.
const PACKS: &[Pack] = &[
    US,
    us_state("US-FL", "Fla. Stat. 501.616(6)", 8, Some(3)),
    us_state("US-OK", "15 O.S. 775C", 8, Some(3)),
    us_state("US-MD", "Md. Code Com. Law 14-4501", 8, Some(3)),
    us_state("US-WA", "RCW 80.36.390", 8, None),
    // Sources disagree on an 8:00 or 9:00 start: the stricter one applies (FACTS.md).
    us_state("US-CT", "Conn. Gen. Stat. 42-288a", 9, None),
    Pack {
        code: "FR",
        rule: "Code de la consommation L223-1, décret 2022-1313",
        sms_window: Window::hours(8, 22),
        no_sundays: true,
        max_per_24h: None,
        one_cart_sms_within_hours: None,
    },
    Pack {
        code: "EU",
        rule: "EU default (merchant-configurable)",
        sms_window: Window::hours(8, 21),
        no_sundays: false,
        max_per_24h: None,
        one_cart_sms_within_hours: None,
    },
];

pub fn pack(code: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.code == code)
}

/// The packs that bind a recipient in `region` ("US-FL", "FR", ...): the country's pack and
/// the state's, when the playbook enabled them. EU countries without their own pack get "EU".
pub fn applicable(enabled: &[String], region: Option<&str>) -> Vec<&'static Pack> {
    let Some(region) = region else {
        return Vec::new();
    };
    let country = region.split('-').next().unwrap_or(region);
    let enabled_pack = |code: &str| {
        let on = enabled
            .iter()
            .any(|e| e == code || (code.starts_with("US-") && e == "US"));
        if on {
            pack(code)
        } else {
            None
        }
    };
    let mut out: Vec<&'static Pack> = Vec::new();
    out.extend(enabled_pack(country));
    if region.contains('-') {
        out.extend(enabled_pack(region));
    }
    if out.is_empty() && is_eu(country) {
        out.extend(enabled_pack("EU"));
    }
    out
}

fn is_eu(country: &str) -> bool {
    const EU: [&str; 27] = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ];
    EU.contains(&country)
}

/// The earliest instant at or after `at` that is inside every pack's window in *every*
/// plausible zone of the recipient. Email has no statutory window.
pub fn next_opening(
    at: DateTime<Utc>,
    channel: Channel,
    packs: &[&Pack],
    zones: &[String],
) -> Result<DateTime<Utc>> {
    if channel == Channel::Email || packs.is_empty() || zones.is_empty() {
        return Ok(at);
    }
    let mut t = at;
    // Two weeks of searching is far more than any real combination of windows needs.
    for _ in 0..64 {
        let mut moved = false;
        for zone in zones {
            for pack in packs {
                let opening = opening_in_zone(t, zone, pack)?;
                if opening > t {
                    t = opening;
                    moved = true;
                }
            }
        }
        if !moved {
            return Ok(t);
        }
    }
    Ok(t)
}

fn opening_in_zone(t: DateTime<Utc>, zone: &str, pack: &Pack) -> Result<DateTime<Utc>> {
    let local = time_zone::local(zone, t)?;
    let minute = (local
        .time()
        .signed_duration_since(NaiveTime::MIN)
        .num_minutes()) as u16;
    let sunday_blocked = pack.no_sundays && local.weekday() == Weekday::Sun;
    if pack.sms_window.contains(minute) && !sunday_blocked {
        return Ok(t);
    }
    // Next local day (or today) at the window's start that is allowed.
    let start = NaiveTime::from_hms_opt(
        (pack.sms_window.start / 60) as u32,
        (pack.sms_window.start % 60) as u32,
        0,
    )
    .unwrap_or(NaiveTime::MIN);
    let mut day = local.date();
    if minute >= pack.sms_window.start && pack.sms_window.start <= pack.sms_window.end {
        day += Duration::days(1);
    }
    while pack.no_sundays && day.weekday() == Weekday::Sun {
        day += Duration::days(1);
    }
    time_zone::instant_at_or_after(zone, day.and_time(start)).map(|o| o.max(t))
}

//! When a message may reach a recipient, by the law of where they are, in *their* time.
//!
//! A jurisdiction pack is data: its SMS window, extra rules, and the US one-cart-SMS rule.
//! A merchant's own windows are data too ([`ChannelWindow`], per channel, possibly crossing
//! midnight). A send outside a window is deferred to the next opening, never silently
//! dropped.

use crate::common::channel::Channel;
use crate::error::{Code, Error, Result};
use crate::time_zone;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

/// A daily window in local time, `[start, end)` in minutes after midnight. `start > end`
/// means it crosses midnight (a night-shift merchant's own window). `end` may be 1440
/// ("24:00"). In JSON: `{"start": "22:00", "end": "06:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowJson", into = "WindowJson")]
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

    /// A window from minutes after midnight; `None` if it is empty or out of range.
    pub fn new(start: u16, end: u16) -> Option<Window> {
        (start < 1440 && end <= 1440 && start != end && !(start > end && end == 1440))
            .then_some(Window { start, end })
    }

    pub fn contains(&self, minute_of_day: u16) -> bool {
        if self.start <= self.end {
            (self.start..self.end).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start || minute_of_day < self.end
        }
    }

    fn start_time(&self) -> NaiveTime {
        NaiveTime::from_hms_opt((self.start / 60) as u32, (self.start % 60) as u32, 0)
            .unwrap_or(NaiveTime::MIN)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WindowJson {
    start: String,
    end: String,
}

impl TryFrom<WindowJson> for Window {
    type Error = String;

    fn try_from(json: WindowJson) -> std::result::Result<Window, String> {
        let start = parse_hhmm(&json.start)?;
        let end = parse_hhmm(&json.end)?;
        Window::new(start, end).ok_or_else(|| {
            format!(
                "window {}-{} is empty or out of range (start 00:00-23:59, end up to 24:00)",
                json.start, json.end
            )
        })
    }
}

impl From<Window> for WindowJson {
    fn from(w: Window) -> WindowJson {
        let hhmm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        WindowJson {
            start: hhmm(w.start),
            end: hhmm(w.end),
        }
    }
}

/// "HH:MM", 00:00 to 24:00, into minutes after midnight.
fn parse_hhmm(text: &str) -> std::result::Result<u16, String> {
    let bad = || format!("{text:?} is not a time of day as \"HH:MM\"");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A merchant's own send window for one channel, on top of the statutory packs: a
/// night-shift brand's SMS at 22:00-06:00, its email at any hour. In JSON:
/// `{"channel": "sms", "start": "22:00", "end": "06:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChannelWindowJson", into = "ChannelWindowJson")]
pub struct ChannelWindow {
    pub channel: Channel,
    pub window: Window,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChannelWindowJson {
    channel: Channel,
    start: String,
    end: String,
}

impl ChannelWindow {
    /// A window from its JSON fields; the error says what is wrong with the times.
    pub fn from_parts(channel: Channel, start: &str, end: &str) -> std::result::Result<ChannelWindow, String> {
        let window = Window::try_from(WindowJson { start: start.to_string(), end: end.to_string() })?;
        Ok(ChannelWindow { channel, window })
    }
}

impl TryFrom<ChannelWindowJson> for ChannelWindow {
    type Error = String;

    fn try_from(json: ChannelWindowJson) -> std::result::Result<ChannelWindow, String> {
        ChannelWindow::from_parts(json.channel, &json.start, &json.end)
    }
}

impl From<ChannelWindow> for ChannelWindowJson {
    fn from(c: ChannelWindow) -> ChannelWindowJson {
        let WindowJson { start, end } = c.window.into();
        ChannelWindowJson {
            channel: c.channel,
            start,
            end,
        }
    }
}

/// Days on which a pack forbids sends, besides Sundays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holidays {
    None,
    /// French public holidays (Code du travail L3133-1), plus Alsace-Moselle's Good Friday
    /// and 26 December: where in France a recipient lives is rarely known, so the stricter
    /// calendar applies to all.
    France,
}

impl Holidays {
    pub fn contains(self, date: NaiveDate) -> bool {
        match self {
            Holidays::None => false,
            Holidays::France => is_french_holiday(date),
        }
    }
}

fn is_french_holiday(date: NaiveDate) -> bool {
    const FIXED: [(u32, u32); 9] = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
        (12, 26),
    ];
    if FIXED.contains(&(date.month(), date.day())) {
        return true;
    }
    let Some(easter) = easter_sunday(date.year()) else {
        return false;
    };
    // Good Friday (Alsace-Moselle), Easter Monday, Ascension Thursday, Whit Monday.
    [-2, 1, 39, 50]
        .iter()
        .any(|d| easter + Duration::days(*d) == date)
}

/// Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" computus).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub code: &'static str,
    /// The rule's source, for explanations.
    pub rule: &'static str,
    pub sms_window: Window,
    pub no_sundays: bool,
    /// Public holidays on which no SMS may be sent (France).
    pub holidays: Holidays,
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
    holidays: Holidays::None,
    max_per_24h: None,
    one_cart_sms_within_hours: Some(48),
};

const fn us_state(code: &'static str, rule: &'static str, start: u16, cap: Option<u32>) -> Pack {
    Pack {
        code,
        rule,
        sms_window: Window::hours(start, 20),
        no_sundays: false,
        holidays: Holidays::None,
        max_per_24h: cap,
        one_cart_sms_within_hours: Some(48),
    }
}

/// Source: tests/fixtures/vectors/quiet-hours/us_state_rules.json and docs/compliance.md
/// (tests/quiet_hours.rs checks the US rows against the file).
const PACKS: &[Pack] = &[
    US,
    us_state("US-FL", "Fla. Stat. 501.616(6)", 8, Some(3)),
    us_state("US-OK", "15 O.S. 775C", 8, Some(3)),
    us_state("US-MD", "Md. Code Com. Law 14-4501", 8, Some(3)),
    us_state("US-WA", "RCW 19.158.040(2)", 8, None),
    // Sources disagree on an 8:00 or 9:00 start: the stricter one applies (docs/compliance.md).
    us_state("US-CT", "Conn. Gen. Stat. 42-288a", 9, None),
    Pack {
        code: "FR",
        rule: "Code de la consommation L223-1, décret 2022-1313",
        sms_window: Window::hours(8, 22),
        no_sundays: true,
        holidays: Holidays::France,
        max_per_24h: None,
        one_cart_sms_within_hours: None,
    },
    Pack {
        code: "EU",
        rule: "EU default (merchant-configurable)",
        sms_window: Window::hours(8, 21),
        no_sundays: false,
        holidays: Holidays::None,
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
/// plausible zone of the recipient. Email has no statutory window. An error if no instant
/// in the next [`SEARCH_DAYS`] days satisfies them all (windows that never overlap across
/// the zones).
pub fn next_opening(
    at: DateTime<Utc>,
    channel: Channel,
    packs: &[&Pack],
    zones: &[&str],
) -> Result<DateTime<Utc>> {
    next_opening_with(at, channel, packs, &[], zones)
}

/// How far ahead an opening is looked for: a French long weekend with a holiday Monday
/// closes three days in a row; anything beyond two weeks means the windows never meet.
pub const SEARCH_DAYS: i64 = 14;

/// Whether any window binds `channel`: the statutory packs bind SMS only, a merchant's
/// window the channel it names. When none does, the recipient's zones do not matter.
pub fn binds(channel: Channel, packs: &[&Pack], own: &[ChannelWindow]) -> bool {
    (channel == Channel::Sms && !packs.is_empty()) || own.iter().any(|w| w.channel == channel)
}

/// As [`next_opening`], plus the merchant's own windows for `channel` (`own` may hold
/// windows for other channels: they are ignored). The statutory packs bind SMS only; a
/// merchant's window binds the channel it names, email included.
pub fn next_opening_with(
    at: DateTime<Utc>,
    channel: Channel,
    packs: &[&Pack],
    own: &[ChannelWindow],
    zones: &[&str],
) -> Result<DateTime<Utc>> {
    if !binds(channel, packs, own) || zones.is_empty() {
        return Ok(at);
    }
    let mut rules: Vec<Rule> = Vec::new();
    if channel == Channel::Sms {
        rules.extend(packs.iter().map(|p| Rule {
            window: p.sms_window,
            no_sundays: p.no_sundays,
            holidays: p.holidays,
        }));
    }
    rules.extend(own.iter().filter(|w| w.channel == channel).map(|w| Rule {
        window: w.window,
        no_sundays: false,
        holidays: Holidays::None,
    }));
    let limit = at + Duration::days(SEARCH_DAYS);
    let mut t = at;
    // Each pass moves `t` to the earliest instant one (zone, rule) allows, so it never skips
    // an instant all of them allow; it stops when none moves it.
    while t <= limit {
        let mut moved = false;
        for zone in zones {
            for rule in &rules {
                let opening = opening_in_zone(t, zone, rule)?;
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
    Err(Error::new(
        Code::InvalidPolicy,
        "$",
        format!(
            "no instant in the {SEARCH_DAYS} days after {} is inside every {} window in {}: the windows never overlap",
            at.to_rfc3339(),
            channel.as_str(),
            zones.join(", ")
        ),
    ))
}

/// One window with its day rules, as a pack or a merchant's window states it.
#[derive(Debug, Clone, Copy)]
struct Rule {
    window: Window,
    no_sundays: bool,
    holidays: Holidays,
}

impl Rule {
    fn allows(&self, local: NaiveDateTime) -> bool {
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let day = local.date();
        self.window.contains(minute)
            && !(self.no_sundays && day.weekday() == Weekday::Sun)
            && !self.holidays.contains(day)
    }
}

/// The earliest instant at or after `t` that `rule` allows in `zone`. A rule starts to allow
/// sends at its window's start, or at midnight when a banned day (Sunday, a holiday) ends
/// inside a window that spans midnight; a clock change in the window is handled by
/// `instant_at_or_after`, which maps a wall time in a gap to the end of the gap.
fn opening_in_zone(t: DateTime<Utc>, zone: &str, rule: &Rule) -> Result<DateTime<Utc>> {
    let local = time_zone::local(zone, t)?;
    if rule.allows(local) {
        return Ok(t);
    }
    let mut day = local.date();
    // Two weeks always contain an allowed day for any window that exists at all.
    for _ in 0..=SEARCH_DAYS {
        let mut walls = Vec::with_capacity(2);
        if rule.window.contains(0) {
            walls.push(day.and_time(NaiveTime::MIN));
        }
        walls.push(day.and_time(rule.window.start_time()));
        for wall in walls {
            let at = time_zone::instant_at_or_after(zone, wall)?;
            if at > t && rule.allows(time_zone::local(zone, at)?) {
                return Ok(at);
            }
        }
        day = day.succ_opt().ok_or_else(|| out_of_range(t))?;
    }
    Err(Error::new(
        Code::InvalidPolicy,
        "$",
        format!(
            "the window never opens in {zone} in the {SEARCH_DAYS} days after {}",
            t.to_rfc3339()
        ),
    ))
}

fn out_of_range(t: DateTime<Utc>) -> Error {
    Error::new(
        Code::InvalidTimestamp,
        "$",
        format!("{} is too far in the future", t.to_rfc3339()),
    )
}

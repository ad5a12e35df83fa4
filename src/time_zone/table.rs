//! Each IANA zone's current rule, compiled in: the server wasm answers offsets from it instead
//! of the host's `Intl`, whose first `DateTimeFormat` of a process costs ~16 ms CPU in Node
//! (ICU loading its zone data) and 30–75 ms in workerd: that was a third of a cold start.
//!
//! A rule is a fixed offset, or two yearly changes written as tzdata writes them ("the first
//! Sunday on or after the 8th of March, at 02:00 local time"), and holds from its `since`
//! instant on; earlier instants, and names not listed, fall back to `Intl`. The data is
//! generated from chrono-tz's compiled tz database (`table_data.rs`, and how to regenerate it
//! there); `tests/time_zone_table.rs` proves it agrees with chrono-tz for every zone from each
//! rule's `since` to 2100, and the wasm run of the same file proves it agrees with `Intl`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::sync::OnceLock;

#[path = "table_data.rs"]
mod data;

/// One yearly change of offset: on the first `weekday` (0 = Monday) on or after day `day` of
/// `month`, at `at` minutes after that day's midnight in the offset before the change (may be
/// negative or past 24 h, as in tzdata's POSIX-style rules), the offset becomes `to` minutes
/// east of UTC. Minutes, not seconds: every offset since 1972 is whole minutes, and the
/// table's rules take half the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub month: u8,
    pub day: u8,
    pub weekday: u8,
    pub at: i16,
    pub to: i16,
}

/// A zone's offsets from 1 January of 2000 + `since` (UTC) on: `offset` minutes east of UTC
/// all year, or the two changes, `changes[0]` the earlier in each year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub since: u8,
    pub offset: i16,
    pub changes: Option<[Change; 2]>,
}

/// The zone names the table lists, in the table's order (sorted).
pub fn names() -> impl Iterator<Item = &'static str> {
    (0..data::RULE_OF.len()).map(name_at)
}

/// The rule listed for `zone`, if the table lists the name.
pub fn rule(zone: &str) -> Option<&'static Rule> {
    let (mut lo, mut hi) = (0, data::RULE_OF.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match name_at(mid).cmp(zone) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return data::RULES.get(data::RULE_OF[mid] as usize),
        }
    }
    None
}

/// Seconds east of UTC in `zone` at `at`, if the table lists the zone and its rule covers `at`.
pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Option<i32> {
    rule(zone).and_then(|rule| rule.offset_at(at.timestamp()))
}

impl Rule {
    /// When the rule starts to hold, in seconds since the epoch.
    pub fn start(&self) -> i64 {
        NaiveDate::from_ymd_opt(2000 + self.since as i32, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(i64::MAX, |d| d.and_utc().timestamp())
    }

    /// The offset in seconds at `t` (seconds since the epoch), or None before `start`.
    pub fn offset_at(&self, t: i64) -> Option<i32> {
        if t < self.start() {
            return None;
        }
        let Some([first, second]) = self.changes else {
            return Some(self.offset as i32 * 60);
        };
        // No zone changes near New Year, so the UTC year is the year of both changes.
        let year = DateTime::<Utc>::from_timestamp(t, 0)?.year();
        let minutes = if t < first.instant(year, second.to)? {
            second.to
        } else if t < second.instant(year, first.to)? {
            first.to
        } else {
            second.to
        };
        Some(minutes as i32 * 60)
    }
}

impl Change {
    /// When this change happens in `year`, `before` being the offset (minutes) until then.
    pub fn instant(&self, year: i32, before: i16) -> Option<i64> {
        let floor = NaiveDate::from_ymd_opt(year, self.month as u32, self.day as u32)?;
        let ahead = (7 + self.weekday as i64 - floor.weekday().num_days_from_monday() as i64) % 7;
        let midnight = floor.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + ahead * 86_400;
        Some(midnight + (self.at as i64 - before as i64) * 60)
    }
}

fn name_at(i: usize) -> &'static str {
    // Names sit in one string, one a line (a `&str` per name, or their start offsets, would
    // cost 8 or 2 bytes each in the wasm); where each starts is found once per instance.
    static STARTS: OnceLock<Vec<u16>> = OnceLock::new();
    let starts = STARTS.get_or_init(|| {
        let mut starts = vec![0];
        starts.extend(data::NAMES.match_indices('\n').map(|(i, _)| i as u16 + 1));
        starts
    });
    let end = starts.get(i + 1).map_or(data::NAMES.len(), |&s| s as usize - 1);
    &data::NAMES[starts[i] as usize..end]
}

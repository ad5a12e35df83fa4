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

#[path = "table_data.rs"]
mod data;

/// One yearly change of offset: on the first `weekday` (0 = Monday) on or after day `day` of
/// `month`, at `at` seconds after that day's midnight in the offset before the change (may be
/// negative or past 24 h, as in tzdata's POSIX-style rules), the offset becomes `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub month: u8,
    pub day: u8,
    pub weekday: u8,
    pub at: i32,
    pub to: i32,
}

/// A zone's offsets from `since` (seconds since the epoch) on: `offset` all year, or the two
/// changes, `changes[0]` the earlier in each year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub since: i64,
    pub offset: i32,
    pub changes: Option<[Change; 2]>,
}

/// The zone names the table lists, in the table's order (sorted).
pub fn names() -> impl Iterator<Item = &'static str> {
    (0..data::RULE_OF.len()).map(name_at)
}

/// The rule listed for `zone`, if the table lists the name.
pub fn rule(zone: &str) -> Option<&'static Rule> {
    // Names sit in one string (a `&str` per name would cost 8 bytes each in the wasm), found
    // by binary search over their start offsets.
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
    /// The offset at `t` (seconds since the epoch), or None before `since`.
    pub fn offset_at(&self, t: i64) -> Option<i32> {
        if t < self.since {
            return None;
        }
        let Some([first, second]) = self.changes else {
            return Some(self.offset);
        };
        // No zone changes near New Year, so the UTC year is the year of both changes.
        let year = DateTime::<Utc>::from_timestamp(t, 0)?.year();
        if t < first.instant(year, second.to)? {
            Some(second.to)
        } else if t < second.instant(year, first.to)? {
            Some(first.to)
        } else {
            Some(second.to)
        }
    }
}

impl Change {
    /// When this change happens in `year`, `before` being the offset in force until then.
    pub fn instant(&self, year: i32, before: i32) -> Option<i64> {
        let floor = NaiveDate::from_ymd_opt(year, self.month as u32, self.day as u32)?;
        let ahead = (7 + self.weekday as i64 - floor.weekday().num_days_from_monday() as i64) % 7;
        let midnight = floor.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + ahead * 86_400;
        Some(midnight + self.at as i64 - before as i64)
    }
}

fn name_at(i: usize) -> &'static str {
    let start = data::STARTS[i] as usize;
    let end = data::STARTS.get(i + 1).map_or(data::NAMES.len(), |&s| s as usize);
    &data::NAMES[start..end]
}

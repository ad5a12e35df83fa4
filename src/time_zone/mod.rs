//! UTC offsets of IANA zones at an instant. Natively from chrono-tz; under wasm from a
//! compiled-in table of each zone's current rule (`table`, a few KB where chrono-tz's full
//! history is ~200 KB), and from the runtime's `Intl` (every browser, workerd, Deno and Node
//! ships the tz database) before a rule's start or for a zone the table leaves out: the first
//! `Intl.DateTimeFormat` of a process was a third of a cold start. `tests/time_zone_*` prove
//! all three agree.

#[cfg(target_arch = "wasm32")]
mod intl;
pub mod table;
#[cfg(not(target_arch = "wasm32"))]
mod native;

use crate::error::{Code, Error, Result};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Seconds east of UTC in `zone` at `at` (New York in January: -18000).
pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Result<i32> {
    #[cfg(target_arch = "wasm32")]
    let found = table::offset_seconds(zone, at).or_else(|| intl::offset_seconds(zone, at));
    #[cfg(not(target_arch = "wasm32"))]
    let found = native::offset_seconds(zone, at);
    found.ok_or_else(|| invalid(zone))
}

/// Ok if `zone` is an IANA name the table lists or the runtime knows.
pub fn check_zone(zone: &str) -> Result<()> {
    if table::rule(zone).is_some() {
        return Ok(());
    }
    offset_seconds(zone, DateTime::<Utc>::UNIX_EPOCH).map(|_| ())
}

/// The runtime's `Intl` alone, past the table: for the test that proves the two agree.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub fn intl_offset_seconds(zone: &str, at: DateTime<Utc>) -> Option<i32> {
    intl::offset_seconds(zone, at)
}

/// Wall-clock time in `zone` at `at`.
pub fn local(zone: &str, at: DateTime<Utc>) -> Result<NaiveDateTime> {
    Ok(at.naive_utc() + Duration::seconds(offset_seconds(zone, at)? as i64))
}

/// The earliest instant whose wall-clock time in `zone` is `wall` or later. On the
/// spring-forward night a wall time that does not exist (02:30 in New York) maps to the
/// first instant after the gap; on a fall-back night the earlier of the two instants wins.
///
/// No assumption about the size of a shift: Lord Howe Island moves its clocks by 30 minutes,
/// Antarctica/Troll by two hours.
pub fn instant_at_or_after(zone: &str, wall: NaiveDateTime) -> Result<DateTime<Utc>> {
    let naive = wall.and_utc();
    // Offsets span UTC-12 to UTC+14, so any instant that reads `wall` lies in [lo, hi]; no
    // zone changes its offset twice within such a day, so the offsets in force there are
    // those at its two ends (and, to be safe, at each candidate they give).
    let lo = naive - Duration::hours(15);
    let hi = naive + Duration::hours(13);
    let mut offsets = vec![offset_seconds(zone, lo)?, offset_seconds(zone, hi)?];
    let mut i = 0;
    while i < offsets.len() && offsets.len() < 4 {
        let found = offset_seconds(zone, naive - Duration::seconds(offsets[i] as i64))?;
        if !offsets.contains(&found) {
            offsets.push(found);
        }
        i += 1;
    }
    let mut earliest: Option<DateTime<Utc>> = None;
    for offset in &offsets {
        let candidate = naive - Duration::seconds(*offset as i64);
        if local(zone, candidate)? == wall && earliest.map_or(true, |e| candidate < e) {
            earliest = Some(candidate);
        }
    }
    if let Some(exact) = earliest {
        return Ok(exact);
    }
    // `wall` fell in a gap: the answer is the instant the clocks jumped over it, the first
    // instant whose wall time is `wall` or later. Binary search on whole seconds (offsets
    // are whole seconds): local(lo) < wall <= local(hi), and with a single jump in between
    // the predicate flips once.
    let (mut before, mut after) = (lo.timestamp(), hi.timestamp());
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        let at = DateTime::<Utc>::from_timestamp(mid, 0).ok_or_else(|| out_of_range(wall))?;
        if local(zone, at)? >= wall {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::<Utc>::from_timestamp(after, 0).ok_or_else(|| out_of_range(wall))
}

fn out_of_range(wall: NaiveDateTime) -> Error {
    Error::new(
        Code::InvalidTimestamp,
        "$",
        format!("{wall} is outside the range of supported instants"),
    )
}

fn invalid(zone: &str) -> Error {
    Error::new(
        Code::InvalidTimeZone,
        "$.timeZone",
        format!("unknown IANA time zone {zone:?}"),
    )
}

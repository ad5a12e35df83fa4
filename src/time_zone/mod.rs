//! UTC offsets of IANA zones at an instant. Natively from chrono-tz; under wasm from the
//! runtime's `Intl` (every browser, workerd, Deno and Node ships the tz database already),
//! which keeps ~200 KB of zone data out of the storefront build. `tests/time_zone_*` prove
//! both agree across DST transitions.

#[cfg(target_arch = "wasm32")]
mod intl;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
use intl as backend;
#[cfg(not(target_arch = "wasm32"))]
use native as backend;

use crate::error::{Code, Error, Result};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Seconds east of UTC in `zone` at `at` (New York in January: -18000).
pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Result<i32> {
    backend::offset_seconds(zone, at).ok_or_else(|| invalid(zone))
}

/// Ok if `zone` is an IANA name the runtime knows.
pub fn check_zone(zone: &str) -> Result<()> {
    offset_seconds(zone, DateTime::<Utc>::UNIX_EPOCH).map(|_| ())
}

/// Wall-clock time in `zone` at `at`.
pub fn local(zone: &str, at: DateTime<Utc>) -> Result<NaiveDateTime> {
    Ok(at.naive_utc() + Duration::seconds(offset_seconds(zone, at)? as i64))
}

/// The earliest instant whose wall-clock time in `zone` is `wall` or later. On the
/// spring-forward night a wall time that does not exist (02:30 in New York) maps to the
/// first instant after the gap; on a fall-back night the earlier of the two instants wins.
pub fn instant_at_or_after(zone: &str, wall: NaiveDateTime) -> Result<DateTime<Utc>> {
    // Two passes settle the offset; a third catches the gap case.
    let mut guess =
        wall.and_utc() - Duration::seconds(offset_seconds(zone, wall.and_utc())? as i64);
    for _ in 0..2 {
        guess = wall.and_utc() - Duration::seconds(offset_seconds(zone, guess)? as i64);
    }
    // Prefer the earlier instant when the wall time occurs twice.
    let earlier = guess - Duration::hours(1);
    if local(zone, earlier)? == wall {
        guess = earlier;
    }
    if local(zone, guess)? != wall {
        // In a gap: find the instant the clocks jumped over `wall`.
        let mut t = guess;
        while local(zone, t)? < wall {
            t += Duration::minutes(15);
        }
        while local(zone, t - Duration::minutes(1))? >= wall {
            t -= Duration::minutes(1);
        }
        guess = t;
    }
    Ok(guess)
}

fn invalid(zone: &str) -> Error {
    Error::new(
        Code::InvalidTimeZone,
        "$.timeZone",
        format!("unknown IANA time zone {zone:?}"),
    )
}

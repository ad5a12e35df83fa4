use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Option<i32> {
    let tz: Tz = zone.parse().ok()?;
    Some(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

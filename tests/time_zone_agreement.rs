//! The same table runs natively (chrono-tz) and under wasm (the runtime's Intl): both
//! backends agree with it, so they agree with each other, across DST transitions.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use chrono::{DateTime, NaiveDate, Utc};
use rekindle::time_zone::{check_zone, instant_at_or_after, offset_seconds};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const H: i32 = 3600;

/// (zone, instant, offset in seconds east of UTC)
const OFFSETS: &[(&str, &str, i32)] = &[
    // US spring-forward night, 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    ("America/New_York", "2026-03-08T06:59:59Z", -5 * H),
    ("America/New_York", "2026-03-08T07:00:00Z", -4 * H),
    // Fall back, 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00 UTC.
    ("America/New_York", "2026-11-01T05:59:59Z", -4 * H),
    ("America/New_York", "2026-11-01T06:00:00Z", -5 * H),
    ("America/Chicago", "2026-07-01T12:00:00Z", -5 * H),
    ("America/Chicago", "2026-12-01T12:00:00Z", -6 * H),
    ("America/Phoenix", "2026-07-01T12:00:00Z", -7 * H),
    ("America/St_Johns", "2026-01-15T12:00:00Z", -(3 * H + H / 2)),
    ("America/St_Johns", "2026-07-15T12:00:00Z", -(2 * H + H / 2)),
    // EU: last Sunday of March / October at 01:00 UTC.
    ("Europe/Paris", "2026-03-29T00:59:59Z", H),
    ("Europe/Paris", "2026-03-29T01:00:00Z", 2 * H),
    ("Europe/Paris", "2026-10-25T01:00:00Z", H),
    ("Europe/London", "2026-06-01T12:00:00Z", H),
    // Half- and three-quarter-hour zones.
    ("Asia/Kolkata", "2026-06-01T12:00:00Z", 5 * H + H / 2),
    ("Asia/Kathmandu", "2026-06-01T12:00:00Z", 5 * H + 45 * 60),
    ("Australia/Adelaide", "2026-01-15T12:00:00Z", 10 * H + H / 2),
    ("Australia/Adelaide", "2026-07-15T12:00:00Z", 9 * H + H / 2),
    ("Australia/Lord_Howe", "2026-01-15T12:00:00Z", 11 * H),
    ("Pacific/Chatham", "2026-01-15T12:00:00Z", 13 * H + 45 * 60),
    ("UTC", "2026-06-01T12:00:00Z", 0),
];

#[test]
fn offsets_match_the_table_across_dst_transitions() {
    for (zone, at, expected) in OFFSETS {
        assert_eq!(
            offset_seconds(zone, t(at)).unwrap(),
            *expected,
            "{zone} at {at}"
        );
    }
}

#[test]
fn unknown_zones_are_an_error_not_a_guess() {
    for zone in ["Mars/Olympus_Mons", "", "America/New York", "EST5EDT6"] {
        assert!(check_zone(zone).is_err(), "{zone:?}");
    }
    assert_eq!(
        check_zone("Narnia/Cair_Paravel").unwrap_err().code(),
        rekindle::Code::InvalidTimeZone
    );
}

#[test]
fn a_wall_time_in_the_spring_forward_gap_maps_to_the_end_of_the_gap() {
    let wall = NaiveDate::from_ymd_opt(2026, 3, 8)
        .unwrap()
        .and_hms_opt(2, 30, 0)
        .unwrap();
    assert_eq!(
        instant_at_or_after("America/New_York", wall).unwrap(),
        t("2026-03-08T07:00:00Z")
    );
}

#[test]
fn a_repeated_wall_time_on_the_fall_back_night_takes_the_first_instant() {
    let wall = NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(1, 30, 0)
        .unwrap();
    assert_eq!(
        instant_at_or_after("America/New_York", wall).unwrap(),
        t("2026-11-01T05:30:00Z")
    );
}

#[test]
fn an_ordinary_wall_time_maps_to_its_instant() {
    let wall = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    assert_eq!(
        instant_at_or_after("America/Chicago", wall).unwrap(),
        t("2026-11-28T14:00:00Z")
    );
    assert_eq!(
        instant_at_or_after("Asia/Kathmandu", wall).unwrap(),
        t("2026-11-28T02:15:00Z")
    );
}

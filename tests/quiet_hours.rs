//! Quiet hours on real dates: the recipient's zone, DST nights, state and country rules, and
//! a merchant's own windows. Runs natively (chrono-tz) and under wasm (the runtime's Intl).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use rekindle::common::channel::Channel;
use rekindle::compliance::quiet_hours::{
    applicable, next_opening, next_opening_with, pack, ChannelWindow, Holidays, Pack, Window,
};
use rekindle::time_zone::{instant_at_or_after, local};
use rekindle::Code;

// The vectors are files: only the native run reads them.
#[cfg(not(target_arch = "wasm32"))]
mod vectors;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn packs(enabled: &[&str], region: &str) -> Vec<&'static Pack> {
    let enabled: Vec<String> = enabled.iter().map(|e| e.to_string()).collect();
    applicable(&enabled, Some(region))
}

/// (what, due at, enabled packs, region, zones, expected opening).
type Row = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
    &'static str,
);

const SMS_TABLE: &[Row] = &[
    (
        "US SMS due 23:30 in Chicago waits for 08:00 the next morning",
        "2026-06-10T04:30:00Z",
        &["US"],
        "US-TX",
        &["America/Chicago"],
        "2026-06-10T13:00:00Z",
    ),
    (
        "inside the federal window it goes at once",
        "2026-06-10T15:00:00Z",
        &["US"],
        "US-TX",
        &["America/Chicago"],
        "2026-06-10T15:00:00Z",
    ),
    (
        "spring-forward eve, 21:30 EST: 08:00 EDT is 12:00 UTC, not 13:00",
        "2026-03-08T02:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-03-08T12:00:00Z",
    ),
    (
        "spring-forward night, 01:30 EST, just before the gap",
        "2026-03-08T06:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-03-08T12:00:00Z",
    ),
    (
        "fall-back night, the first 01:30 (EDT): 08:00 EST is 13:00 UTC",
        "2026-11-01T05:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-11-01T13:00:00Z",
    ),
    (
        "fall-back night, the second 01:30 (EST)",
        "2026-11-01T06:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-11-01T13:00:00Z",
    ),
    (
        "fall-back eve, 21:30 EDT",
        "2026-11-01T01:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-11-01T13:00:00Z",
    ),
    (
        "Florida ends at 20:00: 19:59 goes at once",
        "2026-06-10T23:59:00Z",
        &["US"],
        "US-FL",
        &["America/New_York"],
        "2026-06-10T23:59:00Z",
    ),
    (
        "Florida ends at 20:00: 20:00 waits for 08:00",
        "2026-06-11T00:00:00Z",
        &["US"],
        "US-FL",
        &["America/New_York"],
        "2026-06-11T12:00:00Z",
    ),
    (
        "the same 20:30 in New York state is still inside the federal 21:00",
        "2026-06-11T00:30:00Z",
        &["US"],
        "US-NY",
        &["America/New_York"],
        "2026-06-11T00:30:00Z",
    ),
    (
        "Connecticut starts at 09:00: 08:30 waits",
        "2026-06-10T12:30:00Z",
        &["US"],
        "US-CT",
        &["America/New_York"],
        "2026-06-10T13:00:00Z",
    ),
    (
        "France, no Sundays: Saturday 22:30 in Paris goes Monday 08:00",
        "2026-06-13T20:30:00Z",
        &["FR"],
        "FR",
        &["Europe/Paris"],
        "2026-06-15T06:00:00Z",
    ),
    (
        "France, Sunday noon goes Monday 08:00",
        "2026-06-14T10:00:00Z",
        &["FR"],
        "FR",
        &["Europe/Paris"],
        "2026-06-15T06:00:00Z",
    ),
    (
        "France, Saturday 21:59 is inside 08:00-22:00",
        "2026-06-13T19:59:00Z",
        &["FR"],
        "FR",
        &["Europe/Paris"],
        "2026-06-13T19:59:00Z",
    ),
    (
        "France, Whitsun weekend: Saturday night skips Sunday and Whit Monday",
        "2026-05-23T20:30:00Z",
        &["FR"],
        "FR",
        &["Europe/Paris"],
        "2026-05-26T06:00:00Z",
    ),
    (
        "France, Bastille Day (a Tuesday) waits for Wednesday",
        "2026-07-14T10:00:00Z",
        &["FR"],
        "FR",
        &["Europe/Paris"],
        "2026-07-15T06:00:00Z",
    ),
    (
        "half-hour zone: 22:30 in Kolkata waits for 08:00 IST (02:30 UTC)",
        "2026-06-10T17:00:00Z",
        &["US"],
        "US",
        &["Asia/Kolkata"],
        "2026-06-11T02:30:00Z",
    ),
    (
        "45-minute zone: 21:45 in Kathmandu waits for 08:00 NPT (02:15 UTC)",
        "2026-06-10T16:00:00Z",
        &["US"],
        "US",
        &["Asia/Kathmandu"],
        "2026-06-11T02:15:00Z",
    ),
    (
        "two plausible zones: 21:30 in New York (18:30 in LA) waits for 08:00 in LA",
        "2026-06-11T01:30:00Z",
        &["US"],
        "US",
        &["America/New_York", "America/Los_Angeles"],
        "2026-06-11T15:00:00Z",
    ),
    (
        "two plausible zones: 08:30 in New York (05:30 in LA) waits for 08:00 in LA",
        "2026-06-10T12:30:00Z",
        &["US"],
        "US",
        &["America/New_York", "America/Los_Angeles"],
        "2026-06-10T15:00:00Z",
    ),
    (
        "two plausible zones: 19:00 in New York and 16:00 in LA goes at once",
        "2026-06-10T23:00:00Z",
        &["US"],
        "US",
        &["America/New_York", "America/Los_Angeles"],
        "2026-06-10T23:00:00Z",
    ),
];

#[test]
fn sms_sends_are_deferred_to_the_next_opening_in_the_recipients_time() {
    for (what, at, enabled, region, names, want) in SMS_TABLE {
        let packs = packs(enabled, region);
        assert!(!packs.is_empty(), "{what}: no pack applies");
        let got = next_opening(t(at), Channel::Sms, &packs, names).unwrap();
        assert_eq!(got, t(want), "{what}");
    }
}

#[test]
fn with_two_plausible_zones_the_send_falls_inside_the_window_in_both() {
    let names = ["America/New_York", "America/Los_Angeles"];
    let packs = packs(&["US"], "US");
    // Every quarter hour of a day, the opening is inside 08:00-21:00 in both zones.
    let mut at = t("2026-06-10T00:00:00Z");
    for _ in 0..96 {
        let opening = next_opening(at, Channel::Sms, &packs, &names).unwrap();
        assert!(opening >= at);
        for zone in &names {
            let hour = local(zone, opening).unwrap().hour();
            assert!(
                (8..21).contains(&hour),
                "{at}: opening {opening} is {hour}h in {zone}"
            );
        }
        at += chrono::Duration::minutes(15);
    }
}

#[test]
fn email_is_never_deferred_by_the_sms_window() {
    let at = t("2026-06-14T01:00:00Z"); // 03:00 on a Sunday in Paris, 21:00 Saturday in New York
    let mut all = packs(&["US"], "US-FL");
    all.extend(packs(&["FR"], "FR"));
    let names = ["Europe/Paris", "America/New_York"];
    assert_eq!(next_opening(at, Channel::Email, &all, &names).unwrap(), at);
    // Nor by a merchant's SMS-only window.
    let night = ChannelWindow {
        channel: Channel::Sms,
        window: Window::hours(22, 6),
    };
    assert_eq!(
        next_opening_with(at, Channel::Email, &all, &[night], &names).unwrap(),
        at
    );
}

#[test]
fn a_merchant_window_may_cross_midnight() {
    let night = [ChannelWindow {
        channel: Channel::Sms,
        window: Window::hours(22, 6),
    }];
    let tokyo = ["Asia/Tokyo"]; // UTC+9, no DST
    let open = |at: &str| next_opening_with(t(at), Channel::Sms, &[], &night, &tokyo).unwrap();
    assert_eq!(
        open("2026-06-10T03:00:00Z"),
        t("2026-06-10T13:00:00Z"),
        "12:00 waits for 22:00"
    );
    assert_eq!(
        open("2026-06-10T14:00:00Z"),
        t("2026-06-10T14:00:00Z"),
        "23:00 goes at once"
    );
    assert_eq!(
        open("2026-06-10T20:59:00Z"),
        t("2026-06-10T20:59:00Z"),
        "05:59 goes at once"
    );
    assert_eq!(
        open("2026-06-10T21:00:00Z"),
        t("2026-06-11T13:00:00Z"),
        "06:00 waits for 22:00"
    );
}

#[test]
fn a_merchant_window_binds_only_its_own_channel() {
    let own = [
        ChannelWindow {
            channel: Channel::Email,
            window: Window::hours(7, 23),
        },
        ChannelWindow {
            channel: Channel::Sms,
            window: Window::hours(10, 18),
        },
    ];
    let chicago = ["America/Chicago"]; // CDT, UTC-5
    let us = packs(&["US"], "US-TX");
    let open = |at: &str, channel| next_opening_with(t(at), channel, &us, &own, &chicago).unwrap();
    // 06:00: email waits for 07:00, SMS for 10:00.
    assert_eq!(
        open("2026-06-10T11:00:00Z", Channel::Email),
        t("2026-06-10T12:00:00Z")
    );
    assert_eq!(
        open("2026-06-10T11:00:00Z", Channel::Sms),
        t("2026-06-10T15:00:00Z")
    );
    // 19:00: inside the federal window but after the merchant's SMS window.
    assert_eq!(
        open("2026-06-11T00:00:00Z", Channel::Sms),
        t("2026-06-11T15:00:00Z")
    );
    assert_eq!(
        open("2026-06-11T00:00:00Z", Channel::Email),
        t("2026-06-11T00:00:00Z")
    );
}

#[test]
fn a_merchant_window_that_never_meets_the_statutory_one_is_a_policy_error() {
    let night = [ChannelWindow {
        channel: Channel::Sms,
        window: Window::hours(22, 6),
    }];
    let err = next_opening_with(
        t("2026-06-10T03:00:00Z"),
        Channel::Sms,
        &packs(&["US"], "US-TX"),
        &night,
        &["America/Chicago"],
    )
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidPolicy);
}

#[test]
fn a_window_opening_inside_the_spring_forward_gap_opens_when_the_clocks_jump() {
    // 02:30 does not exist in New York on 2026-03-08: the window opens at 03:00 EDT.
    let own = [ChannelWindow {
        channel: Channel::Sms,
        window: Window::new(150, 240).unwrap(),
    }];
    let got = next_opening_with(
        t("2026-03-08T06:00:00Z"),
        Channel::Sms,
        &[],
        &own,
        &["America/New_York"],
    )
    .unwrap();
    assert_eq!(got, t("2026-03-08T07:00:00Z"));
}

#[test]
fn a_merchant_window_is_json_data() {
    let w: ChannelWindow =
        serde_json::from_str(r#"{"channel": "sms", "start": "22:00", "end": "06:00"}"#).unwrap();
    assert_eq!(
        w,
        ChannelWindow {
            channel: Channel::Sms,
            window: Window::hours(22, 6)
        }
    );
    assert_eq!(
        serde_json::to_value(w).unwrap(),
        serde_json::json!({"channel": "sms", "start": "22:00", "end": "06:00"})
    );
    let until_midnight: Window =
        serde_json::from_str(r#"{"start": "08:30", "end": "24:00"}"#).unwrap();
    assert_eq!(until_midnight, Window::new(510, 1440).unwrap());
    for bad in [
        r#"{"channel": "sms", "start": "22:00", "end": "22:00"}"#,
        r#"{"channel": "sms", "start": "25:00", "end": "06:00"}"#,
        r#"{"channel": "sms", "start": "24:00", "end": "06:00"}"#,
        r#"{"channel": "sms", "start": "8:00", "end": "20:00"}"#,
        r#"{"channel": "sms", "start": "08:00", "end": "20:00", "days": "weekdays"}"#,
        r#"{"channel": "fax", "start": "08:00", "end": "20:00"}"#,
    ] {
        assert!(serde_json::from_str::<ChannelWindow>(bad).is_err(), "{bad}");
    }
}

#[test]
fn french_public_holidays_follow_easter() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    // Easter 2026 is 5 April, 2027 is 28 March.
    for holiday in [
        d(2026, 4, 3),  // Good Friday (Alsace-Moselle)
        d(2026, 4, 6),  // Easter Monday
        d(2026, 5, 14), // Ascension
        d(2026, 5, 25), // Whit Monday
        d(2027, 3, 29), // Easter Monday
        d(2026, 1, 1),
        d(2026, 5, 8),
        d(2026, 12, 26), // Alsace-Moselle
    ] {
        assert!(Holidays::France.contains(holiday), "{holiday}");
    }
    for ordinary in [d(2026, 4, 7), d(2026, 5, 15), d(2026, 6, 15), d(2027, 4, 5)] {
        assert!(!Holidays::France.contains(ordinary), "{ordinary}");
    }
    assert!(!Holidays::None.contains(d(2026, 12, 25)));
}

#[test]
fn a_repeated_wall_time_takes_the_first_instant_whatever_the_size_of_the_shift() {
    let wall = |y, m, d, h, min| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    };
    // Lord Howe Island falls back 30 minutes (02:00 +11 -> 01:30 +10:30) on 2026-04-05:
    // 01:45 happens at 14:45 and again at 15:15 UTC.
    assert_eq!(
        instant_at_or_after("Australia/Lord_Howe", wall(2026, 4, 5, 1, 45)).unwrap(),
        t("2026-04-04T14:45:00Z")
    );
    // Troll (Antarctica) falls back two hours (+02 -> +00) at 01:00 UTC on 2026-10-25:
    // 02:30 happens at 00:30 and again at 02:30 UTC.
    assert_eq!(
        instant_at_or_after("Antarctica/Troll", wall(2026, 10, 25, 2, 30)).unwrap(),
        t("2026-10-25T00:30:00Z")
    );
}

#[test]
fn a_wall_time_in_a_gap_of_any_size_maps_to_the_end_of_the_gap() {
    let wall = |y, m, d, h, min| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    };
    // Lord Howe springs forward 30 minutes: 02:00 +10:30 -> 02:30 +11 at 15:30 UTC.
    assert_eq!(
        instant_at_or_after("Australia/Lord_Howe", wall(2026, 10, 4, 2, 15)).unwrap(),
        t("2026-10-03T15:30:00Z")
    );
    // Troll springs forward two hours at 01:00 UTC on 2026-03-29: 01:00 +00 -> 03:00 +02.
    assert_eq!(
        instant_at_or_after("Antarctica/Troll", wall(2026, 3, 29, 1, 30)).unwrap(),
        t("2026-03-29T01:00:00Z")
    );
    // Santiago springs forward at midnight: 00:00 on 2026-09-06 does not exist.
    assert_eq!(
        instant_at_or_after("America/Santiago", wall(2026, 9, 6, 0, 0)).unwrap(),
        t("2026-09-06T04:00:00Z")
    );
}

#[test]
fn the_packs_match_the_statutes_as_summarised() {
    assert_eq!(pack("US").unwrap().sms_window, Window::hours(8, 21));
    assert_eq!(pack("US-CT").unwrap().sms_window, Window::hours(9, 20));
    assert_eq!(pack("FR").unwrap().sms_window, Window::hours(8, 22));
    assert!(pack("FR").unwrap().no_sundays);
    assert_eq!(pack("FR").unwrap().holidays, Holidays::France);
}

/// The US rows of `tests/fixtures/vectors/quiet-hours/us_state_rules.json`, window and cap.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_us_packs_match_the_quiet_hours_vector_file() {
    let file = vectors::vector("quiet-hours/us_state_rules.json");
    let rules = file["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 5);
    let minutes = |hhmm: &str| {
        let (h, m) = hhmm.split_once(':').unwrap();
        h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
    };
    for rule in rules {
        let jurisdiction = rule["jurisdiction"].as_str().unwrap();
        let code = if jurisdiction == "US-federal" {
            "US"
        } else {
            jurisdiction
        };
        let pack = pack(code).unwrap_or_else(|| panic!("no pack for {jurisdiction}"));
        let window = Window {
            start: minutes(rule["earliest_local"].as_str().unwrap()),
            end: minutes(rule["latest_local"].as_str().unwrap()),
        };
        assert_eq!(pack.sms_window, window, "{code}");
        assert_eq!(
            pack.max_per_24h.map(u64::from),
            rule["max_per_24h_same_subject"].as_u64(),
            "{code}"
        );
        let statute = rule["rule"].as_str().unwrap();
        let cited = pack.rule.split(['(', ';']).next().unwrap().trim();
        assert!(
            statute.starts_with(cited),
            "{code}: pack cites {:?}, the file {statute:?}",
            pack.rule
        );
    }
}

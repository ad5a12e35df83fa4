//! The recipient's plausible zones: which sources count, in which order, and what a US
//! recipient whose sources disagree gets. Runs natively (chrono-tz) and under wasm (the
//! runtime's Intl): the answers must be the same.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use chrono::{DateTime, Utc};
use rekindle::common::channel::Channel;
use rekindle::compliance::quiet_hours::{applicable, next_opening};
use rekindle::compliance::zones::{
    nanp_regions, plausible, region_zones, PlausibleZones, ZoneHints, CALLING_CODES, COUNTRIES,
    NANP_AREA_CODES, SUBDIVISIONS,
};
use rekindle::time_zone::{check_zone, offset_seconds};

const STORE: &str = "America/Chicago";

fn hints<'a>(
    browser: Option<&'a str>,
    region: Option<&'a str>,
    phone: Option<&'a str>,
) -> ZoneHints<'a> {
    ZoneHints {
        browser,
        region,
        phone,
        store: STORE,
    }
}

fn zones_of(h: ZoneHints<'_>) -> Vec<&str> {
    plausible(&h).zones
}

fn noted(result: &PlausibleZones, needle: &str) -> bool {
    result.notes.iter().any(|n| n.contains(needle))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn a_browser_zone_alone_is_the_recipients_zone() {
    let result = plausible(&hints(Some("Europe/Paris"), None, None));
    assert_eq!(result.zones, ["Europe/Paris"]);
    assert_eq!(result.notes, ["browser Europe/Paris"]);
}

#[test]
fn a_texas_shopper_with_a_browser_in_chicago_also_gets_denver_for_sms() {
    // El Paso is on Mountain time: the browser's Chicago may be a laptop, not the phone.
    let result = plausible(&hints(Some("America/Chicago"), Some("US-TX"), None));
    assert_eq!(result.zones, ["America/Chicago", "America/Denver"]);
    assert!(noted(&result, "US recipient"), "{:?}", result.notes);
    assert!(noted(
        &result,
        "region US-TX: America/Chicago, America/Denver"
    ));
}

#[test]
fn a_us_browser_zone_that_disagrees_with_the_shipping_state_keeps_both() {
    assert_eq!(
        zones_of(hints(Some("America/Los_Angeles"), Some("US-NY"), None)),
        ["America/Los_Angeles", "America/New_York"]
    );
}

#[test]
fn an_invalid_browser_zone_is_ignored_with_a_note_and_the_next_source_decides() {
    let result = plausible(&hints(Some("Mars/Olympus_Mons"), Some("FR"), None));
    assert_eq!(result.zones, ["Europe/Paris"]);
    assert!(noted(
        &result,
        "browser \"Mars/Olympus_Mons\" ignored: not an IANA zone"
    ));
    assert!(noted(&result, "region FR: Europe/Paris"));
}

#[test]
fn an_invalid_browser_zone_with_nothing_else_known_falls_back_to_the_store() {
    let result = plausible(&hints(Some("Chicago"), None, None));
    assert_eq!(result.zones, [STORE]);
    assert!(noted(&result, "ignored"));
    assert!(noted(&result, "store America/Chicago"));
}

#[test]
fn a_212_area_code_places_the_phone_in_new_york() {
    let result = plausible(&hints(None, None, Some("+12125550123")));
    assert_eq!(result.zones, ["America/New_York"]);
    assert!(noted(&result, "phone +1 212 (US-NY): America/New_York"));
    // The number itself never reaches a note: notes end up in logs.
    assert!(result.notes.iter().all(|n| !n.contains("5550123")));
}

#[test]
fn a_new_york_phone_and_a_california_address_keep_both_zones() {
    assert_eq!(
        zones_of(hints(None, Some("US-CA"), Some("+12125550123"))),
        ["America/Los_Angeles", "America/New_York"]
    );
}

#[test]
fn a_us_phone_makes_a_recipient_with_a_foreign_address_a_us_recipient() {
    assert_eq!(
        zones_of(hints(
            Some("Europe/Paris"),
            Some("FR"),
            Some("+13125550123")
        )),
        ["Europe/Paris", "America/Chicago"]
    );
}

#[test]
fn outside_the_us_the_browser_zone_wins_over_the_address_and_the_phone() {
    let result = plausible(&hints(
        Some("Europe/Lisbon"),
        Some("GB"),
        Some("+33612345678"),
    ));
    assert_eq!(result.zones, ["Europe/Lisbon"]);
    assert!(noted(&result, "region GB: not used"));
    assert!(noted(&result, "phone +33 (FR): not used"));
}

#[test]
fn outside_the_us_without_a_browser_the_address_lists_each_clock_of_its_country() {
    assert_eq!(
        zones_of(hints(None, Some("PT"), Some("+33612345678"))),
        ["Europe/Lisbon", "Atlantic/Azores"]
    );
}

#[test]
fn outside_the_us_the_phone_country_is_the_third_source() {
    let result = plausible(&hints(None, None, Some("+447700900123")));
    assert_eq!(result.zones, ["Europe/London"]);
    assert!(noted(&result, "phone +44 (GB): Europe/London"));
}

#[test]
fn with_nothing_known_the_store_zone_is_the_last_resort_with_a_note() {
    let result = plausible(&hints(None, None, None));
    assert_eq!(result.zones, [STORE]);
    assert_eq!(
        result.notes,
        ["store America/Chicago: nothing known about the recipient's zone"]
    );
}

#[test]
fn unreadable_sources_are_ignored_with_a_note_each() {
    let result = plausible(&hints(None, Some("Atlantis"), Some("212 555 0123")));
    assert_eq!(result.zones, [STORE]);
    assert!(noted(
        &result,
        "region \"Atlantis\" ignored: not in the zone table"
    ));
    assert!(noted(&result, "phone ignored: not in E.164 form"));
}

#[test]
fn zones_are_deduplicated_and_the_browser_comes_first() {
    // Browser, address and a Dallas phone all say Chicago; the address adds El Paso's Denver.
    assert_eq!(
        zones_of(hints(
            Some("America/Chicago"),
            Some("US-TX"),
            Some("+12145550123")
        )),
        ["America/Chicago", "America/Denver"]
    );
    // The order is the sources' order, not the table's.
    assert_eq!(
        zones_of(hints(
            Some("America/Denver"),
            Some("US-TX"),
            Some("+12125550123")
        )),
        ["America/Denver", "America/Chicago", "America/New_York"]
    );
}

#[test]
fn an_unlisted_area_code_means_every_us_zone_only_when_nothing_else_is_known() {
    // 555 is not a geographic area code.
    let alone = plausible(&hints(None, None, Some("+15555550123")));
    assert_eq!(
        alone.zones,
        [
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "America/Adak",
            "Pacific/Honolulu"
        ]
    );
    assert!(noted(&alone, "area code not in the table: every US zone"));

    assert_eq!(
        zones_of(hints(None, Some("US-OR"), Some("+15555550123"))),
        ["America/Los_Angeles", "America/Denver"]
    );
    assert_eq!(
        zones_of(hints(Some("Asia/Tokyo"), None, Some("+15555550123"))),
        ["Asia/Tokyo"]
    );
}

#[test]
fn a_us_address_without_a_state_does_not_widen_a_known_zone() {
    let result = plausible(&hints(Some("America/Denver"), Some("US"), None));
    assert_eq!(result.zones, ["America/Denver"]);
    assert!(noted(
        &result,
        "region US: not used, a more precise source is known"
    ));
    // With nothing more precise, "somewhere in the US" is every US zone.
    assert_eq!(zones_of(hints(None, Some("US"), None)).len(), 8);
}

#[test]
fn a_caribbean_area_code_is_not_a_us_recipient() {
    let result = plausible(&hints(
        Some("America/Jamaica"),
        Some("JM"),
        Some("+18765550123"),
    ));
    assert_eq!(result.zones, ["America/Jamaica"]);
    assert!(!noted(&result, "US recipient"));
    assert_eq!(
        zones_of(hints(None, None, Some("+18095550123"))),
        ["America/Santo_Domingo"]
    );
}

#[test]
fn a_territory_is_a_us_recipient_in_either_spelling() {
    for region in ["PR", "US-PR", "pr"] {
        let result = plausible(&hints(None, Some(region), None));
        assert_eq!(result.zones, ["America/Puerto_Rico"], "{region}");
        assert!(noted(&result, "US recipient"), "{region}");
    }
}

#[test]
fn a_shared_area_code_lists_every_region_it_serves() {
    assert_eq!(nanp_regions(867), ["CA-NT", "CA-NU", "CA-YT"]);
    let result = plausible(&hints(None, None, Some("+18675550123")));
    assert_eq!(
        result.zones,
        [
            "America/Yellowknife",
            "America/Iqaluit",
            "America/Rankin_Inlet",
            "America/Cambridge_Bay",
            "America/Whitehorse"
        ]
    );
}

#[test]
fn a_canadian_province_lists_each_of_its_clocks() {
    assert_eq!(
        region_zones("CA-SK").unwrap(),
        ["America/Regina", "America/Edmonton"]
    );
    assert_eq!(
        zones_of(hints(None, None, Some("+14165550123"))),
        ["America/Toronto", "America/Winnipeg"]
    );
}

#[test]
fn region_codes_are_read_case_insensitively() {
    assert_eq!(
        zones_of(hints(None, Some(" us-tx "), None)),
        ["America/Chicago", "America/Denver"]
    );
}

#[test]
fn an_unknown_subdivision_falls_back_to_its_country() {
    let result = plausible(&hints(None, Some("GB-ENG"), None));
    assert_eq!(result.zones, ["Europe/London"]);
    assert!(noted(
        &result,
        "region GB (subdivision GB-ENG not in the table)"
    ));
    assert_eq!(region_zones("BR-SP").unwrap().len(), 4);
}

#[test]
fn multi_zone_states_list_every_zone() {
    let cases: &[(&str, &[&str])] = &[
        ("US-TX", &["America/Chicago", "America/Denver"]),
        ("US-FL", &["America/New_York", "America/Chicago"]),
        ("US-AZ", &["America/Phoenix", "America/Denver"]),
        ("US-AK", &["America/Anchorage", "America/Adak"]),
        ("US-ID", &["America/Denver", "America/Los_Angeles"]),
        ("US-HI", &["Pacific/Honolulu"]),
    ];
    for (region, zones) in cases {
        assert_eq!(region_zones(region).unwrap(), *zones, "{region}");
    }
    let split = SUBDIVISIONS
        .iter()
        .filter(|(code, zones)| code.starts_with("US-") && zones.len() > 1)
        .map(|(code, _)| *code)
        .collect::<Vec<_>>();
    // The 14 states 49 CFR part 71 splits, plus Arizona's Navajo Nation.
    assert_eq!(
        split,
        [
            "US-AK", "US-AZ", "US-FL", "US-ID", "US-IN", "US-KS", "US-KY", "US-MI", "US-NE",
            "US-NV", "US-ND", "US-OR", "US-SD", "US-TN", "US-TX"
        ]
    );
}

// --- The tables themselves -------------------------------------------------------------

#[test]
fn every_zone_in_the_tables_is_known_to_this_runtime() {
    for (code, zones) in SUBDIVISIONS.iter().chain(COUNTRIES) {
        for zone in *zones {
            assert!(check_zone(zone).is_ok(), "{code}: {zone}");
        }
    }
}

#[test]
fn every_us_state_and_dc_has_a_row_and_area_codes() {
    const STATES: [&str; 51] = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
        "VT", "VA", "WA", "WV", "WI", "WY",
    ];
    for state in STATES {
        let code = format!("US-{state}");
        assert!(SUBDIVISIONS.iter().any(|(c, _)| *c == code), "{code}");
        assert!(NANP_AREA_CODES.iter().any(|(c, _)| *c == code), "{code}");
    }
}

#[test]
fn every_area_code_resolves_to_a_row_and_only_shared_codes_repeat() {
    const SHARED: [u16; 3] = [782, 867, 902];
    let mut seen = std::collections::HashSet::new();
    for (region, codes) in NANP_AREA_CODES {
        assert!(
            region_zones(region).is_some_and(|z| !z.is_empty()),
            "{region} has no zones"
        );
        for code in *codes {
            assert!((200..=999).contains(code), "{region}: {code}");
            assert!(seen.insert(*code) || SHARED.contains(code), "{code} twice");
        }
    }
}

#[test]
fn calling_codes_are_prefix_free_and_name_countries_of_the_table() {
    for (a, country) in CALLING_CODES {
        assert!(region_zones(country).is_some(), "{country}");
        for (b, _) in CALLING_CODES {
            assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
        }
    }
}

/// A region's zones may be named after its own cities (Australia/Melbourne), but each must
/// keep the clock of a zone in its country's row, or the country row misses a clock.
#[test]
fn every_subdivision_keeps_the_clock_of_a_zone_in_its_countrys_row() {
    let instants = [t("2026-01-15T12:00:00Z"), t("2026-07-15T12:00:00Z")];
    let clock = |zone: &str| {
        instants
            .iter()
            .map(|at| offset_seconds(zone, *at).unwrap())
            .collect::<Vec<_>>()
    };
    for (code, zones) in SUBDIVISIONS {
        let country = code.split('-').next().unwrap();
        // The territories are outside the row of the 50 states and DC.
        if ["US-PR", "US-VI", "US-GU", "US-MP", "US-AS"].contains(code) {
            continue;
        }
        let row = region_zones(country).unwrap();
        for zone in *zones {
            assert!(
                row.iter().any(|z| clock(z) == clock(zone)),
                "{code}: {zone} keeps no clock of {country}'s row"
            );
        }
    }
}

// --- End to end: the zones feed the quiet-hours search ----------------------------------

#[test]
fn a_texas_sms_at_20_30_in_chicago_is_19_30_in_el_paso_and_goes_at_once() {
    let zones = plausible(&hints(Some("America/Chicago"), Some("US-TX"), None)).zones;
    let packs = applicable(&["US".to_string()], Some("US-TX"));
    // 2026-06-10 20:30 CDT (UTC-5) = 19:30 MDT: inside 08:00-21:00 in both.
    let at = t("2026-06-11T01:30:00Z");
    assert_eq!(next_opening(at, Channel::Sms, &packs, &zones).unwrap(), at);
}

#[test]
fn a_texas_sms_at_07_30_in_chicago_waits_for_08_00_in_el_paso() {
    let zones = plausible(&hints(Some("America/Chicago"), Some("US-TX"), None)).zones;
    let packs = applicable(&["US".to_string()], Some("US-TX"));
    // 07:30 CDT is 06:30 MDT: the window opens at 08:00 MDT = 09:00 CDT = 14:00 UTC.
    let at = t("2026-06-10T12:30:00Z");
    assert_eq!(
        next_opening(at, Channel::Sms, &packs, &zones).unwrap(),
        t("2026-06-10T14:00:00Z")
    );
    // With the browser's zone alone it would have gone at 08:00 CDT, 07:00 in El Paso.
    let chicago_only = ["America/Chicago"];
    assert_eq!(
        next_opening(at, Channel::Sms, &packs, &chicago_only).unwrap(),
        t("2026-06-10T13:00:00Z")
    );
}

#[test]
fn a_new_york_phone_on_a_chicago_browser_at_20_30_waits_for_morning_in_both() {
    let zones = plausible(&hints(Some("America/Chicago"), None, Some("+12125550123"))).zones;
    assert_eq!(zones, ["America/Chicago", "America/New_York"]);
    let packs = applicable(&["US".to_string()], Some("US"));
    // 20:30 CDT is 21:30 EDT: closed in New York until 08:00 EDT, when Chicago is at 07:00;
    // both are open from 08:00 CDT = 13:00 UTC.
    let at = t("2026-06-11T01:30:00Z");
    assert_eq!(
        next_opening(at, Channel::Sms, &packs, &zones).unwrap(),
        t("2026-06-11T13:00:00Z")
    );
}

#[test]
fn every_region_code_appears_once_in_its_table() {
    // Lookups binary-search a sorted copy: a repeated code would make the answer arbitrary.
    for table in [SUBDIVISIONS, COUNTRIES] {
        let mut codes: Vec<&str> = table.iter().map(|(code, _)| *code).collect();
        codes.sort();
        let before = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), before, "a code is listed twice");
    }
}

#[test]
fn the_zones_without_notes_are_the_zones_with_them() {
    // The engine asks for zones alone on every send and for notes only when it defers.
    let browsers = [None, Some("America/Chicago"), Some("Europe/Paris"), Some("Mars/Olympus")];
    let regions = [None, Some("US-TX"), Some("us_az"), Some("US"), Some("GB-ENG"), Some("PR"), Some("Atlantis")];
    let phones = [None, Some("+12125550123"), Some("+18675550123"), Some("+19995550123"), Some("+447700900123"), Some("212 555")];
    for browser in browsers {
        for region in regions {
            for phone in phones {
                let h = hints(browser, region, phone);
                assert_eq!(rekindle::compliance::zones::plausible_zones(&h), plausible(&h).zones, "{h:?}");
            }
        }
    }
}

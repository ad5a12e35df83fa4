//! The recipient's plausible IANA time zones, from what is known about where they are.
//!
//! Sources, most trusted first: the browser's IANA zone, the shipping address's region, the
//! phone's country and area code, the store's zone. Outside the US the first source that
//! names a zone decides. For a US recipient the TCPA window (47 CFR 64.1200(c)(1)) binds in
//! the recipient's local time, and a browser, an address and a phone that disagree leave that
//! time unknown: every zone any of them names is kept (browser first), and
//! [`super::quiet_hours::next_opening`] finds an instant inside the window in all of them.
//!
//! The tables are Rust constants, not an included JSON file: nothing to parse or fail at run
//! time, nothing in the wasm but the strings, and tests iterate them directly. They hold
//! zone *names* only; offsets come from [`crate::time_zone`] (chrono-tz natively, a table
//! of its rules and the runtime's `Intl` under wasm), and `tests/zones.rs` checks every name on both.
//!
//! Each region lists one zone per clock in use there today, named by its principal IANA zone;
//! IANA's finer zones (America/Boise, America/Indiana/Knox, America/Kentucky/Louisville,
//! America/Menominee...) keep the same clocks today and differ only in their history, so they
//! would add nothing to a window check.
//!
//! Sources: US and Canadian zone boundaries (49 CFR part 71 for the US) as recorded in the tz
//! database's `northamerica` file (2025b, the one chrono-tz compiles in), which also notes
//! the Navajo Nation's DST, West Wendover NV on Mountain time and Lloydminster SK on Alberta
//! time; its `backward`, `australasia`, `europe` and `southamerica` files for the other
//! countries. NANP area codes: two independent public compilations of NANPA's assignments
//! (state → codes, 2023-2024), cross-checked, plus a few overlays announced since; newer
//! overlays may be missing (see [`NANP_AREA_CODES`]).

use crate::time_zone;
use serde::Serialize;
use std::fmt;
use std::sync::OnceLock;

/// What is known about where a recipient is. Every source is optional but the store's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneHints<'a> {
    /// The browser's `Intl.DateTimeFormat().resolvedOptions().timeZone`.
    pub browser: Option<&'a str>,
    /// The shipping address: an ISO 3166-2 subdivision ("US-TX", "CA-ON") or an ISO 3166-1
    /// country ("FR"). Case-insensitive.
    pub region: Option<&'a str>,
    /// The phone number in E.164 (`+12125550123`): the country code and, in the NANP, the
    /// area code.
    pub phone: Option<&'a str>,
    /// The store's own zone: the last resort.
    pub store: &'a str,
}

/// The zones a send must respect, most trusted first, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlausibleZones<'a> {
    /// Never empty; deduplicated; `zones[0]` is the most trusted (for a send-time choice).
    pub zones: Vec<&'a str>,
    /// One line per source: used (with its zones), unused, or ignored (with the reason).
    pub notes: Vec<String>,
}

/// The recipient's plausible zones (see the module documentation for the rule), with notes.
pub fn plausible<'a>(hints: &ZoneHints<'a>) -> PlausibleZones<'a> {
    let mut notes = Vec::new();
    let zones = resolve(hints, &mut Some(&mut notes));
    PlausibleZones { zones, notes }
}

/// The zones alone, as [`plausible`] finds them: every send checks them, and only a deferral
/// explains them, so the notes are not written here.
pub fn plausible_zones<'a>(hints: &ZoneHints<'a>) -> Vec<&'a str> {
    resolve(hints, &mut None)
}

/// Notes are written only when someone reads them.
type Notes<'n> = Option<&'n mut Vec<String>>;

fn note(notes: &mut Notes, text: impl FnOnce() -> String) {
    if let Some(notes) = notes {
        notes.push(text());
    }
}

fn resolve<'a>(hints: &ZoneHints<'a>, notes: &mut Notes) -> Vec<&'a str> {
    let browser = match hints.browser.map(str::trim).filter(|z| !z.is_empty()) {
        Some(zone) if time_zone::check_zone(zone).is_ok() => Some(zone),
        Some(zone) => {
            note(notes, || format!("browser {zone:?} ignored: not an IANA zone"));
            None
        }
        None => None,
    };
    let region = hints
        .region
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .and_then(|raw| match resolve_region(raw) {
            Ok(found) => Some(found),
            Err(why) => {
                note(notes, || format!("region {raw:?} ignored: {why}"));
                None
            }
        });
    let phone = hints
        .phone
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .and_then(|raw| match resolve_phone(raw) {
            Ok(found) => Some(found),
            // The number itself stays out of the note: notes end up in logs.
            Err(why) => {
                note(notes, || format!("phone ignored: {why}"));
                None
            }
        });

    let mut zones: Vec<&'a str> = Vec::new();
    let us = [&region, &phone].into_iter().flatten().any(|s| s.us);
    if us {
        note(notes, || "US recipient: every zone the browser, address and phone name is kept".into());
        if let Some(zone) = browser {
            add(&mut zones, zone);
            note(notes, || format!("browser {zone}"));
        }
        // "Somewhere in the US" only counts when nothing more precise is known.
        let precise =
            browser.is_some() || [&region, &phone].into_iter().flatten().any(|s| !s.broad);
        for source in [&region, &phone].into_iter().flatten() {
            if source.broad && precise {
                note(notes, || format!("{}: not used, a more precise source is known", source.label));
                continue;
            }
            for zone in &source.zones {
                add(&mut zones, zone);
            }
            note(notes, || source.used());
        }
    } else if let Some(zone) = browser {
        add(&mut zones, zone);
        note(notes, || format!("browser {zone}"));
        for source in [&region, &phone].into_iter().flatten() {
            note(notes, || format!("{}: not used, the browser zone is more trusted", source.label));
        }
    } else if let Some(source) = region.as_ref().or(phone.as_ref()) {
        for zone in &source.zones {
            add(&mut zones, zone);
        }
        note(notes, || source.used());
        if let (Some(_), Some(unused)) = (&region, &phone) {
            note(notes, || format!("{}: not used, the address is more trusted", unused.label));
        }
    }
    if zones.is_empty() {
        let store = hints.store.trim();
        add(&mut zones, store);
        note(notes, || format!("store {store}: nothing known about the recipient's zone"));
        if time_zone::check_zone(store).is_err() {
            note(notes, || format!("store {store:?} is not an IANA zone"));
        }
    }
    zones
}

/// A source that named some zones.
struct Found<'a> {
    /// "region US-TX", "phone +1 212 (US-NY)": for notes.
    label: Label<'a>,
    zones: Vec<&'static str>,
    /// Binds a US recipient's window (US address, or a US area code).
    us: bool,
    /// Says only "somewhere in the US" (a country-only address, an unknown area code).
    broad: bool,
}

/// What a source was, written out only for a note.
enum Label<'a> {
    Region(std::borrow::Cow<'a, str>),
    /// A subdivision the table lacks, read as its country.
    Country { country: String, subdivision: String },
    AreaCode { area: &'a str, regions: Vec<&'static str> },
    UnknownAreaCode(&'a str),
    CallingCode { calling: &'static str, country: &'static str },
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Region(code) => write!(f, "region {code}"),
            Label::Country { country, subdivision } => {
                write!(f, "region {country} (subdivision {subdivision} not in the table)")
            }
            Label::AreaCode { area, regions } => write!(f, "phone +1 {area} ({})", regions.join(", ")),
            Label::UnknownAreaCode(area) => {
                write!(f, "phone +1 {area} (area code not in the table: every US zone)")
            }
            Label::CallingCode { calling, country } => write!(f, "phone +{calling} ({country})"),
        }
    }
}

impl Found<'_> {
    fn used(&self) -> String {
        format!("{}: {}", self.label, self.zones.join(", "))
    }
}

fn add<'a>(zones: &mut Vec<&'a str>, zone: &'a str) {
    if !zones.contains(&zone) {
        zones.push(zone);
    }
}

/// The zones of an ISO 3166-2 subdivision ("US-TX") or ISO 3166-1 country ("FR"),
/// case-insensitive. An unknown subdivision ("GB-ENG") falls back to its country.
pub fn region_zones(region: &str) -> Option<Vec<&'static str>> {
    resolve_region(region).ok().map(|found| found.zones)
}

fn resolve_region(raw: &str) -> Result<Found<'_>, &'static str> {
    let raw = raw.trim();
    // Most regions arrive as written here ("US-TX"): only others are rewritten.
    let mut code = if raw.bytes().all(|b| b.is_ascii_uppercase() || b == b'-' || b.is_ascii_digit()) {
        std::borrow::Cow::Borrowed(raw)
    } else {
        std::borrow::Cow::Owned(raw.to_ascii_uppercase().replace('_', "-"))
    };
    // The US territories have ISO 3166-1 codes of their own, and 3166-2 codes under US; the
    // TCPA applies in both spellings.
    if US_TERRITORIES.contains(&code.as_ref()) {
        code = std::borrow::Cow::Owned(format!("US-{code}"));
    }
    let us = code == "US" || code.starts_with("US-");
    if let Some(zones) = subdivision_zones(&code) {
        return Ok(Found { label: Label::Region(code), zones: zones.to_vec(), us, broad: false });
    }
    let country = code.split('-').next().unwrap_or(&code);
    let zones = country_zones(country).ok_or("not in the zone table")?;
    let broad = country == "US";
    let label = if country == code {
        Label::Region(code.clone())
    } else {
        Label::Country { country: country.to_string(), subdivision: code.to_string() }
    };
    Ok(Found { label, zones: zones.to_vec(), us, broad })
}

fn resolve_phone(raw: &str) -> Result<Found<'_>, &'static str> {
    let digits = raw
        .strip_prefix('+')
        .filter(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
        .ok_or("not in E.164 form")?;
    if let Some(national) = digits.strip_prefix('1') {
        if national.len() != 10 {
            return Err("a +1 number has ten digits after the country code");
        }
        let area = &national[..3];
        let code: u16 = area.parse().map_err(|_| "unreadable area code")?;
        let regions = nanp_regions(code);
        if regions.is_empty() {
            return Ok(Found {
                label: Label::UnknownAreaCode(area),
                zones: US_ALL.to_vec(),
                us: false,
                broad: true,
            });
        }
        let mut zones: Vec<&'static str> = Vec::new();
        for region in &regions {
            let found = subdivision_zones(region).or_else(|| country_zones(region));
            for zone in found.unwrap_or(&[]) {
                if !zones.contains(zone) {
                    zones.push(zone);
                }
            }
        }
        let us = regions.iter().any(|r| r.starts_with("US-"));
        return Ok(Found { label: Label::AreaCode { area, regions }, zones, us, broad: false });
    }
    let (calling, country) = CALLING_CODES
        .iter()
        .find(|(calling, _)| digits.starts_with(calling))
        .ok_or("country code not in the table")?;
    let zones = country_zones(country).ok_or("country not in the zone table")?;
    Ok(Found {
        label: Label::CallingCode { calling, country },
        zones: zones.to_vec(),
        us: false,
        broad: false,
    })
}

/// The regions (subdivisions or countries) a NANP area code is assigned to: several for
/// codes shared by provinces (867: Yukon, Northwest Territories, Nunavut).
pub fn nanp_regions(area_code: u16) -> Vec<&'static str> {
    // The table reads by region; lookups go by code, on every SMS send: index it once.
    static BY_CODE: OnceLock<Vec<(u16, &'static str)>> = OnceLock::new();
    let index = BY_CODE.get_or_init(|| {
        let mut index: Vec<(u16, &'static str)> = NANP_AREA_CODES
            .iter()
            .flat_map(|(region, codes)| codes.iter().map(move |code| (*code, *region)))
            .collect();
        index.sort_by_key(|(code, _)| *code); // stable: regions keep the table's order
        index
    });
    let first = index.partition_point(|(code, _)| *code < area_code);
    index[first..].iter().take_while(|(code, _)| *code == area_code).map(|(_, region)| *region).collect()
}

type Table = [(&'static str, &'static [&'static str])];
type Index = OnceLock<Vec<(&'static str, &'static [&'static str])>>;

/// A subdivision's zones ("US-TX").
fn subdivision_zones(code: &str) -> Option<&'static [&'static str]> {
    static INDEX: Index = OnceLock::new();
    lookup(&INDEX, SUBDIVISIONS, code)
}

/// A country's zones ("FR").
fn country_zones(code: &str) -> Option<&'static [&'static str]> {
    static INDEX: Index = OnceLock::new();
    lookup(&INDEX, COUNTRIES, code)
}

/// The tables read in the order people maintain them; lookups, on every send, go through
/// an index sorted once (codes are unique: tests/zones.rs).
fn lookup(index: &'static Index, table: &'static Table, code: &str) -> Option<&'static [&'static str]> {
    let index = index.get_or_init(|| {
        let mut sorted = table.to_vec();
        sorted.sort_by_key(|(code, _)| *code);
        sorted
    });
    index.binary_search_by_key(&code, |(c, _)| c).ok().map(|at| index[at].1)
}

// One constant per zone name keeps the tables short and typo-proof.
const NEW_YORK: &str = "America/New_York";
const CHICAGO: &str = "America/Chicago";
const DENVER: &str = "America/Denver";
const PHOENIX: &str = "America/Phoenix";
const LOS_ANGELES: &str = "America/Los_Angeles";
const ANCHORAGE: &str = "America/Anchorage";
const ADAK: &str = "America/Adak";
const HONOLULU: &str = "Pacific/Honolulu";
const TORONTO: &str = "America/Toronto";
const WINNIPEG: &str = "America/Winnipeg";
const EDMONTON: &str = "America/Edmonton";
const VANCOUVER: &str = "America/Vancouver";
const HALIFAX: &str = "America/Halifax";

/// Every clock of the 50 states and DC (territories excluded: their addresses and area codes
/// name them).
const US_ALL: &[&str] = &[
    NEW_YORK,
    CHICAGO,
    DENVER,
    PHOENIX,
    LOS_ANGELES,
    ANCHORAGE,
    ADAK,
    HONOLULU,
];

const US_TERRITORIES: &[&str] = &["PR", "VI", "GU", "MP", "AS"];

/// ISO 3166-2 subdivision → its zones, the most populous first.
#[rustfmt::skip]
pub const SUBDIVISIONS: &[(&str, &[&str])] = &[
    ("US-AL", &[CHICAGO]),
    // Aleutians west of 169°30'W on Hawaii-Aleutian time.
    ("US-AK", &[ANCHORAGE, ADAK]),
    // Arizona has no DST; the Navajo Nation observes it (tz: "see America/Denver").
    ("US-AZ", &[PHOENIX, DENVER]),
    ("US-AR", &[CHICAGO]),
    ("US-CA", &[LOS_ANGELES]),
    ("US-CO", &[DENVER]),
    ("US-CT", &[NEW_YORK]),
    ("US-DE", &[NEW_YORK]),
    ("US-DC", &[NEW_YORK]),
    // The panhandle west of the Apalachicola River is Central.
    ("US-FL", &[NEW_YORK, CHICAGO]),
    ("US-GA", &[NEW_YORK]),
    ("US-HI", &[HONOLULU]),
    // The northern panhandle is Pacific.
    ("US-ID", &[DENVER, LOS_ANGELES]),
    ("US-IL", &[CHICAGO]),
    // Counties near Chicago and Evansville are Central.
    ("US-IN", &[NEW_YORK, CHICAGO]),
    ("US-IA", &[CHICAGO]),
    // Greeley, Hamilton, Sherman and Wallace counties are Mountain.
    ("US-KS", &[CHICAGO, DENVER]),
    // The western half is Central.
    ("US-KY", &[NEW_YORK, CHICAGO]),
    ("US-LA", &[CHICAGO]),
    ("US-ME", &[NEW_YORK]),
    ("US-MD", &[NEW_YORK]),
    ("US-MA", &[NEW_YORK]),
    // Four Upper Peninsula counties on the Wisconsin border are Central.
    ("US-MI", &[NEW_YORK, CHICAGO]),
    ("US-MN", &[CHICAGO]),
    ("US-MS", &[CHICAGO]),
    ("US-MO", &[CHICAGO]),
    ("US-MT", &[DENVER]),
    // The western panhandle is Mountain.
    ("US-NE", &[CHICAGO, DENVER]),
    // West Wendover (officially, since 1999) and Jackpot keep Mountain time.
    ("US-NV", &[LOS_ANGELES, DENVER]),
    ("US-NH", &[NEW_YORK]),
    ("US-NJ", &[NEW_YORK]),
    ("US-NM", &[DENVER]),
    ("US-NY", &[NEW_YORK]),
    ("US-NC", &[NEW_YORK]),
    // The south-west is Mountain.
    ("US-ND", &[CHICAGO, DENVER]),
    ("US-OH", &[NEW_YORK]),
    ("US-OK", &[CHICAGO]),
    // Most of Malheur County is Mountain.
    ("US-OR", &[LOS_ANGELES, DENVER]),
    ("US-PA", &[NEW_YORK]),
    ("US-RI", &[NEW_YORK]),
    ("US-SC", &[NEW_YORK]),
    // The western half is Mountain.
    ("US-SD", &[CHICAGO, DENVER]),
    // East Tennessee is Eastern.
    ("US-TN", &[CHICAGO, NEW_YORK]),
    // El Paso, Hudspeth and part of Culberson county are Mountain.
    ("US-TX", &[CHICAGO, DENVER]),
    ("US-UT", &[DENVER]),
    ("US-VT", &[NEW_YORK]),
    ("US-VA", &[NEW_YORK]),
    ("US-WA", &[LOS_ANGELES]),
    ("US-WV", &[NEW_YORK]),
    ("US-WI", &[CHICAGO]),
    ("US-WY", &[DENVER]),
    ("US-PR", &["America/Puerto_Rico"]),
    ("US-VI", &["America/St_Thomas"]),
    ("US-GU", &["Pacific/Guam"]),
    ("US-MP", &["Pacific/Saipan"]),
    ("US-AS", &["Pacific/Pago_Pago"]),
    ("CA-AB", &[EDMONTON]),
    // The East Kootenay keeps Alberta's time; the Peace River region, Fort Nelson and
    // Creston stay on MST all year.
    ("CA-BC", &[VANCOUVER, EDMONTON, "America/Dawson_Creek"]),
    ("CA-MB", &[WINNIPEG]),
    ("CA-NB", &["America/Moncton"]),
    // Most of Labrador is on Atlantic time.
    ("CA-NL", &["America/St_Johns", "America/Goose_Bay"]),
    ("CA-NS", &[HALIFAX]),
    ("CA-NT", &["America/Yellowknife"]),
    ("CA-NU", &["America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"]),
    // North-western Ontario is Central; Atikokan's EST all year matches one of the two.
    ("CA-ON", &[TORONTO, WINNIPEG]),
    ("CA-PE", &[HALIFAX]),
    // The Magdalen Islands are Atlantic; the Lower North Shore's AST all year matches one
    // of the two.
    ("CA-QC", &[TORONTO, HALIFAX]),
    // CST all year; Lloydminster keeps Alberta's time.
    ("CA-SK", &["America/Regina", EDMONTON]),
    // MST all year since 2020.
    ("CA-YT", &["America/Whitehorse"]),
    ("AU-ACT", &["Australia/Sydney"]),
    // Broken Hill keeps South Australia's time; Lord Howe Island its own.
    ("AU-NSW", &["Australia/Sydney", "Australia/Broken_Hill", "Australia/Lord_Howe"]),
    ("AU-NT", &["Australia/Darwin"]),
    ("AU-QLD", &["Australia/Brisbane"]),
    ("AU-SA", &["Australia/Adelaide"]),
    ("AU-TAS", &["Australia/Hobart"]),
    ("AU-VIC", &["Australia/Melbourne"]),
    // Eucla's unofficial +08:45 (a few hundred people) lies between Perth and Adelaide.
    ("AU-WA", &["Australia/Perth"]),
];

/// ISO 3166-1 country → its zones. A country with subdivisions above lists one zone per clock
/// of the whole country. Names are those browsers report (Europe/Amsterdam, not the tz
/// `backward` link target Europe/Brussels), so a browser zone and a table zone dedupe.
#[rustfmt::skip]
pub const COUNTRIES: &[(&str, &[&str])] = &[
    ("US", US_ALL),
    ("CA", &["America/St_Johns", HALIFAX, TORONTO, WINNIPEG, "America/Regina", EDMONTON,
             "America/Whitehorse", VANCOUVER]),
    ("AT", &["Europe/Vienna"]),
    ("BE", &["Europe/Brussels"]),
    ("BG", &["Europe/Sofia"]),
    ("HR", &["Europe/Zagreb"]),
    ("CY", &["Asia/Nicosia"]),
    ("CZ", &["Europe/Prague"]),
    ("DK", &["Europe/Copenhagen"]),
    ("EE", &["Europe/Tallinn"]),
    ("FI", &["Europe/Helsinki"]),
    // Metropolitan France; the overseas departments have country codes of their own.
    ("FR", &["Europe/Paris"]),
    ("DE", &["Europe/Berlin"]),
    ("GR", &["Europe/Athens"]),
    ("HU", &["Europe/Budapest"]),
    ("IE", &["Europe/Dublin"]),
    ("IT", &["Europe/Rome"]),
    ("LV", &["Europe/Riga"]),
    ("LT", &["Europe/Vilnius"]),
    ("LU", &["Europe/Luxembourg"]),
    ("MT", &["Europe/Malta"]),
    ("NL", &["Europe/Amsterdam"]),
    ("PL", &["Europe/Warsaw"]),
    // Madeira keeps Lisbon's clock; the Azores are an hour behind.
    ("PT", &["Europe/Lisbon", "Atlantic/Azores"]),
    ("RO", &["Europe/Bucharest"]),
    ("SK", &["Europe/Bratislava"]),
    ("SI", &["Europe/Ljubljana"]),
    // Ceuta and Melilla keep Madrid's clock; the Canaries are an hour behind.
    ("ES", &["Europe/Madrid", "Atlantic/Canary"]),
    ("SE", &["Europe/Stockholm"]),
    ("GB", &["Europe/London"]),
    ("CH", &["Europe/Zurich"]),
    ("NO", &["Europe/Oslo"]),
    ("AU", &["Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Darwin",
             "Australia/Perth", "Australia/Lord_Howe"]),
    ("NZ", &["Pacific/Auckland", "Pacific/Chatham"]),
    ("JP", &["Asia/Tokyo"]),
    ("IN", &["Asia/Kolkata"]),
    // No DST since 2019: UTC-3 (the east and south), -4 (the Amazon), -5 (Acre), -2 (islands).
    ("BR", &["America/Sao_Paulo", "America/Manaus", "America/Rio_Branco", "America/Noronha"]),
    // No DST since October 2022 except along the US border, which follows US rules.
    ("MX", &["America/Mexico_City", "America/Cancun", "America/Mazatlan", "America/Tijuana",
             "America/Matamoros", "America/Ciudad_Juarez"]),
    // NANP members outside the US and Canada: their area codes are not US recipients.
    ("AG", &["America/Antigua"]),
    ("AI", &["America/Anguilla"]),
    ("BB", &["America/Barbados"]),
    ("BM", &["Atlantic/Bermuda"]),
    ("BS", &["America/Nassau"]),
    ("DM", &["America/Dominica"]),
    ("DO", &["America/Santo_Domingo"]),
    ("GD", &["America/Grenada"]),
    ("JM", &["America/Jamaica"]),
    ("KN", &["America/St_Kitts"]),
    ("KY", &["America/Cayman"]),
    ("LC", &["America/St_Lucia"]),
    ("MS", &["America/Montserrat"]),
    ("SX", &["America/Lower_Princes"]),
    ("TC", &["America/Grand_Turk"]),
    ("TT", &["America/Port_of_Spain"]),
    ("VC", &["America/St_Vincent"]),
    ("VG", &["America/Tortola"]),
];

/// NANP area codes by subdivision or country, overlays included (the latest checked: 645
/// Miami 2023, 730 southern Illinois 2023, 283 Cincinnati 2023, 942 Toronto 2025, 257 British
/// Columbia 2025). A code missing here (new overlays appear every year) reads as "somewhere in
/// the US" and is used only when nothing else is known.
#[rustfmt::skip]
pub const NANP_AREA_CODES: &[(&str, &[u16])] = &[
    ("US-AL", &[205, 251, 256, 334, 659, 938]),
    ("US-AK", &[907]),
    ("US-AZ", &[480, 520, 602, 623, 928]),
    ("US-AR", &[327, 479, 501, 870]),
    ("US-CA", &[209, 213, 279, 310, 323, 341, 350, 408, 415, 424, 442, 510, 530, 559, 562, 619,
                626, 628, 650, 657, 661, 669, 707, 714, 738, 747, 760, 805, 818, 820, 831, 837,
                840, 858, 909, 916, 925, 949, 951]),
    ("US-CO", &[303, 719, 720, 970, 983]),
    ("US-CT", &[203, 475, 860, 959]),
    ("US-DE", &[302]),
    ("US-DC", &[202, 771]),
    ("US-FL", &[239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689, 727, 754, 772, 786,
                813, 850, 863, 904, 941, 954]),
    ("US-GA", &[229, 404, 470, 478, 678, 706, 762, 770, 912, 943]),
    ("US-HI", &[808]),
    ("US-ID", &[208, 986]),
    ("US-IL", &[217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 730, 773, 779, 815, 847, 872]),
    ("US-IN", &[219, 260, 317, 463, 574, 765, 812, 930]),
    ("US-IA", &[319, 515, 563, 641, 712]),
    ("US-KS", &[316, 620, 785, 913]),
    ("US-KY", &[270, 364, 502, 606, 859]),
    ("US-LA", &[225, 318, 337, 457, 504, 985]),
    ("US-ME", &[207]),
    ("US-MD", &[240, 301, 410, 443, 667]),
    ("US-MA", &[339, 351, 413, 508, 617, 774, 781, 857, 978]),
    ("US-MI", &[231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 906, 947, 989]),
    ("US-MN", &[218, 320, 507, 612, 651, 763, 924, 952]),
    ("US-MS", &[228, 601, 662, 769]),
    ("US-MO", &[235, 314, 417, 557, 573, 636, 660, 816]),
    ("US-MT", &[406]),
    ("US-NE", &[308, 402, 531]),
    ("US-NV", &[702, 725, 775]),
    ("US-NH", &[603]),
    ("US-NJ", &[201, 551, 609, 640, 732, 848, 856, 862, 908, 973]),
    ("US-NM", &[505, 575]),
    ("US-NY", &[212, 315, 332, 347, 363, 516, 518, 585, 607, 624, 631, 646, 680, 716, 718, 838,
                845, 914, 917, 929, 934]),
    ("US-NC", &[252, 336, 472, 704, 743, 828, 910, 919, 980, 984]),
    ("US-ND", &[701]),
    ("US-OH", &[216, 220, 234, 283, 326, 330, 380, 419, 436, 440, 513, 567, 614, 740, 937]),
    ("US-OK", &[405, 539, 572, 580, 918]),
    ("US-OR", &[458, 503, 541, 971]),
    ("US-PA", &[215, 223, 267, 272, 412, 445, 484, 570, 582, 610, 717, 724, 814, 835, 878]),
    ("US-RI", &[401]),
    ("US-SC", &[803, 821, 839, 843, 854, 864]),
    ("US-SD", &[605]),
    ("US-TN", &[423, 615, 629, 729, 731, 865, 901, 931]),
    ("US-TX", &[210, 214, 254, 281, 325, 346, 361, 409, 430, 432, 469, 512, 621, 682, 713, 726,
                737, 806, 817, 830, 832, 903, 915, 936, 940, 945, 956, 972, 979]),
    ("US-UT", &[385, 435, 801]),
    ("US-VT", &[802]),
    ("US-VA", &[276, 434, 540, 571, 686, 703, 757, 804, 826, 948]),
    ("US-WA", &[206, 253, 360, 425, 509, 564]),
    ("US-WV", &[304, 681]),
    ("US-WI", &[262, 414, 534, 608, 715, 920]),
    ("US-WY", &[307]),
    ("US-PR", &[787, 939]),
    ("US-VI", &[340]),
    ("US-GU", &[671]),
    ("US-MP", &[670]),
    ("US-AS", &[684]),
    ("CA-AB", &[368, 403, 587, 780, 825]),
    ("CA-BC", &[236, 250, 257, 604, 672, 778]),
    ("CA-MB", &[204, 431, 584]),
    ("CA-NB", &[428, 506]),
    ("CA-NL", &[709, 879]),
    // Nova Scotia and Prince Edward Island share theirs, as the three territories share 867.
    ("CA-NS", &[782, 902]),
    ("CA-PE", &[782, 902]),
    ("CA-ON", &[226, 249, 289, 343, 365, 382, 416, 437, 519, 548, 613, 647, 683, 705, 742, 753,
                807, 905, 942]),
    ("CA-QC", &[263, 354, 367, 418, 438, 450, 468, 514, 579, 581, 819, 873]),
    ("CA-SK", &[306, 474, 639]),
    ("CA-NT", &[867]),
    ("CA-NU", &[867]),
    ("CA-YT", &[867]),
    ("AG", &[268]),
    ("AI", &[264]),
    ("BB", &[246]),
    ("BM", &[441]),
    ("BS", &[242]),
    ("DM", &[767]),
    ("DO", &[809, 829, 849]),
    ("GD", &[473]),
    ("JM", &[658, 876]),
    ("KN", &[869]),
    ("KY", &[345]),
    ("LC", &[758]),
    ("MS", &[664]),
    ("SX", &[721]),
    ("TC", &[649]),
    ("TT", &[868]),
    ("VC", &[784]),
    ("VG", &[284]),
];

/// ITU country calling codes (E.164) of the countries above, outside the NANP. Calling codes
/// are prefix-free, so the first match is the only one.
#[rustfmt::skip]
pub const CALLING_CODES: &[(&str, &str)] = &[
    ("30", "GR"), ("31", "NL"), ("32", "BE"), ("33", "FR"), ("34", "ES"), ("36", "HU"),
    ("39", "IT"), ("40", "RO"), ("41", "CH"), ("43", "AT"), ("44", "GB"), ("45", "DK"),
    ("46", "SE"), ("47", "NO"), ("48", "PL"), ("49", "DE"), ("52", "MX"), ("55", "BR"),
    ("61", "AU"), ("64", "NZ"), ("81", "JP"), ("91", "IN"),
    ("351", "PT"), ("352", "LU"), ("353", "IE"), ("356", "MT"), ("357", "CY"), ("358", "FI"),
    ("359", "BG"), ("370", "LT"), ("371", "LV"), ("372", "EE"), ("385", "HR"), ("386", "SI"),
    ("420", "CZ"), ("421", "SK"),
];

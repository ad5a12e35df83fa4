//! The compiled-in zone table (`src/time_zone/table.rs`) against the tz database.
//!
//! Natively: every zone name chrono-tz knows is either listed with a rule that gives
//! chrono-tz's offset at every instant from the rule's `since` to 2100 (each day, and each
//! side of every change either one makes), or left to `Intl`; and the committed
//! `table_data.rs` is what the generator below writes from today's chrono-tz. Regenerate with
//! `REKINDLE_WRITE_TZ_TABLE=1 cargo test --test time_zone_table`.
//!
//! Under wasm (wasm-bindgen-test, in Node): the table gives the runtime's `Intl` offset for
//! every listed zone over a range of instants.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
    use chrono_tz::{Tz, TZ_VARIANTS};
    use rekindle::time_zone::table::{self, Change, Rule};
    use std::collections::BTreeMap;

    const DAY: i64 = 86_400;

    fn jan1(year: i32) -> i64 {
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
    }

    fn offset(tz: Tz, t: i64) -> i32 {
        let at = DateTime::<Utc>::from_timestamp(t, 0).unwrap().naive_utc();
        tz.offset_from_utc_datetime(&at).fix().local_minus_utc()
    }

    /// (instant, offset before, offset after) of every change of offset in [from, until): a
    /// day's step finds it, bisection the second (no zone changes twice within a day).
    fn transitions(tz: Tz, from: i64, until: i64) -> Vec<(i64, i32, i32)> {
        let mut found = Vec::new();
        let mut t = from;
        let mut now = offset(tz, t);
        while t < until {
            let next = offset(tz, t + DAY);
            if next != now {
                let (mut lo, mut hi) = (t, t + DAY);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(tz, mid) == now { lo = mid } else { hi = mid }
                }
                found.push((hi, now, next));
                now = next;
            }
            t += DAY;
        }
        found
    }

    /// The rule written as tzdata would write it that could have made this change.
    fn candidates(t: i64, before: i32, to: i32) -> Vec<Change> {
        let minutes = |s: i64| i16::try_from(s / 60).ok().filter(|_| s % 60 == 0).expect("whole minutes");
        let to = minutes(to as i64);
        let local = t + before as i64;
        let (days, secs) = (local.div_euclid(DAY), local.rem_euclid(DAY));
        let mut out = Vec::new();
        for shift in [0i64, -1, 1] {
            let d = DateTime::<Utc>::from_timestamp((days + shift) * DAY, 0).unwrap().date_naive();
            let at = minutes(secs - shift * DAY);
            for day in (d.day().saturating_sub(6).max(1))..=d.day() {
                let weekday = d.weekday().num_days_from_monday() as u8;
                out.push(Change { month: d.month() as u8, day: day as u8, weekday, at, to });
            }
        }
        out
    }

    /// Whether `rule` gives chrono-tz's offsets throughout `year`.
    fn agrees_in(tz: Tz, rule: &Rule, year: i32) -> bool {
        let (from, until) = (jan1(year), jan1(year + 1));
        let mut probes: Vec<i64> = (0..).map(|d| from + d * DAY).take_while(|t| *t < until).collect();
        for (t, _, _) in transitions(tz, from, until) {
            probes.extend([t - 1, t]);
        }
        if let Some(changes) = rule.changes {
            for (change, before) in [(changes[0], changes[1].to), (changes[1], changes[0].to)] {
                let t = change.instant(year, before).unwrap();
                probes.extend([t - 1, t]);
            }
        }
        probes.iter().all(|&t| t < rule.start() || rule.offset_at(t) == Some(offset(tz, t)))
    }

    /// A zone's rule as of 2060–2099, held from the earliest year since 2000 it holds in, or
    /// None for a zone no such rule describes (Morocco's Ramadan changes): `Intl` keeps those.
    pub(crate) fn derive(tz: Tz) -> Option<Rule> {
        let late = transitions(tz, jan1(2060), jan1(2100));
        let mut rule = if late.is_empty() {
            let fixed = offset(tz, jan1(2099));
            assert_eq!(fixed % 60, 0, "{tz}: whole minutes");
            Rule { since: 0, offset: (fixed / 60) as i16, changes: None }
        } else {
            let last: Vec<_> = late.iter().filter(|(t, _, _)| *t >= jan1(2099)).collect();
            if last.len() != 2 || late.len() != 80 {
                return None;
            }
            let mut pair = [None, None];
            for (i, &&(t, before, to)) in last.iter().enumerate() {
                pair[i] = candidates(t, before, to).into_iter().find(|c| {
                    (2060..2100).all(|y| late.iter().any(|&(t2, b2, to2)| to2 == to && c.instant(y, (b2 / 60) as i16) == Some(t2)))
                });
            }
            Rule { since: 0, offset: 0, changes: Some([pair[0]?, pair[1]?]) }
        };
        let mut year = 2099;
        while year >= 2000 && agrees_in(tz, &Rule { since: 0, ..rule }, year) {
            year -= 1;
        }
        if year == 2099 {
            return None;
        }
        rule.since = (year + 1 - 2000) as u8;
        Some(rule)
    }

    pub(crate) fn generate() -> String {
        let mut names: Vec<(&str, Rule)> = TZ_VARIANTS.iter().filter_map(|tz| Some((tz.name(), derive(*tz)?))).collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        let mut rules: Vec<Rule> = Vec::new();
        let mut rule_of = Vec::new();
        for (_, rule) in &names {
            let i = rules.iter().position(|r| r == rule).unwrap_or_else(|| {
                rules.push(*rule);
                rules.len() - 1
            });
            rule_of.push(u8::try_from(i).expect("fewer than 256 distinct rules"));
        }
        let mut out = String::from(
            "// @generated by tests/time_zone_table.rs from chrono-tz's compiled IANA tz database\n\
             // (the tz database is in the public domain); do not edit. Regenerate with\n\
             // `REKINDLE_WRITE_TZ_TABLE=1 cargo test --test time_zone_table`.\n\n\
             use super::{Change, Rule};\n\n",
        );
        out += "/// Every listed name, sorted, one a line.\n#[rustfmt::skip]\npub(super) const NAMES: &str = \"\\\n";
        let all: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
        assert!(all.join("\n").len() < 65_536, "start offsets fit a u16");
        out += all.iter().map(|name| format!("{name}\\n\\\n")).collect::<String>().trim_end_matches("\\n\\\n");
        out += "\";\n\n/// Each name's rule, an index into RULES.\n#[rustfmt::skip]\npub(super) const RULE_OF: &[u8] = &[";
        out += &rule_of.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",");
        out += "];\n\n#[rustfmt::skip]\npub(super) const RULES: &[Rule] = &[\n";
        let change = |c: &Change| format!("Change {{ month: {}, day: {}, weekday: {}, at: {}, to: {} }}", c.month, c.day, c.weekday, c.at, c.to);
        for r in &rules {
            let changes = match &r.changes {
                None => "None".to_string(),
                Some([a, b]) => format!("Some([{}, {}])", change(a), change(b)),
            };
            out += &format!("    Rule {{ since: {}, offset: {}, changes: {changes} }},\n", r.since, r.offset);
        }
        out += "];\n";
        out
    }

    #[test]
    fn the_committed_table_is_what_the_tz_database_gives_today() {
        let generated = generate();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/time_zone/table_data.rs");
        if std::env::var_os("REKINDLE_WRITE_TZ_TABLE").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        assert!(
            generated == std::fs::read_to_string(path).unwrap(),
            "src/time_zone/table_data.rs is stale: REKINDLE_WRITE_TZ_TABLE=1 cargo test --test time_zone_table"
        );
    }

    #[test]
    fn every_listed_zone_gives_chrono_tz_offsets_from_its_rule_start_to_2100() {
        for name in table::names() {
            let tz: Tz = name.parse().unwrap_or_else(|_| panic!("{name} is not a chrono-tz zone"));
            let rule = table::rule(name).unwrap();
            let first = 2000 + rule.since as i32;
            assert!(first <= 2026, "{name}: its rule only holds from {first}");
            for year in first..2100 {
                assert!(agrees_in(tz, rule, year), "{name} disagrees with chrono-tz in {year}");
            }
            assert_eq!(table::offset_seconds(name, DateTime::<Utc>::from_timestamp(rule.start() - 1, 0).unwrap()), None);
        }
    }

    #[test]
    fn every_zone_but_a_few_is_listed_and_unlisted_names_are_not_guessed() {
        let listed: BTreeMap<&str, ()> = table::names().map(|n| (n, ())).collect();
        let missing: Vec<&str> = TZ_VARIANTS.iter().map(|tz| tz.name()).filter(|n| !listed.contains_key(n)).collect();
        // Morocco's clocks follow Ramadan: no yearly rule, so Intl answers for it.
        assert!(missing.len() <= 4, "not listed: {missing:?}");
        assert_eq!(listed.len() + missing.len(), TZ_VARIANTS.len());
        for name in ["Mars/Olympus_Mons", "", "america/new_york", "America/New York", "Europe/Pari"] {
            assert!(table::rule(name).is_none(), "{name:?}");
        }
    }
}

/// Under wasm: the table and the runtime's Intl give the same offset for every listed zone,
/// every third day at a varying hour from 2024 to 2040 and on each side of every change in between.
#[cfg(target_arch = "wasm32")]
mod against_intl {
    use chrono::{DateTime, NaiveDate, Utc};
    use rekindle::time_zone::{intl_offset_seconds, table};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_listed_zone_agrees_with_intl_from_2024_to_2040() {
        let jan1 = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        let mut checked = 0;
        for name in table::names() {
            let rule = table::rule(name).unwrap();
            let mut probes: Vec<i64> = (0..16 * 365 / 3).map(|d| jan1(2024) + d * 3 * 86_400 + (d % 24) * 3_600).collect();
            if let Some([a, b]) = rule.changes {
                for y in 2024..2040 {
                    for t in [a.instant(y, b.to).unwrap(), b.instant(y, a.to).unwrap()] {
                        probes.extend([t - 1, t]);
                    }
                }
            }
            for t in probes.into_iter().filter(|t| *t >= rule.start()) {
                let at = DateTime::<Utc>::from_timestamp(t, 0).unwrap();
                assert_eq!(table::offset_seconds(name, at), intl_offset_seconds(name, at), "{name} at {at}");
                checked += 1;
            }
        }
        assert!(checked > 500_000, "{checked}");
    }
}

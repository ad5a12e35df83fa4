//! Offsets from the host's `Intl.DateTimeFormat`. This file and `wasm.rs` are the only ones
//! that touch JS: the engine asks the runtime for what the runtime already has.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

/// One zone as the runtime knows it: its formatter (None if the zone is unknown) and the
/// offsets already read, by UTC hour.
struct Zone {
    format: Option<js_sys::Intl::DateTimeFormat>,
    hours: HashMap<i64, i32>,
}

thread_local! {
    // Constructing a DateTimeFormat costs ~50 µs and each formatToParts ~2 µs, while a
    // store meets a handful of zones and its decisions cluster in time: both are kept.
    static ZONES: RefCell<HashMap<String, Zone>> = RefCell::new(HashMap::new());
}

/// Hours remembered per zone before the oldest are forgotten (a year is 8,760).
const HOURS_KEPT: usize = 4_096;

pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Option<i32> {
    ZONES.with(|zones| {
        let mut zones = zones.borrow_mut();
        if !zones.contains_key(zone) {
            let format = build(zone);
            zones.insert(zone.to_string(), Zone { format, hours: HashMap::new() });
        }
        let entry = zones.get_mut(zone)?;
        let format = entry.format.as_ref()?;
        let hour = at.timestamp().div_euclid(3600);
        if let Some(offset) = entry.hours.get(&hour) {
            return Some(*offset);
        }
        // No zone changes its offset twice within an hour, so one offset at both ends of
        // the hour holds for all of it. An hour with a transition is never cached.
        let start = DateTime::<Utc>::from_timestamp(hour * 3600, 0)?;
        let first = read(format, start)?;
        if first != read(format, start + chrono::Duration::seconds(3599))? {
            return read(format, at);
        }
        if entry.hours.len() >= HOURS_KEPT {
            entry.hours.clear();
        }
        entry.hours.insert(hour, first);
        Some(first)
    })
}

fn build(zone: &str) -> Option<js_sys::Intl::DateTimeFormat> {
    let options = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&options, &k.into(), &v.into()).ok();
    set("timeZone", zone)?;
    set("hourCycle", "h23")?;
    for field in ["year", "month", "day", "hour", "minute", "second"] {
        set(field, "numeric")?;
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // Reflect.construct catches the RangeError an unknown zone throws.
    let args = Array::of2(&"en-US".into(), &options);
    Reflect::construct(&ctor, &args).ok()?.dyn_into().ok()
}

/// The offset as `format` reads the instant: the wall time it shows minus UTC.
fn read(format: &js_sys::Intl::DateTimeFormat, at: DateTime<Utc>) -> Option<i32> {
    let millis = at.timestamp_millis() as f64;
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    let parts = format.format_to_parts(&date);
    let mut fields = [0i64; 6];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let index = match kind.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            "second" => 5,
            _ => continue,
        };
        fields[index] = Reflect::get(&part, &"value".into())
            .ok()?
            .as_string()?
            .parse()
            .ok()?;
    }
    let local = NaiveDate::from_ymd_opt(fields[0] as i32, fields[1] as u32, fields[2] as u32)?
        .and_hms_opt(fields[3] as u32, fields[4] as u32, fields[5] as u32)?;
    // Intl drops sub-second precision: compare against the instant truncated to seconds.
    Some((local.and_utc().timestamp() - at.timestamp()) as i32)
}

//! Offsets from the host's `Intl.DateTimeFormat`. This file and `wasm.rs` are the only ones
//! that touch JS: the engine asks the runtime for what the runtime already has.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    // Constructing a DateTimeFormat costs ~50 µs; a store meets a handful of zones.
    static FORMATTERS: RefCell<HashMap<String, Option<js_sys::Intl::DateTimeFormat>>> = RefCell::new(HashMap::new());
}

fn formatter(zone: &str) -> Option<js_sys::Intl::DateTimeFormat> {
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(zone.to_string())
            .or_insert_with(|| build(zone))
            .clone()
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

pub fn offset_seconds(zone: &str, at: DateTime<Utc>) -> Option<i32> {
    let format = formatter(zone)?;
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

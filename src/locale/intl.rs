//! The runtime's `Intl.NumberFormat` and `Intl.PluralRules`: the wasm backend. Formatters are
//! kept per locale and currency: constructing one costs far more than using it.

use super::Plural;
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static FORMATS: RefCell<HashMap<String, Option<Function>>> = RefCell::new(HashMap::new());
    static RULES: RefCell<HashMap<String, Option<js_sys::Intl::PluralRules>>> = RefCell::new(HashMap::new());
}

/// A constructor of the global `Intl`, called through Reflect.construct so that the RangeError
/// an unknown locale or currency throws is a None, never a trap.
fn construct(name: &str, locale: &str, options: &Object) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()?;
    Reflect::construct(&ctor, &Array::of2(&locale.into(), options)).ok()
}

/// The bound `format` of an `Intl.NumberFormat` for `locale` (and `currency`, if any).
fn format_fn(locale: &str, currency: Option<&str>) -> Option<Function> {
    let key = format!("{locale}|{}", currency.unwrap_or(""));
    FORMATS.with(|formats| {
        formats
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let options = Object::new();
                if let Some(code) = currency {
                    Reflect::set(&options, &"style".into(), &"currency".into()).ok()?;
                    Reflect::set(&options, &"currency".into(), &code.into()).ok()?;
                } else {
                    Reflect::set(&options, &"maximumFractionDigits".into(), &0.into()).ok()?;
                }
                let format = construct("NumberFormat", locale, &options)?;
                Reflect::get(&format, &"format".into()).ok()?.dyn_into().ok()
            })
            .clone()
    })
}

pub fn money(locale: &str, minor: i64, currency: &str, digits: u32) -> Option<String> {
    let format = format_fn(locale, Some(currency))?;
    let amount = minor as f64 / 10f64.powi(digits as i32);
    format.call1(&JsValue::UNDEFINED, &JsValue::from_f64(amount)).ok()?.as_string()
}

pub fn number(locale: &str, n: i64) -> Option<String> {
    let format = format_fn(locale, None)?;
    format.call1(&JsValue::UNDEFINED, &JsValue::from_f64(n as f64)).ok()?.as_string()
}

pub fn plural(locale: &str, n: i64) -> Option<Plural> {
    RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        let rule = rules
            .entry(locale.to_string())
            .or_insert_with(|| construct("PluralRules", locale, &Object::new())?.dyn_into().ok());
        let category = rule.as_ref()?.select(n as f64).as_string()?;
        Plural::from_name(&category)
    })
}

//! A small checked reader over a parsed JSON tree: what the page hands the storefront, and
//! the server's inputs (engine events, Shopify webhooks, the stored state).
//!
//! Why not derived `Deserialize` structs: each one compiles its own copy of serde_json's
//! reading code into the wasm (BENCHMARKS.md, 2026-12-03, issue 20: ~134 KB of the storefront's
//! ~300 KB of code, ~150 KB of the server's, were those copies). The JSON is parsed once into a
//! `serde_json::Value`, whose one deserializer both builds carry anyway, and read field by
//! field here. Unlike `storefront::pixel_event::At`, which never fails, this reader keeps the
//! contract strict: a wrong type, a missing required field or an unknown field is a typed
//! `INVALID_FIELD` error with the field's JSON path. `null` reads as absent, as serde's
//! `Option` fields did.

use crate::error::{Code, Error, Result};
#[cfg(feature = "server")]
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// One JSON object being read, and where it sits in the input.
pub(crate) struct Object<'a> {
    fields: &'a Map<String, Value>,
    path: String,
    /// Where a missing required field is reported: at its own path (the storefront's
    /// contract), or at its object's, as serde's derived deserializers did (the server's:
    /// tests/server/bad-input.test.mjs pins `$` for a checkout without `line_items`).
    missing_at_container: bool,
}

/// The error for the value at `path`: what was expected there.
pub(crate) fn invalid(path: &str, expected: &str) -> Error {
    Error::new(Code::InvalidField, path, format!("expected {expected}"))
}

/// Parse JSON text (located `MALFORMED_JSON` errors) and read its root object with `read`.
/// (The storefront parses with its own `storefront::json`; kept for the server's inputs.)
#[allow(dead_code)]
pub(crate) fn from_text<T>(text: &str, read: impl FnOnce(Object) -> Result<T>) -> Result<T> {
    let tree: Value = crate::error::parse_json(text)?;
    read(Object::new(&tree, "$".to_string())?)
}

impl<'a> Object<'a> {
    /// `value` read as an object; `path` is where it sits (`$`, `$[0][1].cart`).
    pub(crate) fn new(value: &'a Value, path: String) -> Result<Object<'a>> {
        match value {
            Value::Object(fields) => Ok(Object { fields, path, missing_at_container: false }),
            _ => Err(invalid(&path, "an object")),
        }
    }

    /// An object inside this one, at `path`, read the way this one is.
    pub(crate) fn child(&self, value: &'a Value, path: String) -> Result<Object<'a>> {
        let child = Object::new(value, path)?;
        Ok(Object { missing_at_container: self.missing_at_container, ..child })
    }

    /// Refuse any field not in `known` (a typo in a merchant's `track()` call is an error,
    /// not a silently ignored field).
    pub(crate) fn only(self, known: &[&str]) -> Result<Object<'a>> {
        self.only_these(known, &[])?;
        Ok(self)
    }

    /// Refuse any field in neither `known` nor `also` (an event's payload fields, and its
    /// envelope's).
    pub(crate) fn only_these(&self, known: &[&str], also: &[&str]) -> Result<()> {
        let unknown = |key: &&String| !known.contains(&key.as_str()) && !also.contains(&key.as_str());
        match self.fields.keys().find(unknown) {
            Some(key) => Err(Error::new(
                Code::InvalidField,
                self.path_of(key),
                format!("unknown field `{key}`"),
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn path_of(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The field's value, `None` when it is missing or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|value| !value.is_null())
    }

    /// The field converted by `as_type`, or an error naming `expected` when it does not convert.
    pub(crate) fn read<T>(&self, key: &str, expected: &str, as_type: impl Fn(&'a Value) -> Option<T>) -> Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => as_type(value).map(Some).ok_or_else(|| invalid(&self.path_of(key), expected)),
        }
    }

    /// The field's names, in the input's order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &'a str> {
        self.fields.keys().map(String::as_str)
    }

    /// `value` read from `key`, or the error that `key` is missing.
    pub(crate) fn require<T>(&self, key: &str, value: Option<T>) -> Result<T> {
        value.ok_or_else(|| {
            let path = if self.missing_at_container { self.path.clone() } else { self.path_of(key) };
            Error::new(Code::InvalidField, path, format!("missing field `{key}`"))
        })
    }

    pub(crate) fn text(&self, key: &str) -> Result<Option<String>> {
        self.read(key, "a string", |v| v.as_str().map(str::to_string))
    }

    pub(crate) fn required_text(&self, key: &str) -> Result<String> {
        let text = self.text(key)?;
        self.require(key, text)
    }

    pub(crate) fn flag(&self, key: &str) -> Result<Option<bool>> {
        self.read(key, "a boolean", Value::as_bool)
    }

    pub(crate) fn required_flag(&self, key: &str) -> Result<bool> {
        let flag = self.flag(key)?;
        self.require(key, flag)
    }

    /// A whole number from 0 to 2³²−1.
    pub(crate) fn count(&self, key: &str) -> Result<Option<u32>> {
        self.read(key, "a whole number from 0 to 4294967295", |v| {
            v.as_u64().and_then(|n| u32::try_from(n).ok())
        })
    }

    pub(crate) fn whole(&self, key: &str) -> Result<Option<i64>> {
        self.read(key, "a whole number", Value::as_i64)
    }

    pub(crate) fn number(&self, key: &str) -> Result<Option<f64>> {
        self.read(key, "a number", Value::as_f64)
    }

    /// One of the names in `names`, as its index.
    pub(crate) fn choice(&self, key: &str, names: &[&str]) -> Result<Option<usize>> {
        self.read(key, &format!("one of {names:?}"), |v| {
            v.as_str().and_then(|text| names.iter().position(|name| *name == text))
        })
    }

    pub(crate) fn object(&self, key: &str) -> Result<Option<Object<'a>>> {
        self.get(key).map(|value| self.child(value, self.path_of(key))).transpose()
    }

    pub(crate) fn required_object(&self, key: &str) -> Result<Object<'a>> {
        let object = self.object(key)?;
        self.require(key, object)
    }

    /// The elements of an array field with their paths (none when the field is missing).
    pub(crate) fn items(&self, key: &str) -> Result<Option<Vec<(String, &'a Value)>>> {
        let path = self.path_of(key);
        self.read(key, "an array", |v| {
            v.as_array().map(|items| {
                items.iter().enumerate().map(|(i, item)| (format!("{path}[{i}]"), item)).collect()
            })
        })
    }
}

/// What only the server's inputs need (engine events): unused by the storefront build.
#[cfg(feature = "server")]
impl<'a> Object<'a> {
    /// Report missing required fields here and in every object read from this one at the
    /// object's path, as serde did, rather than at the field's.
    pub(crate) fn missing_at_container(mut self) -> Object<'a> {
        self.missing_at_container = true;
        self
    }

    /// Where this object sits in the input.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// One of the names in `names`, as the value it names (a unit enum's serde names).
    pub(crate) fn one_of<T: Copy>(&self, key: &str, names: &[(&str, T)]) -> Result<Option<T>> {
        let Some(value) = self.get(key) else { return Ok(None) };
        let named = value.as_str().and_then(|text| names.iter().find(|(name, _)| *name == text));
        match named {
            Some((_, choice)) => Ok(Some(*choice)),
            None => {
                let names: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
                Err(invalid(&self.path_of(key), &format!("one of {names:?}")))
            }
        }
    }

    pub(crate) fn required_one_of<T: Copy>(&self, key: &str, names: &[(&str, T)]) -> Result<T> {
        let choice = self.one_of(key, names)?;
        self.require(key, choice)
    }

    pub(crate) fn required_whole(&self, key: &str) -> Result<i64> {
        let whole = self.whole(key)?;
        self.require(key, whole)
    }

    /// A time as RFC 3339 text, read as chrono's `Deserialize` reads it (`FromStr`).
    pub(crate) fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        self.read(key, "an RFC 3339 time", |v| v.as_str().and_then(|text| text.parse().ok()))
    }

    /// A time stored as epoch milliseconds, read as chrono's `ts_milliseconds` reads it.
    pub(crate) fn millis(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        self.read(key, "a time in epoch milliseconds", |v| v.as_i64().and_then(DateTime::from_timestamp_millis))
    }

    pub(crate) fn required_millis(&self, key: &str) -> Result<DateTime<Utc>> {
        let at = self.millis(key)?;
        self.require(key, at)
    }

    /// A whole number from 0 to 255.
    pub(crate) fn small(&self, key: &str) -> Result<Option<u8>> {
        self.read(key, "a whole number from 0 to 255", |v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
    }

    /// An array of names, each one of `names` (none when the field is missing).
    pub(crate) fn each_one_of<T: Copy>(&self, key: &str, names: &[(&str, T)]) -> Result<Option<Vec<T>>> {
        self.items(key)?
            .map(|items| {
                let each = |(path, item): (String, &Value)| {
                    let named = item.as_str().and_then(|text| names.iter().find(|(name, _)| *name == text));
                    named.map(|(_, choice)| *choice).ok_or_else(|| {
                        let names: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
                        invalid(&path, &format!("one of {names:?}"))
                    })
                };
                items.into_iter().map(each).collect()
            })
            .transpose()
    }

    /// The field read by `read` as an object, or `T::default()` when it is missing or `null`.
    pub(crate) fn object_or_default<T: Default>(&self, key: &str, read: impl FnOnce(Object<'a>) -> Result<T>) -> Result<T> {
        self.object(key)?.map_or_else(|| Ok(T::default()), read)
    }

    /// Each element of an array field read as an object by `read` (none when it is missing).
    pub(crate) fn objects<T>(&self, key: &str, read: impl Fn(Object<'a>) -> Result<T>) -> Result<Option<Vec<T>>> {
        self.items(key)?
            .map(|items| items.into_iter().map(|(path, item)| read(self.child(item, path)?)).collect())
            .transpose()
    }
}

//! Shopify's Web Pixel standard events, in the shape the pixel's `analytics.subscribe` hands
//! them over. A page observation carries one as it came (`Observation::Shopify`); `web_pixel`
//! maps it. Shapes from Shopify's Web Pixels API reference (standard events, `Checkout`,
//! `CartLine`, `MoneyV2`, `AlertDisplayed`). Everything is optional and unknown fields are
//! ignored: the pixel API grows fields often, and a missing one must not lose the rest.
//!
//! Read from the event's JSON tree with the accessors below, not through a derived struct per
//! shape: the seventeen derived deserializers were ~12 KB of the gzipped storefront wasm that
//! every page downloads (BENCHMARKS.md, 2026-12-03, issue 20), and `web_pixel` reads a few
//! fields of each. A field of the wrong type reads as absent, as a missing one does.

use crate::common::money::ShownPrice;
use serde::Deserialize;
use serde_json::Value;

/// A standard event as the pixel's `analytics.subscribe` hands it over.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct PixelEvent(Value);

impl From<Value> for PixelEvent {
    fn from(event: Value) -> PixelEvent {
        PixelEvent(event)
    }
}

impl PixelEvent {
    /// The event's root, to read fields from.
    pub(super) fn root(&self) -> At<'_> {
        At(Some(&self.0))
    }
}

/// A place in the event that may hold nothing: reading through it never fails.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a>(Option<&'a Value>);

impl<'a> At<'a> {
    /// The field `key` of this object (nothing if this is not an object or has no such key).
    pub(super) fn at(self, key: &str) -> At<'a> {
        At(self.0.and_then(|v| v.get(key)).filter(|v| !v.is_null()))
    }

    pub(super) fn exists(self) -> bool {
        self.0.is_some()
    }

    pub(super) fn text(self) -> Option<String> {
        self.0.and_then(Value::as_str).map(str::to_string)
    }

    pub(super) fn number(self) -> Option<f64> {
        self.0.and_then(Value::as_f64)
    }

    pub(super) fn flag(self) -> Option<bool> {
        self.0.and_then(Value::as_bool)
    }

    /// The elements of this array (none if it is not one).
    pub(super) fn items(self) -> impl Iterator<Item = At<'a>> {
        self.0.and_then(Value::as_array).into_iter().flatten().map(|v| At(Some(v)))
    }

    /// A `MoneyV2.amount`: a number, or a decimal string.
    pub(super) fn price(self) -> Option<ShownPrice> {
        match self.0? {
            Value::Number(n) => n.as_f64().map(ShownPrice::Amount),
            Value::String(text) => Some(ShownPrice::Text(text.clone())),
            _ => None,
        }
    }
}

//! Money in minor units (cents) with its ISO 4217 currency: no floats anywhere near prices.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Money {
            minor,
            currency: currency.into(),
        }
    }

    /// "$84.00"-style text for messages. Two decimals covers USD/EUR/GBP/CAD/AUD; zero-decimal
    /// currencies (JPY, KRW) are printed without a fraction.
    pub fn display(&self) -> String {
        let symbol = match self.currency.as_str() {
            "USD" | "CAD" | "AUD" | "NZD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            _ => "",
        };
        let zero_decimal = matches!(
            self.currency.as_str(),
            "JPY" | "KRW" | "VND" | "CLP" | "ISK"
        );
        let body = if zero_decimal {
            self.minor.to_string()
        } else {
            format!("{}.{:02}", self.minor / 100, (self.minor % 100).abs())
        };
        if symbol.is_empty() {
            format!("{body} {}", self.currency)
        } else {
            format!("{symbol}{body}")
        }
    }
}

/// A cost that may not be known yet: shipping and tax are often unknown until checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "state", content = "minor")]
pub enum Known {
    #[default]
    Unknown,
    Known(i64),
}

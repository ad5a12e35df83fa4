//! Replay from Shopify's own exports: the abandoned checkouts export and the orders export,
//! as the Shopify admin writes them (CSV, one row per line item, the checkout's or order's own
//! fields on its first row; columns named as Shopify names them). Each file becomes the
//! engine events the handler would have received, and `replay::run` takes it from there.
//!
//! What an export can and cannot say is in docs/simulation.md ("Replay from Shopify's
//! exports"): no SMS consent, no delivery or engagement, no checkout token on orders (they
//! match by the shopper's address within the attribution window), the checkout's creation
//! time standing in for the abandonment.

use super::replay::{run, Replay};
use crate::common::ids;
use crate::error::{Code, Error, Result};
use crate::model::event::Event;
use crate::policy::Policy;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

/// What the exports leave to the merchant to assume.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assumptions {
    /// Treat every shopper with a phone as having confirmed SMS consent. Exports carry only
    /// email marketing consent (`Accepts Marketing`), so without this SMS steps are skipped.
    pub sms_consent: bool,
    /// What a free-shipping offer costs the merchant, minor units.
    pub shipping_cost_minor: i64,
}

/// Replay `policy` over an abandoned checkouts export and an orders export (either may be
/// empty). Bad rows are typed errors naming the file, line and column.
pub fn replay_exports(policy: &Policy, checkouts_csv: &str, orders_csv: &str, assume: &Assumptions) -> Result<Replay> {
    let mut contacts: BTreeMap<String, Vec<(DateTime<Utc>, Event)>> = BTreeMap::new();
    let mut out = Replay { policy: policy.version.clone(), ..Replay::default() };
    for record in records("checkouts", checkouts_csv, &["Id", "Email", "Currency", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price"])? {
        let (contact, at, event) = checkout(&record, assume)?;
        out.events += 1;
        contacts.entry(contact).or_default().push((at, event));
    }
    for record in records("orders", orders_csv, &["Name", "Email", "Currency", "Total", "Created at"])? {
        let Some((contact, at, event)) = order(&record)? else { continue };
        out.events += 1;
        contacts.entry(contact).or_default().push((at, event));
    }
    Ok(run(policy, contacts, out, assume.shipping_cost_minor))
}

/// One checkout or order: its first row's fields and every row's line item.
struct Record {
    file: &'static str,
    line: u64,
    fields: BTreeMap<String, String>,
    items: Vec<(String, String, String, u64)>,
}

impl Record {
    fn get(&self, column: &str) -> Option<&str> {
        self.fields.get(column).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn need(&self, column: &str) -> Result<&str> {
        self.get(column).ok_or_else(|| self.error(column, "is empty"))
    }

    fn error(&self, column: &str, message: &str) -> Error {
        Error::new(Code::InvalidField, format!("{} line {}: {column}", self.file, self.line), message.to_string())
    }
}

/// Rows grouped into records by their first column (`Id` for checkouts, `Name` for orders):
/// Shopify repeats it on every line-item row and leaves the other record fields blank there.
fn records(file: &'static str, text: &str, required: &[&str]) -> Result<Vec<Record>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    // A UTF-8 byte-order mark, which spreadsheet tools add when they save.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let bad = |line: u64, e: csv::Error| Error::new(Code::MalformedJson, format!("{file} line {line}"), format!("not CSV: {e}"));
    let header: Vec<String> = reader.headers().map_err(|e| bad(1, e))?.iter().map(|h| h.trim().to_string()).collect();
    for column in required {
        if !header.iter().any(|h| h == column) {
            return Err(Error::new(Code::InvalidField, format!("{file} line 1: {column}"), "is a required column of Shopify's export".to_string()));
        }
    }
    let key = required[0];
    let mut out: Vec<Record> = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let row = row.map_err(|e| bad(line, e))?;
        let fields: BTreeMap<String, String> = header.iter().cloned().zip(row.iter().map(str::to_string)).collect();
        let id = fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
        if id.is_empty() {
            return Err(Error::new(Code::InvalidField, format!("{file} line {line}: {key}"), "is empty".to_string()));
        }
        let item = |c: &str| fields.get(c).map(|v| v.trim().to_string()).unwrap_or_default();
        let quantity = item("Lineitem quantity");
        let item = (item("Lineitem name"), item("Lineitem price"), quantity, line);
        match out.last_mut() {
            Some(record) if record.fields.get(key).map(|v| v.trim()) == Some(id.as_str()) => record.items.push(item),
            _ => out.push(Record { file, line, fields, items: vec![item] }),
        }
    }
    Ok(out)
}

/// The shopper's contact id: a hash of the address, as the handler keys contacts by identity.
fn contact_of(record: &Record) -> Result<String> {
    let email = record.get("Email").map(str::to_lowercase);
    let phone = record.get("Phone").or_else(|| record.get("Billing Phone"));
    let identity = email.or_else(|| phone.map(str::to_string)).ok_or_else(|| record.error("Email", "is empty and so is Phone: no shopper to replay"))?;
    Ok(format!("export-{}", &ids::sha256_hex(&identity)[..24]))
}

/// Shopify's export time: "2026-11-02 14:00:00 -0600" (the shop's offset), or RFC 3339.
fn time(record: &Record, column: &str) -> Result<DateTime<Utc>> {
    let text = record.need(column)?;
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| record.error(column, "is not a time like 2026-11-02 14:00:00 -0600"))
}

/// A decimal amount ("18.00", "1299.5") in minor units, exactly.
fn minor(record: &Record, column: &str, text: &str, currency: &str) -> Result<i64> {
    let digits = crate::common::money::minor_digits(currency) as usize;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let valid = !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) && fraction.bytes().all(|b| b.is_ascii_digit()) && fraction.len() <= digits.max(2);
    if !valid {
        return Err(record.error(column, "is not an amount like 18.00"));
    }
    let mut fraction = fraction.to_string();
    while fraction.len() < digits {
        fraction.push('0');
    }
    // Beyond the currency's digits (JPY "1200.00"): only zeros may be dropped.
    if fraction[digits..].bytes().any(|b| b != b'0') {
        return Err(record.error(column, "has more decimals than the currency"));
    }
    format!("{whole}{}", &fraction[..digits]).parse().map_err(|_| record.error(column, "is out of range"))
}

fn region(record: &Record) -> Option<String> {
    let country = record.get("Billing Country").or_else(|| record.get("Shipping Country"))?;
    match record.get("Billing Province").or_else(|| record.get("Shipping Province")) {
        Some(province) => Some(format!("{country}-{province}")),
        None => Some(country.to_string()),
    }
}

fn yes(record: &Record, column: &str) -> bool {
    record.get(column).is_some_and(|v| v.eq_ignore_ascii_case("yes") || v.eq_ignore_ascii_case("true"))
}

fn checkout(record: &Record, assume: &Assumptions) -> Result<(String, DateTime<Utc>, Event)> {
    let contact = contact_of(record)?;
    let token = record.need("Id")?.to_string();
    let currency = record.need("Currency")?.to_uppercase();
    let at = time(record, "Created at")?;
    let mut items = Vec::new();
    for (name, price, quantity, line) in &record.items {
        let at_line = Record { file: record.file, line: *line, fields: BTreeMap::new(), items: Vec::new() };
        let quantity: u32 = quantity.parse().map_err(|_| at_line.error("Lineitem quantity", "is not a whole number"))?;
        let unit_price = minor(&at_line, "Lineitem price", price, &currency)?;
        items.push(json!({ "title": name, "quantity": quantity, "unitPrice": unit_price }));
    }
    let phone = record.get("Phone").or_else(|| record.get("Billing Phone"));
    let mut person = serde_json::Map::new();
    if let Some(email) = record.get("Email") {
        person.insert("email".into(), json!(email));
    }
    if let Some(phone) = phone {
        person.insert("phone".into(), json!(phone));
    }
    if let Some(region) = region(record) {
        person.insert("region".into(), json!(region));
    }
    // The export names no recovery URL column we can rely on: a replay sends nothing real.
    let recovery = record.get("Abandoned Checkout URL").map_or_else(|| format!("https://shop.invalid/checkouts/{token}/recover"), str::to_string);
    let event = json!({
        "id": format!("export-checkout-{token}"),
        "at": at.to_rfc3339(),
        "type": "checkoutUpdated",
        "cart": { "token": token, "stage": "checkout", "currency": currency, "recoveryUrl": recovery, "items": items },
        "contact": person,
        "acceptsEmail": yes(record, "Accepts Marketing"),
        "acceptsSms": assume.sms_consent && phone.is_some(),
    });
    let event = Event::from_json(&event.to_string()).map_err(|e| record.error("Id", &e.to_string()))?;
    Ok((contact, at, event))
}

/// A cancelled order is left out: it recovered nothing.
fn order(record: &Record) -> Result<Option<(String, DateTime<Utc>, Event)>> {
    if record.get("Cancelled at").is_some() {
        return Ok(None);
    }
    let contact = contact_of(record)?;
    let currency = record.need("Currency")?.to_uppercase();
    let total = minor(record, "Total", record.need("Total")?, &currency)?;
    let at = time(record, "Created at")?;
    let id = record.get("Id").unwrap_or(record.need("Name")?).to_string();
    let event = json!({
        "id": format!("export-order-{id}"),
        "at": at.to_rfc3339(),
        "type": "orderPlaced",
        "orderId": id,
        "total": { "minor": total, "currency": currency },
    });
    let event = Event::from_json(&event.to_string()).map_err(|e| record.error("Name", &e.to_string()))?;
    Ok(Some((contact, at, event)))
}

//! What a store persists per contact: the contact and its journeys, under a schema version.
//! The shim treats it as an opaque JSON string; only the engine reads or migrates it.

use super::contact::Contact;
use super::journey::Journey;
use crate::common::reader::Object;
use crate::error::{Code, Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bump when the persisted shape changes, and add a step to `MIGRATIONS`.
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    pub schema_version: u32,
    pub contact: Contact,
    #[serde(default)]
    pub journeys: Vec<Journey>,
}

impl State {
    pub fn new(contact_id: impl Into<String>) -> Self {
        State {
            schema_version: SCHEMA_VERSION,
            contact: Contact::new(contact_id),
            journeys: Vec::new(),
        }
    }

    pub fn to_json(&self) -> String {
        // Sized for a typical contact (~2 KB): growing from serde_json's 128 bytes copied it
        // five times over.
        let mut out = Vec::with_capacity(4096);
        serde_json::to_writer(&mut out, self).expect("state always serialises");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// Read persisted state of any earlier schema version, migrating it step by step. The
    /// text is parsed once into a JSON tree, migrated there, and read by `common::reader`, not
    /// by derived deserializers (each was its own copy of serde_json's reader in the server
    /// wasm: BENCHMARKS.md, issue 20).
    pub fn from_json(text: &str) -> Result<State> {
        let mut value: Value = crate::error::parse_json(text)?;
        if !value.is_object() {
            return Err(Error::new(Code::InvalidField, "$", "stored state is a JSON object"));
        }
        let version = value.get("schemaVersion").and_then(Value::as_u64).unwrap_or(1) as u32;
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                Code::UnsupportedSchemaVersion,
                "$.schemaVersion",
                format!("written by a newer engine (schema {version}); this one reads up to {SCHEMA_VERSION}"),
            ));
        }
        for (from, migrate) in MIGRATIONS.iter() {
            if version <= *from {
                migrate(&mut value);
            }
        }
        State::read(Object::new(&value, "$".to_string())?.missing_at_container())
    }

    fn read(o: Object) -> Result<State> {
        let o = o.only(&["schemaVersion", "contact", "journeys"])?;
        let version = o.count("schemaVersion")?;
        Ok(State {
            schema_version: o.require("schemaVersion", version)?,
            contact: Contact::read(o.required_object("contact")?)?,
            journeys: o.objects("journeys", Journey::read)?.unwrap_or_default(),
        })
    }

    pub fn journey_mut(&mut self, id: &str) -> Option<&mut Journey> {
        self.journeys.iter_mut().find(|j| j.id == id)
    }

    /// The journey that planned `action_id`.
    pub fn journey_of_action(&mut self, action_id: &str) -> Option<&mut Journey> {
        self.journeys
            .iter_mut()
            .find(|j| j.send(action_id).is_some())
    }
}

type Migration = fn(&mut Value);

/// `(from_version, step)`: applied in order to anything written at `from_version` or older.
const MIGRATIONS: &[(u32, Migration)] = &[(1, v1_to_v2), (2, v2_to_v3)];

/// Schema 1 stored the contact's zone as `tz`; schema 2 calls it `timeZone` like every
/// other input, and stamps the version.
fn v1_to_v2(value: &mut Value) {
    if let Some(contact) = value.get_mut("contact").and_then(Value::as_object_mut) {
        if let Some(tz) = contact.remove("tz") {
            contact.insert("timeZone".into(), tz);
        }
    }
    if let Some(state) = value.as_object_mut() {
        state.insert("schemaVersion".into(), Value::from(2));
    }
}

/// Schema 3 stores instants as epoch milliseconds (parsing RFC 3339 dominated the cost of
/// loading state) and remembers event ids as 64-bit fingerprints instead of the ids.
fn v2_to_v3(value: &mut Value) {
    fn to_millis(v: &mut Value) {
        if let Some(text) = v.as_str() {
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
                *v = Value::from(at.timestamp_millis());
            }
        }
    }
    fn each(v: &mut Value, key: &str, f: impl Fn(&mut Value)) {
        if let Some(items) = v.get_mut(key).and_then(Value::as_array_mut) {
            items.iter_mut().for_each(f);
        }
    }
    fn field(v: &mut Value, key: &str) {
        if let Some(x) = v.get_mut(key) {
            to_millis(x);
        }
    }
    let Some(state) = value.as_object_mut() else { return };
    if let Some(contact) = state.get_mut("contact") {
        if let Some(consent) = contact.get_mut("consent") {
            each(consent, "email", |e| field(e, "at"));
            each(consent, "sms", |e| field(e, "at"));
        }
        each(contact, "sent", |e| field(e, "at"));
        if let Some(stats) = contact.get_mut("stats") {
            field(stats, "lastIncentiveAt");
        }
        if let Some(seen) = contact.get_mut("seen").and_then(Value::as_array_mut) {
            for id in seen.iter_mut() {
                if let Some(text) = id.as_str() {
                    *id = Value::from(super::contact::event_fingerprint(text));
                }
            }
        }
    }
    if let Some(journeys) = state.get_mut("journeys") {
        if let Some(list) = journeys.as_array_mut() {
            for journey in list {
                field(journey, "abandonedAt");
                field(journey, "cartUpdatedAt");
                each(journey, "sends", |s| field(s, "dueAt"));
            }
        }
    }
    state.insert("schemaVersion".into(), Value::from(3));
}


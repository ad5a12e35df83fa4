//! The default template pack (pack.json): one HTML, text and SMS layout shared by every
//! message, and per locale the interface words (`ui`) and each key's copy. Copy is written
//! once per locale rather than per key × layout, which keeps the pack a few KB gzipped.

use super::template::{self, Template};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every key the engine can choose: one per angle, one per incentive kind.
pub const KEYS: [&str; 13] = [
    "reminder",
    "value",
    "freeShipping",
    "guestCheckout",
    "trust",
    "returnPolicy",
    "deliveryEstimate",
    "urgency",
    "offer.freeShipping",
    "offer.percentOff",
    "offer.loyalty",
    "offer.expeditedShipping",
    "offer.gift",
];

pub const LOCALES: [&str; 4] = ["en", "fr", "de", "es"];

/// The parts a key's copy or a merchant's override may set.
pub const PARTS: [&str; 8] = ["subject", "preheader", "headline", "body", "cta", "sms", "html", "text"];

/// pack.json as written: read from its JSON tree rather than by derived deserializers (their
/// code was ~8 KB of the server wasm, BENCHMARKS.md, issue 20); tests/messages.rs checks the file.
struct Source {
    html: String,
    text: String,
    sms: String,
    locales: BTreeMap<String, LocaleSource>,
}

struct LocaleSource {
    ui: BTreeMap<String, String>,
    keys: BTreeMap<String, BTreeMap<String, String>>,
}

impl Source {
    fn read() -> Source {
        let tree: Value = serde_json::from_str(SOURCE).expect("pack.json is valid JSON (tests/messages.rs)");
        let text = |v: &Value| v.as_str().expect("pack.json holds text at its leaves").to_string();
        let texts = |v: &Value| -> BTreeMap<String, String> { object(v).iter().map(|(k, v)| (k.clone(), text(v))).collect() };
        let locale = |v: &Value| LocaleSource {
            ui: texts(&v["ui"]),
            keys: object(&v["keys"]).iter().map(|(k, parts)| (k.clone(), texts(parts))).collect(),
        };
        Source {
            html: text(&tree["html"]),
            text: text(&tree["text"]),
            sms: text(&tree["sms"]),
            locales: object(&tree["locales"]).iter().map(|(tag, l)| (tag.clone(), locale(l))).collect(),
        }
    }
}

fn object(value: &Value) -> &serde_json::Map<String, Value> {
    value.as_object().expect("pack.json's shape (tests/messages.rs)")
}

pub struct Pack {
    pub html: Template,
    pub text: Template,
    pub sms: Template,
    pub locales: BTreeMap<String, Locale>,
}

pub struct Locale {
    pub ui: BTreeMap<String, Template>,
    pub keys: BTreeMap<String, BTreeMap<String, Template>>,
}

pub const SOURCE: &str = include_str!("pack.json");

/// The pack, parsed once per process (a wasm instance parses it on its first message).
pub fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let source = Source::read();
        let parse = |s: &str| template::parse(s).expect("pack.json's templates parse (tests/messages.rs)");
        let parse_all = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| (k.clone(), parse(v))).collect();
        Pack {
            html: parse(&source.html),
            text: parse(&source.text),
            sms: parse(&source.sms),
            locales: source
                .locales
                .iter()
                .map(|(tag, l)| {
                    let keys = l.keys.iter().map(|(k, parts)| (k.clone(), parse_all(parts))).collect();
                    (tag.clone(), Locale { ui: parse_all(&l.ui), keys })
                })
                .collect(),
        }
    })
}

/// The source of a default part, for the audit and the gallery.
pub fn source_parts() -> Vec<(String, String, String, String)> {
    let source = Source::read();
    let mut out = vec![
        ("*".into(), "*".into(), "html".into(), source.html),
        ("*".into(), "*".into(), "text".into(), source.text),
        ("*".into(), "*".into(), "sms".into(), source.sms),
    ];
    for (tag, l) in source.locales {
        for (name, text) in l.ui {
            out.push(("*".into(), tag.clone(), name, text));
        }
        for (key, parts) in l.keys {
            for (name, text) in parts {
                out.push((key.clone(), tag.clone(), name, text));
            }
        }
    }
    out
}

/// The pack's language for a shopper's locale: the tag itself ("fr-CA" → an override for
/// "fr-CA" if the merchant wrote one), its language ("fr"), the store's default, English.
pub fn language_chain<'a>(shopper: Option<&'a str>, store_default: Option<&'a str>) -> Vec<String> {
    let mut chain = Vec::new();
    for tag in [shopper, store_default].into_iter().flatten() {
        let tag = tag.trim().replace('_', "-");
        if tag.is_empty() {
            continue;
        }
        let language = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
        for t in [tag, language] {
            if !t.is_empty() && !chain.contains(&t) {
                chain.push(t);
            }
        }
    }
    if !chain.iter().any(|t| t == "en") {
        chain.push("en".into());
    }
    chain
}

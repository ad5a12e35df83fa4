//! The preview gallery (`rekindle preview [DIR]`): every key × locale × sample cart, email and
//! SMS, rendered with the merchant's brand, facts and overrides, each with its audit result.
//! The gallery is one HTML page of live frames at 375 and 600 px; each email is also a file
//! of its own, and `messages.json` lists them all (the spam-filter and accessibility tests
//! read it).

use super::audit::{self, check_rendered};
use super::brand::{Brand, Facts, Overrides};
use super::compose::{compose, Compose, Links};
use super::pack::{KEYS, LOCALES};
use super::samples;
use super::template::escape_html_into;
use crate::common::channel::Channel;
use crate::compliance::sms_segments;
use serde::Serialize;

/// The merchant the gallery renders for.
pub struct Merchant<'a> {
    pub store_name: &'a str,
    pub brand: &'a Brand,
    pub facts: &'a Facts,
    pub overrides: &'a Overrides,
    pub segment_limit: u8,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub key: String,
    pub locale: String,
    pub cart: String,
    /// `emails/<key>.<locale>.<cart>.html` (and `.txt`), relative to the gallery.
    pub file: String,
    pub subject: String,
    pub preheader: String,
    pub html: String,
    pub text: String,
    pub sms: String,
    pub sms_segments: u8,
    pub list_unsubscribe: String,
    /// The audit's findings for the email and the SMS; empty when both may go.
    pub findings: Vec<String>,
}

pub fn entries(m: &Merchant<'_>) -> Vec<Entry> {
    let base = samples::BASE_URL;
    let id = samples::ACTION_ID;
    let (r, u, p, s) = (format!("{base}/r/{id}"), format!("{base}/u/{id}"), format!("{base}/p/{id}"), format!("{base}/s/{id}"));
    // As sent: the shim signs each link (links.js), the short token is 16 characters.
    let sms_link = format!("{base}/s/{}", "A".repeat(super::compose::SHORT_TOKEN_CHARS));
    let mut out = Vec::new();
    for (cart_name, cart) in samples::carts() {
        for locale in LOCALES {
            for key in KEYS {
                let offer = samples::offer_for(key);
                let render = |channel| {
                    compose(&Compose {
                        channel,
                        key,
                        shopper_locale: Some(locale),
                        store_name: Some(m.store_name),
                        brand: m.brand,
                        facts: m.facts,
                        overrides: m.overrides,
                        first_name: Some("Ada"),
                        cart: &cart,
                        offer: offer.as_ref(),
                        links: Links { recovery: &r, unsubscribe: &u, preferences: &p, short: &s },
                        opt_out: true,
                    })
                };
                let cx = audit::Context {
                    store_name: Some(m.store_name),
                    brand: m.brand,
                    facts: m.facts,
                    segment_limit: m.segment_limit,
                    opt_out_required: true,
                    sms_link_len: sms_link.len(),
                    link_placeholder_len: s.len(),
                    has_list_unsubscribe: true,
                    offer: offer.as_ref(),
                    unsubscribe_url: &u,
                    preferences_url: &p,
                };
                let (email, sms) = (render(Channel::Email), render(Channel::Sms));
                let findings: Vec<String> = check_rendered(&email, &cx)
                    .into_iter()
                    .map(|f| format!("email: {}: {}", f.rule.as_str(), f.detail))
                    .chain(check_rendered(&sms, &cx).into_iter().map(|f| format!("sms: {}: {}", f.rule.as_str(), f.detail)))
                    .collect();
                let e = email.email.expect("an email render has an email");
                let sms_text = sms.sms.unwrap_or_default().replace(&s, &sms_link);
                out.push(Entry {
                    key: key.into(),
                    locale: locale.into(),
                    cart: cart_name.into(),
                    file: format!("emails/{key}.{locale}.{cart_name}.html"),
                    subject: e.subject,
                    preheader: e.preheader,
                    html: e.html,
                    text: e.text,
                    sms_segments: sms_segments::count(&sms_text).count,
                    sms: sms_text,
                    list_unsubscribe: format!("<{u}>"),
                    findings,
                });
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    let mut out = String::new();
    escape_html_into(s, &mut out);
    out
}

/// One page: per key, per locale and cart, the email at 375 and 600 px, the SMS, the audit.
pub fn gallery(entries: &[Entry]) -> String {
    let passed = entries.iter().filter(|e| e.findings.is_empty()).count();
    let mut page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rekindle template gallery</title><style>\
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2937}}h2{{margin-top:40px}}\
.row{{display:flex;gap:16px;align-items:flex-start;margin:12px 0;padding:12px;border:1px solid #d1d5db;border-radius:8px}}\
iframe{{border:1px solid #9ca3af;height:720px;background:#fff}}.w375{{width:375px}}.w600{{width:600px}}\
.meta{{width:280px;flex:none}}.sms{{background:#e5f6ee;border-radius:12px;padding:8px 12px;white-space:pre-wrap}}\
.ok{{color:#166534}}.bad{{color:#991b1b}}</style></head><body><h1>Rekindle template gallery</h1>\
<p>{} messages ({} keys &times; {} locales &times; {} sample carts, email and SMS); {passed} pass the content audit.</p>",
        entries.len(),
        KEYS.len(),
        LOCALES.len(),
        entries.len() / (KEYS.len() * LOCALES.len()).max(1)
    );
    for key in KEYS {
        page.push_str(&format!("<h2 id=\"{key}\">{key}</h2>"));
        for e in entries.iter().filter(|e| e.key == key) {
            let audit = if e.findings.is_empty() {
                "<p class=\"ok\">Audit: passes</p>".to_string()
            } else {
                format!("<p class=\"bad\">Audit: {}</p>", e.findings.iter().map(|f| esc(f)).collect::<Vec<_>>().join("<br>"))
            };
            page.push_str(&format!(
                "<div class=\"row\"><div class=\"meta\"><b>{} · {}</b><p>Subject: {}<br>Preheader: {}</p><div class=\"sms\">{}</div><small>SMS: {} segment(s)</small>{audit}</div>\
<iframe class=\"w375\" loading=\"lazy\" title=\"{} {} at 375 px\" src=\"{}\"></iframe><iframe class=\"w600\" loading=\"lazy\" title=\"{} {} at 600 px\" src=\"{}\"></iframe></div>",
                esc(&e.locale),
                esc(&e.cart),
                esc(&e.subject),
                esc(&e.preheader),
                esc(&e.sms),
                e.sms_segments,
                esc(&e.locale),
                esc(&e.cart),
                esc(&e.file),
                esc(&e.locale),
                esc(&e.cart),
                esc(&e.file),
            ));
        }
    }
    page.push_str("</body></html>");
    page
}

//! The content audit. It runs on every override when the policy loads (each problem an error
//! with its JSON path) and on every rendered message before dispatch (a finding skips the send,
//! with the rules it broke in the explanation). Sources: CTIA Messaging Principles (brand,
//! opt-out, prohibited "SHAFT" content), CAN-SPAM (postal address, opt-out), RFC 8058 and the
//! Gmail/Yahoo 2024 sender rules (one-click unsubscribe), WCAG 1.1.1 (image alt text).

use super::brand::{Brand, Facts, Overrides};
use super::compose::{Rendered, Totals, ITEM_FIELDS, VARIABLES};
use super::pack::{KEYS, PARTS};
use super::template::{self, Template};
use crate::compliance::sms_segments;

/// Every rule, by its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A template that does not parse.
    TemplateSyntax,
    /// A variable or part no message has.
    UnknownVariable,
    /// Script, event handlers, `javascript:` URLs, frames, forms, embedded objects.
    UnsafeHtml,
    /// A link that is not one of Rekindle's own (recovery, preferences, unsubscribe, support mail).
    ForeignLink,
    /// bit.ly and the like: carriers filter public shorteners.
    PublicShortener,
    /// Carrier-restricted content (sex, hate, alcohol, firearms, tobacco, cannabis) the merchant has not confirmed.
    ProhibitedContent,
    /// A run of words in capitals.
    Shouting,
    /// "!!" and longer.
    ExclamationRun,
    /// An email without its unsubscribe link (in HTML and text).
    MissingUnsubscribe,
    /// An email without the preferences link.
    MissingPreferences,
    /// RFC 8058 headers absent.
    MissingListUnsubscribe,
    /// CAN-SPAM: the sender's postal address.
    MissingPostalAddress,
    /// An `<img>` without `alt`.
    MissingAlt,
    /// Empty, or longer than inboxes show.
    SubjectLength,
    /// A claim whose fact the merchant has not stated.
    ClaimWithoutFact,
    /// Urgency copy without a held cart to back it.
    UnsupportedUrgency,
    /// An SMS that does not name the store.
    SmsMissingBrand,
    /// The first SMS of a thread without opt-out language.
    SmsMissingOptOut,
    /// More SMS segments than the policy allows.
    SmsTooLong,
    /// Totals that disagree with the offer, or an offer without its code.
    OfferMismatch,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::TemplateSyntax => "templateSyntax",
            Rule::UnknownVariable => "unknownVariable",
            Rule::UnsafeHtml => "unsafeHtml",
            Rule::ForeignLink => "foreignLink",
            Rule::PublicShortener => "publicShortener",
            Rule::ProhibitedContent => "prohibitedContent",
            Rule::Shouting => "shouting",
            Rule::ExclamationRun => "exclamationRun",
            Rule::MissingUnsubscribe => "missingUnsubscribe",
            Rule::MissingPreferences => "missingPreferences",
            Rule::MissingListUnsubscribe => "missingListUnsubscribe",
            Rule::MissingPostalAddress => "missingPostalAddress",
            Rule::MissingAlt => "missingAlt",
            Rule::SubjectLength => "subjectLength",
            Rule::ClaimWithoutFact => "claimWithoutFact",
            Rule::UnsupportedUrgency => "unsupportedUrgency",
            Rule::SmsMissingBrand => "smsMissingBrand",
            Rule::SmsMissingOptOut => "smsMissingOptOut",
            Rule::SmsTooLong => "smsTooLong",
            Rule::OfferMismatch => "offerMismatch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub detail: String,
}

fn finding(rule: Rule, detail: impl Into<String>) -> Finding {
    Finding { rule, detail: detail.into() }
}

/// Inboxes show about 60 characters of a subject on a phone; past 90 it is cut everywhere.
pub const MAX_SUBJECT_CHARS: usize = 90;

/// Public shorteners carriers filter (CTIA; T-Mobile's code of conduct names shared shorteners).
const SHORTENERS: [&str; 12] = [
    "bit.ly", "tinyurl.com", "t.co/", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at",
    "tiny.cc", "rb.gy",
];

/// Carrier-restricted categories ("SHAFT" plus cannabis), by words in the pack's four
/// languages. A match is flagged for the merchant to confirm (`facts.confirmedCategories`).
const PROHIBITED: [(&str, &[&str]); 6] = [
    ("sex", &["sex", "porn", "xxx", "erotic", "érotique", "erotik", "erótico"]),
    ("hate", &["hate", "haine", "hass", "odio"]),
    ("alcohol", &["alcohol", "beer", "wine", "vodka", "whisky", "liquor", "bière", "vin ", "alcool", "bier", "wein", "cerveza", "vino "]),
    ("firearms", &["firearm", "gun", "rifle", "ammo", "ammunition", "pistol", "arme à feu", "munition", "waffe", "arma de fuego"]),
    ("tobacco", &["tobacco", "cigar", "vape", "nicotine", "tabac", "tabak", "tabaco", "e-cig"]),
    ("cannabis", &["cannabis", "marijuana", "weed", "thc", "cbd", "hemp", "chanvre", "hanf", "cáñamo"]),
];

/// Checks on text anyone reads: shorteners, prohibited words, capitals, exclamation runs.
pub fn check_text(text: &str, facts: &Facts, out: &mut Vec<Finding>) {
    let lower = text.to_lowercase();
    for shortener in SHORTENERS {
        if lower.contains(shortener) {
            out.push(finding(Rule::PublicShortener, format!("links through {shortener}")));
        }
    }
    let found = prohibited_words(&lower);
    for (c, (category, words)) in PROHIBITED.iter().enumerate() {
        if facts.confirmed_categories.iter().any(|confirmed| confirmed == category) {
            continue;
        }
        // The category's first word in list order that the text has, as a search word by word would name it.
        if let Some(word) = (0..words.len()).find(|w| found[c] & (1 << w) != 0).map(|w| words[w]) {
            out.push(finding(
                Rule::ProhibitedContent,
                format!("'{}' reads as {category}: carriers restrict it; confirm it in facts.confirmedCategories", word.trim()),
            ));
        }
    }
    // Three capitalised words in a row, or one of 8+ letters; STOP, HELP and codes are expected.
    let mut run = 0;
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        // Capitals only where the script has case (Japanese has none).
        let caps = letters >= 2 && word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) && !word.chars().any(|c| c.is_ascii_digit());
        if caps && !matches!(word, "STOP" | "HELP" | "SMS" | "OK") {
            run += 1;
            if run >= 3 || letters >= 8 {
                out.push(finding(Rule::Shouting, format!("'{word}' and the words around it are in capitals")));
                break;
            }
        } else if !word.is_empty() {
            run = 0;
        }
    }
    if text.contains("!!") || text.contains("!?") || text.contains("?!") {
        out.push(finding(Rule::ExclamationRun, "a run of exclamation marks"));
    }
}

/// Which of each category's words `lower` has as whole words: bit `w` of entry `c` for
/// `PROHIBITED[c].1[w]`. One pass over the text's word starts instead of a search per word
/// (some fifty), the audit's main cost on every send (BENCHMARKS.md, issue 20). Every word
/// begins with a letter, so a match can only begin where a word does.
fn prohibited_words(lower: &str) -> [u16; PROHIBITED.len()] {
    let mut found = [0u16; PROHIBITED.len()];
    let mut previous: Option<char> = None;
    for (i, ch) in lower.char_indices() {
        let starts_word = !previous.is_some_and(char::is_alphanumeric);
        previous = Some(ch);
        if !starts_word || !ch.is_alphabetic() {
            continue;
        }
        let rest = &lower[i..];
        let first = rest.as_bytes()[0];
        for (c, (_, words)) in PROHIBITED.iter().enumerate() {
            for (w, word) in words.iter().enumerate() {
                if word.as_bytes()[0] == first
                    && rest.starts_with(word)
                    && !rest[word.len()..].chars().next().is_some_and(char::is_alphanumeric)
                {
                    found[c] |= 1 << w;
                }
            }
        }
    }
    found
}

#[cfg(test)]
fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Checks on HTML a merchant wrote: nothing that runs, no links but Rekindle's, `alt` on images.
pub fn check_html(html: &str, out: &mut Vec<Finding>) {
    let lower = html.to_ascii_lowercase();
    for tag in ["<script", "<iframe", "<object", "<embed", "<form", "<input", "<base", "<link", "<meta http-equiv"] {
        if lower.contains(tag) {
            out.push(finding(Rule::UnsafeHtml, format!("{tag}> is not allowed in an email")));
        }
    }
    if lower.contains("javascript:") || lower.contains("vbscript:") || lower.contains("data:text/html") || lower.contains("expression(") {
        out.push(finding(Rule::UnsafeHtml, "a script URL or CSS expression"));
    }
    for (i, _) in lower.match_indices(" on") {
        let rest = &lower[i + 3..];
        let name_len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        if name_len > 0 && rest[name_len..].trim_start().starts_with('=') && inside_tag(&lower, i) {
            out.push(finding(Rule::UnsafeHtml, format!("an on{} event handler", &rest[..name_len])));
            break;
        }
    }
    for (i, _) in lower.match_indices("href=") {
        let value = lower[i + 5..].trim_start_matches(['"', '\'']);
        // `giftUrl` is the merchant's stated fact (facts.gift.url, https, checked at policy load).
        let allowed = ["{{recoveryurl}}", "{{unsubscribeurl}}", "{{preferencesurl}}", "mailto:{{supportemail}}", "{{gifturl}}"];
        if !allowed.iter().any(|a| value.starts_with(a)) {
            let shown: String = value.chars().take(40).take_while(|c| *c != '"' && *c != '\'').collect();
            out.push(finding(Rule::ForeignLink, format!("href=\"{shown}\" is not a Rekindle link")));
        }
    }
    for (i, _) in lower.match_indices("<img") {
        let end = lower[i..].find('>').map_or(lower.len(), |e| i + e);
        if !lower[i..end].contains(" alt=") {
            out.push(finding(Rule::MissingAlt, "an image without alt text"));
        }
    }
}

fn inside_tag(html: &str, at: usize) -> bool {
    let open = html[..at].rfind('<');
    let close = html[..at].rfind('>');
    match (open, close) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The policy's overrides, each problem with its JSON path (`$.templates.reminder.fr.subject`).
pub fn check_overrides(overrides: &Overrides, facts: &Facts, brand: &Brand) -> Vec<(String, Finding)> {
    let mut problems = Vec::new();
    for (key, by_locale) in overrides {
        let key_path = format!("$.templates['{key}']");
        if !KEYS.contains(&key.as_str()) {
            problems.push((key_path.clone(), finding(Rule::UnknownVariable, format!("'{key}' is not a template key ({})", KEYS.join(", ")))));
            continue;
        }
        for (locale, parts) in by_locale {
            for (part, source) in parts {
                let path = format!("{key_path}.{locale}.{part}");
                if !PARTS.contains(&part.as_str()) {
                    problems.push((path, finding(Rule::UnknownVariable, format!("'{part}' is not a part ({})", PARTS.join(", ")))));
                    continue;
                }
                for f in check_source(part, source, facts, brand) {
                    problems.push((path.clone(), f));
                }
            }
        }
    }
    problems
}

/// One template part's source: it parses, reads only known names, and passes the text and
/// HTML checks; a whole layout keeps its unsubscribe, preferences and address.
pub fn check_source(part: &str, source: &str, facts: &Facts, brand: &Brand) -> Vec<Finding> {
    let mut out = Vec::new();
    let template = match template::parse(source) {
        Ok(t) => t,
        Err(e) => {
            out.push(finding(Rule::TemplateSyntax, format!("at character {}: {}", e.offset, e.message)));
            return out;
        }
    };
    // A copy part may be included inside `{{#each items}}`, where item fields resolve.
    let layout = matches!(part, "html" | "text");
    check_names(&template, !layout, facts, brand, &mut out);
    check_text(&template.literal_text(), facts, &mut out);
    if part == "html" {
        check_html(source, &mut out);
    }
    if part == "html" || part == "text" {
        let uses: Vec<String> = template.uses().into_iter().map(|u| u.name).collect();
        for (name, rule) in [
            ("unsubscribeUrl", Rule::MissingUnsubscribe),
            ("preferencesUrl", Rule::MissingPreferences),
            ("postalAddress", Rule::MissingPostalAddress),
        ] {
            if !uses.iter().any(|u| u == name) {
                out.push(finding(rule, format!("the {part} layout never shows {{{{{name}}}}}")));
            }
        }
    }
    out
}

fn check_names(template: &Template, item_fields_anywhere: bool, facts: &Facts, brand: &Brand, out: &mut Vec<Finding>) {
    for used in template.uses() {
        if used.partial {
            continue; // parts resolve to the pack's words or the merchant's: both checked
        }
        let known = VARIABLES.iter().find(|(n, _)| *n == used.name);
        let item_field = (used.in_each || item_fields_anywhere) && ITEM_FIELDS.contains(&used.name.as_str());
        match known {
            None if !item_field => out.push(finding(Rule::UnknownVariable, format!("no variable '{}'", used.name))),
            Some((name, Some(fact))) if !fact_stated(name, facts, brand) => out.push(finding(
                Rule::ClaimWithoutFact,
                format!("{{{{{name}}}}} is a claim the policy has no fact for ({fact})"),
            )),
            _ => {}
        }
    }
}

fn fact_stated(variable: &str, facts: &Facts, brand: &Brand) -> bool {
    match variable {
        "postalAddress" => brand.postal_address.is_some(),
        "supportEmail" => brand.support_email.is_some(),
        "returnDays" => facts.return_window_days.is_some(),
        "freeShippingThreshold" => facts.free_shipping_threshold_minor.is_some(),
        "deliveryMin" | "deliveryMax" => facts.delivery_days.is_some(),
        "heldHours" => facts.cart_held_hours.is_some(),
        "giftTitle" => facts.gift.is_some(),
        "giftUrl" => facts.gift.as_ref().is_some_and(|g| g.url.is_some()),
        _ => true,
    }
}

/// What a rendered message is checked against.
pub struct Context<'a> {
    pub store_name: Option<&'a str>,
    pub brand: &'a Brand,
    pub facts: &'a Facts,
    pub segment_limit: u8,
    pub opt_out_required: bool,
    /// The SMS link as it will be sent (the signature's length counted).
    pub sms_link_len: usize,
    pub link_placeholder_len: usize,
    pub has_list_unsubscribe: bool,
    pub offer: Option<&'a super::compose::OfferTerms>,
    pub unsubscribe_url: &'a str,
    pub preferences_url: &'a str,
}

/// Every rule a rendered message breaks; empty: it may go.
pub fn check_rendered(r: &Rendered, cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if r.key == "urgency" && cx.facts.cart_held_hours.is_none() {
        out.push(finding(Rule::UnsupportedUrgency, "urgency copy, but facts.cartHeldHours is not stated"));
    }
    check_offer(&r.totals, cx, &mut out);
    // A discount code is capitals by design ("CART-EVWTLJKA"): not shouting.
    let code = cx.offer.and_then(|o| o.code.as_deref()).filter(|c| !c.is_empty());
    let without_code = |text: &str| code.map_or_else(|| text.to_string(), |c| text.replace(c, " "));
    if let Some(sms) = &r.sms {
        check_text(&without_code(sms), cx.facts, &mut out);
        match cx.store_name.map(str::trim).filter(|n| !n.is_empty()) {
            // The SMS was fitted to GSM-7, the store's name with it ("Café Ñandú" → "Café Ñandu").
            Some(name) if sms.contains(name) || sms.contains(&sms_segments::fit_gsm7(name)) => {}
            Some(_) => out.push(finding(Rule::SmsMissingBrand, "the SMS does not name the store")),
            None => out.push(finding(Rule::SmsMissingBrand, "the policy has no storeName: an SMS must name its sender (CTIA)")),
        }
        if cx.opt_out_required && !sms.contains("STOP") {
            out.push(finding(Rule::SmsMissingOptOut, "the first SMS of a thread must say how to opt out (STOP)"));
        }
        // Count what will be sent: the signed link is longer than the one rendered.
        let padded = format!("{sms}{}", "x".repeat(cx.sms_link_len.saturating_sub(cx.link_placeholder_len)));
        let segments = sms_segments::count(&padded);
        if segments.count > cx.segment_limit {
            out.push(finding(Rule::SmsTooLong, format!("{} segments, over the limit of {}", segments.count, cx.segment_limit)));
        }
        if let Some(code) = cx.offer.and_then(|o| o.code.as_deref()) {
            if !sms.contains(code) && r.key.starts_with("offer.") {
                out.push(finding(Rule::OfferMismatch, "the offer's code is not in the SMS"));
            }
        }
    }
    if let Some(email) = &r.email {
        check_text(&without_code(&format!("{}\n{}\n{}", email.subject, email.preheader, email.text)), cx.facts, &mut out);
        let subject_chars = email.subject.chars().count();
        if subject_chars == 0 || subject_chars > MAX_SUBJECT_CHARS {
            out.push(finding(Rule::SubjectLength, format!("the subject has {subject_chars} characters (1 to {MAX_SUBJECT_CHARS})")));
        }
        for (url, rule, what) in [
            (cx.unsubscribe_url, Rule::MissingUnsubscribe, "unsubscribe link"),
            (cx.preferences_url, Rule::MissingPreferences, "preferences link"),
        ] {
            if !email.html.contains(url) || !email.text.contains(url) {
                out.push(finding(rule, format!("the email has no {what} in both its HTML and text")));
            }
        }
        if !cx.has_list_unsubscribe {
            out.push(finding(Rule::MissingListUnsubscribe, "no List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058)"));
        }
        let address = cx.brand.postal_address.as_deref().map(str::trim).filter(|a| !a.is_empty());
        match address {
            None => out.push(finding(Rule::MissingPostalAddress, "brand.postalAddress is not set (CAN-SPAM)")),
            Some(a) => {
                let escaped = {
                    let mut s = String::new();
                    template::escape_html_into(a, &mut s);
                    s
                };
                if !email.html.contains(&escaped) || !email.text.contains(a) {
                    out.push(finding(Rule::MissingPostalAddress, "the email does not show the postal address"));
                }
            }
        }
        let mut html_findings = Vec::new();
        check_html_rendered(&email.html, &mut html_findings);
        out.extend(html_findings);
        if let Some(code) = cx.offer.and_then(|o| o.code.as_deref()) {
            if !email.html.contains(code) || !email.text.contains(code) {
                out.push(finding(Rule::OfferMismatch, "the offer's code is not in the email"));
            }
        }
    }
    out
}

/// A rendered email: nothing that runs, every image with alt text.
fn check_html_rendered(html: &str, out: &mut Vec<Finding>) {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") || lower.contains("javascript:") {
        out.push(finding(Rule::UnsafeHtml, "script in the rendered email"));
    }
    for (i, _) in lower.match_indices("<img") {
        let end = lower[i..].find('>').map_or(lower.len(), |e| i + e);
        let tag = &lower[i..end];
        if !tag.contains(" alt=\"") || tag.contains(" alt=\"\"") {
            out.push(finding(Rule::MissingAlt, "an image without alt text"));
        }
    }
}

/// The totals shown agree with the offer: free shipping shows shipping at 0, a percentage
/// takes exactly its share of the subtotal.
fn check_offer(totals: &Totals, cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(offer) = cx.offer else {
        if totals.discount != 0 {
            out.push(finding(Rule::OfferMismatch, "a discount without an offer"));
        }
        return;
    };
    if offer.free_shipping && totals.shipping != Some(0) {
        out.push(finding(Rule::OfferMismatch, "a free-shipping offer above a total that charges shipping"));
    }
    if totals.discount != totals.subtotal * offer.percent_off.min(100) as i64 / 100 {
        out.push(finding(Rule::OfferMismatch, "the discount shown is not the offer's percentage"));
    }
    if offer.code.as_deref().is_none_or(str::is_empty) {
        out.push(finding(Rule::OfferMismatch, "an offer without its code"));
    }
}

/// Findings as one line for the explanation: "audit: smsMissingBrand (…); subjectLength (…)".
pub fn summary(findings: &[Finding]) -> String {
    let parts: Vec<String> = findings.iter().map(|f| format!("{} ({})", f.rule.as_str(), f.detail)).collect();
    format!("content audit: {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass scan names exactly what a search per word finds, on texts built from
    /// the words themselves, their pieces, accents and every kind of neighbour.
    #[test]
    fn the_one_pass_word_scan_agrees_with_a_search_per_word() {
        let mut pieces: Vec<&str> = PROHIBITED.iter().flat_map(|(_, words)| words.iter().copied()).collect();
        pieces.extend(["", " ", "x", "é", "-", ".", "9", "vi", "n", "un", "arme à", " feu", "e-", "cigs", "wine's", "ß", "\n", "«"]);
        let mut texts = 0;
        for a in &pieces {
            for b in &pieces {
                for c in ["", " ", "s", "é"] {
                    let text = format!("{a}{c}{b}{c}{a}");
                    let found = prohibited_words(&text);
                    for (i, (_, words)) in PROHIBITED.iter().enumerate() {
                        for (w, word) in words.iter().enumerate() {
                            assert_eq!(found[i] & (1 << w) != 0, contains_word(&text, word), "{word:?} in {text:?}");
                        }
                    }
                    texts += 1;
                }
            }
        }
        assert!(texts > 10_000);
    }
}

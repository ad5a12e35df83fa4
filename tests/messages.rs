//! The default pack, the renderer and the content audit (issue 17): every key × locale ×
//! channel renders and passes the audit, every SMS is one GSM-7 segment with its signed link
//! at its real length, each audit rule has a failing and a passing case, and the shopper-facing
//! bugs the issue lists each have a test.

#![cfg(all(not(target_arch = "wasm32"), feature = "server"))]

use rekindle::common::cart::{Cart, LineItem};
use rekindle::common::channel::Channel;
use rekindle::common::money::Known;
use rekindle::compliance::sms_segments::{self, Encoding};
use rekindle::messages::audit::{self, check_overrides, check_rendered, check_source, Rule};
use rekindle::messages::pack::{self, KEYS, LOCALES};
use rekindle::messages::brand::Voice;
use rekindle::messages::{compose, Brand, Compose, Facts, Links, OfferTerms, Overrides, Rendered};
use rekindle::model::message::{render, Render, SHORT_TOKEN_CHARS};
use rekindle::model::offer::Offer;
use rekindle::policy::{Angle, IncentiveKind, Policy};

use rekindle::messages::samples::{brand, facts, offer_for};

fn sample_carts() -> Vec<(&'static str, Cart)> {
    rekindle::messages::samples::carts()
}

fn cart(currency: &str, items: Vec<LineItem>, shipping: Known) -> Cart {
    Cart { currency: currency.into(), items, shipping, ..sample_carts().remove(0).1 }
}

fn item(title: &str, variant: Option<&str>, quantity: u32, unit_price: i64) -> LineItem {
    LineItem { title: title.into(), variant: variant.map(Into::into), quantity, unit_price, ..sample_carts().remove(0).1.items.remove(0) }
}

const BASE: &str = "https://shop.example.com/rk";

fn links(action: &str) -> (String, String, String, String) {
    (format!("{BASE}/r/{action}"), format!("{BASE}/u/{action}"), format!("{BASE}/p/{action}"), format!("{BASE}/s/{action}"))
}

fn compose_one(key: &str, locale: &str, channel: Channel, cart: &Cart, brand: &Brand, facts: &Facts, overrides: &Overrides) -> Rendered {
    let (r, u, p, s) = links("j_0123456789abcdef.sms-1.sms.0");
    let offer = offer_for(key);
    compose(&Compose {
        channel,
        key,
        shopper_locale: Some(locale),
        store_name: Some("Trailhead"),
        brand,
        facts,
        overrides,
        first_name: Some("Ada"),
        cart,
        offer: offer.as_ref(),
        links: Links { recovery: &r, unsubscribe: &u, preferences: &p, short: &s },
        opt_out: true,
    })
}

fn context<'a>(offer: Option<&'a OfferTerms>, brand: &'a Brand, facts: &'a Facts, u: &'a str, p: &'a str, s: &str) -> audit::Context<'a> {
    audit::Context {
        store_name: Some("Trailhead"),
        brand,
        facts,
        segment_limit: 1,
        opt_out_required: true,
        sms_link_len: BASE.len() + 3 + SHORT_TOKEN_CHARS,
        link_placeholder_len: s.len(),
        has_list_unsubscribe: true,
        offer,
        unsubscribe_url: u,
        preferences_url: p,
    }
}

fn audit_of(key: &str, rendered: &Rendered, brand: &Brand, facts: &Facts) -> Vec<audit::Finding> {
    let (_, u, p, s) = links("j_0123456789abcdef.sms-1.sms.0");
    let offer = offer_for(key);
    check_rendered(rendered, &context(offer.as_ref(), brand, facts, &u, &p, &s))
}

#[test]
fn every_default_template_parses_and_passes_the_static_audit() {
    let (brand, facts) = (brand(), facts());
    for (key, locale, part, source) in pack::source_parts() {
        let findings = check_source(&part, &source, &facts, &brand);
        assert!(findings.is_empty(), "{key}/{locale}/{part}: {findings:?}");
    }
    // Every key in every locale has its copy (falling back to `ui` only for shared words).
    for locale in LOCALES {
        let copy = &pack::pack().locales[locale];
        for key in KEYS {
            let parts = copy.keys.get(key).unwrap_or_else(|| panic!("{locale} has no copy for {key}"));
            for part in ["subject", "preheader", "headline", "body", "sms"] {
                assert!(parts.contains_key(part), "{locale}/{key} lacks {part}");
            }
        }
    }
}

#[test]
fn every_key_locale_channel_and_sample_cart_renders_and_passes_the_audit() {
    let facts = facts();
    let mut rendered = 0;
    for (name, cart) in sample_carts() {
        for (locale, brand) in LOCALES.iter().flat_map(|l| voices().map(move |b| (*l, b))) {
            for key in KEYS {
                for channel in [Channel::Email, Channel::Sms] {
                    let r = compose_one(key, locale, channel, &cart, &brand, &facts, &Overrides::new());
                    assert_eq!(r.locale, locale);
                    let findings = audit_of(key, &r, &brand, &facts);
                    assert!(findings.is_empty(), "{key}/{locale}/{channel:?}/{name}: {findings:?}\n{:?}", r.sms);
                    if let Some(email) = &r.email {
                        assert!(email.html.starts_with("<!DOCTYPE html><html lang=\""), "lang is set");
                        assert!(!email.html.contains("{{") && !email.text.contains("{{"), "no tag left unrendered");
                        assert!(email.html.contains("CART-ABCD2345") == key.starts_with("offer."), "the code iff an offer");
                        assert_eq!(email.html.matches("<a href=\"https://shop.example.com/rk/r/").count(), 1, "one call to action");
                    }
                    rendered += 1;
                }
            }
        }
    }
    assert_eq!(rendered, 4 * 4 * 2 * 13 * 2);
}

#[test]
fn every_default_sms_in_every_locale_is_one_gsm7_segment_with_its_signed_link() {
    let facts = facts();
    let cart = &sample_carts()[1].1; // many items: the longest counts
    for (locale, brand) in LOCALES.iter().flat_map(|l| voices().map(move |b| (*l, b))) {
        for key in KEYS {
            let r = compose_one(key, locale, Channel::Sms, cart, &brand, &facts, &Overrides::new());
            let (_, _, _, short) = links("j_0123456789abcdef.sms-1.sms.0");
            // The link exactly as the shim sends it: base, /s/ and a 16-character token.
            let sent = r.sms.unwrap().replace(&short, &format!("{BASE}/s/{}", "A".repeat(SHORT_TOKEN_CHARS)));
            let segments = sms_segments::count(&sent);
            assert_eq!((segments.encoding, segments.count), (Encoding::Gsm7, 1), "{key}/{locale}: {sent:?} ({} chars)", sent.chars().count());
            assert!(sent.starts_with("Trailhead: ") && sent.contains("STOP"), "{sent}");
        }
    }
}

/// The sample brand in each voice: friendly (the default) and formal.
fn voices() -> [Brand; 2] {
    [brand(), Brand { voice: Voice::Formal, ..brand() }]
}

/// The brand's voice is more than the greeting: where the language distinguishes them, formal
/// address (vous / Sie / usted) against informal (tu / du / tú), and English's tone. Golden
/// renders in tests/golden/messages-voice.txt (UPDATE_GOLDEN=1 writes it).
#[test]
fn the_voice_chooses_formal_or_informal_address() {
    let facts = facts();
    let [friendly, formal] = voices();
    let cart = &sample_carts()[1].1;
    let text = |key: &str, locale: &str, brand: &Brand| {
        let email = compose_one(key, locale, Channel::Email, cart, brand, &facts, &Overrides::new()).email.unwrap();
        let sms = compose_one(key, locale, Channel::Sms, cart, brand, &facts, &Overrides::new()).sms.unwrap();
        format!("{}\n{}\n{}\n{sms}", email.subject, email.preheader, email.text)
    };
    let words = |s: &str| s.split(|c: char| !c.is_alphabetic()).map(str::to_lowercase).collect::<Vec<_>>();
    // Each language's own pronouns of address, informal then formal.
    for (locale, informal, formal_words) in [
        ("fr", &["tu", "ton", "ta", "tes", "te"][..], &["vous", "votre", "vos"][..]),
        ("de", &["du", "dein", "deine", "deinen", "dich", "dir"][..], &["sie", "ihr", "ihre", "ihren", "ihnen"][..]),
        ("es", &["tu", "tus", "te"][..], &["su", "sus", "le", "usted"][..]),
    ] {
        for key in ["reminder", "value", "trust", "offer.percentOff", "offer.loyalty"] {
            let (f, v) = (words(&text(key, locale, &friendly)), words(&text(key, locale, &formal)));
            assert!(informal.iter().any(|w| f.contains(&w.to_string())), "{locale}/{key} friendly: {f:?}");
            assert!(!formal_words.iter().any(|w| f.contains(&w.to_string())), "{locale}/{key} friendly says {formal_words:?}: {f:?}");
            assert!(formal_words.iter().any(|w| v.contains(&w.to_string())), "{locale}/{key} formal: {v:?}");
            assert!(!informal.iter().any(|w| v.contains(&w.to_string())), "{locale}/{key} formal says {informal:?}: {v:?}");
        }
    }
    // English has one "you": the voice is the tone.
    assert!(text("reminder", "en", &friendly).contains("Still thinking it over?"));
    assert!(text("reminder", "en", &formal).contains("at your convenience"));
    assert!(text("trust", "en", &formal).contains("Should you have any questions"));
    let mut out = String::new();
    for locale in LOCALES {
        for key in ["reminder", "trust", "offer.loyalty"] {
            for (voice, brand) in [("friendly", &friendly), ("formal", &formal)] {
                out.push_str(&format!("=== {locale} {key} {voice}\n{}\n", text(key, locale, brand)));
            }
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/messages-voice.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file exists (UPDATE_GOLDEN=1 writes it)");
    for (i, (got, want)) in out.lines().zip(golden.lines()).enumerate() {
        assert_eq!(got, want, "line {} of {path} differs", i + 1);
    }
    assert_eq!(out.lines().count(), golden.lines().count());
}

/// GSM-7 carries é è ù ì ò à Ç Ø ø Å å Ä Ö Ñ Ü ä ö ñ ü ß É ¿ ¡: a Spanish SMS keeps those and
/// loses only the marks GSM-7 lacks (á í ó ú ...), still one GSM-7 segment.
#[test]
fn spanish_sms_keep_every_accent_gsm7_carries_and_lose_only_the_others() {
    assert_eq!(
        sms_segments::fit_gsm7("¿Añadiste más artículos? Envío exprés, Ça, l\u{2019}été \u{2014} 12,50\u{a0}€, Œuvre, ¡sí!"),
        "¿Añadiste mas articulos? Envio exprés, Ça, l'été - 12,50 €, OEuvre, ¡si!"
    );
    // No near form: left as it is, and that SMS is counted as UCS-2, never mangled.
    assert_eq!(sms_segments::fit_gsm7("東京 Straße"), "東京 Straße");
    let (brand, facts) = (brand(), facts());
    let cart = &sample_carts()[1].1;
    let sms = |key: &str| {
        let text = compose_one(key, "es", Channel::Sms, cart, &brand, &facts, &Overrides::new()).sms.unwrap();
        assert_eq!(sms_segments::count(&text).encoding, Encoding::Gsm7, "{key}: {text}");
        text
    };
    assert!(sms("guestCheckout").contains("contraseña"), "{}", sms("guestCheckout"));
    assert!(sms("offer.expeditedShipping").contains("envio exprés gratis, codigo"), "{}", sms("offer.expeditedShipping"));
    assert!(sms("trust").contains("¿dudas?"), "{}", sms("trust"));
    assert!(sms("deliveryEstimate").contains("dias habiles"), "{}", sms("deliveryEstimate"));
    // The store's own name is fitted too, and the audit still finds it in the SMS.
    let (r, u, p, s) = links("j_0123456789abcdef.sms-1.sms.0");
    let rendered = compose(&Compose {
        channel: Channel::Sms,
        key: "reminder",
        shopper_locale: Some("es-MX"),
        store_name: Some("Café Ñandú"),
        brand: &brand,
        facts: &facts,
        overrides: &Overrides::new(),
        first_name: None,
        cart,
        offer: None,
        links: Links { recovery: &r, unsubscribe: &u, preferences: &p, short: &s },
        opt_out: true,
    });
    assert!(rendered.sms.as_deref().unwrap().starts_with("Café Ñandu: guardamos"), "{:?}", rendered.sms);
    let findings = check_rendered(&rendered, &audit::Context { store_name: Some("Café Ñandú"), ..context(None, &brand, &facts, &u, &p, &s) });
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn money_numbers_and_plurals_follow_the_locale() {
    let (brand, facts) = (brand(), facts());
    let one = cart("EUR", vec![item("Socks", None, 1, 123450)], Known::Known(0));
    let fr = compose_one("reminder", "fr-FR", Channel::Email, &one, &brand, &facts, &Overrides::new()).email.unwrap();
    assert!(fr.text.contains("1\u{202f}234,50\u{a0}€"), "{}", fr.text);
    assert!(fr.preheader.contains("ton article"), "{}", fr.preheader); // the friendly voice: tu
    let two = cart("EUR", vec![item("Socks", None, 2, 1000)], Known::Known(0));
    let de = compose_one("reminder", "de-DE", Channel::Email, &two, &brand, &facts, &Overrides::new()).email.unwrap();
    assert!(de.text.contains("20,00\u{a0}€") && de.preheader.contains("deine 2 Artikel"), "{} / {}", de.text, de.preheader);
    let formal = Brand { voice: Voice::Formal, ..brand.clone() };
    let de = compose_one("reminder", "de-DE", Channel::Email, &two, &formal, &facts, &Overrides::new()).email.unwrap();
    assert!(de.preheader.contains("Ihre 2 Artikel"), "{}", de.preheader);
    let en = compose_one("reminder", "en-US", Channel::Email, &two, &brand, &facts, &Overrides::new()).email.unwrap();
    assert!(en.text.contains("€20.00") && en.preheader.contains("your 2 items"), "{}", en.preheader);
    // SMS: no no-break spaces (they are not GSM-7).
    let sms = compose_one("freeShipping", "fr", Channel::Sms, &two, &brand, &facts, &Overrides::new()).sms.unwrap();
    assert!(sms.contains("75,00 €") && !sms.contains('\u{a0}') && !sms.contains('\u{202f}'), "{sms}");
}

#[test]
fn the_language_falls_back_from_region_to_language_to_store_default_to_english() {
    assert_eq!(pack::language_chain(Some("fr_CA"), None), ["fr-CA", "fr", "en"]);
    let (mut brand, facts) = (brand(), facts());
    let cart = &sample_carts()[0].1;
    let pt = compose_one("reminder", "pt-BR", Channel::Email, cart, &brand, &facts, &Overrides::new());
    assert_eq!(pt.locale, "en");
    brand.default_locale = Some("de".into());
    let pt = compose_one("reminder", "pt-BR", Channel::Email, cart, &brand, &facts, &Overrides::new());
    assert_eq!(pt.locale, "de");
}

// The shopper-facing bugs of issue 17, each as it was found.

fn policy() -> Policy {
    let mut p = Policy::default_policy();
    p.public_base_url = BASE.into();
    p.store_name = Some("Trailhead".into());
    p.brand = brand();
    p
}

fn send(policy: &Policy, channel: Channel, angle: Angle, locale: Option<&str>, cart: &Cart, offer: Option<&Offer>) -> rekindle::model::message::Message {
    render(Render {
        policy,
        action_id: "j_0123456789abcdef.sms-1.sms.0",
        channel,
        template: "t",
        variant: "control",
        angle,
        first_name: Some("Ada"),
        locale,
        cart,
        incentive: offer,
        first_sms: true,
    })
    .message
    .expect("passes the audit")
}

#[test]
fn a_french_shopper_gets_french_texts_and_emails() {
    let policy = policy();
    let cart = &sample_carts()[0].1;
    let sms = send(&policy, Channel::Sms, Angle::Reminder, Some("fr-FR"), cart, None);
    assert!(sms.sms.unwrap().text.contains("nous avons gardé ton article"));
    let email = send(&policy, Channel::Email, Angle::Reminder, Some("fr-FR"), cart, None).email.unwrap();
    assert_eq!(email.locale, "fr");
    assert!(email.html.contains("<html lang=\"fr-FR\">") && email.subject == "Tu as oublié quelque chose");
    let formal = Policy { brand: Brand { voice: Voice::Formal, ..brand() }, ..policy };
    let email = send(&formal, Channel::Email, Angle::Reminder, Some("fr-FR"), cart, None).email.unwrap();
    assert_eq!(email.subject, "Vous avez oublié quelque chose");
}

#[test]
fn no_product_title_is_forced_into_a_sentence_that_does_not_agree_with_it() {
    let policy = policy();
    let cart = &sample_carts()[0].1;
    let sms = send(&policy, Channel::Sms, Angle::Reminder, None, cart, None).sms.unwrap().text;
    assert!(!sms.contains("socks is waiting"), "{sms}");
    assert!(sms.contains("your item"), "{sms}");
}

#[test]
fn a_cart_is_only_said_to_be_held_when_the_merchant_holds_it() {
    let mut policy = policy();
    let cart = &sample_carts()[0].1;
    let sms = send(&policy, Channel::Sms, Angle::Urgency, None, cart, None).sms.unwrap().text;
    assert!(!sms.contains("held"), "no cartHeldHours fact: {sms}");
    policy.facts.cart_held_hours = Some(48);
    let sms = send(&policy, Channel::Sms, Angle::Urgency, None, cart, None).sms.unwrap().text;
    assert!(sms.contains("held for 48 hours"), "{sms}");
}

#[test]
fn free_returns_and_secure_checkout_are_not_claimed_for_a_store_that_never_said_so() {
    let mut policy = policy();
    policy.brand.support_email = None;
    let cart = &sample_carts()[0].1;
    for angle in [Angle::ReturnPolicy, Angle::Trust] {
        for channel in [Channel::Sms, Channel::Email] {
            let m = send(&policy, channel, angle, None, cart, None);
            let text = m.sms.map(|s| s.text).unwrap_or_else(|| m.email.unwrap().text).to_lowercase();
            assert!(!text.contains("days to") && !text.contains("returns") && !text.contains("secure"), "{angle:?}: {text}");
        }
    }
}

#[test]
fn a_shopper_who_left_over_shipping_cost_hears_about_shipping_not_trust() {
    let mut policy = policy();
    policy.facts.free_shipping_threshold_minor = Some(7500);
    let cart = &sample_carts()[0].1;
    let email = send(&policy, Channel::Email, Angle::FreeShipping, None, cart, None).email.unwrap();
    assert_eq!(email.key, "freeShipping");
    assert!(email.subject.contains("$75.00") && !email.text.to_lowercase().contains("secure"), "{}", email.subject);
}

#[test]
fn a_free_shipping_offer_shows_shipping_at_zero_and_its_code() {
    let policy = policy();
    let cart = &sample_carts()[0].1; // $8.95 shipping
    let offer = Offer { kind: IncentiveKind::FreeShipping, percent: 0, coupon_request_id: "j_0123456789abcdef.coupon".into(), expires_at: None };
    let email = send(&policy, Channel::Email, Angle::Reminder, None, cart, Some(&offer)).email.unwrap();
    assert!(email.text.contains("Shipping: Free") && !email.text.contains("$8.95"), "{}", email.text);
    assert!(email.text.contains("Total: $18.00"), "{}", email.text);
    assert!(email.text.contains(&offer.code()) && email.html.contains(&offer.code()));
}

#[test]
fn the_signed_sms_link_keeps_every_sms_in_one_segment() {
    let policy = policy();
    let cart = &sample_carts()[1].1;
    for angle in [Angle::Reminder, Angle::Value, Angle::FreeShipping, Angle::GuestCheckout, Angle::Trust, Angle::Urgency] {
        let sms = send(&policy, Channel::Sms, angle, Some("en-US"), cart, None).sms.unwrap();
        assert_eq!(sms.segments.count, 1, "{angle:?}: {}", sms.text);
    }
}

// The audit: each rule fails on a bad case and passes on a good one.

fn findings_of(part: &str, source: &str) -> Vec<Rule> {
    check_source(part, source, &facts(), &brand()).into_iter().map(|f| f.rule).collect()
}

#[test]
fn static_rules_each_fail_and_pass() {
    let cases: [(Rule, &str, &str, &str); 9] = [
        (Rule::TemplateSyntax, "subject", "Hi {{#if firstName}}", "Hi {{#if firstName}}{{firstName}}{{/if}}"),
        (Rule::UnknownVariable, "subject", "Hi {{nickname}}", "Hi {{firstName}}"),
        (Rule::UnsafeHtml, "body", "", ""),
        (Rule::PublicShortener, "sms", "see bit.ly/x", "see {{shortUrl}}"),
        (Rule::ProhibitedContent, "body", "Pairs well with wine.", "Pairs well with socks."),
        (Rule::Shouting, "subject", "BUY IT NOW", "Buy it now"),
        (Rule::ExclamationRun, "subject", "Come back!!", "Come back!"),
        (Rule::ClaimWithoutFact, "body", "", ""),
        (Rule::MissingAlt, "body", "", ""),
    ];
    for (rule, part, bad, good) in cases {
        if bad.is_empty() {
            continue; // covered with HTML or facts below
        }
        assert!(findings_of(part, bad).contains(&rule), "{rule:?} should fail {bad:?}");
        assert!(!findings_of(part, good).contains(&rule), "{rule:?} should pass {good:?}");
    }
    let layout = pack::source_parts().into_iter().find(|p| p.2 == "html").unwrap().3;
    assert!(findings_of("html", &layout).is_empty());
    for (rule, bad) in [
        (Rule::UnsafeHtml, layout.replace("<body ", "<body onload=\"x()\" ")),
        (Rule::UnsafeHtml, layout.replace("</body>", "<script>x()</script></body>")),
        (Rule::ForeignLink, layout.replace("href=\"{{recoveryUrl}}\"", "href=\"https://evil.example/\"")),
        (Rule::MissingAlt, layout.replace(" alt=\"{{title}}\"", "")),
        (Rule::MissingUnsubscribe, layout.replace("{{unsubscribeUrl}}", "{{preferencesUrl}}")),
        (Rule::MissingPreferences, layout.replace("<a href=\"{{preferencesUrl}}\"", "<a href=\"{{unsubscribeUrl}}\"").replace("{{preferencesUrl}}", "")),
        (Rule::MissingPostalAddress, layout.replace("{{postalAddress}}", "")),
    ] {
        assert!(findings_of("html", &bad).contains(&rule), "{rule:?}");
    }
    // A claim needs its fact: the same copy passes once the fact is stated.
    let no_facts = Facts::default();
    let rules = |f: &Facts| check_source("body", "{{returnDays}} days to return it", f, &brand()).into_iter().map(|f| f.rule).collect::<Vec<_>>();
    assert!(rules(&no_facts).contains(&Rule::ClaimWithoutFact));
    assert!(rules(&facts()).is_empty());
    // A category the merchant confirmed passes.
    let mut wine_shop = facts();
    wine_shop.confirmed_categories = vec!["alcohol".into()];
    assert!(check_source("body", "Pairs well with wine.", &wine_shop, &brand()).is_empty());
}

#[test]
fn rendered_rules_each_fail_and_pass() {
    let (brand, facts) = (brand(), facts());
    let cart = &sample_carts()[0].1;
    let none = Overrides::new();
    let good_sms = compose_one("reminder", "en", Channel::Sms, cart, &brand, &facts, &none);
    let good_email = compose_one("offer.freeShipping", "en", Channel::Email, cart, &brand, &facts, &none);
    assert!(audit_of("reminder", &good_sms, &brand, &facts).is_empty());
    assert!(audit_of("offer.freeShipping", &good_email, &brand, &facts).is_empty());
    let (_, u, p, s) = links("j_0123456789abcdef.sms-1.sms.0");
    let rules = |r: &Rendered, cx: &audit::Context<'_>| check_rendered(r, cx).into_iter().map(|f| f.rule).collect::<Vec<_>>();
    let offer = offer_for("offer.freeShipping");

    // SMS: brand, opt-out, segments.
    let mut sms = good_sms.clone();
    sms.sms = Some(sms.sms.unwrap().replace("Trailhead: ", ""));
    assert!(rules(&sms, &context(None, &brand, &facts, &u, &p, &s)).contains(&Rule::SmsMissingBrand));
    let mut cx = context(None, &brand, &facts, &u, &p, &s);
    cx.store_name = None;
    assert!(rules(&good_sms, &cx).contains(&Rule::SmsMissingBrand), "no storeName: no SMS");
    let mut sms = good_sms.clone();
    sms.sms = Some(sms.sms.unwrap().replace(" Reply STOP to opt out", ""));
    assert!(rules(&sms, &context(None, &brand, &facts, &u, &p, &s)).contains(&Rule::SmsMissingOptOut));
    let mut cx = context(None, &brand, &facts, &u, &p, &s);
    cx.opt_out_required = false;
    assert!(rules(&sms, &cx).is_empty(), "a later SMS of the thread may leave it out");
    let mut sms = good_sms.clone();
    sms.sms = Some(format!("{} {}", sms.sms.unwrap(), "and more words ".repeat(8)));
    assert!(rules(&sms, &context(None, &brand, &facts, &u, &p, &s)).contains(&Rule::SmsTooLong));

    // Email: unsubscribe, preferences, headers, address, subject, alt, offer.
    let cx = || context(offer.as_ref(), &brand, &facts, &u, &p, &s);
    let mut e = good_email.clone();
    let email = e.email.as_mut().unwrap();
    email.text = email.text.replace(&u, "");
    assert!(rules(&e, &cx()).contains(&Rule::MissingUnsubscribe));
    let mut e = good_email.clone();
    e.email.as_mut().unwrap().html = e.email.as_ref().unwrap().html.replace(&p, "");
    assert!(rules(&e, &cx()).contains(&Rule::MissingPreferences));
    let mut c = cx();
    c.has_list_unsubscribe = false;
    assert!(rules(&good_email, &c).contains(&Rule::MissingListUnsubscribe));
    let no_address = Brand { postal_address: None, ..brand.clone() };
    assert!(rules(&good_email, &context(offer.as_ref(), &no_address, &facts, &u, &p, &s)).contains(&Rule::MissingPostalAddress));
    let mut e = good_email.clone();
    e.email.as_mut().unwrap().subject = "x".repeat(audit::MAX_SUBJECT_CHARS + 1);
    assert!(rules(&e, &cx()).contains(&Rule::SubjectLength));
    let mut e = good_email.clone();
    e.email.as_mut().unwrap().html = e.email.as_ref().unwrap().html.replace(" alt=\"Merino hiking socks\"", "");
    assert!(rules(&e, &cx()).contains(&Rule::MissingAlt));
    let mut e = good_email.clone();
    e.totals.shipping = Some(895);
    assert!(rules(&e, &cx()).contains(&Rule::OfferMismatch), "free shipping above a total that charges it");
    let mut e = good_email.clone();
    e.email.as_mut().unwrap().html = e.email.as_ref().unwrap().html.replace("CART-ABCD2345", "");
    assert!(rules(&e, &cx()).contains(&Rule::OfferMismatch), "an offer without its code");

    // A code is capitals by design, never shouting.
    let letters = OfferTerms { code: Some("CART-EVWTLJKA".into()), ..offer.clone().unwrap() };
    let mut e = good_email.clone();
    let email = e.email.as_mut().unwrap();
    email.html = email.html.replace("CART-ABCD2345", "CART-EVWTLJKA");
    email.text = email.text.replace("CART-ABCD2345", "CART-EVWTLJKA");
    assert!(rules(&e, &context(Some(&letters), &brand, &facts, &u, &p, &s)).is_empty());

    // Urgency without the fact.
    let mut urgent = good_sms.clone();
    urgent.key = "urgency".into();
    let no_hold = Facts { cart_held_hours: None, ..facts.clone() };
    assert!(rules(&urgent, &context(None, &brand, &no_hold, &u, &p, &s)).contains(&Rule::UnsupportedUrgency));
    assert!(!rules(&urgent, &context(None, &brand, &facts, &u, &p, &s)).contains(&Rule::UnsupportedUrgency));
}

#[test]
fn overrides_are_validated_on_load_with_their_json_paths() {
    let mut p: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    p["templates"] = serde_json::json!({
        "reminder": { "fr": { "subject": "Bonjour {{nickname}}", "sms": "voir bit.ly/x" } },
        "trust": { "en": { "html": "<p onclick=\"x()\"><a href=\"https://evil.example\">go</a></p>" } },
        "nope": { "en": { "subject": "x" } }
    });
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    let paths: Vec<(String, String)> = err.problems.iter().map(|x| (x.path.clone(), x.message.clone())).collect();
    let has = |path: &str, rule: &str| paths.iter().any(|(p, m)| p == path && m.starts_with(rule));
    assert!(has("$.templates['reminder'].fr.subject", "unknownVariable"), "{paths:?}");
    assert!(has("$.templates['reminder'].fr.sms", "publicShortener"), "{paths:?}");
    assert!(has("$.templates['trust'].en.html", "unsafeHtml"), "{paths:?}");
    assert!(has("$.templates['trust'].en.html", "foreignLink"), "{paths:?}");
    assert!(has("$.templates['trust'].en.html", "missingUnsubscribe"), "{paths:?}");
    assert!(has("$.templates['nope']", "unknownVariable"), "{paths:?}");

    // A valid override is used, for its locale only.
    p["templates"] = serde_json::json!({ "reminder": { "fr": { "subject": "Votre panier vous attend, {{firstName}}" } } });
    p["storeName"] = "Trailhead".into();
    p["brand"] = serde_json::json!({ "postalAddress": "12 Canyon Rd, Boulder, CO 80302, USA" });
    let policy = Policy::from_json(&p.to_string()).unwrap();
    let cart = &sample_carts()[0].1;
    let fr = send(&policy, Channel::Email, Angle::Reminder, Some("fr"), cart, None).email.unwrap();
    assert_eq!(fr.subject, "Votre panier vous attend, Ada");
    let en = send(&policy, Channel::Email, Angle::Reminder, Some("en"), cart, None).email.unwrap();
    assert_eq!(en.subject, "You left something in your cart");
}

#[test]
fn brand_settings_are_validated() {
    let mut p: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    p["brand"] = serde_json::json!({ "color": "#ffcc00", "logoUrl": "http://x.example/l.png", "supportEmail": "nobody" });
    let err = Policy::from_json(&p.to_string()).unwrap_err();
    let paths: Vec<&str> = err.problems.iter().map(|x| x.path.as_str()).collect();
    assert!(paths.contains(&"$.brand.color") && paths.contains(&"$.brand.logoUrl") && paths.contains(&"$.brand.supportEmail"), "{paths:?}");
    let _ = check_overrides(&Overrides::new(), &facts(), &brand());
}

#[test]
fn an_email_without_a_postal_address_is_withheld_and_an_sms_without_a_store_name_skipped() {
    let mut policy = policy();
    policy.brand.postal_address = None;
    let cart = &sample_carts()[0].1;
    let r = |channel| render(Render {
        policy: &policy,
        action_id: "j_0123456789abcdef.email-1.email.0",
        channel,
        template: "t",
        variant: "control",
        angle: Angle::Reminder,
        first_name: None,
        locale: None,
        cart,
        incentive: None,
        first_sms: true,
    });
    let email = r(Channel::Email);
    assert!(email.message.as_ref().unwrap().email.is_none());
    assert!(email.withheld.unwrap().contains("missingPostalAddress"));
    policy.store_name = None;
    let sms = render(Render {
        policy: &policy,
        action_id: "j_0123456789abcdef.sms-1.sms.0",
        channel: Channel::Sms,
        template: "t",
        variant: "control",
        angle: Angle::Reminder,
        first_name: None,
        locale: None,
        cart,
        incentive: None,
        first_sms: true,
    });
    assert!(sms.message.unwrap_err().contains("smsMissingBrand"));
}

/// Golden renders: a few carts per locale, subject, text part and SMS, compared with
/// tests/golden/messages.txt (UPDATE_GOLDEN=1 writes it).
#[test]
fn golden_renders_per_locale() {
    let (brand, facts) = (brand(), facts());
    let mut out = String::new();
    let carts = sample_carts();
    for locale in LOCALES {
        for (key, (name, cart)) in [("reminder", &carts[0]), ("offer.percentOff", &carts[1]), ("returnPolicy", &carts[3])] {
            let email = compose_one(key, locale, Channel::Email, cart, &brand, &facts, &Overrides::new()).email.unwrap();
            let sms = compose_one(key, locale, Channel::Sms, cart, &brand, &facts, &Overrides::new()).sms.unwrap();
            out.push_str(&format!("=== {locale} {key} ({name})\nsubject: {}\npreheader: {}\nsms: {sms}\n{}\n", email.subject, email.preheader, email.text));
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/messages.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file exists (UPDATE_GOLDEN=1 writes it)");
    for (i, (got, want)) in out.lines().zip(golden.lines()).enumerate() {
        assert_eq!(got, want, "line {} of {path} differs", i + 1);
    }
    assert_eq!(out.lines().count(), golden.lines().count());
}

/// A merchant who renders in their provider's templates (SendGrid, Postmark, a Klaviyo flow)
/// gets the message's `data` under the pack's own variable names: every cart, offer and link
/// variable a pack template reads is there, the items with the pack's item fields. Left out:
/// the brand and facts settings, which are the merchant's own and already in their template.
#[test]
fn the_data_for_provider_templates_uses_the_pack_variable_names() {
    use rekindle::messages::compose::{ITEM_FIELDS, VARIABLES};
    const SETTINGS: [&str; 10] =
        ["logoUrl", "brandColor", "postalAddress", "supportEmail", "returnDays", "freeShippingThreshold", "deliveryMin", "deliveryMax", "heldHours", "optOut"];
    let policy = policy();
    let cart = Cart { delivery_estimate: Some("Dec 8 – Dec 11".into()), ..sample_carts()[0].1.clone() };
    let offer = Offer { kind: IncentiveKind::PercentOff, percent: 10, coupon_request_id: "j_0123456789abcdef.coupon".into(), expires_at: None };
    let email = send(&policy, Channel::Email, Angle::Reminder, Some("fr-FR"), &cart, Some(&offer)).data;
    let sms = send(&policy, Channel::Sms, Angle::Reminder, Some("fr-FR"), &cart, Some(&offer)).data;
    let (e, s) = (serde_json::to_value(&email).unwrap(), serde_json::to_value(&sms).unwrap());
    // A gift offer's own names, checked below with one.
    const GIFT_ONLY: [&str; 2] = ["giftTitle", "giftUrl"];
    for (name, _) in VARIABLES.iter().filter(|(n, _)| !SETTINGS.contains(n) && !GIFT_ONLY.contains(n)) {
        let channel_has = if *name == "shortUrl" { &s } else { &e };
        assert!(channel_has.get(name).is_some(), "data has no {name}: {e}");
    }
    let item = e["items"][0].as_object().unwrap();
    for field in ITEM_FIELDS {
        assert!(item.contains_key(field), "items[] have no {field}: {item:?}");
    }
    assert_eq!((e["lang"].as_str(), e["storeName"].as_str(), e["itemCount"].as_u64()), (Some("fr-FR"), Some("Trailhead"), Some(1)));
    assert_eq!((e["subtotal"].as_str(), e["discount"].as_str(), e["offerPercent"].as_u64()), (Some("$18.00"), Some("-$1.80"), Some(10)));
    assert_eq!((e["shipping"].as_str(), e["total"].as_str(), e["code"].as_str()), (Some("$8.95"), Some("$25.15"), Some(offer.code().as_str())));
    assert_eq!((e["shippingShown"].as_bool(), e["shippingFree"].as_bool()), (Some(true), Some(false)));
    assert_eq!(item["lineTotal"].as_str(), Some("$18.00"));
    // A free-shipping offer: the shipping the shopper pays, as the email shows it.
    let free = Offer { kind: IncentiveKind::FreeShipping, percent: 0, coupon_request_id: "j_0123456789abcdef.coupon".into(), expires_at: None };
    let f = serde_json::to_value(send(&policy, Channel::Email, Angle::Reminder, None, &cart, Some(&free)).data).unwrap();
    assert_eq!((f["shipping"].as_str(), f["shippingFree"].as_bool(), f["total"].as_str(), f.get("discount")), (Some("$0.00"), Some(true), Some("$18.00"), None));
    assert_eq!((e.get("giftTitle"), e.get("giftUrl")), (None, None), "only a gift offer names the gift");
    // A gift offer: the gift's name and page, from facts.gift.
    let gift = Offer { kind: IncentiveKind::Gift, percent: 0, coupon_request_id: "j_0123456789abcdef.coupon".into(), expires_at: None };
    let with_gift = Policy { facts: facts(), ..policy.clone() };
    let g = serde_json::to_value(send(&with_gift, Channel::Email, Angle::Reminder, None, &cart, Some(&gift)).data).unwrap();
    let stated = facts().gift.expect("the sample merchant states a gift");
    assert_eq!((g["giftTitle"].as_str(), g["giftUrl"].as_str()), (Some(stated.title.as_str()), stated.url.as_deref()));
}

/// The gift's email names the gift and says to add it to the cart (the code makes it free only
/// once it is there), in every language and voice, with the add-to-cart link; its SMS says to add it;
/// without `facts.gift` the copy stays general and no other key mentions a gift.
#[test]
fn gift_offer_names_the_gift_and_links_adding_it_in_every_locale() {
    let cart = sample_carts().remove(0).1;
    let stated = facts();
    let gift = stated.gift.clone().expect("the sample merchant states a gift");
    let url = gift.url.clone().unwrap();
    let unstated = Facts { gift: None, ..stated.clone() };
    for voice in [Voice::Friendly, Voice::Formal] {
        let b = Brand { voice, ..brand() };
        for locale in pack::LOCALES {
            let email = compose_one("offer.gift", locale, Channel::Email, &cart, &b, &stated, &Overrides::new()).email.unwrap();
            assert!(email.text.contains(&gift.title) && email.html.contains(&gift.title), "{locale} {voice:?}: {}", email.text);
            assert!(email.text.contains(&url), "{locale} {voice:?}: the text part links adding the gift");
            assert!(email.html.contains(&format!("href=\"{url}\"")), "{locale} {voice:?}: the html links adding the gift");
            let sms = compose_one("offer.gift", locale, Channel::Sms, &cart, &b, &stated, &Overrides::new()).sms.unwrap();
            // The SMS says the gift goes in the cart; its name would push it past one segment.
            let general = compose_one("offer.gift", locale, Channel::Sms, &cart, &b, &unstated, &Overrides::new()).sms.unwrap();
            assert!(sms != general && sms.contains(rekindle::messages::samples::CODE), "{locale} {voice:?}: {sms}");
            let plain = compose_one("offer.gift", locale, Channel::Email, &cart, &b, &unstated, &Overrides::new()).email.unwrap();
            assert!(!plain.text.contains(&gift.title) && !plain.text.contains("{{"), "{locale} {voice:?}: {}", plain.text);
            let other = compose_one("offer.percentOff", locale, Channel::Email, &cart, &b, &stated, &Overrides::new()).email.unwrap();
            assert!(!other.text.contains(&gift.title) && !other.html.contains(&url), "{locale}: only the gift's message names it");
        }
    }
}

#[test]
fn a_gift_fact_must_be_a_name_and_an_https_page() {
    let mut policy: serde_json::Value = serde_json::from_str(rekindle::policy::DEFAULT_POLICY).unwrap();
    policy["facts"] = serde_json::json!({ "gift": { "title": " ", "url": "http://shop.example.com/products/mug" } });
    let err = Policy::from_json(&policy.to_string()).unwrap_err();
    let paths: Vec<_> = err.problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"$.facts.gift.title") && paths.contains(&"$.facts.gift.url"), "{paths:?}");
    policy["facts"] = serde_json::json!({ "gift": { "title": "Enamel camp mug", "colour": "red" } });
    assert!(Policy::from_json(&policy.to_string()).is_err(), "unknown fields are refused");
}

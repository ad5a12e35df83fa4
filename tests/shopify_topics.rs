//! Every topic Rekindle subscribes to is one Shopify sends: checked against Shopify's
//! published topic list (tests/fixtures/shopify-topics/webhook_topics.json, with its source).
//! A misspelt topic would be answered 400 on every delivery, and Shopify removes a
//! subscription that keeps failing.

use rekindle::ingest::shopify::{self, TOPICS};
use serde_json::Value;
use std::path::PathBuf;

fn published() -> (Vec<String>, Vec<String>) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/shopify-topics/webhook_topics.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    let names = |key: &str| -> Vec<String> {
        list[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    (names("topics"), names("compliance_topics"))
}

#[test]
fn every_subscribed_topic_is_in_shopifys_published_list() {
    let (topics, compliance) = published();
    let unknown: Vec<&&str> = TOPICS
        .iter()
        .filter(|t| !topics.iter().chain(&compliance).any(|p| p == **t))
        .collect();
    assert!(unknown.is_empty(), "not Shopify topics: {unknown:?}");
}

#[test]
fn the_mandatory_compliance_topics_are_all_handled() {
    let (_, compliance) = published();
    for topic in &compliance {
        assert!(TOPICS.contains(&topic.as_str()), "{topic} is mandatory for App Store apps");
    }
}

#[test]
fn every_subscribed_topic_is_understood_by_the_normaliser() {
    // A topic in TOPICS that `normalise` does not route would fail every delivery.
    for topic in TOPICS {
        let result = shopify::normalise(topic, "w-1", "{}", "salt", chrono::DateTime::UNIX_EPOCH);
        if let Err(e) = result {
            assert_ne!(e.path(), "$.topic", "{topic} is subscribed but not handled");
        }
    }
}

#[test]
fn the_consent_topics_are_read_under_shopifys_names() {
    let sms = r#"{"id":706405506930370084,"phone":"+15125550100","sms_marketing_consent":{"state":"unsubscribed","opt_in_level":"single_opt_in","consent_updated_at":"2026-11-27T14:00:00Z","consent_collected_from":"OTHER"}}"#;
    let email = r#"{"customer_id":706405506930370084,"email_address":"ada@example.com","email_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"2026-11-27T14:00:00Z"}}"#;
    let now = chrono::DateTime::UNIX_EPOCH;
    for (topic, body) in [("customers_marketing_consent/update", sms), ("customers_email_marketing_consent/update", email)] {
        let out = shopify::normalise(topic, "w-c", body, "salt", now).unwrap();
        assert_eq!(out.routed.len(), 1, "{topic}");
        assert_eq!(out.routed[0].events[0].body.kind(), "consentChanged", "{topic}");
    }
    // The names Rekindle used to subscribe under are not Shopify's: refused, not guessed at.
    for topic in ["customers/marketing_consent_update", "customers/email_marketing_consent_update"] {
        let e = shopify::normalise(topic, "w-c", sms, "salt", now).unwrap_err();
        assert_eq!(e.path(), "$.topic");
    }
}

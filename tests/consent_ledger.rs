//! The consent ledger's transitions as one table: what is already recorded, what arrives
//! (status, source, when), what `record` answers and what the status is afterwards.
//!
//! Rules (src/compliance/consent.rs, docs/architecture.md, principles 5 and 7):
//! - a revocation wins every race, even when it is older than the last entry;
//! - a browser (the storefront, the preference-centre page) can ask for SMS consent but not
//!   grant it: its SMS grant is recorded as `Pending`;
//! - `Pending` never overrides a grant;
//! - an entry older than the newest one is ignored (late delivery), unless it revokes;
//! - the same status again, or the very same event again, changes nothing;
//! - `Unknown` says nothing was agreed or withdrawn, so it changes nothing.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use chrono::{DateTime, Duration, Utc};
use rekindle::common::channel::Channel::{self, Email, Sms};
use rekindle::compliance::consent::{ConsentEntry, ConsentLedger};
use rekindle::compliance::consent::ConsentSource::{self, *};
use rekindle::compliance::consent::ConsentStatus::{self, *};
use rekindle::compliance::consent::Transition::{self, *};

/// (status, source, minutes after a fixed instant).
type At = (ConsentStatus, ConsentSource, i64);

struct Row {
    rule: &'static str,
    channel: Channel,
    /// Entries already in the ledger, in the order they were recorded.
    before: &'static [At],
    incoming: At,
    expect: Transition,
    after: ConsentStatus,
}

const fn row(
    rule: &'static str,
    channel: Channel,
    before: &'static [At],
    incoming: At,
    expect: Transition,
    after: ConsentStatus,
) -> Row {
    Row {
        rule,
        channel,
        before,
        incoming,
        expect,
        after,
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // --- Nothing recorded yet ----------------------------------------------------------
    row("a storefront SMS grant is only a request: pending",
        Sms, &[], (Granted, Storefront, 0), DowngradedToPending, Pending),
    row("the preference centre is a web page too: its SMS grant is pending",
        Sms, &[], (Granted, PreferenceCentre, 0), DowngradedToPending, Pending),
    row("the checkout's SMS consent comes from the platform: granted",
        Sms, &[], (Granted, Checkout, 0), Recorded(Granted), Granted),
    row("a platform webhook's SMS grant: granted",
        Sms, &[], (Granted, PlatformWebhook, 0), Recorded(Granted), Granted),
    row("START texted from the number itself: granted",
        Sms, &[], (Granted, SmsKeyword, 0), Recorded(Granted), Granted),
    row("a merchant's import is the merchant's attestation: granted",
        Sms, &[], (Granted, Import, 0), Recorded(Granted), Granted),
    row("a storefront request: pending",
        Sms, &[], (Pending, Storefront, 0), Recorded(Pending), Pending),
    row("an opt-out with nothing recorded: revoked",
        Sms, &[], (Revoked, Storefront, 0), Recorded(Revoked), Revoked),
    row("unknown says nothing and records nothing",
        Sms, &[], (Unknown, PlatformWebhook, 0), Ignored, Unknown),

    // --- Blocked at the carrier (Twilio 21610): only the number itself lifts it ---------
    row("a carrier block revokes SMS",
        Sms, &[(Granted, Checkout, 0)], (Revoked, CarrierBlock, 5), Recorded(Revoked), Revoked),
    row("a new checkout opt-in cannot lift a carrier block",
        Sms, &[(Granted, Checkout, 0), (Revoked, CarrierBlock, 5)], (Granted, Checkout, 10), Ignored, Revoked),
    row("a Shopify consent webhook cannot lift a carrier block",
        Sms, &[(Revoked, CarrierBlock, 5)], (Granted, PlatformWebhook, 10), Ignored, Revoked),
    row("a storefront request cannot lift a carrier block (no double opt-in text to it)",
        Sms, &[(Revoked, CarrierBlock, 5)], (Granted, Storefront, 10), Ignored, Revoked),
    row("a merchant import cannot lift a carrier block",
        Sms, &[(Revoked, CarrierBlock, 5)], (Granted, Import, 10), Ignored, Revoked),
    row("START texted from the number lifts a carrier block",
        Sms, &[(Revoked, CarrierBlock, 5)], (Granted, SmsKeyword, 10), Recorded(Granted), Granted),

    // --- Pending (a storefront request) ------------------------------------------------
    row("the platform confirms a pending request: granted",
        Sms, &[(Pending, Storefront, 0)], (Granted, PlatformWebhook, 5), Recorded(Granted), Granted),
    row("YES to the double opt-in text: granted",
        Sms, &[(Pending, Storefront, 0)], (Granted, DoubleOptInReply, 5), Recorded(Granted), Granted),
    row("a second storefront tick while pending changes nothing",
        Sms, &[(Pending, Storefront, 0)], (Granted, Storefront, 5), Ignored, Pending),
    row("STOP while pending: revoked",
        Sms, &[(Pending, Storefront, 0)], (Revoked, SmsKeyword, 5), Recorded(Revoked), Revoked),
    row("a platform grant at the same instant as the request: granted",
        Sms, &[(Pending, Storefront, 0)], (Granted, Checkout, 0), Recorded(Granted), Granted),
    // Fail-safe asymmetry: in the other order (grant, then request) the grant stands. Here
    // the double opt-in is already under way and the shopper's YES will settle it.
    row("a platform grant older than the pending request is stale: ignored",
        Sms, &[(Pending, Storefront, 10)], (Granted, PlatformWebhook, 5), Ignored, Pending),

    // --- Granted (by the platform) -----------------------------------------------------
    row("pending after granted changes nothing",
        Sms, &[(Granted, PlatformWebhook, 0)], (Pending, Storefront, 5), Ignored, Granted),
    row("a storefront SMS grant after a platform grant changes nothing",
        Sms, &[(Granted, PlatformWebhook, 0)], (Granted, Storefront, 5), Ignored, Granted),
    row("the same status again changes nothing",
        Sms, &[(Granted, PlatformWebhook, 0)], (Granted, Checkout, 5), Ignored, Granted),
    row("an opt-out from the browser still wins: revoked",
        Sms, &[(Granted, PlatformWebhook, 0)], (Revoked, Storefront, 5), Recorded(Revoked), Revoked),
    row("STOP after granted: revoked",
        Sms, &[(Granted, PlatformWebhook, 0)], (Revoked, SmsKeyword, 5), Recorded(Revoked), Revoked),
    row("a revocation wins even when older than the last entry",
        Sms, &[(Granted, PlatformWebhook, 10)], (Revoked, SmsKeyword, 5), Recorded(Revoked), Revoked),
    row("unknown after granted changes nothing",
        Sms, &[(Granted, PlatformWebhook, 0)], (Unknown, Import, 5), Ignored, Granted),

    // --- Revoked -----------------------------------------------------------------------
    row("a stale grant older than the revocation: ignored",
        Sms, &[(Revoked, SmsKeyword, 10)], (Granted, PlatformWebhook, 5), Ignored, Revoked),
    row("a stale storefront request older than the revocation: ignored",
        Sms, &[(Revoked, SmsKeyword, 10)], (Pending, Storefront, 5), Ignored, Revoked),
    row("START after STOP: granted",
        Sms, &[(Revoked, SmsKeyword, 0)], (Granted, SmsKeyword, 5), Recorded(Granted), Granted),
    row("a storefront tick after STOP is ignored: only START from the number re-subscribes it",
        Sms, &[(Revoked, SmsKeyword, 0)], (Granted, Storefront, 5), Ignored, Revoked),
    row("a storefront tick after an unsubscribe link asks again: pending",
        Sms, &[(Revoked, Unsubscribe, 0)], (Granted, Storefront, 5), DowngradedToPending, Pending),
    row("revoked again changes nothing",
        Sms, &[(Revoked, SmsKeyword, 0)], (Revoked, Unsubscribe, 5), Ignored, Revoked),

    // --- Out of order: a late revocation sits last but is not the newest ---------------
    row("a redelivered grant cannot undo a late revocation",
        Sms, &[(Granted, PlatformWebhook, 10), (Revoked, SmsKeyword, 5)],
        (Granted, PlatformWebhook, 10), Ignored, Revoked),
    row("a grant older than the newest entry stays stale behind a late revocation",
        Sms, &[(Granted, PlatformWebhook, 10), (Revoked, SmsKeyword, 5)],
        (Granted, Checkout, 7), Ignored, Revoked),
    row("a grant newer than every entry after a late revocation: granted",
        Sms, &[(Granted, PlatformWebhook, 10), (Revoked, SmsKeyword, 5)],
        (Granted, SmsKeyword, 15), Recorded(Granted), Granted),
    row("a redelivered STOP cannot undo a later START",
        Sms, &[(Revoked, SmsKeyword, 0), (Granted, SmsKeyword, 10)],
        (Revoked, SmsKeyword, 0), Ignored, Granted),

    // --- Email: principle 5 is about SMS --------------------------------------------------
    // An SMS grant from a browser could start texts to a number anyone typed in (SMS pumping,
    // harassment), and US carriers want SMS consent confirmed; an email grant from the page
    // is ordinary opt-in, and every email carries a one-click unsubscribe.
    row("email: a storefront grant is a grant",
        Email, &[], (Granted, Storefront, 0), Recorded(Granted), Granted),
    row("email: a preference-centre grant is a grant",
        Email, &[(Revoked, Unsubscribe, 0)], (Granted, PreferenceCentre, 5), Recorded(Granted), Granted),
    row("email: a storefront grant after pending: granted",
        Email, &[(Pending, Storefront, 0)], (Granted, Storefront, 5), Recorded(Granted), Granted),
    row("email: pending after granted changes nothing",
        Email, &[(Granted, Storefront, 0)], (Pending, Storefront, 5), Ignored, Granted),
    row("email: an unsubscribe revokes",
        Email, &[(Granted, Checkout, 0)], (Revoked, Unsubscribe, 5), Recorded(Revoked), Revoked),
    row("email: a suppression revokes even when older",
        Email, &[(Granted, Checkout, 10)], (Revoked, Suppression, 5), Recorded(Revoked), Revoked),
    row("email: a stale grant is ignored",
        Email, &[(Revoked, Unsubscribe, 10)], (Granted, Storefront, 5), Ignored, Revoked),
];

fn instant(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-10T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::minutes(minutes)
}

fn entry((status, source, minutes): At) -> ConsentEntry {
    ConsentEntry {
        status,
        source,
        at: instant(minutes),
        text_version: None,
        evidence_hash: None,
        jurisdiction: None,
    }
}

fn other(channel: Channel) -> Channel {
    match channel {
        Email => Sms,
        Sms => Email,
    }
}

#[test]
fn every_transition_follows_the_table() {
    let mut failures = Vec::new();
    for row in ROWS {
        let mut ledger = ConsentLedger::default();
        for at in row.before {
            // Written directly: the table states what is recorded, however it got there.
            let entries = match row.channel {
                Email => &mut ledger.email,
                Sms => &mut ledger.sms,
            };
            entries.push(entry(*at));
        }
        let before = ledger.entries(row.channel).len();
        let got = ledger.record(row.channel, entry(row.incoming));
        let status = ledger.status(row.channel);
        let entries = ledger.entries(row.channel);
        let appended = entries.len() - before;
        let expected_appended = usize::from(row.expect != Ignored);
        if got != row.expect || status != row.after || appended != expected_appended {
            failures.push(format!(
                "{}: got {got:?} -> {status:?} ({appended} appended), want {:?} -> {:?}",
                row.rule, row.expect, row.after
            ));
        }
        if appended == 1 && entries.last().map(|e| e.status) != Some(row.after) {
            failures.push(format!(
                "{}: the appended entry is not {:?}",
                row.rule, row.after
            ));
        }
        if !ledger.entries(other(row.channel)).is_empty() {
            failures.push(format!("{}: the other channel changed", row.rule));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn only_sources_a_browser_controls_are_downgraded_and_only_for_sms() {
    const ALL: [ConsentSource; 10] = [
        Storefront,
        PreferenceCentre,
        Checkout,
        PlatformWebhook,
        SmsKeyword,
        DoubleOptInReply,
        Import,
        Unsubscribe,
        Suppression,
        CarrierBlock,
    ];
    for source in ALL {
        // Exhaustive on purpose: a new source must be classified here.
        let client_side = match source {
            Storefront | PreferenceCentre => true,
            Checkout | PlatformWebhook | SmsKeyword | DoubleOptInReply | Import | Unsubscribe
            | Suppression | CarrierBlock => false,
        };
        assert_eq!(source.is_client_side(), client_side, "{source:?}");
        for channel in [Email, Sms] {
            let mut ledger = ConsentLedger::default();
            let got = ledger.record(channel, entry((Granted, source, 0)));
            let want = if channel == Sms && client_side {
                DowngradedToPending
            } else {
                Recorded(Granted)
            };
            assert_eq!(got, want, "{channel:?} {source:?}");
            assert_eq!(ledger.allows(channel), want == Recorded(Granted));
        }
    }
}

//! The beacon: the only thing the storefront sends. A small derived summary as engine events
//! (`Event::from_json` parses every one), redacted by consent, never the raw signal stream.
//! The contract is written down in js-shim/storefront/BEACON.md.

use super::page_consent;
use super::session::{Session, Settings};
use super::signals::Summary;
use crate::common::cart::{Cart, Stage};
use crate::common::channel::Channel;
use crate::common::contact_details::ContactDetails;
use crate::common::money::Known;
use crate::common::reason::ReasonSignal;
use crate::compliance::consent::{ConsentSource, ConsentStatus};
use serde::Serialize;

pub const VERSION: u8 = 1;

/// The request body: `{"v":1,"anonymousId":"...","events":[...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Beacon {
    pub v: u8,
    pub anonymous_id: String,
    pub events: Vec<BeaconEvent>,
}

/// One engine event. `id` is `<anonymousId>.<n>`: unique, and the same on every retry, so
/// the server drops repeats; `at` is RFC 3339, UTC, millisecond precision. (Each variant
/// repeats them rather than `#[serde(flatten)]`, which costs the wasm a buffering serializer.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BeaconEvent {
    Abandoned {
        id: String,
        at: String,
        origin: &'static str,
        cart: Cart,
        contact: ContactDetails,
        reasons: Vec<ReasonSignal>,
    },
    ConsentChanged {
        id: String,
        at: String,
        channel: Channel,
        status: ConsentStatus,
        source: ConsentSource,
        #[serde(skip_serializing_if = "Option::is_none")]
        text_version: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
    },
}

/// What the session has to tell now, if anything; records what it told so it is said once.
pub fn build(
    session: &mut Session,
    settings: &Settings,
    summary: &Summary,
    now_ms: f64,
    anonymous_id: &str,
) -> Option<Beacon> {
    let at = rfc3339_utc(now_ms);
    let next_id = |session: &mut Session| {
        session.sequence += 1;
        format!("{anonymous_id}.{}", session.sequence)
    };
    let mut events = Vec::new();
    // Consent first: the server records it before planning on the abandonment. Consent
    // changes carry no personal data and are the shopper's own instruction: always told.
    for channel in [Channel::Email, Channel::Sms] {
        let Some(choice) = session.consent.channel(channel).cloned() else {
            continue;
        };
        let told = match channel {
            Channel::Email => &mut session.reported_email,
            Channel::Sms => &mut session.reported_sms,
        };
        if *told != Some(choice.granted) {
            *told = Some(choice.granted);
            let (status, source) = page_consent::reported_status(&choice);
            events.push(BeaconEvent::ConsentChanged {
                id: next_id(session),
                at: at.clone(),
                channel,
                status,
                source,
                text_version: choice.text_version.or_else(|| settings.text_version.clone()),
                evidence: choice.evidence,
            });
        }
    }
    if summary.abandoned && session.consent.analytics_allowed(settings.consent_required) {
        if let Some((cart, contact)) = abandonment(session, settings, summary, anonymous_id) {
            events.push(BeaconEvent::Abandoned {
                id: next_id(session),
                at,
                origin: "storefront",
                cart,
                contact,
                reasons: summary.reasons.clone(),
            });
        }
    }
    (!events.is_empty()).then(|| Beacon {
        v: VERSION,
        anonymous_id: anonymous_id.to_string(),
        events,
    })
}

/// The cart and the contact hints consent lets go, unless this was told already.
fn abandonment(
    session: &mut Session,
    settings: &Settings,
    summary: &Summary,
    anonymous_id: &str,
) -> Option<(Cart, ContactDetails)> {
    let draft = session.cart.as_ref().filter(|c| !c.items.is_empty())?;
    let token = draft
        .token
        .clone()
        .unwrap_or_else(|| format!("sf-{anonymous_id}"));
    let personal = session
        .consent
        .personal_data_allowed(settings.consent_required);
    let known = &session.contact;
    let identified = personal && (known.email.is_some() || known.phone.is_some());
    // Told once per cart, set of reasons and whether it says who: an idle beacon then a tab
    // switch is one story; a consent that lets the email go makes it a new one.
    let mut told = token.clone();
    for signal in &summary.reasons {
        told.push('|');
        told.push_str(signal.reason.as_str());
    }
    if identified {
        told.push_str("|identified");
    }
    if session.reported.as_deref() == Some(told.as_str()) {
        return None;
    }
    let cart = Cart {
        shop_currency: None,
        shop_subtotal: None,
        token,
        stage: summary.stage.unwrap_or(Stage::Cart),
        currency: draft.currency.clone(),
        items: draft.items.clone(),
        shipping: session.shipping_minor.map_or(Known::Unknown, Known::Known),
        tax: Known::Unknown,
        recovery_url: draft
            .recovery_url
            .clone()
            .or_else(|| settings.recovery_url.clone())
            .or_else(|| session.page_url.clone())
            .unwrap_or_default(),
        delivery_estimate: None,
    };
    let hint = |value: &Option<String>| value.clone().filter(|_| personal);
    let contact = ContactDetails {
        email: hint(&known.email),
        phone: hint(&known.phone),
        first_name: hint(&known.first_name),
        time_zone: known.time_zone.clone(),
        region: known.region.clone(),
        locale: known.locale.clone(),
        returning: None,
        mobile: known.mobile,
    };
    session.reported = Some(told);
    Some((cart, contact))
}

/// `2026-11-27T15:00:00.000Z` from epoch milliseconds, without a date library in the
/// storefront build (civil-from-days, H. Hinnant's algorithm).
pub fn rfc3339_utc(epoch_ms: f64) -> String {
    let ms = epoch_ms.max(0.0) as i64;
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::rfc3339_utc;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339_utc(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(1_795_791_600_123.0), "2026-11-27T15:00:00.123Z");
        assert_eq!(rfc3339_utc(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    }
}

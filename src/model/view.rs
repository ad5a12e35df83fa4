//! A shopper as the merchant's console shows them (issue 19): what the stored state says about
//! them, with the addresses masked. The console needs to recognise a shopper, not to read
//! their address; it needs their carts by product, their sends, consent history with its
//! sources, preferences, pauses and support exceptions. Never the seen-event fingerprints,
//! caps' bookkeeping or anything else only the engine reads.

use super::contact::{Hold, OpenTicket, Preferences};
use super::journey::{Journey, JourneyStatus, OrderOutcome, PlannedSend};
use super::state::State;
use crate::common::cart::LineItem;
use crate::common::channel::Channel;
use crate::compliance::consent::ConsentLedger;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopperView<'a> {
    pub contact_id: &'a str,
    pub first_name: Option<&'a str>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub time_zone: Option<&'a str>,
    pub region: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub erased: bool,
    pub preferences: &'a Preferences,
    pub paused: Option<&'a Hold>,
    pub support_exceptions: &'a [OpenTicket],
    pub consent: &'a ConsentLedger,
    pub suppressed: &'a [Channel],
    pub journeys: Vec<JourneyView<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JourneyView<'a> {
    pub id: &'a str,
    /// What the console calls it: its products ("Merino wool socks ×2 and 1 more").
    pub name: String,
    pub status: JourneyStatus,
    pub playbook: &'a str,
    pub policy_version: &'a str,
    pub abandoned_at: DateTime<Utc>,
    pub currency: &'a str,
    pub subtotal_minor: i64,
    pub items: &'a [LineItem],
    pub holdout: bool,
    pub paused: Option<&'a Hold>,
    pub order_outcome: Option<OrderOutcome>,
    pub recovered_minor: Option<i64>,
    pub sends: &'a [PlannedSend],
}

impl<'a> ShopperView<'a> {
    pub fn of(state: &'a State) -> Self {
        let c = &state.contact;
        ShopperView {
            contact_id: &c.id,
            first_name: c.first_name.as_deref(),
            email: c.email.as_deref().map(mask_email),
            phone: c.phone.as_deref().map(mask_phone),
            time_zone: c.time_zone.as_deref(),
            region: c.region.as_deref(),
            locale: c.locale.as_deref(),
            erased: c.erased,
            preferences: &c.preferences,
            paused: c.operator_pause.as_ref(),
            support_exceptions: &c.open_tickets,
            consent: &c.consent,
            suppressed: &c.suppressed,
            journeys: state.journeys.iter().map(JourneyView::of).collect(),
        }
    }
}

impl<'a> JourneyView<'a> {
    fn of(j: &'a Journey) -> Self {
        JourneyView {
            id: &j.id,
            name: products(&j.cart.items),
            status: j.status,
            playbook: &j.playbook,
            policy_version: &j.policy_version,
            abandoned_at: j.abandoned_at,
            currency: &j.cart.currency,
            subtotal_minor: j.cart.subtotal().minor,
            items: &j.cart.items,
            holdout: j.holdout,
            paused: j.paused.as_ref(),
            order_outcome: j.order_outcome,
            recovered_minor: j.recovered_minor,
            sends: &j.sends,
        }
    }
}

/// "Merino wool socks ×2", "… and 2 more": a cart named by what is in it.
pub fn products(items: &[LineItem]) -> String {
    let Some(first) = items.first() else { return "an empty cart".to_string() };
    let mut name = first.title.clone();
    if first.quantity > 1 {
        name.push_str(&format!(" ×{}", first.quantity));
    }
    if items.len() > 1 {
        name.push_str(&format!(" and {} more", items.len() - 1));
    }
    name
}

/// "a•••@example.com": enough to tell two shoppers apart on the phone, not to write to them.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".to_string(),
    }
}

/// "+1•••••••0100" keeps the country code's first digit and the last four.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 6 {
        return "•••".to_string();
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "•".repeat(chars.len() - 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_to_recognise_not_to_reach() {
        assert_eq!(mask_email("ada@example.com"), "a•••@example.com");
        assert_eq!(mask_phone("+15125550100"), "+1••••••0100");
        assert_eq!(mask_phone("+1"), "•••");
    }
}

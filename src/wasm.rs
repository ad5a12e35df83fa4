//! The JS surface, and the only file that knows about wasm-bindgen (the Intl time-zone
//! backend aside). Inputs arrive as JSON text, which is what stores, beacons and webhooks
//! already hold, and what lets Rust parse Shopify's 64-bit ids exactly (a webhook's or a
//! beacon's body as its bytes). Outputs are JSON text too, parsed by the loader with the
//! host's `JSON.parse`; the persisted state stays an opaque JSON string for the store.
//!
//! A broken contract throws a JS `Error` named `RekindleError` with a stable `code`, the
//! JSON `path` of the first bad field, and every `problems` entry. Business outcomes (skip,
//! defer) are data, never exceptions.

use crate::error::Error;
#[cfg(not(feature = "server"))]
use crate::storefront::signals::{self, Observations, Thresholds};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An ingest's answer as JSON text, which the loader parses with the host's native
/// `JSON.parse`: building it as JS objects field by field (serde-wasm-bindgen) was ~12% of a
/// Shopify webhook's ingest, one boundary call per field (BENCHMARKS.md, issue 20). An integer
/// `JSON.parse` would round (past 2^53) is refused, as that serializer refused it: the input's
/// fault, never a silently different number.
#[cfg(all(feature = "server", not(feature = "report-module")))]
fn to_js<T: Serialize>(value: &T) -> Result<String, JsValue> {
    let mut text = Vec::with_capacity(1024);
    value
        .serialize(&mut serde_json::Serializer::with_formatter(&mut text, SafeIntegers))
        .map_err(|e| plain_error(&e.to_string()))?;
    Ok(String::from_utf8(text).expect("serde_json writes UTF-8"))
}

/// serde_json's compact output, with integers limited to what a JS number holds exactly.
#[cfg(all(feature = "server", not(feature = "report-module")))]
struct SafeIntegers;

#[cfg(all(feature = "server", not(feature = "report-module")))]
impl SafeIntegers {
    const MAX: u128 = (1 << 53) - 1;

    fn check(magnitude: u128) -> std::io::Result<()> {
        if magnitude <= Self::MAX {
            Ok(())
        } else {
            Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "an integer past 2^53 cannot reach JavaScript exactly"))
        }
    }
}

#[cfg(all(feature = "server", not(feature = "report-module")))]
impl serde_json::ser::Formatter for SafeIntegers {
    fn write_i64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: i64) -> std::io::Result<()> {
        Self::check(value.unsigned_abs().into())?;
        serde_json::ser::CompactFormatter.write_i64(writer, value)
    }

    fn write_u64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: u64) -> std::io::Result<()> {
        Self::check(value.into())?;
        serde_json::ser::CompactFormatter.write_u64(writer, value)
    }

    fn write_i128<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: i128) -> std::io::Result<()> {
        Self::check(value.unsigned_abs())?;
        serde_json::ser::CompactFormatter.write_i128(writer, value)
    }

    fn write_u128<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: u128) -> std::io::Result<()> {
        Self::check(value)?;
        serde_json::ser::CompactFormatter.write_u128(writer, value)
    }
}

/// A plain JS `Error`, for failures that are not a broken input contract (those `throw`).
fn plain_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn throw(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("RekindleError");
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&js, &key.into(), &value);
    };
    set("code", error.code().as_str().into());
    set("path", error.path().into());
    // As JSON text parsed by JS, not through serde-wasm-bindgen: the storefront wasm then
    // carries one serializer, serde_json's (BENCHMARKS.md, issue 20).
    let problems = json_text(&error.problems).ok().and_then(|text| js_sys::JSON::parse(&text).ok());
    set("problems", problems.unwrap_or(JsValue::NULL));
    js.into()
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// Which build this is: "server" (the whole engine), "report" (the report's own module) or
/// "storefront" (signals only).
#[wasm_bindgen]
pub fn build() -> String {
    if cfg!(feature = "report-module") {
        "report"
    } else if cfg!(feature = "server") {
        "server"
    } else {
        "storefront"
    }
    .to_string()
}

/// Storefront: reduce observed friction signals to an abandonment summary, as JSON text (the
/// loader parses it: serde_json writes the state and beacon already, and a second serializer
/// for JS objects was bytes every page downloads).
#[cfg(not(feature = "server"))]
#[wasm_bindgen(js_name = summariseSignals)]
pub fn summarise_signals(
    observations: &str,
    thresholds: Option<String>,
) -> Result<String, JsValue> {
    let obs = Observations::from_json(observations).map_err(throw)?;
    let thresholds = match thresholds {
        Some(text) => Thresholds::from_json(&text).map_err(throw)?,
        None => Thresholds::default(),
    };
    storefront_json(&signals::summarise(&obs, &thresholds))
}

/// Storefront: fold a batch of page observations (`[[atMs, observation], ...]`) into the
/// session (`state`: the opaque JSON from the last step, or null) and say what to send now.
/// Returns `{ state, summary, beacon?, recheckInMs?, rejected }` as JSON text.
#[cfg(not(feature = "server"))]
#[wasm_bindgen(js_name = captureStep)]
pub fn capture_step(
    state: Option<String>,
    settings: &str,
    observations: &str,
    now: f64,
    anonymous_id: &str,
) -> Result<String, JsValue> {
    let settings = crate::storefront::session::Settings::from_json(settings).map_err(throw)?;
    let step =
        crate::storefront::capture::step_json(state.as_deref(), &settings, observations, now, anonymous_id)
            .map_err(throw)?;
    storefront_json(&step)
}

#[cfg(not(feature = "server"))]
fn storefront_json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    json_text(value).map_err(|e| plain_error(&e.to_string()))
}

/// JSON text: the storefront build's own writer (no serde_json serializer in the wasm every
/// shop page loads), serde_json's in the server's, which carries it anyway.
#[cfg(not(feature = "server"))]
fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, crate::storefront::json::write::Unwritable> {
    crate::storefront::json::to_string(value)
}

#[cfg(feature = "server")]
fn json_text<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value)
}

/// Benchmark helper: carries a string into wasm and JSON text back (as the ingest functions
/// answer), doing nothing else, so the JS↔wasm boundary cost of an event can be measured
/// apart from the engine's work.
#[cfg(all(feature = "server", not(feature = "report-module")))]
#[wasm_bindgen(js_name = boundaryProbe)]
pub fn boundary_probe(event: &str) -> Result<String, JsValue> {
    #[derive(Serialize)]
    struct Echo {
        bytes: usize,
    }
    to_js(&Echo { bytes: event.len() })
}

/// Panics inside the engine on purpose, so hosts can prove their trap recovery works.
#[wasm_bindgen(js_name = debugTrap)]
pub fn debug_trap() {
    panic!("debugTrap: deliberate panic to exercise trap recovery");
}

/// `now` from JS: epoch milliseconds, or a typed error at `$.now`.
#[cfg(feature = "server")]
fn millis(now: f64) -> Result<chrono::DateTime<chrono::Utc>, JsValue> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now as i64).ok_or_else(|| {
        throw(crate::Error::new(
            crate::Code::InvalidTimestamp,
            "$.now",
            "not a valid epoch-milliseconds time",
        ))
    })
}

/// Reports cross as JSON text, parsed by the loader: serde_json writes them already (the
/// decision's output), where building JS objects field by field would add code per type.
#[cfg(feature = "report-module")]
fn json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| plain_error(&e.to_string()))
}

/// The report's own wasm (feature `report-module`, scripts/build.mjs): what only operators
/// run, which no decision, webhook or tick needs: the merchant's report over the outcome log
/// and its roll-ups, the console's shopper view and funnel, and a playbook's validation as
/// the operator API publishes it. Loaded only by `GET /report`, the console, the operator API
/// and the hourly roll-up (BENCHMARKS.md, issue 20). Edge requests still validate the
/// playbook they decide under (`Engine::new`): that is `Policy::from_json`, shared; what moved
/// here is only the normalised playbook written back out for the operator.
#[cfg(feature = "report-module")]
pub mod report {
    use super::{json, millis, throw};
    use crate::model::state::State;
    use serde::Serialize;
    use wasm_bindgen::prelude::*;

    /// Validate a playbook; returns it normalised (defaults filled in), as JSON.
    #[wasm_bindgen(js_name = validatePolicy)]
    pub fn validate_policy(policy: &str) -> Result<String, JsValue> {
        json(&crate::policy::Policy::from_json(policy).map_err(throw)?)
    }

    /// The recovery funnel over contacts' stored states (a JSON array of the state strings), as JSON.
    #[wasm_bindgen]
    pub fn funnel(states: &str) -> Result<String, JsValue> {
        let texts: Vec<String> = crate::error::parse_json(states).map_err(throw)?;
        let states = texts.iter().map(|t| State::from_json(t)).collect::<crate::Result<Vec<_>>>().map_err(throw)?;
        json(&crate::metrics::funnel(&states))
    }

    /// The console's view of a stored state (src/model/view.rs), as JSON: addresses masked,
    /// carts named by their products, sends, consent history, pauses and exceptions.
    #[wasm_bindgen(js_name = shopperView)]
    pub fn shopper_view(state: &str) -> Result<String, JsValue> {
        let state = State::from_json(state).map_err(throw)?;
        json(&crate::model::view::ShopperView::of(&state))
    }

    fn log_and_options(log: &str, options: Option<String>) -> Result<(crate::measurement::Log, crate::measurement::Options), JsValue> {
        let log = crate::measurement::parse_log(log).map_err(throw)?;
        let options = match options {
            Some(text) => crate::measurement::Options::from_json(&text).map_err(throw)?,
            None => crate::measurement::Options::default(),
        };
        Ok((log, options))
    }

    /// The report over an outcome log (`{ outcomes, rollups }` as JSON), as JSON: treated and
    /// held-out figures, the lift with its intervals, experiments (src/measurement).
    #[wasm_bindgen]
    pub fn report(log: &str, options: Option<String>) -> Result<String, JsValue> {
        let (log, options) = log_and_options(log, options)?;
        json(&crate::measurement::report(&log, &options))
    }

    /// One dimension's roll-up (playbook, version, pilot, day, week, step, channel, angle,
    /// variant), as JSON.
    #[wasm_bindgen]
    pub fn rollup(log: &str, dimension: &str, options: Option<String>) -> Result<String, JsValue> {
        let dimension = crate::measurement::Dimension::parse(dimension).map_err(throw)?;
        let (log, options) = log_and_options(log, options)?;
        json(&crate::measurement::rollup(&log, dimension, &options))
    }

    /// Every dimension's roll-up as CSV.
    #[wasm_bindgen(js_name = reportCsv)]
    pub fn report_csv(log: &str, options: Option<String>) -> Result<String, JsValue> {
        let (log, options) = log_and_options(log, options)?;
        Ok(crate::measurement::to_csv(&crate::measurement::rollups(&log, &options)))
    }

    #[derive(Serialize)]
    struct Compacted<'a> {
        rollups: &'a crate::measurement::Rollups,
        journeys: Vec<&'a str>,
        /// Message records dropped past retention: worth writing even with nothing to fold.
        forgotten: usize,
    }

    /// Fold the lines of journeys abandoned before `before` (epoch ms) into the daily roll-ups,
    /// keeping their messages' records from `keepMessagesFrom` (epoch ms; the engine's
    /// `messagesKeptForMs` before now) on. Returns `{ rollups, journeys }` as JSON: the roll-ups
    /// to keep in place of the old ones, and the journeys whose lines the store may now drop.
    #[wasm_bindgen(js_name = compactOutcomes)]
    pub fn compact_outcomes(log: &str, before: f64, keep_messages_from: Option<f64>) -> Result<String, JsValue> {
        let (log, _) = log_and_options(log, None)?;
        let forget = keep_messages_from.map(millis).transpose()?;
        let compacted = crate::measurement::compact(&log, millis(before)?, forget);
        let mut seen: std::collections::HashSet<&str> = compacted.outcomes.iter().map(|o| o.journey.as_str()).collect();
        // Each rolled-up journey once (`insert` is false for one kept or already listed).
        let journeys: Vec<&str> = log.outcomes.iter().map(|o| o.journey.as_str()).filter(|j| seen.insert(j)).collect();
        let forgotten = forget.map_or(0, |cut| log.rollups.messages.iter().filter(|m| m.at < cut).count());
        json(&Compacted { rollups: &compacted.rollups, journeys, forgotten })
    }

    /// "Why this message": the record of the send `actionId` (`src/measurement`), as JSON, or
    /// `null` when the log has none.
    #[wasm_bindgen(js_name = messageRecord)]
    pub fn message_record(log: &str, action_id: &str) -> Result<String, JsValue> {
        let (log, _) = log_and_options(log, None)?;
        json(&crate::measurement::message(&log, action_id))
    }
}

/// The decision engine's bindings: everything an edge request needs.
#[cfg(all(feature = "server", not(feature = "report-module")))]
pub mod server {
    use super::{millis, plain_error, throw, to_js};
    use crate::engine;
    use crate::model::event::Event;
    use crate::policy::Policy;
    use crate::recent_states::RecentStates;
    use crate::model::state::State;
    use chrono::{DateTime, Utc};
    use serde::Serialize;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    /// The index key an operator's search resolves (`by`: email, phone, order, checkout).
    /// Kept here although only the console searches: it reaches little of its own (1.9 KB),
    /// but in the operator's module it would copy the phone engine there (BENCHMARKS.md).
    #[wasm_bindgen(js_name = lookupKey)]
    pub fn lookup_key(by: &str, value: &str, salt: &str, region: Option<String>) -> Result<String, JsValue> {
        crate::ingest::lookup_key(by, value, salt, region.as_deref()).map_err(throw)
    }

    #[wasm_bindgen(js_name = defaultPolicy)]
    pub fn default_policy() -> String {
        crate::policy::DEFAULT_POLICY.to_string()
    }

    /// Provider payloads → routed engine events (src/ingest), answered as JSON text. Bodies
    /// arrive raw, so 64-bit ids are read exactly; Shopify's as the very bytes whose signature
    /// was checked (copied in, not decoded to a JS string and encoded again: issue 20), read
    /// as UTF-8 as a `TextDecoder` would (a bad sequence becomes U+FFFD).
    #[wasm_bindgen(js_name = ingestShopify)]
    pub fn ingest_shopify(
        topic: &str,
        webhook_id: &str,
        body: &[u8],
        salt: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let body = String::from_utf8_lossy(body);
        let ingested =
            crate::ingest::shopify::normalise(topic, webhook_id, &body, salt, millis(now)?)
                .map_err(throw)?;
        to_js(&ingested)
    }

    /// What the ledger found for the provider message ids an ingest listed in `wanted`: a
    /// JSON object `{ <id>: { contactId, actionId } }`, or undefined before the lookup.
    fn sent_messages(sent: Option<String>) -> Result<Option<crate::ingest::SentMessages>, JsValue> {
        sent.map(|text| crate::ingest::read_sent_messages(&text).map_err(throw)).transpose()
    }

    /// `kind`: "inbound" (an SMS from a shopper) or "status" (a delivery report).
    /// `params` and `query`: JSON objects of the form fields and of the URL's query.
    #[wasm_bindgen(js_name = ingestTwilio)]
    pub fn ingest_twilio(
        kind: &str,
        params: &str,
        query: &str,
        salt: &str,
        now: f64,
        sent: Option<String>,
    ) -> Result<String, JsValue> {
        use crate::ingest::twilio;
        let params = twilio::read_params(params).map_err(throw)?;
        let query = twilio::read_params(query).map_err(throw)?;
        let sent = sent_messages(sent)?;
        let ingested = match kind {
            "inbound" => twilio::inbound(&params, salt, millis(now)?),
            "status" => twilio::status(&params, &query, sent.as_ref(), salt, millis(now)?),
            other => Err(crate::Error::new(
                crate::Code::UnknownEventType,
                "$.kind",
                format!("unknown Twilio webhook {other:?}"),
            )),
        }
        .map_err(throw)?;
        to_js(&ingested)
    }

    #[wasm_bindgen(js_name = ingestSendgrid)]
    pub fn ingest_sendgrid(body: &str, sent: Option<String>) -> Result<String, JsValue> {
        let sent = sent_messages(sent)?;
        to_js(&crate::ingest::sendgrid::normalise(body, sent.as_ref()).map_err(throw)?)
    }

    /// Segments of an SMS as carriers count them, for text changed after the engine counted it
    /// (the shim signs links at dispatch).
    #[wasm_bindgen(js_name = smsSegments)]
    pub fn sms_segments(text: &str) -> Result<String, JsValue> {
        to_js(&crate::compliance::sms_segments::count(text))
    }

    #[wasm_bindgen(js_name = ingestPostmark)]
    pub fn ingest_postmark(body: &str, now: f64, sent: Option<String>) -> Result<String, JsValue> {
        let sent = sent_messages(sent)?;
        to_js(&crate::ingest::postmark::normalise(body, sent.as_ref(), millis(now)?).map_err(throw)?)
    }

    /// A storefront beacon's bytes, read as `ingestShopify` reads a webhook's.
    #[wasm_bindgen(js_name = ingestBeacon)]
    pub fn ingest_beacon(body: &[u8], salt: &str) -> Result<String, JsValue> {
        to_js(&crate::ingest::beacon::normalise(&String::from_utf8_lossy(body), salt).map_err(throw)?)
    }

    /// Where a tracked recovery link for `action_id` leads: the cart's own recovery URL, read
    /// from the stored state (which only the engine reads). None if no journey sent it.
    #[wasm_bindgen(js_name = recoveryUrl)]
    pub fn recovery_url(state: &str, action_id: &str) -> Result<Option<String>, JsValue> {
        let state = State::from_json(state).map_err(throw)?;
        Ok(state
            .journeys
            .iter()
            .find(|j| j.send(action_id).is_some())
            .map(|j| j.cart.recovery_url.clone()))
    }

    /// The discount code a tracked link for `action_id` applies: the code of the offer its
    /// journey made, once it made one (every later link of the journey applies it). None
    /// without an offer, or if no journey sent the action.
    #[wasm_bindgen(js_name = discountCode)]
    pub fn discount_code(state: &str, action_id: &str) -> Result<Option<String>, JsValue> {
        let state = State::from_json(state).map_err(throw)?;
        Ok(state
            .journeys
            .iter()
            .find(|j| j.send(action_id).is_some())
            .and_then(|j| j.incentive.as_ref())
            .map(|offer| offer.code()))
    }

    /// The ids of the actions the state's journeys sent: an SMS's short link names one of
    /// them by an HMAC the host computes (js-shim/server/links.js).
    #[wasm_bindgen(js_name = sentActionIds)]
    pub fn sent_action_ids(state: &str) -> Result<Vec<String>, JsValue> {
        let state = State::from_json(state).map_err(throw)?;
        Ok(state
            .journeys
            .iter()
            .flat_map(|j| j.sends.iter())
            .filter(|s| s.status == crate::model::journey::SendStatus::Sent)
            .map(|s| s.id.clone())
            .collect())
    }

    /// A playbook validated once and kept on the wasm side, so each decision pays only for
    /// its event and state; and the states it produced lately, kept parsed (RecentStates).
    #[wasm_bindgen]
    pub struct Engine {
        policy: Policy,
        recent: RefCell<RecentStates>,
    }

    /// Contacts whose latest state an engine keeps parsed: a few MB of wasm memory.
    const RECENT_CONTACTS: usize = 4_096;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Output<'a> {
        actions: &'a [crate::model::action::Action],
        explanation: &'a crate::engine::explain::Explanation,
        /// Lines for the outcome log: the host appends them (src/model/outcome.rs).
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        outcomes: &'a [crate::model::outcome::Outcome],
    }

    #[wasm_bindgen]
    impl Engine {
        #[wasm_bindgen(constructor)]
        pub fn new(policy: &str) -> Result<Engine, JsValue> {
            Ok(Engine {
                policy: Policy::from_json(policy).map_err(throw)?,
                recent: RefCell::new(RecentStates::new(RECENT_CONTACTS)),
            })
        }

        #[wasm_bindgen(getter, js_name = policyVersion)]
        pub fn policy_version(&self) -> String {
            self.policy.version.clone()
        }

        /// When a journey's figures can no longer change: past its expiry and its attribution
        /// window, plus a day for late receipts. Its log lines may then be rolled up.
        #[wasm_bindgen(getter, js_name = settledAfterMs)]
        pub fn settled_after_ms(&self) -> f64 {
            let hours = self.policy.attribution_window_hours.max(self.policy.journey_expiry_hours) as f64 + 24.0;
            hours * 3_600_000.0
        }

        /// How long a message's record is kept for "why this message": the policy's longest
        /// retention (src/measurement).
        #[wasm_bindgen(getter, js_name = messagesKeptForMs)]
        pub fn messages_kept_for_ms(&self) -> f64 {
            self.policy.retention.longest().num_milliseconds() as f64
        }

        #[wasm_bindgen(getter, js_name = smsSegmentLimit)]
        pub fn sms_segment_limit(&self) -> u8 {
            self.policy.sms_segment_limit
        }

        /// `state`: the stored JSON, or null for a contact seen for the first time.
        /// `now`: milliseconds since the epoch (time is an input).
        /// Returns `[stateJson, outputJson, ticket]`: two strings cross the boundary in two
        /// copies, where building the output as JS objects field by field cost several times
        /// more (BENCHMARKS.md); the loader parses the output with the host's native
        /// JSON.parse. `ticket` names the new state in the engine's recent states.
        pub fn decide(
            &self,
            contact_id: &str,
            state: Option<String>,
            event: &str,
            now: f64,
        ) -> Result<js_sys::Array, JsValue> {
            let state = match state {
                Some(text) => State::from_json(&text).map_err(throw)?,
                None => State::new(contact_id),
            };
            let event = Event::from_json(event).map_err(throw)?;
            let now = millis(now)?;
            self.decide_on(contact_id, state, &event, now, Written::BOTH)
        }

        /// As `decide`, on the state kept under `ticket` (the loader has checked the host
        /// passed back that very state). Returns undefined if it is no longer kept: the
        /// caller then sends the JSON.
        #[wasm_bindgen(js_name = decideRecent)]
        pub fn decide_recent(
            &self,
            contact_id: &str,
            ticket: u32,
            event: &str,
            now: f64,
        ) -> Result<Option<js_sys::Array>, JsValue> {
            let event = Event::from_json(event).map_err(throw)?;
            let now = millis(now)?;
            let Some(state) = self.recent.borrow_mut().take(contact_id, ticket) else {
                return Ok(None);
            };
            self.decide_on(contact_id, state, &event, now, Written::BOTH).map(Some)
        }

        /// Benchmark helper: `decideRecent` (or a first decision, without a ticket) that
        /// writes only the JSON it is asked for and returns undefined in place of the rest,
        /// so the benchmark can price the engine, the state's JSON and the output's apart.
        #[wasm_bindgen(js_name = decidePricing)]
        pub fn decide_pricing(
            &self,
            contact_id: &str,
            ticket: Option<u32>,
            event: &str,
            now: f64,
            state_json: bool,
            output_json: bool,
        ) -> Result<js_sys::Array, JsValue> {
            let event = Event::from_json(event).map_err(throw)?;
            let now = millis(now)?;
            let state = match ticket {
                None => State::new(contact_id),
                Some(ticket) => self.recent.borrow_mut().take(contact_id, ticket)
                    .ok_or_else(|| plain_error("decidePricing: that state is no longer kept"))?,
            };
            self.decide_on(contact_id, state, &event, now, Written { state: state_json, output: output_json })
        }

        fn decide_on(
            &self,
            contact_id: &str,
            state: State,
            event: &Event,
            now: DateTime<Utc>,
            written: Written,
        ) -> Result<js_sys::Array, JsValue> {
            let decision = engine::decide(&self.policy, state, event, now);
            let output = if written.output { Some(output_json(&decision)?) } else { None };
            let state_json = written.state.then(|| decision.state.to_json());
            let ticket = self.recent.borrow_mut().keep(contact_id, decision.state);
            Ok(js_sys::Array::of3(&state_json.into(), &output.into(), &ticket.into()))
        }
    }

    fn output_json(decision: &engine::Decision) -> Result<String, JsValue> {
        let output = Output { actions: &decision.actions, explanation: &decision.explanation, outcomes: &decision.outcomes };
        let mut text = Vec::with_capacity(2048);
        serde_json::to_writer(&mut text, &output).map_err(|e| plain_error(&e.to_string()))?;
        Ok(String::from_utf8(text).expect("serde_json writes UTF-8"))
    }

    /// Which JSON a decision writes: both, except when the benchmark prices them.
    #[derive(Clone, Copy)]
    struct Written {
        state: bool,
        output: bool,
    }

    impl Written {
        const BOTH: Written = Written { state: true, output: true };
    }
}

//! The capture's one step: fold what the page saw into the session (`session`), then answer
//! the one question that matters: is there something to tell the server now?
//!
//! The capture script only stamps and queues observations; every rule lives here and in the
//! modules this one calls.

use super::beacon::{self, Beacon};
use super::observation::Observation;
use super::page_consent::Allowed;
use super::session::{Session, Settings};
use super::signals::{self, Observations, Summary};
use serde::Serialize;
use super::reader::invalid;

/// What one step hands back to the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub state: String,
    pub summary: Summary,
    pub consent: Allowed,
    /// The request body to deliver (JSON text), if anything is to be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beacon: Option<String>,
    /// Ask again after this long if nothing else happens (the idle threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recheck_in_ms: Option<u64>,
    /// Observations that did not parse, dropped with the reason (a merchant's `track()` typo).
    pub rejected: Vec<crate::error::Problem>,
}

/// Fold the observations, then decide what, if anything, to tell the server at `now_ms`.
pub fn step(
    session: &mut Session,
    settings: &Settings,
    observations: Vec<(f64, Observation)>,
    now_ms: f64,
    anonymous_id: &str,
) -> (Summary, Option<Beacon>, Option<u64>) {
    for (at, observation) in observations {
        session.observe(at, observation);
    }
    let idle_ms = (now_ms - session.last_activity_ms).max(0.0);
    let signals = Observations {
        idle_seconds: (idle_ms / 1000.0) as u32,
        ..session.signals.clone()
    };
    let summary = signals::summarise(&signals, &settings.thresholds);
    let beacon = beacon::build(session, settings, &summary, now_ms, anonymous_id);
    let watching = signals.has_items && !signals.completed && !summary.abandoned;
    let recheck = watching.then(|| {
        let threshold_ms = settings.thresholds.idle_seconds as f64 * 1000.0;
        (threshold_ms - idle_ms).max(0.0).ceil() as u64
    });
    (summary, beacon, recheck)
}

/// Parse and apply a batch from the page: `[[atMs, observation], ...]`. Unparsable entries
/// are dropped and reported, the rest still count.
pub fn step_json(
    state: Option<&str>,
    settings: &Settings,
    observations: &str,
    now_ms: f64,
    anonymous_id: &str,
) -> crate::Result<Step> {
    let mut session = Session::from_json_or_fresh(state);
    // One parse into a tree, then each entry read from it (`reader`): no derived deserializer.
    let batch = super::json::parse(observations)?;
    let entries = batch.as_array().ok_or_else(|| invalid("$", "an array of [atMs, observation]"))?;
    let mut parsed = Vec::with_capacity(entries.len());
    let mut rejected = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let at = match entry.as_array().map(Vec::as_slice) {
            Some([at, _]) => at.as_f64().ok_or_else(|| invalid(&format!("$[{index}][0]"), "a number (ms)"))?,
            _ => return Err(invalid(&format!("$[{index}]"), "[atMs, observation]")),
        };
        let path = format!("$[{index}][1]");
        match Observation::read(&entry[1], &path) {
            Ok(observation) => parsed.push((at, observation)),
            // The observation's path, with the field that failed named in the message.
            Err(e) => rejected.extend(e.problems.into_iter().map(|p| crate::error::Problem {
                message: format!("{} at {}", p.message, p.path),
                path: path.clone(),
                ..p
            })),
        }
    }
    let (summary, beacon, recheck_in_ms) = step(&mut session, settings, parsed, now_ms, anonymous_id);
    Ok(Step {
        state: super::json::to_string(&session).expect("session serialises"),
        summary,
        consent: session.consent.allowed(settings.consent_required),
        beacon: beacon.map(|b| super::json::to_string(&b).expect("a beacon serialises")),
        recheck_in_ms,
        rejected,
    })
}

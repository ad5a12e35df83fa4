//! The policy simulator (`rekindle simulate`): the real engine, through the runtime's own
//! decision loop, meets a synthetic population of abandoning shoppers over simulated time;
//! policies are compared side by side with common random numbers, each against the same
//! shoppers with no message. Native only: the wasm builds never carry it.
//!
//! world.rs (the world as documented JSON with sources; worlds/ the two shipped), population.rs
//! (the shoppers), random.rs (a stream per shopper and per message), driver.rs (state and
//! due index threaded through `engine::decide`), run.rs (one shopper under one policy),
//! compare.rs (paired differences with intervals), policies.rs (the shipped variants),
//! report.rs (table and HTML), replay.rs (a policy over a recorded history), shopify_export.rs
//! (the same over Shopify's abandoned checkouts and orders exports).

mod compare;
mod driver;
mod policies;
mod population;
mod random;
pub mod replay;
pub mod report;
mod run;
pub mod shopify_export;
pub mod world;

pub use compare::{Interval, PolicySummary};
pub use policies::shipped;
pub use population::Shopper;
pub use run::{baseline, shopper_under, Outcome};
pub use world::World;

use crate::policy::Policy;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub shoppers: u64,
    pub seed: u64,
    /// Keep each policy's own holdout (calibration measures the held-out baseline through
    /// it). Off by default: the simulator has the exact counterfactual, every shopper with no
    /// message, so holding real shoppers out would only waste them.
    pub keep_holdout: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { shoppers: 20_000, seed: 2021, keep_holdout: false }
    }
}

/// A run's result: per policy, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    pub world: String,
    pub shoppers: u64,
    pub seed: u64,
    /// Orders per 1,000 abandonments with no message at all.
    pub baseline_orders: Interval,
    pub policies: Vec<PolicySummary>,
}

/// Every policy over the same `options.shoppers` shoppers. `progress(done, total)` is called
/// now and then (the command draws its bar with it).
pub fn simulate(
    world: &World,
    policies: &[(String, Policy)],
    options: &Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Simulation {
    let prepared: Vec<Policy> = policies.iter().map(|(_, p)| prepare(p, options)).collect();
    let mut tallies = vec![compare::Tally::default(); policies.len()];
    let mut baseline = compare::Mean::default();
    let mut outcomes = Vec::with_capacity(policies.len());
    for index in 0..options.shoppers {
        let shopper = Shopper::draw(world, options.seed, index);
        let none = run::baseline(&shopper);
        baseline.add(none.ordered as u8 as f64);
        outcomes.clear();
        outcomes.extend(prepared.iter().map(|p| run::shopper_under(world, p, options.seed, &shopper)));
        for (tally, outcome) in tallies.iter_mut().zip(&outcomes) {
            tally.add(outcome, &none, &outcomes[0], world.sms_segment_cost_minor);
        }
        if index % 256 == 255 {
            progress(index + 1, options.shoppers);
        }
    }
    progress(options.shoppers, options.shoppers);
    Simulation {
        world: world.name.clone(),
        shoppers: options.shoppers,
        seed: options.seed,
        baseline_orders: baseline.interval(1000.0),
        policies: tallies.iter().zip(policies).map(|(t, (name, _))| t.summary(name)).collect(),
    }
}

/// The policy as the simulation runs it: without its holdout unless asked, and with a store
/// name if it has none (an SMS must name its sender; a build that skips SMS without one
/// would otherwise compare nothing).
fn prepare(policy: &Policy, options: &Options) -> Policy {
    let mut policy = policy.clone();
    if !options.keep_holdout {
        policy.holdout_percent = 0;
    }
    if policy.store_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        policy.store_name = Some("Simulated Shop".into());
    }
    policy
}

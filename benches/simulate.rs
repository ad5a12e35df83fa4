//! The simulator's throughput: journeys (one shopper under one policy, every decision through
//! the real engine) per second, for the shipped comparison in each world, on one core.
//!
//!   cargo bench --bench simulate [-- SHOPPERS]

use rekindle::simulate::{self, Options, World};
use std::time::Instant;

fn main() {
    let shoppers = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000u64);
    let policies = simulate::shipped();
    for world in [World::vendor(), World::randomised()] {
        let options = Options { shoppers, ..Options::default() };
        let started = Instant::now();
        let sim = simulate::simulate(&world, &policies, &options, &mut |_, _| {});
        let seconds = started.elapsed().as_secs_f64();
        let journeys = shoppers * policies.len() as u64;
        let messages: f64 = sim.policies.iter().map(|p| p.messages.estimate * shoppers as f64 / 1000.0).sum();
        println!(
            "simulate {:<10} {shoppers} shoppers x {} policies: {:.2} s, {:.0} journeys/s, {:.0} messages decided/s",
            world.name,
            policies.len(),
            seconds,
            journeys as f64 / seconds,
            messages / seconds
        );
    }
}

//! Common random numbers: every shopper has their own stream, seeded from (run seed, shopper),
//! and every message response its own, seeded from (run seed, shopper, channel, n-th message
//! on that channel). Two policies shown the same shopper see the same person (same cart, same
//! zone, same organic purchase) and the n-th email gets the same answer under both, so the
//! difference between policies is the policies', not the dice's (far tighter intervals
//! than independent runs give).
//!
//! SplitMix64 (Steele, Lea & Flood 2014, the seeder of Java's SplittableRandom and of the
//! xoshiro family) rather than a crate: results must stay the same across versions for the
//! shipped comparisons to be reproducible, which `rand`'s StdRng does not promise, and a
//! stream per key is exactly what SplitMix's mixing function gives.

use crate::common::channel::Channel;

pub struct Stream(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Stream {
    pub fn shopper(seed: u64, shopper: u64) -> Stream {
        Stream(mix(seed ^ mix(shopper.wrapping_add(0x9e37_79b9_7f4a_7c15))))
    }

    pub fn message(seed: u64, shopper: u64, channel: Channel, nth: u32) -> Stream {
        let lane = match channel {
            Channel::Email => 1u64,
            Channel::Sms => 2u64,
        };
        Stream(mix(mix(seed ^ 0x5eed) ^ mix(shopper) ^ mix((lane << 32) | nth as u64)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Exponential with this mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Standard normal (Box–Muller; one of the pair is enough here).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An index drawn with these weights (not all zero).
    pub fn pick(&mut self, weights: impl Iterator<Item = f64> + Clone) -> usize {
        let total: f64 = weights.clone().sum();
        let mut target = self.uniform() * total;
        let mut last = 0;
        for (i, w) in weights.enumerate() {
            if w > 0.0 {
                last = i;
                if target < w {
                    return i;
                }
                target -= w;
            }
        }
        last
    }
}

//! The intervals and tests of the report, on counts and sums (never on rows), so they work the
//! same over the live log and over daily roll-ups. Each names the reference it agrees with in
//! tests/fixtures/stats/make.py.

use super::stats::{chi2_sf, normal_cdf, normal_quantile, t_cdf, t_quantile};
use serde::Serialize;

/// A two-sided interval around an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn scaled(self, by: f64) -> Interval {
        Interval { estimate: self.estimate * by, low: self.low * by, high: self.high * by }
    }

    pub fn excludes_zero(self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

fn z(level: f64) -> f64 {
    normal_quantile(1.0 - (1.0 - level) / 2.0)
}

/// Wilson's score interval for x successes in n.
pub fn wilson(x: f64, n: f64, level: f64) -> (f64, f64) {
    let z = z(level);
    let z2 = z * z;
    let p = x / n;
    let centre = (x + z2 / 2.0) / (n + z2);
    let half = z * (n * p * (1.0 - p) + z2 / 4.0).sqrt() / (n + z2);
    (centre - half, centre + half)
}

/// p1 − p2 with Newcombe's hybrid score interval (his method 10, 1998): well behaved near 0
/// and 1 and with few events, where the Wald interval is not. statsmodels:
/// `confint_proportions_2indep(..., method="newcomb", compare="diff")`.
pub fn newcombe_difference(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> Interval {
    let (p1, p2) = (x1 / n1, x2 / n2);
    let (l1, u1) = wilson(x1, n1, level);
    let (l2, u2) = wilson(x2, n2, level);
    let d = p1 - p2;
    Interval {
        estimate: d,
        low: d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        high: d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    }
}

/// p1 / p2 − 1 (the relative lift) with the log (Katz) interval for a ratio of proportions.
/// statsmodels: `confint_proportions_2indep(..., method="log", compare="ratio")`, minus one.
pub fn relative_lift(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> Option<Interval> {
    if x1 <= 0.0 || x2 <= 0.0 {
        return None;
    }
    let ratio = (x1 / n1) / (x2 / n2);
    let se = (1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2).sqrt();
    let z = z(level);
    Some(Interval { estimate: ratio - 1.0, low: ratio * (-z * se).exp() - 1.0, high: ratio * (z * se).exp() - 1.0 })
}

/// Two-sided p-value of the pooled two-proportion z test (statsmodels `proportions_ztest`).
pub fn two_proportion_p(x1: f64, n1: f64, x2: f64, n2: f64) -> f64 {
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return 1.0;
    }
    let z = (x1 / n1 - x2 / n2) / se;
    2.0 * normal_cdf(-z.abs())
}

/// A sample's count, sum and sum of squares: enough for a mean and variance, and it adds up
/// across days, so the daily roll-ups keep it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn mean(&self) -> f64 {
        if self.n > 0.0 { self.sum / self.n } else { 0.0 }
    }

    /// The sample variance (n − 1 in the denominator).
    pub fn variance(&self) -> f64 {
        if self.n < 2.0 {
            return 0.0;
        }
        ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0)
    }
}

/// Welch's t test of mean1 − mean2: its interval, p-value and degrees of freedom. scipy:
/// `ttest_ind_from_stats(..., equal_var=False)`. Revenue per abandonment is mostly zeros with a
/// long tail and arms of unequal size and spread, which Welch allows; with thousands of
/// journeys the t approximation holds (bootstrap would need the rows, the roll-ups drop them).
pub fn welch(a: Moments, b: Moments, level: f64) -> Option<(Interval, f64, f64)> {
    if a.n < 2.0 || b.n < 2.0 {
        return None;
    }
    let (va, vb) = (a.variance() / a.n, b.variance() / b.n);
    let se = (va + vb).sqrt();
    let d = a.mean() - b.mean();
    if se == 0.0 {
        return Some((Interval { estimate: d, low: d, high: d }, if d == 0.0 { 1.0 } else { 0.0 }, f64::INFINITY));
    }
    let df = (va + vb).powi(2) / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    let p = 2.0 * t_cdf(-(d / se).abs(), df);
    let t = t_quantile(1.0 - (1.0 - level) / 2.0, df);
    Some((Interval { estimate: d, low: d - t * se, high: d + t * se }, p, df))
}

/// The smallest difference of proportions a two-sided test at `alpha` would detect with
/// `power`, given the pooled rate and the arms' sizes (the normal approximation).
pub fn minimum_detectable_effect(pooled: f64, n1: f64, n2: f64, alpha: f64, power: f64) -> f64 {
    (normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)) * (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Pearson's chi-square goodness of fit of observed counts against expected shares
/// (scipy `chisquare`): the sample-ratio-mismatch check. Returns (statistic, p-value).
pub fn chi_square(observed: &[f64], shares: &[f64]) -> (f64, f64) {
    let total: f64 = observed.iter().sum();
    let share_total: f64 = shares.iter().sum();
    let statistic = observed
        .iter()
        .zip(shares)
        .map(|(o, s)| {
            let e = total * s / share_total;
            if e > 0.0 { (o - e).powi(2) / e } else { 0.0 }
        })
        .sum();
    (statistic, chi2_sf(statistic, (observed.len() - 1) as f64))
}

/// An always-valid interval and p-value for p1 − p2: the mixture sequential probability ratio
/// test (mSPRT) with a normal mixture of variance `tau²` over the effect (Johari, Koomen,
/// Pekelis, Walsh, "Peeking at A/B tests", KDD 2017). A merchant reads the report every day;
/// a fixed-horizon interval read daily and acted on when it first excludes zero is wrong far
/// more often than 5%. This one holds at every look, at the price of being wider.
/// With V the estimate's variance, the likelihood ratio is
/// Λ = √(V/(V+τ²)) · exp(θ̂² τ² / (2V(V+τ²))), p = min(1, 1/Λ), and the interval is the set of
/// θ with Λ(θ̂ − θ) < 1/α.
pub fn msprt_difference(x1: f64, n1: f64, x2: f64, n2: f64, tau: f64, alpha: f64) -> Option<(Interval, f64)> {
    let (p1, p2) = (x1 / n1, x2 / n2);
    let v = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2;
    if !(v > 0.0) {
        return None;
    }
    let t2 = tau * tau;
    let d = p1 - p2;
    let log_lambda = 0.5 * (v / (v + t2)).ln() + d * d * t2 / (2.0 * v * (v + t2));
    let p = (-log_lambda).exp().min(1.0);
    let half = (v * (v + t2) / t2 * (((v + t2) / v).ln() - 2.0 * alpha.ln())).sqrt();
    Some((Interval { estimate: d, low: d - half, high: d + half }, p))
}

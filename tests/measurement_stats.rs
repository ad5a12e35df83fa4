//! The report's statistics agree with scipy and statsmodels to 1e-6 (the reference values are
//! in tests/fixtures/stats/reference.json, made once by tests/fixtures/stats/make.py), and the
//! always-valid interval keeps its promise when it is read every day.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rekindle::measurement::inference::{self, Moments};
use rekindle::measurement::stats;
use serde_json::Value;

const REFERENCE: &str = include_str!("fixtures/stats/reference.json");
const TOLERANCE: f64 = 1e-6;

fn reference() -> Value {
    serde_json::from_str(REFERENCE).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    // Absolute below 1, relative above: p-values near 0 and quantiles far out both matter.
    let scale = want.abs().max(1.0);
    assert!((got - want).abs() <= TOLERANCE * scale, "{what}: got {got}, scipy/statsmodels say {want}");
}

fn triple(what: &str, got: inference::Interval, want: &Value) {
    close(&format!("{what} estimate"), got.estimate, f(&want[0]));
    close(&format!("{what} low"), got.low, f(&want[1]));
    close(&format!("{what} high"), got.high, f(&want[2]));
}

#[test]
fn special_functions_agree_with_scipy() {
    let r = reference();
    let s = &r["special"];
    for c in s["normalCdf"].as_array().unwrap() {
        close("normal cdf", stats::normal_cdf(f(&c[0])), f(&c[1]));
    }
    for c in s["normalQuantile"].as_array().unwrap() {
        close("normal quantile", stats::normal_quantile(f(&c[0])), f(&c[1]));
    }
    for c in s["tCdf"].as_array().unwrap() {
        close("t cdf", stats::t_cdf(f(&c[0]), f(&c[1])), f(&c[2]));
    }
    for c in s["tQuantile"].as_array().unwrap() {
        close("t quantile", stats::t_quantile(f(&c[0]), f(&c[1])), f(&c[2]));
    }
    for c in s["chi2Sf"].as_array().unwrap() {
        close("chi-square sf", stats::chi2_sf(f(&c[0]), f(&c[1])), f(&c[2]));
    }
    for c in s["lnGamma"].as_array().unwrap() {
        close("ln gamma", stats::ln_gamma(f(&c[0])), f(&c[1]));
    }
}

#[test]
fn lift_intervals_agree_with_statsmodels() {
    for c in reference()["proportions"].as_array().unwrap() {
        let (x1, n1, x2, n2) = (f(&c["x1"]), f(&c["n1"]), f(&c["x2"]), f(&c["n2"]));
        let case = format!("{x1}/{n1} vs {x2}/{n2}");
        triple(&format!("Newcombe {case}"), inference::newcombe_difference(x1, n1, x2, n2, 0.95), &c["difference"]);
        match inference::relative_lift(x1, n1, x2, n2, 0.95) {
            Some(got) => triple(&format!("relative {case}"), got, &c["relative"]),
            None => assert!(c.get("relative").is_none(), "{case}: no relative lift without recoveries in both"),
        }
        if let Some(p) = c.get("zTestP") {
            close(&format!("z test {case}"), inference::two_proportion_p(x1, n1, x2, n2), f(p));
        }
        let pooled = (x1 + x2) / (n1 + n2);
        close(&format!("MDE {case}"), inference::minimum_detectable_effect(pooled, n1, n2, 0.05, 0.8), f(&c["mde"]));
    }
}

fn moments(arm: &Value) -> Moments {
    let (n, mean, sd) = (f(&arm[0]), f(&arm[1]), f(&arm[2]));
    // The sums a roll-up keeps, from the summary scipy was given.
    Moments { n, sum: n * mean, sum_sq: sd * sd * (n - 1.0) + n * mean * mean }
}

#[test]
fn revenue_per_abandonment_agrees_with_scipys_welch_test() {
    for c in reference()["welch"].as_array().unwrap() {
        let (interval, p, df) = inference::welch(moments(&c["a"]), moments(&c["b"]), 0.95).unwrap();
        triple("Welch", interval, &c["difference"]);
        close("Welch p", p, f(&c["p"]));
        close("Welch df", df, f(&c["df"]));
    }
}

#[test]
fn sample_ratio_check_agrees_with_scipys_chisquare() {
    for c in reference()["sampleRatio"].as_array().unwrap() {
        let observed: Vec<f64> = c["observed"].as_array().unwrap().iter().map(f).collect();
        let shares: Vec<f64> = c["shares"].as_array().unwrap().iter().map(f).collect();
        let (statistic, p) = inference::chi_square(&observed, &shares);
        close("chi-square", statistic, f(&c["chiSquare"]));
        close("chi-square p", p, f(&c["p"]));
    }
}

#[test]
fn always_valid_interval_matches_its_closed_form() {
    for c in reference()["msprt"].as_array().unwrap() {
        let (interval, p) = inference::msprt_difference(f(&c["x1"]), f(&c["n1"]), f(&c["x2"]), f(&c["n2"]), f(&c["tau"]), 0.05).unwrap();
        triple("mSPRT", interval, &c["interval"]);
        close("mSPRT p", p, f(&c["p"]));
    }
}

/// Why the experiments use it: two identical arms, read after every 100 journeys per arm for
/// 40 looks. A fixed 95% interval acted on at the first look that excludes zero is wrong far
/// more often than 5%; the always-valid one stays near or under 5%.
#[test]
fn peeking_every_day_keeps_the_always_valid_interval_honest() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = || {
        // xorshift64*: a fixed seed, so the test is the same on every run.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    };
    let (runs, looks, per_look, rate) = (300, 40, 100, 0.1);
    let (mut fixed_wrong, mut valid_wrong) = (0, 0);
    for _ in 0..runs {
        let (mut x1, mut x2, mut n) = (0.0, 0.0, 0.0);
        let (mut fixed_hit, mut valid_hit) = (false, false);
        for _ in 0..looks {
            for _ in 0..per_look {
                x1 += (uniform() < rate) as u8 as f64;
                x2 += (uniform() < rate) as u8 as f64;
            }
            n += per_look as f64;
            fixed_hit |= inference::newcombe_difference(x1, n, x2, n, 0.95).excludes_zero();
            valid_hit |= inference::msprt_difference(x1, n, x2, n, 0.02, 0.05).is_some_and(|(i, _)| i.excludes_zero());
        }
        fixed_wrong += fixed_hit as u32;
        valid_wrong += valid_hit as u32;
    }
    let (fixed, valid) = (fixed_wrong as f64 / runs as f64, valid_wrong as f64 / runs as f64);
    assert!(fixed > 0.15, "peeking at a fixed interval should mislead often, got {fixed}");
    assert!(valid <= 0.07, "the always-valid interval misled {valid} of A/A runs");
}

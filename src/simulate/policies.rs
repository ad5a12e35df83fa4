//! The shipped comparison: the default policy and variants of it, each a change a merchant
//! might try. Built from `default.json` so they follow it when it changes.

use crate::common::channel::Channel;
use crate::policy::{Policy, Step};

/// The steps a variant keeps from each playbook; a playbook left with none is dropped (the
/// catch-all then takes its shoppers), and the catch-all itself keeps at least its own.
fn keep(base: &Policy, name: &str, wanted: impl Fn(&Step) -> bool) -> Policy {
    let mut policy = base.clone();
    policy.name = name.to_string();
    policy.version = format!("{}+{name}", base.version);
    for playbook in &mut policy.playbooks {
        playbook.steps.retain(&wanted);
    }
    policy.playbooks.retain(|p| !p.steps.is_empty() || p.segment.is_none());
    // Experiments on a step that is gone have nothing to vary.
    let steps: Vec<String> = policy.playbooks.iter().flat_map(|p| p.steps.iter().map(|s| s.key.clone())).collect();
    policy.experiments.retain(|e| steps.contains(&e.step));
    policy
}

/// One playbook for everyone: `name`'s, as the catch-all.
fn only(base: &Policy, playbook: &str, name: &str) -> Policy {
    let mut policy = base.clone();
    policy.name = name.to_string();
    policy.version = format!("{}+{name}", base.version);
    let mut chosen = base.playbook(playbook).expect("the default policy has this playbook").clone();
    chosen.segment = None;
    policy.playbooks = vec![chosen];
    let steps: Vec<String> = policy.playbooks[0].steps.iter().map(|s| s.key.clone()).collect();
    policy.experiments.retain(|e| steps.contains(&e.step));
    policy
}

/// The default cadence and the variants docs/simulation.md compares, in that order (the
/// first is what the others are compared with, shopper by shopper).
pub fn shipped() -> Vec<(String, Policy)> {
    let base = Policy::default_policy();
    let mut sms_only = only(&base, "default", "sms-only");
    sms_only.playbooks[0].steps.retain(|s| s.channel == Channel::Sms);
    sms_only.experiments.clear();
    let variants = vec![
        ("default".to_string(), base.clone()),
        ("email-only".to_string(), keep(&base, "email-only", |s| s.channel == Channel::Email)),
        ("sms-only".to_string(), sms_only),
        // Li et al. 2021: reminders 0.5-1 h after abandonment lowered purchases.
        ("no-early-reminder".to_string(), keep(&base, "no-early-reminder", |s| s.delay_minutes > 60)),
        ("light-for-all".to_string(), only(&base, "light", "light-for-all")),
        ("persistent-for-all".to_string(), only(&base, "persistent", "persistent-for-all")),
    ];
    for (name, policy) in &variants {
        crate::policy::validate(policy).unwrap_or_else(|e| panic!("shipped variant {name} is invalid: {e}"));
    }
    variants
}

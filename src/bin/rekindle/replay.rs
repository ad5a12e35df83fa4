//! `rekindle replay`: a candidate policy over a recorded history: what it would have sent.

use crate::args::{self, Failure};
use rekindle::policy::Policy;
use rekindle::simulate::replay;

const HELP: &str = "usage: rekindle replay --history FILE [options]

Runs a policy over a store's recorded engine inputs (JSON lines: contactId, receivedAt,
event) and counts what it would have sent: by step, channel and local hour, quiet-hour
deferrals, caps hit, incentives offered and their cost.

  --history FILE        the recorded inputs (tests/fixtures/replay/history.jsonl is one)
  --policy FILE         the candidate policy (default: the shipped default policy)
  --shipping-cost N     what a free-shipping offer costs, minor units (default 800)
  --json                print the counts as JSON";

pub fn main(argv: Vec<String>) -> Result<(), Failure> {
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return Ok(());
    }
    let (mut history, mut policy, mut shipping, mut json) = (None, None, 800, false);
    for (name, value) in args::flags(argv, &["json"])? {
        match name.as_str() {
            "history" => history = value,
            "policy" => {
                let file = value.unwrap_or_default();
                let parsed = Policy::from_json(&args::read(&file)?).map_err(|error| Failure::Input { file, error })?;
                policy = Some(parsed);
            }
            "shipping-cost" => shipping = args::number(&name, value)? as i64,
            "json" => json = true,
            other => return Err(Failure::usage(format!("unknown option --{other}\n{HELP}"))),
        }
    }
    let file = history.ok_or_else(|| Failure::usage(format!("--history is required\n{HELP}")))?;
    let policy = policy.unwrap_or_else(Policy::default_policy);
    let result = replay::replay(&policy, &args::read(&file)?, shipping).map_err(|error| Failure::Input { file, error })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&result).expect("counts serialise"));
    } else {
        print!("{}", result.text());
    }
    Ok(())
}

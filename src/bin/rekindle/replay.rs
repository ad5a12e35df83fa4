//! `rekindle replay`: a candidate policy over a recorded history: what it would have sent.

use crate::args::{self, Failure};
use rekindle::policy::Policy;
use rekindle::simulate::{replay, shopify_export};

const HELP: &str = "usage: rekindle replay --history FILE [options]
       rekindle replay --shopify-checkouts FILE [--shopify-orders FILE] [options]

Runs a policy over a store's recorded engine inputs (JSON lines: contactId, receivedAt,
event), or over Shopify's own exports (the abandoned checkouts export and the orders export,
CSV as the Shopify admin writes them), and counts what it would have sent: by step, channel
and local hour, quiet-hour deferrals, caps hit, incentives offered and their cost.

  --history FILE        the recorded inputs (tests/fixtures/replay/history.jsonl is one)
  --shopify-checkouts FILE  Shopify's abandoned checkouts export (CSV)
  --shopify-orders FILE     Shopify's orders export (CSV): orders match checkouts by address
  --assume-sms-consent  treat shoppers with a phone as SMS-consented (exports carry none)
  --policy FILE         the candidate policy (default: the shipped default policy)
  --shipping-cost N     what a free-shipping offer costs, minor units (default 800)
  --json                print the counts as JSON";

pub fn main(argv: Vec<String>) -> Result<(), Failure> {
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return Ok(());
    }
    let (mut history, mut policy, mut shipping, mut json) = (None, None, 800, false);
    let (mut checkouts, mut orders, mut sms_consent) = (None, None, false);
    for (name, value) in args::flags(argv, &["json", "assume-sms-consent"])? {
        match name.as_str() {
            "history" => history = value,
            "shopify-checkouts" => checkouts = value,
            "shopify-orders" => orders = value,
            "assume-sms-consent" => sms_consent = true,
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
    let policy = policy.unwrap_or_else(Policy::default_policy);
    let result = match (history, checkouts) {
        (Some(file), None) if orders.is_none() => replay::replay(&policy, &args::read(&file)?, shipping).map_err(|error| Failure::Input { file, error })?,
        (None, Some(file)) => {
            let checkouts = args::read(&file)?;
            let orders_text = match &orders {
                Some(o) => args::read(o)?,
                None => String::new(),
            };
            let assume = shopify_export::Assumptions { sms_consent, shipping_cost_minor: shipping };
            // The error's path names the export ("checkouts line 3: ...", "orders line 2: ...").
            let named = format!("{file}{}", orders.as_ref().map(|o| format!(" and {o}")).unwrap_or_default());
            shopify_export::replay_exports(&policy, &checkouts, &orders_text, &assume).map_err(|error| Failure::Input { file: named, error })?
        }
        _ => return Err(Failure::usage(format!("either --history, or --shopify-checkouts (with --shopify-orders if any)\n{HELP}"))),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&result).expect("counts serialise"));
    } else {
        print!("{}", result.text());
    }
    Ok(())
}

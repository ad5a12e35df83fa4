//! `rekindle preview [DIR] [--policy FILE]`: writes the template gallery (DIR/index.html, one
//! file per email under DIR/emails/, DIR/messages.json) for the policy's brand, facts and
//! template overrides, or for a sample merchant without one (docs/messages.md).

use rekindle::messages::preview::{self, Merchant};
use rekindle::messages::samples;
use rekindle::policy::Policy;
use std::path::PathBuf;
use crate::args::Failure;

const USAGE: &str = "usage: rekindle preview [DIR] [--policy FILE]\n  Writes the template gallery to DIR (default: ./rekindle-preview).";

pub fn main(args: Vec<String>) -> Result<(), Failure> {
    run(&args).map_err(Failure::usage)
}

fn run(args: &[String]) -> Result<(), String> {
    let mut dir = PathBuf::from("rekindle-preview");
    let mut policy_file = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--policy" => policy_file = Some(rest.next().ok_or("--policy needs a file")?.clone()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{USAGE}")),
            path => dir = PathBuf::from(path),
        }
    }
    let policy = match &policy_file {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            Some(Policy::from_json(&text).map_err(|e| {
                let lines: Vec<String> = e.problems.iter().map(|p| format!("{} {}: {}", p.code.as_str(), p.path, p.message)).collect();
                format!("{file} is not a valid policy:\n{}", lines.join("\n"))
            })?)
        }
        None => None,
    };
    let (brand, facts) = (samples::brand(), samples::facts());
    let overrides = Default::default();
    let merchant = match &policy {
        Some(p) => Merchant {
            store_name: p.store_name.as_deref().unwrap_or(""),
            brand: &p.brand,
            facts: &p.facts,
            overrides: &p.templates,
            segment_limit: p.sms_segment_limit,
        },
        None => Merchant { store_name: samples::STORE_NAME, brand: &brand, facts: &facts, overrides: &overrides, segment_limit: 1 },
    };
    let entries = preview::entries(&merchant);
    let emails = dir.join("emails");
    std::fs::create_dir_all(&emails).map_err(|e| format!("{}: {e}", emails.display()))?;
    for e in &entries {
        let html = dir.join(&e.file);
        std::fs::write(&html, &e.html).map_err(|err| format!("{}: {err}", html.display()))?;
        std::fs::write(html.with_extension("txt"), &e.text).map_err(|err| format!("{}: {err}", html.display()))?;
    }
    let manifest = serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("messages.json"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("index.html"), preview::gallery(&entries)).map_err(|e| e.to_string())?;
    let failing = entries.iter().filter(|e| !e.findings.is_empty()).count();
    println!("{} messages written to {} ({} fail the content audit)", entries.len(), dir.join("index.html").display(), failing);
    Ok(())
}

//! `rekindle simulate`: policies side by side on synthetic shoppers, through the real engine.

use crate::args::{self, Failure};
use rekindle::policy::Policy;
use rekindle::simulate::{self, report, Options, World};
use std::io::{IsTerminal, Write};

const HELP: &str = "usage: rekindle simulate [options]

Runs every policy over the same synthetic shoppers (common random numbers) through the real
engine and prints, per policy and per 1,000 abandonments, incremental orders, revenue,
messages, SMS cost and unsubscribes with 95% intervals (docs/simulation.md).

  --world NAME|FILE     vendor, randomised, or a world JSON (repeatable; default: both)
  --policy NAME=FILE    compare this policy with the default one (repeatable; default: the
                        shipped variants: email-only, sms-only, no-early-reminder, ...)
  --shoppers N          abandonments per world (default 20000)
  --seed N              the random seed (default 2021)
  --keep-holdout        keep each policy's own holdout (off: the simulator knows the
                        counterfactual exactly)
  --html FILE           also write one self-contained HTML report with charts
  --json FILE           also write the figures as JSON
  --quiet               no progress bar";

pub fn main(argv: Vec<String>) -> Result<(), Failure> {
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return Ok(());
    }
    let mut worlds = Vec::new();
    let mut policies: Vec<(String, Policy)> = Vec::new();
    let mut options = Options::default();
    let (mut html, mut json, mut quiet) = (None, None, false);
    for (name, value) in args::flags(argv, &["keep-holdout", "quiet"])? {
        match name.as_str() {
            "world" => worlds.push(world(&value.unwrap_or_default())?),
            "policy" => {
                let value = value.unwrap_or_default();
                let (label, file) = value
                    .split_once('=')
                    .ok_or_else(|| Failure::usage(format!("--policy wants NAME=FILE, not {value:?}")))?;
                let policy = Policy::from_json(&args::read(file)?)
                    .map_err(|error| Failure::Input { file: file.to_string(), error })?;
                policies.push((label.to_string(), policy));
            }
            "shoppers" => options.shoppers = args::number(&name, value)?.max(1),
            "seed" => options.seed = args::number(&name, value)?,
            "keep-holdout" => options.keep_holdout = true,
            "html" => html = value,
            "json" => json = value,
            "quiet" => quiet = true,
            other => return Err(Failure::usage(format!("unknown option --{other}\n{HELP}"))),
        }
    }
    if worlds.is_empty() {
        worlds = vec![World::vendor(), World::randomised()];
    }
    let policies = if policies.is_empty() {
        simulate::shipped()
    } else {
        let mut all = vec![("default".to_string(), Policy::default_policy())];
        all.extend(policies);
        all
    };
    let show = !quiet && std::io::stderr().is_terminal();
    let mut results = Vec::new();
    for world in &worlds {
        let mut bar = Bar::new(&world.name, show);
        let sim = simulate::simulate(world, &policies, &options, &mut |done, total| bar.draw(done, total));
        bar.finish();
        println!("{}", report::table(&sim));
        results.push(sim);
    }
    if let Some(file) = html {
        args::write(&file, &report::html(&results))?;
        eprintln!("report: {file}");
    }
    if let Some(file) = json {
        let text = serde_json::to_string_pretty(&results).expect("figures serialise");
        args::write(&file, &text)?;
    }
    Ok(())
}

fn world(value: &str) -> Result<World, Failure> {
    if let Some(world) = World::named(value) {
        return Ok(world);
    }
    World::from_json(&args::read(value)?).map_err(|error| Failure::Input { file: value.to_string(), error })
}

/// A one-line progress bar on stderr, redrawn at most a few times a second; nothing when
/// stderr is not a terminal (so logs and pipes stay clean). Hand-rolled: one line of output
/// did not justify a terminal crate and its dependencies.
struct Bar {
    label: String,
    show: bool,
    started: std::time::Instant,
    last: Option<std::time::Instant>,
}

impl Bar {
    fn new(label: &str, show: bool) -> Bar {
        Bar { label: label.to_string(), show, started: std::time::Instant::now(), last: None }
    }

    fn draw(&mut self, done: u64, total: u64) {
        if !self.show || self.last.is_some_and(|t| t.elapsed().as_millis() < 100 && done < total) {
            return;
        }
        self.last = Some(std::time::Instant::now());
        const WIDTH: u64 = 30;
        let filled = (done * WIDTH / total.max(1)) as usize;
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{:<11} [{}{}] {done}/{total} shoppers, {rate:.0}/s ",
            self.label,
            "#".repeat(filled),
            " ".repeat(WIDTH as usize - filled)
        );
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.show {
            eprintln!();
        }
    }
}

//! `rekindle`: the engine's command line. Each subcommand lives in its own module; this file
//! only dispatches on the first argument.

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod preview;
#[cfg(not(target_arch = "wasm32"))]
mod replay;
#[cfg(not(target_arch = "wasm32"))]
mod simulate;

#[cfg(not(target_arch = "wasm32"))]
const USAGE: &str = "usage: rekindle <command> [options]

commands:
  simulate   compare policies on synthetic shoppers through the real engine (rekindle simulate --help)
  replay     run a policy over a recorded history and count what it would have sent (rekindle replay --help)
  preview    write the template gallery: every message of the pack, rendered and audited (rekindle preview [DIR] [--policy FILE])";

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let mut argv = std::env::args().skip(1);
    let command = argv.next();
    let rest: Vec<String> = argv.collect();
    let result = match command.as_deref() {
        Some("simulate") => simulate::main(rest),
        Some("replay") => replay::main(rest),
        Some("preview") => preview::main(rest),
        Some("--help" | "-h" | "help") | None => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Some(other) => Err(args::Failure::usage(format!("unknown command {other:?}\n{USAGE}"))),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("rekindle: {failure}");
            std::process::ExitCode::from(2)
        }
    }
}

// The command line is native: a wasm build of the crate has nothing to run here.
#[cfg(target_arch = "wasm32")]
fn main() {}

//! What the subcommands share: their flags as `--name value` pairs, and their failures.

use std::fmt;

/// Why a command stopped: a usage mistake, or a broken input with its code and JSON path.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Input { file: String, error: rekindle::Error },
    Io { file: String, error: std::io::Error },
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(message) => write!(f, "{message}"),
            Failure::Input { file, error } => {
                write!(f, "{file}: {} at {}: {error}", error.code().as_str(), error.path())
            }
            Failure::Io { file, error } => write!(f, "{file}: {error}"),
        }
    }
}

/// Flags in order: `--name value`, or `--name` alone for a switch listed in `switches`.
pub fn flags(args: Vec<String>, switches: &[&str]) -> Result<Vec<(String, Option<String>)>, Failure> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(name) = arg.strip_prefix("--") else {
            return Err(Failure::usage(format!("unexpected argument {arg:?}")));
        };
        if let Some((name, value)) = name.split_once('=') {
            out.push((name.to_string(), Some(value.to_string())));
        } else if switches.contains(&name) {
            out.push((name.to_string(), None));
        } else {
            let value = args.next().ok_or_else(|| Failure::usage(format!("--{name} needs a value")))?;
            out.push((name.to_string(), Some(value)));
        }
    }
    Ok(out)
}

pub fn number(name: &str, value: Option<String>) -> Result<u64, Failure> {
    let value = value.unwrap_or_default();
    value.replace('_', "").parse().map_err(|_| Failure::usage(format!("--{name}: not a whole number: {value:?}")))
}

pub fn read(file: &str) -> Result<String, Failure> {
    std::fs::read_to_string(file).map_err(|error| Failure::Io { file: file.to_string(), error })
}

pub fn write(file: &str, text: &str) -> Result<(), Failure> {
    std::fs::write(file, text).map_err(|error| Failure::Io { file: file.to_string(), error })
}

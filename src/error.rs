//! Errors are for broken contracts only (docs/architecture.md, principle 4): an invalid policy, a
//! malformed event. Business outcomes (skip, defer) are data in a `Decision`, never errors.
//!
//! Every error carries a stable `code` callers can match on and, where it applies, the JSON
//! `path` of the offending field (`$.steps[2].delayMinutes`).

use serde::Serialize;
use std::fmt;

/// Stable, machine-readable error codes. Renaming one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// The input is not JSON at all.
    MalformedJson,
    /// JSON, but a field has the wrong type, is missing, or is not allowed.
    InvalidField,
    /// An event `type` the engine does not know.
    UnknownEventType,
    /// A policy that parses but breaks a rule (e.g. a delay below zero).
    InvalidPolicy,
    /// Persisted state written by a newer engine than this one.
    UnsupportedSchemaVersion,
    /// An IANA time-zone name the runtime does not know.
    InvalidTimeZone,
    /// A timestamp outside the range the engine handles.
    InvalidTimestamp,
    /// A body larger than the engine accepts.
    TooLarge,
    /// An email address that no mailbox provider would accept (`hygiene::email`).
    InvalidEmail,
    /// A phone number that is not a valid number in any numbering plan (`hygiene::phone`).
    InvalidPhone,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedJson => "MALFORMED_JSON",
            Code::InvalidField => "INVALID_FIELD",
            Code::UnknownEventType => "UNKNOWN_EVENT_TYPE",
            Code::InvalidPolicy => "INVALID_POLICY",
            Code::UnsupportedSchemaVersion => "UNSUPPORTED_SCHEMA_VERSION",
            Code::InvalidTimeZone => "INVALID_TIME_ZONE",
            Code::InvalidTimestamp => "INVALID_TIMESTAMP",
            Code::TooLarge => "TOO_LARGE",
            Code::InvalidEmail => "INVALID_EMAIL",
            Code::InvalidPhone => "INVALID_PHONE",
        }
    }
}

/// One broken rule, at one place in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: Code,
    /// JSONPath-style location of the bad field, `$` for the whole input.
    pub path: String,
    pub message: String,
}

/// What a fallible engine call returns: one or more problems, the first being the headline.
/// Policy validation reports *all* of them at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub problems: Vec<Problem>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            problems: vec![Problem {
                code,
                path: path.into(),
                message: message.into(),
            }],
        }
    }

    pub fn from_problems(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        Error { problems }
    }

    pub fn code(&self) -> Code {
        self.problems[0].code
    }

    pub fn path(&self) -> &str {
        &self.problems[0].path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = &self.problems[0];
        write!(
            f,
            "{} at {}: {}",
            first.code.as_str(),
            first.path,
            first.message
        )?;
        if self.problems.len() > 1 {
            write!(f, " (and {} more)", self.problems.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Render a serde_path_to_error path as `$.a.b[3]`.
pub(crate) fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// Parse JSON text into `T`, reporting the path of the first bad field. Tracking paths costs
/// more than the parse itself, so only a failed parse is repeated with tracking.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| diagnose::<T>(text))
}

/// Deserialize an already-parsed JSON value, with the same path reporting.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    match T::deserialize(&value) {
        Ok(parsed) => Ok(parsed),
        Err(_) => Err(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(_) => Error::new(Code::InvalidField, "$", "invalid value"),
            Err(e) => {
                let path = json_path(e.path());
                Error::new(Code::InvalidField, path, e.into_inner().to_string())
            }
        }),
    }
}

fn diagnose<T: serde::de::DeserializeOwned>(text: &str) -> Error {
    let de = &mut serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => Error::new(Code::InvalidField, "$", "trailing characters after the JSON value"),
        Err(e) => {
            let path = json_path(e.path());
            let inner = e.into_inner();
            let code = if inner.is_syntax() || inner.is_eof() { Code::MalformedJson } else { Code::InvalidField };
            Error::new(code, path, inner.to_string())
        }
    }
}

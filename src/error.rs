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

/// Parse JSON text into `T`, reporting the path of the first bad field.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    match T::deserialize(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => Ok(value),
            Err(_) => Err(Error::new(Code::InvalidField, "$", "trailing characters after the JSON value")),
        },
        Err(e) => Err(located(text, &e)),
    }
}

/// Deserialize an already-parsed JSON value, with the same path reporting. Through the tree's
/// text rather than the tree itself: each type then has one deserializer compiled into the
/// wasm, serde_json's text one, not a second for trees (BENCHMARKS.md, 2026-12-03: the tree
/// deserializers were ~100 KB of code). Only rarer paths hold a tree (a beacon's events,
/// state of an older schema, an event the direct path turned down). A tree has no lines, so
/// the message carries no line and column.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    let text = value.to_string();
    parse_json(&text).map_err(|mut e| {
        for problem in &mut e.problems {
            if let Some(at) = problem.message.rfind(" at line ") {
                let position = problem.message[at + 9..].split_once(" column ");
                let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if position.is_some_and(|(line, column)| digits(line) && digits(column)) {
                    problem.message.truncate(at);
                }
            }
        }
        e
    })
}

fn located(text: &str, e: &serde_json::Error) -> Error {
    let (code, stop) = match e.classify() {
        serde_json::error::Category::Data => (Code::InvalidField, Stop::Data),
        serde_json::error::Category::Eof => (Code::MalformedJson, Stop::Syntax),
        // serde_json has read the character it refused: the path is of what came before it.
        _ => (Code::MalformedJson, Stop::SyntaxAfter),
    };
    let start = match e.line() {
        0 | 1 => 0,
        line => text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1),
    };
    let offset = (start + e.column()).min(text.len());
    let offset = if stop == Stop::SyntaxAfter { offset.saturating_sub(1) } else { offset };
    // A value refused after serde_json handed it over (`try_from`, a buffered enum) has no
    // position of its own: serde_json stamps it where its container stopped, after the `}` if
    // it was the container's last value. Only serde's own container errors are the container's.
    let message = e.to_string();
    let of_container = message.starts_with("missing field") || message.starts_with("invalid length");
    let reach = if stop == Stop::Data && !of_container { Reach::IntoLastValue } else { Reach::Container };
    Error::new(code, path_at(text, offset, stop == Stop::Data, reach), message)
}

/// What a data error just after a container's close is about.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The container itself (a missing field, a wrong length).
    Container,
    /// The container's last value, refused after it was read.
    IntoLastValue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Data,
    Syntax,
    SyntaxAfter,
}

/// How far the value in an object's or array's current slot has been read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Empty,
    Reading,
    Done,
}

/// One open container on the way to an offset.
enum Level {
    /// An object, the key whose value comes next (None: a key is expected), and that value.
    Object(Option<String>, Slot),
    /// An array, the index of the current element, and that element.
    Array(usize, Slot),
}

/// The JSON path (`$.steps[2].delayMinutes`) of what serde_json was reading when it stopped
/// `offset` bytes into `text`: one scan of the text up to there. (serde_path_to_error found
/// the same paths by tracking every step of a second deserialization, for ~40 KB of wasm.)
///
/// A data error (wrong type, out of range, unknown key, missing field) stops right after the
/// value it refused (a scalar, a closed container, or a key: an unknown key is reported at
/// the key), or right before a container refused unread: the path is of the current slot. A
/// syntax error stops inside a broken value (its path) or between values, where the path is
/// of the container being read.
pub fn path_at(text: &str, offset: usize, data_error: bool, reach: Reach) -> String {
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    let mut stack: Vec<Level> = Vec::new();
    let set = |stack: &mut Vec<Level>, to: Slot| match stack.last_mut() {
        Some(Level::Object(_, slot) | Level::Array(_, slot)) => *slot = to,
        None => {}
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b':' => i += 1,
            open @ (b'{' | b'[') => {
                set(&mut stack, Slot::Reading);
                stack.push(if open == b'{' { Level::Object(None, Slot::Empty) } else { Level::Array(0, Slot::Empty) });
                i += 1;
            }
            b'}' | b']' => {
                // Stamped after a container followed by a `,`, the error is the container's
                // own (its parent stopped at the `,`), or its last value's: the container is
                // the path that is never wrong. Followed by anything else, it is the last value's.
                let stamped_here = i + 1 == bytes.len() && !text[bytes.len()..].trim_start().starts_with(',');
                if stamped_here && reach == Reach::IntoLastValue && !stack.is_empty() {
                    break; // the path stays on the value just read
                }
                stack.pop();
                set(&mut stack, Slot::Done);
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Level::Object(key, slot)) => (*key, *slot) = (None, Slot::Empty),
                    Some(Level::Array(index, slot)) => (*index, *slot) = (*index + 1, Slot::Empty),
                    None => {}
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let whole = end <= bytes.len();
                match stack.last_mut() {
                    Some(Level::Object(key @ None, _)) => {
                        *key = Some(if whole { key_text(&text[i..end]) } else { text[i + 1..].to_string() });
                    }
                    _ => set(&mut stack, if whole { Slot::Done } else { Slot::Reading }),
                }
                i = end;
            }
            _ => {
                // A number or a literal: done once something follows it.
                while i < bytes.len() && !b",]}:\" \t\n\r".contains(&bytes[i]) {
                    i += 1;
                }
                set(&mut stack, if i < bytes.len() { Slot::Done } else { Slot::Reading });
            }
        }
    }
    let mut path = String::from("$");
    let depth = stack.len();
    for (n, level) in stack.iter().enumerate() {
        let innermost = n + 1 == depth;
        match level {
            Level::Object(Some(key), slot) if !innermost || data_error || *slot == Slot::Reading => {
                path.push('.');
                path.push_str(key);
            }
            Level::Array(index, slot) if !innermost || data_error || *slot == Slot::Reading => {
                path.push('[');
                path.push_str(itoa::Buffer::new().format(*index));
                path.push(']');
            }
            _ => {}
        }
    }
    path
}

/// A key as its object means it: escapes resolved. Read as a `Value`, whose deserializer every
/// build has, not as a `String`: that one's type errors print floats, and formatting floats
/// was ~13 KB of the storefront wasm (BENCHMARKS.md, 2026-12-03, issue 20).
fn key_text(quoted: &str) -> String {
    if quoted.contains('\\') {
        if let Ok(serde_json::Value::String(key)) = serde_json::from_str(quoted) {
            return key;
        }
    }
    quoted[1..quoted.len() - 1].to_string()
}

/// The index just past the string that opens at `start` (past the end if it is cut off).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len() + 1
}

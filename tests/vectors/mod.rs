//! Shared by the integration tests: the real-world vectors in `tests/fixtures/vectors/`.
//!
//! A missing vectors folder is a failure, never a skip: a test that quietly passes without its
//! data proves nothing.

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// `tests/fixtures/vectors/` relative to the crate root.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("vectors")
}

/// Parse one vector file, e.g. `vector("twilio/segment_cases.json")`.
pub fn vector(relative: &str) -> Value {
    let dir = vectors_dir();
    assert!(
        dir.is_dir(),
        "the test vectors folder {} is missing: these tests need the vectors the \
         repository carries (tests/fixtures/vectors/); they must not be skipped",
        dir.display()
    );
    let path = dir.join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read test vector {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("test vector {} is not JSON: {e}", path.display()))
}

/// The `cases` array of a vector file.
pub fn cases(relative: &str) -> Vec<Value> {
    vector(relative)["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{relative} has no `cases` array"))
        .clone()
}

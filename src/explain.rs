//! Every decision explains itself: machine-readable reasons and one human sentence.
//! Explanations never contain personal data: ids are pseudonymous, addresses never appear.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;

/// Serialised as `{ reasons, summary }`; the summary (every detail, in order) is written
/// out when serialised, not kept twice while deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub reasons: Vec<Because>,
}

/// One reason: a stable code and its detail ("quietHours", "SMS deferred to 08:00 ...").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Because {
    pub code: &'static str,
    pub detail: String,
}

impl Explanation {
    pub fn because(&mut self, code: &'static str, detail: impl Into<String>) {
        self.reasons.push(Because {
            code,
            detail: detail.into(),
        });
    }

    /// The one human sentence.
    pub fn summary(&self) -> String {
        Summary(&self.reasons).to_string()
    }
}

struct Summary<'a>(&'a [Because]);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, reason) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&reason.detail)?;
        }
        Ok(())
    }
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Explanation", 2)?;
        out.serialize_field("reasons", &self.reasons)?;
        out.serialize_field("summary", &Summary(&self.reasons))?;
        out.end()
    }
}

/// Written straight into the output, never held as a String.
impl Serialize for Summary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

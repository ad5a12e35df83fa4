//! Every decision explains itself: machine-readable reasons and one human sentence.
//! Explanations never contain personal data: ids are pseudonymous, addresses never appear.
//!
//! The sentence is every reason's detail in order, joined by "; ". So it is kept once: each
//! detail is written straight into the sentence (no String per reason, no `format!`), and a
//! reason remembers where its detail lies in it. Explaining was a fifth of deciding.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt::{self, Write};
use std::ops::Range;

/// Serialised as `{ reasons: [{ code, detail }], summary }`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    summary: String,
    reasons: Vec<(&'static str, Range<usize>)>,
}

/// One reason: a stable code and its detail ("quietHours", "SMS deferred to 08:00 ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Because<'a> {
    pub code: &'static str,
    pub detail: &'a str,
}

impl Explanation {
    /// Adds a reason. `detail` is a literal, a String, or `format_args!(...)`, which is
    /// written out here without an intermediate String.
    pub fn because(&mut self, code: &'static str, detail: impl Detail) {
        if self.reasons.is_empty() {
            self.summary.reserve(128);
        } else {
            self.summary.push_str("; ");
        }
        let start = self.summary.len();
        detail.write_into(&mut self.summary);
        self.reasons.push((code, start..self.summary.len()));
    }

    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }

    /// The reasons, in the order they were given.
    pub fn reasons(&self) -> impl ExactSizeIterator<Item = Because<'_>> + DoubleEndedIterator + '_ {
        self.reasons.iter().map(|(code, at)| Because { code, detail: &self.summary[at.clone()] })
    }

    /// The one human sentence.
    pub fn summary(&self) -> &str {
        &self.summary
    }
}

/// What a reason's detail can be given as.
pub trait Detail {
    fn write_into(self, out: &mut String);
}

impl Detail for &str {
    fn write_into(self, out: &mut String) {
        out.push_str(self);
    }
}

impl Detail for String {
    fn write_into(self, out: &mut String) {
        out.push_str(&self);
    }
}

impl Detail for fmt::Arguments<'_> {
    fn write_into(self, out: &mut String) {
        out.write_fmt(self).expect("writing to a String cannot fail");
    }
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.reasons()).finish()
    }
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Explanation", 2)?;
        out.serialize_field("reasons", &Reasons(self))?;
        out.serialize_field("summary", &self.summary)?;
        out.end()
    }
}

struct Reasons<'a>(&'a Explanation);

impl Serialize for Reasons<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.reasons())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_detail_is_its_own_and_the_summary_joins_them() {
        let mut why = Explanation::default();
        why.because("a", "first");
        why.because("b", format_args!("second {}", 2));
        let reasons: Vec<_> = why.reasons().collect();
        assert_eq!(reasons, [Because { code: "a", detail: "first" }, Because { code: "b", detail: "second 2" }]);
        assert_eq!(why.summary(), "first; second 2");
        assert_eq!(
            serde_json::to_value(&why).unwrap(),
            serde_json::json!({ "reasons": [{ "code": "a", "detail": "first" }, { "code": "b", "detail": "second 2" }],
                                "summary": "first; second 2" })
        );
    }
}

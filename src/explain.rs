//! Every decision explains itself: machine-readable reasons and one human sentence.
//! Explanations never contain personal data: ids are pseudonymous, addresses never appear.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub reasons: Vec<Because>,
    pub summary: String,
}

/// One reason: a stable code and its detail ("quietHours", "SMS deferred to 08:00 ...").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Because {
    pub code: String,
    pub detail: String,
}

impl Explanation {
    pub fn because(&mut self, code: &str, detail: impl Into<String>) {
        let detail = detail.into();
        if self.summary.is_empty() {
            self.summary = detail.clone();
        } else {
            self.summary.push_str("; ");
            self.summary.push_str(&detail);
        }
        self.reasons.push(Because {
            code: code.to_string(),
            detail,
        });
    }
}

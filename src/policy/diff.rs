//! What a playbook edit changes (the console's "diff against the live version", issue 19): every
//! field that differs, by the JSON path the validator's errors use, with both values. Both
//! sides are compared as normalised policies (defaults filled in), so a field written out at its
//! default is no change.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub path: String,
    /// Absent: the field is new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// Absent: the field was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("$", Some(before), Some(after), &mut changes);
    changes
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
            keys.sort();
            for key in keys {
                walk(&format!("{path}.{key}"), a.get(key), b.get(key), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change { path: path.to_string(), before: a.cloned(), after: b.cloned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_listed_by_json_path_with_both_values() {
        let live = json!({ "version": "v1", "steps": [{ "key": "email1", "delayMinutes": 30 }], "old": 1 });
        let next = json!({ "version": "v2", "steps": [{ "key": "email1", "delayMinutes": 60 }, { "key": "sms1" }] });
        let paths: Vec<_> = diff(&live, &next).into_iter().map(|c| (c.path, c.before, c.after)).collect();
        assert_eq!(paths, vec![
            ("$.old".into(), Some(json!(1)), None),
            ("$.steps[0].delayMinutes".into(), Some(json!(30)), Some(json!(60))),
            ("$.steps[1]".into(), None, Some(json!({ "key": "sms1" }))),
            ("$.version".into(), Some(json!("v1")), Some(json!("v2"))),
        ]);
    }
}

//! The values a template reads: text, whole numbers, money, flags and lists of items. Money is
//! kept as an amount and written by `locale` at render time, so every number reads as the
//! shopper's locale writes it.

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Money { minor: i64, currency: String },
    Bool(bool),
    List(Vec<Value>),
    Map(Vec<(&'static str, Value)>),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn map<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
        Value::Map(fields.into())
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Map(fields) => fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn set(&mut self, name: &'static str, value: Value) {
        if let Value::Map(fields) = self {
            match fields.iter_mut().find(|(k, _)| *k == name) {
                Some(field) => field.1 = value,
                None => fields.push((name, value)),
            }
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Text(s) => !s.is_empty(),
            Value::Int(n) => *n != 0,
            Value::Money { .. } => true,
            Value::Bool(b) => *b,
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn display(&self, locale: &str) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(n) => crate::locale::number(locale, *n),
            Value::Money { minor, currency } => crate::locale::money(locale, *minor, currency),
            Value::Bool(_) | Value::List(_) | Value::Map(_) => String::new(),
        }
    }
}

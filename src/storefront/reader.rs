//! The storefront's inputs are read by the crate's one checked reader (`common::reader`, the
//! server's too), over a tree from the storefront's own parser (`json`), not serde_json's.

pub(crate) use crate::common::reader::{invalid, Object};
use crate::error::Result;

/// Parse JSON text (located `MALFORMED_JSON` errors) and read its root object with `read`.
pub(crate) fn from_text<T>(text: &str, read: impl FnOnce(Object) -> Result<T>) -> Result<T> {
    let tree = super::json::parse(text)?;
    read(Object::new(&tree, "$".to_string())?)
}

//! The storefront's inputs are read by the crate's one checked JSON reader, now shared with
//! the server's (`common::reader`); this path stays for the storefront's modules.

pub(crate) use crate::common::reader::{from_text, invalid, Object};

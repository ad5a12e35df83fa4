//! The vocabulary both builds share: the storefront reports carts, contact details and
//! reasons in the very shapes the server's engine reads. Depends on nothing else in the crate.

pub mod cart;
pub mod channel;
pub mod contact_details;
pub mod ids;
pub mod money;
pub mod reader;
pub mod reason;

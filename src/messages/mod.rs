//! What a message says: the default template pack per key, channel and locale, the merchant's
//! brand, facts and overrides, one small renderer for email and SMS, and the content audit
//! that gates every send. Server build only: the storefront never renders a message.

pub mod audit;
pub mod brand;
pub mod compose;
pub mod context;
pub mod pack;
#[cfg(not(target_arch = "wasm32"))]
pub mod preview;
#[cfg(not(target_arch = "wasm32"))]
pub mod samples;
pub mod template;

pub use brand::{Brand, DeliveryDays, Facts, Gift, Overrides, Voice};
pub use compose::{compose, Compose, Email, Links, OfferTerms, Rendered};

//! Business rules. Nothing here knows about HTTP: handlers call these functions.

#[cfg(feature = "app")]
pub mod accounts;
#[cfg(feature = "app")]
pub mod chart;
pub mod clock;
#[cfg(feature = "app")]
pub mod demo;
#[cfg(feature = "app")]
pub mod error;
#[cfg(feature = "app")]
pub mod export;
#[cfg(feature = "app")]
pub mod grants;
pub mod invoices;
#[cfg(feature = "app")]
pub mod ledger;
#[cfg(feature = "app")]
pub mod programmes;
#[cfg(feature = "app")]
pub mod reports;
#[cfg(feature = "app")]
pub mod rounding;
#[cfg(feature = "app")]
pub mod usage;

#[cfg(feature = "app")]
pub use error::{DomainError, DomainResult, FieldErrors};

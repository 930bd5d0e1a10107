//! Business rules. Nothing here knows about HTTP: handlers call these functions.

pub mod accounts;
pub mod chart;
pub mod clock;
pub mod demo;
pub mod error;
pub mod export;
pub mod grants;
pub mod invoices;
pub mod ledger;
pub mod programmes;
pub mod reports;
pub mod rounding;
pub mod usage;

pub use error::{DomainError, DomainResult, FieldErrors};

//! Business rules. Nothing here knows about HTTP: handlers call these functions.

pub mod accounts;
pub mod clock;
pub mod demo;
pub mod error;
pub mod grants;
pub mod programmes;
pub mod reports;
pub mod usage;

pub use error::{DomainError, DomainResult, FieldErrors};

//! The domain layer's one error type. The web layer maps it to HTTP in one place.

use crate::ledger::LedgerError;

/// Problems with what a person typed, field by field, so a form can show each next to its field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// `Ok(())` when nothing was added, the errors otherwise.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() { Ok(()) } else { Err(DomainError::Invalid(self)) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(field, msg)| format!("{field}: {msg}")).collect();
        f.write_str(&parts.join("; "))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not found")]
    NotFound,
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The request clashes with the current state (already decided, already posted, ...).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> DomainError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        DomainError::Invalid(errors)
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

/// `Option` → `NotFound`, the usual ending of a lookup by id.
pub trait OrNotFound<T> {
    fn or_not_found(self) -> DomainResult<T>;
}

impl<T> OrNotFound<T> for Result<T, diesel::result::Error> {
    fn or_not_found(self) -> DomainResult<T> {
        match self {
            Ok(v) => Ok(v),
            Err(diesel::result::Error::NotFound) => Err(DomainError::NotFound),
            Err(e) => Err(DomainError::Database(e)),
        }
    }
}

//! The domain layer's one error type. The web layer maps it to HTTP in one place and words its
//! messages in the reader's language: nothing here is a sentence, only catalogue keys.

use crate::ledger::LedgerError;
use crate::messages::Message;

/// Problems with what a person typed, field by field, so a form can show each next to its field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, Message)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: Message) {
        self.0.push((field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first problem with `field`.
    pub fn get(&self, field: &str) -> Option<&Message> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m)
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// `Ok(())` when nothing was added, the errors otherwise.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() { Ok(()) } else { Err(DomainError::Invalid(self)) }
    }
}

/// Locale-free, for logs.
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
    /// The actor may not do this; answered as "not found" so that existence does not leak.
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The request clashes with the current state (already decided, already posted, ...).
    #[error("conflict: {0}")]
    Conflict(Message),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Internal(String),
    /// A read asked of [`crate::domain::spending::NoConnection`]: what the work needs is not
    /// kept, and it runs again on a connection. Never reaches a person.
    #[error("not kept: the work needs a database connection")]
    NotKept,
}

impl DomainError {
    pub fn invalid(field: &'static str, message: Message) -> DomainError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        DomainError::Invalid(errors)
    }
}

impl From<FieldErrors> for DomainError {
    fn from(errors: FieldErrors) -> DomainError {
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

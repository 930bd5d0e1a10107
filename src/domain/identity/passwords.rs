//! Passwords: argon2id hashes, and checking credentials in constant time whether or not the
//! account exists.

use super::*;
use crate::db::AnyConnection;
use crate::domain::error::{DomainError, DomainResult};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

pub fn hash_password(password: &str) -> DomainResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("cannot hash password: {e}")))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the email is unknown so that a login
/// attempt takes as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// Whether `password` is `user`'s. No database involved, so no connection is held while argon2
/// works; an unknown user costs the same time as a known one. Deliberately slow: run it off the
/// async executor, with concurrency bounded by the caller.
pub fn password_matches(user: Option<&User>, password: &str) -> bool {
    match user {
        Some(user) => verify_password(password, &user.password_hash),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

/// Checks credentials. The caller runs this off the async executor: argon2 is deliberately slow.
pub fn authenticate(conn: &mut AnyConnection, email: &str, password: &str) -> DomainResult<Option<User>> {
    match find_user_by_email(conn, email)? {
        Some(user) if verify_password(password, &user.password_hash) => Ok(Some(user)),
        Some(_) => Ok(None),
        None => {
            let _ = verify_password(password, dummy_hash());
            Ok(None)
        }
    }
}

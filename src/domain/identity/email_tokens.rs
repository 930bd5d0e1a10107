//! Single-use links mailed to people (verifying an address): the mail carries a random token,
//! the database only its SHA-256, and a token works once, before it expires.

use crate::db::AnyConnection;
use crate::db::schema::{email_tokens, users};
use crate::domain::clock;
use crate::domain::error::DomainResult;
use crate::domain::ids::UserId;
use chrono::Duration;
use diesel::prelude::*;

crate::text_enum! {
    pub enum EmailPurpose ("e-mail token purpose") {
        VerifyEmail = "verify-email",
        ResetPassword = "reset-password",
    }
}

/// How long a sign-up's verification link works.
pub const VERIFY_HOURS: i64 = 48;
/// How long a password-reset link works.
pub const RESET_HOURS: i64 = 1;

fn hash(token: &str) -> String {
    super::sha256_hex(token)
}

/// A new token for `user_id`, valid for `hours`; only its hash is stored.
pub fn issue_email_token(conn: &mut AnyConnection, user_id: UserId, purpose: EmailPurpose, hours: i64) -> DomainResult<String> {
    let token = super::random_token();
    let now = clock::now();
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::token_hash.eq(hash(&token)),
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose.as_str()),
            email_tokens::created_at.eq(now),
            email_tokens::expires_at.eq(now + Duration::hours(hours)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Ends every unused token of `purpose` for `user_id` (a password changed, a newer link sent).
pub fn revoke_email_tokens(conn: &mut AnyConnection, user_id: UserId, purpose: EmailPurpose) -> DomainResult<()> {
    diesel::update(email_tokens::table.filter(email_tokens::user_id.eq(user_id)).filter(email_tokens::purpose.eq(purpose.as_str())).filter(email_tokens::used_at.is_null()))
        .set(email_tokens::used_at.eq(clock::now()))
        .execute(conn)?;
    Ok(())
}

/// How soon a new reset link may follow the last one for the same account.
const RESET_COOLDOWN_MINUTES: i64 = 5;

/// Uses a token once: the user it was issued to, or `None` when it is unknown, used, expired or
/// for another purpose. The update that marks it used is the check, so two clicks race safely.
pub fn consume_email_token(conn: &mut AnyConnection, token: &str, purpose: EmailPurpose) -> DomainResult<Option<UserId>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let now = clock::now();
    let key = hash(token);
    let used = diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(&key))
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(now)),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)?;
    if used != 1 {
        return Ok(None);
    }
    Ok(Some(email_tokens::table.find(&key).select(email_tokens::user_id).first(conn)?))
}

/// Marks the address behind a verification link as proven; the user, or `None` for a bad link.
pub fn verify_email(conn: &mut AnyConnection, token: &str) -> DomainResult<Option<UserId>> {
    crate::db::write_transaction(conn, |conn| {
        let Some(user_id) = consume_email_token(conn, token, EmailPurpose::VerifyEmail)? else { return Ok(None) };
        diesel::update(users::table.find(user_id).filter(users::email_verified_at.is_null())).set(users::email_verified_at.eq(clock::now())).execute(conn)?;
        Ok(Some(user_id))
    })
}

/// A reset link for the account at `email`, when there is a confirmed one: `None` otherwise
/// (the page says the same either way).
pub fn request_password_reset(conn: &mut AnyConnection, email: &str) -> DomainResult<Option<(super::User, String)>> {
    let Some(user) = super::find_user_by_email(conn, email)? else { return Ok(None) };
    if !user.is_verified() {
        return Ok(None);
    }
    // One person's inbox is not flooded: a link sent in the last few minutes is enough.
    let recent: i64 = email_tokens::table
        .filter(email_tokens::user_id.eq(user.id))
        .filter(email_tokens::purpose.eq(EmailPurpose::ResetPassword.as_str()))
        .filter(email_tokens::created_at.gt(clock::now() - Duration::minutes(RESET_COOLDOWN_MINUTES)))
        .count()
        .get_result(conn)?;
    if recent > 0 {
        return Ok(None);
    }
    let token = issue_email_token(conn, user.id, EmailPurpose::ResetPassword, RESET_HOURS)?;
    Ok(Some((user, token)))
}

/// Whether a reset link still works, without using it (the form is shown first).
pub fn reset_link_is_valid(conn: &mut AnyConnection, token: &str) -> DomainResult<bool> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let found: i64 = email_tokens::table
        .filter(email_tokens::token_hash.eq(hash(token)))
        .filter(email_tokens::purpose.eq(EmailPurpose::ResetPassword.as_str()))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(clock::now()))
        .count()
        .get_result(conn)?;
    Ok(found == 1)
}

/// Uses a reset link once: the new password (already hashed) replaces the old, and every
/// session of the account ends, so whoever knew the old password is signed out everywhere.
pub fn reset_password(conn: &mut AnyConnection, token: &str, new_hash: &str) -> DomainResult<Option<UserId>> {
    crate::db::write_transaction(conn, |conn| {
        let Some(user_id) = consume_email_token(conn, token, EmailPurpose::ResetPassword)? else { return Ok(None) };
        super::set_password_hash(conn, user_id, new_hash)?;
        revoke_email_tokens(conn, user_id, EmailPurpose::ResetPassword)?;
        super::end_sessions_of(conn, user_id, None)?;
        Ok(Some(user_id))
    })
}

//! Server-side sessions: the cookie carries a random token and only its SHA-256 is stored, so a
//! copy of the database cannot be replayed as a login. Every session, even an anonymous one,
//! carries a CSRF token; signing in replaces the session with a new one.

use crate::db::AnyConnection;
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use diesel::prelude::*;
use crate::db::schema::sessions;
use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

pub const SESSION_DAYS: i64 = 7;


#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub token_hash: String,
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// 32 random bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns it with the token to put in the cookie.
pub fn start_session(conn: &mut AnyConnection, user_id: Option<i64>) -> DomainResult<(String, Session)> {
    let token = random_token();
    let now = clock::now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(random_token()),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + Duration::days(SESSION_DAYS)),
        ))
        .execute(conn)?;
    let session = find_session(conn, &token)?.ok_or(DomainError::NotFound)?;
    Ok((token, session))
}

/// The live session behind a cookie token, if any.
pub fn find_session(conn: &mut AnyConnection, token: &str) -> DomainResult<Option<Session>> {
    Ok(sessions::table
        .filter(sessions::token_hash.eq(token_hash(token)))
        .filter(sessions::expires_at.gt(clock::now()))
        .select(Session::as_select())
        .first(conn)
        .optional()?)
}

pub fn end_session(conn: &mut AnyConnection, token: &str) -> DomainResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token)))).execute(conn)?;
    Ok(())
}

pub fn end_session_by_hash(conn: &mut AnyConnection, stored_hash: &str) -> DomainResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(stored_hash))).execute(conn)?;
    Ok(())
}

pub fn purge_expired_sessions(conn: &mut AnyConnection) -> DomainResult<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(clock::now()))).execute(conn)?)
}

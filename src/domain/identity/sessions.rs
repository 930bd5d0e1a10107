//! Server-side sessions: the cookie carries a random token and only its SHA-256 is stored, so a
//! copy of the database cannot be replayed as a login. Every session, even an anonymous one,
//! carries a CSRF token; signing in replaces the session with a new one.

use crate::db::AnyConnection;
use crate::domain::clock;
use crate::domain::ids::UserId;
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
    pub user_id: Option<UserId>,
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

/// SHA-256 of `text`, in hex: how tokens, links and pseudonyms are kept without their secret.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Whether `a` equals `b`, taking the same time wherever they differ (tokens, codes, MACs).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 of raw bytes (a file), in hex.
pub fn sha256_hex_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// Starts a session; returns it with the token to put in the cookie.
pub fn start_session(conn: &mut AnyConnection, user_id: Option<UserId>) -> DomainResult<(String, Session)> {
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

/// The key that signs anonymous visitors' CSRF tokens: made once, at random, and kept in the
/// database so that every server (and every restart) shares it.
pub fn server_secret(conn: &mut AnyConnection) -> DomainResult<Vec<u8>> {
    use crate::db::schema::app_secrets;
    const NAME: &str = "anonymous-csrf";
    let candidate = random_token();
    // Two servers starting together: both insert, one wins, both read the winner.
    let insert = diesel::insert_into(app_secrets::table).values((app_secrets::name.eq(NAME), app_secrets::value.eq(&candidate)));
    crate::on_backend!(conn, c => insert.on_conflict_do_nothing().execute(c))?;
    let stored: String = app_secrets::table.find(NAME).select(app_secrets::value).first(conn)?;
    hex::decode(stored).map_err(|e| DomainError::Internal(format!("app secret is not hex: {e}")))
}

/// A visitor who has not signed in: no row, only a random nonce in a cookie; the CSRF token is
/// the nonce signed with the server's secret, so only this server could have issued it.
pub fn anonymous_session(secret: &[u8], nonce: &str) -> Option<Session> {
    use hmac::{Hmac, Mac};
    let valid_nonce = nonce.len() == 64 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid_nonce {
        return None;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"csrf:");
    mac.update(nonce.as_bytes());
    let now = clock::now();
    Some(Session {
        id: 0,
        token_hash: String::new(),
        user_id: None,
        csrf_token: hex::encode(mac.finalize().into_bytes()),
        created_at: now,
        expires_at: now,
    })
}

/// Ends every session of `user_id`, except the one whose token hash is `keep`.
pub fn end_sessions_of(conn: &mut AnyConnection, user_id: UserId, keep: Option<&str>) -> DomainResult<usize> {
    let mut query = diesel::delete(sessions::table).filter(sessions::user_id.eq(user_id)).into_boxed();
    if let Some(keep) = keep {
        query = query.filter(sessions::token_hash.ne(keep));
    }
    Ok(query.execute(conn)?)
}

/// The live sessions of `user_id`, newest first.
pub fn sessions_of(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<Vec<Session>> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(clock::now()))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)?)
}

/// How long the second step of a sign-in waits for its code.
pub const PENDING_SIGN_IN_MINUTES: i64 = 5;

fn pending_mac(secret: &[u8], payload: &str) -> Option<String> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"pending-sign-in:");
    mac.update(payload.as_bytes());
    Some(hex::encode(mac.finalize().into_bytes()))
}

/// A person who gave the right password and still owes a second factor holds no session yet,
/// only this: their id and a deadline, signed with the server's secret. It also names the
/// password it was issued for, so that a password changed meanwhile voids it.
pub fn pending_sign_in(secret: &[u8], user: &super::User) -> Option<String> {
    let deadline = (clock::now() + Duration::minutes(PENDING_SIGN_IN_MINUTES)).and_utc().timestamp();
    let password = &sha256_hex(&user.password_hash)[..16];
    let payload = format!("{}.{deadline}.{password}", user.id);
    Some(format!("{payload}.{}", pending_mac(secret, &payload)?))
}

/// The user a pending sign-in names, if it is this server's, unexpired, and their password is
/// unchanged (the caller checks the last with [`pending_matches_password`]).
pub fn open_pending_sign_in(secret: &[u8], value: &str) -> Option<(UserId, String)> {
    let (payload, mac) = value.rsplit_once('.')?;
    let expected = pending_mac(secret, payload)?;
    if !constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
        return None;
    }
    let mut parts = payload.split('.');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let deadline: i64 = parts.next()?.parse().ok()?;
    let password = parts.next()?.to_string();
    if deadline < clock::now().and_utc().timestamp() {
        return None;
    }
    Some((UserId::new(user_id), password))
}

/// Whether the password fingerprint of a pending sign-in is still `user`'s.
pub fn pending_matches_password(user: &super::User, fingerprint: &str) -> bool {
    sha256_hex(&user.password_hash)[..16] == *fingerprint
}

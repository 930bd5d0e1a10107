//! Two-factor authentication: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, six digits,
//! 30-second steps, the parameters every authenticator app reads) and single-use recovery codes.
//!
//! A code is accepted for the current step and one step either side (clocks drift), and never
//! twice: the last step used is stored and the update that records it is the check.

use crate::db::AnyConnection;
use crate::db::schema::{recovery_codes, users};
use crate::domain::clock;
use crate::domain::error::{DomainResult, FieldErrors};
use crate::domain::ids::UserId;
use crate::messages::Message;
use diesel::prelude::*;
use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: u64 = 30;
const DIGITS: usize = 6;
/// How many recovery codes a person gets; each works once.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied by hand.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new random secret of 160 bits (RFC 4226's recommendation), in base32 as apps expect it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS, bytes).ok()
}

/// The code an app shows for `secret` at `unix_seconds` (for tests and the browser journey).
pub fn code_at(secret: &str, unix_seconds: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix_seconds))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_uri(secret: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
                other => format!("%{other:02X}"),
            })
            .collect()
    };
    format!("otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}", enc(issuer), enc(account), enc(issuer))
}

/// The provisioning address as an SVG QR code, drawn on the server (no script, no CDN).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

fn now_unix() -> u64 {
    clock::now().and_utc().timestamp().max(0) as u64
}

/// The time step whose code `code` is, within one step of `unix_seconds`, if any.
pub fn matching_step(secret: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    let current = unix_seconds / STEP_SECONDS;
    let mut found = None;
    // Every candidate is computed and compared in full, whichever matches.
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECONDS);
        if super::constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = i64::try_from(step).ok();
        }
    }
    found
}

fn wrong_code() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("code", Message::new("two-factor-code-wrong"));
    errors
}

/// Turns two-factor on once the person has typed a code from `secret` (which proves their app
/// holds it); returns the recovery codes, to be shown once.
pub fn enable(conn: &mut AnyConnection, user_id: UserId, secret: &str, code: &str) -> DomainResult<Vec<String>> {
    if totp(secret).is_none() {
        return Err(wrong_code().into());
    }
    let Some(step) = matching_step(secret, code, now_unix()) else { return Err(wrong_code().into()) };
    crate::db::write_transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((users::totp_secret.eq(Some(secret)), users::totp_last_step.eq(Some(step))))
            .execute(conn)?;
        new_recovery_codes(conn, user_id)
    })
}

/// Turns two-factor off and forgets the recovery codes.
pub fn disable(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((users::totp_secret.eq(None::<String>), users::totp_last_step.eq(None::<i64>)))
            .execute(conn)?;
        forget_recovery_codes(conn, user_id)
    })
}

/// Replaces the person's recovery codes with [`RECOVERY_CODES`] new ones, returned in clear once.
pub fn new_recovery_codes(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<Vec<String>> {
    forget_recovery_codes(conn, user_id)?;
    let now = clock::now();
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        let letters: String = bytes.iter().map(|b| RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()] as char).collect();
        let code = format!("{}-{}", &letters[..5], &letters[5..]);
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::code_hash.eq(super::sha256_hex(&normalise_recovery_code(&code))),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
        codes.push(code);
    }
    Ok(codes)
}

pub fn forget_recovery_codes(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

/// Recovery codes not yet used.
pub fn recovery_codes_left(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<i64> {
    Ok(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)).filter(recovery_codes::used_at.is_null()).count().get_result(conn)?)
}

/// Lower case, without spaces or dashes: how people copy codes varies.
fn normalise_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

/// Checks a second factor for `user_id`: a current code from the app, never accepted twice, or
/// an unused recovery code, which is then spent.
pub fn verify(conn: &mut AnyConnection, user_id: UserId, code: &str) -> DomainResult<Option<Proof>> {
    let secret: Option<String> = users::table.find(user_id).select(users::totp_secret).first(conn)?;
    let Some(secret) = secret else { return Ok(None) };
    if let Some(step) = matching_step(&secret, code, now_unix()) {
        let used = diesel::update(
            users::table
                .find(user_id)
                .filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
        )
        .set(users::totp_last_step.eq(Some(step)))
        .execute(conn)?;
        return Ok((used == 1).then_some(Proof::Code));
    }
    let normalised = normalise_recovery_code(code);
    if normalised.len() != 10 {
        return Ok(None);
    }
    let spent = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::code_hash.eq(super::sha256_hex(&normalised)))
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(clock::now())))
    .execute(conn)?;
    Ok((spent == 1).then_some(Proof::RecoveryCode))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 test vectors (secret "12345678901234567890"), truncated
    /// to six digits as the apps show them.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        for (time, eight_digits) in [(59u64, "94287082"), (1_111_111_109, "07081804"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037")] {
            assert_eq!(code_at(&secret, time).unwrap(), eight_digits[2..], "t = {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let secret = new_secret();
        let now = 1_800_000_000u64;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now), Some((now / 30) as i64));
        assert_eq!(matching_step(&secret, &code, now + 30), Some((now / 30) as i64), "one step late is accepted");
        assert_eq!(matching_step(&secret, &code, now + 90), None, "three steps late is not");
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn the_provisioning_uri_names_issuer_and_account() {
        let uri = provisioning_uri("JBSWY3DPEHPK3PXP", "ComputeGrants", "ada lovelace@lumen.test");
        assert_eq!(uri, "otpauth://totp/ComputeGrants:ada%20lovelace@lumen.test?secret=JBSWY3DPEHPK3PXP&issuer=ComputeGrants&algorithm=SHA1&digits=6&period=30");
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }
}

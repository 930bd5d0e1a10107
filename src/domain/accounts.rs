//! Organisations, users, passwords and sessions.
//!
//! Passwords are hashed with argon2id (the argon2 crate's defaults). Sessions live in the
//! database: the cookie carries a random token and only its SHA-256 is stored, so a copy of the
//! database cannot be replayed as a login. Every session, even an anonymous one, carries a CSRF
//! token; logging in replaces the session (and its token) with a new one.

use crate::db::AnyConnection;
use crate::db::schema::{organisations, sessions, users};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::messages::Message;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_LEN: usize = 12;
pub const SESSION_DAYS: i64 = 7;

crate::text_enum! {
    /// What an organisation is; it decides what its members may do (see `domain::access`).
    pub enum OrgKind ("organisation kind") {
        Platform = "platform",
        Funder = "funder",
        Startup = "startup",
        Provider = "provider",
    }
}

impl OrgKind {
    /// The command line's word for a kind: `admin` is the platform's.
    pub fn parse(text: &str) -> Option<OrgKind> {
        match text {
            "admin" => Some(OrgKind::Platform),
            other => other.parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub kind: OrgKind,
    pub name: String,
    pub legal_name: Option<String>,
    pub country: Option<String>,
    pub registration_number: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Organisation {
    pub fn kind(&self) -> OrgKind {
        self.kind
    }

    /// A startup must register its company before it can apply.
    pub fn is_registered(&self) -> bool {
        self.legal_name.is_some() && self.country.is_some() && self.registration_number.is_some()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    /// `en` or `fr` once the person has chosen; mails and pages use it first.
    pub locale: Option<String>,
}

/// The person behind a request, with their organisation.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: User,
    pub organisation: Organisation,
}

impl Member {
    pub fn kind(&self) -> OrgKind {
        self.organisation.kind()
    }

    pub fn org_id(&self) -> i64 {
        self.organisation.id
    }

    /// How ledger entries name who caused them.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.id)
    }
}

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

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_email(errors: &mut FieldErrors, field: &'static str, email: &str) {
    let at = email.find('@');
    let ok = matches!(at, Some(i) if i > 0 && i < email.len() - 1 && email[i + 1..].contains('.')) && !email.contains(char::is_whitespace);
    if !ok {
        errors.add(field, Message::new("email-invalid"));
    }
}

fn check_password(errors: &mut FieldErrors, field: &'static str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(field, Message::new("password-too-short").with("min", MIN_PASSWORD_LEN));
    }
}

pub fn find_org_by_name(conn: &mut AnyConnection, name: &str) -> DomainResult<Option<Organisation>> {
    Ok(organisations::table
        .filter(organisations::name.eq(name))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn organisation(conn: &mut AnyConnection, id: i64) -> DomainResult<Organisation> {
    organisations::table.find(id).select(Organisation::as_select()).first(conn).or_not_found()
}

pub fn organisations_of_kind(conn: &mut AnyConnection, kind: OrgKind) -> DomainResult<Vec<Organisation>> {
    Ok(organisations::table
        .filter(organisations::kind.eq(kind.as_str()))
        .order(organisations::name)
        .select(Organisation::as_select())
        .load(conn)?)
}

pub fn all_organisations(conn: &mut AnyConnection) -> DomainResult<Vec<Organisation>> {
    Ok(organisations::table.order((organisations::kind, organisations::name)).select(Organisation::as_select()).load(conn)?)
}

pub fn create_organisation(conn: &mut AnyConnection, kind: OrgKind, name: &str) -> DomainResult<Organisation> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("organisation", Message::new("organisation-name-missing")));
    }
    if find_org_by_name(conn, name)?.is_some() {
        return Err(DomainError::invalid("organisation", Message::new("organisation-name-taken")));
    }
    let id: i64 = diesel::insert_into(organisations::table)
        .values((
            organisations::kind.eq(kind.as_str()),
            organisations::name.eq(name),
            organisations::created_at.eq(clock::now()),
        ))
        .returning(organisations::id)
        .get_result(conn)?;
    organisation(conn, id)
}

pub struct NewUser<'a> {
    pub organisation_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: &'a str,
}

pub fn validate_new_user(conn: &mut AnyConnection, new: &NewUser<'_>, errors: &mut FieldErrors) -> DomainResult<()> {
    let email = normalise_email(new.email);
    check_email(errors, "email", &email);
    check_password(errors, "password", new.password);
    if new.display_name.trim().is_empty() {
        errors.add("display_name", Message::new("display-name-missing"));
    }
    if errors.get("email").is_none() && find_user_by_email(conn, &email)?.is_some() {
        errors.add("email", Message::new("email-taken"));
    }
    Ok(())
}

/// Creates a user; the caller has validated (see [`validate_new_user`]) and hashed nothing yet.
pub fn create_user(conn: &mut AnyConnection, new: &NewUser<'_>, password_hash: &str) -> DomainResult<User> {
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::organisation_id.eq(new.organisation_id),
            users::email.eq(normalise_email(new.email)),
            users::display_name.eq(new.display_name.trim()),
            users::password_hash.eq(password_hash),
            users::role.eq(new.role),
            users::created_at.eq(clock::now()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    users::table.find(id).select(User::as_select()).first(conn).or_not_found()
}

pub fn find_user_by_email(conn: &mut AnyConnection, email: &str) -> DomainResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn member(conn: &mut AnyConnection, user_id: i64) -> DomainResult<Member> {
    let (user, organisation) = users::table
        .inner_join(organisations::table)
        .filter(users::id.eq(user_id))
        .select((User::as_select(), Organisation::as_select()))
        .first(conn)
        .or_not_found()?;
    Ok(Member { user, organisation })
}

pub fn users_of(conn: &mut AnyConnection, organisation_id: i64) -> DomainResult<Vec<User>> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation_id))
        .order(users::email)
        .select(User::as_select())
        .load(conn)?)
}

/// Company details a startup registers before applying.
pub struct CompanyDetails<'a> {
    pub legal_name: &'a str,
    pub country: &'a str,
    pub registration_number: &'a str,
}

/// EU and EEA members plus Switzerland and the UK: the countries public European programmes fund.
pub const COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
    "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

pub fn validate_company(details: &CompanyDetails<'_>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if details.legal_name.trim().is_empty() {
        errors.add("legal_name", Message::new("legal-name-missing"));
    }
    if !COUNTRIES.contains(&details.country) {
        errors.add("country", Message::new("country-missing"));
    }
    let reg = details.registration_number.trim();
    if reg.is_empty() {
        errors.add("registration_number", Message::new("registration-number-missing"));
    } else if reg.len() > 40 || !reg.chars().all(|c| c.is_ascii_alphanumeric() || " -./".contains(c)) {
        errors.add("registration_number", Message::new("registration-number-invalid"));
    }
    errors
}

pub fn register_company(conn: &mut AnyConnection, organisation_id: i64, details: &CompanyDetails<'_>) -> DomainResult<()> {
    validate_company(details).into_result()?;
    diesel::update(organisations::table.find(organisation_id))
        .set((
            organisations::legal_name.eq(details.legal_name.trim()),
            organisations::country.eq(details.country),
            organisations::registration_number.eq(details.registration_number.trim()),
        ))
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sessions

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

/// Startup self-service sign-up: a new startup organisation with its first user as owner.
pub struct StartupSignup<'a> {
    pub company_name: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

pub fn sign_up_startup(conn: &mut AnyConnection, form: &StartupSignup<'_>) -> DomainResult<User> {
    let mut errors = FieldErrors::default();
    let new_user = NewUser { organisation_id: 0, email: form.email, display_name: form.display_name, password: form.password, role: "owner" };
    validate_new_user(conn, &new_user, &mut errors)?;
    if form.company_name.trim().is_empty() {
        errors.add("company_name", Message::new("company-name-missing"));
    } else if find_org_by_name(conn, form.company_name.trim())?.is_some() {
        errors.add("company_name", Message::new("organisation-name-taken"));
    }
    errors.into_result()?;
    let hash = hash_password(form.password)?;
    crate::db::write_transaction(conn, |conn| {
        let org = create_organisation(conn, OrgKind::Startup, form.company_name)?;
        create_user(conn, &NewUser { organisation_id: org.id, ..new_user }, &hash)
    })
}

/// Creates an organisation (or joins an existing one of the same kind) with a user in it: the
/// path for platform admins, funders and providers, whom an admin creates.
pub fn create_member(
    conn: &mut AnyConnection,
    kind: OrgKind,
    org_name: &str,
    email: &str,
    display_name: &str,
    password: &str,
) -> DomainResult<Member> {
    let mut errors = FieldErrors::default();
    let draft = NewUser { organisation_id: 0, email, display_name, password, role: "owner" };
    validate_new_user(conn, &draft, &mut errors)?;
    let existing = find_org_by_name(conn, org_name.trim())?;
    if org_name.trim().is_empty() {
        errors.add("organisation", Message::new("organisation-name-missing"));
    } else if let Some(org) = &existing {
        if org.kind() != kind {
            errors.add(
                "organisation",
                Message::new("organisation-other-kind").with("name", &org.name).with("kind", org.kind.as_str()).with("wanted", kind.as_str()),
            );
        }
    }
    errors.into_result()?;
    let hash = hash_password(password)?;
    let user = crate::db::write_transaction(conn, |conn| {
        let (org_id, role) = match &existing {
            Some(org) => (org.id, "member"),
            None => (create_organisation(conn, kind, org_name)?.id, "owner"),
        };
        create_user(conn, &NewUser { organisation_id: org_id, role, ..draft }, &hash)
    })?;
    member(conn, user.id)
}

/// Saves the language a person chose (`en` or `fr`); mails to them use it too.
pub fn set_locale(conn: &mut AnyConnection, user_id: i64, locale: &str) -> DomainResult<()> {
    diesel::update(users::table.find(user_id)).set(users::locale.eq(locale)).execute(conn)?;
    Ok(())
}

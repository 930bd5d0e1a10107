//! People: users of an organisation, the signed-in member, sign-up, and what an admin creates.

use super::*;
use crate::db::AnyConnection;
use crate::domain::clock;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::error::{DomainResult, FieldErrors, OrNotFound};
use crate::messages::Message;
use diesel::prelude::*;
use crate::db::schema::{organisations, users};
use chrono::NaiveDateTime;

pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub organisation_id: OrgId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    #[diesel(deserialize_as = String)]
    pub role: MemberRole,
    pub created_at: NaiveDateTime,
    /// `en` or `fr` once the person has chosen; mails and pages use it first.
    pub locale: Option<String>,
    /// When the person proved the address; people an administrator creates are trusted.
    pub email_verified_at: Option<NaiveDateTime>,
    /// When an owner removed the person from the organisation; they can no longer sign in.
    pub removed_at: Option<NaiveDateTime>,
    /// The TOTP secret (base32) once the person has set up a second factor.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
}

impl User {
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    pub fn is_removed(&self) -> bool {
        self.removed_at.is_some()
    }

    pub fn has_two_factor(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// The person behind a request, with their organisation.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: User,
    pub organisation: Organisation,
    /// The name of the API token this member acts through (see `domain::api_tokens`): the
    /// organisation's machine rather than the person, and recorded as such.
    pub api_token: Option<String>,
}

impl Member {
    pub fn kind(&self) -> OrgKind {
        self.organisation.kind()
    }

    pub fn org_id(&self) -> OrgId {
        self.organisation.id
    }

    pub fn role(&self) -> MemberRole {
        self.user.role
    }

    /// The organisation requires a second factor and this person has not set one up yet: they
    /// may only do that (or sign out).
    pub fn must_set_up_two_factor(&self) -> bool {
        self.organisation.require_two_factor && !self.user.has_two_factor()
    }

    /// How ledger entries name who caused them.
    pub fn actor(&self) -> String {
        match &self.api_token {
            Some(name) => format!("api-token:{name}"),
            None => format!("user:{}", self.user.id),
        }
    }
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(super) fn check_email(errors: &mut FieldErrors, field: &'static str, email: &str) {
    let at = email.find('@');
    let ok = matches!(at, Some(i) if i > 0 && i < email.len() - 1 && email[i + 1..].contains('.')) && !email.contains(char::is_whitespace);
    if !ok {
        errors.add(field, Message::new("email-invalid"));
    }
}

pub(super) fn check_password(errors: &mut FieldErrors, field: &'static str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(field, Message::new("password-too-short").with("min", MIN_PASSWORD_LEN));
    }
}

/// The organisation of a draft user checked before its organisation exists.
const NO_ORGANISATION_YET: OrgId = OrgId::new(0);

pub struct NewUser<'a> {
    pub organisation_id: OrgId,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: MemberRole,
    /// Whether the address is trusted already (created by an administrator).
    pub verified: bool,
}

/// Whether a form may say that an address is taken: an administrator creating accounts may be
/// told; a stranger signing up may not (that would tell anyone who has an account here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakenAddress {
    Tell,
    Hide,
}

pub fn validate_new_user(conn: &mut AnyConnection, new: &NewUser<'_>, errors: &mut FieldErrors, taken: TakenAddress) -> DomainResult<()> {
    let email = normalise_email(new.email);
    check_email(errors, "email", &email);
    check_password(errors, "password", new.password);
    if new.display_name.trim().is_empty() {
        errors.add("display_name", Message::new("display-name-missing"));
    }
    if taken == TakenAddress::Tell && errors.get("email").is_none() && find_user_by_email(conn, &email)?.is_some() {
        errors.add("email", Message::new("email-taken"));
    }
    Ok(())
}

/// Creates a user; the caller has validated (see [`validate_new_user`]) and hashed nothing yet.
pub fn create_user(conn: &mut AnyConnection, new: &NewUser<'_>, password_hash: &str) -> DomainResult<User> {
    let id: UserId = diesel::insert_into(users::table)
        .values((
            users::organisation_id.eq(new.organisation_id),
            users::email.eq(normalise_email(new.email)),
            users::display_name.eq(new.display_name.trim()),
            users::password_hash.eq(password_hash),
            users::role.eq(new.role.as_str()),
            users::created_at.eq(clock::now()),
            users::email_verified_at.eq(new.verified.then(clock::now)),
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

pub fn member(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<Member> {
    let (user, organisation) = users::table
        .inner_join(organisations::table)
        .filter(users::id.eq(user_id))
        .filter(users::removed_at.is_null())
        .select((User::as_select(), Organisation::as_select()))
        .first(conn)
        .or_not_found()?;
    Ok(Member { user, organisation, api_token: None })
}

/// The live session behind a cookie token and, when it is signed in, its member: one read for
/// a signed-in person, since every one of their requests starts with it. A session whose
/// person was removed counts as no session (removing someone also ends their sessions).
///
/// The same read returns the state the kept pages are keyed on (`spending::PageState`), so a
/// page kept at that state costs its viewer this one round trip and no other.
pub fn signed_in(conn: &mut AnyConnection, token: &str) -> DomainResult<Option<SignedIn>> {
    use crate::db::schema::{ledger_head, page_state, sessions};
    let token_hash = sha256_hex(token);
    let now = clock::now();
    // Run on the backend's own connection: there diesel keeps the prepared statement under the
    // query's type, while through `AnyConnection` it writes the SQL out again at every call to
    // look it up (a profile of a kept page on PostgreSQL put that at 14 % of the server's time).
    let found: Option<(Session, User, Organisation, Option<i64>, Option<i64>)> = crate::on_backend!(conn, c => sessions::table
        .inner_join(users::table.on(users::id.nullable().eq(sessions::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(users::organisation_id)))
        .filter(sessions::token_hash.eq(&token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::removed_at.is_null())
        .select((
            Session::as_select(),
            User::as_select(),
            Organisation::as_select(),
            ledger_head::table.find(1).select(ledger_head::entry_count).single_value(),
            page_state::table.find(1).select(page_state::version).single_value(),
        ))
        .first(c)
        .optional())?;
    if let Some((session, user, organisation, entry_count, version)) = found {
        let state = Some(crate::domain::spending::state_of(entry_count, version));
        return Ok(Some(SignedIn { session, member: Some(Member { user, organisation, api_token: None }), state }));
    }
    Ok(find_session(conn, token)?.filter(|s| s.user_id.is_none()).map(|session| SignedIn { session, member: None, state: None }))
}

/// A live session as [`signed_in`] found it.
pub struct SignedIn {
    pub session: Session,
    /// Who is signed in; `None` for an anonymous session.
    pub member: Option<Member>,
    /// The ledger and page state read with the session (`None` when it was not read).
    pub state: Option<crate::domain::spending::PageState>,
}

pub fn users_of(conn: &mut AnyConnection, organisation_id: OrgId) -> DomainResult<Vec<User>> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation_id))
        .order(users::email)
        .select(User::as_select())
        .load(conn)?)
}

/// Startup self-service sign-up: a new startup organisation with its first user as owner.
pub struct StartupSignup<'a> {
    pub company_name: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// Checks a sign-up before its password is hashed (hashing is slow and done without holding a
/// database connection: see [`sign_up_startup`]). Whether the address is taken is not said.
pub fn validate_signup(conn: &mut AnyConnection, form: &StartupSignup<'_>) -> DomainResult<()> {
    let mut errors = FieldErrors::default();
    validate_new_user(conn, &signup_user(form), &mut errors, TakenAddress::Hide)?;
    // Someone finishing a registration they never confirmed gets their own name back.
    let unconfirmed_org = find_user_by_email(conn, form.email)?.filter(|u| !u.is_verified()).map(|u| u.organisation_id);
    if form.company_name.trim().is_empty() {
        errors.add("company_name", Message::new("company-name-missing"));
    } else if let Some(org) = find_org_by_name(conn, form.company_name.trim())? {
        if Some(org.id) != unconfirmed_org {
            errors.add("company_name", Message::new("organisation-name-taken"));
        }
    }
    errors.into_result()
}

fn signup_user<'a>(form: &StartupSignup<'a>) -> NewUser<'a> {
    NewUser { organisation_id: NO_ORGANISATION_YET, email: form.email, display_name: form.display_name, password: form.password, role: MemberRole::Owner, verified: false }
}

/// What a sign-up did; the page says the same in both cases ("check your inbox"), the mail
/// differs.
pub enum SignUp {
    /// A new startup and its owner, who must open the link in `token` before signing in.
    Created { user: User, token: String },
    /// The address already has an account: its owner is told by mail, nothing is created.
    AddressTaken { existing: User },
}

/// Creates the startup and its owner, unverified, with a password already hashed by
/// [`hash_password`]; checked again here, since another sign-up may have taken the name in
/// between. The link to verify the address is valid for [`VERIFY_HOURS`].
pub fn sign_up_startup(conn: &mut AnyConnection, form: &StartupSignup<'_>, hash: &str) -> DomainResult<SignUp> {
    validate_signup(conn, form)?;
    if let Some(existing) = find_user_by_email(conn, form.email)? {
        if existing.is_verified() {
            return Ok(SignUp::AddressTaken { existing });
        }
        // Never confirmed (the link lost or expired): the latest registration wins — its
        // password, a new link, and earlier links no longer work.
        return crate::db::write_transaction(conn, |conn| {
            set_password_hash(conn, existing.id, hash)?;
            revoke_email_tokens(conn, existing.id, EmailPurpose::VerifyEmail)?;
            let token = issue_email_token(conn, existing.id, EmailPurpose::VerifyEmail, VERIFY_HOURS)?;
            Ok(SignUp::Created { user: existing, token })
        });
    }
    let new_user = signup_user(form);
    crate::db::write_transaction(conn, |conn| {
        let org = create_organisation(conn, OrgKind::Startup, form.company_name)?;
        let user = create_user(conn, &NewUser { organisation_id: org.id, ..new_user }, hash)?;
        let token = issue_email_token(conn, user.id, EmailPurpose::VerifyEmail, VERIFY_HOURS)?;
        Ok(SignUp::Created { user, token })
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
    let draft = NewUser { organisation_id: NO_ORGANISATION_YET, email, display_name, password, role: MemberRole::Owner, verified: true };
    validate_new_user(conn, &draft, &mut errors, TakenAddress::Tell)?;
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
            Some(org) => (org.id, MemberRole::Member),
            None => (create_organisation(conn, kind, org_name)?.id, MemberRole::Owner),
        };
        create_user(conn, &NewUser { organisation_id: org_id, role, ..draft }, &hash)
    })?;
    member(conn, user.id)
}

/// Saves the language a person chose (`en` or `fr`); mails to them use it too.
pub fn set_locale(conn: &mut AnyConnection, user_id: UserId, locale: &str) -> DomainResult<()> {
    diesel::update(users::table.find(user_id)).set(users::locale.eq(locale)).execute(conn)?;
    Ok(())
}

pub fn set_password_hash(conn: &mut AnyConnection, user_id: UserId, hash: &str) -> DomainResult<()> {
    diesel::update(users::table.find(user_id)).set(users::password_hash.eq(hash)).execute(conn)?;
    Ok(())
}

/// Checks a new password the way sign-up does.
pub fn check_new_password(password: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_password(&mut errors, "password", password);
    errors
}

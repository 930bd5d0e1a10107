//! The people of an organisation: their roles, invitations by e-mail, changes of role and
//! removal. What each role may do is decided in `domain::access`, not here.

use super::*;
use crate::db::AnyConnection;
use crate::db::schema::{invitations, users};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::ids::{OrgId, UserId};
use crate::messages::Message;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    /// A person's role inside their organisation.
    pub enum MemberRole ("member role") {
        /// Everything the organisation may do, and its people and security settings.
        Owner = "owner",
        /// A funder's calls and decisions.
        ProgrammeManager = "programme_manager",
        /// Reads applications to review them; decides nothing.
        Reviewer = "reviewer",
        /// Money: usage files and invoices.
        Billing = "billing",
        /// The organisation's everyday work, without its people or settings.
        Member = "member",
        /// Reads everything the organisation may read, and changes nothing.
        Auditor = "auditor",
    }
}

impl MemberRole {
    /// The roles that mean something in an organisation of `kind`, most powerful first.
    pub fn offered_in(kind: OrgKind) -> &'static [MemberRole] {
        use MemberRole::*;
        match kind {
            OrgKind::Funder => &[Owner, ProgrammeManager, Reviewer, Billing, Member, Auditor],
            OrgKind::Startup | OrgKind::Provider => &[Owner, Billing, Member, Auditor],
            OrgKind::Platform => &[Owner, Auditor],
        }
    }

    /// Its catalogue key (`role-owner`, …).
    pub fn label_key(self) -> &'static str {
        match self {
            MemberRole::Owner => "role-owner",
            MemberRole::ProgrammeManager => "role-programme-manager",
            MemberRole::Reviewer => "role-reviewer",
            MemberRole::Billing => "role-billing",
            MemberRole::Member => "role-member",
            MemberRole::Auditor => "role-auditor",
        }
    }
}

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub organisation_id: OrgId,
    pub email: String,
    #[diesel(deserialize_as = String)]
    pub role: MemberRole,
    pub token_hash: String,
    pub invited_by: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// The people of an organisation who can still sign in, owners first.
pub fn members_of(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<User>> {
    let mut people: Vec<User> = users::table
        .filter(users::organisation_id.eq(org_id))
        .filter(users::removed_at.is_null())
        .order(users::email)
        .select(User::as_select())
        .load(conn)?;
    people.sort_by_key(|u| (u.role != MemberRole::Owner, u.email.clone()));
    Ok(people)
}

/// Invitations not yet accepted, revoked or expired.
pub fn pending_invitations(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<Invitation>> {
    Ok(invitations::table
        .filter(invitations::organisation_id.eq(org_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(clock::now()))
        .order(invitations::created_at.desc())
        .select(Invitation::as_select())
        .load(conn)?)
}

fn role_offered(org: &Organisation, role: MemberRole, errors: &mut FieldErrors) {
    if !MemberRole::offered_in(org.kind()).contains(&role) {
        errors.add("role", Message::new("role-not-offered"));
    }
}

/// What an invitation needs before it is sent.
pub fn validate_invitation(org: &Organisation, email: &str, role: Option<MemberRole>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_email(&mut errors, "email", &normalise_email(email));
    match role {
        Some(role) => role_offered(org, role, &mut errors),
        None => errors.add("role", Message::new("role-not-offered")),
    }
    errors
}

/// Invites `email` into `by`'s organisation with `role`: a single-use link valid for
/// [`INVITATION_DAYS`]; an earlier pending invitation of the same address is withdrawn. The
/// caller queues the mail in the same transaction. Returns the token for the link.
pub fn invite(conn: &mut AnyConnection, by: &Member, email: &str, role: MemberRole) -> DomainResult<String> {
    validate_invitation(&by.organisation, email, Some(role)).into_result()?;
    let email = normalise_email(email);
    if let Some(existing) = find_user_by_email(conn, &email)? {
        if existing.organisation_id == by.org_id() && !existing.is_removed() {
            let mut errors = FieldErrors::default();
            errors.add("email", Message::new("invitation-already-member"));
            return Err(errors.into());
        }
    }
    let now = clock::now();
    diesel::update(
        invitations::table
            .filter(invitations::organisation_id.eq(by.org_id()))
            .filter(invitations::email.eq(&email))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(now))
    .execute(conn)?;
    let token = random_token();
    diesel::insert_into(invitations::table)
        .values((
            invitations::organisation_id.eq(by.org_id()),
            invitations::email.eq(&email),
            invitations::role.eq(role.as_str()),
            invitations::token_hash.eq(sha256_hex(&token)),
            invitations::invited_by.eq(by.user.id),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Withdraws a pending invitation of `by`'s organisation.
pub fn revoke_invitation(conn: &mut AnyConnection, by: &Member, invitation_id: i64) -> DomainResult<Invitation> {
    let invitation = invitations::table
        .find(invitation_id)
        .filter(invitations::organisation_id.eq(by.org_id()))
        .select(Invitation::as_select())
        .first(conn)
        .or_not_found()?;
    diesel::update(invitations::table.find(invitation_id).filter(invitations::accepted_at.is_null()))
        .set(invitations::revoked_at.eq(clock::now()))
        .execute(conn)?;
    Ok(invitation)
}

/// The invitation behind a link, if it can still be accepted.
pub fn open_invitation(conn: &mut AnyConnection, token: &str) -> DomainResult<Option<(Invitation, Organisation)>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let found = invitations::table
        .filter(invitations::token_hash.eq(sha256_hex(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(clock::now()))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?;
    match found {
        Some(invitation) => {
            let org = organisation(conn, invitation.organisation_id)?;
            Ok(Some((invitation, org)))
        }
        None => Ok(None),
    }
}

/// What accepting an invitation needs from the person: a name and a password.
pub fn validate_acceptance(display_name: &str, password: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_password(&mut errors, "password", password);
    if display_name.trim().is_empty() {
        errors.add("display_name", Message::new("display-name-missing"));
    }
    errors
}

/// Accepts an invitation: a new member with the invited address (proven by the link) and
/// role, and a password already hashed. An address that belongs to a member of another
/// organisation cannot join (one person, one organisation); one an owner removed comes back.
/// The update that marks the invitation accepted is the check, so two clicks race safely.
pub fn accept_invitation(conn: &mut AnyConnection, token: &str, display_name: &str, password_hash: &str) -> DomainResult<User> {
    crate::db::write_transaction(conn, |conn| {
        let Some((invitation, org)) = open_invitation(conn, token)? else { return Err(DomainError::NotFound) };
        let now = clock::now();
        let marked = diesel::update(invitations::table.find(invitation.id).filter(invitations::accepted_at.is_null()))
            .set(invitations::accepted_at.eq(now))
            .execute(conn)?;
        if marked != 1 {
            return Err(DomainError::NotFound);
        }
        let user_id = match find_user_by_email(conn, &invitation.email)? {
            Some(existing) if !existing.is_removed() => {
                let mut errors = FieldErrors::default();
                errors.add("email", Message::new("invitation-address-elsewhere"));
                return Err(errors.into());
            }
            Some(removed) => {
                diesel::update(users::table.find(removed.id))
                    .set((
                        users::organisation_id.eq(org.id),
                        users::role.eq(invitation.role.as_str()),
                        users::display_name.eq(display_name.trim()),
                        users::password_hash.eq(password_hash),
                        users::removed_at.eq(None::<NaiveDateTime>),
                        users::email_verified_at.eq(Some(now)),
                        users::totp_secret.eq(None::<String>),
                        users::totp_last_step.eq(None::<i64>),
                    ))
                    .execute(conn)?;
                two_factor::forget_recovery_codes(conn, removed.id)?;
                removed.id
            }
            None => {
                let new = NewUser {
                    organisation_id: org.id,
                    email: &invitation.email,
                    display_name,
                    password: "",
                    role: invitation.role,
                    verified: true,
                };
                create_user(conn, &new, password_hash)?.id
            }
        };
        users::table.find(user_id).select(User::as_select()).first(conn).or_not_found()
    })
}

/// A member of `by`'s organisation, or not found.
fn colleague(conn: &mut AnyConnection, by: &Member, user_id: UserId) -> DomainResult<User> {
    users::table
        .find(user_id)
        .filter(users::organisation_id.eq(by.org_id()))
        .filter(users::removed_at.is_null())
        .select(User::as_select())
        .first(conn)
        .or_not_found()
}

fn owners_left(conn: &mut AnyConnection, org_id: OrgId, without: UserId) -> DomainResult<i64> {
    Ok(users::table
        .filter(users::organisation_id.eq(org_id))
        .filter(users::removed_at.is_null())
        .filter(users::role.eq(MemberRole::Owner.as_str()))
        .filter(users::id.ne(without))
        .count()
        .get_result(conn)?)
}

fn last_owner_error() -> DomainError {
    let mut errors = FieldErrors::default();
    errors.add("role", Message::new("last-owner"));
    errors.into()
}

/// Gives a colleague another role; an organisation always keeps one owner.
pub fn change_role(conn: &mut AnyConnection, by: &Member, user_id: UserId, role: MemberRole) -> DomainResult<User> {
    crate::db::write_transaction(conn, |conn| {
        let person = colleague(conn, by, user_id)?;
        let mut errors = FieldErrors::default();
        role_offered(&by.organisation, role, &mut errors);
        errors.into_result()?;
        if person.role == MemberRole::Owner && role != MemberRole::Owner && owners_left(conn, by.org_id(), user_id)? == 0 {
            return Err(last_owner_error());
        }
        diesel::update(users::table.find(user_id)).set(users::role.eq(role.as_str())).execute(conn)?;
        colleague(conn, by, user_id)
    })
}

/// Removes a colleague: they can no longer sign in and their sessions end. Their row stays,
/// since the audit log and the ledger name them.
pub fn remove_member(conn: &mut AnyConnection, by: &Member, user_id: UserId) -> DomainResult<User> {
    crate::db::write_transaction(conn, |conn| {
        let person = colleague(conn, by, user_id)?;
        if person.role == MemberRole::Owner && owners_left(conn, by.org_id(), user_id)? == 0 {
            return Err(last_owner_error());
        }
        diesel::update(users::table.find(user_id)).set(users::removed_at.eq(Some(clock::now()))).execute(conn)?;
        end_sessions_of(conn, user_id, None)?;
        revoke_email_tokens(conn, user_id, EmailPurpose::ResetPassword)?;
        Ok(person)
    })
}

/// Whether every member of `org_id` must use a second factor.
pub fn set_two_factor_required(conn: &mut AnyConnection, org_id: OrgId, required: bool) -> DomainResult<()> {
    use crate::db::schema::organisations;
    diesel::update(organisations::table.find(org_id)).set(organisations::require_two_factor.eq(required)).execute(conn)?;
    Ok(())
}

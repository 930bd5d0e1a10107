//! A person's rights over their data (GDPR articles 15, 17 and 20): a copy of everything held
//! about them, and erasure. Erasure pseudonymises the person everywhere their name or address
//! is kept; the ledger, which public accounting must keep, names people only as `user:N` and
//! stays intact, so `computegrants verify` stays clean.

use super::{Member, User, random_token};
use crate::db::AnyConnection;
use crate::db::schema::{applications, audit_events, email_tokens, mail_outbox, sessions, users};
use crate::domain::clock;
use crate::domain::error::DomainResult;
use crate::domain::ids::UserId;
use diesel::prelude::*;
use serde_json::{Value, json};

/// Everything held about the member, as JSON.
pub fn personal_data(conn: &mut AnyConnection, member: &Member) -> DomainResult<Value> {
    let user: &User = &member.user;
    let sessions: Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime)> = sessions::table
        .filter(sessions::user_id.eq(user.id))
        .select((sessions::created_at, sessions::expires_at))
        .load(conn)?;
    let submitted: Vec<(i64, String, chrono::NaiveDateTime)> = applications::table
        .filter(applications::submitted_by.eq(user.id))
        .select((applications::id, applications::status, applications::created_at))
        .load(conn)?;
    let events: Vec<(chrono::NaiveDateTime, String, Option<String>, Option<String>)> = audit_events::table
        .filter(audit_events::actor_user_id.eq(user.id))
        .order(audit_events::id)
        .select((audit_events::at, audit_events::action, audit_events::address, audit_events::subject))
        .load(conn)?;
    let mails: Vec<(String, String, chrono::NaiveDateTime)> = mail_outbox::table
        .filter(mail_outbox::recipient.eq(&user.email))
        .order(mail_outbox::id)
        .select((mail_outbox::subject, mail_outbox::status, mail_outbox::created_at))
        .load(conn)?;
    Ok(json!({
        "user": {
            "id": user.id.get(),
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role.as_str(),
            "two_factor": user.has_two_factor(),
            "language": user.locale,
            "created_at": user.created_at,
            "email_verified_at": user.email_verified_at,
        },
        "organisation": {
            "id": member.organisation.id.get(),
            "name": member.organisation.name,
            "kind": member.organisation.kind.as_str(),
        },
        "sessions": sessions.iter().map(|(c, e)| json!({ "created_at": c, "expires_at": e })).collect::<Vec<_>>(),
        "applications_submitted": submitted.iter().map(|(id, status, at)| json!({ "id": id, "status": status, "submitted_at": at })).collect::<Vec<_>>(),
        "activity": events.iter().map(|(at, action, address, subject)| json!({ "at": at, "action": action, "address": address, "subject": subject })).collect::<Vec<_>>(),
        "mails": mails.iter().map(|(subject, status, at)| json!({ "subject": subject, "status": status, "queued_at": at })).collect::<Vec<_>>(),
    }))
}

/// Erases the person: their name and address are replaced by a pseudonym, their password can
/// no longer be used, their sessions and pending links end, and mail kept for them loses its
/// address and text. What they did stays attributed to `user:N` (applications, decisions, the
/// ledger), as public accounting requires, but no longer leads to them.
pub fn erase(conn: &mut AnyConnection, user_id: UserId) -> DomainResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let email: String = users::table.find(user_id).select(users::email).first(conn)?;
        let pseudonym = format!("erased-{user_id}@erased.invalid");
        // Mail not yet sent is not sent; mail already sent keeps its status, without address or text.
        diesel::update(mail_outbox::table.filter(mail_outbox::recipient.eq(&email)).filter(mail_outbox::status.ne("sent")))
            .set((mail_outbox::recipient.eq(&pseudonym), mail_outbox::body.eq(""), mail_outbox::status.eq("failed"), mail_outbox::last_error.eq(Some("recipient erased"))))
            .execute(conn)?;
        diesel::update(mail_outbox::table.filter(mail_outbox::recipient.eq(&email)))
            .set((mail_outbox::recipient.eq(&pseudonym), mail_outbox::body.eq("")))
            .execute(conn)?;
        diesel::update(users::table.find(user_id))
            .set((
                users::email.eq(&pseudonym),
                users::display_name.eq(format!("Erased person {user_id}")),
                // No password hashes to this: a random string that is not a PHC hash.
                users::password_hash.eq(format!("erased:{}", random_token())),
                users::locale.eq(None::<String>),
                users::totp_secret.eq(None::<String>),
                users::totp_last_step.eq(None::<i64>),
            ))
            .execute(conn)?;
        super::two_factor::forget_recovery_codes(conn, user_id)?;
        {
            use crate::db::schema::invitations;
            diesel::update(invitations::table.filter(invitations::email.eq(&email))).set(invitations::email.eq(&pseudonym)).execute(conn)?;
        }
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        diesel::update(email_tokens::table.filter(email_tokens::user_id.eq(user_id)).filter(email_tokens::used_at.is_null()))
            .set(email_tokens::used_at.eq(clock::now()))
            .execute(conn)?;
        Ok(())
    })
}

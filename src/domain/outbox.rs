//! The mail outbox: mail is queued in the same transaction as the change it reports, so it is
//! sent if and only if that change commits, and a worker sends it with retries and growing
//! delays. Delivery is at least once: a crash between the SMTP server's "queued" and marking
//! the row sent sends that one mail again after restart, which beats losing it.

use crate::db::AnyConnection;
use crate::db::schema::mail_outbox;
use crate::domain::clock;
use crate::domain::error::DomainResult;
use crate::mail::Mail;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    pub enum MailStatus ("mail status") {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

/// After this many failed attempts a mail is marked failed and shown to admins.
pub const MAX_ATTEMPTS: i32 = 10;
/// A claim older than this was made by a worker that died: the mail is due again.
const STALE_CLAIM_MINUTES: i64 = 5;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    #[diesel(deserialize_as = String)]
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl QueuedMail {
    pub fn mail(&self) -> Mail {
        Mail { to: self.recipient.clone(), subject: self.subject.clone(), body: self.body.clone() }
    }
}

/// Queues a mail; call it inside the transaction of the change the mail reports.
pub fn queue(conn: &mut AnyConnection, mail: &Mail) -> DomainResult<()> {
    let now = clock::now();
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::recipient.eq(&mail.to),
            mail_outbox::subject.eq(&mail.subject),
            mail_outbox::body.eq(&mail.body),
            mail_outbox::status.eq(MailStatus::Queued.as_str()),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now),
            mail_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims up to `limit` mails that are due, each by one worker only: a row is claimed by the
/// update that moves it from queued (or from a stale claim) to sending.
pub fn claim_due(conn: &mut AnyConnection, limit: i64) -> DomainResult<Vec<QueuedMail>> {
    let now = clock::now();
    let stale = now - Duration::minutes(STALE_CLAIM_MINUTES);
    let candidates: Vec<i64> = mail_outbox::table
        .filter(
            mail_outbox::status
                .eq(MailStatus::Queued.as_str())
                .and(mail_outbox::next_attempt_at.le(now))
                .or(mail_outbox::status.eq(MailStatus::Sending.as_str()).and(mail_outbox::claimed_at.le(stale))),
        )
        .order(mail_outbox::id)
        .limit(limit)
        .select(mail_outbox::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for id in candidates {
        let won = diesel::update(
            mail_outbox::table.find(id).filter(
                mail_outbox::status
                    .eq(MailStatus::Queued.as_str())
                    .or(mail_outbox::status.eq(MailStatus::Sending.as_str()).and(mail_outbox::claimed_at.le(stale))),
            ),
        )
        .set((mail_outbox::status.eq(MailStatus::Sending.as_str()), mail_outbox::claimed_at.eq(now)))
        .execute(conn)?;
        if won == 1 {
            claimed.push(mail_outbox::table.find(id).select(QueuedMail::as_select()).first(conn)?);
        }
    }
    Ok(claimed)
}

pub fn mark_sent(conn: &mut AnyConnection, id: i64) -> DomainResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((mail_outbox::status.eq(MailStatus::Sent.as_str()), mail_outbox::sent_at.eq(clock::now()), mail_outbox::last_error.eq(None::<String>)))
        .execute(conn)?;
    Ok(())
}

/// The delay before attempt `attempts + 1`: 1 s, 2 s, 4 s … at most 2,048 s (34 minutes).
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 12) - 1).unwrap_or(0);
    Duration::seconds((1i64 << exponent).min(3600))
}

/// Records a failed attempt: due again after the backoff, or failed for good after
/// [`MAX_ATTEMPTS`].
pub fn mark_failed(conn: &mut AnyConnection, mail: &QueuedMail, error: &str) -> DomainResult<()> {
    let attempts = mail.attempts.saturating_add(1);
    let status = if attempts >= MAX_ATTEMPTS { MailStatus::Failed } else { MailStatus::Queued };
    let error: String = error.chars().take(1000).collect();
    diesel::update(mail_outbox::table.find(mail.id))
        .set((
            mail_outbox::status.eq(status.as_str()),
            mail_outbox::attempts.eq(attempts),
            mail_outbox::next_attempt_at.eq(clock::now() + backoff(attempts)),
            mail_outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Mail not yet delivered, for the administration page: oldest first.
pub fn undelivered(conn: &mut AnyConnection, limit: i64) -> DomainResult<Vec<QueuedMail>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.ne(MailStatus::Sent.as_str()))
        .order(mail_outbox::id)
        .limit(limit)
        .select(QueuedMail::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn retries_wait_longer_each_time_up_to_half_an_hour() {
        let delays: Vec<i64> = [1, 2, 3, 4, 12, 40].iter().map(|a| super::backoff(*a).num_seconds()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 2048, 2048]);
        assert_eq!(super::backoff(0).num_seconds(), 1);
    }
}

//! What a person should know, as it happens: listed in the app (`/notifications`) and mailed in
//! their language unless they chose not to have that kind by mail.
//!
//! An alert is one row per person and event (`event_key`, unique per person), written in the
//! transaction of the change it reports, so a retried request, a job run twice or two servers
//! raising the same alert keep it once. Mail goes out afterwards: the mail worker turns rows
//! still `pending` into outbox mails ([`queue_mails`]), with links on the server's public
//! address, so that code without one (a command, a background job) can raise alerts too.
//!
//! Raised here: credits used past 50, 80 and 100 % of a grant ([`credits_used`], at each usage
//! submission), a grant ending in 30 and in 7 days ([`expiry_reminders`]) and a funder's daily
//! digest of applications awaiting a decision and invoices awaiting approval
//! ([`funder_digests`]), both from the maintenance schedule. Applications received and
//! decisions are mailed at once as before and listed here as well ([`record_sent`]).

use crate::db::AnyConnection;
use crate::db::schema::{applications, grants, invoices, notification_opt_outs, notifications, programmes, users};
use crate::domain::clock;
use crate::domain::error::DomainResult;
use crate::domain::identity::{MemberRole, User};
use crate::domain::ids::{GrantId, OrgId, UserId};
use crate::domain::notifications::Words;
use crate::i18n::Locale;
use crate::mail::Mail;
use crate::messages::{Arg, Message};
use crate::money::Amount;
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    pub enum AlertKind ("notification kind") {
        ApplicationReceived = "application-received",
        Decision = "decision",
        CreditsUsed = "credits-used",
        ExpirySoon = "expiry-soon",
        FunderDigest = "funder-digest",
        GrantChanged = "grant-changed",
        /// An offer of credits to accept before its deadline (see `domain::offers`).
        Offer = "offer",
        /// An offer lapses in a few days.
        OfferReminder = "offer-reminder",
        /// A programme manager assigned the person to review an application.
        ReviewAssigned = "review-assigned",
        /// A funder sent an application back to its startup for changes (see `domain::applications`).
        ChangesRequested = "changes-requested",
    }
}

impl AlertKind {
    /// The catalogue key naming the kind (preferences page).
    pub fn label_key(self) -> &'static str {
        match self {
            AlertKind::ApplicationReceived => "alert-kind-application-received",
            AlertKind::Decision => "alert-kind-decision",
            AlertKind::CreditsUsed => "alert-kind-credits-used",
            AlertKind::ExpirySoon => "alert-kind-expiry-soon",
            AlertKind::FunderDigest => "alert-kind-funder-digest",
            AlertKind::GrantChanged => "alert-kind-grant-changed",
            AlertKind::Offer => "alert-kind-offer",
            AlertKind::OfferReminder => "alert-kind-offer-reminder",
            AlertKind::ReviewAssigned => "alert-kind-review-assigned",
            AlertKind::ChangesRequested => "alert-kind-changes-requested",
        }
    }

    /// The catalogue key of the mail's subject.
    pub fn subject_key(self) -> &'static str {
        match self {
            AlertKind::ApplicationReceived => "alert-subject-application-received",
            AlertKind::Decision => "alert-subject-decision",
            AlertKind::CreditsUsed => "alert-subject-credits-used",
            AlertKind::ExpirySoon => "alert-subject-expiry-soon",
            AlertKind::FunderDigest => "alert-subject-funder-digest",
            AlertKind::GrantChanged => "alert-subject-grant-changed",
            AlertKind::Offer => "alert-subject-offer",
            AlertKind::OfferReminder => "alert-subject-offer-reminder",
            AlertKind::ReviewAssigned => "alert-subject-review-assigned",
            AlertKind::ChangesRequested => "alert-subject-changes-requested",
        }
    }

    /// Which organisations' people can receive the kind.
    pub fn is_for(self, kind: crate::domain::identity::OrgKind) -> bool {
        use crate::domain::identity::OrgKind;
        match self {
            AlertKind::ApplicationReceived | AlertKind::Decision | AlertKind::CreditsUsed | AlertKind::ExpirySoon | AlertKind::GrantChanged => kind == OrgKind::Startup,
            AlertKind::FunderDigest | AlertKind::ReviewAssigned => kind == OrgKind::Funder,
            AlertKind::Offer | AlertKind::OfferReminder | AlertKind::ChangesRequested => kind == OrgKind::Startup,
        }
    }
}

/// The shares of a grant whose crossing is told, in percent.
pub const CREDIT_THRESHOLDS: [i64; 3] = [50, 80, 100];

/// How many days before a grant ends its startup is reminded.
pub const EXPIRY_REMINDER_DAYS: [i64; 2] = [30, 7];

/// Records an alert for `user` unless the same event was already recorded for them. Returns
/// whether it was new.
pub fn raise(conn: &mut AnyConnection, user: UserId, kind: AlertKind, event_key: &str, message: &Message, link: &str) -> DomainResult<bool> {
    raise_with_status(conn, user, kind, event_key, message, link, "pending")
}

fn raise_with_status(conn: &mut AnyConnection, user: UserId, kind: AlertKind, event_key: &str, message: &Message, link: &str, mail_status: &str) -> DomainResult<bool> {
    let exists: i64 = notifications::table.filter(notifications::user_id.eq(user)).filter(notifications::event_key.eq(event_key)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let inserted = diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(user),
            notifications::kind.eq(kind.as_str()),
            notifications::event_key.eq(event_key),
            notifications::message.eq(message.to_json().to_string()),
            notifications::link.eq(link),
            notifications::created_at.eq(clock::now()),
            notifications::mail_status.eq(mail_status),
        ))
        .execute(conn);
    match inserted {
        Ok(n) => Ok(n > 0),
        // Raised at the same moment by another transaction: kept once.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Lists an event already mailed directly (application received, decision) in the person's
/// notifications.
pub fn record_sent(conn: &mut AnyConnection, user: UserId, kind: AlertKind, event_key: &str, message: &Message, link: &str) -> DomainResult<()> {
    raise_with_status(conn, user, kind, event_key, message, link, "queued").map(|_| ())
}

/// Whether `user` wants `kind` by mail (everyone does until they say otherwise).
pub fn wants_mail(conn: &mut AnyConnection, user: UserId, kind: AlertKind) -> DomainResult<bool> {
    let off: i64 = notification_opt_outs::table.filter(notification_opt_outs::user_id.eq(user)).filter(notification_opt_outs::kind.eq(kind.as_str())).count().get_result(conn)?;
    Ok(off == 0)
}

/// The kinds `user` does not want by mail.
pub fn opted_out(conn: &mut AnyConnection, user: UserId) -> DomainResult<Vec<AlertKind>> {
    let kinds: Vec<String> = notification_opt_outs::table.filter(notification_opt_outs::user_id.eq(user)).select(notification_opt_outs::kind).load(conn)?;
    Ok(kinds.iter().filter_map(|k| k.parse::<AlertKind>().ok()).collect())
}

/// Sets which kinds `user` wants by mail: every kind not in `mailed` is turned off.
pub fn set_mail_choices(conn: &mut AnyConnection, user: UserId, mailed: &[AlertKind]) -> DomainResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(notification_opt_outs::table.filter(notification_opt_outs::user_id.eq(user))).execute(conn)?;
        for kind in AlertKind::ALL.iter().filter(|k| !mailed.contains(k)) {
            diesel::insert_into(notification_opt_outs::table).values((notification_opt_outs::user_id.eq(user), notification_opt_outs::kind.eq(kind.as_str()))).execute(conn)?;
        }
        Ok(())
    })
}

/// One alert as its list shows it.
#[derive(Debug, Clone)]
pub struct Alert {
    pub id: i64,
    pub kind: AlertKind,
    pub message: Message,
    pub link: String,
    pub created_at: NaiveDateTime,
    pub read: bool,
}

type Row = (i64, String, String, String, NaiveDateTime, Option<NaiveDateTime>);

fn alert(row: Row) -> Option<Alert> {
    let (id, kind, message, link, created_at, read_at) = row;
    let message = serde_json::from_str(&message).map(|m| Message::from_json(&m, "alert-unreadable")).unwrap_or_else(|_| Message::new("alert-unreadable"));
    Some(Alert { id, kind: kind.parse::<AlertKind>().ok()?, message, link, created_at, read: read_at.is_some() })
}

/// One page of `user`'s alerts, newest first, and whether older ones follow.
pub fn page_of(conn: &mut AnyConnection, user: UserId, page: crate::domain::paging::PageRequest) -> DomainResult<(Vec<Alert>, bool)> {
    let size = crate::domain::paging::PAGE_SIZE;
    let rows: Vec<Row> = notifications::table
        .filter(notifications::user_id.eq(user))
        .order(notifications::id.desc())
        .limit(size + 1)
        .offset(page.offset())
        .select((notifications::id, notifications::kind, notifications::message, notifications::link, notifications::created_at, notifications::read_at))
        .load(conn)?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > size;
    Ok((rows.into_iter().take(usize::try_from(size).unwrap_or(0)).filter_map(alert).collect(), more))
}

/// How many of `user`'s alerts are unread.
pub fn unread_count(conn: &mut AnyConnection, user: UserId) -> DomainResult<i64> {
    Ok(notifications::table.filter(notifications::user_id.eq(user)).filter(notifications::read_at.is_null()).count().get_result(conn)?)
}

/// Marks every alert of `user` read.
pub fn mark_all_read(conn: &mut AnyConnection, user: UserId) -> DomainResult<usize> {
    Ok(diesel::update(notifications::table.filter(notifications::user_id.eq(user)).filter(notifications::read_at.is_null())).set(notifications::read_at.eq(Some(clock::now()))).execute(conn)?)
}

/// The people of an organisation who can still sign in.
fn people_of(conn: &mut AnyConnection, org: OrgId) -> DomainResult<Vec<User>> {
    crate::domain::identity::members_of(conn, org)
}

/// After usage was charged to a grant: tells its startup's people each threshold of
/// [`CREDIT_THRESHOLDS`] the grant's use (awarded less what is left, held usage included) has
/// now reached. Call it in the transaction that charged the usage.
pub fn credits_used(conn: &mut AnyConnection, grant_id: GrantId) -> DomainResult<()> {
    credits_used_many(conn, &[grant_id])
}

/// [`credits_used`] for many grants at once (a usage file over many grants): the grants and
/// their accounts are read once for all of them, each grant alerted in the order given.
pub fn credits_used_many(conn: &mut AnyConnection, grant_ids: &[GrantId]) -> DomainResult<()> {
    // Each grant with the code of its credits account.
    let mut found: std::collections::HashMap<GrantId, (String, OrgId, i64, String, String)> = std::collections::HashMap::with_capacity(grant_ids.len());
    for chunk in grant_ids.chunks(crate::db::CHUNK_ROWS) {
        let rows: Vec<(GrantId, String, OrgId, i64, String)> =
            grants::table.filter(grants::id.eq_any(chunk)).select((grants::id, grants::code, grants::startup_id, grants::amount, grants::currency)).load(conn)?;
        found.extend(rows.into_iter().map(|(id, code, startup, awarded, currency)| {
            let account_code = crate::ledger::chart::grant_credits(&code, id.get(), &currency).code;
            (id, (code, startup, awarded, currency, account_code))
        }));
    }
    let codes: Vec<String> = found.values().map(|(.., account_code)| account_code.clone()).collect();
    let accounts = crate::ledger::accounts_by_codes(conn, &codes)?;
    for grant_id in grant_ids {
        let Some((code, startup, awarded, currency, account_code)) = found.get(grant_id) else { continue };
        let (startup, awarded) = (*startup, *awarded);
        if awarded <= 0 {
            continue;
        }
        let Some(account) = accounts.get(account_code) else { continue };
        let used = awarded.saturating_sub(account.available().cents()).max(0);
        let reached: Vec<i64> = CREDIT_THRESHOLDS.iter().copied().filter(|t| i128::from(used) * 100 >= i128::from(awarded) * i128::from(*t)).collect();
        let Some(highest) = reached.last().copied() else { continue };
        let people = people_of(conn, startup)?;
        let message = Message::new("alert-credits-used")
            .with("code", code.as_str())
            .with("percent", highest)
            .with("used", Arg::money(Amount::from_cents(used), currency))
            .with("awarded", Arg::money(Amount::from_cents(awarded), currency));
        for person in &people {
            // Lower thresholds passed in the same step are recorded as told, not mailed one by one.
            for lower in reached.iter().filter(|t| **t < highest) {
                record_sent(conn, person.id, AlertKind::CreditsUsed, &format!("credits-used:{code}:{lower}"), &message, &format!("/grants/{grant_id}"))?;
            }
            raise(conn, person.id, AlertKind::CreditsUsed, &format!("credits-used:{code}:{highest}"), &message, &format!("/grants/{grant_id}"))?;
        }
    }
    Ok(())
}

/// Tells a grant's startup that its grant was extended, revoked or has ended (`message` says
/// which and why); `event` tells one change from another (an extension to a new date, say).
pub fn grant_changed(conn: &mut AnyConnection, grant_id: GrantId, startup: OrgId, event: &str, message: &Message) -> DomainResult<()> {
    for person in people_of(conn, startup)? {
        raise(conn, person.id, AlertKind::GrantChanged, event, message, &format!("/grants/{grant_id}"))?;
    }
    Ok(())
}

/// Reminds startups of active grants ending in [`EXPIRY_REMINDER_DAYS`] days or fewer, once per
/// grant and reminder, as of `today`. Returns how many alerts were raised.
pub fn expiry_reminders(conn: &mut AnyConnection, today: NaiveDate) -> DomainResult<usize> {
    let furthest = EXPIRY_REMINDER_DAYS.iter().copied().max().unwrap_or(0);
    let Some(horizon) = today.checked_add_signed(chrono::Duration::days(furthest)) else { return Ok(0) };
    let due: Vec<(GrantId, String, OrgId, NaiveDate)> = grants::table
        .filter(grants::status.eq("active"))
        .filter(grants::valid_until.ge(today))
        .filter(grants::valid_until.le(horizon))
        .select((grants::id, grants::code, grants::startup_id, grants::valid_until))
        .load(conn)?;
    let mut raised = 0;
    for (id, code, startup, until) in due {
        let days_left = (until - today).num_days();
        // The nearest reminder the grant is within (7 before 30).
        let Some(reminder) = EXPIRY_REMINDER_DAYS.iter().copied().filter(|d| days_left <= *d).min() else { continue };
        let message = Message::new("alert-expiry-soon").with("code", code.as_str()).with("days", days_left).with("date", Arg::Date(until));
        crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
            for person in people_of(conn, startup)? {
                if raise(conn, person.id, AlertKind::ExpirySoon, &format!("expiry-soon:{code}:{reminder}"), &message, &format!("/grants/{id}"))? {
                    raised += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok(raised)
}

/// Once a day per funder: its owners and programme managers are told how many applications
/// await a decision and how many invoices await approval, when there are any. Returns how many
/// alerts were raised.
pub fn funder_digests(conn: &mut AnyConnection, today: NaiveDate) -> DomainResult<usize> {
    let pending_applications: Vec<(OrgId, i64)> = applications::table
        .inner_join(programmes::table.on(programmes::id.eq(applications::programme_id)))
        .filter(applications::status.eq("submitted"))
        .group_by(programmes::funder_id)
        .select((programmes::funder_id, diesel::dsl::count_star()))
        .load(conn)?;
    let pending_invoices: Vec<(OrgId, i64)> =
        invoices::table.filter(invoices::status.eq("awaiting-approval")).group_by(invoices::funder_id).select((invoices::funder_id, diesel::dsl::count_star())).load(conn)?;
    let mut funders: std::collections::BTreeMap<OrgId, (i64, i64)> = std::collections::BTreeMap::new();
    for (funder, n) in pending_applications {
        funders.entry(funder).or_default().0 = n;
    }
    for (funder, n) in pending_invoices {
        funders.entry(funder).or_default().1 = n;
    }
    let mut raised = 0;
    for (funder, (applications, invoices)) in funders {
        let message = Message::new("alert-funder-digest").with("applications", applications).with("invoices", invoices);
        crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
            let people = users::table
                .filter(users::organisation_id.eq(funder))
                .filter(users::removed_at.is_null())
                .filter(users::role.eq_any([MemberRole::Owner.as_str(), MemberRole::ProgrammeManager.as_str()]))
                .select(users::id)
                .load::<UserId>(conn)?;
            for person in people {
                if raise(conn, person, AlertKind::FunderDigest, &format!("digest:{today}"), &message, "/")? {
                    raised += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok(raised)
}

/// A plain-text alert mail, in the recipient's language.
#[derive(Template)]
#[template(path = "mail/alert.txt")]
struct AlertMail<'a> {
    w: Words,
    name: &'a str,
    message: Message,
    link: String,
    preferences: String,
}

/// Turns up to `limit` alerts waiting for their mail into outbox mails (or notes that their
/// person does not want them by mail), links on `base_url`. Returns how many were handled.
pub fn queue_mails(conn: &mut AnyConnection, base_url: &str, limit: i64) -> DomainResult<usize> {
    let waiting: Vec<(i64, UserId, String, String, String)> = notifications::table
        .filter(notifications::mail_status.eq("pending"))
        .order(notifications::id)
        .limit(limit)
        .select((notifications::id, notifications::user_id, notifications::kind, notifications::message, notifications::link))
        .load(conn)?;
    let mut handled = 0;
    for (id, user_id, kind, message, link) in waiting {
        crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
            // Another server may have taken it meanwhile: only the one that moves it on mails it.
            let user: User = users::table.find(user_id).select(User::as_select()).first(conn)?;
            let kind = kind.parse::<AlertKind>().ok();
            let wanted = match kind {
                Some(kind) if user.removed_at.is_none() => wants_mail(conn, user_id, kind)?,
                _ => false,
            };
            let status = if wanted { "queued" } else { "not-wanted" };
            let moved = diesel::update(notifications::table.find(id).filter(notifications::mail_status.eq("pending"))).set(notifications::mail_status.eq(status)).execute(conn)?;
            let Some(kind) = kind.filter(|_| moved > 0 && wanted) else { return Ok(()) };
            let w = Words { locale: user.locale.as_deref().and_then(Locale::parse).unwrap_or_default() };
            let message = serde_json::from_str(&message).map(|m| Message::from_json(&m, "alert-unreadable")).unwrap_or_else(|_| Message::new("alert-unreadable"));
            let subject = w.t(kind.subject_key());
            let body = AlertMail { w, name: &user.display_name, message, link: format!("{base_url}{link}"), preferences: format!("{base_url}/notifications") }
                .render()
                .map_err(|e| crate::domain::DomainError::Internal(format!("mail template: {e}")))?;
            crate::domain::outbox::queue(conn, &Mail { to: user.email.clone(), subject, body })
        })?;
        handled += 1;
    }
    Ok(handled)
}

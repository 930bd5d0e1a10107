//! Offers: a funder's approval is an offer of credits that the startup accepts (confirming its
//! de minimis declaration) or declines before a deadline; only an accepted offer becomes a grant.
//!
//! # The budget while an offer is open
//!
//! The offered amount is *committed*: a ledger hold (kind `offer`, key `offer:APP-n`) moves it,
//! pending, from the programme's `available` account to its `offered` account. The hold counts
//! against `available`'s limit, so the same budget cannot be offered twice, and the `offered`
//! account's pending credits are what the programme has committed.
//!
//! * **Acceptance** voids the hold (`offer-accepted:APP-n`) and posts the award
//!   (`award:APP-n`, available → grant credits) in the same transaction: the award entry is the
//!   one approvals always posted, so statements, reports and exports read as before, and the
//!   budget is never free between the two (one transaction, under the ledger's head lock).
//! * **Decline** (`offer-declined:APP-n`) and **lapse** (`offer-lapsed:APP-n`) void it: the
//!   budget is available again.
//!
//! Every step first moves the application's status with a guarded update (`WHERE status =
//! 'offered'`), so a retried or concurrent step finds nothing to do and posts nothing twice.
//!
//! # The deadline
//!
//! A fixed [`OFFER_VALIDITY_DAYS`] after the decision: long enough for a startup's board to sign
//! off, short enough that a programme's budget is not tied up by silence. It is stored with the
//! application (`offer_expires_at`), so making it a programme setting later changes no offer
//! already made.

use crate::db::AnyConnection;
use crate::db::schema::applications;
use crate::domain::applications::{self as apps, Application, ApplicationStatus, ApplicationView};
use crate::domain::alerts::{self, AlertKind};
use crate::domain::audit::{self, Actor, AuditAction};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::eu::de_minimis;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::ApplicationId;
use crate::domain::programmes::{self, Programme};
use crate::ledger::{self, EntryKind, Leg, LedgerError, Links, NewEntry, Resolution, Side, chart};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

/// How long a startup has to accept an offer.
pub const OFFER_VALIDITY_DAYS: i64 = 30;
/// How many days before an offer lapses its startup is reminded.
pub const OFFER_REMINDER_DAYS: i64 = 7;

fn key(step: &str, application: &Application) -> String {
    format!("{step}:{}", application.reference())
}

/// Commits `amount` of the programme's budget to the offer made on `application` (already
/// moved to `offered` by the caller, in the same transaction), sets its deadline and tells the
/// startup's people. A budget too small is refused with what is left.
pub(crate) fn commit(conn: &mut AnyConnection, by: &Member, application: &Application, programme: &Programme, amount: Amount, now: NaiveDateTime) -> DomainResult<NaiveDateTime> {
    let deadline = now
        .checked_add_signed(Duration::days(OFFER_VALIDITY_DAYS))
        .ok_or_else(|| DomainError::invalid("amount", Message::new("date-out-of-range")))?;
    // The grant an acceptance creates must have a validity that can be computed: refused now,
    // not when the startup accepts.
    programme
        .closes_on
        .max(deadline.date())
        .checked_add_signed(Duration::days(crate::domain::grants::GRANT_VALIDITY_AFTER_CLOSE_DAYS))
        .ok_or_else(|| DomainError::invalid("amount", Message::new("date-out-of-range")))?;
    let available = ledger::open_account(conn, &chart::programme_available(programme.id.get(), &programme.currency))?;
    let offered = ledger::open_account(conn, &chart::programme_offered(programme.id.get(), &programme.currency))?;
    let held = ledger::hold(
        conn,
        &NewEntry {
            idempotency_key: key("offer", application),
            kind: EntryKind::Offer,
            description: format!("Offer to {} under “{}”", application.reference(), programme.name),
            effective_on: now.date(),
            actor: by.actor(),
            links: Links { programme_id: Some(programme.id.get()), ..Links::default() },
            legs: vec![Leg { account_id: available.id, side: Side::Debit, amount }, Leg { account_id: offered.id, side: Side::Credit, amount }],
        },
        None,
    );
    let hold = match held {
        Ok(posted) => posted.entry_id,
        Err(LedgerError::LimitExceeded { available, .. }) => {
            return Err(DomainError::invalid("amount", Message::new("decide-budget-exhausted").with("available", Arg::money(available, &programme.currency))));
        }
        Err(e) => return Err(e.into()),
    };
    diesel::update(applications::table.find(application.id))
        .set((applications::offer_expires_at.eq(Some(deadline)), applications::offer_hold_id.eq(Some(hold))))
        .execute(conn)?;
    let message = Message::new("alert-offer")
        .with("reference", application.reference())
        .with("programme", programme.name.as_str())
        .with("amount", Arg::money(amount, &programme.currency))
        .with("date", Arg::Date(deadline.date()));
    for person in crate::domain::identity::members_of(conn, application.startup_id)? {
        alerts::raise(conn, person.id, AlertKind::Offer, &key("offer", application), &message, &format!("/applications/{}", application.id))?;
    }
    Ok(deadline)
}

/// What the startup declares when it accepts.
#[derive(Debug, Clone, Copy)]
pub struct Acceptance {
    /// "This declaration of de minimis aid is complete and true": required.
    pub declaration_confirmed: bool,
}

/// The offer of an application the member's startup may answer, and its deadline; refuses
/// anything else.
fn open_offer(conn: &mut AnyConnection, by: &Member, id: ApplicationId, now: NaiveDateTime) -> DomainResult<(ApplicationView, i64, NaiveDateTime)> {
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::NotFound);
    }
    let view = apps::application_for(conn, by, id)?;
    let reference = view.application.reference();
    if view.application.status != ApplicationStatus::Offered {
        return Err(DomainError::Conflict(Message::new("offer-not-open").with("reference", reference)));
    }
    let (Some(hold), Some(deadline)) = (view.application.offer_hold_id, view.application.offer_expires_at) else {
        return Err(DomainError::Internal(format!("offer {reference} has no hold or deadline")));
    };
    if deadline <= now {
        return Err(DomainError::Conflict(Message::new("offer-lapsed").with("reference", reference).with("date", Arg::Date(deadline.date()))));
    }
    Ok((view, hold, deadline))
}

/// Moves an offered application to `next`, only if it is still offered (and, unless lapsing, not
/// past its deadline); `false` when another request got there first.
fn settle_status(conn: &mut AnyConnection, id: ApplicationId, next: ApplicationStatus, responder: Option<&Member>, now: NaiveDateTime) -> DomainResult<bool> {
    debug_assert!(ApplicationStatus::Offered.may_become(next));
    let offered = applications::table.filter(applications::id.eq(id)).filter(applications::status.eq(ApplicationStatus::Offered.as_str()));
    let values = (applications::status.eq(next.as_str()), applications::responded_by.eq(responder.map(|m| m.user.id)), applications::responded_at.eq(Some(now)));
    let changed = if next == ApplicationStatus::Lapsed {
        diesel::update(offered).set(values).execute(conn)?
    } else {
        diesel::update(offered.filter(applications::offer_expires_at.gt(now))).set(values).execute(conn)?
    };
    Ok(changed == 1)
}

/// The startup accepts its offer: the de minimis check (refused with the figures, nothing
/// written), the grant, its award and the register's record, in one transaction.
pub fn accept(conn: &mut AnyConnection, by: &Member, id: ApplicationId, acceptance: Acceptance, rules: &de_minimis::Rules) -> DomainResult<ApplicationView> {
    let now = clock::now();
    let (view, hold, _) = open_offer(conn, by, id, now)?;
    if !acceptance.declaration_confirmed {
        return Err(DomainError::invalid("declaration", Message::new("offer-declaration-required")));
    }
    let amount = view.application.approved().ok_or_else(|| DomainError::Internal(format!("offer {} has no amount", view.application.reference())))?;
    let programme = programmes::get(conn, view.application.programme_id)?;
    crate::db::write_transaction(conn, |conn| {
        // Regulation (EU) 2023/2831, Art. 3(2), counted in the transaction that awards.
        crate::domain::company::check_award(conn, rules, view.application.startup_id, amount, &programme.currency).map_err(|e| match e {
            DomainError::Invalid(errors) => DomainError::Invalid(crate::domain::error::FieldErrors(errors.0.into_iter().map(|(_, m)| ("declaration", m)).collect())),
            other => other,
        })?;
        if !settle_status(conn, id, ApplicationStatus::Approved, Some(by), now)? {
            return Err(DomainError::Conflict(Message::new("offer-not-open").with("reference", view.application.reference())));
        }
        ledger::resolve_hold(conn, hold, Resolution::Void, &key("offer-accepted", &view.application), &by.actor())?;
        let grant = crate::domain::grants::award(conn, by, &view.application, &programme, amount)?;
        crate::domain::company::record_award(conn, &grant, programme.funder_id)?;
        Ok(())
    })?;
    apps::application_for(conn, by, id)
}

/// The startup declines its offer: the budget it held is available again.
pub fn decline(conn: &mut AnyConnection, by: &Member, id: ApplicationId) -> DomainResult<ApplicationView> {
    let now = clock::now();
    let (view, hold, _) = open_offer(conn, by, id, now)?;
    crate::db::write_transaction(conn, |conn| {
        if !settle_status(conn, id, ApplicationStatus::Declined, Some(by), now)? {
            return Err(DomainError::Conflict(Message::new("offer-not-open").with("reference", view.application.reference())));
        }
        ledger::resolve_hold(conn, hold, Resolution::Void, &key("offer-declined", &view.application), &by.actor())?;
        Ok(())
    })?;
    apps::application_for(conn, by, id)
}

/// Offers past their deadline by `now` lapse and their budget is returned, one transaction each;
/// returns how many lapsed. Idempotent: a lapsed offer is no longer offered.
pub fn lapse_due(conn: &mut AnyConnection, now: NaiveDateTime) -> DomainResult<usize> {
    let due: Vec<Application> = applications::table
        .filter(applications::status.eq(ApplicationStatus::Offered.as_str()))
        .filter(applications::offer_expires_at.le(now))
        .order(applications::id)
        .select(Application::as_select())
        .load(conn)?;
    let mut lapsed = 0;
    for application in due {
        let done = crate::db::write_transaction(conn, |conn| -> DomainResult<bool> {
            if !settle_status(conn, application.id, ApplicationStatus::Lapsed, None, now)? {
                return Ok(false);
            }
            if let Some(hold) = application.offer_hold_id {
                ledger::resolve_hold(conn, hold, Resolution::Void, &key("offer-lapsed", &application), "system")?;
            }
            // Recorded like an acceptance or a decline, by the system, in the same transaction.
            let detail = application.offer_expires_at.map(|d| format!("deadline {}", d.date()));
            let system = Actor { label: "system".into(), ..Actor::default() };
            audit::record(conn, &system, AuditAction::OfferLapsed, Some(format!("application:{}", application.id)), detail.as_deref())?;
            Ok(true)
        })?;
        lapsed += usize::from(done);
    }
    Ok(lapsed)
}

/// Archiving a programme ends its open offers: each lapses at once (its hold voided, so the
/// budget returns), the audit log records why, and the startup's people are told. Call it in the
/// transaction that archives the programme; returns the applications whose offer ended.
///
/// Closing a programme does not come here: closing stops new applications, while offers already
/// made were decided in the open window and keep their deadline (the startup may still accept).
pub(crate) fn void_for_archive(conn: &mut AnyConnection, by: &Member, programme: &Programme, reason: &str, now: NaiveDateTime) -> DomainResult<Vec<ApplicationId>> {
    let open: Vec<Application> = applications::table
        .filter(applications::programme_id.eq(programme.id))
        .filter(applications::status.eq(ApplicationStatus::Offered.as_str()))
        .order(applications::id)
        .select(Application::as_select())
        .load(conn)?;
    let actor = Actor { user_id: Some(by.user.id), label: by.actor(), ..Actor::default() };
    let reason = reason.trim();
    let mut ended = Vec::new();
    for application in open {
        if !settle_status(conn, application.id, ApplicationStatus::Lapsed, Some(by), now)? {
            continue;
        }
        if let Some(hold) = application.offer_hold_id {
            ledger::resolve_hold(conn, hold, Resolution::Void, &key("offer-lapsed", &application), &by.actor())?;
        }
        let detail = if reason.is_empty() { "programme archived".to_string() } else { format!("programme archived: {reason}") };
        audit::record(conn, &actor, AuditAction::OfferLapsed, Some(format!("application:{}", application.id)), Some(&detail))?;
        let amount = application.approved().unwrap_or_default();
        let message = if reason.is_empty() { Message::new("alert-offer-cancelled") } else { Message::new("alert-offer-cancelled-reason").with("reason", reason) }
            .with("reference", application.reference())
            .with("programme", programme.name.as_str())
            .with("amount", Arg::money(amount, &programme.currency));
        for person in crate::domain::identity::members_of(conn, application.startup_id)? {
            alerts::raise(conn, person.id, AlertKind::Offer, &key("offer-archived", &application), &message, &format!("/applications/{}", application.id))?;
        }
        ended.push(application.id);
    }
    Ok(ended)
}

/// Reminds the startup's people of each offer lapsing within [`OFFER_REMINDER_DAYS`] of `now`,
/// once per offer and person; returns how many reminders were raised.
pub fn remind_due(conn: &mut AnyConnection, now: NaiveDateTime) -> DomainResult<usize> {
    let Some(horizon) = now.checked_add_signed(Duration::days(OFFER_REMINDER_DAYS)) else { return Ok(0) };
    let due: Vec<(Application, String)> = applications::table
        .inner_join(crate::db::schema::programmes::table)
        .filter(applications::status.eq(ApplicationStatus::Offered.as_str()))
        .filter(applications::offer_expires_at.gt(now))
        .filter(applications::offer_expires_at.le(horizon))
        .order(applications::id)
        .select((Application::as_select(), crate::db::schema::programmes::currency))
        .load(conn)?;
    let mut raised = 0;
    for (application, currency) in due {
        let (Some(deadline), Some(amount)) = (application.offer_expires_at, application.approved()) else { continue };
        let message = Message::new("alert-offer-reminder")
            .with("reference", application.reference())
            .with("amount", Arg::money(amount, &currency))
            .with("date", Arg::Date(deadline.date()));
        crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
            for person in crate::domain::identity::members_of(conn, application.startup_id)? {
                if alerts::raise(conn, person.id, AlertKind::OfferReminder, &key("offer-reminder", &application), &message, &format!("/applications/{}", application.id))? {
                    raised += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok(raised)
}

/// What a programme has offered and not yet seen accepted, declined or lapsed.
pub fn committed(conn: &mut AnyConnection, programme: &Programme) -> DomainResult<Amount> {
    let spec = chart::programme_offered(programme.id.get(), &programme.currency);
    Ok(ledger::find_account_by_code(conn, &spec.code)?.map(|a| Amount::from_cents(a.credits_pending)).unwrap_or_default())
}

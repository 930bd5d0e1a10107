//! The end of a grant's life: expiry at the end of its validity, revocation by its funder,
//! extension of its validity, and the clawback of the credit it leaves unused.
//!
//! # Where unused credit goes
//!
//! Each programme says it ([`UnusedCredit`]): back to its available budget while its window
//! has not ended (`as_of` on or before its closing day), else to its expired account
//! (`programme:P:expired`); or always to its expired account. A clawback is one balanced entry
//! of kind `expiry`: debit the grant's credits, credit the destination.
//!
//! # What is clawed back, and when
//!
//! * **Expiry** ([`expire_due`]): an active grant whose validity ended before `as_of` becomes
//!   *expired* and its **free balance** (credits less what is spent and less what is held) is
//!   clawed back, in one transaction, keyed `expire:{code}` and dated the first day the grant
//!   was no longer valid, so two runs (or two servers) post it once: the status change from
//!   *active* is the guard, and the ledger's unique key is the second one.
//! * **Revocation** ([`revoke`]): the same, at once, keyed `revoke:{code}`, with the funder's
//!   reason.
//! * **Holds pending at the end** stay as they are: that usage happened while the grant was
//!   valid, and the funder still decides on its invoice. If the hold is *posted* (approved),
//!   the provider is paid from it, as it would have been. Whatever comes back to the grant's
//!   credits afterwards — a disputed or expired hold released, the rest of a part approval, a
//!   provider's credit note — is free balance of a grant that has ended, and the next run of
//!   [`expire_due`] sweeps it to the same destination, keyed `clawback:{code}:after:{entry}`
//!   where `{entry}` is the newest ledger entry that touched the grant's credits (so the same
//!   state gives the same key, and a run that finds nothing free posts nothing). Between the
//!   release and the sweep the credit cannot be spent: an ended grant accepts no usage
//!   ([`Grant::is_active_on`]). No cent is created (the credits account can never be overdrawn)
//!   and none is stranded (every run sweeps every ended grant with a free balance).
//!
//! # Extension
//!
//! [`extend`] moves the end of an active grant's validity to a later day, with a reason. Every
//! change (extension, revocation, expiry) is kept in `grant_changes` with who (none for the
//! scheduler or the command line), when, why and what was clawed back; the grant's startup
//! reads them on its grant page.

use crate::db::AnyConnection;
use crate::db::schema::{grant_changes, grants, ledger_accounts, ledger_postings, users};
use crate::domain::access;
use crate::domain::audit::{self, Actor, AuditAction};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::grants::{Grant, GrantStatus};
use crate::domain::identity::Member;
use crate::domain::ids::{GrantId, UserId};
use crate::domain::programmes::{self, Programme};
use crate::ledger::{self, AccountSpec, EntryKind, Leg, Links, NewEntry, Side, chart};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    /// Where a programme's unused credit goes when one of its grants ends.
    #[derive(Default)]
    pub enum UnusedCredit ("unused credit") {
        /// Back to the programme's available budget while its window has not ended, else to
        /// its expired account.
        #[default]
        BudgetWhileOpen = "budget_while_open",
        /// Always to the programme's expired account.
        Expired = "expired",
    }
}

crate::text_enum! {
    /// What happened to a grant after its award.
    pub enum ChangeKind ("grant change") {
        Extended = "extended",
        Revoked = "revoked",
        Expired = "expired",
    }
}

crate::text_enum! {
    /// The account a clawback credited.
    pub enum Destination ("clawback destination") {
        /// The programme's available budget.
        Budget = "budget",
        /// The programme's expired account.
        Expired = "expired",
    }
}

/// Longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// One change to a grant, as its page shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grant_changes)]
pub struct GrantChange {
    pub id: i64,
    pub grant_id: GrantId,
    #[diesel(deserialize_as = String)]
    pub kind: ChangeKind,
    pub reason: Option<String>,
    pub previous_until: NaiveDate,
    pub new_until: Option<NaiveDate>,
    pub clawed_back: i64,
    pub changed_by: Option<UserId>,
    pub changed_at: NaiveDateTime,
}

impl GrantChange {
    pub fn clawed_back(&self) -> Amount {
        Amount::from_cents(self.clawed_back)
    }
}

/// A change with the name of the person who made it (none: the scheduler or the command line).
#[derive(Debug, Clone)]
pub struct GrantChangeView {
    pub change: GrantChange,
    pub by: Option<String>,
}

/// One clawback a run of [`expire_due`] posted (or found nothing to post for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clawback {
    pub code: String,
    pub amount: Amount,
    pub currency: String,
    pub destination: Destination,
}

/// What one run of [`expire_due`] did.
#[derive(Debug, Default)]
pub struct ExpiryRun {
    /// Grants that expired in this run, with what was clawed back (possibly nothing).
    pub expired: Vec<Clawback>,
    /// Ended grants whose credits came back (released holds, credit notes) and were swept.
    pub swept: Vec<Clawback>,
    /// Grants this run could not handle, with the reason (for the log; tried again next run).
    pub failed: Vec<(String, String)>,
}

impl ExpiryRun {
    pub fn is_empty(&self) -> bool {
        self.expired.is_empty() && self.swept.is_empty() && self.failed.is_empty()
    }
}

/// Where a grant of `programme` that ends on `as_of` sends its unused credit.
pub fn destination(programme: &Programme, as_of: NaiveDate) -> (Destination, AccountSpec) {
    match programme.unused_credit {
        // Open: its status says so (a funder may close it before its window ends) and its
        // window has not ended.
        UnusedCredit::BudgetWhileOpen if programme.status == crate::domain::programmes::ProgrammeStatus::Open && as_of <= programme.closes_on => {
            (Destination::Budget, chart::programme_available(programme.id.get(), &programme.currency))
        }
        _ => (Destination::Expired, chart::programme_expired(programme.id.get(), &programme.currency)),
    }
}

/// How a clawback is written in the ledger: its key, day, description and actor.
struct ClawbackEntry {
    key: String,
    effective_on: NaiveDate,
    description: String,
    actor: String,
}

/// Moves the free balance of the grant's credits to the programme's destination as of
/// `as_of`, in one balanced entry; nothing when nothing is free. Runs inside the caller's
/// transaction.
fn claw_back(conn: &mut AnyConnection, grant: &Grant, programme: &Programme, as_of: NaiveDate, entry: ClawbackEntry) -> DomainResult<Clawback> {
    let credits = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
    let free = credits.available();
    let (destination, spec) = destination(programme, as_of);
    if free.is_positive() {
        let target = ledger::open_account(conn, &spec)?;
        ledger::post(
            conn,
            &NewEntry {
                idempotency_key: entry.key,
                kind: EntryKind::Expiry,
                description: entry.description,
                effective_on: entry.effective_on,
                actor: entry.actor,
                links: Links { programme_id: Some(programme.id.get()), grant_id: Some(grant.id.get()), ..Links::default() },
                legs: vec![Leg { account_id: credits.id, side: Side::Debit, amount: free }, Leg { account_id: target.id, side: Side::Credit, amount: free }],
            },
        )?;
    }
    Ok(Clawback { code: grant.code.clone(), amount: free.max(Amount::ZERO), currency: grant.currency.clone(), destination })
}

fn load_grant(conn: &mut AnyConnection, id: GrantId) -> DomainResult<Grant> {
    grants::table.find(id).select(Grant::as_select()).first(conn).or_not_found()
}

/// Ends the grant: from *active* to `next`, the update itself being the guard (two runs, two
/// servers, a funder and the scheduler: one of them ends it). `false` when it had ended already.
fn end(conn: &mut AnyConnection, id: GrantId, next: GrantStatus) -> DomainResult<bool> {
    debug_assert!(GrantStatus::Active.may_become(next));
    let changed = diesel::update(grants::table.filter(grants::id.eq(id)).filter(grants::status.eq(GrantStatus::Active.as_str())))
        .set(grants::status.eq(next.as_str()))
        .execute(conn)?;
    Ok(changed == 1)
}

#[allow(clippy::too_many_arguments)]
fn record_change(conn: &mut AnyConnection, grant: &Grant, kind: ChangeKind, reason: Option<&str>, new_until: Option<NaiveDate>, clawed_back: Amount, by: Option<UserId>) -> DomainResult<()> {
    diesel::insert_into(grant_changes::table)
        .values((
            grant_changes::grant_id.eq(grant.id),
            grant_changes::kind.eq(kind.as_str()),
            grant_changes::reason.eq(reason),
            grant_changes::previous_until.eq(grant.valid_until),
            grant_changes::new_until.eq(new_until),
            grant_changes::clawed_back.eq(clawed_back.cents()),
            grant_changes::changed_by.eq(by),
            grant_changes::changed_at.eq(clock::now()),
        ))
        .execute(conn)?;
    // The startup hears of it (in the app, and by mail unless it chose otherwise).
    let code = grant.code.as_str();
    let returned = Arg::money(clawed_back, &grant.currency);
    let (event, message) = match kind {
        ChangeKind::Extended => (
            format!("grant-extended:{code}:{}", new_until.unwrap_or(grant.valid_until)),
            Message::new("alert-grant-extended").with("code", code).with("date", Arg::Date(new_until.unwrap_or(grant.valid_until))).with("reason", reason.unwrap_or_default()),
        ),
        ChangeKind::Revoked => (format!("grant-revoked:{code}"), Message::new("alert-grant-revoked").with("code", code).with("reason", reason.unwrap_or_default()).with("amount", returned)),
        ChangeKind::Expired => (format!("grant-expired:{code}"), Message::new("alert-grant-expired").with("code", code).with("date", Arg::Date(grant.valid_until)).with("amount", returned)),
    };
    crate::domain::alerts::grant_changed(conn, grant.id, grant.startup_id, &event, &message)
}

/// Expires every active grant whose validity ended before `as_of`, clawing back its free
/// balance, then sweeps what came back to grants that had ended (see the module
/// documentation). Each grant is its own transaction; one that fails is reported in
/// [`ExpiryRun::failed`] and tried again at the next run. `actor` is `system` (the scheduler)
/// or `cli`.
pub fn expire_due(conn: &mut AnyConnection, as_of: NaiveDate, actor: &str) -> DomainResult<ExpiryRun> {
    let mut run = ExpiryRun::default();
    let due: Vec<(GrantId, String)> = grants::table
        .filter(grants::status.eq(GrantStatus::Active.as_str()))
        .filter(grants::valid_until.lt(as_of))
        .order(grants::id)
        .select((grants::id, grants::code))
        .load(conn)?;
    for (id, code) in due {
        match crate::db::write_transaction(conn, |conn| expire_one(conn, id, as_of, actor)) {
            Ok(Some(clawback)) => run.expired.push(clawback),
            Ok(None) => {}
            Err(e) => run.failed.push((code, e.to_string())),
        }
    }
    let ended = [GrantStatus::Expired.as_str(), GrantStatus::Revoked.as_str()];
    let with_credit: Vec<(GrantId, String)> = grants::table
        .inner_join(ledger_accounts::table.on(ledger_accounts::owner_id.eq(grants::id)))
        .filter(ledger_accounts::owner_kind.eq("grant"))
        .filter(ledger_accounts::purpose.eq("credits"))
        .filter(grants::status.eq_any(ended))
        .filter(ledger_accounts::credits_posted.gt(ledger_accounts::debits_posted + ledger_accounts::debits_pending))
        .order(grants::id)
        .select((grants::id, grants::code))
        .load(conn)?;
    for (id, code) in with_credit {
        match crate::db::write_transaction(conn, |conn| sweep_one(conn, id, as_of, actor)) {
            Ok(Some(clawback)) => run.swept.push(clawback),
            Ok(None) => {}
            Err(e) => run.failed.push((code, e.to_string())),
        }
    }
    Ok(run)
}

fn expire_one(conn: &mut AnyConnection, id: GrantId, as_of: NaiveDate, actor: &str) -> DomainResult<Option<Clawback>> {
    let grant = load_grant(conn, id)?;
    if grant.valid_until >= as_of || !end(conn, id, GrantStatus::Expired)? {
        return Ok(None);
    }
    let programme = programmes::get(conn, grant.programme_id)?;
    // Dated the first day the grant was no longer valid: the same event gives the same entry,
    // whenever and wherever the run happens.
    let ended_on = grant.valid_until.checked_add_signed(Duration::days(1)).unwrap_or(grant.valid_until);
    let clawback = claw_back(
        conn,
        &grant,
        &programme,
        ended_on,
        ClawbackEntry {
            key: format!("expire:{}", grant.code),
            effective_on: ended_on,
            description: format!("Grant {} expired: unused credit clawed back", grant.code),
            actor: actor.to_string(),
        },
    )?;
    record_change(conn, &grant, ChangeKind::Expired, None, None, clawback.amount, None)?;
    let who = Actor { user_id: None, label: actor.to_string(), address: None, request_id: None };
    audit::record(conn, &who, AuditAction::GrantExpired, Some(format!("grant:{}", grant.code)), None)?;
    Ok(Some(clawback))
}

fn sweep_one(conn: &mut AnyConnection, id: GrantId, as_of: NaiveDate, actor: &str) -> DomainResult<Option<Clawback>> {
    let grant = load_grant(conn, id)?;
    if grant.status == GrantStatus::Active {
        return Ok(None);
    }
    let programme = programmes::get(conn, grant.programme_id)?;
    let credits = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
    if !credits.available().is_positive() {
        return Ok(None);
    }
    let newest: Option<i64> = ledger_postings::table.filter(ledger_postings::account_id.eq(credits.id)).select(diesel::dsl::max(ledger_postings::entry_id)).first(conn)?;
    let clawback = claw_back(
        conn,
        &grant,
        &programme,
        as_of,
        ClawbackEntry {
            key: format!("clawback:{}:after:{}", grant.code, newest.unwrap_or(0)),
            effective_on: as_of,
            description: format!("Credit returned to grant {} after it ended, clawed back", grant.code),
            actor: actor.to_string(),
        },
    )?;
    Ok(Some(clawback))
}

/// The grant as its funder may change it: a funder member of the organisation that owns its
/// programme; anyone else is answered *not found*.
fn managed_grant(conn: &mut AnyConnection, by: &Member, id: GrantId) -> DomainResult<(Grant, Programme)> {
    let grant = load_grant(conn, id)?;
    let programme = programmes::get(conn, grant.programme_id)?;
    if !access::may_manage_grant(by, programme.funder_id) {
        return Err(DomainError::NotFound);
    }
    Ok((grant, programme))
}

fn check_reason(errors: &mut FieldErrors, reason: &str) {
    if reason.is_empty() {
        errors.add("reason", Message::new("grant-reason-missing"));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.add("reason", Message::new("text-too-long").with("max", MAX_REASON_CHARS));
    }
}

/// The funder moves the end of an active grant's validity to `new_until`, a later day, with a
/// reason the startup reads.
pub fn extend(conn: &mut AnyConnection, by: &Member, id: GrantId, new_until: NaiveDate, reason: &str) -> DomainResult<Grant> {
    let reason = reason.trim();
    crate::db::write_transaction(conn, |conn| {
        let (grant, _) = managed_grant(conn, by, id)?;
        let mut errors = FieldErrors::default();
        if new_until <= grant.valid_until {
            errors.add("valid_until", Message::new("grant-extend-not-later").with("until", grant.valid_until));
        } else if !programmes::is_sane_date(new_until) {
            errors.add("valid_until", Message::new("date-out-of-range"));
        }
        check_reason(&mut errors, reason);
        errors.into_result()?;
        if grant.status != GrantStatus::Active {
            return Err(DomainError::Conflict(Message::new("grant-not-active").with("grant", grant.code.as_str()).with("status", grant.status.as_str())));
        }
        let changed = diesel::update(grants::table.filter(grants::id.eq(id)).filter(grants::status.eq(GrantStatus::Active.as_str())).filter(grants::valid_until.eq(grant.valid_until)))
            .set(grants::valid_until.eq(new_until))
            .execute(conn)?;
        if changed != 1 {
            return Err(DomainError::Conflict(Message::new("grant-changed-meanwhile").with("grant", grant.code.as_str())));
        }
        record_change(conn, &grant, ChangeKind::Extended, Some(reason), Some(new_until), Amount::ZERO, Some(by.user.id))?;
        load_grant(conn, id)
    })
}

/// The funder revokes an active grant, with a reason the startup reads: it becomes *revoked*,
/// accepts no more usage, and its free balance is clawed back at once (held usage waits for
/// its invoice, see the module documentation). Irreversible.
pub fn revoke(conn: &mut AnyConnection, by: &Member, id: GrantId, reason: &str) -> DomainResult<(Grant, Clawback)> {
    let reason = reason.trim();
    let today = clock::today();
    crate::db::write_transaction(conn, |conn| {
        let (grant, programme) = managed_grant(conn, by, id)?;
        let mut errors = FieldErrors::default();
        check_reason(&mut errors, reason);
        errors.into_result()?;
        if !end(conn, id, GrantStatus::Revoked)? {
            return Err(DomainError::Conflict(Message::new("grant-not-active").with("grant", grant.code.as_str()).with("status", grant.status.as_str())));
        }
        let clawback = claw_back(
            conn,
            &grant,
            &programme,
            today,
            ClawbackEntry {
                key: format!("revoke:{}", grant.code),
                effective_on: today,
                description: format!("Grant {} revoked: unused credit clawed back", grant.code),
                actor: by.actor(),
            },
        )?;
        record_change(conn, &grant, ChangeKind::Revoked, Some(reason), None, clawback.amount, Some(by.user.id))?;
        Ok((load_grant(conn, id)?, clawback))
    })
}

/// What a revocation would claw back now, for the confirmation step; an ended grant is
/// refused here already.
pub fn free_balance(conn: &mut AnyConnection, by: &Member, id: GrantId) -> DomainResult<(Grant, Amount)> {
    let (grant, _) = managed_grant(conn, by, id)?;
    if grant.status != GrantStatus::Active {
        return Err(DomainError::Conflict(Message::new("grant-not-active").with("grant", grant.code.as_str()).with("status", grant.status.as_str())));
    }
    let credits = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
    Ok((grant, credits.available().max(Amount::ZERO)))
}

/// The changes to a grant, oldest first, with who made them.
pub fn changes_of(conn: &mut AnyConnection, id: GrantId) -> DomainResult<Vec<GrantChangeView>> {
    let rows: Vec<(GrantChange, Option<String>)> = grant_changes::table
        .left_join(users::table.on(users::id.nullable().eq(grant_changes::changed_by)))
        .filter(grant_changes::grant_id.eq(id))
        .order(grant_changes::id)
        .select((GrantChange::as_select(), users::display_name.nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(change, by)| GrantChangeView { change, by }).collect())
}

/// Refuses usage for grants that have ended (expired or revoked): a file checked while its
/// grants were active and submitted after one ended is refused, naming the grant.
pub fn refuse_ended(conn: &mut AnyConnection, grant_ids: impl Iterator<Item = GrantId>) -> DomainResult<()> {
    let ids: Vec<GrantId> = grant_ids.collect();
    let ended: Option<(String, String)> = grants::table
        .filter(grants::id.eq_any(&ids))
        .filter(grants::status.ne(GrantStatus::Active.as_str()))
        .order(grants::id)
        .select((grants::code, grants::status))
        .first(conn)
        .optional()?;
    match ended {
        Some((code, status)) => Err(DomainError::Conflict(Message::new("upload-grant-ended").with("grant", code).with("status", status))),
        None => Ok(()),
    }
}

/// A clawback as a sentence, for the command line and the log.
pub fn describe(clawback: &Clawback, key: &'static str) -> Message {
    Message::new(key)
        .with("grant", clawback.code.as_str())
        .with("amount", Arg::money(clawback.amount, &clawback.currency))
        .with("destination", clawback.destination.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{OrgId, ProgrammeId};
    use crate::domain::programmes::CreditsCover;

    fn programme(unused_credit: UnusedCredit) -> Programme {
        let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        Programme {
            id: ProgrammeId::new(7),
            funder_id: OrgId::new(1),
            name: "Call".into(),
            description: "Credits".into(),
            currency: "EUR".into(),
            budget: 100,
            max_award: 100,
            opens_on: day(1),
            closes_on: day(30),
            created_by: UserId::new(1),
            created_at: NaiveDateTime::default(),
            price_tolerance_percent: 5,
            hold_days: 60,
            credits_cover: CreditsCover::Net,
            unused_credit,
            status: crate::domain::programmes::ProgrammeStatus::Open,
            eligible_countries: None,
            eligible_categories: None,
            max_company_age_years: None,
            eligible_hardware: None,
            reserved_share_bp: 0,
        }
    }

    #[test]
    fn unused_credit_goes_back_to_the_budget_only_while_the_programme_is_open_and_says_so() {
        let open = programme(UnusedCredit::BudgetWhileOpen);
        let last_day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let (to, spec) = destination(&open, last_day);
        assert_eq!((to, spec.code.as_str()), (Destination::Budget, "programme:7:available"));
        let (to, spec) = destination(&open, last_day + Duration::days(1));
        assert_eq!((to, spec.code.as_str()), (Destination::Expired, "programme:7:expired"));
        let lapsing = programme(UnusedCredit::Expired);
        let (to, spec) = destination(&lapsing, NaiveDate::from_ymd_opt(2026, 6, 2).unwrap());
        assert_eq!((to, spec.code.as_str()), (Destination::Expired, "programme:7:expired"));
        assert_eq!((spec.normal_side, spec.limit), (Side::Credit, ledger::LimitRule::None), "credit-normal, no limit");
        assert_eq!(UnusedCredit::default(), UnusedCredit::BudgetWhileOpen);
        assert!("somewhere".parse::<UnusedCredit>().is_err(), "an unknown setting is an error");
        // Closed by its funder before its window ends: the credit lapses.
        let closed = Programme { status: crate::domain::programmes::ProgrammeStatus::Closed, ..programme(UnusedCredit::BudgetWhileOpen) };
        let (to, spec) = destination(&closed, last_day);
        assert_eq!((to, spec.code.as_str()), (Destination::Expired, "programme:7:expired"));
    }

    #[test]
    fn a_grant_ends_once_and_never_comes_back() {
        use GrantStatus::*;
        assert!(Active.may_become(Expired) && Active.may_become(Revoked));
        for from in [Expired, Revoked] {
            for to in GrantStatus::ALL {
                assert!(!from.may_become(*to), "{from} → {to}");
            }
        }
    }

    #[test]
    fn only_a_funders_programme_managers_and_owners_change_grants() {
        use crate::domain::access::{Action, Role, can, duty_allows};
        use crate::domain::identity::MemberRole;
        assert!(can(Role::Funder, Action::ManageGrant));
        for role in [Role::Visitor, Role::Startup, Role::Provider, Role::Admin] {
            assert!(!can(role, Action::ManageGrant), "{role:?}");
        }
        assert!(duty_allows(MemberRole::Owner, Action::ManageGrant) && duty_allows(MemberRole::ProgrammeManager, Action::ManageGrant));
        for duty in [MemberRole::Reviewer, MemberRole::Auditor, MemberRole::Billing, MemberRole::Member] {
            assert!(!duty_allows(duty, Action::ManageGrant), "{duty:?}");
        }
    }
}

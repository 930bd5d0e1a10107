//! Grants: the credits an approved application gives a startup, their ledger account, and the
//! statement of what was spent.

use crate::db::AnyConnection;
use crate::db::schema::grants;
use crate::domain::access;
use crate::domain::applications::Application;
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, OrNotFound};
use crate::domain::identity::Member;
use crate::domain::ids::{ApplicationId, GrantId, OrgId, ProgrammeId};
use crate::domain::programmes::Programme;
use crate::ledger::{self, EntryKind, Leg, LedgerError, Links, NewEntry, Side, chart};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// How long credits stay spendable after the programme closes.
pub const GRANT_VALIDITY_AFTER_CLOSE_DAYS: i64 = 365;


crate::text_enum! {
    pub enum GrantStatus ("grant status") {
        Active = "active",
        Expired = "expired",
        Revoked = "revoked",
    }
}

impl GrantStatus {
    /// The one place that says which status may follow which: an active grant ends once,
    /// by expiry or revocation.
    pub fn may_become(self, next: GrantStatus) -> bool {
        use GrantStatus::*;
        matches!((self, next), (Active, Expired | Revoked))
    }
}


#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants)]
pub struct Grant {
    pub id: GrantId,
    pub code: String,
    pub application_id: ApplicationId,
    pub programme_id: ProgrammeId,
    pub startup_id: OrgId,
    pub provider_id: OrgId,
    pub amount: i64,
    pub currency: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    #[diesel(deserialize_as = String)]
    pub status: GrantStatus,
    pub created_at: NaiveDateTime,
}

impl Grant {
    pub fn amount(&self) -> Amount {
        Amount::from_cents(self.amount)
    }

    pub fn credits_account_code(&self) -> String {
        chart::grant_credits(&self.code, self.id.get(), &self.currency).code
    }

    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.status == GrantStatus::Active && day >= self.valid_from && day <= self.valid_until
    }
}


/// A grant as stored when it is awarded.
#[derive(Insertable)]
#[diesel(table_name = grants)]
struct GrantRow<'a> {
    code: &'a str,
    application_id: ApplicationId,
    programme_id: ProgrammeId,
    startup_id: OrgId,
    provider_id: OrgId,
    amount: i64,
    currency: &'a str,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    status: &'static str,
    created_at: NaiveDateTime,
}

pub(crate) fn award(conn: &mut AnyConnection, by: &Member, application: &Application, programme: &Programme, amount: Amount) -> DomainResult<Grant> {
    let today = clock::today();
    // The application id makes the code unique without a counter that concurrent approvals race on.
    let code = format!("G-{}-{:04}", today.year(), application.id);
    // Checked: a programme's dates are bounded when it is created, but a date read back is never
    // trusted to leave room for arithmetic.
    let valid_until = programme
        .closes_on
        .max(today)
        .checked_add_signed(Duration::days(GRANT_VALIDITY_AFTER_CLOSE_DAYS))
        .ok_or_else(|| DomainError::invalid("amount", Message::new("date-out-of-range")))?;
    let row = GrantRow {
        code: &code,
        application_id: application.id,
        programme_id: programme.id,
        startup_id: application.startup_id,
        provider_id: application.provider_id,
        amount: amount.cents(),
        currency: &programme.currency,
        valid_from: today,
        valid_until,
        status: GrantStatus::Active.as_str(),
        created_at: clock::now(),
    };
    let grant_id: GrantId = diesel::insert_into(grants::table)
        .values(&row)
        .returning(grants::id)
        .get_result(conn)?;
    let available = ledger::open_account(conn, &chart::programme_available(programme.id.get(), &programme.currency))?;
    let credits = ledger::open_account(conn, &chart::grant_credits(&code, grant_id.get(), &programme.currency))?;
    let posted = ledger::post(
        conn,
        &NewEntry {
            idempotency_key: format!("award:{}", application.reference()),
            kind: EntryKind::Award,
            description: format!("Grant {code} awarded under “{}”", programme.name),
            effective_on: today,
            actor: by.actor(),
            links: Links { programme_id: Some(programme.id.get()), grant_id: Some(grant_id.get()), ..Links::default() },
            legs: vec![
                Leg { account_id: available.id, side: Side::Debit, amount },
                Leg { account_id: credits.id, side: Side::Credit, amount },
            ],
        },
    );
    match posted {
        Ok(_) => {}
        Err(LedgerError::LimitExceeded { available, .. }) => {
            return Err(DomainError::invalid("amount", Message::new("decide-budget-exhausted").with("available", Arg::money(available, &programme.currency))));
        }
        Err(e) => return Err(e.into()),
    }
    grants::table.find(grant_id).select(Grant::as_select()).first(conn).or_not_found()
}


pub fn grant_by_code(conn: &mut AnyConnection, code: &str) -> DomainResult<Option<Grant>> {
    Ok(grants::table.filter(grants::code.eq(code)).select(Grant::as_select()).first(conn).optional()?)
}

/// The grants with these codes, by code, in one read per thousand codes.
pub fn grants_by_codes(conn: &mut AnyConnection, codes: &[String]) -> DomainResult<std::collections::HashMap<String, Grant>> {
    let mut found = std::collections::HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(crate::db::CHUNK_ROWS) {
        let grants: Vec<Grant> = grants::table.filter(grants::code.eq_any(chunk)).select(Grant::as_select()).load(conn)?;
        found.extend(grants.into_iter().map(|g| (g.code.clone(), g)));
    }
    Ok(found)
}

/// The grant as `viewer` may see it: its startup, its programme's funder, its provider.
pub fn grant_for(conn: &mut AnyConnection, viewer: &Member, id: GrantId) -> DomainResult<Grant> {
    grant_and_funder_for(conn, viewer, id).map(|(grant, _)| grant)
}

/// The grant `viewer` may see, with the funder of its programme.
pub fn grant_and_funder_for(conn: &mut AnyConnection, viewer: &Member, id: GrantId) -> DomainResult<(Grant, OrgId)> {
    let (grant, funder_id) = grant_and_funder(conn, id)?;
    if access::may_view_grant(viewer, grant.startup_id, grant.provider_id, funder_id) { Ok((grant, funder_id)) } else { Err(DomainError::NotFound) }
}

/// [`grant_and_funder_for`] decided on the grant as kept at `at` (read again only when the
/// state moved since); the decision itself is made on every call.
pub fn grant_and_funder_at(src: &mut dyn crate::domain::spending::Reads, cache: &crate::domain::spending::SpendCache, at: crate::domain::spending::PageState, viewer: &Member, id: GrantId) -> DomainResult<(Grant, OrgId)> {
    let head = cache.grant_heads.get_or_read_at(src, at, id, |conn| Ok(std::sync::Arc::new(grant_and_funder(conn, id)?)))?;
    let (grant, funder_id) = &*head;
    if access::may_view_grant(viewer, grant.startup_id, grant.provider_id, *funder_id) { Ok((grant.clone(), *funder_id)) } else { Err(DomainError::NotFound) }
}

/// The grant and whose programme it is, in one read (every grant page and download asks).
fn grant_and_funder(conn: &mut AnyConnection, id: GrantId) -> DomainResult<(Grant, OrgId)> {
    grants::table
        .inner_join(crate::db::schema::programmes::table)
        .filter(grants::id.eq(id))
        .select((Grant::as_select(), crate::db::schema::programmes::funder_id))
        .first(conn)
        .or_not_found()
}

pub fn grants_of_startup(conn: &mut AnyConnection, startup_id: OrgId) -> DomainResult<Vec<Grant>> {
    Ok(grants::table.filter(grants::startup_id.eq(startup_id)).order(grants::id).select(Grant::as_select()).load(conn)?)
}

/// Whose grants a list shows.
#[derive(Debug, Clone, Copy)]
pub enum GrantsOf {
    /// Those the provider may bill.
    Provider(OrgId),
    Startup(OrgId),
    /// Those of the funder's programmes.
    Funder(OrgId),
}

/// One page of grants, newest first, read in SQL.
pub fn grants_page(conn: &mut AnyConnection, of: GrantsOf, window: crate::domain::Window) -> DomainResult<Vec<Grant>> {
    use crate::db::schema::programmes as programme_rows;
    let mut query = grants::table.order(grants::id.desc()).limit(window.take).select(Grant::as_select()).into_boxed();
    query = match of {
        GrantsOf::Provider(id) => query.filter(grants::provider_id.eq(id)),
        GrantsOf::Startup(id) => query.filter(grants::startup_id.eq(id)),
        GrantsOf::Funder(id) => query.filter(grants::programme_id.eq_any(programme_rows::table.filter(programme_rows::funder_id.eq(id)).select(programme_rows::id))),
    };
    if let Some(after) = window.after {
        query = query.filter(grants::id.lt(after));
    }
    Ok(query.load(conn)?)
}

/// One page of the grants a provider may bill, newest first, each with its startup's name and
/// what it can still spend: four queries whatever the page's length.
pub fn billable_page(conn: &mut AnyConnection, provider_id: OrgId, page: crate::domain::paging::PageRequest) -> DomainResult<crate::domain::paging::Page<(Grant, String, Amount)>> {
    use crate::db::schema::organisations;
    let total: i64 = grants::table.filter(grants::provider_id.eq(provider_id)).count().get_result(conn)?;
    let rows: Vec<(Grant, String)> = grants::table
        .inner_join(organisations::table.on(organisations::id.eq(grants::startup_id)))
        .filter(grants::provider_id.eq(provider_id))
        .order(grants::id.desc())
        .offset(page.offset())
        .limit(crate::domain::paging::PAGE_SIZE)
        .select((Grant::as_select(), organisations::name))
        .load(conn)?;
    let codes: Vec<String> = rows.iter().map(|(g, _)| g.credits_account_code()).collect();
    let accounts = ledger::accounts_by_codes(conn, &codes)?;
    let items = rows
        .into_iter()
        .zip(codes)
        .map(|((grant, startup), code)| {
            let available = accounts.get(&code).map(|a| a.available()).unwrap_or_default();
            (grant, startup, available)
        })
        .collect();
    Ok(crate::domain::paging::Page { items, number: page.number, total })
}

/// Balance and statement of a grant's credits account.
#[derive(Debug, Clone)]
pub struct GrantStatement {
    pub grant: Grant,
    /// What the startup can still spend: the credits less what is spent and what is held.
    pub balance: Amount,
    /// Usage approved by the funder, less the providers' credit notes.
    pub spent: Amount,
    /// Unused credit taken back when the grant expired or was revoked (not spent).
    pub clawed_back: Amount,
    /// Usage a provider submitted, waiting for the funder's approval of its invoice.
    pub held: Amount,
    pub lines: Vec<ledger::StatementLine>,
    /// The grant's figures (`domain::figures`), which `spent` and `clawed_back` are taken from,
    /// so that the summary and the figures table never disagree.
    pub figures: Vec<(crate::domain::figures::Figure, Amount)>,
}

/// The grant's figures, with spent (usage less credit notes) and clawed back among them.
fn figures_spent_and_clawed_back(conn: &mut AnyConnection, grant: &Grant) -> DomainResult<(Vec<(crate::domain::figures::Figure, Amount)>, Amount, Amount)> {
    use crate::domain::figures::Figure;
    let figures = crate::domain::figures::grant_figures_of(conn, grant)?;
    let of = |wanted: Figure| crate::domain::figures::figure_in(&figures, wanted);
    let (spent, clawed_back) = (of(Figure::Spent), of(Figure::ClawedBack));
    Ok((figures, spent, clawed_back))
}

/// The grant's figures and one page of its statement, newest first (see
/// [`ledger::statement_page`]).
/// Whether older movements follow the page is returned beside it.
pub fn statement_page(conn: &mut AnyConnection, viewer: &Member, grant_id: GrantId, page: crate::domain::paging::PageRequest) -> DomainResult<(GrantStatement, bool)> {
    let grant = grant_for(conn, viewer, grant_id)?;
    let account = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
    let (lines, more) = ledger::statement_page(conn, account.id, page.offset(), crate::domain::paging::PAGE_SIZE)?;
    let (figures, spent, clawed_back) = figures_spent_and_clawed_back(conn, &grant)?;
    Ok((GrantStatement { balance: account.available(), spent, clawed_back, held: Amount::from_cents(account.debits_pending), grant, lines, figures }, more))
}

pub fn statement(conn: &mut AnyConnection, viewer: &Member, grant_id: GrantId) -> DomainResult<GrantStatement> {
    let grant = grant_for(conn, viewer, grant_id)?;
    let account = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
    let lines = ledger::statement(conn, account.id)?;
    let (figures, spent, clawed_back) = figures_spent_and_clawed_back(conn, &grant)?;
    Ok(GrantStatement { balance: account.available(), spent, clawed_back, held: Amount::from_cents(account.debits_pending), grant, lines, figures })
}


//! Where a programme's credits went, read from the ledger.

use crate::db::AnyConnection;
use crate::db::schema::organisations;
use crate::domain::identity::Member;
use crate::domain::error::DomainResult;
use crate::domain::grants::Grant;
use crate::domain::programmes::{self, Programme};
use crate::money::Amount;
use diesel::prelude::*;
use crate::domain::paging::PageRequest;

#[derive(Debug, Clone)]
pub struct GrantLine {
    pub grant: Grant,
    pub startup_name: String,
    pub awarded: Amount,
    pub spent: Amount,
    pub balance: Amount,
}

#[derive(Debug, Clone)]
pub struct ProgrammeReport {
    pub programme: Programme,
    pub budget: Amount,
    pub awarded: Amount,
    pub spent: Amount,
    /// Budget not yet awarded.
    pub unawarded: Amount,
    /// Awarded credit not yet spent.
    pub unspent: Amount,
    pub grants: Vec<GrantLine>,
    /// Grants in all (`grants` may be one page of them).
    pub grant_count: i64,
    pub grants_page: PageRequest,
}

/// A programme's report: its totals, summed by the database over every grant, and its grants'
/// lines — one page of them (`Some(page)`, 50 a page, oldest first) or all (`None`).
/// [`programme_report`], kept while the ledger has not moved (its figures are all ledger
/// figures; see `spending::SpendCache`). Access is checked on every call.
pub fn programme_report_cached(conn: &mut AnyConnection, cache: &crate::domain::spending::SpendCache, viewer: &Member, programme_id: crate::domain::ProgrammeId, page: Option<PageRequest>) -> DomainResult<ProgrammeReport> {
    let programme = programmes::visible_to(conn, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(crate::domain::error::DomainError::NotFound);
    }
    cache.programme_reports.get_or_read(conn, (programme_id.get(), page.map(|p| p.number)), |conn| programme_report(conn, viewer, programme_id, page))
}

pub fn programme_report(conn: &mut AnyConnection, viewer: &Member, programme_id: crate::domain::ProgrammeId, page: Option<PageRequest>) -> DomainResult<ProgrammeReport> {
    use crate::db::schema::{grants as grant_rows, ledger_accounts};
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Bool, Nullable};
    let programme = programmes::visible_to(conn, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(crate::domain::error::DomainError::NotFound);
    }
    // Each grant's credits account, found through its unique code.
    let credits_account = || sql::<Bool>("ledger_accounts.code = 'grant:' || grants.code || ':credits'");
    let (awarded, spent, unspent, grant_count): (Option<i64>, Option<i64>, Option<i64>, i64) = grant_rows::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .filter(grant_rows::programme_id.eq(programme.id))
        .select((
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.credits_posted) AS BIGINT)"),
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.debits_posted) AS BIGINT)"),
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.credits_posted - ledger_accounts.debits_posted - ledger_accounts.debits_pending) AS BIGINT)"),
            sql::<BigInt>("COUNT(*)"),
        ))
        .first(conn)?;
    // What expiry and revocation took back left the credits accounts unspent: not counted as spent.
    let clawed = crate::domain::grant_expiry::clawed_back(conn, programme.id, None)?;
    let clawed_total = clawed.values().try_fold(Amount::ZERO, |sum, a| sum.checked_add(*a)).map_err(|e| crate::domain::error::DomainError::Internal(e.to_string()))?;
    let spent = spent.unwrap_or(0).saturating_sub(clawed_total.cents());
    let (awarded, spent, unspent) = (Amount::from_cents(awarded.unwrap_or(0)), Amount::from_cents(spent), Amount::from_cents(unspent.unwrap_or(0)));
    let mut query = grant_rows::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .inner_join(organisations::table.on(organisations::id.eq(grant_rows::startup_id)))
        .filter(grant_rows::programme_id.eq(programme.id))
        .order(grant_rows::id)
        .select((Grant::as_select(), organisations::name, ledger_accounts::credits_posted, ledger_accounts::debits_posted, ledger_accounts::debits_pending))
        .into_boxed();
    if let Some(page) = page {
        query = query.offset(page.offset()).limit(crate::domain::paging::PAGE_SIZE);
    }
    let rows: Vec<(Grant, String, i64, i64, i64)> = query.load(conn)?;
    let lines = rows
        .into_iter()
        .map(|(grant, startup_name, credits, debits, pending)| GrantLine {
            spent: Amount::from_cents(debits.saturating_sub(clawed.get(&grant.id).map_or(0, |a| a.cents()))),
            grant,
            startup_name,
            awarded: Amount::from_cents(credits),
            balance: Amount::from_cents(credits.saturating_sub(debits).saturating_sub(pending)),
        })
        .collect();
    let unawarded = programmes::available(conn, &programme)?;
    Ok(ProgrammeReport { budget: programme.budget(), programme, awarded, spent, unawarded, unspent, grants: lines, grant_count, grants_page: page.unwrap_or(PageRequest::FIRST) })
}

/// What a programme's page reads besides the programme itself (see `SpendCache::programme_pages`).
#[derive(Debug, Clone)]
pub struct ProgrammePageData {
    /// The change log, each line with its summary worded.
    pub changes: Vec<(programmes::Change, crate::messages::Message)>,
    /// Every funder's share of the budget (empty when not shown to the viewer).
    pub shares: Vec<crate::domain::cofunding::Share>,
    /// The report, a page of applications, the spending by month and by provider, and the
    /// grants by SME category: for the programme's own funder and admins, once it is open.
    pub report: Option<ProgrammeReport>,
    pub applications: Option<crate::domain::paging::Page<crate::domain::applications::ApplicationView>>,
    pub months: Vec<crate::domain::spending::MonthSpend>,
    pub providers: Vec<crate::domain::spending::ProviderSpend>,
    pub by_category: Vec<(Option<crate::domain::eu::sme::SmeCategory>, i64, Amount)>,
    /// The figures read from the ledger, each with the entries behind it (`domain::figures`).
    pub figures: Option<crate::domain::figures::ProgrammeFigures>,
    /// Both pots of the reserved quota, for everyone who sees the programme.
    pub pots: crate::domain::quota::Pots,
}

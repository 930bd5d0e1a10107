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
    /// The grant's figures as its statement shows them (`figures::grant_figure`): credited by
    /// its award, spent (usage less credit notes), and the balance it can still spend.
    pub awarded: Amount,
    pub spent: Amount,
    pub balance: Amount,
}

#[derive(Debug, Clone)]
pub struct ProgrammeReport {
    pub programme: Programme,
    pub budget: Amount,
    /// The grants' figures added up, by the rule of their lines (= the programme's figures).
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
    use diesel::sql_types::{BigInt, Bool};
    let programme = programmes::visible_to(conn, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(crate::domain::error::DomainError::NotFound);
    }
    use crate::domain::figures::{grant_figure, kept_accounts, kept_grants, Figure};
    // Each grant's credits account, found through its unique code.
    let credits_account = || sql::<Bool>("ledger_accounts.code = 'grant:' || grants.code || ':credits'");
    let grant_count: i64 = grant_rows::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .filter(grant_rows::programme_id.eq(programme.id))
        .select(sql::<BigInt>("COUNT(*)"))
        .first(conn)?;
    // The figures the programme's page and each grant's statement show, by the same rule: awarded
    // from the award entries, spent = usage less credit notes, unspent = what the grants can still
    // spend (clawbacks and holds are neither).
    let granted = kept_grants(conn, programme.id)?;
    let (awarded, spent, unspent) = (grant_figure(&granted, Figure::Credited)?, grant_figure(&granted, Figure::Spent)?, grant_figure(&granted, Figure::Balance)?);
    let mut query = grant_rows::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .inner_join(organisations::table.on(organisations::id.eq(grant_rows::startup_id)))
        .filter(grant_rows::programme_id.eq(programme.id))
        .order(grant_rows::id)
        .select((Grant::as_select(), organisations::name, ledger_accounts::id))
        .into_boxed();
    if let Some(page) = page {
        query = query.offset(page.offset()).limit(crate::domain::paging::PAGE_SIZE);
    }
    let rows: Vec<(Grant, String, i64)> = query.load(conn)?;
    let account_ids: Vec<i64> = rows.iter().map(|(_, _, account)| *account).collect();
    let kept = kept_accounts(conn, &account_ids)?;
    let mut lines = Vec::with_capacity(rows.len());
    for (grant, startup_name, account) in rows {
        let credits = kept.get(&account).ok_or_else(|| crate::domain::error::DomainError::Internal(format!("no account {account}")))?;
        lines.push(GrantLine {
            awarded: grant_figure(credits, Figure::Credited)?,
            spent: grant_figure(credits, Figure::Spent)?,
            balance: grant_figure(credits, Figure::Balance)?,
            grant,
            startup_name,
        });
    }
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

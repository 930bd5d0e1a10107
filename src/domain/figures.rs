//! A programme's and a grant's figures, each read from the ledger together with the entries
//! that make it.
//!
//! Every figure is one [`Spec`]: a set of ledger accounts, the entry kinds that count (all when
//! none are named), which phases count (posted movements, holds not yet resolved, or both) and
//! the side that counts positive. The figure is the signed sum of the matching postings; the
//! pages read it from the ledger's running totals (each account's, and its posted movements per
//! entry kind), and its entries page sums and lists the matching postings themselves, grouped
//! by entry (the tests check that both agree, and agree with the accounts' own totals).
//!
//! # Programme figures
//!
//! With `A` = `programme:P:available`, `O` = `programme:P:offered` and `G` = the credits
//! accounts of the programme's grants:
//!
//! | figure | postings |
//! |---|---|
//! | budget | `fund` entries crediting `A` (the lead's and every co-funder's commitments) |
//! | committed | unresolved `offer` holds crediting `O` (offers awaiting an answer) |
//! | awarded | `award` entries crediting `G` |
//! | held | unresolved `usage` holds debiting `G` (waiting for the funder's approval) |
//! | spent | posted `usage` debiting `G`, less `credit-note` entries crediting `G` |
//! | clawed back | `expiry` entries debiting `G` (expiry, revocation, sweeps) |
//! | returned | `expiry` entries crediting `A` (the part of clawed back that went back to the budget) |
//! | remaining | everything on `A`: posted credits less debits, less unresolved holds (= `A`'s available amount) |
//! | unspent | everything on `G`: likewise (= the grants' free balances) |
//!
//! Two identities follow from the chart of accounts, since `A` is credited only by funding and
//! by clawbacks to the budget, and debited only by awards (posted) and offers (held), while `G`
//! is credited by awards and credit notes and debited by usage (posted or held) and clawbacks:
//!
//! * **budget + returned = committed + awarded + remaining**
//! * **awarded = spent + held + clawed back + unspent**
//!
//! What was clawed back and not returned lapsed to `programme:P:expired`.
//! Nothing in the application reverses an entry on these accounts today; a `reversal` would
//! count in *remaining* and *unspent* only, and the identities would name it.
//!
//! # Grant figures
//!
//! On the grant's own credits account: **credited** (its award) = **spent** + **held** +
//! **clawed back** + **balance** (what the startup can still spend), with the same definitions.
//!
//! # Co-funders: budget shares, not pro rata
//!
//! Each funder's part of the budget is a ledger fact: the `fund` entries from its own
//! commitments account ([`funder_budget`]). Awards and spending are not: every funder's
//! commitment lands in the one `available` account, and an award debits that pool without
//! naming a funder. Splitting awarded or spent pro rata of today's shares would also be false
//! whenever a co-funder committed after awards were made (its share would take part of awards
//! made before it paid anything). So the page shows budget shares only, and says the rest is
//! pooled.

use crate::db::AnyConnection;
use crate::db::schema::{grants, ledger_accounts, ledger_entries, ledger_postings};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::grants::Grant;
use crate::domain::ids::{GrantId, OrgId, ProgrammeId};
use crate::domain::identity::Member;
use crate::domain::paging::{Page, PageRequest, PAGE_SIZE};
use crate::domain::programmes::{self, Programme};
use crate::ledger::{chart, EntryKind, Side};
use crate::money::Amount;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};

type Backend = <AnyConnection as diesel::Connection>::Backend;

crate::text_enum! {
    /// A figure of a programme or a grant, as named in `?figure=`.
    pub enum Figure ("figure") {
        Budget = "budget",
        Committed = "committed",
        Awarded = "awarded",
        Held = "held",
        Spent = "spent",
        ClawedBack = "clawed-back",
        Returned = "returned",
        Remaining = "remaining",
        Unspent = "unspent",
        Credited = "credited",
        Balance = "balance",
    }
}

/// The figures a programme shows, in order.
pub const PROGRAMME_FIGURES: [Figure; 9] =
    [Figure::Budget, Figure::Committed, Figure::Awarded, Figure::Held, Figure::Spent, Figure::ClawedBack, Figure::Returned, Figure::Remaining, Figure::Unspent];
/// The figures a grant shows, in order.
pub const GRANT_FIGURES: [Figure; 5] = [Figure::Credited, Figure::Spent, Figure::Held, Figure::ClawedBack, Figure::Balance];

/// Which accounts a figure reads.
#[derive(Debug, Clone)]
enum Accounts {
    /// One account, by its code.
    Code(String),
    /// The credits accounts of every grant of the programme.
    GrantsOf(ProgrammeId),
}

/// Which entries count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phases {
    /// Movements: ordinary entries and posted holds.
    Posted,
    /// Holds not yet posted, voided or expired.
    Held,
    Both,
}

const POSTED_SQL: &str = "ledger_entries.phase IN ('posted', 'post_pending')";
const HELD_SQL: &str = "(ledger_entries.phase = 'pending' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.resolves_entry_id = ledger_entries.id))";
const BOTH_SQL: &str = "(ledger_entries.phase IN ('posted', 'post_pending') OR (ledger_entries.phase = 'pending' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.resolves_entry_id = ledger_entries.id)))";
const CREDIT_POSITIVE: &str = "CAST(SUM(CASE WHEN ledger_postings.direction = 'credit' THEN ledger_postings.amount ELSE -ledger_postings.amount END) AS BIGINT)";
const DEBIT_POSITIVE: &str = "CAST(SUM(CASE WHEN ledger_postings.direction = 'debit' THEN ledger_postings.amount ELSE -ledger_postings.amount END) AS BIGINT)";

impl Phases {
    fn sql(self) -> &'static str {
        match self {
            Phases::Posted => POSTED_SQL,
            Phases::Held => HELD_SQL,
            Phases::Both => BOTH_SQL,
        }
    }
}

/// What makes one figure.
#[derive(Debug, Clone)]
struct Spec {
    accounts: Accounts,
    kinds: &'static [EntryKind],
    phases: Phases,
    positive: Side,
    /// Only entries that also touch this account (a funder's commitments, for its share).
    touching: Option<String>,
    /// Only entries linked to this programme (every `fund` entry names its programme, and
    /// the (kind, programme) index then finds them without reading the budget's history).
    linked_to: Option<ProgrammeId>,
}

impl Spec {
    fn sum_sql(&self) -> &'static str {
        match self.positive {
            Side::Credit => CREDIT_POSITIVE,
            Side::Debit => DEBIT_POSITIVE,
        }
    }
}

fn programme_spec(programme: &Programme, figure: Figure) -> Option<Spec> {
    let (id, currency) = (programme.id.get(), programme.currency.as_str());
    let available = Accounts::Code(chart::programme_available(id, currency).code);
    let grants = Accounts::GrantsOf(programme.id);
    let spec = |accounts, kinds, phases, positive| Some(Spec { accounts, kinds, phases, positive, touching: None, linked_to: None });
    match figure {
        Figure::Budget => spec(available, &[EntryKind::Fund], Phases::Posted, Side::Credit),
        Figure::Committed => spec(Accounts::Code(chart::programme_offered(id, currency).code), &[EntryKind::Offer], Phases::Held, Side::Credit),
        Figure::Awarded => spec(grants, &[EntryKind::Award], Phases::Posted, Side::Credit),
        Figure::Held => spec(grants, &[EntryKind::Usage], Phases::Held, Side::Debit),
        Figure::Spent => spec(grants, &[EntryKind::Usage, EntryKind::CreditNote], Phases::Posted, Side::Debit),
        Figure::ClawedBack => spec(grants, &[EntryKind::Expiry], Phases::Posted, Side::Debit),
        Figure::Returned => spec(available, &[EntryKind::Expiry], Phases::Posted, Side::Credit),
        Figure::Remaining => spec(available, &[], Phases::Both, Side::Credit),
        Figure::Unspent => spec(grants, &[], Phases::Both, Side::Credit),
        Figure::Credited | Figure::Balance => None,
    }
}

fn grant_spec(grant: &Grant, figure: Figure) -> Option<Spec> {
    let credits = Accounts::Code(grant.credits_account_code());
    let spec = |kinds, phases, positive| Some(Spec { accounts: credits.clone(), kinds, phases, positive, touching: None, linked_to: None });
    match figure {
        Figure::Credited => spec(&[EntryKind::Award], Phases::Posted, Side::Credit),
        Figure::Spent => spec(&[EntryKind::Usage, EntryKind::CreditNote], Phases::Posted, Side::Debit),
        Figure::Held => spec(&[EntryKind::Usage], Phases::Held, Side::Debit),
        Figure::ClawedBack => spec(&[EntryKind::Expiry], Phases::Posted, Side::Debit),
        Figure::Balance => spec(&[], Phases::Both, Side::Credit),
        _ => None,
    }
}

/// The postings that make `$spec`, as a boxed query the caller groups and selects.
macro_rules! figure_postings {
    ($spec:expr) => {{
        let spec: &Spec = $spec;
        let mut query = ledger_postings::table.inner_join(ledger_entries::table).inner_join(ledger_accounts::table).into_boxed::<'_, Backend>();
        query = match &spec.accounts {
            Accounts::Code(code) => query.filter(ledger_accounts::code.eq(code.clone())),
            Accounts::GrantsOf(programme) => query
                .filter(ledger_accounts::owner_kind.eq("grant"))
                .filter(ledger_accounts::purpose.eq("credits"))
                .filter(ledger_accounts::owner_id.eq_any(grants::table.filter(grants::programme_id.eq(*programme)).select(grants::id))),
        };
        if !spec.kinds.is_empty() {
            query = query.filter(ledger_entries::kind.eq_any(spec.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()));
        }
        if let Some(programme) = spec.linked_to {
            query = query.filter(ledger_entries::programme_id.eq(programme.get()));
        }
        if let Some(code) = &spec.touching {
            let other = diesel::alias!(ledger_postings as other_postings);
            let other_accounts = diesel::alias!(ledger_accounts as other_accounts);
            let account_ids = other_accounts.filter(other_accounts.field(ledger_accounts::code).eq(code.clone())).select(other_accounts.field(ledger_accounts::id));
            query = query.filter(ledger_entries::id.eq_any(other.filter(other.field(ledger_postings::account_id).eq_any(account_ids)).select(other.field(ledger_postings::entry_id))));
        }
        query.filter(sql::<Bool>(spec.phases.sql()))
    }};
}

/// A figure's total and how many entries make it.
fn total(conn: &mut AnyConnection, spec: &Spec) -> DomainResult<(Amount, i64)> {
    let (cents, entries): (Option<i64>, i64) = figure_postings!(spec)
        .select((sql::<Nullable<BigInt>>(spec.sum_sql()), sql::<BigInt>("COUNT(DISTINCT ledger_postings.entry_id)")))
        .first(conn)?;
    Ok((Amount::from_cents(cents.unwrap_or(0)), entries))
}

/// One leg of an entry, with its account's code.
#[derive(Debug, Clone)]
pub struct LegLine {
    pub account: String,
    pub side: String,
    pub amount: Amount,
}

/// One entry behind a figure.
#[derive(Debug, Clone)]
pub struct EntryLine {
    pub id: i64,
    pub key: String,
    pub effective_on: NaiveDate,
    pub kind: String,
    pub phase: String,
    pub description: String,
    /// What this entry adds to the figure (negative when it takes from it).
    pub amount: Amount,
    pub legs: Vec<LegLine>,
}

/// A figure, its total, and one page of the entries that make it (newest first).
#[derive(Debug, Clone)]
pub struct FigureEntries {
    pub figure: Figure,
    pub total: Amount,
    pub currency: String,
    pub entries: Page<EntryLine>,
}

fn entries_page(conn: &mut AnyConnection, spec: &Spec, figure: Figure, currency: &str, page: PageRequest) -> DomainResult<FigureEntries> {
    let (total, count) = total(conn, spec)?;
    // The page's entries, then what each adds to the figure (its matching postings, signed).
    let ids: Vec<i64> = figure_postings!(spec)
        .select(ledger_postings::entry_id)
        .distinct()
        .order(ledger_postings::entry_id.desc())
        .offset(page.offset())
        .limit(PAGE_SIZE)
        .load(conn)?;
    let matching: Vec<(i64, String, i64)> = figure_postings!(spec)
        .filter(ledger_postings::entry_id.eq_any(&ids))
        .select((ledger_postings::entry_id, ledger_postings::direction, ledger_postings::amount))
        .load(conn)?;
    let mut sums: std::collections::HashMap<i64, Amount> = std::collections::HashMap::with_capacity(ids.len());
    for (id, direction, cents) in matching {
        let amount = Amount::from_cents(cents);
        let sum = sums.entry(id).or_insert(Amount::ZERO);
        *sum = if direction == spec.positive.as_str() { sum.checked_add(amount) } else { sum.checked_sub(amount) }.map_err(crate::ledger::LedgerError::from)?;
    }
    let entries: Vec<(i64, String, NaiveDate, String, String, String)> = ledger_entries::table
        .filter(ledger_entries::id.eq_any(&ids))
        .order(ledger_entries::id.desc())
        .select((ledger_entries::id, ledger_entries::idempotency_key, ledger_entries::effective_on, ledger_entries::kind, ledger_entries::phase, ledger_entries::description))
        .load(conn)?;
    let legs: Vec<(i64, String, String, i64)> = ledger_postings::table
        .inner_join(ledger_accounts::table)
        .filter(ledger_postings::entry_id.eq_any(&ids))
        .order(ledger_postings::id)
        .select((ledger_postings::entry_id, ledger_accounts::code, ledger_postings::direction, ledger_postings::amount))
        .load(conn)?;
    let items = entries
        .into_iter()
        .map(|(id, key, effective_on, kind, phase, description)| EntryLine {
            amount: sums.get(&id).copied().unwrap_or_default(),
            legs: legs.iter().filter(|l| l.0 == id).map(|l| LegLine { account: l.1.clone(), side: l.2.clone(), amount: Amount::from_cents(l.3) }).collect(),
            id,
            key,
            effective_on,
            kind,
            phase,
            description,
        })
        .collect();
    Ok(FigureEntries { figure, total, currency: currency.to_string(), entries: Page { items, number: page.number, total: count } })
}

/// The programme as a viewer may read its figures: its own funder and admins (as its report).
fn readable_programme(conn: &mut AnyConnection, viewer: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let programme = programmes::visible_to(conn, viewer, id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(DomainError::NotFound);
    }
    Ok(programme)
}

/// One funder's part of the budget.
#[derive(Debug, Clone)]
pub struct FunderShare {
    pub funder_id: OrgId,
    pub name: String,
    pub lead: bool,
    pub amount: Amount,
}

/// A programme's figures, in [`PROGRAMME_FIGURES`] order, and each funder's part of its budget.
#[derive(Debug, Clone)]
pub struct ProgrammeFigures {
    pub programme_id: ProgrammeId,
    pub figures: Vec<(Figure, Amount)>,
    pub shares: Vec<FunderShare>,
}

impl ProgrammeFigures {
    pub fn get(&self, figure: Figure) -> Amount {
        self.figures.iter().find(|(f, _)| *f == figure).map(|(_, a)| *a).unwrap_or_default()
    }
}

fn funder_spec(programme: &Programme, funder: OrgId) -> Option<Spec> {
    let mut spec = programme_spec(programme, Figure::Budget)?;
    spec.touching = Some(chart::funder_commitments(funder.get(), &programme.currency).code);
    spec.linked_to = Some(programme.id);
    Some(spec)
}

/// An account's (or a set of accounts') four running totals and its posted movements by kind,
/// as the ledger keeps them: what every figure is computed from, without reading postings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Kept {
    debits_posted: i64,
    credits_posted: i64,
    debits_pending: i64,
    credits_pending: i64,
    /// Posted (debits, credits) per entry kind.
    by_kind: std::collections::HashMap<String, (i64, i64)>,
}

impl Kept {
    /// Credits less debits of the posted entries of `kinds`.
    fn credited(&self, kinds: &[EntryKind]) -> Option<i64> {
        kinds.iter().try_fold(0i64, |sum, kind| {
            let (debits, credits) = self.by_kind.get(kind.as_str()).copied().unwrap_or_default();
            sum.checked_add(credits.checked_sub(debits)?)
        })
    }

    /// Debits less credits of the posted entries of `kinds`.
    fn debited(&self, kinds: &[EntryKind]) -> Option<i64> {
        self.credited(kinds)?.checked_neg()
    }

    /// Everything on the accounts, posted and held (credit positive).
    fn free(&self) -> Option<i64> {
        self.credits_posted.checked_sub(self.debits_posted)?.checked_add(self.credits_pending)?.checked_sub(self.debits_pending)
    }

    /// Unresolved holds, credit positive.
    fn held_credits(&self) -> Option<i64> {
        self.credits_pending.checked_sub(self.debits_pending)
    }
}

/// Running totals of one account, found by its code (nothing when it is not open yet).
fn kept_account(conn: &mut AnyConnection, code: &str) -> DomainResult<Kept> {
    use crate::db::schema::ledger_kind_totals;
    let Some((id, debits_posted, credits_posted, debits_pending, credits_pending)) = ledger_accounts::table
        .filter(ledger_accounts::code.eq(code))
        .select((ledger_accounts::id, ledger_accounts::debits_posted, ledger_accounts::credits_posted, ledger_accounts::debits_pending, ledger_accounts::credits_pending))
        .first::<(i64, i64, i64, i64, i64)>(conn)
        .optional()?
    else {
        return Ok(Kept::default());
    };
    let by_kind = ledger_kind_totals::table
        .filter(ledger_kind_totals::account_id.eq(id))
        .select((ledger_kind_totals::kind, ledger_kind_totals::debits, ledger_kind_totals::credits))
        .load::<(String, i64, i64)>(conn)?
        .into_iter()
        .map(|(kind, debits, credits)| (kind, (debits, credits)))
        .collect();
    Ok(Kept { debits_posted, credits_posted, debits_pending, credits_pending, by_kind })
}

/// Running totals of each of these accounts, by account id (accounts not found are absent);
/// one read of the accounts and one of their movements by kind per thousand ids.
pub(crate) fn kept_accounts(conn: &mut AnyConnection, ids: &[i64]) -> DomainResult<std::collections::HashMap<i64, Kept>> {
    use crate::db::schema::ledger_kind_totals;
    let mut kept = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::db::CHUNK_ROWS) {
        let accounts = ledger_accounts::table
            .filter(ledger_accounts::id.eq_any(chunk))
            .select((ledger_accounts::id, ledger_accounts::debits_posted, ledger_accounts::credits_posted, ledger_accounts::debits_pending, ledger_accounts::credits_pending))
            .load::<(i64, i64, i64, i64, i64)>(conn)?;
        for (id, debits_posted, credits_posted, debits_pending, credits_pending) in accounts {
            kept.insert(id, Kept { debits_posted, credits_posted, debits_pending, credits_pending, by_kind: Default::default() });
        }
        let by_kind = ledger_kind_totals::table
            .filter(ledger_kind_totals::account_id.eq_any(chunk))
            .select((ledger_kind_totals::account_id, ledger_kind_totals::kind, ledger_kind_totals::debits, ledger_kind_totals::credits))
            .load::<(i64, String, i64, i64)>(conn)?;
        for (id, kind, debits, credits) in by_kind {
            if let Some(account) = kept.get_mut(&id) {
                account.by_kind.insert(kind, (debits, credits));
            }
        }
    }
    Ok(kept)
}

/// Running totals of every grant's credits account of a programme, added up (each found
/// through its unique code, so the account index serves).
pub(crate) fn kept_grants(conn: &mut AnyConnection, programme: ProgrammeId) -> DomainResult<Kept> {
    use crate::db::schema::ledger_kind_totals;
    let credits_account = || sql::<Bool>("ledger_accounts.code = 'grant:' || grants.code || ':credits'");
    let (debits_posted, credits_posted, debits_pending, credits_pending): (Option<i64>, Option<i64>, Option<i64>, Option<i64>) = grants::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .filter(grants::programme_id.eq(programme))
        .select((
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.debits_posted) AS BIGINT)"),
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.credits_posted) AS BIGINT)"),
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.debits_pending) AS BIGINT)"),
            sql::<Nullable<BigInt>>("CAST(SUM(ledger_accounts.credits_pending) AS BIGINT)"),
        ))
        .first(conn)?;
    let by_kind = grants::table
        .inner_join(ledger_accounts::table.on(credits_account()))
        .inner_join(ledger_kind_totals::table.on(ledger_kind_totals::account_id.eq(ledger_accounts::id)))
        .filter(grants::programme_id.eq(programme))
        .group_by(ledger_kind_totals::kind)
        .select((ledger_kind_totals::kind, sql::<BigInt>("CAST(SUM(ledger_kind_totals.debits) AS BIGINT)"), sql::<BigInt>("CAST(SUM(ledger_kind_totals.credits) AS BIGINT)")))
        .load::<(String, i64, i64)>(conn)?
        .into_iter()
        .map(|(kind, debits, credits)| (kind, (debits, credits)))
        .collect();
    Ok(Kept {
        debits_posted: debits_posted.unwrap_or(0),
        credits_posted: credits_posted.unwrap_or(0),
        debits_pending: debits_pending.unwrap_or(0),
        credits_pending: credits_pending.unwrap_or(0),
        by_kind,
    })
}

fn out_of_range(what: &str) -> DomainError {
    DomainError::Internal(format!("{what}: figures out of range"))
}

/// The programme's figures, for its own funder and admins; anyone else finds nothing.
///
/// Read from the ledger's running totals (per account, and per account and entry kind), so
/// the cost does not grow with the history; each figure equals the sum its entries page lists
/// (the [`Spec`] above), which the tests check. `committed` and `held` read the accounts'
/// unresolved holds: the offered account holds only offers, and a grant's credits only usage.
pub fn programme_figures(conn: &mut AnyConnection, viewer: &Member, id: ProgrammeId) -> DomainResult<ProgrammeFigures> {
    let programme = readable_programme(conn, viewer, id)?;
    let shares = crate::domain::cofunding::shares(conn, &programme)?;
    programme_figures_with(conn, &programme, shares)
}

/// [`programme_figures`] for a programme already read and authorised, with its co-funders'
/// list (which the programme page has read already).
pub fn programme_figures_with(conn: &mut AnyConnection, programme: &Programme, cofunders: Vec<crate::domain::cofunding::Share>) -> DomainResult<ProgrammeFigures> {
    let (pid, currency) = (programme.id.get(), programme.currency.as_str());
    let available = kept_account(conn, &chart::programme_available(pid, currency).code)?;
    let offered = kept_account(conn, &chart::programme_offered(pid, currency).code)?;
    let granted = kept_grants(conn, programme.id)?;
    let mut figures = Vec::with_capacity(PROGRAMME_FIGURES.len());
    for figure in PROGRAMME_FIGURES {
        let cents = match figure {
            Figure::Budget => available.credited(&[EntryKind::Fund]),
            Figure::Committed => offered.held_credits(),
            Figure::Awarded => Some(grant_figure(&granted, Figure::Credited)?.cents()),
            Figure::Held | Figure::Spent | Figure::ClawedBack => Some(grant_figure(&granted, figure)?.cents()),
            Figure::Returned => available.credited(&[EntryKind::Expiry]),
            Figure::Remaining => available.free(),
            Figure::Unspent => Some(grant_figure(&granted, Figure::Balance)?.cents()),
            Figure::Credited | Figure::Balance => return Err(DomainError::Internal(format!("no programme figure {figure}"))),
        }
        .ok_or_else(|| out_of_range("programme"))?;
        figures.push((figure, Amount::from_cents(cents)));
    }
    let mut shares = Vec::with_capacity(cofunders.len());
    for share in cofunders {
        let spec = funder_spec(programme, share.funder_id).ok_or_else(|| DomainError::Internal("no budget figure".into()))?;
        shares.push(FunderShare { funder_id: share.funder_id, name: share.name, lead: share.lead, amount: total(conn, &spec)?.0 });
    }
    Ok(ProgrammeFigures { programme_id: programme.id, figures, shares })
}

/// The entries behind one of the programme's figures (`funder`: only that funder's part of the
/// budget), for whoever may read the figure.
pub fn programme_entries(conn: &mut AnyConnection, viewer: &Member, id: ProgrammeId, figure: Figure, funder: Option<OrgId>, page: PageRequest) -> DomainResult<FigureEntries> {
    let programme = readable_programme(conn, viewer, id)?;
    let spec = match funder {
        Some(funder) if figure == Figure::Budget => funder_spec(&programme, funder),
        Some(_) => None,
        None => programme_spec(&programme, figure),
    }
    .ok_or(DomainError::NotFound)?;
    entries_page(conn, &spec, figure, &programme.currency, page)
}

/// A grant's figures, in [`GRANT_FIGURES`] order, for whoever may see the grant; read from
/// its credits account's running totals, like the programme's.
pub fn grant_figures(conn: &mut AnyConnection, viewer: &Member, id: GrantId) -> DomainResult<Vec<(Figure, Amount)>> {
    let grant = crate::domain::grants::grant_for(conn, viewer, id)?;
    grant_figures_of(conn, &grant)
}

/// [`grant_figures`] for a grant already read and authorised.
pub fn grant_figures_of(conn: &mut AnyConnection, grant: &Grant) -> DomainResult<Vec<(Figure, Amount)>> {
    let credits = kept_account(conn, &grant.credits_account_code())?;
    GRANT_FIGURES.iter().map(|figure| Ok((*figure, grant_figure(&credits, *figure)?))).collect()
}

/// One figure of a list read by [`grant_figures_of`] (zero when the list lacks it).
pub fn figure_in(figures: &[(Figure, Amount)], wanted: Figure) -> Amount {
    figures.iter().find(|(figure, _)| *figure == wanted).map_or(Amount::ZERO, |(_, amount)| *amount)
}

/// One of [`GRANT_FIGURES`] from a credits account's running totals — or from several grants'
/// totals added up, which gives the programme's awarded, spent, held, clawed back and unspent
/// (the one rule the grant page, the programme page and the report share).
pub(crate) fn grant_figure(credits: &Kept, figure: Figure) -> DomainResult<Amount> {
    let cents = match figure {
        Figure::Credited => credits.credited(&[EntryKind::Award]),
        Figure::Spent => credits.debited(&[EntryKind::Usage, EntryKind::CreditNote]),
        Figure::Held => credits.held_credits().and_then(i64::checked_neg),
        Figure::ClawedBack => credits.debited(&[EntryKind::Expiry]),
        Figure::Balance => credits.free(),
        _ => return Err(DomainError::Internal(format!("no grant figure {figure}"))),
    }
    .ok_or_else(|| out_of_range("grant"))?;
    Ok(Amount::from_cents(cents))
}

/// The entries behind one of the grant's figures, for whoever may see the grant.
pub fn grant_entries(conn: &mut AnyConnection, viewer: &Member, id: GrantId, figure: Figure, page: PageRequest) -> DomainResult<(Grant, FigureEntries)> {
    let grant = crate::domain::grants::grant_for(conn, viewer, id)?;
    let spec = grant_spec(&grant, figure).ok_or(DomainError::NotFound)?;
    let entries = entries_page(conn, &spec, figure, &grant.currency, page)?;
    Ok((grant, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Phase;

    #[test]
    fn the_sql_strings_are_the_ledgers_words() {
        let posted = format!("('{}', '{}')", Phase::Posted.as_str(), Phase::PostPending.as_str());
        assert!(POSTED_SQL.contains(&posted) && BOTH_SQL.contains(&posted));
        let pending = format!("phase = '{}'", Phase::Pending.as_str());
        assert!(HELD_SQL.contains(&pending) && BOTH_SQL.contains(&pending));
        assert!(CREDIT_POSITIVE.contains(&format!("'{}'", Side::Credit.as_str())));
        assert!(DEBIT_POSITIVE.contains(&format!("'{}'", Side::Debit.as_str())));
    }

    #[test]
    fn every_figure_has_one_name_and_its_scope() {
        for figure in Figure::ALL {
            assert_eq!(figure.as_str().parse::<Figure>().ok(), Some(*figure));
            assert!(PROGRAMME_FIGURES.contains(figure) || GRANT_FIGURES.contains(figure), "{figure} is shown somewhere");
        }
        assert!("everything".parse::<Figure>().is_err());
    }
}

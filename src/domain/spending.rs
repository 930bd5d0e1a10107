//! What was spent, read from the ledger in a few grouped queries (never a query per row).
//!
//! **Spend** is what the ledger moved into providers' payable accounts for grants' usage:
//! usage holds *posted* when the funder approved the provider's invoice (in full or in part),
//! less what providers' credit notes returned to the grants (and any reversal of either). Holds
//! still waiting for a decision, disputed or expired usage count nothing. Every figure is an
//! exact sum of ledger postings in the currency's minor unit, summed by the database
//! (`CAST(SUM(…) AS BIGINT)`: PostgreSQL sums a BIGINT as NUMERIC).
//!
//! A grant's spend is attributed to the hardware kind its application asked for (GPU, IPU, OPU,
//! CPU), and to the provider that billed it (the payable account's owner).
//!
//! The ledger keeps these sums per programme, provider account, hardware kind and day as it
//! posts (`ledger::spend`, table `spend_days`), so a report reads a few hundred rows however
//! long its history; `ledger::verify` checks them against the postings.

use crate::db::AnyConnection;
use crate::db::schema::{ledger_accounts, organisations, programmes, provider_offerings, spend_days};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::{OrgId, ProgrammeId};
use crate::money::Amount;
use chrono::{Datelike, NaiveDate};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// Whose spending: one programme, one funder's programmes, or every programme (the public page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Programme(ProgrammeId),
    Funder(OrgId),
    All,
}

/// Spend at one provider on one hardware kind, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSpend {
    pub provider_id: OrgId,
    pub provider_name: String,
    /// Where the provider is headquartered (its organisation's country), when known.
    pub provider_country: Option<String>,
    pub hardware_kind: String,
    pub currency: String,
    pub amount: Amount,
}

/// Spend in one calendar month (first day of the month), in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSpend {
    pub month: NaiveDate,
    pub currency: String,
    pub amount: Amount,
}

/// Spend rows' credits less debits: credit notes (debits) reduce the spend.
fn signed_sum() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>("CAST(SUM(spend_days.credits - spend_days.debits) AS BIGINT)")
}

/// The spend rows (`ledger::spend`, kept by the ledger as it posts) joined to their provider's
/// account and organisation and to their programme, filtered by `$scope`; the caller groups and
/// selects.
macro_rules! spend_rows {
    ($scope:expr) => {
        spend_days::table
            .inner_join(ledger_accounts::table)
            .inner_join(programmes::table)
            .inner_join(organisations::table.on(organisations::id.eq(ledger_accounts::owner_id)))
            .filter($scope)
    };
}

// Columns of several tables grouped together (each pair once; pairs within one table are
// already allowed by `table!`).
diesel::allow_columns_to_appear_in_same_group_by_clause!(organisations::id, spend_days::hardware_kind, ledger_accounts::currency);
diesel::allow_columns_to_appear_in_same_group_by_clause!(organisations::name, spend_days::hardware_kind);
diesel::allow_columns_to_appear_in_same_group_by_clause!(organisations::name, ledger_accounts::currency);
diesel::allow_columns_to_appear_in_same_group_by_clause!(organisations::country, spend_days::hardware_kind);
diesel::allow_columns_to_appear_in_same_group_by_clause!(organisations::country, ledger_accounts::currency);
diesel::allow_columns_to_appear_in_same_group_by_clause!(ledger_accounts::currency, spend_days::day);

type ProviderRow = (OrgId, String, Option<String>, String, String, i64);

/// Spend per provider and hardware kind (and currency), in a stable order.
pub fn by_provider(conn: &mut AnyConnection, scope: Scope) -> DomainResult<Vec<ProviderSpend>> {
    macro_rules! load {
        ($filter:expr) => {
            spend_rows!($filter)
                .group_by((organisations::id, organisations::name, organisations::country, spend_days::hardware_kind, ledger_accounts::currency))
                .select((organisations::id, organisations::name, organisations::country, spend_days::hardware_kind, ledger_accounts::currency, signed_sum()))
                .order((ledger_accounts::currency, organisations::name, organisations::id, spend_days::hardware_kind))
                .load::<ProviderRow>(conn)?
        };
    }
    let rows = match scope {
        Scope::Programme(id) => load!(spend_days::programme_id.eq(id)),
        Scope::Funder(id) => load!(programmes::funder_id.eq(id)),
        Scope::All => load!(ledger_accounts::purpose.eq("payable")),
    };
    Ok(rows
        .into_iter()
        .map(|(provider_id, provider_name, provider_country, hardware_kind, currency, cents)| ProviderSpend {
            provider_id,
            provider_name,
            provider_country,
            hardware_kind,
            currency,
            amount: Amount::from_cents(cents),
        })
        .collect())
}

/// Spend per month (of the ledger day the spend was posted: the approval, or the credit note),
/// oldest first. The database groups by day; days are folded into months here.
pub fn by_month(conn: &mut AnyConnection, scope: Scope) -> DomainResult<Vec<MonthSpend>> {
    macro_rules! load {
        ($filter:expr) => {
            spend_rows!($filter)
                .group_by((ledger_accounts::currency, spend_days::day))
                .select((ledger_accounts::currency, spend_days::day, signed_sum()))
                .order((ledger_accounts::currency, spend_days::day))
                .load::<(String, NaiveDate, i64)>(conn)?
        };
    }
    let rows = match scope {
        Scope::Programme(id) => load!(spend_days::programme_id.eq(id)),
        Scope::Funder(id) => load!(programmes::funder_id.eq(id)),
        Scope::All => load!(ledger_accounts::purpose.eq("payable")),
    };
    fold_months(rows)
}

/// Days (sorted by currency then day) folded into months.
pub fn fold_months(rows: Vec<(String, NaiveDate, i64)>) -> DomainResult<Vec<MonthSpend>> {
    let mut out: Vec<MonthSpend> = Vec::new();
    for (currency, day, cents) in rows {
        let month = day.with_day(1).unwrap_or(day);
        let amount = Amount::from_cents(cents);
        match out.last_mut() {
            Some(last) if last.month == month && last.currency == currency => {
                last.amount = last.amount.checked_add(amount).map_err(crate::ledger::LedgerError::from)?;
            }
            _ => out.push(MonthSpend { month, currency, amount }),
        }
    }
    Ok(out)
}

/// Sums `rows` by a key, keeping the first-seen order of keys; returns (key, currency, amount).
pub fn total_by<K: PartialEq + Clone>(rows: &[ProviderSpend], key: impl Fn(&ProviderSpend) -> K) -> DomainResult<Vec<(K, String, Amount)>> {
    let mut out: Vec<(K, String, Amount)> = Vec::new();
    for row in rows {
        let k = key(row);
        match out.iter_mut().find(|(key, currency, _)| *key == k && *currency == row.currency) {
            Some((_, _, amount)) => *amount = amount.checked_add(row.amount).map_err(crate::ledger::LedgerError::from)?,
            None => out.push((k, row.currency.clone(), row.amount)),
        }
    }
    Ok(out)
}

/// The countries of each provider's catalogue per hardware kind (every offering ever listed,
/// so that past usage keeps its place): (provider, hardware kind, country when given).
pub fn offering_countries(conn: &mut AnyConnection) -> DomainResult<Vec<(OrgId, String, Option<String>)>> {
    Ok(provider_offerings::table
        .select((provider_offerings::provider_id, provider_offerings::hardware_kind, provider_offerings::country))
        .distinct()
        .order((provider_offerings::provider_id, provider_offerings::hardware_kind, provider_offerings::country))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fold_into_months_per_currency() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let rows = vec![("EUR".into(), d(2026, 10, 3), 100), ("EUR".into(), d(2026, 10, 30), 250), ("EUR".into(), d(2026, 11, 1), -50), ("SEK".into(), d(2026, 10, 3), 7)];
        let months = fold_months(rows).unwrap();
        let got: Vec<_> = months.iter().map(|m| (m.month, m.currency.as_str(), m.amount.cents())).collect();
        assert_eq!(got, vec![(d(2026, 10, 1), "EUR", 350), (d(2026, 11, 1), "EUR", -50), (d(2026, 10, 1), "SEK", 7)]);
    }
}

/// Spending figures kept between requests while the ledger has not moved. Every movement —
/// posting, hold, void, expiry — is an entry chained one at a time through `ledger_head`, whose
/// `entry_count` therefore names the ledger's state: figures read at one count are exact until
/// it changes, and reading it is one row. The grouped queries above scan every payable posting
/// of their scope; pages read far more often than providers bill, so most reads skip them.
///
/// Figures read while a new entry commits may include it and be kept under the count before
/// it; they are then recomputed at the next count, never served older than their key. Names,
/// countries and programme terms come with the figures: the key also carries `page_state`'s
/// version (see [`PageState`]), so a renamed organisation or an edited programme shows at once.
#[derive(Default)]
pub struct SpendCache {
    by_provider: LedgerCache<Scope, Vec<ProviderSpend>>,
    by_month: LedgerCache<Scope, Vec<MonthSpend>>,
    /// The public page: (threshold in cents, page) → what it shows. Programmes and awards come
    /// with ledger entries (a programme's funding, a grant's award), so they are keyed alike.
    pub transparency: LedgerCache<(i64, Option<i64>), crate::domain::transparency::Transparency>,
    /// A programme's report: (programme, page of grants) → totals and lines, all ledger figures.
    pub programme_reports: LedgerCache<(i64, Option<i64>), crate::domain::reports::ProgrammeReport>,
    /// The public page as sent, per (language, threshold in cents, page): the bytes the web
    /// layer rendered from `transparency` at the same state, so an unchanged page is not
    /// formatted again.
    pub transparency_pages: LedgerCache<(&'static str, i64, i64), std::sync::Arc<String>>,
    /// A grant's usage breakdown and run-out, per (grant, day, credit left): reading it scans
    /// every usage line of the grant (see `grant_usage`); lines only come and go with usage
    /// files, whose every change moves the page state.
    pub grant_usage: LedgerCache<(crate::domain::ids::GrantId, chrono::NaiveDate, i64), crate::domain::grant_usage::Summary>,
    /// A programme's grants by their startups' SME category (company profiles move the page
    /// state too).
    pub by_category: LedgerCache<crate::domain::ids::ProgrammeId, Vec<(Option<crate::domain::eu::sme::SmeCategory>, i64, Amount)>>,
    /// The sovereignty report per scope: its spend rows and the providers' catalogue
    /// countries (offerings move the page state).
    pub sovereignty: LedgerCache<Scope, crate::domain::sovereignty::Report>,
    /// A funder's dashboard: its programmes (not archived), each with its budget not yet
    /// awarded (a ledger figure) and its applications waiting for a decision (applications
    /// move the page state).
    pub dashboards: LedgerCache<OrgId, Vec<(crate::domain::programmes::Programme, Amount, i64)>>,
    /// What a programme's page reads besides the programme itself, per (programme, what the
    /// viewer may see, page of applications, page of grants): see `web::pages::programmes`.
    /// Change logs, co-funders and people's names move the page state too (migration 33).
    pub programme_pages: LedgerCache<ProgrammePageKey, std::sync::Arc<crate::domain::reports::ProgrammePageData>>,
    /// The report section of a programme's page as rendered HTML, per (page key, language,
    /// whether the viewer runs the programme, day: the burn-down projects from today). It holds
    /// no form token and nothing of the viewer but these, so every viewer of a key shares it.
    pub programme_report_html: LedgerCache<(ProgrammePageKey, &'static str, bool, NaiveDate), std::sync::Arc<String>>,
    /// What a grant's page reads once access is granted, per (grant, page of the statement,
    /// day): its statement, credit notes, changes and usage (credit notes and grant changes
    /// move the page state too, migration 33).
    pub grant_pages: LedgerCache<(crate::domain::ids::GrantId, i64, chrono::NaiveDate), std::sync::Arc<GrantPageData>>,
    /// What a grant's page shows of the grant as rendered HTML, per (grant, page of the
    /// statement, day, language, whether reasons show). It holds no form token and nothing of
    /// the viewer but these; access is checked before it is read.
    pub grant_statement_html: LedgerCache<(crate::domain::ids::GrantId, i64, NaiveDate, &'static str, bool), std::sync::Arc<String>>,
    /// A programme's row and the funders invited to co-fund it: what deciding who may see it
    /// reads (`programmes::visible_at`). Both tables move the page state.
    pub programme_heads: LedgerCache<crate::domain::ids::ProgrammeId, std::sync::Arc<(crate::domain::programmes::Programme, Vec<OrgId>)>>,
    /// A grant's row and whose programme it is: what deciding who may see it reads
    /// (`grants::grant_and_funder_at`). Grants and programmes move the page state.
    pub grant_heads: LedgerCache<crate::domain::ids::GrantId, std::sync::Arc<(crate::domain::grants::Grant, OrgId)>>,
}

/// A grant's page's figures: (statement with its ledger figures, more movements, credit notes,
/// changes, usage).
pub type GrantPageData = (
    crate::domain::grants::GrantStatement,
    bool,
    Vec<(String, String, NaiveDate, Amount, bool)>,
    Vec<crate::domain::grant_expiry::GrantChangeView>,
    crate::domain::grant_usage::GrantUsage,
);

/// (programme, shares shown, report shown, applications hidden behind review clearance,
/// applications page, grants page).
pub type ProgrammePageKey = (i64, bool, bool, bool, i64, i64);


/// Figures of one kind, each kept with the ledger state it was read at (see [`SpendCache`]).
///
/// Values are kept behind an `Arc`, so the lock is held only to find one and count a reference:
/// a kept page's data is copied for its request after the lock is let go (64 readers of one
/// programme page otherwise queue on the copy).
///
/// One request at a time reads a key afresh: the others that find it out of date wait for that
/// read and take its result, instead of each repeating it (while the ledger moves every
/// second, 64 viewers of one programme page otherwise run 64 copies of the same queries).
pub struct LedgerCache<K, V> {
    kept: std::sync::Mutex<std::collections::HashMap<K, (PageState, std::sync::Arc<V>)>>,
    reading: std::sync::Mutex<std::collections::HashMap<K, std::sync::Arc<std::sync::Mutex<()>>>>,
}

impl<K, V> Default for LedgerCache<K, V> {
    fn default() -> LedgerCache<K, V> {
        LedgerCache { kept: std::sync::Mutex::new(std::collections::HashMap::new()), reading: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }
}

/// Whether what was read at `kept` shows everything up to `wanted`: both counters only grow,
/// so a value read at the same state or a later one does.
fn covers(kept: PageState, wanted: PageState) -> bool {
    kept.0 >= wanted.0 && kept.1 >= wanted.1
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> LedgerCache<K, V> {
    /// The figures for `key` read at the ledger's current state: kept ones when the ledger has
    /// not moved since, else `read` afresh (and kept).
    pub fn get_or_read(&self, conn: &mut AnyConnection, key: K, read: impl FnOnce(&mut AnyConnection) -> DomainResult<V>) -> DomainResult<V> {
        let state = ledger_state(conn)?;
        self.get_or_read_at(conn, state, key, read)
    }

    /// Like [`LedgerCache::get_or_read`] with the state already read (at the start of the
    /// request, before anything it keys): several caches share one read of it.
    pub fn get_or_read_at(&self, src: &mut dyn Reads, state: PageState, key: K, read: impl FnOnce(&mut AnyConnection) -> DomainResult<V>) -> DomainResult<V> {
        // A poisoned lock only means another request panicked while holding it: the map is
        // still a map of complete figures, each written whole.
        if let Some(figures) = self.kept_arc(&key, state) {
            return Ok(V::clone(&figures));
        }
        // Before waiting for another reader: without a connection, this run ends here.
        let conn = src.connection()?;
        let gate = {
            let mut reading = self.reading.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if reading.len() >= MAX_CACHED_SCOPES {
                reading.retain(|_, gate| std::sync::Arc::strong_count(gate) > 1);
            }
            std::sync::Arc::clone(reading.entry(key.clone()).or_default())
        };
        let _turn = gate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Whoever read while this request waited may have read a state that covers this one.
        if let Some(figures) = self.kept_arc(&key, state) {
            return Ok(V::clone(&figures));
        }
        let figures = read(conn)?;
        self.keep(key, state, figures.clone());
        Ok(figures)
    }

    fn kept_arc(&self, key: &K, state: PageState) -> Option<std::sync::Arc<V>> {
        match self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key) {
            Some((at, value)) if covers(*at, state) => Some(std::sync::Arc::clone(value)),
            _ => None,
        }
    }

    /// What was kept for `key` when it was read at `state` or later, if it was.
    pub fn kept_at(&self, key: &K, state: PageState) -> Option<V> {
        self.kept_arc(key, state).map(|value| V::clone(&value))
    }

    /// Keeps `value` for `key`, read at `state` (read before the value was).
    pub fn keep(&self, key: K, state: PageState, value: V) {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() >= MAX_CACHED_SCOPES {
            kept.clear();
        }
        // A slower reader of an older state does not replace what a later one kept.
        if kept.get(&key).is_some_and(|(at, _)| *at != state && covers(*at, state)) {
            return;
        }
        kept.insert(key, (state, std::sync::Arc::new(value)));
    }
}

/// Scopes kept at most (one per programme and funder, and the public one): past it, the cache
/// starts afresh rather than grow without bound.
const MAX_CACHED_SCOPES: usize = 10_000;

/// What the cached figures and pages were read at: the ledger head's entry count (every credit
/// movement) and `page_state.version`, which triggers move on every change to organisations,
/// programmes, grants, applications, offerings, usage files and company profiles (names,
/// countries, terms, usage lines, categories: what the pages show besides ledger figures). Equal states mean equal pages.
pub type PageState = (i64, i64);

/// The state from its two counters as read, each `None` when its row is missing (no entry yet;
/// a database before migration 28): a missing counter has not moved.
pub fn state_of(entry_count: Option<i64>, version: Option<i64>) -> PageState {
    (entry_count.unwrap_or(0), version.unwrap_or(0))
}

/// `known` when the request read the state already (with its session: see
/// `identity::signed_in`), else the state read now.
pub fn ledger_state_or(known: Option<PageState>, src: &mut dyn Reads) -> DomainResult<PageState> {
    match known {
        Some(state) => Ok(state),
        None => ledger_state(src.connection()?),
    }
}

/// Where what a kept page needs is read from when it is not kept: a connection, or none.
///
/// A request that knows its state (read with its session) first runs its page's work on
/// [`NoConnection`]: when everything the work needs is kept at that state, the page costs no
/// second trip through the pool and the blocking threads; the first read it does need ends
/// that run with [`DomainError::NotKept`], and the same work runs again on a connection.
pub trait Reads {
    fn connection(&mut self) -> DomainResult<&mut AnyConnection>;
}

impl Reads for AnyConnection {
    fn connection(&mut self) -> DomainResult<&mut AnyConnection> {
        Ok(self)
    }
}

/// No connection: every read asked of it is [`DomainError::NotKept`] (see [`Reads`]).
pub struct NoConnection;

impl Reads for NoConnection {
    fn connection(&mut self) -> DomainResult<&mut AnyConnection> {
        Err(DomainError::NotKept)
    }
}

/// The state the caches are keyed on (see [`PageState`]): one row, one round trip.
pub fn ledger_state(conn: &mut AnyConnection) -> DomainResult<PageState> {
    use crate::db::schema::{ledger_head, page_state};
    // On the backend's own connection, as the session read (see `identity::signed_in`): every
    // visit of the public page starts here.
    let row: Option<(i64, Option<i64>)> = crate::on_backend!(conn, c => ledger_head::table
        .find(1)
        .select((ledger_head::entry_count, page_state::table.find(1).select(page_state::version).single_value()))
        .first(c)
        .optional())?;
    Ok(match row {
        Some((count, version)) => state_of(Some(count), version),
        // No entry yet: the version alone still tells names and programmes apart.
        None => state_of(None, page_state::table.find(1).select(page_state::version).first::<i64>(conn).optional()?),
    })
}

impl SpendCache {
    /// [`by_provider`], read again only when the ledger moved since it was last read.
    pub fn by_provider(&self, conn: &mut AnyConnection, scope: Scope) -> DomainResult<Vec<ProviderSpend>> {
        self.by_provider.get_or_read(conn, scope, |conn| by_provider(conn, scope))
    }

    /// [`by_month`], read again only when the ledger moved since it was last read.
    pub fn by_month(&self, conn: &mut AnyConnection, scope: Scope) -> DomainResult<Vec<MonthSpend>> {
        self.by_month.get_or_read(conn, scope, |conn| by_month(conn, scope))
    }
}

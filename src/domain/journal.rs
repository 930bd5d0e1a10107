//! The auditors' journal of one programme: every posting of every ledger entry that touches the
//! programme's accounts — its available budget and expired credit (`programme:P:…`) and its
//! grants' credits (`grant:G:credits`) — so the other legs of those entries (the funder's
//! commitments, the providers' payables) come with them and each entry balances in the file.
//! Entries settling a provider (payable → settled) touch no programme account and are not in it.
//!
//! Only movements are listed (posted entries and posted holds), as in the hledger and Beancount
//! exports: a hold still pending reserves credit but moves nothing.

use crate::db::AnyConnection;
use crate::db::schema::{grants, ledger_accounts, ledger_entries, ledger_postings};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::Member;
use crate::domain::programmes::{self, Programme};
use crate::domain::table::{Cell, Column, Kind, Table};
use crate::domain::ProgrammeId;
use crate::ledger::{Phase, Side};
use crate::messages::Message;
use crate::money::Amount;
use chrono::NaiveDate;
use diesel::prelude::*;

/// Entries whose postings are read in one query.
const CHUNK: usize = 2_000;

/// Days the journal covers, both ends included; open on either side when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// `YYYY-MM-DD` for each end (blank: open); a date that is not one, or a period that ends
    /// before it starts, is a field error.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> DomainResult<Period> {
        let day = |field: &'static str, text: Option<&str>| -> DomainResult<Option<NaiveDate>> {
            match text.map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| DomainError::invalid(field, Message::new("journal-bad-date").with("value", t))),
            }
        };
        let period = Period { from: day("from", from)?, to: day("to", to)? };
        if let (Some(f), Some(t)) = (period.from, period.to)
            && t < f
        {
            return Err(DomainError::invalid("to", Message::new("journal-bad-period")));
        }
        Ok(period)
    }

    /// For the file name: `2026-01-01-2026-12-31`, `all`, `from-2026-01-01` …
    pub fn slug(&self) -> String {
        match (self.from, self.to) {
            (None, None) => "all".into(),
            (Some(f), None) => format!("from-{f}"),
            (None, Some(t)) => format!("to-{t}"),
            (Some(f), Some(t)) => format!("{f}-{t}"),
        }
    }
}

/// One posting of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLine {
    pub entry_id: i64,
    pub effective_on: NaiveDate,
    pub kind: String,
    pub idempotency_key: String,
    pub account: String,
    pub side: Side,
    pub amount: Amount,
    pub currency: String,
    pub description: String,
}

/// The programme's journal for `period`, entries in ledger order and postings in theirs. Its
/// funder and admins only (others: not found).
pub fn programme_journal(conn: &mut AnyConnection, viewer: &Member, programme_id: ProgrammeId, period: Period) -> DomainResult<(Programme, Vec<JournalLine>)> {
    let programme = programmes::visible_to(conn, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(DomainError::NotFound);
    }
    let lines = journal_lines(conn, programme.id, period)?;
    Ok((programme, lines))
}

/// The journal without an access check, for the command line (which runs as the operator).
pub fn journal_lines(conn: &mut AnyConnection, programme_id: ProgrammeId, period: Period) -> DomainResult<Vec<JournalLine>> {
    let pid = programme_id.get();
    let moved = [Phase::Posted.as_str(), Phase::PostPending.as_str()];
    let own_accounts = ledger_accounts::owner_kind
        .eq("programme")
        .and(ledger_accounts::owner_id.eq(pid))
        .or(ledger_accounts::owner_kind.eq("grant").and(ledger_accounts::owner_id.eq_any(grants::table.filter(grants::programme_id.eq(pid)).select(grants::id))));
    let mut query = ledger_postings::table
        .inner_join(ledger_accounts::table)
        .inner_join(ledger_entries::table)
        .filter(own_accounts)
        .filter(ledger_entries::phase.eq_any(moved))
        .select(ledger_postings::entry_id)
        .distinct()
        .into_boxed();
    if let Some(from) = period.from {
        query = query.filter(ledger_entries::effective_on.ge(from));
    }
    if let Some(to) = period.to {
        query = query.filter(ledger_entries::effective_on.le(to));
    }
    let mut entry_ids: Vec<i64> = query.load(conn)?;
    entry_ids.sort_unstable();
    let mut lines = Vec::new();
    for chunk in entry_ids.chunks(CHUNK) {
        type Row = (i64, NaiveDate, String, String, String, String, String, i64, String);
        let rows: Vec<Row> = ledger_postings::table
            .inner_join(ledger_accounts::table)
            .inner_join(ledger_entries::table)
            .filter(ledger_postings::entry_id.eq_any(chunk))
            .order((ledger_postings::entry_id, ledger_postings::id))
            .select((
                ledger_postings::entry_id,
                ledger_entries::effective_on,
                ledger_entries::kind,
                ledger_entries::idempotency_key,
                ledger_entries::description,
                ledger_accounts::code,
                ledger_postings::direction,
                ledger_postings::amount,
                ledger_postings::currency,
            ))
            .load(conn)?;
        for (entry_id, effective_on, kind, idempotency_key, description, account, direction, cents, currency) in rows {
            let side: Side = direction.parse().map_err(|_| DomainError::Internal(format!("ledger_postings.direction: unknown value {direction:?}")))?;
            lines.push(JournalLine { entry_id, effective_on, kind, idempotency_key, account, side, amount: Amount::from_cents(cents), currency, description });
        }
    }
    Ok(lines)
}

/// The journal as a download: entry, date, kind, idempotency key, account, debit, credit,
/// currency, description; `header` words each column's catalogue key in the reader's language.
pub fn journal_table(name: &str, lines: &[JournalLine], header: impl Fn(&str) -> String) -> Table {
    let column = |key: &'static str, catalogue_key: &str, kind: Kind| Column::new(key, header(catalogue_key), kind);
    let mut table = Table::new(
        name,
        vec![
            column("entry_id", "col-entry", Kind::Integer),
            column("date", "col-date", Kind::Date),
            column("kind", "col-kind", Kind::Text),
            column("idempotency_key", "export-col-idempotency-key", Kind::Text),
            column("account", "export-col-account", Kind::Text),
            column("debit", "export-col-debit", Kind::Money),
            column("credit", "export-col-credit", Kind::Money),
            column("currency", "col-currency", Kind::Text),
            column("description", "col-description", Kind::Text),
        ],
    );
    for l in lines {
        let (debit, credit) = match l.side {
            Side::Debit => (Cell::money(l.amount, &l.currency), Cell::Empty),
            Side::Credit => (Cell::Empty, Cell::money(l.amount, &l.currency)),
        };
        table.push(vec![
            Cell::Integer(l.entry_id),
            Cell::Date(l.effective_on),
            Cell::text(l.kind.as_str()),
            Cell::text(l.idempotency_key.as_str()),
            Cell::text(l.account.as_str()),
            debit,
            credit,
            Cell::text(l.currency.as_str()),
            Cell::text(l.description.as_str()),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_refuse_what_is_not_one() {
        assert_eq!(Period::parse(None, Some("")).unwrap(), Period::default());
        let p = Period::parse(Some("2026-01-01"), Some("2026-12-31")).unwrap();
        assert_eq!(p.slug(), "2026-01-01-2026-12-31");
        assert!(matches!(Period::parse(Some("2026-13-01"), None), Err(DomainError::Invalid(_))));
        assert!(matches!(Period::parse(Some("2026-02-01"), Some("2026-01-01")), Err(DomainError::Invalid(_))));
    }

    #[test]
    fn a_debit_and_a_credit_go_to_their_columns() {
        let line = |side| JournalLine {
            entry_id: 7,
            effective_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            kind: "award".into(),
            idempotency_key: "award:APP-1".into(),
            account: "programme:1:available".into(),
            side,
            amount: Amount::from_cents(1234),
            currency: "EUR".into(),
            description: "-award".into(),
        };
        let t = journal_table("journal", &[line(Side::Debit), line(Side::Credit)], |k| k.to_string());
        let csv = String::from_utf8(t.render(crate::domain::table::Format::Csv).unwrap()).unwrap();
        assert!(csv.contains("7,2026-11-26,award,award:APP-1,programme:1:available,12.34,,EUR,'-award\r\n"), "{csv}");
        assert!(csv.contains("programme:1:available,,12.34,EUR"), "{csv}");
    }
}

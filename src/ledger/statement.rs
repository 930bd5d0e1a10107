//! Account statements: posted movements with a running balance.

use super::model::decode;
use super::{account, LedgerError, Phase, Side};
use crate::db::AnyConnection;
use crate::db::schema::{ledger_entries, ledger_postings};
use crate::money::Amount;
use chrono::NaiveDate;
use diesel::prelude::*;

/// One line of an account statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub entry_id: i64,
    pub effective_on: NaiveDate,
    pub kind: String,
    /// The description stored with the entry, in the language of whoever posted it; pages word
    /// the usual kinds themselves from `kind` and the links below.
    pub description: String,
    pub usage_upload_id: Option<i64>,
    pub debit: Amount,
    pub credit: Amount,
    pub balance: Amount,
}

/// Every posted movement on an account, oldest first, with the running balance on its normal
/// side. Holds are not movements yet; they show in the account's available amount.
pub fn statement(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<StatementLine>, LedgerError> {
    let acct = account(conn, account_id)?;
    let normal = acct.side()?;
    let rows: Vec<(i64, NaiveDate, String, String, Option<i64>, String, i64)> = ledger_postings::table
        .inner_join(ledger_entries::table)
        .filter(ledger_postings::account_id.eq(account_id))
        .filter(ledger_entries::phase.eq_any([Phase::Posted.as_str(), Phase::PostPending.as_str()]))
        .order((ledger_entries::id, ledger_postings::id))
        .select((
            ledger_entries::id,
            ledger_entries::effective_on,
            ledger_entries::kind,
            ledger_entries::description,
            ledger_entries::usage_upload_id,
            ledger_postings::direction,
            ledger_postings::amount,
        ))
        .load(conn)?;
    let mut balance = Amount::ZERO;
    let mut lines = Vec::with_capacity(rows.len());
    for (entry_id, effective_on, kind, description, usage_upload_id, direction, cents) in rows {
        let amount = Amount::from_cents(cents);
        let side = decode::<Side>("ledger_postings.direction", &direction)?;
        balance = if side == normal { balance.checked_add(amount)? } else { balance.checked_sub(amount)? };
        let (debit, credit) = if side == Side::Debit { (amount, Amount::ZERO) } else { (Amount::ZERO, amount) };
        lines.push(StatementLine { entry_id, effective_on, kind, description, usage_upload_id, debit, credit, balance });
    }
    Ok(lines)
}

/// One page of an account's statement, newest first: at most `limit` movements after skipping
/// the `offset` newest, each with the balance after it, and whether older movements follow.
/// Read backwards along the account's postings index, and the first page's balances start from
/// the account's own posted balance, so a grant with 20,000 entries shows its first page as
/// fast as one with twenty; later pages add up the movements up to the page (indexed).
pub fn statement_page(conn: &mut AnyConnection, account_id: i64, offset: i64, limit: i64) -> Result<(Vec<StatementLine>, bool), LedgerError> {
    let acct = account(conn, account_id)?;
    let normal = acct.side()?;
    let posted = [Phase::Posted.as_str(), Phase::PostPending.as_str()];
    let limit = limit.max(0);
    // Posting ids grow with entry ids (an entry's postings are written with it), so the index
    // on (account, posting) gives the statement's order without sorting the account's history.
    let mut rows: Vec<(i64, i64, NaiveDate, String, String, Option<i64>, String, i64)> = ledger_postings::table
        .inner_join(ledger_entries::table)
        .filter(ledger_postings::account_id.eq(account_id))
        .filter(ledger_entries::phase.eq_any(posted))
        .order(ledger_postings::id.desc())
        .offset(offset.max(0))
        .limit(limit.saturating_add(1))
        .select((
            ledger_postings::id,
            ledger_entries::id,
            ledger_entries::effective_on,
            ledger_entries::kind,
            ledger_entries::description,
            ledger_entries::usage_upload_id,
            ledger_postings::direction,
            ledger_postings::amount,
        ))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let Some((newest_posting, ..)) = rows.first() else { return Ok((Vec::new(), more)) };
    let newest_posting = *newest_posting;
    let mut balance = if offset <= 0 {
        // The account's posted balance is the balance after its newest posted movement.
        let (credits, debits) = (Amount::from_cents(acct.credits_posted), Amount::from_cents(acct.debits_posted));
        if normal == Side::Credit { credits.checked_sub(debits)? } else { debits.checked_sub(credits)? }
    } else {
        let sum_of = |conn: &mut AnyConnection, side: Side| -> Result<i64, LedgerError> {
            let sum: Option<i64> = ledger_postings::table
                .inner_join(ledger_entries::table)
                .filter(ledger_postings::account_id.eq(account_id))
                .filter(ledger_entries::phase.eq_any(posted))
                .filter(ledger_postings::direction.eq(side.as_str()))
                .filter(ledger_postings::id.le(newest_posting))
                .select(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>("CAST(SUM(ledger_postings.amount) AS BIGINT)"))
                .first(conn)?;
            Ok(sum.unwrap_or(0))
        };
        let other = if normal == Side::Debit { Side::Credit } else { Side::Debit };
        let (on_normal, on_other) = (sum_of(conn, normal)?, sum_of(conn, other)?);
        Amount::from_cents(on_normal).checked_sub(Amount::from_cents(on_other))?
    };
    let mut lines = Vec::with_capacity(rows.len());
    for (_, entry_id, effective_on, kind, description, usage_upload_id, direction, cents) in rows {
        let amount = Amount::from_cents(cents);
        let side = decode::<Side>("ledger_postings.direction", &direction)?;
        let (debit, credit) = if side == Side::Debit { (amount, Amount::ZERO) } else { (Amount::ZERO, amount) };
        lines.push(StatementLine { entry_id, effective_on, kind, description, usage_upload_id, debit, credit, balance });
        // The balance before this movement is the one after the next (older) line.
        balance = if side == normal { balance.checked_sub(amount)? } else { balance.checked_add(amount)? };
    }
    Ok((lines, more))
}

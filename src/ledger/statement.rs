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

//! Reading stored entries back: shared by the write path, holds and reversals.

use super::model::decode;
use super::{Entry, LedgerError, Leg, Side};
use crate::db::AnyConnection;
use crate::db::schema::{ledger_entries, ledger_postings};
use crate::money::Amount;
use diesel::prelude::*;

pub fn entry(conn: &mut AnyConnection, id: i64) -> Result<Entry, LedgerError> {
    Ok(ledger_entries::table.find(id).select(Entry::as_select()).first(conn)?)
}

pub(super) fn legs_of(conn: &mut AnyConnection, entry_id: i64) -> Result<Vec<Leg>, LedgerError> {
    let rows: Vec<(i64, String, i64)> = ledger_postings::table
        .filter(ledger_postings::entry_id.eq(entry_id))
        .order(ledger_postings::id)
        .select((ledger_postings::account_id, ledger_postings::direction, ledger_postings::amount))
        .load(conn)?;
    rows.into_iter()
        .map(|(account_id, direction, cents)| {
            Ok(Leg { account_id, side: decode::<Side>("ledger_postings.direction", &direction)?, amount: Amount::from_cents(cents) })
        })
        .collect()
}

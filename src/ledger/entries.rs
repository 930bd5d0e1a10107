//! Reading stored entries back: shared by the write path, holds and reversals.

use super::model::decode;
use super::{Entry, LedgerError, Leg, Side};
use crate::db::AnyConnection;
use crate::db::schema::{ledger_entries, ledger_postings};
use crate::money::Amount;
use crate::db::CHUNK_ROWS;
use diesel::prelude::*;
use std::collections::HashMap;

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

/// The entries with these ids, by id, in one read per thousand.
pub(super) fn entries_by_id(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, Entry>, LedgerError> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK_ROWS) {
        for e in ledger_entries::table.filter(ledger_entries::id.eq_any(chunk)).select(Entry::as_select()).load::<Entry>(conn)? {
            found.insert(e.id, e);
        }
    }
    Ok(found)
}

/// The legs of these entries, by entry, each in its stored order, in one read per thousand.
pub(super) fn legs_by_entry(conn: &mut AnyConnection, entry_ids: &[i64]) -> Result<HashMap<i64, Vec<Leg>>, LedgerError> {
    let mut found: HashMap<i64, Vec<Leg>> = HashMap::with_capacity(entry_ids.len());
    for chunk in entry_ids.chunks(CHUNK_ROWS) {
        let rows: Vec<(i64, i64, String, i64)> = ledger_postings::table
            .filter(ledger_postings::entry_id.eq_any(chunk))
            .order((ledger_postings::entry_id, ledger_postings::id))
            .select((ledger_postings::entry_id, ledger_postings::account_id, ledger_postings::direction, ledger_postings::amount))
            .load(conn)?;
        for (entry_id, account_id, direction, cents) in rows {
            let side = decode::<Side>("ledger_postings.direction", &direction)?;
            found.entry(entry_id).or_default().push(Leg { account_id, side, amount: Amount::from_cents(cents) });
        }
    }
    Ok(found)
}

//! Opening and reading ledger accounts.

use super::{Account, AccountSpec, LedgerError};
use crate::db::AnyConnection;
use crate::db::schema::ledger_accounts;
use crate::domain::clock;
use diesel::prelude::*;

/// Finds the account with `spec.code`, opening it when it does not exist yet. Idempotent under
/// concurrency: two requests opening the same account at once both get it (the second insert
/// waits for the first and then does nothing), never a unique-key error.
pub fn open_account(conn: &mut AnyConnection, spec: &AccountSpec) -> Result<Account, LedgerError> {
    if let Some(existing) = find_account_by_code(conn, &spec.code)? {
        return Ok(existing);
    }
    let insert = diesel::insert_into(ledger_accounts::table)
        .values((
            ledger_accounts::code.eq(&spec.code),
            ledger_accounts::owner_kind.eq(spec.owner_kind),
            ledger_accounts::owner_id.eq(spec.owner_id),
            ledger_accounts::purpose.eq(spec.purpose),
            ledger_accounts::currency.eq(&spec.currency),
            ledger_accounts::normal_side.eq(spec.normal_side.as_str()),
            ledger_accounts::limit_rule.eq(spec.limit.as_str()),
            ledger_accounts::created_at.eq(clock::now()),
        ))
        .on_conflict(ledger_accounts::code)
        .do_nothing();
    crate::on_backend!(conn, c => insert.execute(c))?;
    find_account_by_code(conn, &spec.code)?.ok_or(LedgerError::Database(diesel::result::Error::NotFound))
}

pub fn find_account_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<Account>, LedgerError> {
    ledger_accounts::table
        .filter(ledger_accounts::code.eq(code))
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .map(Account::checked)
        .transpose()
}

/// The accounts with these codes, by code, in a few queries however many there are (for
/// reports over many grants).
pub fn accounts_by_codes(conn: &mut AnyConnection, codes: &[String]) -> Result<std::collections::HashMap<String, Account>, LedgerError> {
    let mut found = std::collections::HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(crate::db::CHUNK_ROWS) {
        let accounts: Vec<Account> = ledger_accounts::table.filter(ledger_accounts::code.eq_any(chunk)).select(Account::as_select()).load(conn)?;
        for account in accounts {
            let account = account.checked()?;
            found.insert(account.code.clone(), account);
        }
    }
    Ok(found)
}

pub fn account(conn: &mut AnyConnection, id: i64) -> Result<Account, LedgerError> {
    ledger_accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or(LedgerError::UnknownAccount(id))?
        .checked()
}

pub fn all_accounts(conn: &mut AnyConnection) -> Result<Vec<Account>, LedgerError> {
    ledger_accounts::table.order(ledger_accounts::id).select(Account::as_select()).load(conn)?.into_iter().map(Account::checked).collect()
}

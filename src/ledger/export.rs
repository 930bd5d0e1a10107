//! The whole ledger as a plain-text journal that outside tools check: hledger and Beancount.
//!
//! Accounts are declared (opened) before use and every commodity is declared, so strict checks
//! pass; debits are positive and credits negative; after the last entry each account carries a
//! balance assertion with the ledger's own figure, so the outside tool recomputes every balance
//! from the postings and compares. Holds are reservations, not movements: they appear only
//! through what their resolutions posted.

use crate::db::AnyConnection;
use crate::db::schema::{ledger_entries, ledger_postings};
use crate::ledger::model::decode;
use crate::ledger::{self, Account, LedgerError, Phase, Side};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Hledger,
    Beancount,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("cannot read the ledger: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("cannot write the journal: {0}")]
    Io(#[from] std::io::Error),
}

/// Journal name of an account: a root by its normal side (debit-normal accounts are assets,
/// credit-normal ones liabilities), then its code's parts, each starting with a capital.
///
/// # Panics
/// On an unknown normal side, which an account read through the ledger never has.
pub fn journal_account(account: &Account) -> String {
    let root = match account.known_side() {
        Side::Debit => "Assets",
        Side::Credit => "Liabilities",
    };
    let mut name = String::from(root);
    for part in account.code.split(':') {
        let clean: String = part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
        let mut chars = clean.chars();
        let Some(first) = chars.next() else { continue };
        name.push(':');
        if first.is_ascii_alphanumeric() {
            name.extend(first.to_uppercase());
        } else {
            name.push('X');
            name.push(first);
        }
        name.extend(chars);
    }
    name
}

/// Signed balance as journals count it: debits positive.
pub fn signed_balance(account: &Account) -> i64 {
    account.debits_posted - account.credits_posted
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

const BATCH: i64 = 20_000;

/// Writes the journal; returns the number of transactions written.
pub fn write_journal(conn: &mut AnyConnection, format: Format, out: &mut impl Write) -> Result<u64, ExportError> {
    let accounts = ledger::all_accounts(conn)?;
    let names: HashMap<i64, String> = accounts.iter().map(|a| (a.id, journal_account(a))).collect();
    let currencies: BTreeSet<&str> = accounts.iter().map(|a| a.currency.as_str()).collect();
    let posted_phases = [Phase::Posted.as_str(), Phase::PostPending.as_str()];
    let first_day: Option<NaiveDate> = ledger_entries::table.select(diesel::dsl::min(ledger_entries::effective_on)).first(conn)?;
    let last_day: Option<NaiveDate> = ledger_entries::table.select(diesel::dsl::max(ledger_entries::effective_on)).first(conn)?;
    let opened = accounts.iter().map(|a| a.created_at.date()).chain(first_day).min().unwrap_or_else(crate::domain::clock::today);
    let closing = last_day.unwrap_or(opened).max(opened) + Duration::days(1);

    match format {
        Format::Hledger => {
            writeln!(out, "; ComputeGrants ledger export. Check with: hledger -f FILE check -s")?;
            for c in &currencies {
                writeln!(out, "commodity 1000.00 {c}")?;
            }
            writeln!(out)?;
            for a in &accounts {
                writeln!(out, "account {}  ; code: {}, limit: {}", names[&a.id], a.code, a.limit_rule)?;
            }
        }
        Format::Beancount => {
            writeln!(out, "; ComputeGrants ledger export. Check with: bean-check FILE")?;
            writeln!(out, "option \"title\" \"ComputeGrants credit ledger\"")?;
            for c in &currencies {
                writeln!(out, "option \"operating_currency\" \"{c}\"")?;
            }
            for c in &currencies {
                writeln!(out, "{opened} commodity {c}")?;
            }
            for a in &accounts {
                writeln!(out, "{opened} open {} {}", names[&a.id], a.currency)?;
            }
        }
    }
    writeln!(out)?;

    let mut written = 0u64;
    let mut last_id = 0i64;
    loop {
        let entries: Vec<(i64, NaiveDate, String, String, String)> = ledger_entries::table
            .filter(ledger_entries::id.gt(last_id))
            .filter(ledger_entries::phase.eq_any(posted_phases))
            .order(ledger_entries::id)
            .limit(BATCH)
            .select((ledger_entries::id, ledger_entries::effective_on, ledger_entries::kind, ledger_entries::description, ledger_entries::idempotency_key))
            .load(conn)?;
        let Some(&(batch_last, ..)) = entries.last() else { break };
        let postings: Vec<(i64, i64, String, i64, String)> = ledger_postings::table
            .filter(ledger_postings::entry_id.between(entries[0].0, batch_last))
            .order((ledger_postings::entry_id, ledger_postings::id))
            .select((ledger_postings::entry_id, ledger_postings::account_id, ledger_postings::direction, ledger_postings::amount, ledger_postings::currency))
            .load(conn)?;
        let mut by_entry: HashMap<i64, Vec<&(i64, i64, String, i64, String)>> = HashMap::new();
        for p in &postings {
            by_entry.entry(p.0).or_default().push(p);
        }
        for (id, day, kind, description, key) in &entries {
            let legs = by_entry.remove(id).unwrap_or_default();
            match format {
                Format::Hledger => {
                    let text: String = description.chars().map(|c| if matches!(c, ';' | '|' | '\n' | '\r') { ' ' } else { c }).collect();
                    writeln!(out, "{day} * {text}  ; entry: {id}, kind: {kind}, key: {}", key.replace(['\n', ','], " "))?;
                }
                Format::Beancount => {
                    let text = description.replace('\\', "\\\\").replace('"', "\\\"").replace(['\n', '\r'], " ");
                    writeln!(out, "{day} * \"{text}\"")?;
                    writeln!(out, "  entry: \"{id}\"")?;
                    writeln!(out, "  kind: \"{kind}\"")?;
                }
            }
            for (_, account_id, direction, cents, currency) in legs {
                let signed = match decode::<Side>("ledger_postings.direction", direction)? {
                    Side::Debit => *cents,
                    Side::Credit => -*cents,
                };
                writeln!(out, "  {:<60}  {:>16} {currency}", names[account_id], cents_text(signed))?;
            }
            writeln!(out)?;
            written += 1;
        }
        last_id = batch_last;
    }

    match format {
        Format::Hledger => {
            writeln!(out, "{closing} * Balance assertions from ComputeGrants")?;
            for a in &accounts {
                writeln!(out, "  {:<60}  0 {} = {} {}", names[&a.id], a.currency, cents_text(signed_balance(a)), a.currency)?;
            }
        }
        Format::Beancount => {
            for a in &accounts {
                writeln!(out, "{closing} balance {} {} {}", names[&a.id], cents_text(signed_balance(a)), a.currency)?;
            }
        }
    }
    out.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(code: &str, side: &str) -> Account {
        Account {
            id: 1,
            code: code.into(),
            owner_kind: "grant".into(),
            owner_id: 1,
            purpose: "credits".into(),
            currency: "EUR".into(),
            normal_side: side.into(),
            limit_rule: "none".into(),
            debits_posted: 0,
            credits_posted: 0,
            debits_pending: 0,
            credits_pending: 0,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn account_names_suit_both_tools() {
        assert_eq!(journal_account(&acct("grant:G-2026-0001:credits", "credit")), "Liabilities:Grant:G-2026-0001:Credits");
        assert_eq!(journal_account(&acct("funder:3:commitments:EUR", "debit")), "Assets:Funder:3:Commitments:EUR");
        assert_eq!(journal_account(&acct("odd:_x y", "credit")), "Liabilities:Odd:X_x-y".replace('_', "-"));
    }

    #[test]
    fn cents_are_written_exactly() {
        assert_eq!(cents_text(-123_456), "-1234.56");
        assert_eq!(cents_text(5), "0.05");
        assert_eq!(cents_text(0), "0.00");
    }
}

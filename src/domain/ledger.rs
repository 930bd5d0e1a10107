//! The double-entry credit ledger.
//!
//! Accounts hold running totals; entries move amounts between accounts through two or more
//! postings that balance per currency. The module knows nothing of HTTP. Its guarantees:
//!
//! * **Balanced**: an entry whose debits differ from its credits in any currency is refused.
//! * **Never overdrawn**: an account with a balance limit refuses an entry that would break it.
//!   The check runs here *and* as a `CHECK` constraint in the database.
//! * **Append-only**: entries and postings are never updated or deleted; database triggers refuse
//!   it on both backends. Corrections are new, reversing entries.
//! * **Idempotent**: every entry carries a key. The same key with the same payload returns the
//!   first entry and writes nothing; with another payload it is refused as a conflict.
//! * **Tamper-evident**: each entry's hash covers its content and the previous entry's hash; the
//!   head of the chain is kept in `ledger_head`, so removing the newest entries is detected too.
//! * **Serialised writers**: [`post`] first writes the chain head row. On PostgreSQL that row lock
//!   orders all ledger writers (no lost update, no deadlock: it is the only lock taken first); on
//!   SQLite the caller's `BEGIN IMMEDIATE` already does.
//!
//! Callers run [`post`] inside [`crate::db::write_transaction`], together with the business
//! change it belongs to, so both commit or neither does.

use crate::db::AnyConnection;
use crate::db::schema::{ledger_accounts, ledger_entries, ledger_head, ledger_postings};
use crate::domain::clock;
use crate::money::{Amount, AmountError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitRule {
    None,
    DebitsMustNotExceedCredits,
    CreditsMustNotExceedDebits,
}

impl LimitRule {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitRule::None => "none",
            LimitRule::DebitsMustNotExceedCredits => "debits_must_not_exceed_credits",
            LimitRule::CreditsMustNotExceedDebits => "credits_must_not_exceed_debits",
        }
    }

    pub fn parse(text: &str) -> LimitRule {
        match text {
            "debits_must_not_exceed_credits" => LimitRule::DebitsMustNotExceedCredits,
            "credits_must_not_exceed_debits" => LimitRule::CreditsMustNotExceedDebits,
            _ => LimitRule::None,
        }
    }
}

/// What an entry is for. Stored as text; the set grows with the flows of later features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Fund,
    Award,
    Usage,
    Reversal,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fund => "fund",
            EntryKind::Award => "award",
            EntryKind::Usage => "usage",
            EntryKind::Reversal => "reversal",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("an entry needs at least two postings")]
    TooFewPostings,
    #[error("every posting must move a positive amount")]
    NonPositiveAmount,
    #[error("the entry does not balance in {currency}: debits {debits}, credits {credits}")]
    Unbalanced { currency: String, debits: Amount, credits: Amount },
    #[error("no ledger account with id {0}")]
    UnknownAccount(i64),
    #[error("{account} has {available} {currency} available; {requested} {currency} was asked for")]
    LimitExceeded { account: String, currency: String, available: Amount, requested: Amount },
    #[error("idempotency key {0} was already used for a different entry")]
    IdempotencyConflict(String),
    #[error("amount error: {0}")]
    Amount(#[from] AmountError),
    #[error("ledger storage error: {0}")]
    Database(#[from] diesel::result::Error),
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = ledger_accounts)]
pub struct Account {
    pub id: i64,
    pub code: String,
    pub owner_kind: String,
    pub owner_id: i64,
    pub purpose: String,
    pub currency: String,
    pub normal_side: String,
    pub limit_rule: String,
    pub debits_posted: i64,
    pub credits_posted: i64,
    pub debits_pending: i64,
    pub credits_pending: i64,
    pub created_at: NaiveDateTime,
}

impl Account {
    /// Posted balance on the account's normal side.
    pub fn balance(&self) -> Amount {
        let cents = match Side::parse(&self.normal_side) {
            Some(Side::Debit) => self.debits_posted - self.credits_posted,
            _ => self.credits_posted - self.debits_posted,
        };
        Amount::from_cents(cents)
    }

    /// What a limited account can still give: posted balance less what is held.
    pub fn available(&self) -> Amount {
        match LimitRule::parse(&self.limit_rule) {
            LimitRule::DebitsMustNotExceedCredits => {
                Amount::from_cents(self.credits_posted - self.debits_posted - self.debits_pending)
            }
            LimitRule::CreditsMustNotExceedDebits => {
                Amount::from_cents(self.debits_posted - self.credits_posted - self.credits_pending)
            }
            LimitRule::None => self.balance(),
        }
    }
}

/// An account to open (or find, if its code exists).
#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub code: String,
    pub owner_kind: &'static str,
    pub owner_id: i64,
    pub purpose: &'static str,
    pub currency: String,
    pub normal_side: Side,
    pub limit: LimitRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    pub account_id: i64,
    pub side: Side,
    pub amount: Amount,
}

/// Business objects an entry belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Links {
    pub programme_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub usage_upload_id: Option<i64>,
    pub reverses_entry_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub idempotency_key: String,
    pub kind: EntryKind,
    pub description: String,
    pub effective_on: NaiveDate,
    /// Who caused it: `user:42`, `cli`, `demo`.
    pub actor: String,
    pub links: Links,
    pub legs: Vec<Leg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub entry_id: i64,
    /// True when the key had been used with the same payload: nothing was written.
    pub replayed: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct Entry {
    pub id: i64,
    pub idempotency_key: String,
    pub payload_hash: String,
    pub kind: String,
    pub description: String,
    pub effective_on: NaiveDate,
    pub actor: String,
    pub programme_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub usage_upload_id: Option<i64>,
    pub reverses_entry_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_postings)]
pub struct Posting {
    pub id: i64,
    pub entry_id: i64,
    pub account_id: i64,
    pub direction: String,
    pub amount: i64,
    pub currency: String,
}

/// Finds the account with `spec.code`, opening it when it does not exist yet.
pub fn open_account(conn: &mut AnyConnection, spec: &AccountSpec) -> Result<Account, LedgerError> {
    if let Some(existing) = find_account_by_code(conn, &spec.code)? {
        return Ok(existing);
    }
    diesel::insert_into(ledger_accounts::table)
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
        .execute(conn)?;
    find_account_by_code(conn, &spec.code)?.ok_or(LedgerError::Database(diesel::result::Error::NotFound))
}

pub fn find_account_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<Account>, LedgerError> {
    Ok(ledger_accounts::table
        .filter(ledger_accounts::code.eq(code))
        .select(Account::as_select())
        .first(conn)
        .optional()?)
}

pub fn account(conn: &mut AnyConnection, id: i64) -> Result<Account, LedgerError> {
    ledger_accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or(LedgerError::UnknownAccount(id))
}

pub fn all_accounts(conn: &mut AnyConnection) -> Result<Vec<Account>, LedgerError> {
    Ok(ledger_accounts::table.order(ledger_accounts::id).select(Account::as_select()).load(conn)?)
}

/// Posts one entry. Must run inside a write transaction (see the module documentation).
pub fn post(conn: &mut AnyConnection, entry: &NewEntry) -> Result<Posted, LedgerError> {
    if entry.legs.len() < 2 {
        return Err(LedgerError::TooFewPostings);
    }
    if entry.legs.iter().any(|leg| !leg.amount.is_positive()) {
        return Err(LedgerError::NonPositiveAmount);
    }

    // Take the chain head's row lock before reading anything we decide on.
    diesel::update(ledger_head::table.find(1))
        .set(ledger_head::entry_count.eq(ledger_head::entry_count))
        .execute(conn)?;

    let mut account_ids: Vec<i64> = entry.legs.iter().map(|l| l.account_id).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts: HashMap<i64, Account> = ledger_accounts::table
        .filter(ledger_accounts::id.eq_any(&account_ids))
        .order(ledger_accounts::id)
        .select(Account::as_select())
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let legs_with_currency: Vec<(Leg, &str)> = entry
        .legs
        .iter()
        .map(|leg| {
            accounts
                .get(&leg.account_id)
                .map(|a| (*leg, a.currency.as_str()))
                .ok_or(LedgerError::UnknownAccount(leg.account_id))
        })
        .collect::<Result<_, _>>()?;
    check_balanced(legs_with_currency.iter().map(|(leg, cur)| (leg.side, leg.amount, *cur)))?;

    let payload_hash = payload_hash(entry.kind.as_str(), &entry.description, entry.effective_on, &entry.links, &entry.legs);
    let existing: Option<(i64, String)> = ledger_entries::table
        .filter(ledger_entries::idempotency_key.eq(&entry.idempotency_key))
        .select((ledger_entries::id, ledger_entries::payload_hash))
        .first(conn)
        .optional()?;
    if let Some((entry_id, stored_hash)) = existing {
        return if stored_hash == payload_hash {
            Ok(Posted { entry_id, replayed: true })
        } else {
            Err(LedgerError::IdempotencyConflict(entry.idempotency_key.clone()))
        };
    }

    // Net effect per account, then the limit check on the totals it would leave.
    let mut deltas: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for leg in &entry.legs {
        let d = deltas.entry(leg.account_id).or_default();
        let slot = if leg.side == Side::Debit { &mut d.0 } else { &mut d.1 };
        *slot = slot.checked_add(leg.amount.cents()).ok_or(AmountError::Overflow)?;
    }
    for (account_id, (debit, credit)) in &deltas {
        let account = &accounts[account_id];
        check_limit(account, *debit, *credit)?;
    }

    let (entry_count, prev_hash): (i64, String) =
        ledger_head::table.find(1).select((ledger_head::entry_count, ledger_head::last_hash)).first(conn)?;
    let created_at = clock::now();
    let hash = entry_hash(&prev_hash, &entry.idempotency_key, &payload_hash, &entry.actor, &created_at);

    let entry_id: i64 = diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::idempotency_key.eq(&entry.idempotency_key),
            ledger_entries::payload_hash.eq(&payload_hash),
            ledger_entries::kind.eq(entry.kind.as_str()),
            ledger_entries::description.eq(&entry.description),
            ledger_entries::effective_on.eq(entry.effective_on),
            ledger_entries::actor.eq(&entry.actor),
            ledger_entries::programme_id.eq(entry.links.programme_id),
            ledger_entries::grant_id.eq(entry.links.grant_id),
            ledger_entries::usage_upload_id.eq(entry.links.usage_upload_id),
            ledger_entries::reverses_entry_id.eq(entry.links.reverses_entry_id),
            ledger_entries::created_at.eq(created_at),
            ledger_entries::prev_hash.eq(&prev_hash),
            ledger_entries::hash.eq(&hash),
        ))
        .returning(ledger_entries::id)
        .get_result(conn)?;

    let rows: Vec<_> = legs_with_currency
        .iter()
        .map(|(leg, currency)| {
            (
                ledger_postings::entry_id.eq(entry_id),
                ledger_postings::account_id.eq(leg.account_id),
                ledger_postings::direction.eq(leg.side.as_str()),
                ledger_postings::amount.eq(leg.amount.cents()),
                ledger_postings::currency.eq(*currency),
            )
        })
        .collect();
    crate::on_backend!(conn, c => diesel::insert_into(ledger_postings::table).values(&rows).execute(c))?;

    for (account_id, (debit, credit)) in deltas {
        diesel::update(ledger_accounts::table.find(account_id))
            .set((
                ledger_accounts::debits_posted.eq(ledger_accounts::debits_posted + debit),
                ledger_accounts::credits_posted.eq(ledger_accounts::credits_posted + credit),
            ))
            .execute(conn)?;
    }
    diesel::update(ledger_head::table.find(1))
        .set((ledger_head::entry_count.eq(entry_count + 1), ledger_head::last_hash.eq(&hash)))
        .execute(conn)?;

    Ok(Posted { entry_id, replayed: false })
}

fn check_balanced<'a>(legs: impl Iterator<Item = (Side, Amount, &'a str)>) -> Result<(), LedgerError> {
    let mut sums: BTreeMap<&str, (Amount, Amount)> = BTreeMap::new();
    for (side, amount, currency) in legs {
        let s = sums.entry(currency).or_default();
        match side {
            Side::Debit => s.0 = s.0.checked_add(amount)?,
            Side::Credit => s.1 = s.1.checked_add(amount)?,
        }
    }
    for (currency, (debits, credits)) in sums {
        if debits != credits {
            return Err(LedgerError::Unbalanced { currency: currency.to_string(), debits, credits });
        }
    }
    Ok(())
}

fn check_limit(account: &Account, debit: i64, credit: i64) -> Result<(), LedgerError> {
    let overflow = || LedgerError::Amount(AmountError::Overflow);
    let new_debits = account.debits_posted.checked_add(debit).ok_or_else(overflow)?;
    let new_credits = account.credits_posted.checked_add(credit).ok_or_else(overflow)?;
    let (breaks, requested) = match LimitRule::parse(&account.limit_rule) {
        LimitRule::None => (false, 0),
        LimitRule::DebitsMustNotExceedCredits => (new_debits + account.debits_pending > new_credits, debit - credit),
        LimitRule::CreditsMustNotExceedDebits => (new_credits + account.credits_pending > new_debits, credit - debit),
    };
    if breaks {
        return Err(LedgerError::LimitExceeded {
            account: account.code.clone(),
            currency: account.currency.clone(),
            available: account.available(),
            requested: Amount::from_cents(requested),
        });
    }
    Ok(())
}

/// Hash of what an entry *means*: used to tell an idempotent retry from a conflicting reuse of a
/// key, and chained into the entry's hash. Legs are sorted so that order does not matter.
pub fn payload_hash(kind: &str, description: &str, effective_on: NaiveDate, links: &Links, legs: &[Leg]) -> String {
    let mut sorted: Vec<(i64, &str, i64)> = legs.iter().map(|l| (l.account_id, l.side.as_str(), l.amount.cents())).collect();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    h.update(format!("kind={kind}\ndescription={description}\neffective_on={effective_on}\n"));
    h.update(format!(
        "programme={:?}\ngrant={:?}\nupload={:?}\nreverses={:?}\n",
        links.programme_id, links.grant_id, links.usage_upload_id, links.reverses_entry_id
    ));
    for (account, side, cents) in sorted {
        h.update(format!("leg={account}:{side}:{cents}\n"));
    }
    hex::encode(h.finalize())
}

fn entry_hash(prev_hash: &str, key: &str, payload_hash: &str, actor: &str, created_at: &NaiveDateTime) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "prev={prev_hash}\nkey={key}\npayload={payload_hash}\nactor={actor}\ncreated_at={}\n",
        clock::canonical(created_at)
    ));
    hex::encode(h.finalize())
}

/// One line of an account statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub entry_id: i64,
    pub effective_on: NaiveDate,
    pub kind: String,
    pub description: String,
    pub debit: Amount,
    pub credit: Amount,
    pub balance: Amount,
}

/// Every posting on an account, oldest first, with the running balance on its normal side.
pub fn statement(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<StatementLine>, LedgerError> {
    let acct = account(conn, account_id)?;
    let normal = Side::parse(&acct.normal_side).unwrap_or(Side::Credit);
    let rows: Vec<(i64, NaiveDate, String, String, String, i64)> = ledger_postings::table
        .inner_join(ledger_entries::table)
        .filter(ledger_postings::account_id.eq(account_id))
        .order((ledger_entries::id, ledger_postings::id))
        .select((
            ledger_entries::id,
            ledger_entries::effective_on,
            ledger_entries::kind,
            ledger_entries::description,
            ledger_postings::direction,
            ledger_postings::amount,
        ))
        .load(conn)?;
    let mut balance = Amount::ZERO;
    let mut lines = Vec::with_capacity(rows.len());
    for (entry_id, effective_on, kind, description, direction, cents) in rows {
        let amount = Amount::from_cents(cents);
        let side = Side::parse(&direction).unwrap_or(Side::Debit);
        balance = if side == normal { balance.checked_add(amount)? } else { balance.checked_sub(amount)? };
        let (debit, credit) = if side == Side::Debit { (amount, Amount::ZERO) } else { (Amount::ZERO, amount) };
        lines.push(StatementLine { entry_id, effective_on, kind, description, debit, credit, balance });
    }
    Ok(lines)
}

/// What `verify` read when it found nothing wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub postings: u64,
    pub accounts: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("entry {entry_id}: {problem}")]
    Entry { entry_id: i64, problem: String },
    #[error("account {code}: {problem}")]
    Account { code: String, problem: String },
    #[error("ledger head: {0}")]
    Head(String),
    #[error("{0}")]
    Conservation(String),
    #[error("cannot read the ledger: {0}")]
    Database(#[from] diesel::result::Error),
}

const VERIFY_BATCH: i64 = 10_000;

/// Recomputes everything the ledger promises from the postings and stops at the first problem:
/// each entry balances and chains to the previous hash, stored account totals equal the fold of
/// their postings, limits hold, debits equal credits per currency, and the head matches the chain.
pub fn verify(conn: &mut AnyConnection) -> Result<VerifyReport, VerifyError> {
    let accounts: HashMap<i64, Account> = ledger_accounts::table
        .select(Account::as_select())
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut folded: HashMap<i64, (i64, i64)> = HashMap::with_capacity(accounts.len());
    let mut per_currency: BTreeMap<String, (i128, i128)> = BTreeMap::new();
    let mut prev_hash = GENESIS_HASH.to_string();
    let (mut entries_seen, mut postings_seen) = (0u64, 0u64);
    let mut last_id = 0i64;

    loop {
        let entries: Vec<Entry> = ledger_entries::table
            .filter(ledger_entries::id.gt(last_id))
            .order(ledger_entries::id)
            .limit(VERIFY_BATCH)
            .select(Entry::as_select())
            .load(conn)?;
        let Some(last) = entries.last() else { break };
        let (first_id, batch_last) = (entries[0].id, last.id);
        let postings: Vec<Posting> = ledger_postings::table
            .filter(ledger_postings::entry_id.between(first_id, batch_last))
            .order((ledger_postings::entry_id, ledger_postings::id))
            .select(Posting::as_select())
            .load(conn)?;
        let mut by_entry: HashMap<i64, Vec<&Posting>> = HashMap::with_capacity(entries.len());
        for p in &postings {
            by_entry.entry(p.entry_id).or_default().push(p);
        }
        for entry in &entries {
            let fail = |problem: String| VerifyError::Entry { entry_id: entry.id, problem };
            let legs_rows = by_entry.remove(&entry.id).unwrap_or_default();
            if legs_rows.len() < 2 {
                return Err(fail(format!("has {} posting(s); an entry needs at least two", legs_rows.len())));
            }
            let mut legs = Vec::with_capacity(legs_rows.len());
            for p in &legs_rows {
                let side = Side::parse(&p.direction).ok_or_else(|| fail(format!("posting {} has direction {:?}", p.id, p.direction)))?;
                if p.amount <= 0 {
                    return Err(fail(format!("posting {} moves a non-positive amount", p.id)));
                }
                let acct = accounts.get(&p.account_id).ok_or_else(|| fail(format!("posting {} names unknown account {}", p.id, p.account_id)))?;
                if acct.currency != p.currency {
                    return Err(fail(format!("posting {} is in {} but account {} is in {}", p.id, p.currency, acct.code, acct.currency)));
                }
                let f = folded.entry(p.account_id).or_default();
                let c = per_currency.entry(p.currency.clone()).or_default();
                match side {
                    Side::Debit => {
                        f.0 += p.amount;
                        c.0 += i128::from(p.amount);
                    }
                    Side::Credit => {
                        f.1 += p.amount;
                        c.1 += i128::from(p.amount);
                    }
                }
                legs.push(Leg { account_id: p.account_id, side, amount: Amount::from_cents(p.amount) });
            }
            check_balanced(legs_rows.iter().zip(&legs).map(|(p, l)| (l.side, l.amount, p.currency.as_str())))
                .map_err(|e| fail(e.to_string()))?;
            let links = Links {
                programme_id: entry.programme_id,
                grant_id: entry.grant_id,
                usage_upload_id: entry.usage_upload_id,
                reverses_entry_id: entry.reverses_entry_id,
            };
            let payload = payload_hash(&entry.kind, &entry.description, entry.effective_on, &links, &legs);
            if payload != entry.payload_hash {
                return Err(fail("its content does not match its payload hash (changed after posting)".into()));
            }
            if entry.prev_hash != prev_hash {
                return Err(fail("does not chain to the previous entry (an entry before it was removed or changed)".into()));
            }
            let hash = entry_hash(&prev_hash, &entry.idempotency_key, &payload, &entry.actor, &entry.created_at);
            if hash != entry.hash {
                return Err(fail("its hash does not match its content (changed after posting)".into()));
            }
            prev_hash = hash;
            entries_seen += 1;
            postings_seen += legs_rows.len() as u64;
        }
        if let Some((orphan_entry, _)) = by_entry.into_iter().next() {
            return Err(VerifyError::Entry { entry_id: orphan_entry, problem: "has postings but no entry row".into() });
        }
        last_id = batch_last;
    }

    let orphan_postings: i64 = ledger_postings::table.filter(ledger_postings::entry_id.gt(last_id)).count().get_result(conn)?;
    if orphan_postings > 0 {
        return Err(VerifyError::Conservation(format!("{orphan_postings} posting(s) belong to no entry")));
    }

    let mut sorted_accounts: Vec<&Account> = accounts.values().collect();
    sorted_accounts.sort_by_key(|a| a.id);
    for acct in sorted_accounts {
        let (debits, credits) = folded.get(&acct.id).copied().unwrap_or_default();
        let fail = |problem: String| VerifyError::Account { code: acct.code.clone(), problem };
        if debits != acct.debits_posted || credits != acct.credits_posted {
            return Err(fail(format!(
                "stored totals (debits {}, credits {}) differ from its postings (debits {}, credits {})",
                Amount::from_cents(acct.debits_posted),
                Amount::from_cents(acct.credits_posted),
                Amount::from_cents(debits),
                Amount::from_cents(credits)
            )));
        }
        let broken = match LimitRule::parse(&acct.limit_rule) {
            LimitRule::None => false,
            LimitRule::DebitsMustNotExceedCredits => debits + acct.debits_pending > credits,
            LimitRule::CreditsMustNotExceedDebits => credits + acct.credits_pending > debits,
        };
        if broken {
            return Err(fail(format!("is overdrawn: balance {}", acct.balance())));
        }
    }

    for (currency, (debits, credits)) in &per_currency {
        if debits != credits {
            return Err(VerifyError::Conservation(format!("{currency}: total debits {debits} ≠ total credits {credits} (cents)")));
        }
    }

    let (count, head_hash): (i64, String) =
        ledger_head::table.find(1).select((ledger_head::entry_count, ledger_head::last_hash)).first(conn)?;
    if count as u64 != entries_seen || head_hash != prev_hash {
        return Err(VerifyError::Head(format!(
            "records {count} entries ending in {}…, the chain has {entries_seen} ending in {}… (entries were removed or added behind the ledger)",
            &head_hash[..12.min(head_hash.len())],
            &prev_hash[..12]
        )));
    }

    Ok(VerifyReport { entries: entries_seen, postings: postings_seen, accounts: accounts.len() as u64 })
}

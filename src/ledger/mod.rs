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

pub mod chart;
pub mod export;
mod store;
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
    Expiry,
    Settlement,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fund => "fund",
            EntryKind::Award => "award",
            EntryKind::Usage => "usage",
            EntryKind::Reversal => "reversal",
            EntryKind::Expiry => "expiry",
            EntryKind::Settlement => "settlement",
        }
    }
}

/// Where an entry stands in the two-phase life of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// An ordinary entry: its postings move posted balances.
    Posted,
    /// A hold: its postings reserve funds in the pending totals until it is resolved.
    Pending,
    /// Resolves a hold by posting (at most) what it held; the rest is released.
    PostPending,
    /// Resolves a hold by releasing all of it.
    VoidPending,
    /// Resolves a hold whose time ran out, releasing all of it.
    ExpirePending,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Posted => "posted",
            Phase::Pending => "pending",
            Phase::PostPending => "post_pending",
            Phase::VoidPending => "void_pending",
            Phase::ExpirePending => "expire_pending",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Some(match text {
            "posted" => Phase::Posted,
            "pending" => Phase::Pending,
            "post_pending" => Phase::PostPending,
            "void_pending" => Phase::VoidPending,
            "expire_pending" => Phase::ExpirePending,
            _ => return None,
        })
    }

    /// Entries whose postings move posted balances.
    fn moves_posted(self) -> bool {
        matches!(self, Phase::Posted | Phase::PostPending)
    }

    fn resolves(self) -> bool {
        matches!(self, Phase::PostPending | Phase::VoidPending | Phase::ExpirePending)
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
    #[error("entry {0} is not an ordinary posted entry and cannot be reversed (resolve or void holds instead)")]
    NotReversible(i64),
    #[error("entry {0} is not a hold")]
    NotAHold(i64),
    #[error("hold {0} was already resolved by entry {1}")]
    AlreadyResolved(i64, i64),
    #[error("hold {0} expired at {1}")]
    HoldExpired(i64, NaiveDateTime),
    #[error("cannot post {requested} from hold {hold}, which holds {held}")]
    MoreThanHeld { hold: i64, held: Amount, requested: Amount },
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

    /// The same account as the database would hold it if its limit were checked now.
    fn breaks_limit(&self) -> bool {
        match LimitRule::parse(&self.limit_rule) {
            LimitRule::None => false,
            LimitRule::DebitsMustNotExceedCredits => self.debits_posted + self.debits_pending > self.credits_posted,
            LimitRule::CreditsMustNotExceedDebits => self.credits_posted + self.credits_pending > self.debits_posted,
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
    /// Who caused it: `user:42`, `token:7`, `cli`.
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
    pub phase: String,
    pub resolves_entry_id: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
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

pub fn entry(conn: &mut AnyConnection, id: i64) -> Result<Entry, LedgerError> {
    Ok(ledger_entries::table.find(id).select(Entry::as_select()).first(conn)?)
}

/// One entry to write, with its place in the two-phase life of a transfer.
struct Draft<'a> {
    entry: &'a NewEntry,
    phase: Phase,
    resolves: Option<i64>,
    expires_at: Option<NaiveDateTime>,
    /// The hold's legs, released from the pending totals when this entry resolves it.
    releases: Vec<Leg>,
}

impl Draft<'_> {
    fn payload_hash(&self) -> String {
        payload_hash(
            self.entry.kind.as_str(),
            &self.entry.description,
            self.entry.effective_on,
            &self.entry.links,
            &self.entry.legs,
            &Mechanics { phase: self.phase, resolves: self.resolves, expires_at: self.expires_at },
        )
    }
}

/// The two-phase fields that the payload hash covers besides the business content.
pub struct Mechanics {
    pub phase: Phase,
    pub resolves: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Posts one entry. Must run inside a write transaction (see the module documentation).
pub fn post(conn: &mut AnyConnection, entry: &NewEntry) -> Result<Posted, LedgerError> {
    Ok(post_many(conn, std::slice::from_ref(entry))?[0])
}

/// Posts many entries at once, all or none: one lock, one read of the accounts, multi-row
/// inserts. Entries are applied in order, so a later entry may spend what an earlier one brought.
pub fn post_many(conn: &mut AnyConnection, entries: &[NewEntry]) -> Result<Vec<Posted>, LedgerError> {
    let drafts = entries
        .iter()
        .map(|entry| Draft { entry, phase: Phase::Posted, resolves: None, expires_at: None, releases: Vec::new() })
        .collect();
    write(conn, drafts)
}

/// Reserves funds: the entry's postings count in the accounts' pending totals (and so against
/// their limits) until the hold is posted, voided or expires.
pub fn hold(conn: &mut AnyConnection, entry: &NewEntry, expires_at: Option<NaiveDateTime>) -> Result<Posted, LedgerError> {
    let draft = Draft { entry, phase: Phase::Pending, resolves: None, expires_at, releases: Vec::new() };
    Ok(write(conn, vec![draft])?[0])
}

/// How a hold is resolved.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Post the whole hold, or only `Some(amount)` of a two-posting hold (the rest is released).
    Post(Option<Amount>),
    Void,
}

/// Resolves a hold, exactly once. The resolving entry carries its own idempotency key, so a
/// retried request returns the first resolution.
pub fn resolve_hold(
    conn: &mut AnyConnection,
    hold_id: i64,
    resolution: Resolution,
    idempotency_key: &str,
    actor: &str,
) -> Result<Posted, LedgerError> {
    lock_head(conn)?;
    let held = entry(conn, hold_id).map_err(|e| match e {
        LedgerError::Database(diesel::result::Error::NotFound) => LedgerError::NotAHold(hold_id),
        other => other,
    })?;
    if Phase::parse(&held.phase) != Some(Phase::Pending) {
        return Err(LedgerError::NotAHold(hold_id));
    }
    let legs = legs_of(conn, hold_id)?;
    let (phase, new_legs) = match &resolution {
        Resolution::Void => (Phase::VoidPending, Vec::new()),
        Resolution::Post(None) => (Phase::PostPending, legs.clone()),
        Resolution::Post(Some(amount)) => {
            let held_amount = legs.iter().filter(|l| l.side == Side::Debit).map(|l| l.amount).try_fold(Amount::ZERO, Amount::checked_add)?;
            if legs.len() != 2 && *amount != held_amount {
                return Err(LedgerError::MoreThanHeld { hold: hold_id, held: held_amount, requested: *amount });
            }
            if !amount.is_positive() {
                return Err(LedgerError::NonPositiveAmount);
            }
            if *amount > held_amount {
                return Err(LedgerError::MoreThanHeld { hold: hold_id, held: held_amount, requested: *amount });
            }
            (Phase::PostPending, legs.iter().map(|l| Leg { amount: *amount, ..*l }).collect())
        }
    };
    let new_entry = NewEntry {
        idempotency_key: idempotency_key.to_string(),
        kind: kind_from_str(&held.kind),
        description: match phase {
            Phase::VoidPending => format!("Release of hold #{hold_id}"),
            _ => format!("Posting of hold #{hold_id}"),
        },
        effective_on: clock::today(),
        actor: actor.to_string(),
        links: Links {
            programme_id: held.programme_id,
            grant_id: held.grant_id,
            usage_upload_id: held.usage_upload_id,
            reverses_entry_id: None,
        },
        legs: new_legs,
    };
    // A replay of this very resolution is answered before the expiry and "already resolved"
    // checks: a client retrying after a lost reply gets its first answer.
    if let Some(replay) = find_replay(conn, &Draft { entry: &new_entry, phase, resolves: Some(hold_id), expires_at: None, releases: legs.clone() })? {
        return Ok(replay);
    }
    if let Some(by) = resolved_by(conn, hold_id)? {
        return Err(LedgerError::AlreadyResolved(hold_id, by));
    }
    if let Some(expires_at) = held.expires_at {
        if expires_at <= clock::now() && phase == Phase::PostPending {
            return Err(LedgerError::HoldExpired(hold_id, expires_at));
        }
    }
    let draft = Draft { entry: &new_entry, phase, resolves: Some(hold_id), expires_at: None, releases: legs };
    Ok(write(conn, vec![draft])?[0])
}

/// Corrects a posted entry with a new one that mirrors it (every debit becomes a credit and the
/// reverse), linked to the original. Nothing is updated or deleted. A reversal is itself checked
/// against balance limits: a spent award cannot be taken back below zero. Reversing twice is
/// refused by the idempotency key `reverse:{id}` (a retry returns the first reversal).
pub fn reverse(conn: &mut AnyConnection, entry_id: i64, reason: &str, actor: &str) -> Result<Posted, LedgerError> {
    lock_head(conn)?;
    let original = entry(conn, entry_id)?;
    if Phase::parse(&original.phase) != Some(Phase::Posted) {
        return Err(LedgerError::NotReversible(entry_id));
    }
    let legs = legs_of(conn, entry_id)?
        .into_iter()
        .map(|l| Leg { side: if l.side == Side::Debit { Side::Credit } else { Side::Debit }, ..l })
        .collect();
    let reversal = NewEntry {
        idempotency_key: format!("reverse:{entry_id}"),
        kind: EntryKind::Reversal,
        description: format!("Reversal of entry #{entry_id}: {reason}"),
        effective_on: clock::today(),
        actor: actor.to_string(),
        links: Links {
            programme_id: original.programme_id,
            grant_id: original.grant_id,
            usage_upload_id: original.usage_upload_id,
            reverses_entry_id: Some(entry_id),
        },
        legs,
    };
    post(conn, &reversal)
}

/// Releases every hold whose time ran out by `now`; returns how many.
pub fn expire_holds(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, LedgerError> {
    lock_head(conn)?;
    let candidates: Vec<(i64, String, Option<i64>, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::phase.eq(Phase::Pending.as_str()))
        .filter(ledger_entries::expires_at.le(now))
        .order(ledger_entries::id)
        .select((ledger_entries::id, ledger_entries::kind, ledger_entries::programme_id, ledger_entries::grant_id))
        .load(conn)?;
    let ids: Vec<i64> = candidates.iter().map(|c| c.0).collect();
    let mut resolved: std::collections::HashSet<i64> = std::collections::HashSet::new();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let rows: Vec<Option<i64>> = ledger_entries::table
            .filter(ledger_entries::resolves_entry_id.eq_any(chunk))
            .select(ledger_entries::resolves_entry_id)
            .load(conn)?;
        resolved.extend(rows.into_iter().flatten());
    }
    let due: Vec<_> = candidates.into_iter().filter(|c| !resolved.contains(&c.0)).collect();
    let mut owned = Vec::with_capacity(due.len());
    for (hold_id, kind, programme_id, grant_id) in &due {
        let legs = legs_of(conn, *hold_id)?;
        owned.push((
            NewEntry {
                idempotency_key: format!("expire:{hold_id}"),
                kind: kind_from_str(kind),
                description: format!("Expiry of hold #{hold_id}"),
                effective_on: now.date(),
                actor: "system".into(),
                links: Links { programme_id: *programme_id, grant_id: *grant_id, ..Links::default() },
                legs: Vec::new(),
            },
            *hold_id,
            legs,
        ));
    }
    let drafts = owned
        .iter()
        .map(|(entry, hold_id, legs)| Draft { entry, phase: Phase::ExpirePending, resolves: Some(*hold_id), expires_at: None, releases: legs.clone() })
        .collect();
    Ok(write(conn, drafts)?.len())
}

fn kind_from_str(kind: &str) -> EntryKind {
    match kind {
        "fund" => EntryKind::Fund,
        "award" => EntryKind::Award,
        "reversal" => EntryKind::Reversal,
        "expiry" => EntryKind::Expiry,
        "settlement" => EntryKind::Settlement,
        _ => EntryKind::Usage,
    }
}

fn legs_of(conn: &mut AnyConnection, entry_id: i64) -> Result<Vec<Leg>, LedgerError> {
    let rows: Vec<(i64, String, i64)> = ledger_postings::table
        .filter(ledger_postings::entry_id.eq(entry_id))
        .order(ledger_postings::id)
        .select((ledger_postings::account_id, ledger_postings::direction, ledger_postings::amount))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(account_id, direction, cents)| Leg { account_id, side: Side::parse(&direction).unwrap_or(Side::Debit), amount: Amount::from_cents(cents) })
        .collect())
}

fn resolved_by(conn: &mut AnyConnection, hold_id: i64) -> Result<Option<i64>, LedgerError> {
    Ok(ledger_entries::table
        .filter(ledger_entries::resolves_entry_id.eq(hold_id))
        .select(ledger_entries::id)
        .first(conn)
        .optional()?)
}

fn find_replay(conn: &mut AnyConnection, draft: &Draft<'_>) -> Result<Option<Posted>, LedgerError> {
    let existing: Option<(i64, String)> = ledger_entries::table
        .filter(ledger_entries::idempotency_key.eq(&draft.entry.idempotency_key))
        .select((ledger_entries::id, ledger_entries::payload_hash))
        .first(conn)
        .optional()?;
    match existing {
        Some((entry_id, hash)) if hash == draft.payload_hash() => Ok(Some(Posted { entry_id, replayed: true })),
        Some(_) => Err(LedgerError::IdempotencyConflict(draft.entry.idempotency_key.clone())),
        None => Ok(None),
    }
}

/// Takes the chain head's row lock: the first thing every ledger write does.
fn lock_head(conn: &mut AnyConnection) -> Result<(), LedgerError> {
    diesel::update(ledger_head::table.find(1)).set(ledger_head::entry_count.eq(ledger_head::entry_count)).execute(conn)?;
    Ok(())
}

/// Rows per multi-row INSERT, below SQLite's limit of 32,766 bound parameters.
const INSERT_CHUNK: usize = 1_000;

/// The one write path: checks every draft against the running account totals, then inserts
/// entries and postings in bulk and updates each touched account once.
fn write(conn: &mut AnyConnection, drafts: Vec<Draft<'_>>) -> Result<Vec<Posted>, LedgerError> {
    for d in &drafts {
        let needs_legs = !matches!(d.phase, Phase::VoidPending | Phase::ExpirePending);
        if needs_legs && d.entry.legs.len() < 2 {
            return Err(LedgerError::TooFewPostings);
        }
        if d.entry.legs.iter().any(|leg| !leg.amount.is_positive()) {
            return Err(LedgerError::NonPositiveAmount);
        }
    }
    // Lock the chain head and read it in one statement.
    let (entry_count, mut prev_hash): (i64, String) = diesel::update(ledger_head::table.find(1))
        .set(ledger_head::entry_count.eq(ledger_head::entry_count))
        .returning((ledger_head::entry_count, ledger_head::last_hash))
        .get_result(conn)?;

    let mut account_ids: Vec<i64> = drafts.iter().flat_map(|d| d.entry.legs.iter().chain(&d.releases)).map(|l| l.account_id).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let mut accounts: HashMap<i64, Account> = HashMap::with_capacity(account_ids.len());
    for chunk in account_ids.chunks(INSERT_CHUNK) {
        for a in ledger_accounts::table.filter(ledger_accounts::id.eq_any(chunk)).select(Account::as_select()).load(conn)? {
            accounts.insert(a.id, a);
        }
    }

    // Idempotency: keys already in the ledger, then repeats inside this batch.
    let hashes: Vec<String> = drafts.iter().map(Draft::payload_hash).collect();
    let keys: Vec<&str> = drafts.iter().map(|d| d.entry.idempotency_key.as_str()).collect();
    let mut known: HashMap<String, (i64, String)> = HashMap::new();
    for chunk in keys.chunks(INSERT_CHUNK) {
        let rows: Vec<(String, i64, String)> = ledger_entries::table
            .filter(ledger_entries::idempotency_key.eq_any(chunk))
            .select((ledger_entries::idempotency_key, ledger_entries::id, ledger_entries::payload_hash))
            .load(conn)?;
        known.extend(rows.into_iter().map(|(k, id, h)| (k, (id, h))));
    }

    let original: HashMap<i64, Account> = accounts.clone();
    let created_at = clock::now();
    let mut results: Vec<Option<Posted>> = vec![None; drafts.len()];
    let mut fresh: Vec<(usize, String)> = Vec::new();
    let mut in_batch: HashMap<&str, (usize, &str)> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        let key = d.entry.idempotency_key.as_str();
        if let Some((id, stored)) = known.get(key) {
            if *stored != hashes[i] {
                return Err(LedgerError::IdempotencyConflict(key.to_string()));
            }
            results[i] = Some(Posted { entry_id: *id, replayed: true });
            continue;
        }
        if let Some((first, first_hash)) = in_batch.get(key) {
            if *first_hash != hashes[i] {
                return Err(LedgerError::IdempotencyConflict(key.to_string()));
            }
            results[i] = Some(Posted { entry_id: -(*first as i64) - 1, replayed: true });
            continue;
        }
        in_batch.insert(key, (i, hashes[i].as_str()));
        apply(&mut accounts, d)?;
        let hash = entry_hash(&prev_hash, key, &hashes[i], &d.entry.actor, &created_at);
        fresh.push((i, prev_hash.clone()));
        prev_hash = hash;
    }

    if !fresh.is_empty() {
        let plan = plan(&drafts, &hashes, &fresh, &created_at, &accounts, &original, entry_count, &prev_hash);
        let ids = store::execute(conn, &plan)?;
        for (i, _) in &fresh {
            results[*i] = Some(Posted { entry_id: ids[keys[*i]], replayed: false });
        }
    }

    // Repeats within the batch point at the entry their first occurrence created.
    let resolved: Vec<Posted> = results.iter().map(|r| r.expect("every draft has a result")).collect();
    Ok(resolved
        .iter()
        .map(|p| if p.entry_id < 0 { Posted { entry_id: resolved[(-p.entry_id - 1) as usize].entry_id, replayed: true } } else { *p })
        .collect())
}

/// Checks one draft against the running totals and applies it to them.
fn apply(accounts: &mut HashMap<i64, Account>, d: &Draft<'_>) -> Result<(), LedgerError> {
    let mut per_currency: BTreeMap<String, (Amount, Amount)> = BTreeMap::new();
    for leg in &d.entry.legs {
        let account = accounts.get(&leg.account_id).ok_or(LedgerError::UnknownAccount(leg.account_id))?;
        let s = per_currency.entry(account.currency.clone()).or_default();
        match leg.side {
            Side::Debit => s.0 = s.0.checked_add(leg.amount)?,
            Side::Credit => s.1 = s.1.checked_add(leg.amount)?,
        }
    }
    for (currency, (debits, credits)) in per_currency {
        if debits != credits {
            return Err(LedgerError::Unbalanced { currency, debits, credits });
        }
    }
    let overflow = || LedgerError::Amount(AmountError::Overflow);
    let mut touched: Vec<i64> = Vec::new();
    for leg in &d.releases {
        let a = accounts.get_mut(&leg.account_id).ok_or(LedgerError::UnknownAccount(leg.account_id))?;
        let slot = if leg.side == Side::Debit { &mut a.debits_pending } else { &mut a.credits_pending };
        *slot = slot.checked_sub(leg.amount.cents()).ok_or_else(overflow)?;
    }
    for leg in &d.entry.legs {
        let a = accounts.get_mut(&leg.account_id).ok_or(LedgerError::UnknownAccount(leg.account_id))?;
        let slot = match (d.phase == Phase::Pending, leg.side) {
            (true, Side::Debit) => &mut a.debits_pending,
            (true, Side::Credit) => &mut a.credits_pending,
            (false, Side::Debit) => &mut a.debits_posted,
            (false, Side::Credit) => &mut a.credits_posted,
        };
        *slot = slot.checked_add(leg.amount.cents()).ok_or_else(overflow)?;
        touched.push(leg.account_id);
    }
    for id in touched {
        let a = &accounts[&id];
        if a.breaks_limit() {
            // Report what was available before this entry and what it asked of the account.
            let mut before = a.clone();
            let mut asked = 0i64;
            for leg in d.entry.legs.iter().filter(|l| l.account_id == id) {
                let pending = d.phase == Phase::Pending;
                let (debit_slot, credit_slot) = if pending { (&mut before.debits_pending, &mut before.credits_pending) } else { (&mut before.debits_posted, &mut before.credits_posted) };
                match leg.side {
                    Side::Debit => *debit_slot -= leg.amount.cents(),
                    Side::Credit => *credit_slot -= leg.amount.cents(),
                }
                let outflow = match LimitRule::parse(&a.limit_rule) {
                    LimitRule::CreditsMustNotExceedDebits => leg.side == Side::Credit,
                    _ => leg.side == Side::Debit,
                };
                asked += if outflow { leg.amount.cents() } else { -leg.amount.cents() };
            }
            for leg in d.releases.iter().filter(|l| l.account_id == id) {
                match leg.side {
                    Side::Debit => before.debits_pending += leg.amount.cents(),
                    Side::Credit => before.credits_pending += leg.amount.cents(),
                }
            }
            return Err(LedgerError::LimitExceeded {
                account: a.code.clone(),
                currency: a.currency.clone(),
                available: before.available(),
                requested: Amount::from_cents(asked),
            });
        }
    }
    Ok(())
}

/// What `write` decided, as rows for the store.
#[allow(clippy::too_many_arguments)]
fn plan(
    drafts: &[Draft<'_>],
    hashes: &[String],
    fresh: &[(usize, String)],
    created_at: &NaiveDateTime,
    accounts: &HashMap<i64, Account>,
    original: &HashMap<i64, Account>,
    entry_count: i64,
    last_hash: &str,
) -> store::Plan {
    let entries = fresh
        .iter()
        .enumerate()
        .map(|(n, (i, prev))| {
            let d = &drafts[*i];
            // Each entry's hash is the next one's prev_hash; the last one's is the new head.
            let hash = fresh.get(n + 1).map_or_else(|| last_hash.to_string(), |(_, next_prev)| next_prev.clone());
            store::EntryRow {
                key: d.entry.idempotency_key.clone(),
                payload_hash: hashes[*i].clone(),
                kind: d.entry.kind.as_str(),
                description: d.entry.description.clone(),
                effective_on: d.entry.effective_on,
                actor: d.entry.actor.clone(),
                programme_id: d.entry.links.programme_id,
                grant_id: d.entry.links.grant_id,
                usage_upload_id: d.entry.links.usage_upload_id,
                reverses_entry_id: d.entry.links.reverses_entry_id,
                created_at: *created_at,
                prev_hash: prev.clone(),
                hash,
                phase: d.phase.as_str(),
                resolves_entry_id: d.resolves,
                expires_at: d.expires_at,
            }
        })
        .collect();
    let postings = fresh
        .iter()
        .flat_map(|(i, _)| {
            let d = &drafts[*i];
            d.entry.legs.iter().map(move |leg| store::PostingRow {
                key: d.entry.idempotency_key.clone(),
                account_id: leg.account_id,
                direction: leg.side.as_str(),
                amount: leg.amount.cents(),
                currency: accounts[&leg.account_id].currency.clone(),
            })
        })
        .collect();
    let mut deltas: Vec<store::AccountDelta> = accounts
        .iter()
        .filter(|(id, after)| original[*id] != **after)
        .map(|(id, after)| {
            let before = &original[id];
            store::AccountDelta {
                id: *id,
                debits_posted: after.debits_posted - before.debits_posted,
                credits_posted: after.credits_posted - before.credits_posted,
                debits_pending: after.debits_pending - before.debits_pending,
                credits_pending: after.credits_pending - before.credits_pending,
            }
        })
        .collect();
    // A fixed order of row locks, whatever the hash map's order.
    deltas.sort_by_key(|d| d.id);
    store::Plan { entries, postings, deltas, head_count: entry_count + fresh.len() as i64, head_hash: last_hash.to_string() }
}

/// Hash of what an entry *means*: used to tell an idempotent retry from a conflicting reuse of a
/// key, and chained into the entry's hash. Legs are sorted so that order does not matter.
pub fn payload_hash(kind: &str, description: &str, effective_on: NaiveDate, links: &Links, legs: &[Leg], mechanics: &Mechanics) -> String {
    let mut sorted: Vec<(i64, &str, i64)> = legs.iter().map(|l| (l.account_id, l.side.as_str(), l.amount.cents())).collect();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    h.update(format!("kind={kind}\ndescription={description}\neffective_on={effective_on}\n"));
    h.update(format!(
        "programme={:?}\ngrant={:?}\nupload={:?}\nreverses={:?}\n",
        links.programme_id, links.grant_id, links.usage_upload_id, links.reverses_entry_id
    ));
    // Ordinary entries hash as they did before holds existed, so old chains still verify.
    if mechanics.phase != Phase::Posted || mechanics.resolves.is_some() || mechanics.expires_at.is_some() {
        h.update(format!(
            "phase={}\nresolves={:?}\nexpires_at={:?}\n",
            mechanics.phase.as_str(),
            mechanics.resolves,
            mechanics.expires_at.as_ref().map(clock::canonical)
        ));
    }
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

/// Every posted movement on an account, oldest first, with the running balance on its normal
/// side. Holds are not movements yet; they show in the account's available amount.
pub fn statement(conn: &mut AnyConnection, account_id: i64) -> Result<Vec<StatementLine>, LedgerError> {
    let acct = account(conn, account_id)?;
    let normal = Side::parse(&acct.normal_side).unwrap_or(Side::Credit);
    let rows: Vec<(i64, NaiveDate, String, String, String, i64)> = ledger_postings::table
        .inner_join(ledger_entries::table)
        .filter(ledger_postings::account_id.eq(account_id))
        .filter(ledger_entries::phase.eq_any([Phase::Posted.as_str(), Phase::PostPending.as_str()]))
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

const VERIFY_BATCH: i64 = 20_000;

#[derive(Default, Clone, Copy)]
struct Totals {
    debits_posted: i64,
    credits_posted: i64,
    debits_pending: i64,
    credits_pending: i64,
}

/// Recomputes everything the ledger promises from the postings and stops at the first problem:
/// each entry balances and chains to the previous hash, stored account totals (posted and
/// pending) equal the fold of their postings, every hold is resolved at most once and never for
/// more than it held, limits hold, debits equal credits per currency, and the head matches.
pub fn verify(conn: &mut AnyConnection) -> Result<VerifyReport, VerifyError> {
    let accounts: HashMap<i64, Account> = ledger_accounts::table
        .select(Account::as_select())
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut folded: HashMap<i64, Totals> = HashMap::with_capacity(accounts.len());
    let mut per_currency: BTreeMap<String, (i128, i128)> = BTreeMap::new();
    let mut open_holds: HashMap<i64, Vec<Leg>> = HashMap::new();
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
        let postings: Vec<(i64, i64, i64, String, i64, String)> = ledger_postings::table
            .filter(ledger_postings::entry_id.between(first_id, batch_last))
            .order((ledger_postings::entry_id, ledger_postings::id))
            .select((ledger_postings::id, ledger_postings::entry_id, ledger_postings::account_id, ledger_postings::direction, ledger_postings::amount, ledger_postings::currency))
            .load(conn)?;
        let mut cursor = 0usize;
        for entry in &entries {
            let fail = |problem: String| VerifyError::Entry { entry_id: entry.id, problem };
            while cursor < postings.len() && postings[cursor].1 < entry.id {
                return Err(VerifyError::Entry { entry_id: postings[cursor].1, problem: "has postings but no entry row".into() });
            }
            let begin = cursor;
            while cursor < postings.len() && postings[cursor].1 == entry.id {
                cursor += 1;
            }
            let rows = &postings[begin..cursor];
            let phase = Phase::parse(&entry.phase).ok_or_else(|| fail(format!("has unknown phase {:?}", entry.phase)))?;
            let releases_only = matches!(phase, Phase::VoidPending | Phase::ExpirePending);
            if releases_only && !rows.is_empty() {
                return Err(fail(format!("releases a hold but has {} posting(s)", rows.len())));
            }
            if !releases_only && rows.len() < 2 {
                return Err(fail(format!("has {} posting(s); an entry needs at least two", rows.len())));
            }
            let mut legs = Vec::with_capacity(rows.len());
            let mut sums: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            for (posting_id, _, account_id, direction, amount, currency) in rows {
                let side = Side::parse(direction).ok_or_else(|| fail(format!("posting {posting_id} has direction {direction:?}")))?;
                if *amount <= 0 {
                    return Err(fail(format!("posting {posting_id} moves a non-positive amount")));
                }
                let acct = accounts.get(account_id).ok_or_else(|| fail(format!("posting {posting_id} names unknown account {account_id}")))?;
                if acct.currency != *currency {
                    return Err(fail(format!("posting {posting_id} is in {currency} but account {} is in {}", acct.code, acct.currency)));
                }
                let s = sums.entry(currency.as_str()).or_default();
                if side == Side::Debit { s.0 += amount } else { s.1 += amount }
                legs.push(Leg { account_id: *account_id, side, amount: Amount::from_cents(*amount) });
            }
            for (currency, (debits, credits)) in &sums {
                if debits != credits {
                    return Err(fail(format!("does not balance in {currency}: debits {}, credits {}", Amount::from_cents(*debits), Amount::from_cents(*credits))));
                }
            }
            if phase.resolves() != entry.resolves_entry_id.is_some() {
                return Err(fail(format!("phase {} does not match its hold reference", phase.as_str())));
            }
            let links = Links {
                programme_id: entry.programme_id,
                grant_id: entry.grant_id,
                usage_upload_id: entry.usage_upload_id,
                reverses_entry_id: entry.reverses_entry_id,
            };
            let mechanics = Mechanics { phase, resolves: entry.resolves_entry_id, expires_at: entry.expires_at };
            let payload = payload_hash(&entry.kind, &entry.description, entry.effective_on, &links, &legs, &mechanics);
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

            if let Some(hold_id) = entry.resolves_entry_id {
                let held = open_holds.remove(&hold_id).ok_or_else(|| fail(format!("resolves entry {hold_id}, which is not an open hold before it")))?;
                for leg in &held {
                    let t = folded.entry(leg.account_id).or_default();
                    if leg.side == Side::Debit { t.debits_pending -= leg.amount.cents() } else { t.credits_pending -= leg.amount.cents() }
                }
                if phase == Phase::PostPending {
                    let held_total: i64 = held.iter().filter(|l| l.side == Side::Debit).map(|l| l.amount.cents()).sum();
                    let posted_total: i64 = legs.iter().filter(|l| l.side == Side::Debit).map(|l| l.amount.cents()).sum();
                    if posted_total > held_total {
                        return Err(fail(format!("posts {} from hold {hold_id}, which held {}", Amount::from_cents(posted_total), Amount::from_cents(held_total))));
                    }
                }
            }
            for leg in &legs {
                let t = folded.entry(leg.account_id).or_default();
                let cents = leg.amount.cents();
                match (phase.moves_posted(), leg.side) {
                    (true, Side::Debit) => t.debits_posted += cents,
                    (true, Side::Credit) => t.credits_posted += cents,
                    (false, Side::Debit) => t.debits_pending += cents,
                    (false, Side::Credit) => t.credits_pending += cents,
                }
                if phase.moves_posted() {
                    let c = per_currency.entry(accounts[&leg.account_id].currency.clone()).or_default();
                    if leg.side == Side::Debit { c.0 += i128::from(cents) } else { c.1 += i128::from(cents) }
                }
            }
            if phase == Phase::Pending {
                open_holds.insert(entry.id, legs);
            }
            prev_hash = hash;
            entries_seen += 1;
            postings_seen += rows.len() as u64;
        }
        if cursor < postings.len() {
            return Err(VerifyError::Entry { entry_id: postings[cursor].1, problem: "has postings but no entry row".into() });
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
        let t = folded.get(&acct.id).copied().unwrap_or_default();
        let fail = |problem: String| VerifyError::Account { code: acct.code.clone(), problem };
        if t.debits_posted != acct.debits_posted || t.credits_posted != acct.credits_posted {
            return Err(fail(format!(
                "stored totals (debits {}, credits {}) differ from its postings (debits {}, credits {})",
                Amount::from_cents(acct.debits_posted),
                Amount::from_cents(acct.credits_posted),
                Amount::from_cents(t.debits_posted),
                Amount::from_cents(t.credits_posted)
            )));
        }
        if t.debits_pending != acct.debits_pending || t.credits_pending != acct.credits_pending {
            return Err(fail(format!(
                "stored pending totals (debits {}, credits {}) differ from its open holds (debits {}, credits {})",
                Amount::from_cents(acct.debits_pending),
                Amount::from_cents(acct.credits_pending),
                Amount::from_cents(t.debits_pending),
                Amount::from_cents(t.credits_pending)
            )));
        }
        if acct.breaks_limit() {
            return Err(fail(format!("is overdrawn: balance {}, held {}", acct.balance(), Amount::from_cents(acct.debits_pending.max(acct.credits_pending)))));
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

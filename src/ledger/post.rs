//! The write path. Every ledger write (posts, holds, their resolutions, reversals, expiries)
//! becomes `Draft`s that `write` checks against the running account totals and hands to the
//! store as one `store::Plan`.

use super::entries::{entry, legs_of};
use super::hash::{entry_hash, payload_hash};
use super::model::decode;
use super::{spend, store, Account, EntryKind, LedgerError, Leg, LimitRule, Links, Mechanics, NewEntry, Phase, Posted, Side};
use crate::db::{AnyConnection, CHUNK_ROWS};
use crate::db::schema::{ledger_accounts, ledger_entries, ledger_head};
use crate::domain::clock;
use crate::money::{Amount, AmountError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// One entry to write, with its place in the two-phase life of a transfer.
pub(super) struct Draft<'a> {
    pub(super) entry: &'a NewEntry,
    pub(super) phase: Phase,
    pub(super) resolves: Option<i64>,
    pub(super) expires_at: Option<NaiveDateTime>,
    /// The hold's legs, released from the pending totals when this entry resolves it.
    pub(super) releases: Vec<Leg>,
}

impl Draft<'_> {
    pub(super) fn payload_hash(&self) -> String {
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

/// Corrects a posted entry with a new one that mirrors it (every debit becomes a credit and the
/// reverse), linked to the original. Nothing is updated or deleted. A reversal is itself checked
/// against balance limits: a spent award cannot be taken back below zero. Reversing twice is
/// refused by the idempotency key `reverse:{id}` (a retry returns the first reversal).
pub fn reverse(conn: &mut AnyConnection, entry_id: i64, reason: &str, actor: &str) -> Result<Posted, LedgerError> {
    lock_head(conn)?;
    let original = entry(conn, entry_id)?;
    if decode::<Phase>("ledger_entries.phase", &original.phase)? != Phase::Posted {
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

/// Entries already in the ledger under these keys: id and payload hash, by key.
pub(super) fn known_keys(conn: &mut AnyConnection, keys: &[&str]) -> Result<HashMap<String, (i64, String)>, LedgerError> {
    let mut known = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK_ROWS) {
        let rows: Vec<(String, i64, String)> = ledger_entries::table
            .filter(ledger_entries::idempotency_key.eq_any(chunk))
            .select((ledger_entries::idempotency_key, ledger_entries::id, ledger_entries::payload_hash))
            .load(conn)?;
        known.extend(rows.into_iter().map(|(key, id, hash)| (key, (id, hash))));
    }
    Ok(known)
}

/// Takes the chain head's row lock: the first thing every ledger write does.
pub(super) fn lock_head(conn: &mut AnyConnection) -> Result<(), LedgerError> {
    diesel::update(ledger_head::table.find(1)).set(ledger_head::entry_count.eq(ledger_head::entry_count)).execute(conn)?;
    Ok(())
}

/// The one write path: checks every draft against the running account totals, then inserts
/// entries and postings in bulk and updates each touched account once.
pub(super) fn write(conn: &mut AnyConnection, drafts: Vec<Draft<'_>>) -> Result<Vec<Posted>, LedgerError> {
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
    for chunk in account_ids.chunks(CHUNK_ROWS) {
        for a in ledger_accounts::table.filter(ledger_accounts::id.eq_any(chunk)).select(Account::as_select()).load(conn)? {
            accounts.insert(a.id, a.checked()?);
        }
    }

    // Idempotency: keys already in the ledger, then repeats inside this batch.
    let hashes: Vec<String> = drafts.iter().map(Draft::payload_hash).collect();
    let keys: Vec<&str> = drafts.iter().map(|d| d.entry.idempotency_key.as_str()).collect();
    let known = known_keys(conn, &keys)?;

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
        let spend = spend_deltas(conn, &drafts, &fresh, &accounts)?;
        let plan = plan(&drafts, &hashes, &fresh, &created_at, &accounts, &original, entry_count, &prev_hash, spend);
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
                let outflow = match a.limit()? {
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

/// The fresh entries' posted movements summed by account and kind (holds move pending totals
/// only; their postings count under their own kind when posted).
fn kind_deltas(drafts: &[Draft<'_>], fresh: &[(usize, String)]) -> Vec<store::KindDelta> {
    let mut sums: BTreeMap<(i64, &'static str), (i64, i64)> = BTreeMap::new();
    for (i, _) in fresh {
        let d = &drafts[*i];
        if !d.phase.moves_posted() {
            continue;
        }
        for leg in &d.entry.legs {
            let sum = sums.entry((leg.account_id, d.entry.kind.as_str())).or_default();
            // Each leg was added to the account's own totals with checked arithmetic already.
            match leg.side {
                Side::Debit => sum.0 = sum.0.saturating_add(leg.amount.cents()),
                Side::Credit => sum.1 = sum.1.saturating_add(leg.amount.cents()),
            }
        }
    }
    sums.into_iter().map(|((account_id, kind), (debits, credits))| store::KindDelta { account_id, kind, debits, credits }).collect()
}

/// The fresh entries' spend, summed by `spend_days` row (one read of the grants concerned,
/// only when an entry moves a provider's payable account).
fn spend_deltas(conn: &mut AnyConnection, drafts: &[Draft<'_>], fresh: &[(usize, String)], accounts: &HashMap<i64, Account>) -> Result<Vec<store::SpendDelta>, LedgerError> {
    let moves_spend = |d: &Draft<'_>| {
        spend::is_spend(d.entry.kind, d.phase) && d.entry.links.grant_id.is_some() && d.entry.legs.iter().any(|l| accounts.get(&l.account_id).is_some_and(|a| spend::counts_as_spend(&a.owner_kind, &a.purpose)))
    };
    let mut grant_ids: Vec<i64> = fresh.iter().map(|(i, _)| &drafts[*i]).filter(|d| moves_spend(d)).filter_map(|d| d.entry.links.grant_id).collect();
    if grant_ids.is_empty() {
        return Ok(Vec::new());
    }
    grant_ids.sort_unstable();
    grant_ids.dedup();
    let places = spend::grant_places(conn, &grant_ids)?;
    let mut sums = spend::SpendSums::default();
    for (i, _) in fresh {
        let d = &drafts[*i];
        let legs = d.entry.legs.iter().filter_map(|l| accounts.get(&l.account_id).map(|a| (a, l.side, l.amount.cents())));
        sums.add_entry(d.entry.kind, d.phase, d.entry.links.grant_id, d.entry.effective_on, legs, &places);
    }
    Ok(sums.0.into_iter().map(|(key, (debits, credits))| store::SpendDelta { key, debits, credits }).collect())
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
    spend_deltas: Vec<store::SpendDelta>,
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
    store::Plan { entries, postings, deltas, kind_deltas: kind_deltas(drafts, fresh), spend_deltas, head_count: entry_count + fresh.len() as i64, head_hash: last_hash.to_string() }
}

//! Recomputing the ledger's promises from the postings, as an auditor would.

use super::hash::{entry_hash, payload_hash};
use super::{Account, Entry, EntryKind, Leg, Links, Mechanics, Phase, Side, GENESIS_HASH};
use crate::db::AnyConnection;
use super::spend::{self, SpendKey, SpendSums};
use crate::db::schema::{ledger_accounts, ledger_entries, ledger_head, ledger_kind_totals, ledger_postings, spend_days};
use crate::money::Amount;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};

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
    let loaded: Vec<Account> = ledger_accounts::table.order(ledger_accounts::id).select(Account::as_select()).load(conn)?;
    let mut accounts: HashMap<i64, Account> = HashMap::with_capacity(loaded.len());
    for acct in loaded {
        if let Err(e) = acct.side().and_then(|_| acct.limit()) {
            return Err(VerifyError::Account { code: acct.code, problem: e.to_string() });
        }
        accounts.insert(acct.id, acct);
    }
    let mut folded: HashMap<i64, Totals> = HashMap::with_capacity(accounts.len());
    let mut per_currency: BTreeMap<String, (i128, i128)> = BTreeMap::new();
    let mut open_holds: HashMap<i64, Vec<Leg>> = HashMap::new();
    let mut by_kind: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
    let places = spend::all_grant_places(conn)?;
    let mut spent = SpendSums::default();
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
            if cursor < postings.len() && postings[cursor].1 < entry.id {
                return Err(VerifyError::Entry { entry_id: postings[cursor].1, problem: "has postings but no entry row".into() });
            }
            let begin = cursor;
            while cursor < postings.len() && postings[cursor].1 == entry.id {
                cursor += 1;
            }
            let rows = &postings[begin..cursor];
            let phase = Phase::parse(&entry.phase).ok_or_else(|| fail(format!("has unknown phase {:?}", entry.phase)))?;
            let kind = EntryKind::parse(&entry.kind).ok_or_else(|| fail(format!("has unknown kind {:?}", entry.kind)))?;
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
                    let k = by_kind.entry((leg.account_id, entry.kind.clone())).or_default();
                    if leg.side == Side::Debit { k.0 += cents } else { k.1 += cents }
                    let c = per_currency.entry(accounts[&leg.account_id].currency.clone()).or_default();
                    if leg.side == Side::Debit { c.0 += i128::from(cents) } else { c.1 += i128::from(cents) }
                }
            }
            spent.add_entry(kind, phase, entry.grant_id, entry.effective_on, legs.iter().map(|l| (&accounts[&l.account_id], l.side, l.amount.cents())), &places);
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

    // The per-kind totals the figures read, against the same fold (rows of nothing are allowed).
    let stored: Vec<(i64, String, i64, i64)> = ledger_kind_totals::table
        .select((ledger_kind_totals::account_id, ledger_kind_totals::kind, ledger_kind_totals::debits, ledger_kind_totals::credits))
        .load(conn)?;
    let mut stored: BTreeMap<(i64, String), (i64, i64)> = stored.into_iter().map(|(a, k, d, c)| ((a, k), (d, c))).collect();
    for ((account_id, kind), folded_sums) in &by_kind {
        let found = stored.remove(&(*account_id, kind.clone())).unwrap_or_default();
        if found != *folded_sums {
            let code = accounts.get(account_id).map_or_else(|| account_id.to_string(), |a| a.code.clone());
            return Err(VerifyError::Account {
                code,
                problem: format!(
                    "stored {kind} totals (debits {}, credits {}) differ from its postings (debits {}, credits {})",
                    Amount::from_cents(found.0),
                    Amount::from_cents(found.1),
                    Amount::from_cents(folded_sums.0),
                    Amount::from_cents(folded_sums.1)
                ),
            });
        }
    }
    if let Some(((account_id, kind), (debits, credits))) = stored.into_iter().find(|(_, sums)| *sums != (0, 0)) {
        let code = accounts.get(&account_id).map_or_else(|| account_id.to_string(), |a| a.code.clone());
        return Err(VerifyError::Account { code, problem: format!("stored {kind} totals (debits {}, credits {}) have no postings", Amount::from_cents(debits), Amount::from_cents(credits)) });
    }

    // The spend the reports read, against the same fold (rows of nothing are allowed).
    let stored: Vec<(i64, i64, String, chrono::NaiveDate, i64, i64)> = spend_days::table
        .select((spend_days::programme_id, spend_days::account_id, spend_days::hardware_kind, spend_days::day, spend_days::debits, spend_days::credits))
        .load(conn)?;
    let mut stored: BTreeMap<SpendKey, (i64, i64)> =
        stored.into_iter().map(|(programme_id, account_id, hardware_kind, day, d, c)| (SpendKey { programme_id, account_id, hardware_kind, day }, (d, c))).collect();
    let spend_problem = |key: &SpendKey, what: String| VerifyError::Account {
        code: accounts.get(&key.account_id).map_or_else(|| key.account_id.to_string(), |a| a.code.clone()),
        problem: format!("stored spend of programme {} on {} for {} {what}", key.programme_id, key.hardware_kind, key.day),
    };
    for (key, folded_sums) in &spent.0 {
        let found = stored.remove(key).unwrap_or_default();
        if found != *folded_sums {
            return Err(spend_problem(
                key,
                format!(
                    "(debits {}, credits {}) differs from its postings (debits {}, credits {})",
                    Amount::from_cents(found.0),
                    Amount::from_cents(found.1),
                    Amount::from_cents(folded_sums.0),
                    Amount::from_cents(folded_sums.1)
                ),
            ));
        }
    }
    if let Some((key, (debits, credits))) = stored.into_iter().find(|(_, sums)| *sums != (0, 0)) {
        return Err(spend_problem(&key, format!("(debits {}, credits {}) has no postings", Amount::from_cents(debits), Amount::from_cents(credits))));
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

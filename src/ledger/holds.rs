//! Two-phase transfers: reserve funds now, post or release them later, exactly once.

use super::entries::{entries_by_id, legs_by_entry};
use super::model::decode;
use super::post::{known_keys, lock_head, write, Draft};
use super::{EntryKind, LedgerError, Leg, Links, NewEntry, Phase, Posted, Side};
use crate::db::{AnyConnection, CHUNK_ROWS};
use crate::db::schema::ledger_entries;
use crate::domain::clock;
use crate::money::Amount;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// Reserves funds: the entry's postings count in the accounts' pending totals (and so against
/// their limits) until the hold is posted, voided or expires.
pub fn hold(conn: &mut AnyConnection, entry: &NewEntry, expires_at: Option<NaiveDateTime>) -> Result<Posted, LedgerError> {
    Ok(hold_many(conn, &[(entry, expires_at)])?[0])
}

/// Reserves funds for many entries at once, all or none, in order (as [`super::post_many`]):
/// one lock, one read of the accounts, multi-row inserts however many holds there are.
pub fn hold_many(conn: &mut AnyConnection, holds: &[(&NewEntry, Option<NaiveDateTime>)]) -> Result<Vec<Posted>, LedgerError> {
    let drafts = holds.iter().map(|(entry, expires_at)| Draft { entry, phase: Phase::Pending, resolves: None, expires_at: *expires_at, releases: Vec::new() }).collect();
    write(conn, drafts)
}

/// How a hold is resolved.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Post the whole hold, or only `Some(amount)` of a two-posting hold (the rest is released).
    Post(Option<Amount>),
    Void,
}

/// One hold to resolve, and the idempotency key of its resolution.
#[derive(Debug, Clone)]
pub struct HoldResolution<'a> {
    pub hold_id: i64,
    pub resolution: Resolution,
    pub idempotency_key: &'a str,
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
    Ok(resolve_holds(conn, &[HoldResolution { hold_id, resolution, idempotency_key }], actor)?[0])
}

/// Resolves many holds at once, all or none: the holds, their postings, earlier resolutions
/// and replays are each read once for the whole batch, and the resolutions written as one
/// batch, so an invoice over thousands of grants costs a handful of round trips. Each hold is
/// checked as [`resolve_hold`] checks it, in order; the first error wins. A hold named twice
/// with the same key is one resolution (a replay); with two keys the batch is refused and
/// nothing is written (the second finds no legs left to post, or the one-resolution index
/// refuses it).
pub fn resolve_holds(conn: &mut AnyConnection, wanted: &[HoldResolution<'_>], actor: &str) -> Result<Vec<Posted>, LedgerError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    lock_head(conn)?;
    let ids: Vec<i64> = wanted.iter().map(|w| w.hold_id).collect();
    let held_by_id = entries_by_id(conn, &ids)?;
    let mut legs_by_id = legs_by_entry(conn, &ids)?;
    let mut planned = Vec::with_capacity(wanted.len());
    for w in wanted {
        let held = held_by_id.get(&w.hold_id).ok_or(LedgerError::NotAHold(w.hold_id))?;
        if decode::<Phase>("ledger_entries.phase", &held.phase)? != Phase::Pending {
            return Err(LedgerError::NotAHold(w.hold_id));
        }
        let legs = legs_by_id.remove(&w.hold_id).unwrap_or_default();
        let (phase, new_legs) = resolved_legs(w.hold_id, &w.resolution, &legs)?;
        let new_entry = NewEntry {
            idempotency_key: w.idempotency_key.to_string(),
            kind: decode::<EntryKind>("ledger_entries.kind", &held.kind)?,
            description: match phase {
                Phase::VoidPending => format!("Release of hold #{}", w.hold_id),
                _ => format!("Posting of hold #{}", w.hold_id),
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
        planned.push((new_entry, phase, legs, held.expires_at));
    }
    let drafts: Vec<Draft<'_>> = planned
        .iter()
        .zip(wanted)
        .map(|((entry, phase, legs, _), w)| Draft { entry, phase: *phase, resolves: Some(w.hold_id), expires_at: None, releases: legs.clone() })
        .collect();
    // A replay of this very resolution is answered before the expiry and "already resolved"
    // checks: a client retrying after a lost reply gets its first answer.
    let keys: Vec<&str> = wanted.iter().map(|w| w.idempotency_key).collect();
    let known = known_keys(conn, &keys)?;
    let resolvers = resolvers_of(conn, &ids)?;
    let now = clock::now();
    let mut results: Vec<Option<Posted>> = vec![None; drafts.len()];
    let mut fresh = Vec::with_capacity(drafts.len());
    for (i, draft) in drafts.into_iter().enumerate() {
        if let Some((entry_id, stored)) = known.get(&draft.entry.idempotency_key) {
            if *stored != draft.payload_hash() {
                return Err(LedgerError::IdempotencyConflict(draft.entry.idempotency_key.clone()));
            }
            results[i] = Some(Posted { entry_id: *entry_id, replayed: true });
            continue;
        }
        let hold_id = wanted[i].hold_id;
        if let Some(by) = resolvers.get(&hold_id) {
            return Err(LedgerError::AlreadyResolved(hold_id, *by));
        }
        if let Some(expires_at) = planned[i].3 {
            if expires_at <= now && draft.phase == Phase::PostPending {
                return Err(LedgerError::HoldExpired(hold_id, expires_at));
            }
        }
        fresh.push((i, draft));
    }
    let (places, drafts): (Vec<usize>, Vec<Draft<'_>>) = fresh.into_iter().unzip();
    for (i, posted) in places.into_iter().zip(write(conn, drafts)?) {
        results[i] = Some(posted);
    }
    Ok(results.into_iter().flatten().collect())
}

/// What resolving a hold with these legs posts: the phase and the new legs (none for a void).
fn resolved_legs(hold_id: i64, resolution: &Resolution, legs: &[Leg]) -> Result<(Phase, Vec<Leg>), LedgerError> {
    Ok(match resolution {
        Resolution::Void => (Phase::VoidPending, Vec::new()),
        Resolution::Post(None) => (Phase::PostPending, legs.to_vec()),
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
    })
}

/// The entries that resolved any of these holds, by hold.
fn resolvers_of(conn: &mut AnyConnection, hold_ids: &[i64]) -> Result<HashMap<i64, i64>, LedgerError> {
    let mut found = HashMap::new();
    for chunk in hold_ids.chunks(CHUNK_ROWS) {
        let rows: Vec<(Option<i64>, i64)> = ledger_entries::table
            .filter(ledger_entries::resolves_entry_id.eq_any(chunk))
            .select((ledger_entries::resolves_entry_id, ledger_entries::id))
            .load(conn)?;
        found.extend(rows.into_iter().filter_map(|(hold, id)| hold.map(|h| (h, id))));
    }
    Ok(found)
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
    for chunk in ids.chunks(CHUNK_ROWS) {
        let rows: Vec<Option<i64>> = ledger_entries::table
            .filter(ledger_entries::resolves_entry_id.eq_any(chunk))
            .select(ledger_entries::resolves_entry_id)
            .load(conn)?;
        resolved.extend(rows.into_iter().flatten());
    }
    let due: Vec<_> = candidates.into_iter().filter(|c| !resolved.contains(&c.0)).collect();
    let due_ids: Vec<i64> = due.iter().map(|c| c.0).collect();
    let mut legs_by_id = legs_by_entry(conn, &due_ids)?;
    let mut owned = Vec::with_capacity(due.len());
    for (hold_id, kind, programme_id, grant_id) in &due {
        let legs = legs_by_id.remove(hold_id).unwrap_or_default();
        owned.push((
            NewEntry {
                idempotency_key: format!("expire:{hold_id}"),
                kind: decode::<EntryKind>("ledger_entries.kind", kind)?,
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

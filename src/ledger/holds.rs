//! Two-phase transfers: reserve funds now, post or release them later, exactly once.

use super::entries::{entry, legs_of};
use super::model::decode;
use super::post::{find_replay, lock_head, write, Draft};
use super::{EntryKind, LedgerError, Leg, Links, NewEntry, Phase, Posted, Side};
use crate::db::{AnyConnection, CHUNK_ROWS};
use crate::db::schema::ledger_entries;
use crate::domain::clock;
use crate::money::Amount;
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
    if decode::<Phase>("ledger_entries.phase", &held.phase)? != Phase::Pending {
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
        kind: decode::<EntryKind>("ledger_entries.kind", &held.kind)?,
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
    let mut owned = Vec::with_capacity(due.len());
    for (hold_id, kind, programme_id, grant_id) in &due {
        let legs = legs_of(conn, *hold_id)?;
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

fn resolved_by(conn: &mut AnyConnection, hold_id: i64) -> Result<Option<i64>, LedgerError> {
    Ok(ledger_entries::table
        .filter(ledger_entries::resolves_entry_id.eq(hold_id))
        .select(ledger_entries::id)
        .first(conn)
        .optional()?)
}

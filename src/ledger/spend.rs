//! Spend, kept as the ledger posts it: what providers were paid from grants, per programme,
//! provider payable account, hardware kind and ledger day (`spend_days`).
//!
//! Spend is the posted movement of a provider's payable account by an entry of a grant whose
//! kind is usage, a credit note or a reversal of either: usage holds count when the funder
//! approves them (posted in full or in part), a credit note returns spend to the grant. The
//! grant gives the programme and, through its application, the hardware kind (fixed once the
//! grant exists: an application is edited only before it is awarded). Reports read these rows
//! (`domain::spending`) instead of every usage posting; `verify` recomputes them.

use super::{Account, EntryKind, Phase, Side};
use crate::db::schema::{applications, grants};
use crate::db::{AnyConnection, CHUNK_ROWS};
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// The kinds of entry that move spend.
pub const SPEND_KINDS: [EntryKind; 3] = [EntryKind::Usage, EntryKind::CreditNote, EntryKind::Reversal];

/// Whether an entry of this kind and phase moves spend (on the accounts that count).
pub fn is_spend(kind: EntryKind, phase: Phase) -> bool {
    phase.moves_posted() && SPEND_KINDS.contains(&kind)
}

/// Whether postings to this account count as spend: a provider's payable account.
pub fn counts_as_spend(owner_kind: &str, purpose: &str) -> bool {
    owner_kind == "provider" && purpose == "payable"
}

/// Where a grant's spend is reported: its programme and its application's hardware kind.
pub type GrantPlaces = HashMap<i64, (i64, String)>;

/// The places of the given grants (unknown ids are left out).
pub fn grant_places(conn: &mut AnyConnection, grant_ids: &[i64]) -> QueryResult<GrantPlaces> {
    let mut places = GrantPlaces::with_capacity(grant_ids.len());
    for chunk in grant_ids.chunks(CHUNK_ROWS) {
        let rows: Vec<(i64, i64, String)> = grants::table
            .inner_join(applications::table.on(applications::id.eq(grants::application_id)))
            .filter(grants::id.eq_any(chunk))
            .select((grants::id, grants::programme_id, applications::hardware))
            .load(conn)?;
        places.extend(rows.into_iter().map(|(grant, programme, hardware)| (grant, (programme, hardware))));
    }
    Ok(places)
}

/// Every grant's place, for `verify` (the same reading as [`grant_places`], a thousand at a time).
pub fn all_grant_places(conn: &mut AnyConnection) -> QueryResult<GrantPlaces> {
    let ids: Vec<i64> = grants::table.select(grants::id).load(conn)?;
    grant_places(conn, &ids)
}

/// One row of `spend_days`: its key and the posted movements added to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpendKey {
    pub programme_id: i64,
    pub account_id: i64,
    pub hardware_kind: String,
    pub day: NaiveDate,
}

/// Sums of spend postings by row, debits then credits.
#[derive(Debug, Default)]
pub struct SpendSums(pub BTreeMap<SpendKey, (i64, i64)>);

impl SpendSums {
    /// Adds one entry's legs when the entry moves spend; legs on other accounts are left out.
    pub fn add_entry<'a>(
        &mut self,
        kind: EntryKind,
        phase: Phase,
        grant_id: Option<i64>,
        day: NaiveDate,
        legs: impl IntoIterator<Item = (&'a Account, Side, i64)>,
        places: &GrantPlaces,
    ) {
        if !is_spend(kind, phase) {
            return;
        }
        let Some((programme_id, hardware)) = grant_id.and_then(|g| places.get(&g)) else { return };
        for (account, side, cents) in legs {
            if !counts_as_spend(&account.owner_kind, &account.purpose) {
                continue;
            }
            let key = SpendKey { programme_id: *programme_id, account_id: account.id, hardware_kind: hardware.clone(), day };
            let sums = self.0.entry(key).or_default();
            // Every leg was added to its account's totals with checked arithmetic already.
            match side {
                Side::Debit => sums.0 = sums.0.saturating_add(cents),
                Side::Credit => sums.1 = sums.1.saturating_add(cents),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::chart;

    #[test]
    fn a_providers_payable_account_is_the_one_that_counts() {
        let payable = chart::provider_payable(7, "EUR");
        assert!(counts_as_spend(payable.owner_kind, payable.purpose));
        let credits = chart::grant_credits("G-1", 1, "EUR");
        assert!(!counts_as_spend(credits.owner_kind, credits.purpose));
    }

    #[test]
    fn only_posted_usage_credit_notes_and_reversals_are_spend() {
        assert!(is_spend(EntryKind::Usage, Phase::PostPending));
        assert!(is_spend(EntryKind::CreditNote, Phase::Posted));
        assert!(is_spend(EntryKind::Reversal, Phase::Posted));
        assert!(!is_spend(EntryKind::Usage, Phase::Pending));
        assert!(!is_spend(EntryKind::Usage, Phase::VoidPending));
        assert!(!is_spend(EntryKind::Settlement, Phase::Posted));
        assert!(!is_spend(EntryKind::Award, Phase::Posted));
    }
}

//! Where a programme's credits went, read from the ledger.

use crate::db::AnyConnection;
use crate::db::schema::organisations;
use crate::domain::identity::Member;
use crate::domain::error::DomainResult;
use crate::domain::grants::{self, Grant};
use crate::ledger;
use crate::domain::programmes::{self, Programme};
use crate::money::Amount;
use diesel::prelude::*;

pub struct GrantLine {
    pub grant: Grant,
    pub startup_name: String,
    pub awarded: Amount,
    pub spent: Amount,
    pub balance: Amount,
}

pub struct ProgrammeReport {
    pub programme: Programme,
    pub budget: Amount,
    pub awarded: Amount,
    pub spent: Amount,
    /// Budget not yet awarded.
    pub unawarded: Amount,
    /// Awarded credit not yet spent.
    pub unspent: Amount,
    pub grants: Vec<GrantLine>,
}

pub fn programme_report(conn: &mut AnyConnection, viewer: &Member, programme_id: crate::domain::ProgrammeId) -> DomainResult<ProgrammeReport> {
    let programme = programmes::visible_to(conn, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(crate::domain::error::DomainError::NotFound);
    }
    let mut lines = Vec::new();
    let (mut awarded, mut spent, mut unspent) = (Amount::ZERO, Amount::ZERO, Amount::ZERO);
    // Accounts and names in a few queries, not two per grant.
    let programme_grants = grants::grants_of_programme(conn, programme.id)?;
    let codes: Vec<String> = programme_grants.iter().map(|g| g.credits_account_code()).collect();
    let accounts = ledger::accounts_by_codes(conn, &codes)?;
    let startup_ids: Vec<crate::domain::OrgId> = programme_grants.iter().map(|g| g.startup_id).collect();
    let mut names: std::collections::HashMap<crate::domain::OrgId, String> = std::collections::HashMap::new();
    for chunk in startup_ids.chunks(crate::db::CHUNK_ROWS) {
        let rows: Vec<(crate::domain::OrgId, String)> = organisations::table.filter(organisations::id.eq_any(chunk)).select((organisations::id, organisations::name)).load(conn)?;
        names.extend(rows);
    }
    for (grant, code) in programme_grants.into_iter().zip(codes) {
        let account = accounts.get(&code);
        let (credits, debits, balance) = account
            .map(|a| (Amount::from_cents(a.credits_posted), Amount::from_cents(a.debits_posted), a.available()))
            .unwrap_or_default();
        awarded = awarded.checked_add(credits).map_err(ledger::LedgerError::from)?;
        spent = spent.checked_add(debits).map_err(ledger::LedgerError::from)?;
        unspent = unspent.checked_add(balance).map_err(ledger::LedgerError::from)?;
        let startup_name = names.get(&grant.startup_id).cloned().unwrap_or_default();
        lines.push(GrantLine { grant, startup_name, awarded: credits, spent: debits, balance });
    }
    let unawarded = programmes::available(conn, &programme)?;
    Ok(ProgrammeReport { budget: programme.budget(), programme, awarded, spent, unawarded, unspent, grants: lines })
}

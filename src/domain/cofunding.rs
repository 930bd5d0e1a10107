//! Co-funding: several funders commit budget to one programme, each from its own commitments
//! account. The programme's funder (its lead) invites another funder; that funder's owners and
//! programme managers commit an amount, which is posted in one balanced entry
//! (`funder:F:commitments` → `programme:P:available`) and raises the programme's budget. The
//! lead keeps running the programme (decisions, reviews, reports); a co-funder sees the
//! programme and every funder's share.

use crate::db::AnyConnection;
use crate::db::schema::{organisations, programme_cofunders, programmes as programme_rows};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{OrgId, ProgrammeId};
use crate::domain::programmes::{self, Programme, ProgrammeStatus};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side, chart};
use crate::messages::Message;
use crate::money::Amount;
use diesel::prelude::*;
use rust_decimal::Decimal;

/// One funder's part of a programme's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub funder_id: OrgId,
    pub name: String,
    /// The programme's own funder (the rest of the budget is its).
    pub lead: bool,
    pub amount: Amount,
    /// Of the whole budget, in percent, rounded to one decimal.
    pub percent: Decimal,
    /// Invited and not yet committing anything.
    pub invited_only: bool,
}

/// Whether `funder` was invited to co-fund `programme`.
pub fn is_cofunder(conn: &mut AnyConnection, programme: ProgrammeId, funder: OrgId) -> DomainResult<bool> {
    let n: i64 = programme_cofunders::table
        .filter(programme_cofunders::programme_id.eq(programme))
        .filter(programme_cofunders::funder_id.eq(funder))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every funder invited to co-fund the programme, committed or not.
pub fn cofunder_ids(conn: &mut AnyConnection, programme: ProgrammeId) -> DomainResult<Vec<OrgId>> {
    Ok(programme_cofunders::table.filter(programme_cofunders::programme_id.eq(programme)).select(programme_cofunders::funder_id).order(programme_cofunders::funder_id).load(conn)?)
}

/// The lead invites the funder named `name` (exactly, any case) to co-fund its programme, a
/// draft or open one.
pub fn invite(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, name: &str) -> DomainResult<OrgId> {
    let programme = programmes::managed_by(conn, by, id)?;
    if !matches!(programme.status, ProgrammeStatus::Draft | ProgrammeStatus::Open) {
        return Err(DomainError::Conflict(Message::new("cofund-programme-not-open")));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("cofunder", Message::new("cofund-name-missing")));
    }
    let funders: Vec<(OrgId, String)> = organisations::table
        .filter(organisations::kind.eq(OrgKind::Funder.as_str()))
        .select((organisations::id, organisations::name))
        .load(conn)?;
    let Some((funder, _)) = funders.into_iter().find(|(_, n)| n.to_lowercase() == name.to_lowercase()) else {
        return Err(DomainError::invalid("cofunder", Message::new("cofund-no-such-funder").with("name", name)));
    };
    if funder == programme.funder_id {
        return Err(DomainError::invalid("cofunder", Message::new("cofund-self")));
    }
    if is_cofunder(conn, id, funder)? {
        return Err(DomainError::invalid("cofunder", Message::new("cofund-already-invited").with("name", name)));
    }
    diesel::insert_into(programme_cofunders::table)
        .values((
            programme_cofunders::programme_id.eq(id),
            programme_cofunders::funder_id.eq(funder),
            programme_cofunders::invited_by.eq(by.user.id),
            programme_cofunders::invited_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(funder)
}

/// An invited funder commits `amount` of its own budget to an open programme: one balanced
/// entry from its commitments, the programme's budget raised by as much, in one transaction.
pub fn commit(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, amount: Amount) -> DomainResult<Programme> {
    let programme = programmes::get(conn, id)?;
    if by.kind() != OrgKind::Funder || !is_cofunder(conn, id, by.org_id())? {
        return Err(DomainError::NotFound);
    }
    if programme.status != ProgrammeStatus::Open {
        return Err(DomainError::Conflict(Message::new("cofund-programme-not-open")));
    }
    if !amount.is_positive() {
        return Err(DomainError::invalid("amount", Message::new("cofund-amount-positive")));
    }
    let funder = by.org_id();
    crate::db::write_transaction(conn, |conn| {
        let committed: i64 = programme_cofunders::table
            .filter(programme_cofunders::programme_id.eq(id))
            .filter(programme_cofunders::funder_id.eq(funder))
            .select(programme_cofunders::committed)
            .first(conn)?;
        let total = committed.checked_add(amount.cents()).ok_or_else(|| DomainError::invalid("amount", Message::new("amount-too-large")))?;
        let budget = programme.budget.checked_add(amount.cents()).ok_or_else(|| DomainError::invalid("amount", Message::new("amount-too-large")))?;
        // Guarded on the values read: a concurrent commitment or raise makes this one retry.
        let moved = diesel::update(programme_cofunders::table.filter(programme_cofunders::programme_id.eq(id)).filter(programme_cofunders::funder_id.eq(funder)).filter(programme_cofunders::committed.eq(committed)))
            .set(programme_cofunders::committed.eq(total))
            .execute(conn)?;
        let raised = diesel::update(programme_rows::table.filter(programme_rows::id.eq(id)).filter(programme_rows::budget.eq(programme.budget))).set(programme_rows::budget.eq(budget)).execute(conn)?;
        if moved == 0 || raised == 0 {
            return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
        }
        let commitments = ledger::open_account(conn, &chart::funder_commitments(funder.get(), &programme.currency))?;
        let available = ledger::open_account(conn, &chart::programme_available(id.get(), &programme.currency))?;
        ledger::post(
            conn,
            &NewEntry {
                // The running total makes each commitment its own event, and a retry of the same one post once.
                idempotency_key: format!("cofund:programme:{id}:funder:{funder}:to:{total}"),
                kind: EntryKind::Fund,
                description: format!("Co-funding of programme “{}” by {}", programme.name, by.organisation.name),
                effective_on: clock::today(),
                actor: by.actor(),
                links: Links { programme_id: Some(id.get()), ..Links::default() },
                legs: vec![Leg { account_id: commitments.id, side: Side::Debit, amount }, Leg { account_id: available.id, side: Side::Credit, amount }],
            },
        )?;
        programmes::get(conn, id)
    })
}

/// Every funder's share of the programme's budget: the lead's (the budget less the
/// co-funders' commitments) first, then each co-funder's, invited ones included at zero.
pub fn shares(conn: &mut AnyConnection, programme: &Programme) -> DomainResult<Vec<Share>> {
    let lead_name: String = organisations::table.find(programme.funder_id).select(organisations::name).first(conn).or_not_found()?;
    let cofunders: Vec<(OrgId, String, i64)> = programme_cofunders::table
        .inner_join(organisations::table.on(organisations::id.eq(programme_cofunders::funder_id)))
        .filter(programme_cofunders::programme_id.eq(programme.id))
        .order(organisations::name)
        .select((programme_cofunders::funder_id, organisations::name, programme_cofunders::committed))
        .load(conn)?;
    let cofunded: i64 = cofunders.iter().try_fold(0i64, |sum, (_, _, c)| sum.checked_add(*c)).ok_or_else(|| DomainError::Internal("co-funding total out of range".into()))?;
    let lead = programme.budget.checked_sub(cofunded).ok_or_else(|| DomainError::Internal("co-funding total out of range".into()))?;
    let percent = |cents: i64| percent_of(cents, programme.budget);
    let mut out = vec![Share { funder_id: programme.funder_id, name: lead_name, lead: true, amount: Amount::from_cents(lead), percent: percent(lead), invited_only: false }];
    for (funder_id, name, committed) in cofunders {
        out.push(Share { funder_id, name, lead: false, amount: Amount::from_cents(committed), percent: percent(committed), invited_only: committed == 0 });
    }
    Ok(out)
}

/// `part` of `whole` in percent, rounded half to even to one decimal; zero of nothing.
pub fn percent_of(part: i64, whole: i64) -> Decimal {
    if whole <= 0 {
        return Decimal::ZERO;
    }
    let mut percent = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(1);
    // Always one decimal shown, 50.0 as 33.3.
    percent.rescale(1);
    percent
}

#[cfg(test)]
mod tests {
    use super::percent_of;

    #[test]
    fn shares_are_percent_of_the_budget_to_one_decimal() {
        assert_eq!(percent_of(1, 3).to_string(), "33.3");
        assert_eq!(percent_of(2, 3).to_string(), "66.7");
        assert_eq!(percent_of(50_000_00, 150_000_00).to_string(), "33.3");
        assert_eq!(percent_of(5, 10).to_string(), "50.0");
        assert_eq!(percent_of(5, 0), rust_decimal::Decimal::ZERO, "no budget, no share");
    }
}

//! The reserved quota for small structures (issue 10, the founding idea of the project): a share
//! of a programme's budget is reserved for micro and small enterprises; medium-sized and large
//! ones (and those whose category cannot be told) draw only on the rest.
//!
//! # The rule
//!
//! * The share is a programme setting in basis points (10 000 = 100 %), set while a draft and
//!   fixed once the programme opens: raising it would take budget from medium enterprises that
//!   already count on the rest, lowering it would take it from small ones.
//! * The reserved pot is `budget × share` (rounded down to the cent: the rest gets the odd cent);
//!   the rest is `budget − reserved`. Being a share, both follow top-ups and co-funding.
//! * What is drawn is what is offered and not yet answered plus what was accepted: applications
//!   `offered` or `approved`, for their `approved_amount`. A declined, lapsed, rejected or
//!   withdrawn application draws nothing, so its amount returns to its pot by itself.
//! * Offers to micro and small enterprises draw on the reserved pot first, then on the rest;
//!   offers to any other draw only on the rest. The category is the one recorded with the
//!   application when it was approved (`applications.quota_category`), so a later profile edit
//!   does not move a past award between pots.
//!
//! # Enforcement
//!
//! [`check_offer`] runs in the offer's write transaction (`offers::commit`), after taking the
//! programme row's lock ([`lock_programme`]): two approvals of the same programme on PostgreSQL
//! are serialised there, so the second reads what the first drew (SQLite's `BEGIN IMMEDIATE`
//! already serialises writers). Raising the budget and co-funding update the same row, so the
//! budget read under the lock is the one the offer is checked against.

use crate::db::AnyConnection;
use crate::db::schema::{applications, programmes};
use crate::domain::applications::ApplicationStatus;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::eu::sme::SmeCategory;
use crate::domain::ids::{ApplicationId, ProgrammeId};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use diesel::prelude::*;

/// 100 %, in basis points.
pub const FULL_SHARE_BP: i32 = 10_000;

/// Whether an enterprise of `category` may draw on the reserved pot: micro and small ones only;
/// an unknown category is not presumed small (it could be anything).
pub fn draws_on_reserve(category: Option<SmeCategory>) -> bool {
    matches!(category, Some(SmeCategory::Micro | SmeCategory::Small))
}

/// A programme's two pots: what each holds, what is drawn on each and what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pots {
    /// The reserved share, in basis points (0: no quota).
    pub share_bp: i32,
    pub reserved_total: Amount,
    pub reserved_drawn: Amount,
    pub rest_total: Amount,
    pub rest_drawn: Amount,
}

/// One pot for display and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pot {
    pub total: Amount,
    pub drawn: Amount,
    pub left: Amount,
}

impl Pots {
    /// The pots of a budget of `budget` cents with `share_bp` reserved, given what micro and
    /// small enterprises (`small_drawn`) and all others (`other_drawn`) have drawn, in cents.
    /// `None` when the figures are out of range (a negative budget or drawn amount, a share
    /// outside 0..=100 %): never a panic.
    pub fn compute(budget: i64, share_bp: i32, small_drawn: i64, other_drawn: i64) -> Option<Pots> {
        if budget < 0 || small_drawn < 0 || other_drawn < 0 || !(0..=FULL_SHARE_BP).contains(&share_bp) {
            return None;
        }
        // i128: budget × 10 000 cannot overflow; the quotient is at most the budget.
        let reserved = i64::try_from(i128::from(budget) * i128::from(share_bp) / i128::from(FULL_SHARE_BP)).ok()?;
        let rest = budget.checked_sub(reserved)?;
        // Small ones draw on the reserve first; what they draw beyond it comes out of the rest.
        let reserved_drawn = small_drawn.min(reserved);
        let overflow = small_drawn.checked_sub(reserved_drawn)?;
        let rest_drawn = other_drawn.checked_add(overflow)?;
        Some(Pots {
            share_bp,
            reserved_total: Amount::from_cents(reserved),
            reserved_drawn: Amount::from_cents(reserved_drawn),
            rest_total: Amount::from_cents(rest),
            rest_drawn: Amount::from_cents(rest_drawn),
        })
    }

    pub fn has_quota(&self) -> bool {
        self.share_bp > 0
    }

    fn pot(total: Amount, drawn: Amount) -> Pot {
        let left = total.checked_sub(drawn).ok().filter(|l| !l.is_negative()).unwrap_or(Amount::ZERO);
        Pot { total, drawn, left }
    }

    pub fn reserved(&self) -> Pot {
        Pots::pot(self.reserved_total, self.reserved_drawn)
    }

    pub fn rest(&self) -> Pot {
        Pots::pot(self.rest_total, self.rest_drawn)
    }

    /// The most an offer to an enterprise of `category` may still draw: the reserve's and the
    /// rest's left-overs for a micro or small one, the rest's alone for any other.
    pub fn allowance(&self, category: Option<SmeCategory>) -> Amount {
        let rest = self.rest().left;
        if draws_on_reserve(category) { self.reserved().left.checked_add(rest).unwrap_or(rest) } else { rest }
    }

    /// `Ok` when an offer of `amount` to an enterprise of `category` fits its pots; otherwise
    /// the refusal, on the `amount` field, naming what is still allowed.
    pub fn check(&self, category: Option<SmeCategory>, amount: Amount, currency: &str) -> DomainResult<()> {
        // Without a quota there is one pot, the budget, whose limit the ledger enforces with
        // its own message ("only … left"): a quota refusal would name a quota that is not there.
        if !self.has_quota() {
            return Ok(());
        }
        let allowed = self.allowance(category);
        if amount <= allowed {
            return Ok(());
        }
        let key = if draws_on_reserve(category) { "quota-over-both-pots" } else { "quota-over-rest" };
        Err(DomainError::invalid("amount", Message::new(key).with("left", Arg::money(allowed, currency))))
    }
}

/// The share in percent, exact, without trailing zeros (`60`, `12.5`), for messages.
pub fn share_percent(share_bp: i32) -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(i64::from(share_bp), 2).normalize()
}

/// The share as a percentage text for forms and pages: `60`, `12.5`, `0.25`.
pub fn percent_text(share_bp: i32) -> String {
    let whole = share_bp / 100;
    let part = share_bp % 100;
    match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

/// A percentage as typed (`60`, `60 %`, `12.5`, `12,5`) in basis points, when it is a number
/// from 0 to 100 with at most two decimals; exact (no floating point).
pub fn parse_percent(text: &str) -> Option<i32> {
    let text = text.trim().trim_end_matches('%').trim().replace(',', ".");
    if text.is_empty() || text.len() > 8 {
        return None;
    }
    let (whole, part) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i32 = whole.parse().ok()?;
    let part: i32 = if part.is_empty() { 0 } else { format!("{part:0<2}").parse().ok()? };
    let bp = whole.checked_mul(100)?.checked_add(part)?;
    (0..=FULL_SHARE_BP).contains(&bp).then_some(bp)
}

/// What micro and small enterprises, and all others, have drawn on programme `id` (cents),
/// leaving out application `except` (the one being decided): one row, both sums in SQL.
fn drawn(conn: &mut AnyConnection, id: ProgrammeId, except: Option<ApplicationId>) -> DomainResult<(i64, i64)> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Nullable};
    // The category texts are the enum's own (`SmeCategory::as_str`), never user input.
    let small = format!("applications.quota_category IN ('{}', '{}')", SmeCategory::Micro.as_str(), SmeCategory::Small.as_str());
    let drawing = [ApplicationStatus::Offered.as_str(), ApplicationStatus::Approved.as_str()];
    let mut query = applications::table
        .filter(applications::programme_id.eq(id))
        .filter(applications::status.eq_any(drawing))
        .select((
            sql::<Nullable<BigInt>>(&format!("CAST(SUM(CASE WHEN {small} THEN applications.approved_amount ELSE 0 END) AS BIGINT)")),
            sql::<Nullable<BigInt>>(&format!("CAST(SUM(CASE WHEN {small} THEN 0 ELSE applications.approved_amount END) AS BIGINT)")),
        ))
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(applications::id.ne(except));
    }
    let (small_drawn, other_drawn): (Option<i64>, Option<i64>) = query.first(conn)?;
    Ok((small_drawn.unwrap_or(0), other_drawn.unwrap_or(0)))
}

/// The programme's pots as they stand.
pub fn pots(conn: &mut AnyConnection, programme: &crate::domain::programmes::Programme) -> DomainResult<Pots> {
    let (small, other) = drawn(conn, programme.id, None)?;
    Pots::compute(programme.budget, programme.reserved_share_bp, small, other).ok_or_else(|| DomainError::Internal(format!("programme {} pots out of range", programme.id)))
}

/// Takes the programme row's lock for the rest of the transaction and reads its budget and
/// share as they are now (a no-op update, as the ledger does for its head).
pub fn lock_programme(conn: &mut AnyConnection, id: ProgrammeId) -> DomainResult<(i64, i32)> {
    Ok(diesel::update(programmes::table.find(id))
        .set(programmes::budget.eq(programmes::budget))
        .returning((programmes::budget, programmes::reserved_share_bp))
        .get_result(conn)?)
}

/// Checks, in the offer's transaction and under the programme's lock, that an offer of
/// `amount` on `application` to an enterprise of `category` fits its pots; refused on `amount`
/// with what is left otherwise.
pub fn check_offer(conn: &mut AnyConnection, programme: &crate::domain::programmes::Programme, application: ApplicationId, category: Option<SmeCategory>, amount: Amount) -> DomainResult<Pots> {
    let (budget, share_bp) = lock_programme(conn, programme.id)?;
    let (small, other) = drawn(conn, programme.id, Some(application))?;
    let pots = Pots::compute(budget, share_bp, small, other).ok_or_else(|| DomainError::Internal(format!("programme {} pots out of range", programme.id)))?;
    pots.check(category, amount, &programme.currency)?;
    Ok(pots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(cents: i64) -> Amount {
        Amount::from_cents(cents)
    }

    /// No quota: the pots never refuse (the ledger's budget limit does, with its own message),
    /// even for an amount above what is left.
    #[test]
    fn without_a_quota_the_pots_leave_the_budget_to_the_ledger() {
        let pots = Pots::compute(100_000, 0, 0, 80_000).unwrap();
        assert!(!pots.has_quota());
        assert!(pots.check(Some(SmeCategory::Medium), eur(60_000), "EUR").is_ok());
        assert!(pots.check(None, eur(60_000), "EUR").is_ok());
    }

    /// The example: 60 % of 100 000 reserved, the rest is what is left (40 000).
    #[test]
    fn the_reserved_pot_is_the_budget_times_the_share_and_the_rest_what_is_left() {
        let pots = Pots::compute(100_000_00, 6_000, 0, 0).unwrap();
        assert_eq!(pots.reserved().total, eur(60_000_00));
        assert_eq!(pots.rest().total, eur(40_000_00));
        assert!(pots.has_quota());
        // Rounded down to the cent: the odd cent goes to the rest, the two always add up.
        let odd = Pots::compute(101, 3_333, 0, 0).unwrap();
        assert_eq!(odd.reserved_total.checked_add(odd.rest_total).unwrap(), eur(101));
        assert_eq!(odd.reserved_total, eur(33));
    }

    /// No quota (0 %): everyone draws on one pot, the whole budget.
    #[test]
    fn without_quota_everything_is_the_rest() {
        let pots = Pots::compute(50_000, 0, 10_000, 5_000).unwrap();
        assert!(!pots.has_quota());
        assert_eq!(pots.rest(), Pot { total: eur(50_000), drawn: eur(15_000), left: eur(35_000) });
        assert_eq!(pots.allowance(Some(SmeCategory::Medium)), eur(35_000));
        assert_eq!(pots.allowance(Some(SmeCategory::Micro)), eur(35_000));
    }

    /// Small ones draw on the reserve first, then on the rest: past the reserve they compete
    /// with everyone for the rest.
    #[test]
    fn small_enterprises_draw_on_the_reserve_first_then_the_rest() {
        let pots = Pots::compute(100_000, 6_000, 70_000, 0).unwrap();
        assert_eq!(pots.reserved(), Pot { total: eur(60_000), drawn: eur(60_000), left: eur(0) });
        assert_eq!(pots.rest(), Pot { total: eur(40_000), drawn: eur(10_000), left: eur(30_000) });
        assert_eq!(pots.allowance(Some(SmeCategory::Small)), eur(30_000));
    }

    /// Medium, large and unknown draw only on the rest: the reserve is out of their reach even
    /// when untouched; an unknown category is not presumed small.
    #[test]
    fn others_draw_only_on_the_rest() {
        let pots = Pots::compute(100_000, 6_000, 0, 30_000).unwrap();
        for category in [Some(SmeCategory::Medium), Some(SmeCategory::Large), None] {
            assert_eq!(pots.allowance(category), eur(10_000), "{category:?}");
            assert!(pots.check(category, eur(10_000), "EUR").is_ok());
            let refused = pots.check(category, eur(10_001), "EUR").unwrap_err();
            assert!(matches!(refused, DomainError::Invalid(ref e) if e.0.iter().any(|(f, m)| *f == "amount" && m.key == "quota-over-rest")), "{refused:?}");
        }
        // A small one still has the whole reserve and the rest's left-over.
        assert_eq!(pots.allowance(Some(SmeCategory::Micro)), eur(70_000));
        assert!(pots.check(Some(SmeCategory::Micro), eur(70_001), "EUR").is_err());
    }

    /// Nothing out of range panics: it is refused as `None`.
    #[test]
    fn figures_out_of_range_are_refused_not_panicking() {
        assert!(Pots::compute(-1, 0, 0, 0).is_none());
        assert!(Pots::compute(100, 10_001, 0, 0).is_none());
        assert!(Pots::compute(100, -1, 0, 0).is_none());
        // Small ones past an empty reserve plus the others' draws overflow: refused, not wrapped.
        assert!(Pots::compute(i64::MAX, 0, i64::MAX, 1).is_none());
        let full = Pots::compute(i64::MAX, FULL_SHARE_BP, 0, 0).unwrap();
        assert_eq!(full.rest_total, eur(0));
    }

    /// Percentages are read exactly, to the basis point, and refused outside 0–100 %.
    #[test]
    fn percentages_parse_exactly_within_range() {
        assert_eq!(parse_percent("60"), Some(6_000));
        assert_eq!(parse_percent("60 %"), Some(6_000));
        assert_eq!(parse_percent("12,5"), Some(1_250));
        assert_eq!(parse_percent("0.25"), Some(25));
        assert_eq!(parse_percent("100"), Some(10_000));
        assert_eq!(parse_percent("0"), Some(0));
        for bad in ["101", "-1", "", "abc", "1.234", "1e2", "100.01", "99999999999"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
        for bp in [0, 25, 1_250, 6_000, 10_000] {
            assert_eq!(parse_percent(&percent_text(bp)), Some(bp));
        }
    }
}

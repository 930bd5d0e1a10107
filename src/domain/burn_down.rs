//! A programme's burn-down: what is left of its budget at the end of each month of spending, and
//! when it runs out at the recent pace.
//!
//! "Left" is the budget less what providers were paid for (spent), whether or not it was
//! awarded: the figure a programme manager watches to know when the call runs dry. The pace is
//! the average monthly spend over the last [`PACE_MONTHS`] months up to the current one (fewer
//! when the programme has spent for fewer months), so a one-off large invoice long ago does not
//! skew the projection. Pure: the caller reads the monthly spending (see `spending`).

use crate::money::Amount;
use chrono::{Datelike, Months, NaiveDate};

/// How many months the pace looks back over, the current one included.
pub const PACE_MONTHS: u32 = 3;

/// A projection further out than this is "not in sight" rather than a month.
const HORIZON_MONTHS: i64 = 1200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exhaustion {
    /// Nothing spent in the pace window: nothing to project from.
    NoRecentSpending,
    /// The budget is spent.
    Spent,
    /// At `per_month`, the budget runs out during `month` (its first day).
    Around { month: NaiveDate, per_month: Amount },
    /// More than a century away at the current pace.
    NotInSight { per_month: Amount },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurnDown {
    /// (first day of a month, budget left at its end), oldest first, one per month from the
    /// first month of spending to the current month (months without spending included).
    pub left: Vec<(NaiveDate, Amount)>,
    pub exhaustion: Exhaustion,
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The burn-down of `budget` given its spending per month (first day of month, amount; any
/// order, months may repeat), as of `today`. Months after today's are counted as spent but
/// not drawn. `None` when a sum overflows.
pub fn burn_down(budget: Amount, spending: &[(NaiveDate, Amount)], today: NaiveDate) -> Option<BurnDown> {
    let current = first_of_month(today);
    let mut months: std::collections::BTreeMap<NaiveDate, Amount> = std::collections::BTreeMap::new();
    for (month, amount) in spending {
        let slot = months.entry(first_of_month(*month)).or_insert(Amount::ZERO);
        *slot = slot.checked_add(*amount).ok()?;
    }
    let Some(first) = months.keys().next().copied() else {
        return Some(BurnDown { left: Vec::new(), exhaustion: Exhaustion::NoRecentSpending });
    };
    let mut left = Vec::new();
    let mut remaining = budget;
    let mut month = first;
    // Every month from the first spending to the current one (or the last spending, if later).
    let last = months.keys().next_back().copied().unwrap_or(first).max(current);
    while month <= last {
        remaining = remaining.checked_sub(months.get(&month).copied().unwrap_or(Amount::ZERO)).ok()?;
        if month <= current {
            left.push((month, remaining));
        }
        month = month.checked_add_months(Months::new(1))?;
    }
    if !remaining.is_positive() {
        return Some(BurnDown { left, exhaustion: Exhaustion::Spent });
    }
    let window_start = current.checked_sub_months(Months::new(PACE_MONTHS - 1))?.max(first);
    let mut recent = Amount::ZERO;
    for amount in months.range(window_start..=current).map(|(_, a)| a) {
        recent = recent.checked_add(*amount).ok()?;
    }
    if !recent.is_positive() {
        return Some(BurnDown { left, exhaustion: Exhaustion::NoRecentSpending });
    }
    let months_in_window = i64::from((current.year() - window_start.year()) * 12 + current.month() as i32 - window_start.month() as i32 + 1).max(1);
    let per_month = Amount::from_cents(recent.cents() / months_in_window);
    // The month after the current one in which the last of it is spent.
    let months_ahead = if per_month.is_positive() { remaining.cents().saturating_add(per_month.cents() - 1) / per_month.cents() } else { HORIZON_MONTHS + 1 };
    let exhaustion = if months_ahead > HORIZON_MONTHS {
        Exhaustion::NotInSight { per_month }
    } else {
        let ahead = u32::try_from(months_ahead).ok()?;
        Exhaustion::Around { month: current.checked_add_months(Months::new(ahead))?, per_month }
    };
    Some(BurnDown { left, exhaustion })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn eur(n: i64) -> Amount {
        Amount::from_cents(n * 100)
    }

    #[test]
    fn left_at_the_end_of_each_month_with_gaps_filled() {
        let b = burn_down(eur(1000), &[(day("2026-08-01"), eur(100)), (day("2026-10-01"), eur(200))], day("2026-11-26")).unwrap();
        assert_eq!(b.left, vec![(day("2026-08-01"), eur(900)), (day("2026-09-01"), eur(900)), (day("2026-10-01"), eur(700)), (day("2026-11-01"), eur(700))]);
    }

    #[test]
    fn projects_from_the_last_three_months() {
        // September to November: 300 spent, 100 a month; 400 left after November: December,
        // January, February and March use it up.
        let spending = [(day("2026-01-01"), eur(300)), (day("2026-09-01"), eur(100)), (day("2026-10-01"), eur(150)), (day("2026-11-01"), eur(50))];
        let b = burn_down(eur(1000), &spending, day("2026-11-26")).unwrap();
        assert_eq!(b.left.last(), Some(&(day("2026-11-01"), eur(400))));
        assert_eq!(b.exhaustion, Exhaustion::Around { month: day("2027-03-01"), per_month: eur(100) });
    }

    #[test]
    fn a_young_programme_is_judged_over_its_own_months() {
        // Spending began last month: 2 months, 400 in all, 200 a month; 650 left: gone in the
        // fourth month after this one.
        let b = burn_down(eur(1050), &[(day("2026-10-01"), eur(300)), (day("2026-11-01"), eur(100))], day("2026-11-02")).unwrap();
        assert_eq!(b.exhaustion, Exhaustion::Around { month: day("2027-03-01"), per_month: eur(200) });
    }

    #[test]
    fn spent_quiet_and_far_away() {
        assert_eq!(burn_down(eur(100), &[(day("2026-11-01"), eur(100))], day("2026-11-26")).unwrap().exhaustion, Exhaustion::Spent);
        assert_eq!(burn_down(eur(100), &[(day("2025-01-01"), eur(10))], day("2026-11-26")).unwrap().exhaustion, Exhaustion::NoRecentSpending);
        assert_eq!(burn_down(eur(100), &[], day("2026-11-26")).unwrap(), BurnDown { left: vec![], exhaustion: Exhaustion::NoRecentSpending });
        let far = burn_down(Amount::from_cents(i64::MAX / 2), &[(day("2026-11-01"), Amount::from_cents(3))], day("2026-11-26")).unwrap();
        assert_eq!(far.exhaustion, Exhaustion::NotInSight { per_month: Amount::from_cents(3) });
    }
}

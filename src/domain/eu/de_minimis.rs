//! De minimis aid per Commission Regulation (EU) 2023/2831.
//!
//! - Art. 3(2): the total de minimis aid granted per Member State to a single undertaking shall
//!   not exceed EUR 300 000 over any period of three years. The ceiling and the period are
//!   [`Rules`] (settings `DE_MINIMIS_CEILING`, `DE_MINIMIS_YEARS`), since regulations change.
//! - Art. 3(3): aid is granted at the moment the legal right to receive it is conferred: here,
//!   the funder's award. That fixes *when* an award counts (its day starts the three years),
//!   whatever is drawn later. *How much* counts: a grant still running counts its whole award,
//!   since all of it may yet be drawn; a grant that ended (expired or revoked) counts the credits
//!   its startup drew — spent, or held for an invoice awaiting approval — since credits that
//!   lapsed or were taken back unused were never received. The same rule for both ends, so that
//!   a revocation neither hides aid used nor costs more headroom than an expiry. The register
//!   export keeps the amount as awarded (the record made at the award); a funder corrects its
//!   national register for an ended grant as for any aid reduced after it was granted.
//! - Art. 2(2): a *single undertaking* includes the enterprises linked to it (majority of
//!   voting rights, of board appointments, dominant influence): the caller gathers their aid.
//! - Art. 3(2), "any period of three years": the window is rolling. For an award on day D it
//!   holds aid granted from D − 3 years + 1 day to D inclusive (the three years ending on D).
//! - Art. 3(5)/(6) (what happens to aid above the ceiling, mergers and splits) and Art. 5
//!   (cumulation with other aid) are not modelled: an award that would cross the ceiling is
//!   refused whole.

use crate::money::Amount;
use chrono::{Months, NaiveDate};

/// The regulation's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// In euro cents.
    pub ceiling: Amount,
    pub years: u32,
}

/// Art. 3(2): EUR 300 000 over three years.
pub const REGULATION: &str = "2023/2831";

impl Default for Rules {
    fn default() -> Rules {
        Rules { ceiling: Amount::from_cents(300_000 * 100), years: 3 }
    }
}

/// Where an aid counted in the window comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AidSource {
    /// Declared by the undertaking: the granting body's name.
    Declared { granting_body: String },
    /// An award on this platform: the grant's code.
    Platform { grant_code: String },
}

/// One de minimis aid received by the single undertaking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aid {
    pub granted_on: NaiveDate,
    /// In euro cents.
    pub amount: Amount,
    pub source: AidSource,
    /// The undertaking's member that received it (its name).
    pub beneficiary: String,
}

impl Aid {
    /// The granting body of a declared aid.
    pub fn granting_body(&self) -> Option<&str> {
        match &self.source {
            AidSource::Declared { granting_body } => Some(granting_body),
            AidSource::Platform { .. } => None,
        }
    }

    /// The grant of an award made on the platform.
    pub fn grant_code(&self) -> Option<&str> {
        match &self.source {
            AidSource::Platform { grant_code } => Some(grant_code),
            AidSource::Declared { .. } => None,
        }
    }
}

/// What the window holds, and room left under the ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// First day of the window (inclusive).
    pub window_from: NaiveDate,
    /// Last day of the window: the award date (inclusive).
    pub window_to: NaiveDate,
    /// The aid in the window, oldest first.
    pub counted: Vec<Aid>,
    pub aid_in_window: Amount,
    pub ceiling: Amount,
    /// The ceiling less the aid in the window; zero (never negative) when already above.
    pub headroom: Amount,
}

/// An award refused under Art. 3(2), with the figures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeMinimisError {
    #[error("the award would bring de minimis aid to {total:?} over the ceiling {ceiling:?} (aid in window {aid_in_window:?}, award {award:?})")]
    CeilingCrossed { aid_in_window: Amount, award: Amount, total: Amount, ceiling: Amount, headroom: Amount },
    #[error("the figures are too large to add up")]
    Overflow,
    #[error("the period of {0} years cannot be counted back from this date")]
    DateOutOfRange(u32),
}

/// The first day of the rolling window that ends on `on`.
pub fn window_from(rules: &Rules, on: NaiveDate) -> Result<NaiveDate, DeMinimisError> {
    let months = rules.years.checked_mul(12).ok_or(DeMinimisError::DateOutOfRange(rules.years))?;
    on.checked_sub_months(Months::new(months)).and_then(|d| d.succ_opt()).ok_or(DeMinimisError::DateOutOfRange(rules.years))
}

/// The aid of `aids` in the window ending on `on` and the room left under the ceiling.
pub fn headroom(rules: &Rules, aids: &[Aid], on: NaiveDate) -> Result<Headroom, DeMinimisError> {
    let from = window_from(rules, on)?;
    let mut counted: Vec<Aid> = aids.iter().filter(|a| a.granted_on >= from && a.granted_on <= on).cloned().collect();
    counted.sort_by_key(|a| a.granted_on);
    let aid_in_window = Amount::sum(counted.iter().map(|a| a.amount)).map_err(|_| DeMinimisError::Overflow)?;
    let headroom = rules.ceiling.checked_sub(aid_in_window).map_err(|_| DeMinimisError::Overflow)?.max(Amount::ZERO);
    Ok(Headroom { window_from: from, window_to: on, counted, aid_in_window, ceiling: rules.ceiling, headroom })
}

/// Art. 3(2): may `award` be granted on `on` to an undertaking that received `aids`? The
/// ceiling itself may be reached, not crossed.
pub fn check_award(rules: &Rules, aids: &[Aid], on: NaiveDate, award: Amount) -> Result<Headroom, DeMinimisError> {
    let room = headroom(rules, aids, on)?;
    let total = room.aid_in_window.checked_add(award).map_err(|_| DeMinimisError::Overflow)?;
    if total > rules.ceiling {
        return Err(DeMinimisError::CeilingCrossed { aid_in_window: room.aid_in_window, award, total, ceiling: rules.ceiling, headroom: room.headroom });
    }
    Ok(room)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn eur(euros: i64) -> Amount {
        Amount::from_cents(euros * 100)
    }

    fn declared(on: NaiveDate, euros: i64) -> Aid {
        Aid { granted_on: on, amount: eur(euros), source: AidSource::Declared { granting_body: "Région".into() }, beneficiary: "Lumen".into() }
    }

    // Art. 3(2): EUR 300 000 per single undertaking over three years, by default.
    #[test]
    fn art3_2_default_ceiling_is_300000_eur_over_3_years() {
        assert_eq!(Rules::default(), Rules { ceiling: Amount::from_cents(30_000_000), years: 3 });
        assert_eq!(REGULATION, "2023/2831");
    }

    // Art. 3(2): reaching the ceiling is allowed, crossing it by a cent is not.
    #[test]
    fn art3_2_award_may_reach_the_ceiling_but_not_cross_it() {
        let aids = [declared(day(2025, 6, 1), 200_000)];
        let on = day(2026, 11, 26);
        let room = check_award(&Rules::default(), &aids, on, eur(100_000)).unwrap();
        assert_eq!(room.headroom, eur(100_000));
        match check_award(&Rules::default(), &aids, on, Amount::from_cents(10_000_001)) {
            Err(DeMinimisError::CeilingCrossed { aid_in_window, award, total, ceiling, headroom }) => {
                assert_eq!((aid_in_window, award, ceiling, headroom), (eur(200_000), Amount::from_cents(10_000_001), eur(300_000), eur(100_000)));
                assert_eq!(total, Amount::from_cents(30_000_001));
            }
            other => panic!("{other:?}"),
        }
    }

    // Art. 3(2) "any period of three years": rolling, ending on the award date. Aid granted
    // exactly three years before has left the window; a day later it is still in.
    #[test]
    fn art3_2_window_is_the_three_years_ending_on_the_award_date() {
        let on = day(2026, 11, 26);
        assert_eq!(window_from(&Rules::default(), on).unwrap(), day(2023, 11, 27));
        let aids = [declared(day(2023, 11, 26), 250_000), declared(day(2023, 11, 27), 10_000), declared(day(2026, 11, 27), 290_000)];
        let room = headroom(&Rules::default(), &aids, on).unwrap();
        assert_eq!(room.aid_in_window, eur(10_000), "neither the aid of 26 Nov 2023 nor the later one counts");
        assert_eq!(room.counted.len(), 1);
    }

    // The period is a setting: two years moves the window.
    #[test]
    fn art3_2_ceiling_and_period_are_settings() {
        let rules = Rules { ceiling: eur(200_000), years: 2 };
        let on = day(2026, 3, 1);
        let aids = [declared(day(2024, 2, 1), 150_000), declared(day(2025, 1, 1), 150_000)];
        assert_eq!(headroom(&rules, &aids, on).unwrap().headroom, eur(50_000));
        assert!(check_award(&rules, &aids, on, eur(50_001)).is_err());
    }

    // Art. 3(2): a window already over the ceiling leaves no headroom, not a negative one.
    #[test]
    fn art3_2_headroom_is_never_negative() {
        let aids = [declared(day(2026, 1, 1), 350_000)];
        assert_eq!(headroom(&Rules::default(), &aids, day(2026, 2, 1)).unwrap().headroom, Amount::ZERO);
    }

    #[test]
    fn leap_days_and_huge_periods_do_not_panic() {
        assert_eq!(window_from(&Rules::default(), day(2028, 2, 29)).unwrap(), day(2025, 3, 1));
        assert!(matches!(window_from(&Rules { ceiling: eur(1), years: u32::MAX }, day(2026, 1, 1)), Err(DeMinimisError::DateOutOfRange(_))));
        let aids = [Aid { amount: Amount::from_cents(i64::MAX), ..declared(day(2026, 1, 1), 0) }, declared(day(2026, 1, 2), 1)];
        assert_eq!(headroom(&Rules::default(), &aids, day(2026, 2, 1)), Err(DeMinimisError::Overflow));
    }
}

//! From exact usage costs to cents, with no cent created or lost.
//!
//! Each grant's exact sum is cut down to whole cents; the cents that the total (rounded half
//! away from zero) still lacks go one each to the grants with the largest cut-off remainders
//! (ties: the first grant in order). The per-grant amounts then add up to the rounded total exactly.

use crate::formats::decimal::{exact_add, exact_mul};
use crate::money::Amount;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AllocationError {
    #[error("the charges for {0} add up to less than zero")]
    Negative(String),
    #[error("the amounts are too large to add up exactly")]
    Overflow,
}

/// Splits exact per-key totals into cents. Keys keep their order.
pub fn allocate<K: Clone + ToString>(exact: &[(K, Decimal)]) -> Result<Vec<(K, Amount)>, AllocationError> {
    let hundred = Decimal::ONE_HUNDRED;
    let mut total = Decimal::ZERO;
    let mut floors = Vec::with_capacity(exact.len());
    for (key, value) in exact {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AllocationError::Negative(key.to_string()));
        }
        total = exact_add(total, *value).ok_or(AllocationError::Overflow)?;
        let cents = exact_mul(*value, hundred).ok_or(AllocationError::Overflow)?;
        let floor = cents.floor();
        floors.push((floor.to_i64().ok_or(AllocationError::Overflow)?, cents - floor));
    }
    let total_cents = exact_mul(total, hundred)
        .ok_or(AllocationError::Overflow)?
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .ok_or(AllocationError::Overflow)?;
    let floor_sum: i64 = floors.iter().map(|(f, _)| *f).sum();
    let mut missing = total_cents - floor_sum;
    let mut order: Vec<usize> = (0..floors.len()).collect();
    order.sort_by(|&a, &b| floors[b].1.cmp(&floors[a].1).then(a.cmp(&b)));
    let mut cents: Vec<i64> = floors.iter().map(|(f, _)| *f).collect();
    for i in order {
        if missing <= 0 {
            break;
        }
        if floors[i].1 > Decimal::ZERO {
            cents[i] += 1;
            missing -= 1;
        }
    }
    Ok(exact.iter().zip(cents).map(|((k, _), c)| (k.clone(), Amount::from_cents(c))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_grant_billed_only_zero_cost_lines_is_charged_nothing() {
        let out = allocate(&[("a", d("0.00")), ("b", d("1.25"))]).unwrap();
        assert_eq!(out.iter().map(|(_, a)| a.cents()).collect::<Vec<_>>(), vec![0, 125]);
        assert_eq!(allocate(&[("a", d("0.0000"))]).unwrap()[0].1.cents(), 0);
    }

    #[test]
    fn thirds_add_up_to_the_rounded_total() {
        let out = allocate(&[("a", d("0.333333")), ("b", d("0.333333")), ("c", d("0.333334"))]).unwrap();
        let cents: Vec<i64> = out.iter().map(|(_, a)| a.cents()).collect();
        assert_eq!(cents.iter().sum::<i64>(), 100);
        assert_eq!(cents, vec![33, 33, 34]);
    }

    #[test]
    fn largest_remainder_gets_the_cent() {
        let out = allocate(&[("a", d("1.004")), ("b", d("2.008"))]).unwrap();
        // total 3.012 → 301 cents; floors 100 + 200 = 300; b has the larger remainder.
        assert_eq!(out[0].1.cents(), 100);
        assert_eq!(out[1].1.cents(), 201);
    }

    #[test]
    fn exact_cents_are_untouched_and_negatives_refused() {
        let out = allocate(&[("a", d("12.34")), ("b", d("0"))]).unwrap();
        assert_eq!(out[0].1.cents(), 1234);
        assert_eq!(out[1].1.cents(), 0);
        assert_eq!(allocate(&[("x", d("-0.01"))]), Err(AllocationError::Negative("x".into())));
    }

    #[test]
    fn sum_is_preserved_on_many_random_splits() {
        // A deterministic pseudo-random sweep: every split must add up to the rounded total.
        let mut seed: u64 = 0x9E3779B97F4A7C15;
        for _ in 0..500 {
            let n = (seed % 7 + 1) as usize;
            let mut parts = Vec::new();
            let mut total = Decimal::ZERO;
            for i in 0..n {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let v = Decimal::new((seed >> 20) as i64 % 10_000_000_000, 8);
                total += v;
                parts.push((i, v));
            }
            let out = allocate(&parts).unwrap();
            let sum: i64 = out.iter().map(|(_, a)| a.cents()).sum();
            let expected = (total * Decimal::ONE_HUNDRED).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(Decimal::from(sum), expected);
        }
    }
}

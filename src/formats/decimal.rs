//! Exact decimals and timestamps as billing files write them.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Parses `12.5`, `-0.00000001234`, `1.2E-7`, `+3`: exactly, never through a float.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else {
        Decimal::from_str(t).ok()
    }
}

/// `a + b` exactly, or `None`. rust_decimal keeps 28 significant digits and *rounds* a sum that
/// needs more; money totals must never be rounded behind anyone's back.
pub fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    // Adding zero is exact, and rust_decimal returns the other operand with its own scale
    // (0.00000000000 + 0.0000160950 keeps scale 10), which the scale test below would misread.
    if a.is_zero() {
        return Some(b);
    }
    if b.is_zero() {
        return Some(a);
    }
    let sum = a.checked_add(b)?;
    // rust_decimal writes a zero sum with scale 0 (0.00000 + 0 = 0): exact exactly when the
    // operands cancel, whatever the scale says.
    if sum.is_zero() {
        return (a == -b).then_some(sum);
    }
    (sum.scale() >= a.scale().max(b.scale())).then_some(sum)
}

/// The exact sum of `values`, or `None` when it cannot be represented exactly.
pub fn exact_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, exact_add)
}

/// `a × b` exactly, or `None`: a product is exact when its scale is the operands' scales added.
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let product = a.checked_mul(b)?;
    // Zero is exact whatever scale the multiplication gave it (0.00 × 100 came back as 0, and a
    // grant billed only zero-cost lines was refused as "too large to add up").
    (product.is_zero() || product.scale() == a.scale() + b.scale()).then_some(product)
}

/// Fast path for the common shapes `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` and
/// `YYYY-MM-DDTHH:MM:SSZ`; anything else goes through [`parse_timestamp`].
pub fn parse_timestamp_fast(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let simple = match b.len() {
        10 => b[4] == b'-' && b[7] == b'-',
        19 => b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b' ') && b[13] == b':' && b[16] == b':',
        20 => b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b' ') && b[13] == b':' && b[16] == b':' && b[19] == b'Z',
        _ => false,
    };
    if !simple {
        return parse_timestamp(text);
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    if b.len() == 10 {
        return date.and_hms_opt(0, 0, 0);
    }
    date.and_hms_opt(digits(11..13)?, digits(14..16)?, digits(17..19)?)
}

/// Parses the timestamps FOCUS exports use: `2024-10-01T00:00:00Z`, `2024-10-01 00:00:00`,
/// with or without fractional seconds or an offset, or a bare date. Returned in UTC.
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.naive_utc());
    }
    let spaced = t.replacen(' ', "T", 1);
    if let Ok(dt) = DateTime::parse_from_rfc3339(&spaced) {
        return Some(dt.naive_utc());
    }
    let bare = spaced.strip_suffix('Z').unwrap_or(&spaced);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(bare, format) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(bare, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_sums_are_exact_whatever_their_scale() {
        // Found by the fuzzer: 0.00000000000 + 0 came back with scale 0 and was called inexact,
        // so per-sub-account totals "could not be added" while the file total could.
        let zero_11: Decimal = "0.00000000000".parse().unwrap();
        assert_eq!(exact_add(zero_11, Decimal::ZERO), Some(Decimal::ZERO));
        let a: Decimal = "12.345".parse().unwrap();
        assert_eq!(exact_add(a, -a), Some(Decimal::ZERO));
        assert_eq!(exact_sum([zero_11, Decimal::ZERO, "0.0000000111".parse().unwrap()]), Some("0.0000000111".parse().unwrap()));
        // Found by the fuzzer too: zero (scale 11) + 0.0000160950 (scale 10) kept scale 10.
        let small: Decimal = "0.0000160950".parse().unwrap();
        assert_eq!(exact_add(zero_11, small), Some(small));
        assert_eq!(exact_add(small, zero_11), Some(small));
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("0.00012345678901").unwrap().to_string(), "0.00012345678901");
        assert_eq!(parse_decimal("1.5E-3").unwrap().to_string(), "0.0015");
        assert_eq!(parse_decimal("2e2").unwrap(), Decimal::from(200));
        assert_eq!(parse_decimal(" -7.10 ").unwrap().to_string(), "-7.10");
        assert!(parse_decimal("NULL").is_none());
        assert!(parse_decimal("1,5").is_none());
        assert!(parse_decimal("").is_none());
    }

    #[test]
    fn fast_timestamps_agree_with_the_general_parser() {
        for text in ["2024-10-01T00:00:00Z", "2024-10-01 13:45:59", "2024-02-29", "2024-10-01T02:00:00+02:00", "2023-02-29", "2024-10-01T24:00:00Z", "2024-1x-01", ""] {
            assert_eq!(parse_timestamp_fast(text), parse_timestamp(text), "{text}");
        }
    }

    #[test]
    fn sums_that_would_round_are_refused() {
        let big = Decimal::from_str("1801089831513983777126200.0124").unwrap();
        let tiny = Decimal::from_str("0.00001").unwrap();
        assert_eq!(big.checked_add(tiny).map(|s| s.scale() < 5), Some(true), "rust_decimal rounds silently");
        assert_eq!(exact_add(big, tiny), None);
        assert_eq!(exact_add(Decimal::new(15, 1), Decimal::new(25, 2)), Some(Decimal::new(175, 2)));
        assert_eq!(exact_sum([Decimal::MAX, Decimal::ONE]), None);
        assert_eq!(exact_mul(Decimal::new(25, 1), Decimal::new(4, 0)), Some(Decimal::new(100, 1)));
        assert_eq!(exact_mul(Decimal::MAX, Decimal::TWO), None);
    }

    #[test]
    fn timestamps_in_every_common_shape() {
        let expected = NaiveDate::from_ymd_opt(2024, 10, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        for text in ["2024-10-01T00:00:00Z", "2024-10-01 00:00:00", "2024-10-01T00:00:00", "2024-10-01", "2024-10-01T02:00:00+02:00", "2024-10-01T00:00:00.000Z"] {
            assert_eq!(parse_timestamp(text), Some(expected), "{text}");
        }
        assert_eq!(parse_timestamp("01/10/2024"), None);
        assert_eq!(parse_timestamp("2024-13-01"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::{Datelike, Timelike};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decimals_round_trip_exactly(mantissa in -(10i64.pow(15))..10i64.pow(15), scale in 0u32..=12) {
            let d = Decimal::new(mantissa, scale);
            prop_assert_eq!(parse_decimal(&d.to_string()), Some(d));
        }

        #[test]
        fn e_notation_equals_the_plain_form(mantissa in 1i64..1_000_000_000, exponent in -12i32..=6) {
            let plain = Decimal::from_scientific(&format!("{mantissa}e{exponent}")).unwrap();
            prop_assert_eq!(parse_decimal(&format!("{mantissa}E{exponent}")), Some(plain));
            prop_assert_eq!(parse_decimal(&format!("  {mantissa}e{exponent} ")), Some(plain));
        }

        #[test]
        fn every_timestamp_shape_reads_the_same_instant(
            y in 1970i32..2100, m in 1u32..=12, d in 1u32..=28, h in 0u32..24, mi in 0u32..60, s in 0u32..60
        ) {
            let t = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, s).unwrap();
            for text in [
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                t.format("%Y-%m-%d %H:%M:%S").to_string(),
                t.format("%Y-%m-%dT%H:%M:%S").to_string(),
                t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
            ] {
                prop_assert_eq!(parse_timestamp_fast(&text), Some(t), "{}", text);
            }
            let shifted = (t + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S+02:00").to_string();
            prop_assert_eq!(parse_timestamp(&shifted), Some(t));
            prop_assert_eq!(t.year(), parse_timestamp_fast(&t.format("%Y-%m-%d").to_string()).unwrap().year());
            prop_assert_eq!(parse_timestamp_fast(&t.format("%Y-%m-%d").to_string()).unwrap().hour(), 0);
        }

        #[test]
        fn fast_and_general_parsers_never_disagree(text in "[0-9T:Z +-]{0,25}") {
            prop_assert_eq!(parse_timestamp_fast(&text), parse_timestamp(&text));
        }

        #[test]
        fn garbage_never_panics(text in "\\PC{0,40}") {
            let _ = parse_decimal(&text);
            let _ = parse_timestamp_fast(&text);
        }
    }
}

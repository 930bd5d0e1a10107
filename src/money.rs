//! Exact money amounts.
//!
//! Every amount the ledger moves is an [`Amount`]: a whole number of **cents** (fixed scale 2,
//! the ISO 4217 minor unit of the euro and of every currency a programme may use) held in an
//! `i64` and stored as `BIGINT` on both database backends. Arithmetic is checked: an overflow is
//! an error, never a wrap. `rust_decimal` is used only at the edges, to parse what people type
//! and to print amounts; floating point is never involved.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt;
use std::str::FromStr;

/// Number of decimal places of every [`Amount`].
pub const SCALE: u32 = 2;

/// Currencies a programme may be denominated in: ISO 4217 codes whose minor unit is 2 decimals.
pub const CURRENCIES: &[&str] = &["EUR", "CHF", "CZK", "DKK", "GBP", "NOK", "PLN", "RON", "SEK", "USD"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("“{0}” is not a number; write an amount such as 1250 or 1250.50")]
    NotANumber(String),
    #[error("“{0}” has more than 2 decimal places")]
    TooPrecise(String),
    #[error("the amount is too large")]
    Overflow,
}

impl Amount {
    pub const ZERO: Amount = Amount(0);

    pub const fn from_cents(cents: i64) -> Amount {
        Amount(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Amount) -> Result<Amount, AmountError> {
        self.0.checked_add(other.0).map(Amount).ok_or(AmountError::Overflow)
    }

    pub fn checked_sub(self, other: Amount) -> Result<Amount, AmountError> {
        self.0.checked_sub(other.0).map(Amount).ok_or(AmountError::Overflow)
    }

    /// Sum of many amounts, failing on overflow.
    pub fn sum<I: IntoIterator<Item = Amount>>(items: I) -> Result<Amount, AmountError> {
        items.into_iter().try_fold(Amount::ZERO, Amount::checked_add)
    }

    /// Parses a decimal written by a person: `1250`, `1250.5`, `1 250,50` is *not* accepted
    /// (ambiguous); thousands separators `,` and spaces before the point are.
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != ' ' && *c != '_').collect();
        let decimal = Decimal::from_str(&cleaned).map_err(|_| AmountError::NotANumber(text.trim().to_string()))?;
        Amount::from_decimal(decimal).map_err(|e| match e {
            AmountError::TooPrecise(_) => AmountError::TooPrecise(text.trim().to_string()),
            other => other,
        })
    }

    /// Converts an exact decimal with at most two decimal places.
    pub fn from_decimal(decimal: Decimal) -> Result<Amount, AmountError> {
        let normalized = decimal.normalize();
        if normalized.scale() > SCALE {
            return Err(AmountError::TooPrecise(decimal.to_string()));
        }
        let cents = normalized.checked_mul(Decimal::ONE_HUNDRED).ok_or(AmountError::Overflow)?;
        cents.to_i64().map(Amount).ok_or(AmountError::Overflow)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, SCALE)
    }

    /// Plain form for inputs and exports: `-1234.50`.
    pub fn plain(self) -> String {
        self.to_decimal().to_string()
    }
}

/// Human form with thousands separators: `12,345.67`.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let units = (abs / 100).to_string();
        let mut grouped = String::with_capacity(units.len() + units.len() / 3);
        for (i, ch) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}{grouped}.{:02}", abs % 100)
    }
}

/// True when `code` is a currency a programme may use.
pub fn is_supported_currency(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_people_amounts_exactly() {
        assert_eq!(Amount::parse("1250").unwrap().cents(), 125_000);
        assert_eq!(Amount::parse("1,250.5").unwrap().cents(), 125_050);
        assert_eq!(Amount::parse(" 0.01 ").unwrap().cents(), 1);
        assert_eq!(Amount::parse("-3.10").unwrap().cents(), -310);
        assert_eq!(Amount::parse("2.500").unwrap().cents(), 250);
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        assert!(matches!(Amount::parse("0.001"), Err(AmountError::TooPrecise(_))));
        assert!(matches!(Amount::parse("abc"), Err(AmountError::NotANumber(_))));
        assert!(matches!(Amount::parse("1e400"), Err(AmountError::NotANumber(_)) | Err(AmountError::Overflow)));
        assert!(matches!(Amount::parse("99999999999999999999"), Err(AmountError::Overflow)));
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Amount::from_cents(i64::MAX).checked_add(Amount::from_cents(1)), Err(AmountError::Overflow));
        assert_eq!(Amount::sum([Amount::from_cents(5), Amount::from_cents(7)]).unwrap().cents(), 12);
    }

    #[test]
    fn displays_with_grouping() {
        assert_eq!(Amount::from_cents(123_456_789).to_string(), "1,234,567.89");
        assert_eq!(Amount::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Amount::from_cents(100_000).to_string(), "1,000.00");
        assert_eq!(Amount::from_cents(-123_456).plain(), "-1234.56");
    }
}

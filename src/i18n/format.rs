//! Numbers, money and exact decimals as each language writes them, and amounts parsed as each
//! language writes them.
//!
//! French: `1 234 567,89 €` (narrow no-break space between groups, decimal comma, no-break space
//! before the symbol). English: `€1,234,567.89`. Currencies without a common symbol are written
//! with their ISO code after the number in both languages (`1,234.50 CHF`, `1 234,50 CHF`).

use super::Locale;
use crate::money::Amount;
use fluent_bundle::FluentValue;
use rust_decimal::Decimal;

/// U+202F, the narrow no-break space French typography puts between digit groups.
pub const FR_GROUP: char = '\u{202f}';
/// U+00A0, between a French amount and its currency symbol.
pub const NBSP: char = '\u{a0}';

fn group(locale: Locale, digits: &str) -> String {
    let sep = match locale {
        Locale::En => ',',
        Locale::Fr => FR_GROUP,
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn decimal_mark(locale: Locale) -> char {
    match locale {
        Locale::En => '.',
        Locale::Fr => ',',
    }
}

/// A whole number with digit groups: `12,345` / `12 345`.
pub fn count(locale: Locale, n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group(locale, &n.unsigned_abs().to_string()))
}

/// An exact decimal with every digit it has, grouped: `2,247.4166664` / `2 247,4166664`.
pub fn exact(locale: Locale, value: Decimal) -> String {
    let text = value.to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    match unsigned.split_once('.') {
        Some((int, frac)) => format!("{sign}{}{}{frac}", group(locale, int), decimal_mark(locale)),
        None => format!("{sign}{}", group(locale, unsigned)),
    }
}

fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// Money: `€1,234.56` / `1 234,56 €`; `1,234.56 CHF` / `1 234,56 CHF`.
pub fn money(locale: Locale, cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let number = format!("{}{}{:02}", group(locale, &(abs / 100).to_string()), decimal_mark(locale), abs % 100);
    with_currency(locale, sign, &number, currency)
}

/// Puts the currency where each language writes it: `€1.00`, `1.00 CHF`, `1,00 €`.
fn with_currency(locale: Locale, sign: &str, number: &str, currency: &str) -> String {
    match (locale, symbol(currency)) {
        (Locale::En, Some(s)) => format!("{sign}{s}{number}"),
        (Locale::En, None) => format!("{sign}{number} {currency}"),
        (Locale::Fr, Some(s)) => format!("{sign}{number}{NBSP}{s}"),
        (Locale::Fr, None) => format!("{sign}{number}{NBSP}{currency}"),
    }
}

/// Money in the exact form of a usage total, keeping all its decimals: `€2,247.4166664`.
pub fn exact_money(locale: Locale, value: Decimal, currency: &str) -> String {
    let number = exact(locale, value.abs());
    let sign = if value.is_sign_negative() && !value.is_zero() { "-" } else { "" };
    with_currency(locale, sign, &number, currency)
}

fn fluent_number(locale: Locale, value: &FluentValue) -> Option<String> {
    match value {
        // Fluent numbers are only counts here (money and decimals arrive formatted as text);
        // counts are whole and far below 2^53, so the conversion is exact.
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 9.0e15 => Some(count(locale, n.value as i64)),
        _ => None,
    }
}

pub fn fluent_number_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    fluent_number(Locale::En, value)
}

pub fn fluent_number_fr<M>(value: &FluentValue, _: &M) -> Option<String> {
    fluent_number(Locale::Fr, value)
}

/// Why a typed amount was refused; each says how to write it in the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountInputError {
    #[error("empty")]
    Empty,
    #[error("not a number")]
    NotANumber,
    /// The other language's decimal mark: `45000,50` on an English page, `45000.50` on a French one.
    #[error("wrong decimal mark")]
    WrongDecimalMark,
    /// Digit groups that are not groups of three: `1,00,000`.
    #[error("digit groups")]
    BadGrouping,
    /// Three digits after the only mark, `2.500` or `45,000`: a thousands group in one
    /// language, a fraction in the other.
    #[error("ambiguous")]
    Ambiguous,
    #[error("more than two decimals")]
    TooPrecise,
    #[error("too large")]
    Overflow,
}

impl AmountInputError {
    /// The catalogue key of the message for this refusal.
    pub fn key(self) -> &'static str {
        match self {
            AmountInputError::Empty => "amount-empty",
            AmountInputError::NotANumber => "amount-not-a-number",
            AmountInputError::WrongDecimalMark => "amount-wrong-decimal-mark",
            AmountInputError::BadGrouping => "amount-bad-grouping",
            AmountInputError::Ambiguous => "amount-ambiguous",
            AmountInputError::TooPrecise => "amount-too-precise",
            AmountInputError::Overflow => "amount-too-large",
        }
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == NBSP || c == FR_GROUP || c == '\u{2009}'
}

/// Reads an amount as a person writes it on a page in `locale`, never guessing: in French
/// `1 000 000,50`, `1 000 000,50 €` (spaces of any kind between groups of three, a decimal
/// comma); in English `1,000,000.50`, `€1,000,000.50`. A number written the other language's way
/// (`45000,50` on an English page, `45000.50` on a French one) is refused with a hint, as are
/// groups that are not groups of three and more than two decimals (trailing zeros aside).
pub fn parse_amount(locale: Locale, text: &str, currency: &str) -> Result<Amount, AmountInputError> {
    let mut s = text.trim_matches(|c: char| c.is_whitespace() || is_space(c));
    if s.is_empty() {
        return Err(AmountInputError::Empty);
    }
    let mut negative = false;
    if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        negative = true;
        s = rest.trim_start_matches(is_space);
    }
    // The currency may stand before or after the number, as its symbol or its code.
    let marks: Vec<&str> = [symbol(currency).unwrap_or(""), currency].into_iter().filter(|m| !m.is_empty()).collect();
    for mark in &marks {
        if let Some(rest) = s.strip_prefix(mark) {
            s = rest.trim_start_matches(is_space);
        }
        if let Some(rest) = s.strip_suffix(mark) {
            s = rest.trim_end_matches(is_space);
        }
    }
    if !negative {
        if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
            negative = true;
            s = rest;
        }
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space(c)) {
        return Err(AmountInputError::NotANumber);
    }
    let (integer, fraction) = match locale {
        Locale::Fr => {
            if s.contains('.') {
                return Err(AmountInputError::WrongDecimalMark);
            }
            match s.split_once(',') {
                Some((i, f)) => (i, Some(f)),
                None => (s, None),
            }
        }
        // `45000,50` or `1 000 000,50` on an English page is a French decimal, not a thousands group.
        Locale::En if !s.contains('.') && s.rsplit_once(',').is_some_and(|(_, tail)| (1..=2).contains(&tail.len())) => {
            return Err(AmountInputError::WrongDecimalMark);
        }
        Locale::En => match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        },
    };
    if let Some(f) = fraction {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return Err(AmountInputError::NotANumber);
        }
    }
    let could_be_a_group = (1..=3).contains(&integer.len()) && integer.chars().all(|c| c.is_ascii_digit()) && !integer.starts_with('0');
    if fraction.is_some_and(|f| f.len() == 3) && could_be_a_group {
        return Err(AmountInputError::Ambiguous);
    }
    let digits = integer_digits(locale, integer)?;
    let fraction = fraction.unwrap_or("");
    let significant = fraction.trim_end_matches('0');
    if significant.len() > 2 {
        return Err(AmountInputError::TooPrecise);
    }
    if digits.len() > 16 {
        return Err(AmountInputError::Overflow);
    }
    let units: i64 = digits.parse().map_err(|_| AmountInputError::NotANumber)?;
    let cents: i64 = format!("{significant:0<2}").parse().map_err(|_| AmountInputError::NotANumber)?;
    let total = units.checked_mul(100).and_then(|u| u.checked_add(cents)).ok_or(AmountInputError::Overflow)?;
    Ok(Amount::from_cents(if negative { -total } else { total }))
}

/// The digits of an integer part written with optional digit-group separators.
fn integer_digits(locale: Locale, integer: &str) -> Result<String, AmountInputError> {
    if integer.is_empty() {
        return Err(AmountInputError::NotANumber);
    }
    let separators: Vec<char> = integer.chars().filter(|c| !c.is_ascii_digit()).collect();
    if separators.is_empty() {
        return Ok(integer.to_string());
    }
    let first = separators[0];
    // One kind of separator in one number (spaces of any width count as one kind).
    let same_kind = |c: &char| if is_space(first) { is_space(*c) } else { *c == first };
    if !separators.iter().all(same_kind) {
        return Err(AmountInputError::BadGrouping);
    }
    let groups: Vec<&str> = integer.split(|c: char| !c.is_ascii_digit()).collect();
    let grouped = groups.iter().enumerate().all(|(i, g)| if i == 0 { (1..=3).contains(&g.len()) && !g.starts_with('0') } else { g.len() == 3 });
    if !grouped {
        return Err(AmountInputError::BadGrouping);
    }
    if locale == Locale::Fr && first == ',' {
        return Err(AmountInputError::NotANumber);
    }
    Ok(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> Result<i64, AmountInputError> {
        parse_amount(Locale::Fr, text, "EUR").map(Amount::cents)
    }
    fn en(text: &str) -> Result<i64, AmountInputError> {
        parse_amount(Locale::En, text, "EUR").map(Amount::cents)
    }

    #[test]
    fn french_amounts_use_a_decimal_comma_and_spaces() {
        assert_eq!(fr("1 000 000,50"), Ok(100_000_050));
        assert_eq!(fr("1 000 000,50 €"), Ok(100_000_050));
        assert_eq!(fr("1\u{202f}000\u{202f}000,50\u{a0}€"), Ok(100_000_050));
        assert_eq!(fr("45000,50"), Ok(4_500_050));
        assert_eq!(fr("45 000"), Ok(4_500_000));
        assert_eq!(fr("12,5"), Ok(1250));
        assert_eq!(fr("1 000 000,50 EUR"), Ok(100_000_050));
    }

    #[test]
    fn a_decimal_comma_never_multiplies_by_a_hundred() {
        // The defect: `1 000 000,50` became 100,000,050.00 and `45000,50` became 4,500,050.
        assert_eq!(en("45000,50"), Err(AmountInputError::WrongDecimalMark));
        assert_eq!(en("1 000 000,50"), Err(AmountInputError::WrongDecimalMark));
        assert_eq!(fr("45000.50"), Err(AmountInputError::WrongDecimalMark));
        assert_eq!(fr("1.000"), Err(AmountInputError::WrongDecimalMark));
    }

    #[test]
    fn english_amounts_use_a_decimal_point_and_commas() {
        assert_eq!(en("1,000,000.50"), Ok(100_000_050));
        assert_eq!(en("€1,000,000.50"), Ok(100_000_050));
        assert_eq!(en("45,000"), Ok(4_500_000));
        assert_eq!(en("1250"), Ok(125_000));
        assert_eq!(en(" 0.01 "), Ok(1));
        assert_eq!(en("2.50"), Ok(250));
        assert_eq!(en("-3.10"), Ok(-310));
    }

    #[test]
    fn ambiguous_or_malformed_amounts_are_refused() {
        assert_eq!(en("1,00,000"), Err(AmountInputError::BadGrouping));
        assert_eq!(fr("1 00 000"), Err(AmountInputError::BadGrouping));
        assert_eq!(en("1,000 000"), Err(AmountInputError::BadGrouping));
        assert_eq!(en("0.001"), Err(AmountInputError::TooPrecise));
        assert_eq!(fr("0,001"), Err(AmountInputError::TooPrecise));
        assert_eq!(en("abc"), Err(AmountInputError::NotANumber));
        assert_eq!(en(""), Err(AmountInputError::Empty));
        assert_eq!(en("1.2.3"), Err(AmountInputError::NotANumber));
        assert_eq!(en("99999999999999999999"), Err(AmountInputError::Overflow));
        assert_eq!(en("1e5"), Err(AmountInputError::NotANumber));
        // Found in review: read 1,000 times too small or too large, depending on the reader.
        assert_eq!(en("250.000"), Err(AmountInputError::Ambiguous));
        assert_eq!(fr("45,000"), Err(AmountInputError::Ambiguous));
        assert_eq!(en("0,500"), Err(AmountInputError::BadGrouping));
        assert_eq!(en("1,250.500"), Ok(125_050), "grouped: the point can only be a decimal point");
        assert_eq!(en("1250.500"), Ok(125_050), "four digits before it: not a thousands group");
    }

    #[test]
    fn money_is_shown_one_way_per_locale() {
        assert_eq!(money(Locale::En, 123_456_789, "EUR"), "€1,234,567.89");
        assert_eq!(money(Locale::Fr, 123_456_789, "EUR"), "1\u{202f}234\u{202f}567,89\u{a0}€");
        assert_eq!(money(Locale::En, -5, "EUR"), "-€0.05");
        assert_eq!(money(Locale::En, 100_000, "CHF"), "1,000.00 CHF");
        assert_eq!(money(Locale::Fr, 100_000, "CHF"), "1\u{202f}000,00\u{a0}CHF");
    }

    #[test]
    fn exact_totals_keep_their_digits_with_the_same_grouping() {
        let d: Decimal = "2247.4166664".parse().unwrap();
        assert_eq!(exact(Locale::En, d), "2,247.4166664");
        assert_eq!(exact(Locale::Fr, d), "2\u{202f}247,4166664");
        assert_eq!(exact_money(Locale::En, d, "EUR"), "€2,247.4166664");
        assert_eq!(count(Locale::Fr, 1_000_000), "1\u{202f}000\u{202f}000");
        assert_eq!(count(Locale::En, 999), "999");
    }

    #[test]
    fn what_is_shown_parses_back_to_the_same_amount() {
        for cents in [0, 1, 99, 100, 123_456_789, 100_000_050] {
            for locale in Locale::ALL {
                assert_eq!(parse_amount(locale, &money(locale, cents, "EUR"), "EUR"), Ok(Amount::from_cents(cents)), "{locale} {cents}");
            }
        }
    }
}

//! Company registration and VAT numbers, checked where a public rule exists.
//!
//! - France: SIREN (9 digits) and SIRET (14 digits: SIREN + 5-digit establishment number) carry
//!   a Luhn check digit (INSEE). Documented exception: the establishments of La Poste (SIREN
//!   356 000 000) are numbered so that the *sum of the SIRET's digits* is a multiple of 5; the
//!   Luhn rule does not hold for most of them.
//! - EU VAT numbers: the two-letter prefix of the member state (EL for Greece, XI for Northern
//!   Ireland under the Windsor Framework) and the national pattern VIES publishes. For France the
//!   key is checked too: a numeric key is `(12 + 3 × (SIREN mod 97)) mod 97`, and the SIREN in it
//!   passes Luhn; new-style alphanumeric keys are only checked for form.
//!
//! Spaces (including no-break spaces), dots and hyphens people type are ignored; letters are
//! upper-cased. Other national numbers (a German HRB, a Polish KRS …) have no public checksum
//! and are left as typed by [`company_number`].

use crate::messages::Message;

/// What a number was read as, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Siren,
    Siret,
    /// A French number that is neither: 9 or 14 digits expected.
    SirenOrSiret,
    Vat,
}

impl NumberKind {
    fn word(self) -> &'static str {
        match self {
            NumberKind::Siren => "siren",
            NumberKind::Siret => "siret",
            NumberKind::SirenOrSiret => "siren-or-siret",
            NumberKind::Vat => "vat",
        }
    }
}

/// Why a number is refused, most basic problem first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("no number given")]
    Empty,
    #[error("only digits and letters are allowed")]
    BadCharacters,
    #[error("{kind:?}: {expected} digits expected, {found} found")]
    WrongLength { kind: NumberKind, expected: &'static str, found: usize },
    #[error("{kind:?}: the check digit does not match")]
    BadCheckDigit { kind: NumberKind },
    #[error("French VAT number: the key {found} should be {expected} for this SIREN")]
    BadVatKey { expected: String, found: String },
    #[error("unknown VAT country prefix {prefix:?}")]
    UnknownCountryPrefix { prefix: String },
    #[error("not the form of a VAT number of {prefix} (such as {example})")]
    BadFormat { prefix: &'static str, example: &'static str },
    #[error("the VAT number is of {found}, the company is registered in {country}")]
    OtherCountry { country: String, found: &'static str },
}

impl RegistrationError {
    /// The catalogue message (locales/*/company.ftl) saying what is wrong.
    pub fn message(&self) -> Message {
        match self {
            RegistrationError::Empty => Message::new("registration-empty"),
            RegistrationError::BadCharacters => Message::new("registration-bad-characters"),
            RegistrationError::WrongLength { kind, expected, found } => {
                Message::new("registration-wrong-length").with("kind", kind.word()).with("expected", *expected).with("found", *found)
            }
            RegistrationError::BadCheckDigit { kind } => Message::new("registration-bad-check-digit").with("kind", kind.word()),
            RegistrationError::BadVatKey { expected, found } => Message::new("registration-vat-bad-key").with("expected", expected).with("found", found),
            RegistrationError::UnknownCountryPrefix { prefix } => Message::new("registration-vat-unknown-prefix").with("prefix", prefix),
            RegistrationError::BadFormat { prefix, example } => Message::new("registration-vat-bad-format").with("prefix", *prefix).with("example", *example),
            RegistrationError::OtherCountry { country, found } => Message::new("registration-vat-other-country").with("country", country).with("prefix", *found),
        }
    }
}

/// The number without the spaces, dots and hyphens people type, upper-cased.
pub fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '\u{202f}' | '\u{a0}')).flat_map(char::to_uppercase).collect()
}

fn digits_only(text: &str) -> Result<String, RegistrationError> {
    let n = normalise(text);
    if n.is_empty() {
        return Err(RegistrationError::Empty);
    }
    if !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegistrationError::BadCharacters);
    }
    Ok(n)
}

/// The Luhn check over ASCII digits (false for anything else).
pub fn luhn(digits: &str) -> bool {
    let mut sum: u32 = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// La Poste's SIREN, whose establishments follow their own rule.
pub const LA_POSTE_SIREN: &str = "356000000";

/// A French company number (SIREN), 9 digits, Luhn-valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Siren(String);

impl Siren {
    pub fn parse(text: &str) -> Result<Siren, RegistrationError> {
        let n = digits_only(text)?;
        if n.len() != 9 {
            return Err(RegistrationError::WrongLength { kind: NumberKind::Siren, expected: "9", found: n.len() });
        }
        if !luhn(&n) {
            return Err(RegistrationError::BadCheckDigit { kind: NumberKind::Siren });
        }
        Ok(Siren(n))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `SIREN mod 97`, for the VAT key.
    fn mod97(&self) -> u64 {
        self.0.parse::<u64>().map(|n| n % 97).unwrap_or(0)
    }

    /// The numeric key of the French VAT number: `(12 + 3 × (SIREN mod 97)) mod 97`, two digits.
    pub fn vat_key(&self) -> String {
        format!("{:02}", (12 + 3 * self.mod97()) % 97)
    }
}

/// A French establishment number (SIRET): SIREN + 5 digits, 14 digits, Luhn-valid (La Poste:
/// digit sum a multiple of 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Siret(String);

impl Siret {
    pub fn parse(text: &str) -> Result<Siret, RegistrationError> {
        let n = digits_only(text)?;
        if n.len() != 14 {
            return Err(RegistrationError::WrongLength { kind: NumberKind::Siret, expected: "14", found: n.len() });
        }
        let valid = luhn(&n) || (n.starts_with(LA_POSTE_SIREN) && n.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0);
        if !valid {
            return Err(RegistrationError::BadCheckDigit { kind: NumberKind::Siret });
        }
        Ok(Siret(n))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// A SIREN (9 digits) or a SIRET (14), whichever the length says.
pub fn french_number(text: &str) -> Result<String, RegistrationError> {
    let n = digits_only(text)?;
    match n.len() {
        9 => Siren::parse(&n).map(|s| s.0),
        14 => Siret::parse(&n).map(|s| s.0),
        found => Err(RegistrationError::WrongLength { kind: NumberKind::SirenOrSiret, expected: "9 / 14", found }),
    }
}

/// A VAT number with its member-state prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatNumber {
    pub prefix: &'static str,
    /// The part after the prefix.
    pub number: String,
}

impl VatNumber {
    pub fn parse(text: &str) -> Result<VatNumber, RegistrationError> {
        let n = normalise(text);
        if n.is_empty() {
            return Err(RegistrationError::Empty);
        }
        if !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'*') {
            return Err(RegistrationError::BadCharacters);
        }
        let head: String = n.chars().take(2).collect();
        let Some(rule) = VAT_RULES.iter().find(|r| r.prefix == head) else {
            return Err(RegistrationError::UnknownCountryPrefix { prefix: head });
        };
        let number = &n[2..];
        if !rule.patterns.iter().any(|p| matches_pattern(number, p)) {
            return Err(RegistrationError::BadFormat { prefix: rule.prefix, example: rule.example });
        }
        if rule.prefix == "FR" {
            let (key, siren) = number.split_at(2);
            let siren = Siren::parse(siren).map_err(|_| RegistrationError::BadCheckDigit { kind: NumberKind::Vat })?;
            if key.bytes().all(|b| b.is_ascii_digit()) && key != siren.vat_key() {
                return Err(RegistrationError::BadVatKey { expected: siren.vat_key(), found: key.to_string() });
            }
        }
        Ok(VatNumber { prefix: rule.prefix, number: number.to_string() })
    }

    pub fn text(&self) -> String {
        format!("{}{}", self.prefix, self.number)
    }
}

/// A member state's VAT numbers: `#` a digit, `@` a letter, `?` a digit or a letter, `+` a digit,
/// letter, `+` or `*`; any other character stands for itself.
struct VatRule {
    prefix: &'static str,
    patterns: &'static [&'static str],
    example: &'static str,
}

/// The 27 member states (Greece as EL) and Northern Ireland (XI), after the VIES formats.
const VAT_RULES: &[VatRule] = &[
    VatRule { prefix: "AT", patterns: &["U########"], example: "ATU12345678" },
    VatRule { prefix: "BE", patterns: &["0#########", "1#########"], example: "BE0123456789" },
    VatRule { prefix: "BG", patterns: &["#########", "##########"], example: "BG123456789" },
    VatRule { prefix: "CY", patterns: &["########@"], example: "CY12345678X" },
    VatRule { prefix: "CZ", patterns: &["########", "#########", "##########"], example: "CZ12345678" },
    VatRule { prefix: "DE", patterns: &["#########"], example: "DE123456789" },
    VatRule { prefix: "DK", patterns: &["########"], example: "DK12345678" },
    VatRule { prefix: "EE", patterns: &["#########"], example: "EE123456789" },
    VatRule { prefix: "EL", patterns: &["#########"], example: "EL123456789" },
    // A letter first (then a digit or a letter last), or a digit first and a letter last.
    VatRule { prefix: "ES", patterns: &["@#######?", "########@"], example: "ESX1234567X" },
    VatRule { prefix: "FI", patterns: &["########"], example: "FI12345678" },
    VatRule { prefix: "FR", patterns: &["??#########"], example: "FR40303265045" },
    VatRule { prefix: "HR", patterns: &["###########"], example: "HR12345678901" },
    VatRule { prefix: "HU", patterns: &["########"], example: "HU12345678" },
    VatRule { prefix: "IE", patterns: &["#######@", "#######@@", "#+#####@"], example: "IE1234567WA" },
    VatRule { prefix: "IT", patterns: &["###########"], example: "IT12345678901" },
    VatRule { prefix: "LT", patterns: &["#########", "############"], example: "LT123456789" },
    VatRule { prefix: "LU", patterns: &["########"], example: "LU12345678" },
    VatRule { prefix: "LV", patterns: &["###########"], example: "LV12345678901" },
    VatRule { prefix: "MT", patterns: &["########"], example: "MT12345678" },
    VatRule { prefix: "NL", patterns: &["#########B##"], example: "NL123456789B01" },
    VatRule { prefix: "PL", patterns: &["##########"], example: "PL1234567890" },
    VatRule { prefix: "PT", patterns: &["#########"], example: "PT123456789" },
    VatRule { prefix: "RO", patterns: &["##", "###", "####", "#####", "######", "#######", "########", "#########", "##########"], example: "RO1234567890" },
    VatRule { prefix: "SE", patterns: &["##########01"], example: "SE123456789001" },
    VatRule { prefix: "SI", patterns: &["########"], example: "SI12345678" },
    VatRule { prefix: "SK", patterns: &["##########"], example: "SK1234567890" },
    VatRule { prefix: "XI", patterns: &["#########", "############", "GD###", "HA###"], example: "XI123456789" },
];

fn matches_pattern(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
            b'#' => c.is_ascii_digit(),
            b'@' => c.is_ascii_uppercase(),
            b'?' => c.is_ascii_digit() || c.is_ascii_uppercase(),
            b'+' => c.is_ascii_digit() || c.is_ascii_uppercase() || c == b'+' || c == b'*',
            literal => c == literal,
        })
}

/// The VAT prefix of a country code as organisations store it (ISO 3166: Greece is GR, its VAT
/// prefix EL; a United Kingdom company may only have a Northern Ireland XI number).
pub fn vat_prefix_of(country: &str) -> Option<&'static str> {
    let prefix = match country {
        "GR" => "EL",
        "GB" => "XI",
        other => other,
    };
    VAT_RULES.iter().find(|r| r.prefix == prefix).map(|r| r.prefix)
}

/// A company's registration number as entered with its country: French numbers must be a valid
/// SIREN, SIRET or French VAT number; elsewhere, a number written as that country's VAT number
/// (its prefix first) must be a valid one. `Ok(Some(normalised))` for a checked number,
/// `Ok(None)` when the country has no public check for what was typed (kept as typed).
pub fn company_number(country: &str, text: &str) -> Result<Option<String>, RegistrationError> {
    let n = normalise(text);
    if n.is_empty() {
        return Err(RegistrationError::Empty);
    }
    let Some(prefix) = vat_prefix_of(country) else { return Ok(None) };
    if n.starts_with(prefix) && n.len() > 2 {
        return VatNumber::parse(&n).map(|v| Some(v.text()));
    }
    if country == "FR" {
        if n.bytes().take(2).all(|b| b.is_ascii_uppercase()) && n.len() > 2 {
            // Letters first: a VAT number of another country, or no number at all.
            return match VatNumber::parse(&n) {
                Ok(v) => Err(RegistrationError::OtherCountry { country: country.to_string(), found: v.prefix }),
                Err(e) => Err(e),
            };
        }
        return french_number(&n).map(Some);
    }
    Ok(None)
}

/// What identifies the company behind a number, to match the same company written two ways: a
/// French SIRET and a French VAT number name their SIREN; anything else is its normalised text.
pub fn company_key(text: &str) -> String {
    let n = normalise(text);
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if n.len() == 14 && all_digits(&n) {
        return n[..9].to_string();
    }
    if n.len() == 13 && n.starts_with("FR") {
        // `get`: the key may be any characters, so byte 4 may fall inside one.
        if let Some(siren) = n.get(4..).filter(|rest| all_digits(rest)) {
            return siren.to_string();
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    // INSEE: the SIREN's ninth digit is a Luhn key.
    #[test]
    fn siren_luhn_check_with_spaces_normalised() {
        assert_eq!(Siren::parse("732 829 320").unwrap().as_str(), "732829320");
        assert_eq!(Siren::parse("552\u{a0}100\u{202f}554").unwrap().as_str(), "552100554");
        assert_eq!(Siren::parse("732 829 321"), Err(RegistrationError::BadCheckDigit { kind: NumberKind::Siren }));
        assert_eq!(Siren::parse("73282932"), Err(RegistrationError::WrongLength { kind: NumberKind::Siren, expected: "9", found: 8 }));
        assert_eq!(Siren::parse("7328293A0"), Err(RegistrationError::BadCharacters));
        assert_eq!(Siren::parse("   "), Err(RegistrationError::Empty));
    }

    #[test]
    fn siret_luhn_check() {
        assert!(Siret::parse("552 100 554 00013").is_ok());
        assert_eq!(Siret::parse("552 100 554 00014"), Err(RegistrationError::BadCheckDigit { kind: NumberKind::Siret }));
        assert_eq!(Siret::parse("552 100 554 0001").unwrap_err(), RegistrationError::WrongLength { kind: NumberKind::Siret, expected: "14", found: 13 });
    }

    // INSEE's documented exception: La Poste (SIREN 356 000 000) establishments are valid when
    // the sum of the SIRET's digits is a multiple of 5.
    #[test]
    fn siret_la_poste_exception_sum_of_digits_multiple_of_5() {
        assert!(!luhn("35600000049837"), "this La Poste SIRET fails Luhn");
        assert!(Siret::parse("356 000 000 49837").is_ok(), "digit sum 45");
        assert!(Siret::parse("35600000000048").is_ok(), "the head office passes Luhn");
        assert!(Siret::parse("35600000049838").is_err(), "digit sum 46, Luhn fails");
        // The exception is La Poste's only: another SIREN's digit sum does not matter.
        assert!(Siret::parse("73282932000075").is_err());
    }

    #[test]
    fn french_number_is_siren_or_siret_by_length() {
        assert_eq!(french_number("732 829 320").unwrap(), "732829320");
        assert_eq!(french_number("732 829 320 00074").unwrap(), "73282932000074");
        assert_eq!(french_number("1234567890").unwrap_err(), RegistrationError::WrongLength { kind: NumberKind::SirenOrSiret, expected: "9 / 14", found: 10 });
    }

    // French VAT: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97.
    #[test]
    fn french_vat_key_is_checked() {
        assert_eq!(VatNumber::parse("FR 40 303 265 045").unwrap().text(), "FR40303265045");
        assert_eq!(VatNumber::parse("fr44732829320").unwrap().text(), "FR44732829320");
        assert_eq!(VatNumber::parse("FR41303265045"), Err(RegistrationError::BadVatKey { expected: "40".into(), found: "41".into() }));
        assert_eq!(VatNumber::parse("FR40303265046"), Err(RegistrationError::BadCheckDigit { kind: NumberKind::Vat }), "the SIREN inside fails Luhn");
        assert!(VatNumber::parse("FRK7303265045").is_ok(), "an alphanumeric key is checked for form only");
        assert!(matches!(VatNumber::parse("FR4030326504"), Err(RegistrationError::BadFormat { prefix: "FR", .. })));
    }

    #[test]
    fn vat_formats_per_member_state() {
        let valid = [
            "ATU12345678", "BE0123456789", "BE1123456789", "BG123456789", "BG1234567890", "CY12345678L", "CZ12345678", "CZ1234567890", "DE123456789",
            "DK12345678", "EE123456789", "EL123456789", "ESX1234567X", "ESA12345678", "ES12345678Z", "FI12345678", "HR12345678901", "HU12345678",
            "IE1234567T", "IE1234567WA", "IE1S23456T", "IE1+23456T", "IT12345678901", "LT123456789", "LT123456789012", "LU12345678", "LV12345678901",
            "MT12345678", "NL123456789B01", "PL1234567890", "PT123456789", "RO12", "RO1234567890", "SE123456789001", "SI12345678", "SK1234567890",
            "XI123456789", "XI123456789012", "XIGD123", "XIHA123",
        ];
        for v in valid {
            assert!(VatNumber::parse(v).is_ok(), "{v}: {:?}", VatNumber::parse(v));
        }
        let invalid = [
            ("AT12345678", "AT"), ("BE2123456789", "BE"), ("DE12345678", "DE"), ("DE1234567890", "DE"), ("ES123456789", "ES"), ("IT1234567890", "IT"),
            ("NL123456789C01", "NL"), ("NL12345678B01", "NL"), ("SE123456789002", "SE"), ("RO1", "RO"), ("XIGD1234", "XI"), ("EL12345678", "EL"),
        ];
        for (v, prefix) in invalid {
            assert!(matches!(VatNumber::parse(v), Err(RegistrationError::BadFormat { prefix: p, .. }) if p == prefix), "{v}: {:?}", VatNumber::parse(v));
        }
    }

    #[test]
    fn unknown_vat_prefix_is_named() {
        assert_eq!(VatNumber::parse("GR123456789"), Err(RegistrationError::UnknownCountryPrefix { prefix: "GR".into() }), "Greece is EL");
        assert_eq!(VatNumber::parse("US123456789"), Err(RegistrationError::UnknownCountryPrefix { prefix: "US".into() }));
        assert_eq!(VatNumber::parse("GB123456789"), Err(RegistrationError::UnknownCountryPrefix { prefix: "GB".into() }), "GB left the VAT area; XI remains");
    }

    #[test]
    fn company_number_checks_what_has_a_public_rule() {
        assert_eq!(company_number("FR", "732 829 320"), Ok(Some("732829320".into())));
        assert_eq!(company_number("FR", "FR 44 732 829 320"), Ok(Some("FR44732829320".into())));
        assert_eq!(company_number("FR", "123 456 789"), Err(RegistrationError::BadCheckDigit { kind: NumberKind::Siren }));
        assert_eq!(company_number("FR", "DE123456789"), Err(RegistrationError::OtherCountry { country: "FR".into(), found: "DE" }));
        assert_eq!(company_number("FR", "RCS Paris"), Err(RegistrationError::UnknownCountryPrefix { prefix: "RC".into() }));
        assert_eq!(company_number("DE", "HRB 245871"), Ok(None), "no public checksum: kept as typed");
        assert_eq!(company_number("DE", "DE 123 456 789"), Ok(Some("DE123456789".into())));
        assert!(matches!(company_number("DE", "DE12345"), Err(RegistrationError::BadFormat { .. })));
        assert_eq!(company_number("GR", "EL123456789"), Ok(Some("EL123456789".into())));
        assert_eq!(company_number("NO", "NO 123 456 789 MVA"), Ok(None), "outside the EU VAT area");
        assert_eq!(company_number("FR", ""), Err(RegistrationError::Empty));
    }

    #[test]
    fn the_same_french_company_matches_by_its_siren() {
        assert_eq!(company_key("732 829 320"), "732829320");
        assert_eq!(company_key("732 829 320 00074"), "732829320");
        assert_eq!(company_key("FR 44 732 829 320"), "732829320");
        assert_eq!(company_key("HRB 245-871"), "HRB245871");
        assert_eq!(company_key("é"), "É");
        assert_eq!(company_key("FRXé12345678"), "FRXÉ12345678", "never cuts inside a character");
    }

    #[test]
    fn every_error_has_a_catalogue_message() {
        let errors = [
            RegistrationError::Empty,
            RegistrationError::BadCharacters,
            RegistrationError::WrongLength { kind: NumberKind::Siren, expected: "9", found: 8 },
            RegistrationError::BadCheckDigit { kind: NumberKind::Siret },
            RegistrationError::BadVatKey { expected: "40".into(), found: "41".into() },
            RegistrationError::UnknownCountryPrefix { prefix: "US".into() },
            RegistrationError::BadFormat { prefix: "DE", example: "DE123456789" },
            RegistrationError::OtherCountry { country: "FR".into(), found: "DE" },
        ];
        for e in errors {
            let m = e.message();
            for locale in [crate::i18n::Locale::En, crate::i18n::Locale::Fr] {
                assert!(crate::i18n::has(locale, m.key), "{} missing in {locale:?}", m.key);
            }
        }
    }
}

//! A programme's eligibility rules and their evaluation at submission (issue "The grants
//! workflow a public funder can run for real", section Programmes): allowed countries (the
//! EU/EEA preset or a chosen list of ISO 3166-1 codes), allowed enterprise categories
//! (Recommendation 2003/361/EC, computed in [`crate::domain::eu::sme`]), a maximum company age
//! in full years, and an allow-list of hardware kinds.
//!
//! Pure: the rules and the applicant's facts go in, every failing rule comes out with its own
//! reason. An ineligible application is kept and flagged with its reasons (stored as
//! [`Failure::code`] lines); the funder may approve it only with a recorded override.

use crate::domain::eu::sme::SmeCategory;
use crate::domain::status::UnknownValue;
use crate::messages::Message;
use chrono::NaiveDate;

/// The member states of the European Union and the other states of the European Economic Area
/// (Iceland, Liechtenstein, Norway): the preset country list.
pub const EU_EEA: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT",
    "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

/// The stored name of the EU/EEA preset.
pub const EU_EEA_PRESET: &str = "EU/EEA";

/// The longest company age a programme may ask for.
pub const MAX_AGE_YEARS: i32 = 200;

/// Which countries a programme accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Countries {
    EuEea,
    /// Upper-case ISO 3166-1 alpha-2 codes.
    List(Vec<String>),
}

impl Countries {
    pub fn allows(&self, country: &str) -> bool {
        match self {
            Countries::EuEea => EU_EEA.contains(&country),
            Countries::List(codes) => codes.iter().any(|c| c == country),
        }
    }

    /// The stored text: `EU/EEA` or codes separated by commas.
    pub fn to_text(&self) -> String {
        match self {
            Countries::EuEea => EU_EEA_PRESET.to_string(),
            Countries::List(codes) => codes.join(","),
        }
    }

    /// Parses the stored (or typed) text: the preset or two-letter codes separated by commas
    /// or spaces; `Err` names the first code that is not two ASCII letters.
    pub fn parse(text: &str) -> Result<Option<Countries>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.eq_ignore_ascii_case(EU_EEA_PRESET) {
            return Ok(Some(Countries::EuEea));
        }
        let mut codes = Vec::new();
        for code in text.split([',', ' ', ';']).map(str::trim).filter(|c| !c.is_empty()) {
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(code.to_string());
            }
            let code = code.to_ascii_uppercase();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        Ok(if codes.is_empty() { None } else { Some(Countries::List(codes)) })
    }
}

/// A programme's rules; `None` means the rule is not set (anyone passes it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub countries: Option<Countries>,
    pub categories: Option<Vec<SmeCategory>>,
    pub max_age_years: Option<i32>,
    pub hardware: Option<Vec<String>>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self == &Rules::default()
    }

    /// Reads the stored columns; an unknown category is an error, never skipped.
    pub fn from_columns(countries: Option<&str>, categories: Option<&str>, max_age_years: Option<i32>, hardware: Option<&str>) -> Result<Rules, UnknownValue> {
        let countries = match countries {
            None => None,
            Some(text) => Countries::parse(text).map_err(|value| UnknownValue { kind: "country code", value })?,
        };
        let categories = match categories {
            None => None,
            Some(text) => Some(split(text).map(str::parse).collect::<Result<Vec<SmeCategory>, _>>()?),
        };
        let hardware = hardware.map(|text| split(text).map(str::to_string).collect());
        Ok(Rules { countries, categories, max_age_years, hardware })
    }

    pub fn countries_text(&self) -> Option<String> {
        self.countries.as_ref().map(Countries::to_text)
    }

    pub fn categories_text(&self) -> Option<String> {
        self.categories.as_ref().map(|c| c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","))
    }

    pub fn hardware_text(&self) -> Option<String> {
        self.hardware.as_ref().map(|h| h.join(","))
    }

    pub fn allows_category(&self, category: SmeCategory) -> bool {
        self.categories.as_ref().is_none_or(|c| c.contains(&category))
    }

    pub fn allows_hardware(&self, kind: &str) -> bool {
        self.hardware.as_ref().is_none_or(|h| h.iter().any(|k| k == kind))
    }
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// What the platform knows of the applicant when it submits.
#[derive(Debug, Clone)]
pub struct Applicant<'a> {
    /// The country of registration (ISO code), if the company is registered.
    pub country: Option<&'a str>,
    /// The SME category from the company profile, if there is one that can be counted.
    pub category: Option<SmeCategory>,
    /// When the company was founded, if the profile says.
    pub founded_on: Option<NaiveDate>,
    /// The hardware kind the application asks for.
    pub hardware: &'a str,
}

/// One failing rule, with what it needs to be worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Country(String),
    CountryUnknown,
    Category(SmeCategory),
    CategoryUnknown,
    TooOld { years: i32, max: i32 },
    AgeUnknown,
    Hardware(String),
}

impl Failure {
    /// The stored form, one line per failure: `country:US`, `category:large`, `age:12:5` …
    pub fn code(&self) -> String {
        match self {
            Failure::Country(c) => format!("country:{c}"),
            Failure::CountryUnknown => "country-unknown".into(),
            Failure::Category(c) => format!("category:{c}"),
            Failure::CategoryUnknown => "category-unknown".into(),
            Failure::TooOld { years, max } => format!("age:{years}:{max}"),
            Failure::AgeUnknown => "age-unknown".into(),
            Failure::Hardware(h) => format!("hardware:{h}"),
        }
    }

    /// Reads [`Failure::code`] back; anything else is an error.
    pub fn parse(code: &str) -> Result<Failure, UnknownValue> {
        let unknown = || UnknownValue { kind: "eligibility failure", value: code.to_string() };
        let (rule, value) = code.split_once(':').unwrap_or((code, ""));
        Ok(match (rule, value) {
            ("country", v) if !v.is_empty() => Failure::Country(v.to_string()),
            ("country-unknown", "") => Failure::CountryUnknown,
            ("category", v) => Failure::Category(v.parse().map_err(|_| unknown())?),
            ("category-unknown", "") => Failure::CategoryUnknown,
            ("age", v) => {
                let (years, max) = v.split_once(':').ok_or_else(unknown)?;
                Failure::TooOld { years: years.parse().map_err(|_| unknown())?, max: max.parse().map_err(|_| unknown())? }
            }
            ("age-unknown", "") => Failure::AgeUnknown,
            ("hardware", v) if !v.is_empty() => Failure::Hardware(v.to_string()),
            _ => return Err(unknown()),
        })
    }

    /// The reason, worded from the catalogue.
    pub fn message(&self) -> Message {
        match self {
            Failure::Country(c) => Message::new("eligibility-country").with("country", c),
            Failure::CountryUnknown => Message::new("eligibility-country-unknown"),
            Failure::Category(c) => Message::new("eligibility-category").with("category", c.as_str()),
            Failure::CategoryUnknown => Message::new("eligibility-category-unknown"),
            Failure::TooOld { years, max } => Message::new("eligibility-too-old").with("years", i64::from(*years)).with("max", i64::from(*max)),
            Failure::AgeUnknown => Message::new("eligibility-age-unknown"),
            Failure::Hardware(h) => Message::new("eligibility-hardware").with("hardware", h),
        }
    }
}

/// The stored text of `failures` (`None` when there are none: the application is eligible).
pub fn to_text(failures: &[Failure]) -> Option<String> {
    if failures.is_empty() { None } else { Some(failures.iter().map(Failure::code).collect::<Vec<_>>().join("\n")) }
}

/// Reads [`to_text`] back.
pub fn from_text(text: Option<&str>) -> Result<Vec<Failure>, UnknownValue> {
    text.map(|t| t.lines().filter(|l| !l.trim().is_empty()).map(|l| Failure::parse(l.trim())).collect()).unwrap_or_else(|| Ok(Vec::new()))
}

/// Full years from `founded_on` to `today` (0 for a date in the future).
pub fn age_in_years(founded_on: NaiveDate, today: NaiveDate) -> i32 {
    today.years_since(founded_on).map(|y| i32::try_from(y).unwrap_or(i32::MAX)).unwrap_or(0)
}

/// Every rule `applicant` fails, in the order the rules are listed (countries, categories,
/// age, hardware); empty when it is eligible.
pub fn evaluate(rules: &Rules, applicant: &Applicant<'_>, today: NaiveDate) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(countries) = &rules.countries {
        match applicant.country {
            None => failures.push(Failure::CountryUnknown),
            Some(c) if !countries.allows(c) => failures.push(Failure::Country(c.to_string())),
            Some(_) => {}
        }
    }
    if rules.categories.is_some() {
        match applicant.category {
            None => failures.push(Failure::CategoryUnknown),
            Some(c) if !rules.allows_category(c) => failures.push(Failure::Category(c)),
            Some(_) => {}
        }
    }
    if let Some(max) = rules.max_age_years {
        match applicant.founded_on {
            None => failures.push(Failure::AgeUnknown),
            Some(day) => {
                let years = age_in_years(day, today);
                if years > max {
                    failures.push(Failure::TooOld { years, max });
                }
            }
        }
    }
    if !rules.allows_hardware(applicant.hardware) {
        failures.push(Failure::Hardware(applicant.hardware.to_string()));
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn applicant(country: Option<&'static str>, category: Option<SmeCategory>, founded_on: Option<NaiveDate>, hardware: &'static str) -> Applicant<'static> {
        Applicant { country, category, founded_on, hardware }
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 26);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn no_rules_everyone_is_eligible() {
        let a = applicant(None, None, None, "GPU");
        assert!(evaluate(&Rules::default(), &a, today()).is_empty());
    }

    /// Rule "countries (EU/EEA list)": the 27 member states and Iceland, Liechtenstein and
    /// Norway pass; Switzerland and the United Kingdom (not in the EEA) fail with their code.
    #[test]
    fn country_rule_eu_eea_preset() {
        let rules = Rules { countries: Some(Countries::EuEea), ..Rules::default() };
        for ok in ["FR", "DE", "NO", "IS", "LI"] {
            assert!(evaluate(&rules, &applicant(Some(ok), None, None, "GPU"), today()).is_empty(), "{ok}");
        }
        assert_eq!(evaluate(&rules, &applicant(Some("CH"), None, None, "GPU"), today()), vec![Failure::Country("CH".into())]);
        assert_eq!(evaluate(&rules, &applicant(Some("GB"), None, None, "GPU"), today()), vec![Failure::Country("GB".into())]);
        assert_eq!(evaluate(&rules, &applicant(None, None, None, "GPU"), today()), vec![Failure::CountryUnknown], "an unregistered company cannot pass");
        assert_eq!(EU_EEA.len(), 30);
    }

    /// Rule "countries (a chosen list)": only the listed ISO codes pass; typed lists are
    /// normalised and a code that is not two letters is refused.
    #[test]
    fn country_rule_explicit_list() {
        let rules = Rules { countries: Countries::parse("fr, be;LU").unwrap(), ..Rules::default() };
        assert_eq!(rules.countries, Some(Countries::List(vec!["FR".into(), "BE".into(), "LU".into()])));
        assert!(evaluate(&rules, &applicant(Some("BE"), None, None, "GPU"), today()).is_empty());
        assert_eq!(evaluate(&rules, &applicant(Some("DE"), None, None, "GPU"), today()), vec![Failure::Country("DE".into())]);
        assert_eq!(Countries::parse("FR, FRA"), Err("FRA".into()));
        assert_eq!(Countries::parse(" "), Ok(None));
        assert_eq!(Countries::parse("eu/eea"), Ok(Some(Countries::EuEea)));
    }

    /// Rule "enterprise categories allowed": the category computed under Recommendation
    /// 2003/361/EC must be one of those chosen; without a profile it cannot be known.
    #[test]
    fn category_rule() {
        let rules = Rules { categories: Some(vec![SmeCategory::Micro, SmeCategory::Small]), ..Rules::default() };
        assert!(evaluate(&rules, &applicant(None, Some(SmeCategory::Small), None, "GPU"), today()).is_empty());
        assert_eq!(evaluate(&rules, &applicant(None, Some(SmeCategory::Large), None, "GPU"), today()), vec![Failure::Category(SmeCategory::Large)]);
        assert_eq!(evaluate(&rules, &applicant(None, None, None, "GPU"), today()), vec![Failure::CategoryUnknown]);
    }

    /// Rule "maximum company age": counted in full years since founding; exactly the maximum
    /// passes, one year more fails; an unknown founding date fails.
    #[test]
    fn age_rule() {
        let rules = Rules { max_age_years: Some(5), ..Rules::default() };
        assert!(evaluate(&rules, &applicant(None, None, Some(day(2021, 11, 26)), "GPU"), today()).is_empty(), "five years to the day");
        assert!(evaluate(&rules, &applicant(None, None, Some(day(2021, 6, 1)), "GPU"), today()).is_empty(), "five years and a half");
        assert_eq!(evaluate(&rules, &applicant(None, None, Some(day(2020, 11, 25)), "GPU"), today()), vec![Failure::TooOld { years: 6, max: 5 }]);
        assert_eq!(evaluate(&rules, &applicant(None, None, None, "GPU"), today()), vec![Failure::AgeUnknown]);
        assert_eq!(age_in_years(day(2030, 1, 1), today()), 0, "a date in the future counts as new");
    }

    /// Rule "allow-list of hardware kinds": the application's kind must be listed.
    #[test]
    fn hardware_rule() {
        let rules = Rules { hardware: Some(vec!["GPU".into(), "CPU".into()]), ..Rules::default() };
        assert!(evaluate(&rules, &applicant(None, None, None, "CPU"), today()).is_empty());
        assert_eq!(evaluate(&rules, &applicant(None, None, None, "IPU"), today()), vec![Failure::Hardware("IPU".into())]);
    }

    /// Every failing rule gives its own reason, in order; the stored text reads back the same.
    #[test]
    fn every_failure_is_reported_and_round_trips() {
        let rules = Rules {
            countries: Some(Countries::EuEea),
            categories: Some(vec![SmeCategory::Micro]),
            max_age_years: Some(3),
            hardware: Some(vec!["GPU".into()]),
        };
        let failures = evaluate(&rules, &applicant(Some("US"), Some(SmeCategory::Medium), Some(day(2010, 1, 1)), "IPU"), today());
        assert_eq!(
            failures,
            vec![Failure::Country("US".into()), Failure::Category(SmeCategory::Medium), Failure::TooOld { years: 16, max: 3 }, Failure::Hardware("IPU".into())]
        );
        let text = to_text(&failures);
        assert_eq!(from_text(text.as_deref()).unwrap(), failures);
        assert_eq!(to_text(&[]), None);
        assert!(from_text(Some("colour:blue")).is_err(), "an unknown stored rule is an error");
        let keys: Vec<&str> = failures.iter().map(|f| f.message().key).collect();
        assert_eq!(keys, ["eligibility-country", "eligibility-category", "eligibility-too-old", "eligibility-hardware"]);
    }

    #[test]
    fn rules_round_trip_through_columns() {
        let rules = Rules {
            countries: Some(Countries::List(vec!["FR".into(), "DE".into()])),
            categories: Some(vec![SmeCategory::Micro, SmeCategory::Medium]),
            max_age_years: Some(7),
            hardware: Some(vec!["GPU".into()]),
        };
        let back = Rules::from_columns(rules.countries_text().as_deref(), rules.categories_text().as_deref(), rules.max_age_years, rules.hardware_text().as_deref()).unwrap();
        assert_eq!(back, rules);
        assert!(Rules::from_columns(None, Some("giant"), None, None).is_err());
    }
}

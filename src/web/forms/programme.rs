use super::{NAME_CHARS, PROSE_CHARS, SHORT_CHARS, amount, date, text, texts};
use crate::domain::FieldErrors;
use crate::domain::programmes::{self, NewProgramme};
use crate::i18n::Locale;

/// What a funder types to open a programme.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProgrammeForm {
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: String,
    pub max_award: String,
    pub opens_on: String,
    pub closes_on: String,
    /// Percent above catalogue prices a usage line may be billed; empty means the default.
    #[serde(default)]
    pub price_tolerance_percent: String,
    /// Days usage stays held waiting for an approved invoice; empty means the default.
    #[serde(default)]
    pub hold_days: String,
    /// `net` or `gross`: what the programme's credits cover; empty means net.
    #[serde(default)]
    pub credits_cover: String,
    /// `budget_while_open` or `expired`: where unused credit goes when a grant ends; empty
    /// means the first.
    #[serde(default)]
    pub unused_credit: String,
    /// The share reserved for micro and small enterprises, in percent (`60`, `12.5`); empty
    /// means none.
    #[serde(default)]
    pub reserved_share: String,
    /// `draft` keeps the new programme as an editable, unfunded draft; otherwise it opens at once.
    #[serde(default)]
    pub lifecycle: String,
}

impl ProgrammeForm {
    /// Parsed and checked against the programme rules; every problem at once.
    pub fn parse(&self, locale: Locale) -> Result<NewProgramme, FieldErrors> {
        let mut errors = texts(&[("name", &self.name, NAME_CHARS), ("currency", &self.currency, SHORT_CHARS), ("budget", &self.budget, SHORT_CHARS), ("max_award", &self.max_award, SHORT_CHARS), ("opens_on", &self.opens_on, SHORT_CHARS), ("closes_on", &self.closes_on, SHORT_CHARS), ("price_tolerance_percent", &self.price_tolerance_percent, SHORT_CHARS), ("hold_days", &self.hold_days, SHORT_CHARS), ("reserved_share", &self.reserved_share, SHORT_CHARS)]);
        text(&mut errors, "description", &self.description, PROSE_CHARS, true);
        if !errors.is_empty() {
            return Err(errors);
        }
        let budget = amount(&mut errors, "budget", &self.budget, locale, &self.currency);
        let max_award = amount(&mut errors, "max_award", &self.max_award, locale, &self.currency);
        let opens_on = date(&mut errors, "opens_on", &self.opens_on);
        let closes_on = date(&mut errors, "closes_on", &self.closes_on);
        let tolerance = match self.price_tolerance_percent.trim() {
            "" => Some(programmes::DEFAULT_PRICE_TOLERANCE),
            text => match text.trim_end_matches('%').trim().parse::<i32>() {
                Ok(p) if (0..=100).contains(&p) => Some(p),
                _ => {
                    errors.add("price_tolerance_percent", crate::messages::Message::new("programme-tolerance-invalid"));
                    None
                }
            },
        };
        let hold_days = match self.hold_days.trim() {
            "" => Some(programmes::DEFAULT_HOLD_DAYS),
            text => match text.parse::<i32>() {
                Ok(d) if (1..=3650).contains(&d) => Some(d),
                _ => {
                    errors.add("hold_days", crate::messages::Message::new("programme-hold-days-invalid"));
                    None
                }
            },
        };
        let credits_cover = match self.credits_cover.trim() {
            "" => Some(programmes::CreditsCover::Net),
            text => match text.parse::<programmes::CreditsCover>() {
                Ok(c) => Some(c),
                Err(_) => {
                    errors.add("credits_cover", crate::messages::Message::new("programme-credits-cover-invalid"));
                    None
                }
            },
        };
        let unused_credit = match self.unused_credit.trim() {
            "" => Some(programmes::UnusedCredit::default()),
            text => match text.parse::<programmes::UnusedCredit>() {
                Ok(u) => Some(u),
                Err(_) => {
                    errors.add("unused_credit", crate::messages::Message::new("programme-unused-credit-invalid"));
                    None
                }
            },
        };
        let reserved_share = match self.reserved_share.trim() {
            "" => Some(0),
            text => match crate::domain::quota::parse_percent(text) {
                Some(bp) => Some(bp),
                None => {
                    errors.add("reserved_share", crate::messages::Message::new("quota-share-invalid"));
                    None
                }
            },
        };
        let (Some(budget), Some(max_award), Some(opens_on), Some(closes_on), Some(price_tolerance_percent), Some(hold_days), Some(credits_cover), Some(unused_credit), Some(reserved_share_bp)) =
            (budget, max_award, opens_on, closes_on, tolerance, hold_days, credits_cover, unused_credit, reserved_share)
        else {
            return Err(errors);
        };
        let new = NewProgramme {
            name: self.name.trim().to_string(),
            description: self.description.trim().to_string(),
            currency: self.currency.clone(),
            budget,
            max_award,
            opens_on,
            closes_on,
            price_tolerance_percent,
            hold_days,
            credits_cover,
            unused_credit,
            reserved_share_bp,
        };
        errors.extend(programmes::validate(&new));
        if errors.is_empty() { Ok(new) } else { Err(errors) }
    }
}

//! Forms as typed: text fields kept as typed (so a refused form shows them again), parsed once
//! into domain types in the page's language. Amounts follow `i18n::parse_amount`, dates the
//! `YYYY-MM-DD` of `<input type="date">`.

mod application;
mod programme;

pub use application::{ApplicationForm, DecisionForm};
pub use programme::ProgrammeForm;

use crate::domain::FieldErrors;
use crate::i18n::{self, Locale};
use crate::messages::Message;
use crate::money::Amount;
use chrono::NaiveDate;

/// An amount typed in `locale`; a worded problem on `field` otherwise.
pub fn amount(errors: &mut FieldErrors, field: &'static str, text: &str, locale: Locale, currency: &str) -> Option<Amount> {
    match i18n::parse_amount(locale, text, currency) {
        Ok(a) => Some(a),
        Err(e) => {
            let example = i18n::text(locale, "amount-example");
            errors.add(field, Message::new(e.key()).with("text", text.trim()).with("example", example));
            None
        }
    }
}

/// A date from a date input (or typed as `YYYY-MM-DD`).
pub fn date(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, Message::new("date-invalid"));
            None
        }
    }
}

//! Forms as typed: text fields kept as typed (so a refused form shows them again), parsed once
//! into domain types in the page's language. Amounts follow `i18n::parse_amount`, dates the
//! `YYYY-MM-DD` of `<input type="date">`.

mod application;
mod programme;

pub use application::{ApplicationForm, ChangeRequestForm, DecisionForm};
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

/// Longest texts accepted, in characters: generous for people, bounded for the database.
pub const NAME_CHARS: usize = 200;
pub const EMAIL_CHARS: usize = 254;
pub const PASSWORD_CHARS: usize = 1024;
pub const PROSE_CHARS: usize = 5000;
pub const SHORT_CHARS: usize = 40;

/// Checks a text field as typed: at most `max` characters, and no control characters (a NUL
/// byte is refused by PostgreSQL and silently stored by SQLite; line breaks and tabs are
/// allowed where the field is `multiline`). Same answer on both backends, before any storage.
pub fn text(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize, multiline: bool) {
    if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        errors.add(field, Message::new("text-control-characters"));
    } else if value.chars().count() > max {
        errors.add(field, Message::new("text-too-long").with("max", max));
    }
}

/// Several single-line fields at once: `(field, value, max)`.
pub fn texts(fields: &[(&'static str, &str, usize)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, value, max) in fields {
        text(&mut errors, field, value, *max, false);
    }
    errors
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

/// The countries offered in forms (companies, data-centre locations), by name in the page's
/// language.
pub fn countries(locale: crate::i18n::Locale) -> Vec<(&'static str, String)> {
    let mut named: Vec<(&'static str, String)> =
        crate::domain::identity::COUNTRIES.iter().map(|code| (*code, crate::i18n::text(locale, &format!("country-{code}")))).collect();
    named.sort_by_cached_key(|(_, name)| crate::i18n::collation_key(name));
    named
}

/// A urlencoded form read as its pairs, for forms that repeat a field (ticked boxes) or name
/// fields after data (`amount_<grant>`), which serde's form reader cannot collect. Checks the
/// CSRF token first; bounded at 64 KB.
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn read(visitor: &crate::web::session::Visitor, body: &[u8]) -> crate::web::error::AppResult<Pairs> {
        if body.len() > 64 * 1024 {
            return Err(crate::web::error::AppError::TooLarge);
        }
        let pairs = Pairs(serde_urlencoded::from_bytes(body).map_err(|_| crate::web::error::AppError::BadForm)?);
        visitor.check_csrf(&pairs.value("csrf_token"))?;
        Ok(pairs)
    }

    /// The first value of `name`, or empty.
    pub fn value(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

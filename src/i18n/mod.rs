//! French and English: the message catalogues (Fluent, one folder per language under
//! `locales/`) and locale-aware formatting of numbers, money and dates.
//!
//! The catalogues are compiled into the binary and parsed once, at start-up ([`init`]); a
//! missing key is logged and shown as the key itself rather than failing a request. Tests check
//! that both languages have the same keys and that every key the code and templates use exists.

mod format;
mod locale;

pub use format::{parse_amount, AmountInputError};
pub use locale::Locale;

use crate::messages::{Arg, Message};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// Every catalogue file, per language, in the same order.
pub const FILES: &[&str] = &["app.ftl", "errors.ftl", "formats.ftl", "mail.ftl", "cli.ftl", "invoicing.ftl", "jobs.ftl", "api.ftl", "reports.ftl", "company.ftl", "usage_report.ftl", "alerts.ftl", "exports.ftl", "grant_expiry.ftl", "lifecycle.ftl", "cofunding.ftl", "reviews.ftl", "offers.ftl", "bulk.ftl", "drafts.ftl", "quota.ftl", "figures.ftl"];

const EN: &[&str] = &[
    include_str!("../../locales/en/app.ftl"),
    include_str!("../../locales/en/errors.ftl"),
    include_str!("../../locales/en/formats.ftl"),
    include_str!("../../locales/en/mail.ftl"),
    include_str!("../../locales/en/cli.ftl"),
    include_str!("../../locales/en/invoicing.ftl"),
    include_str!("../../locales/en/jobs.ftl"),
    include_str!("../../locales/en/api.ftl"),
    include_str!("../../locales/en/reports.ftl"),
    include_str!("../../locales/en/company.ftl"),
    include_str!("../../locales/en/usage_report.ftl"),
    include_str!("../../locales/en/alerts.ftl"),
    include_str!("../../locales/en/cofunding.ftl"),
    include_str!("../../locales/en/quota.ftl"),
    include_str!("../../locales/en/exports.ftl"),
    include_str!("../../locales/en/grant_expiry.ftl"),
    include_str!("../../locales/en/lifecycle.ftl"),
    include_str!("../../locales/en/reviews.ftl"),
    include_str!("../../locales/en/offers.ftl"),
    include_str!("../../locales/en/bulk.ftl"),
    include_str!("../../locales/en/drafts.ftl"),
    include_str!("../../locales/en/figures.ftl"),
];
const FR: &[&str] = &[
    include_str!("../../locales/fr/app.ftl"),
    include_str!("../../locales/fr/errors.ftl"),
    include_str!("../../locales/fr/formats.ftl"),
    include_str!("../../locales/fr/mail.ftl"),
    include_str!("../../locales/fr/cli.ftl"),
    include_str!("../../locales/fr/invoicing.ftl"),
    include_str!("../../locales/fr/jobs.ftl"),
    include_str!("../../locales/fr/api.ftl"),
    include_str!("../../locales/fr/reports.ftl"),
    include_str!("../../locales/fr/company.ftl"),
    include_str!("../../locales/fr/usage_report.ftl"),
    include_str!("../../locales/fr/alerts.ftl"),
    include_str!("../../locales/fr/cofunding.ftl"),
    include_str!("../../locales/fr/quota.ftl"),
    include_str!("../../locales/fr/exports.ftl"),
    include_str!("../../locales/fr/grant_expiry.ftl"),
    include_str!("../../locales/fr/lifecycle.ftl"),
    include_str!("../../locales/fr/reviews.ftl"),
    include_str!("../../locales/fr/offers.ftl"),
    include_str!("../../locales/fr/bulk.ftl"),
    include_str!("../../locales/fr/drafts.ftl"),
    include_str!("../../locales/fr/figures.ftl"),
];

/// The catalogue sources of a language, for tests and tools.
pub fn sources(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => EN,
        Locale::Fr => FR,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the {locale} message catalogue does not parse: {detail}")]
pub struct CatalogueError {
    pub locale: &'static str,
    pub detail: String,
}

struct Catalogues {
    en: FluentBundle<FluentResource>,
    fr: FluentBundle<FluentResource>,
}

static CATALOGUES: OnceLock<Result<Catalogues, String>> = OnceLock::new();

fn bundle(locale: Locale) -> Result<FluentBundle<FluentResource>, CatalogueError> {
    let id: unic_langid::LanguageIdentifier = locale.code().parse().map_err(|e| CatalogueError { locale: locale.code(), detail: format!("{e:?}") })?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks (U+2068/U+2069) around arguments would end up in mails and CSV files.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match locale {
        Locale::En => format::fluent_number_en,
        Locale::Fr => format::fluent_number_fr,
    }));
    for source in sources(locale) {
        let resource = FluentResource::try_new(source.to_string())
            .map_err(|(_, errors)| CatalogueError { locale: locale.code(), detail: format!("{errors:?}") })?;
        bundle.add_resource(resource).map_err(|errors| CatalogueError { locale: locale.code(), detail: format!("{errors:?}") })?;
    }
    Ok(bundle)
}

fn load() -> Result<Catalogues, String> {
    Ok(Catalogues { en: bundle(Locale::En).map_err(|e| e.to_string())?, fr: bundle(Locale::Fr).map_err(|e| e.to_string())? })
}

/// Parses the catalogues; call once at start-up so that a broken catalogue stops the server
/// before it serves anything.
pub fn init() -> Result<(), CatalogueError> {
    match CATALOGUES.get_or_init(load) {
        Ok(_) => Ok(()),
        Err(detail) => Err(CatalogueError { locale: "en/fr", detail: detail.clone() }),
    }
}

fn with_bundle<T>(locale: Locale, f: impl FnOnce(&FluentBundle<FluentResource>) -> T) -> Option<T> {
    match CATALOGUES.get_or_init(load) {
        Ok(c) => Some(f(match locale {
            Locale::En => &c.en,
            Locale::Fr => &c.fr,
        })),
        Err(detail) => {
            log::error!("message catalogues unavailable: {detail}");
            None
        }
    }
}

/// The catalogue's own copy of a message key or argument name, for messages read back from
/// storage (a [`Message`] names its key and arguments with `&'static str`). `None` when the
/// English catalogue neither defines `name` as a key nor uses it as `$name`.
pub fn static_name(name: &str) -> Option<&'static str> {
    let is_name_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    if name.is_empty() || !name.bytes().all(is_name_char) {
        return None;
    }
    EN.iter().find_map(|source: &&'static str| {
        let bytes = source.as_bytes();
        source.match_indices(name).find_map(|(at, found)| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + name.len()).copied();
            let starts = matches!(before, None | Some(b'\n') | Some(b'$'));
            let ends = after.is_none_or(|c| !is_name_char(c));
            (starts && ends).then_some(found)
        })
    })
}

/// True when `key` exists in the language's catalogue.
pub fn has(locale: Locale, key: &str) -> bool {
    with_bundle(locale, |b| b.has_message(key)).unwrap_or(false)
}

fn format_key(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    let worded = with_bundle(locale, |b| {
        let pattern = b.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = b.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            log::warn!("message {key} ({}): {errors:?}", locale.code());
        }
        Some(text)
    })
    .flatten();
    worded.unwrap_or_else(|| {
        MISSING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        log::warn!("message {key} is missing from the {} catalogue", locale.code());
        key.to_string()
    })
}

static MISSING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times a key was looked up that the catalogue does not have, since start-up: a
/// test that walks every page checks it stays at zero.
pub fn missing_lookups() -> u64 {
    MISSING.load(std::sync::atomic::Ordering::Relaxed)
}

/// The text of a key without arguments.
pub fn text(locale: Locale, key: &str) -> String {
    format_key(locale, key, None)
}

/// A message worded in `locale`, its arguments formatted per locale.
pub fn message(locale: Locale, message: &Message) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in &message.args {
        let value: FluentValue = match value {
            Arg::Text(t) => t.clone().into(),
            Arg::Count(n) => FluentValue::from(*n),
            Arg::Money { cents, currency } => format::money(locale, *cents, currency).into(),
            Arg::Exact(d) => format::exact(locale, *d).into(),
            Arg::Date(d) => date(locale, *d).into(),
        };
        args.set(*name, value);
    }
    format_key(locale, message.key, Some(&args))
}

/// A date as people read it: `26 Nov 2026`, `26 nov. 2026`.
pub fn date(locale: Locale, day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let month = text(locale, MONTH_KEYS[day.month0() as usize]);
    format!("{} {month} {}", day.day(), day.year())
}

/// A date and time in UTC: `26 Nov 2026, 14:05 UTC`.
pub fn datetime(locale: Locale, at: chrono::NaiveDateTime) -> String {
    format!("{}, {} UTC", date(locale, at.date()), at.format("%H:%M"))
}

const MONTH_KEYS: [&str; 12] =
    ["month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8", "month-9", "month-10", "month-11", "month-12"];

pub use format::{count, exact, exact_money, money};

/// A key that sorts names as people expect, accents aside: `É` with `E`, case ignored
/// (`Espagne`, `Estonie`, `États-Unis`, `Finlande`). Enough for the Latin names of the
/// catalogues without a collation library.
pub fn collation_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'å' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests;

//! Typed settings, from the environment and the command line.

use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "data/computegrants.sqlite3";
pub const DEFAULT_OUTBOX: &str = "data/outbox";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `postgres://…` for PostgreSQL, anything else is a SQLite file path.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub bind: String,
    /// Public base URL used in mails and printed at start-up.
    pub public_url: Option<String>,
    /// Marks cookies `Secure`; set when the app is served over HTTPS.
    pub secure_cookies: bool,
    pub mail: MailSettings,
    pub pool_size: Option<u32>,
    /// Trust `Forwarded`/`X-Forwarded-For` for the client's address (only behind a proxy that
    /// sets them; otherwise anyone could claim any address).
    pub trust_forwarded_for: bool,
    pub usage: UsageSettings,
    /// JSON API requests one token may make per minute (in a burst, then evenly); one client
    /// address may make twice as many.
    pub api_requests_per_minute: u32,
    /// Awards at or above this many euros are published on `/transparency`
    /// (`TRANSPARENCY_THRESHOLD`, in euros, e.g. `100000` or `100000.00`).
    pub transparency_threshold: crate::money::Amount,
    /// The de minimis ceiling and period (Regulation (EU) 2023/2831, Art. 3(2)): EUR 300 000
    /// over three years unless `DE_MINIMIS_CEILING` (euros) and `DE_MINIMIS_YEARS` say otherwise.
    pub de_minimis: crate::domain::eu::de_minimis::Rules,
}

/// €100,000: the GBER's publication threshold for individual aid awards (Regulation (EU)
/// 651/2014, Article 9, as amended in 2023).
pub const DEFAULT_TRANSPARENCY_THRESHOLD: crate::money::Amount = crate::money::Amount::from_cents(10_000_000);

/// Where and how usage files are received.
#[derive(Debug, Clone)]
pub struct UsageSettings {
    /// Where uploaded files wait for their background job (removed once it finishes).
    pub dir: PathBuf,
    /// Largest file accepted, as sent (a `.csv.gz` counts compressed).
    pub max_bytes: u64,
    /// Files up to this size are checked while the browser waits; larger ones in the background,
    /// with a progress page.
    pub inline_bytes: u64,
}

impl UsageSettings {
    pub fn new(dir: PathBuf) -> UsageSettings {
        UsageSettings { dir, max_bytes: crate::domain::usage::MAX_USAGE_FILE_BYTES, inline_bytes: DEFAULT_INLINE_USAGE_BYTES }
    }
}

/// Files up to 8 MB (some 20,000 lines) are checked while the browser waits.
pub const DEFAULT_INLINE_USAGE_BYTES: u64 = 8 * 1024 * 1024;
pub const DEFAULT_API_REQUESTS_PER_MINUTE: u32 = 600;
pub const DEFAULT_USAGE_DIR: &str = "data/usage-files";

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host`, … (lettre URL syntax). None: write `.eml` files.
    pub smtp_url: Option<String>,
    pub outbox: PathBuf,
    pub from: String,
}

impl Settings {
    /// Reads `DATABASE_URL`, `BIND`, `PUBLIC_URL`, `SECURE_COOKIES`, `SMTP_URL`, `MAIL_FROM`,
    /// `MAIL_OUTBOX`, `DB_POOL_SIZE`, `USAGE_DIR`, `USAGE_MAX_BYTES`, `USAGE_INLINE_BYTES`, `TRANSPARENCY_THRESHOLD`; each has a default that suits a first run on a laptop.
    pub fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind: var("BIND").unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            public_url: var("PUBLIC_URL"),
            secure_cookies: var("SECURE_COOKIES").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
            mail: MailSettings {
                smtp_url: var("SMTP_URL"),
                outbox: var("MAIL_OUTBOX").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_OUTBOX)),
                from: var("MAIL_FROM").unwrap_or_else(|| "ComputeGrants <no-reply@computegrants.localhost>".to_string()),
            },
            pool_size: var("DB_POOL_SIZE").and_then(|v| v.parse().ok()),
            trust_forwarded_for: var("TRUST_FORWARDED_FOR").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes")),
            api_requests_per_minute: var("API_REQUESTS_PER_MINUTE").and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(DEFAULT_API_REQUESTS_PER_MINUTE),
            transparency_threshold: var("TRANSPARENCY_THRESHOLD")
                .and_then(|v| crate::money::Amount::parse(&v).ok())
                .filter(|a| !a.is_negative())
                .unwrap_or(DEFAULT_TRANSPARENCY_THRESHOLD),
            de_minimis: de_minimis_rules(var("DE_MINIMIS_CEILING"), var("DE_MINIMIS_YEARS")),
            usage: UsageSettings {
                dir: var("USAGE_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_USAGE_DIR)),
                max_bytes: var("USAGE_MAX_BYTES").and_then(|v| v.parse().ok()).unwrap_or(crate::domain::usage::MAX_USAGE_FILE_BYTES),
                inline_bytes: var("USAGE_INLINE_BYTES").and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_INLINE_USAGE_BYTES),
            },
        }
    }
}

/// The de minimis rules from `DE_MINIMIS_CEILING` (euros, e.g. `300000` or `300000.00`) and
/// `DE_MINIMIS_YEARS` (a whole number of years, at least 1); the regulation's figures for a
/// value that is missing or does not parse (logged).
pub fn de_minimis_rules(ceiling: Option<String>, years: Option<String>) -> crate::domain::eu::de_minimis::Rules {
    let default = crate::domain::eu::de_minimis::Rules::default();
    let ceiling = match ceiling.map(|c| crate::money::Amount::parse(&c)) {
        None => default.ceiling,
        Some(Ok(amount)) if amount.is_positive() => amount,
        Some(_) => {
            log::warn!("DE_MINIMIS_CEILING is not a positive amount in euros; using {}", default.ceiling);
            default.ceiling
        }
    };
    let years = match years.map(|y| y.trim().parse::<u32>()) {
        None => default.years,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            log::warn!("DE_MINIMIS_YEARS is not a number of years from 1 to 100; using {}", default.years);
            default.years
        }
    };
    crate::domain::eu::de_minimis::Rules { ceiling, years }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Amount;

    #[test]
    fn de_minimis_settings_default_to_the_regulation() {
        let rules = de_minimis_rules(None, None);
        assert_eq!((rules.ceiling, rules.years), (Amount::from_cents(30_000_000), 3));
        let rules = de_minimis_rules(Some("200000.50".into()), Some("2".into()));
        assert_eq!((rules.ceiling, rules.years), (Amount::from_cents(20_000_050), 2));
        let rules = de_minimis_rules(Some("lots".into()), Some("0".into()));
        assert_eq!((rules.ceiling, rules.years), (Amount::from_cents(30_000_000), 3));
    }
}

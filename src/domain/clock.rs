//! Time as the application records it: UTC, truncated to microseconds so that what is stored
//! reads back identically on both backends (the ledger's hash chain depends on it).

use chrono::{NaiveDate, NaiveDateTime, Timelike, Utc};

pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The one textual form of a timestamp used in hashes and exports.
pub fn canonical(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

//! User-facing messages as data: a catalogue key and its arguments.
//!
//! Domain code and the document readers never write sentences: they return a [`Message`] (or a
//! typed error that becomes one), and the edge — a page, a mail, the command line — words it in
//! the reader's language from the catalogues in `locales/` (see `crate::i18n`). Arguments keep
//! their type so that money, exact decimals, counts and dates are formatted per locale there.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A catalogue key with named arguments, e.g. `Message::new("focus-not-decimal").with("value", text)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument, formatted per locale when the message is worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is (names, codes, what the person typed).
    Text(String),
    /// A whole number; also selects plural forms.
    Count(i64),
    /// Money in cents of `currency`.
    Money { cents: i64, currency: String },
    /// An exact decimal, every digit kept (usage costs, document amounts).
    Exact(Decimal),
    Date(NaiveDate),
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message { key, args: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        self.args.push((name, value.into()));
        self
    }

    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }
}

impl Arg {
    /// Money in the minor unit of `currency`.
    pub fn money(amount: crate::money::Amount, currency: &str) -> Arg {
        Arg::Money { cents: amount.cents(), currency: currency.to_string() }
    }
}

impl AsRef<Message> for Message {
    fn as_ref(&self) -> &Message {
        self
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(v.clone())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Count(v)
    }
}

impl From<u64> for Arg {
    fn from(v: u64) -> Arg {
        Arg::Count(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(v: usize) -> Arg {
        Arg::Count(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<Decimal> for Arg {
    fn from(v: Decimal) -> Arg {
        Arg::Exact(v)
    }
}

impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Arg {
        Arg::Date(v)
    }
}

/// A plain, locale-free rendering for logs and `Debug`-like output: `key(name=value, …)`.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)?;
        if !self.args.is_empty() {
            let parts: Vec<String> = self
                .args
                .iter()
                .map(|(n, a)| match a {
                    Arg::Text(t) => format!("{n}={t}"),
                    Arg::Count(c) => format!("{n}={c}"),
                    Arg::Money { cents, currency } => format!("{n}={} {currency}", Decimal::new(*cents, 2)),
                    Arg::Exact(d) => format!("{n}={d}"),
                    Arg::Date(d) => format!("{n}={d}"),
                })
                .collect();
            write!(f, "({})", parts.join(", "))?;
        }
        Ok(())
    }
}

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

/// Messages kept in the database (a refused file's problems, notifications) as JSON: the
/// catalogue key and typed arguments, so they are worded in the reader's language whenever
/// read. Reading one back maps each name onto the catalogue's own copy. (Part of the app: the
/// document readers alone, as the fuzz targets build them, have no catalogue.)
#[cfg(feature = "app")]
mod stored {
    use super::{Arg, Message};
    use rust_decimal::Decimal;
    use serde_json::{Value, json};

    fn arg_to_json(arg: &Arg) -> Value {
        match arg {
            Arg::Text(t) => json!({ "text": t }),
            Arg::Count(n) => json!({ "count": n }),
            Arg::Money { cents, currency } => json!({ "cents": cents, "currency": currency }),
            Arg::Exact(d) => json!({ "exact": d.to_string() }),
            Arg::Date(d) => json!({ "date": d.to_string() }),
        }
    }

    fn arg_from_json(value: &Value) -> Option<Arg> {
        if let Some(t) = value.get("text").and_then(Value::as_str) {
            return Some(Arg::Text(t.to_string()));
        }
        if let Some(n) = value.get("count").and_then(Value::as_i64) {
            return Some(Arg::Count(n));
        }
        if let (Some(cents), Some(currency)) = (value.get("cents").and_then(Value::as_i64), value.get("currency").and_then(Value::as_str)) {
            return Some(Arg::Money { cents, currency: currency.to_string() });
        }
        if let Some(d) = value.get("exact").and_then(Value::as_str) {
            return d.parse::<Decimal>().ok().map(Arg::Exact);
        }
        value.get("date").and_then(Value::as_str).and_then(|d| d.parse().ok()).map(Arg::Date)
    }

    pub fn message_to_json(message: &Message) -> Value {
        // A list, not an object: the arguments keep their order.
        let args: Vec<Value> = message.args.iter().map(|(name, arg)| json!([name, arg_to_json(arg)])).collect();
        json!({ "key": message.key, "args": args })
    }

    pub fn message_from_json(value: &Value, unreadable: &'static str) -> Message {
        let key = value.get("key").and_then(Value::as_str).and_then(crate::i18n::static_name);
        let Some(key) = key else { return Message::new(unreadable) };
        let mut message = Message::new(key);
        for pair in value.get("args").and_then(Value::as_array).into_iter().flatten() {
            let name = pair.get(0).and_then(Value::as_str).and_then(crate::i18n::static_name);
            // An argument the catalogue never uses words nothing: it can be left out.
            if let (Some(name), Some(arg)) = (name, pair.get(1).and_then(arg_from_json)) {
                message.args.push((name, arg));
            }
        }
        message
    }
}

#[cfg(feature = "app")]
impl Message {
    /// The message as JSON (see `stored`).
    pub fn to_json(&self) -> serde_json::Value {
        stored::message_to_json(self)
    }

    /// A message read back from [`Message::to_json`]; `unreadable` (a catalogue key) when its
    /// key is not in the catalogue any more.
    pub fn from_json(value: &serde_json::Value, unreadable: &'static str) -> Message {
        stored::message_from_json(value, unreadable)
    }
}

//! A refused file's problems kept with its background job, as JSON, so that the provider's page
//! shows them in the reader's language whenever it is opened. Messages keep their catalogue key
//! and typed arguments; reading them back maps each name onto the catalogue's own copy.

use crate::formats::{Problem, Problems};
use crate::messages::{Arg, Message};
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

fn message_to_json(message: &Message) -> Value {
    // A list, not an object: the arguments keep their order.
    let args: Vec<Value> = message.args.iter().map(|(name, arg)| json!([name, arg_to_json(arg)])).collect();
    json!({ "key": message.key, "args": args })
}

fn message_from_json(value: &Value) -> Message {
    let key = value.get("key").and_then(Value::as_str).and_then(crate::i18n::static_name);
    let Some(key) = key else { return Message::new("usage-job-problem-unreadable") };
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

/// The problems as JSON text.
pub fn to_json(problems: &Problems) -> String {
    let shown: Vec<Value> = problems
        .shown
        .iter()
        .map(|p| json!({ "line": p.line, "column": p.column, "column_number": p.column_number, "path": p.path, "message": message_to_json(&p.message) }))
        .collect();
    json!({ "shown": shown, "not_shown": problems.not_shown }).to_string()
}

/// The problems back from their JSON text; text that is not what [`to_json`] wrote reads as one
/// problem saying so, never as a clean file.
pub fn from_json(text: &str) -> Problems {
    let mut problems = Problems::default();
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        problems.push(Problem::file(Message::new("usage-job-problem-unreadable")));
        return problems;
    };
    for p in value.get("shown").and_then(Value::as_array).into_iter().flatten() {
        problems.push(Problem {
            line: p.get("line").and_then(Value::as_u64),
            column: p.get("column").and_then(Value::as_str).map(str::to_string),
            column_number: p.get("column_number").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok()),
            rule: None,
            path: p.get("path").and_then(Value::as_str).map(str::to_string),
            message: p.get("message").map(message_from_json).unwrap_or_else(|| Message::new("usage-job-problem-unreadable")),
        });
    }
    problems.not_shown += value.get("not_shown").and_then(Value::as_u64).unwrap_or(0);
    if problems.is_empty() {
        problems.push(Problem::file(Message::new("usage-job-problem-unreadable")));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_back_as_they_were_written() {
        crate::i18n::init().unwrap();
        let mut problems = Problems::default();
        problems.push(Problem {
            line: Some(7),
            column: Some("BilledCost".into()),
            column_number: Some(12),
            rule: None,
            path: None,
            message: Message::new("usage-price-off-catalogue")
                .with("price", Decimal::new(99900, 2))
                .with("unit", "GPU-hour")
                .with("offering", "H100")
                .with("catalogue", Decimal::new(240, 2))
                .with("currency", "EUR")
                .with("tolerance", 5i64),
        });
        problems.push(Problem::file(Message::new("usage-grant-insufficient").with("grant", "G-1").with("available", Arg::Money { cents: 100, currency: "EUR".into() })));
        problems.not_shown = 3;
        let back = from_json(&to_json(&problems));
        assert_eq!(back.shown, problems.shown);
        assert_eq!(back.not_shown, 3);
    }

    #[test]
    fn unreadable_text_is_a_problem_not_a_clean_file() {
        crate::i18n::init().unwrap();
        assert_eq!(from_json("not json").shown[0].message.key, "usage-job-problem-unreadable");
        assert_eq!(from_json(r#"{"shown":[{"message":{"key":"no-such-key"}}]}"#).shown[0].message.key, "usage-job-problem-unreadable");
    }
}

//! A refused file's problems kept with its background job, as JSON, so that the provider's page
//! shows them in the reader's language whenever it is opened. Messages keep their catalogue key
//! and typed arguments; reading them back maps each name onto the catalogue's own copy.

use crate::formats::{Problem, Problems};
use crate::messages::Message;
use serde_json::{Value, json};

/// The problems as JSON text.
pub fn to_json(problems: &Problems) -> String {
    let shown: Vec<Value> = problems
        .shown
        .iter()
        .map(|p| json!({ "line": p.line, "column": p.column, "column_number": p.column_number, "path": p.path, "message": p.message.to_json() }))
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
            message: p.get("message").map(|m| Message::from_json(m, "usage-job-problem-unreadable")).unwrap_or_else(|| Message::new("usage-job-problem-unreadable")),
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
    use crate::messages::Arg;
    use rust_decimal::Decimal;

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

//! FinOps FOCUS cost-and-usage files (CSV), read as a stream.
//!
//! Columns are found by header name, in any order; unknown columns are ignored. Each data line
//! is checked and handed to the caller as a [`UsageLine`] with exact decimals; problems name the
//! line (the header is line 1) and the column. The literal `NULL` that real exports write for an
//! empty cell is read as empty.

use super::decimal::{parse_decimal, parse_timestamp};
use super::{Problem, Problems};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::Read;

/// Columns billing cannot do without.
pub const REQUIRED_COLUMNS: &[&str] = &[
    "BilledCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceName",
    "ConsumedQuantity",
    "ConsumedUnit",
    "SubAccountId",
];

#[derive(Debug, Clone, PartialEq)]
pub struct UsageLine {
    pub line: u64,
    pub billed_cost: Decimal,
    pub currency: String,
    pub charge_period_start: NaiveDateTime,
    pub charge_period_end: NaiveDateTime,
    pub service_name: String,
    /// Absent on lines that are not usage (purchases, taxes, credits).
    pub consumed_quantity: Option<Decimal>,
    pub consumed_unit: Option<String>,
    pub sub_account_id: String,
    pub charge_category: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct FocusSummary {
    pub lines: u64,
    pub problems: Problems,
}

#[derive(Debug, thiserror::Error)]
pub enum FocusError {
    #[error("the file is not readable as CSV: {0}")]
    Unreadable(String),
}

struct Columns {
    index: HashMap<&'static str, usize>,
    charge_category: Option<usize>,
}

fn is_null(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || c.eq_ignore_ascii_case("null")
}

/// Reads `input`, calling `on_line` for every line that has no problem. Lines with a problem are
/// reported in the summary and not passed on. Fails only when the input is not CSV at all.
pub fn read<R: Read>(input: R, mut on_line: impl FnMut(UsageLine)) -> Result<FocusSummary, FocusError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let mut summary = FocusSummary::default();
    let headers = reader.headers().map_err(|e| FocusError::Unreadable(e.to_string()))?.clone();
    let position: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_string(), i))
        .collect();
    let mut index = HashMap::new();
    for &name in REQUIRED_COLUMNS {
        match position.get(name) {
            Some(&i) => {
                index.insert(name, i);
            }
            None => summary.problems.push(Problem {
                line: Some(1),
                column: Some(name.to_string()),
                column_number: None, rule: None, path: None,
                message: format!("the header has no {name} column, which FOCUS requires"),
            }),
        }
    }
    if !summary.problems.is_empty() {
        return Ok(summary);
    }
    let columns = Columns { index, charge_category: position.get("ChargeCategory").copied() };

    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                summary.lines += 1;
                if record.len() != headers.len() {
                    summary.problems.push(Problem {
                        line: Some(line),
                        column: None,
                        column_number: None, rule: None, path: None,
                        message: format!("has {} cells; the header has {}", record.len(), headers.len()),
                    });
                    continue;
                }
                if let Some(usage) = check_line(&columns, &record, line, &mut summary.problems) {
                    on_line(usage);
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                summary.problems.push(Problem { line, column: None, column_number: None, rule: None, path: None, message: format!("cannot be read: {}", csv_message(&e)) });
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    Ok(summary)
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8 text".to_string(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

fn check_line(columns: &Columns, record: &csv::StringRecord, line: u64, problems: &mut Problems) -> Option<UsageLine> {
    let before = problems.total();
    let cell = |name: &'static str| -> (&str, usize) {
        let i = columns.index[name];
        (record.get(i).unwrap_or(""), i + 1)
    };
    let mut problem = |name: &str, number: usize, message: String| {
        problems.push(Problem { line: Some(line), column: Some(name.to_string()), column_number: Some(number), rule: None, path: None, message });
    };

    let (text, n) = cell("BilledCost");
    let billed_cost = if is_null(text) {
        problem("BilledCost", n, "is empty; every charge needs a billed cost".into());
        None
    } else {
        let parsed = parse_decimal(text);
        if parsed.is_none() {
            problem("BilledCost", n, format!("“{}” is not a decimal number", text.trim()));
        }
        parsed
    };

    let (text, n) = cell("BillingCurrency");
    let currency = text.trim();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        problem("BillingCurrency", n, format!("“{currency}” is not an ISO 4217 currency code such as EUR"));
    }

    let mut period = |name: &'static str| {
        let (text, n) = cell(name);
        let parsed = parse_timestamp(text);
        if parsed.is_none() {
            problem(name, n, format!("“{}” is not a date and time such as 2026-10-01T00:00:00Z", text.trim()));
        }
        (parsed, n)
    };
    let (start, _) = period("ChargePeriodStart");
    let (end, end_n) = period("ChargePeriodEnd");
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            problems.push(Problem {
                line: Some(line),
                column: Some("ChargePeriodEnd".into()),
                column_number: Some(end_n), rule: None, path: None,
                message: "the charge period must end after it starts".into(),
            });
        }
    }

    let charge_category = columns.charge_category.and_then(|i| record.get(i)).filter(|c| !is_null(c)).map(|c| c.trim().to_string());
    let is_usage = charge_category.as_deref().is_none_or(|c| c == "Usage");
    let mut problem = |name: &str, number: usize, message: String| {
        problems.push(Problem { line: Some(line), column: Some(name.to_string()), column_number: Some(number), rule: None, path: None, message });
    };
    let (text, n) = cell("ConsumedQuantity");
    let consumed_quantity = if is_null(text) {
        if is_usage {
            problem("ConsumedQuantity", n, "is empty; a usage charge says how much was consumed".into());
        }
        None
    } else {
        // Negative quantities are legitimate: providers correct earlier usage that way.
        let parsed = parse_decimal(text);
        if parsed.is_none() {
            problem("ConsumedQuantity", n, format!("“{}” is not a decimal number", text.trim()));
        }
        parsed
    };
    let (text, n) = cell("ConsumedUnit");
    let consumed_unit = if is_null(text) {
        if consumed_quantity.is_some() {
            problem("ConsumedUnit", n, "is empty; say what unit ConsumedQuantity counts".into());
        }
        None
    } else {
        Some(text.trim().to_string())
    };
    let (text, n) = cell("ServiceName");
    if is_null(text) {
        problem("ServiceName", n, "is empty; name the service that was used".into());
    }
    let service_name = text.trim().to_string();
    let (text, n) = cell("SubAccountId");
    if is_null(text) {
        problem("SubAccountId", n, "is empty; it must carry the grant code (such as G-2026-0042)".into());
    }
    let sub_account_id = text.trim().to_string();

    if problems.total() > before {
        return None;
    }
    Some(UsageLine {
        line,
        billed_cost: billed_cost?,
        currency: currency.to_string(),
        charge_period_start: start?,
        charge_period_end: end?,
        service_name,
        consumed_quantity,
        consumed_unit,
        sub_account_id,
        charge_category,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,SubAccountId";

    fn read_all(text: &str) -> (Vec<UsageLine>, FocusSummary) {
        let mut lines = Vec::new();
        let summary = read(text.as_bytes(), |l| lines.push(l)).unwrap();
        (lines, summary)
    }

    #[test]
    fn reads_columns_in_any_order_with_extras_and_bom() {
        let text = "\u{feff}Extra,SubAccountId,ConsumedUnit,ConsumedQuantity,ServiceName,ChargePeriodEnd,ChargePeriodStart,BillingCurrency,BilledCost\n\
                    x,G-2026-0001,GPU-hour,12,Helios A100,2026-10-02 00:00:00,2026-10-01 00:00:00,EUR,1.5E1\n";
        let (lines, summary) = read_all(text);
        assert!(summary.problems.is_empty(), "{:?}", summary.problems);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].billed_cost, Decimal::from(15));
        assert_eq!(lines[0].sub_account_id, "G-2026-0001");
        assert_eq!(lines[0].line, 2);
    }

    #[test]
    fn names_line_and_column_of_each_problem() {
        let text = format!(
            "{HEADER}\n\
             12.00,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1\n\
             abc,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1\n\
             1,eur,2026-10-03,2026-10-02,GPU,1,h,NULL\n"
        );
        let (lines, summary) = read_all(&text);
        assert_eq!(lines.len(), 1);
        let shown: Vec<String> = summary.problems.shown.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown[0], "line 3, column 1 (BilledCost): “abc” is not a decimal number");
        assert!(shown[1].starts_with("line 4, column 2 (BillingCurrency)"), "{shown:?}");
        assert!(shown[2].starts_with("line 4, column 4 (ChargePeriodEnd)"), "{shown:?}");
        assert!(shown[3].starts_with("line 4, column 8 (SubAccountId)"), "{shown:?}");
        assert_eq!(shown.len(), 4);
    }

    #[test]
    fn missing_required_column_is_named() {
        let (_, summary) = read_all("BilledCost,BillingCurrency\n1,EUR\n");
        assert!(summary.problems.shown.iter().any(|p| p.column.as_deref() == Some("SubAccountId") && p.line == Some(1)));
    }

    #[test]
    fn problems_are_capped_with_a_count() {
        let mut text = format!("{HEADER}\n");
        for _ in 0..(Problems::CAP + 50) {
            text.push_str("x,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1\n");
        }
        let (_, summary) = read_all(&text);
        assert_eq!(summary.problems.shown.len(), Problems::CAP);
        assert_eq!(summary.problems.not_shown, 50);
    }

    #[test]
    fn reads_the_focus_sample_export() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/focus/focus-1.0-sample-1000.csv");
        let Ok(file) = std::fs::File::open(path) else {
            eprintln!("SKIPPED reads_the_focus_sample_export: {path} is not there (shared/ fixtures missing)");
            return;
        };
        let mut total = Decimal::ZERO;
        let mut count = 0;
        let summary = read(file, |l| {
            total += l.billed_cost;
            count += 1;
        })
        .unwrap();
        assert_eq!(summary.lines, 1000);
        assert!(summary.problems.is_empty(), "{:?}", &summary.problems.shown[..summary.problems.shown.len().min(5)]);
        assert_eq!(count, 1000);
        assert!(total > Decimal::ZERO);
    }
}

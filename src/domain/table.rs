//! A table a person takes away: typed columns and cells, written as CSV (RFC 4180, UTF-8), XLSX
//! (real number and date cells) or JSON, from one description.
//!
//! Every download of the application builds a [`Table`] and calls [`Table::render`]: the
//! headers are already in the reader's language, the machine keys stay the same in every
//! language (JSON), and text cells that a spreadsheet would read as a formula (`= + - @`, tab,
//! carriage return) are neutralised in CSV and XLSX by the one rule of
//! [`crate::domain::audit::neutralise_formula`]. JSON keeps text as it is: it is not opened by
//! a spreadsheet.
//!
//! Money is carried in minor units ([`Amount`]) with its currency. CSV and JSON write it as an
//! exact decimal (`1500.50`); XLSX can only hold a number cell as an IEEE double, so it gets
//! the double nearest to the exact value (exact for any amount below 2^53 cents' worth of
//! whole units, which every real amount is) with a two-decimal number format. Exact decimals
//! (usage costs to 12 places) likewise: exact in CSV and JSON, the nearest double in XLSX.

use crate::domain::audit::neutralise_formula;
use crate::money::Amount;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What a column holds, which decides how each format writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// Minor units with a currency.
    Money,
    Date,
    /// A share in percent (`33.3` is 33.3 %).
    Percent,
    /// An exact decimal kept to all its digits (a usage line's quantity or cost).
    Decimal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Integer => "integer",
            Kind::Money => "money",
            Kind::Date => "date",
            Kind::Percent => "percent",
            Kind::Decimal => "decimal",
        }
    }
}

/// One column: its stable machine key (JSON), its header in the reader's language (CSV, XLSX)
/// and its kind.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: &'static str,
    pub header: String,
    pub kind: Kind,
}

impl Column {
    pub fn new(key: &'static str, header: impl Into<String>, kind: Kind) -> Column {
        Column { key, header: header.into(), kind }
    }
}

/// One cell. [`Cell::Empty`] fits any column (a share of nothing, an unknown date).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Money(Amount, String),
    Date(NaiveDate),
    Percent(Decimal),
    Decimal(Decimal),
    Empty,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn money(amount: Amount, currency: &str) -> Cell {
        Cell::Money(amount, currency.to_string())
    }

    fn kind(&self) -> Option<Kind> {
        match self {
            Cell::Text(_) => Some(Kind::Text),
            Cell::Integer(_) => Some(Kind::Integer),
            Cell::Money(..) => Some(Kind::Money),
            Cell::Date(_) => Some(Kind::Date),
            Cell::Percent(_) => Some(Kind::Percent),
            Cell::Decimal(_) => Some(Kind::Decimal),
            Cell::Empty => None,
        }
    }

    /// The cell as CSV writes it: exact decimals, ISO dates, neutralised text.
    fn plain(&self) -> String {
        match self {
            Cell::Text(t) => neutralise_formula(t),
            Cell::Integer(n) => n.to_string(),
            Cell::Money(a, _) => a.plain(),
            Cell::Date(d) => d.to_string(),
            Cell::Percent(p) => p.to_string(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }

    fn json(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        match self {
            Cell::Text(t) => Value::String(t.clone()),
            Cell::Integer(n) => json!(n),
            Cell::Money(a, currency) => json!({ "amount": a.plain(), "currency": currency }),
            Cell::Date(d) => Value::String(d.to_string()),
            Cell::Percent(p) => Value::String(p.to_string()),
            Cell::Decimal(d) => Value::String(d.to_string()),
            Cell::Empty => Value::Null,
        }
    }
}

/// The three formats of a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Xlsx, Format::Json];

    /// `csv`, `xlsx` or `json`; anything else is no format.
    pub fn parse(extension: &str) -> Option<Format> {
        match extension {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("row {row} has {found} cells for {expected} columns")]
    RowWidth { row: usize, found: usize, expected: usize },
    #[error("row {row}, column {column}: a {found} cell in a {expected} column")]
    CellKind { row: usize, column: &'static str, found: &'static str, expected: &'static str },
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a number too large for a spreadsheet cell")]
    Number,
    /// A spreadsheet holds 1,048,576 rows, the header included.
    #[error("{rows} rows do not fit in one sheet")]
    TooManyRows { rows: usize },
}

/// Data rows one XLSX sheet holds under its header.
pub const MAX_XLSX_ROWS: usize = 1_048_575;

/// A table to download: a name (the XLSX sheet's), columns and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Table {
        Table { name: name.into(), columns, rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// Every row as wide as the columns, every cell of its column's kind (or empty).
    pub fn check(&self) -> Result<(), TableError> {
        for (i, row) in self.rows.iter().enumerate() {
            if row.len() != self.columns.len() {
                return Err(TableError::RowWidth { row: i + 1, found: row.len(), expected: self.columns.len() });
            }
            for (cell, column) in row.iter().zip(&self.columns) {
                if let Some(kind) = cell.kind().filter(|k| *k != column.kind) {
                    return Err(TableError::CellKind { row: i + 1, column: column.key, found: kind.as_str(), expected: column.kind.as_str() });
                }
            }
        }
        Ok(())
    }

    pub fn render(&self, format: Format) -> Result<Vec<u8>, TableError> {
        self.check()?;
        match format {
            Format::Csv => self.csv(),
            Format::Xlsx => self.xlsx(),
            Format::Json => self.json(),
        }
    }

    /// RFC 4180: CRLF line ends, quotes where needed, a header row in the reader's language.
    fn csv(&self) -> Result<Vec<u8>, TableError> {
        let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        out.write_record(self.columns.iter().map(|c| neutralise_formula(&c.header)))?;
        for row in &self.rows {
            out.write_record(row.iter().map(Cell::plain))?;
        }
        out.into_inner().map_err(|e| TableError::Csv(e.into_error().into()))
    }

    /// `{"columns": [{"key", "label", "kind"}], "rows": [{key: value}]}`: money as
    /// `{"amount": "1500.00", "currency": "EUR"}`, dates ISO, shares as exact decimal text.
    fn json(&self) -> Result<Vec<u8>, TableError> {
        let columns: Vec<serde_json::Value> = self.columns.iter().map(|c| serde_json::json!({ "key": c.key, "label": c.header, "kind": c.kind.as_str() })).collect();
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| serde_json::Value::Object(self.columns.iter().zip(row).map(|(c, cell)| (c.key.to_string(), cell.json())).collect()))
            .collect();
        Ok(serde_json::to_vec_pretty(&serde_json::json!({ "name": self.name, "columns": columns, "rows": rows }))?)
    }

    /// One sheet: a bold, frozen header row; numbers, money, shares and dates as number cells
    /// with their number format; text neutralised.
    fn xlsx(&self) -> Result<Vec<u8>, TableError> {
        use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
        if self.rows.len() > MAX_XLSX_ROWS {
            return Err(TableError::TooManyRows { rows: self.rows.len() });
        }
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&self.name))?;
        let bold = CellFormat::new().set_bold();
        let integer = CellFormat::new().set_num_format("0");
        let money = CellFormat::new().set_num_format("#,##0.00");
        let date = CellFormat::new().set_num_format("yyyy-mm-dd");
        let percent = CellFormat::new().set_num_format("0.0%");
        let decimal = CellFormat::new().set_num_format("0.00##########");
        for (c, column) in self.columns.iter().enumerate() {
            let c = col(c)?;
            sheet.write_string_with_format(0, c, neutralise_formula(&column.header), &bold)?;
            let width = column.header.chars().count().clamp(10, 40);
            sheet.set_column_width(c, u32::try_from(width).unwrap_or(10) as f64 + 2.0)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| TableError::Number)?;
            for (c, cell) in row.iter().enumerate() {
                let c = col(c)?;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, neutralise_formula(t))?;
                    }
                    Cell::Integer(n) => {
                        sheet.write_number_with_format(r, c, *n as f64, &integer)?;
                    }
                    Cell::Money(a, _) => {
                        sheet.write_number_with_format(r, c, a.to_decimal().to_f64().ok_or(TableError::Number)?, &money)?;
                    }
                    Cell::Date(d) => {
                        let day = ExcelDateTime::from_ymd(u16::try_from(d.year()).map_err(|_| TableError::Number)?, d.month() as u8, d.day() as u8)?;
                        sheet.write_datetime_with_format(r, c, &day, &date)?;
                    }
                    Cell::Percent(p) => {
                        let share = (*p / Decimal::ONE_HUNDRED).to_f64().ok_or(TableError::Number)?;
                        sheet.write_number_with_format(r, c, share, &percent)?;
                    }
                    Cell::Decimal(d) => {
                        sheet.write_number_with_format(r, c, d.to_f64().ok_or(TableError::Number)?, &decimal)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        Ok(book.save_to_buffer()?)
    }
}

fn col(index: usize) -> Result<u16, TableError> {
    u16::try_from(index).map_err(|_| TableError::Number)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[ ] : * ? / \`, not blank.
fn sheet_name(name: &str) -> String {
    let clean: String = name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '-' } else { c }).take(31).collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    if clean.is_empty() { "Sheet1".to_string() } else { clean }
}

/// The download's file name: `computegrants-<stem>.<ext>`, the stem kept to letters, digits and
/// dashes so the header needs no quoting rules.
pub fn filename(stem: &str, format: Format) -> String {
    let clean: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("computegrants-{}.{}", clean.trim_matches('-'), format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(
            "Grants: 2026/27",
            vec![
                Column { key: "name", header: "Name".into(), kind: Kind::Text },
                Column { key: "count", header: "Count".into(), kind: Kind::Integer },
                Column { key: "amount", header: "Amount".into(), kind: Kind::Money },
                Column { key: "on", header: "Date".into(), kind: Kind::Date },
                Column { key: "share", header: "Share".into(), kind: Kind::Percent },
            ],
        );
        t.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Integer(3), Cell::money(Amount::from_cents(150_050), "EUR"), Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()), Cell::Percent(Decimal::new(333, 1))]);
        t.push(vec![Cell::text("Lumen, \"Labs\""), Cell::Integer(-1), Cell::money(Amount::from_cents(-5), "EUR"), Cell::Empty, Cell::Empty]);
        t
    }

    #[test]
    fn csv_is_rfc_4180_with_exact_figures_and_neutralised_text() {
        let csv = String::from_utf8(sample().render(Format::Csv).unwrap()).unwrap();
        assert_eq!(csv, "Name,Count,Amount,Date,Share\r\n\"'=HYPERLINK(\"\"x\"\")\",3,1500.50,2026-11-26,33.3\r\n\"Lumen, \"\"Labs\"\"\",-1,-0.05,,\r\n");
    }

    #[test]
    fn every_formula_start_is_neutralised() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let mut t = Table::new("t", vec![Column { key: "x", header: "X".into(), kind: Kind::Text }]);
            t.push(vec![Cell::text(format!("{start}1+1"))]);
            let csv = String::from_utf8(t.render(Format::Csv).unwrap()).unwrap();
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let cell = reader.records().next().unwrap().unwrap()[0].to_string();
            assert_eq!(cell, format!("'{start}1+1"), "{start:?}");
        }
    }

    #[test]
    fn json_keeps_keys_kinds_and_exact_values() {
        let json: serde_json::Value = serde_json::from_slice(&sample().render(Format::Json).unwrap()).unwrap();
        assert_eq!(json["columns"][2], serde_json::json!({"key": "amount", "label": "Amount", "kind": "money"}));
        assert_eq!(json["rows"][0]["name"], "=HYPERLINK(\"x\")", "JSON is not read as formulas");
        assert_eq!(json["rows"][0]["amount"], serde_json::json!({"amount": "1500.50", "currency": "EUR"}));
        assert_eq!(json["rows"][0]["count"], 3);
        assert_eq!(json["rows"][0]["on"], "2026-11-26");
        assert_eq!(json["rows"][0]["share"], "33.3");
        assert_eq!(json["rows"][1]["on"], serde_json::Value::Null);
    }

    #[test]
    fn exact_decimals_keep_their_digits() {
        let mut t = Table::new("t", vec![Column::new("cost", "Cost", Kind::Decimal)]);
        t.push(vec![Cell::Decimal("0.000123456789".parse().unwrap())]);
        assert_eq!(String::from_utf8(t.render(Format::Csv).unwrap()).unwrap(), "Cost\r\n0.000123456789\r\n");
        let json: serde_json::Value = serde_json::from_slice(&t.render(Format::Json).unwrap()).unwrap();
        assert_eq!(json["rows"][0]["cost"], "0.000123456789");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = sample().render(Format::Xlsx).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "an OOXML package is a zip");
        assert!(bytes.len() > 1000);
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_refused() {
        let mut t = sample();
        t.push(vec![Cell::Integer(1)]);
        assert!(matches!(t.render(Format::Csv), Err(TableError::RowWidth { row: 3, found: 1, expected: 5 })));
        let mut t = sample();
        t.push(vec![Cell::Integer(1), Cell::Integer(1), Cell::Integer(1), Cell::Empty, Cell::Empty]);
        assert!(matches!(t.render(Format::Xlsx), Err(TableError::CellKind { column: "name", .. })));
    }

    #[test]
    fn a_sheet_too_long_for_a_spreadsheet_is_refused() {
        let mut t = Table::new("t", vec![Column::new("n", "N", Kind::Integer)]);
        t.rows = vec![vec![Cell::Empty]; MAX_XLSX_ROWS + 1];
        assert!(matches!(t.render(Format::Xlsx), Err(TableError::TooManyRows { rows }) if rows == MAX_XLSX_ROWS + 1));
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(sheet_name("Grants: 2026/27"), "Grants- 2026-27");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name("[]"), "--");
        assert_eq!(filename("programme-3 grants", Format::Xlsx), "computegrants-programme-3-grants.xlsx");
        assert_eq!(Format::parse("xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::parse("exe"), None);
    }
}

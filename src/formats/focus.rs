//! FinOps FOCUS cost-and-usage files (CSV, versions 1.0 to 1.2), read as a stream.
//!
//! Columns are found by header name, in any order; unknown columns are ignored. Each data line
//! is checked and handed to the caller as a [`UsageLine`] that borrows from the reader's buffer
//! (no allocation per line), with exact decimals. Problems name the line (the header is line 1)
//! and the column, and are capped in number. Real exports' quirks are accepted: the literal
//! `NULL`, timestamps with or without `T`/`Z`, E-notation, many decimals, a UTF-8 BOM.

use super::currency::is_iso_4217;
use super::decimal::{exact_add, parse_decimal, parse_timestamp_fast};
use super::{Problem, Problems};
use crate::messages::Message;
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// Columns a usage file must have (values may be null where FOCUS allows it).
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

const OPTIONAL_COLUMNS: &[&str] = &[
    "ChargeCategory", "ChargeClass", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity", "PricingUnit",
    "SkuId", "RegionId", "ResourceId", "InvoiceId", "Tags",
];

/// How far `PricingQuantity × ListUnitPrice` may be from `ListCost`: one cent. Real exports
/// round line costs (the FOCUS sample is off by up to 0.00006 on sub-cent lines).
pub const PRICING_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

#[derive(Debug, Clone, PartialEq)]
pub struct UsageLine<'r> {
    pub line: u64,
    pub charge_period_start: NaiveDateTime,
    pub charge_period_end: NaiveDateTime,
    /// Usage, Purchase, Tax, Credit or Adjustment; absent in minimal files (read as usage).
    pub charge_category: Option<&'r str>,
    /// `Correction` for lines that correct an earlier period.
    pub charge_class: Option<&'r str>,
    pub billed_cost: Decimal,
    pub effective_cost: Option<Decimal>,
    pub list_cost: Option<Decimal>,
    pub currency: &'r str,
    pub consumed_quantity: Option<Decimal>,
    pub consumed_unit: Option<&'r str>,
    pub pricing_quantity: Option<Decimal>,
    pub pricing_unit: Option<&'r str>,
    pub service_name: &'r str,
    pub sku_id: Option<&'r str>,
    pub region_id: Option<&'r str>,
    pub resource_id: Option<&'r str>,
    pub sub_account_id: Option<&'r str>,
    pub invoice_id: Option<&'r str>,
    /// The JSON object of tags, as written.
    pub tags: Option<&'r str>,
}

impl UsageLine<'_> {
    pub fn is_usage(&self) -> bool {
        self.charge_category.is_none_or(|c| c == "Usage")
    }
}

#[derive(Debug, Clone, Default)]
pub struct FocusSummary {
    pub lines: u64,
    pub problems: Problems,
}

#[derive(Debug, thiserror::Error)]
pub enum FocusError {
    /// The reader's own explanation, in English: shown as the `detail` of [`FocusError::message`].
    #[error("the file is not readable as CSV: {0}")]
    Unreadable(String),
}

impl FocusError {
    /// What to tell the person who sent the file (`focus-unreadable`).
    pub fn message(&self) -> Message {
        match self {
            FocusError::Unreadable(detail) => Message::new("focus-unreadable").with("detail", detail),
        }
    }
}

struct Columns {
    required: [usize; 8],
    optional: [Option<usize>; 12],
    width: usize,
}

fn is_null(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || c.eq_ignore_ascii_case("null")
}

/// Counts bytes as they are read, for progress reporting.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Turns CRLF line ends into LF before the CSV reader sees them. The CSV reader ends a record
/// at the CR and counts the line at the LF, so with CRLF every record after the header was
/// numbered one line early; with LF alone both agree with what an editor shows.
struct CrlfToLf<R> {
    inner: std::io::BufReader<R>,
    /// A CR was the last byte of a buffer: whether it is kept depends on the next byte.
    pending_cr: bool,
}

impl<R: Read> CrlfToLf<R> {
    fn new(inner: R) -> CrlfToLf<R> {
        CrlfToLf { inner: std::io::BufReader::with_capacity(256 * 1024, inner), pending_cr: false }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                if std::mem::take(&mut self.pending_cr) {
                    out[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            let (mut written, mut consumed) = (0, 0);
            if std::mem::take(&mut self.pending_cr) && buf[0] != b'\n' {
                out[0] = b'\r';
                written = 1;
            }
            while consumed < buf.len() && written < out.len() {
                let b = buf[consumed];
                if b == b'\r' {
                    match buf.get(consumed + 1) {
                        Some(b'\n') => {
                            consumed += 1;
                            continue;
                        }
                        Some(_) => {}
                        None => {
                            self.pending_cr = true;
                            consumed += 1;
                            break;
                        }
                    }
                }
                out[written] = b;
                written += 1;
                consumed += 1;
            }
            self.inner.consume(consumed);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Reads `input`, calling `on_line` for every line that has no problem. Lines with a problem are
/// reported in the summary and not passed on. Fails only when the input is not CSV at all.
pub fn read<R: Read>(input: R, on_line: impl FnMut(&UsageLine<'_>)) -> Result<FocusSummary, FocusError> {
    read_with_progress(input, on_line, |_| {})
}

/// [`read`], also calling `progress` with the bytes read so far every few thousand lines.
pub fn read_with_progress<R: Read>(input: R, mut on_line: impl FnMut(&UsageLine<'_>), mut progress: impl FnMut(u64)) -> Result<FocusSummary, FocusError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).buffer_capacity(256 * 1024).from_reader(CrlfToLf::new(Counting { inner: input, read: 0 }));
    let mut summary = FocusSummary::default();
    let headers = reader.byte_headers().map_err(|e| FocusError::Unreadable(e.to_string()))?.clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').trim_matches('"').to_string())
        .collect();
    let find = |name: &str| names.iter().position(|n| n == name);
    let mut required = [0usize; 8];
    for (slot, name) in required.iter_mut().zip(REQUIRED_COLUMNS) {
        match find(name) {
            Some(i) => *slot = i,
            None => summary.problems.push(Problem {
                line: Some(1),
                column: Some(name.to_string()),
                column_number: None,
                rule: Some("focus:column"),
                path: None,
                message: Message::new("focus-missing-column").with("column", *name),
            }),
        }
    }
    if !summary.problems.is_empty() {
        return Ok(summary);
    }
    let mut optional = [None; 12];
    for (slot, name) in optional.iter_mut().zip(OPTIONAL_COLUMNS) {
        *slot = find(name);
    }
    let columns = Columns { required, optional, width: names.len() };

    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                summary.lines += 1;
                if summary.lines % 16_384 == 0 {
                    progress(reader.get_ref().inner.get_ref().read);
                }
                if record.len() != columns.width {
                    summary.problems.push(Problem {
                        line: Some(line),
                        column: None,
                        column_number: None,
                        rule: Some("focus:shape"),
                        path: None,
                        message: Message::new("focus-cell-count").with("cells", record.len()).with("expected", columns.width),
                    });
                    continue;
                }
                if let Some(usage) = check_line(&columns, &names, &record, line, &mut summary.problems) {
                    on_line(&usage);
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                let fatal = !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. });
                summary.problems.push(Problem { line, column: None, column_number: None, rule: Some("focus:csv"), path: None, message: Message::new("focus-unreadable-line").with("detail", e.to_string()) });
                if fatal {
                    break;
                }
            }
        }
    }
    progress(reader.get_ref().inner.get_ref().read);
    Ok(summary)
}

fn check_line<'r>(columns: &Columns, names: &[String], record: &'r csv::ByteRecord, line: u64, problems: &mut Problems) -> Option<UsageLine<'r>> {
    let before = problems.total();
    let mut problem = |index: usize, rule: &'static str, message: Message| {
        problems.push(Problem { line: Some(line), column: Some(names[index].clone()), column_number: Some(index + 1), rule: Some(rule), path: None, message });
    };
    // Only the cells used are checked for UTF-8.
    let cell = |index: usize, problem: &mut dyn FnMut(usize, &'static str, Message)| -> &'r str {
        match std::str::from_utf8(&record[index]) {
            Ok(s) => s.trim(),
            Err(_) => {
                problem(index, "focus:utf8", Message::new("focus-not-utf8"));
                ""
            }
        }
    };
    let [billed, currency_i, start_i, end_i, service_i, consumed_i, consumed_unit_i, sub_account_i] = columns.required;
    let opt = |slot: usize| columns.optional[slot];

    let decimal = |index: usize, mandatory: bool, problem: &mut dyn FnMut(usize, &'static str, Message)| -> Option<Decimal> {
        let text = cell(index, problem);
        if is_null(text) {
            if mandatory {
                problem(index, "focus:mandatory", Message::new("focus-null").with("column", &names[index]));
            }
            return None;
        }
        let parsed = parse_decimal(text);
        if parsed.is_none() {
            problem(index, "focus:decimal", Message::new("focus-not-decimal").with("value", text));
        }
        parsed
    };
    let billed_cost = decimal(billed, true, &mut problem);
    let effective_cost = opt(2).and_then(|i| decimal(i, false, &mut problem));
    let list_cost = opt(3).and_then(|i| decimal(i, false, &mut problem));
    let list_unit_price = opt(4).and_then(|i| decimal(i, false, &mut problem));
    let pricing_quantity = opt(5).and_then(|i| decimal(i, false, &mut problem));

    let text_cell = |index: usize, problem: &mut dyn FnMut(usize, &'static str, Message)| -> Option<&'r str> {
        let text = cell(index, problem);
        if is_null(text) { None } else { Some(text.trim_matches('"')) }
    };
    let currency = text_cell(currency_i, &mut problem).unwrap_or("");
    if !is_iso_4217(currency) {
        problem(currency_i, "focus:currency", Message::new("focus-not-currency").with("value", currency));
    }
    let period = |index: usize, problem: &mut dyn FnMut(usize, &'static str, Message)| {
        let text = cell(index, problem);
        let parsed = parse_timestamp_fast(text);
        if parsed.is_none() {
            problem(index, "focus:timestamp", Message::new("focus-not-timestamp").with("value", text));
        }
        parsed
    };
    let start = period(start_i, &mut problem);
    let end = period(end_i, &mut problem);
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            problem(end_i, "focus:period", Message::new("focus-period-order"));
        }
    }
    let charge_category = opt(0).and_then(|i| text_cell(i, &mut problem));
    if let (Some(category), Some(i)) = (charge_category, opt(0)) {
        if !matches!(category, "Usage" | "Purchase" | "Tax" | "Credit" | "Adjustment") {
            problem(i, "focus:category", Message::new("focus-not-category").with("value", category));
        }
    }
    let charge_class = opt(1).and_then(|i| text_cell(i, &mut problem));
    let is_usage = charge_category.is_none_or(|c| c == "Usage");
    let consumed_quantity = decimal(consumed_i, false, &mut problem);
    if consumed_quantity.is_none() && is_usage && is_null(cell(consumed_i, &mut problem)) {
        problem(consumed_i, "focus:mandatory", Message::new("focus-no-consumed-quantity"));
    }
    let consumed_unit = text_cell(consumed_unit_i, &mut problem);
    if consumed_unit.is_none() && consumed_quantity.is_some() {
        problem(consumed_unit_i, "focus:mandatory", Message::new("focus-no-consumed-unit"));
    }
    let service_name = text_cell(service_i, &mut problem);
    if service_name.is_none() {
        problem(service_i, "focus:mandatory", Message::new("focus-no-service-name"));
    }
    // ListCost = ListUnitPrice × PricingQuantity, on usage and purchases that are not corrections.
    if let (Some(cost), Some(price), Some(quantity), Some(i)) = (list_cost, list_unit_price, pricing_quantity, opt(3)) {
        let priced = charge_category.is_none_or(|c| c == "Usage" || c == "Purchase") && charge_class != Some("Correction");
        if priced {
            if let Some(expected) = price.checked_mul(quantity) {
                if expected.checked_sub(cost).is_none_or(|d| d.abs() > PRICING_TOLERANCE) {
                    problem(
                        i,
                        "focus:pricing",
                        Message::new("focus-pricing-mismatch")
                            .with("list_cost", cost)
                            .with("price", price)
                            .with("quantity", quantity)
                            .with("expected", expected)
                            .with("tolerance", PRICING_TOLERANCE),
                    );
                }
            }
        }
    }

    let sub_account_id = text_cell(sub_account_i, &mut problem);
    let pricing_unit = opt(6).and_then(|i| text_cell(i, &mut problem));
    let sku_id = opt(7).and_then(|i| text_cell(i, &mut problem));
    let region_id = opt(8).and_then(|i| text_cell(i, &mut problem));
    let resource_id = opt(9).and_then(|i| text_cell(i, &mut problem));
    let invoice_id = opt(10).and_then(|i| text_cell(i, &mut problem));
    let tags = opt(11).and_then(|i| text_cell(i, &mut problem));
    if let (Some(t), Some(i)) = (tags, opt(11)) {
        if !(t.starts_with('{') && t.ends_with('}')) {
            problem(i, "focus:tags", Message::new("focus-tags-not-object"));
        }
    }

    if problems.total() > before {
        return None;
    }
    Some(UsageLine {
        line,
        charge_period_start: start?,
        charge_period_end: end?,
        charge_category,
        charge_class,
        billed_cost: billed_cost?,
        effective_cost,
        list_cost,
        currency,
        consumed_quantity,
        consumed_unit,
        pricing_quantity,
        pricing_unit,
        service_name: service_name?,
        sku_id,
        region_id,
        resource_id,
        sub_account_id,
        invoice_id,
        tags,
    })
}

/// What `inspect` reports of a FOCUS file: totals over the file, per InvoiceId and per
/// SubAccountId, with memory bounded by the number of distinct keys, not the file's size.
#[derive(Debug, Clone, Default)]
pub struct FocusInspection {
    pub summary: FocusSummary,
    pub currencies: BTreeSet<String>,
    pub billed_cost: Decimal,
    pub by_invoice: BTreeMap<String, Decimal>,
    pub by_sub_account: BTreeMap<String, Decimal>,
}

pub fn inspect<R: Read>(input: R, progress: impl FnMut(u64)) -> Result<FocusInspection, FocusError> {
    let mut out = FocusInspection::default();
    // The first line whose cost could no longer be added exactly: totals stop there.
    let mut inexact_at: Option<u64> = None;
    let summary = read_with_progress(
        input,
        |l| {
            if inexact_at.is_some() {
                return;
            }
            let added = exact_add(out.billed_cost, l.billed_cost).and_then(|total| {
                let by_invoice = add(&mut out.by_invoice, l.invoice_id.unwrap_or("(none)"), l.billed_cost)?;
                let by_account = add(&mut out.by_sub_account, l.sub_account_id.unwrap_or("(none)"), l.billed_cost)?;
                Some((total, by_invoice, by_account))
            });
            match added {
                Some((total, _, _)) => {
                    out.billed_cost = total;
                    if !out.currencies.contains(l.currency) {
                        out.currencies.insert(l.currency.to_string());
                    }
                }
                None => inexact_at = Some(l.line),
            }
        },
        progress,
    )?;
    out.summary = summary;
    if let Some(line) = inexact_at {
        out.summary.problems.push(Problem {
            line: Some(line),
            column: Some("BilledCost".into()),
            column_number: None,
            rule: Some("focus:range"),
            path: None,
            message: Message::new("focus-totals-inexact"),
        });
    }
    Ok(out)
}

/// Adds `value` to `map[key]` exactly; `None` (and the map unchanged) when it cannot.
fn add(map: &mut BTreeMap<String, Decimal>, key: &str, value: Decimal) -> Option<()> {
    match map.get_mut(key) {
        Some(v) => *v = exact_add(*v, value)?,
        None => {
            map.insert(key.to_string(), value);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests;

//! `computegrants inspect FILE`: what a provider document is, its totals, and every problem.

use crate::formats::einvoice::{self, Invoice};
use crate::formats::focus::{self, FocusInspection};
use crate::formats::Problem;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Seek};

/// What was read, ready to print.
pub struct Report {
    pub kind: &'static str,
    pub label: &'static str,
    pub number: Option<String>,
    pub currency: Option<String>,
    pub lines: u64,
    pub totals: Vec<(&'static str, Value)>,
    pub problems: Vec<Problem>,
    pub problems_not_shown: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot open {path}: {source}")]
    Open { path: String, source: std::io::Error },
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invoice(#[from] einvoice::ReadError),
    #[error("{0}")]
    Focus(#[from] focus::FocusError),
}

fn amount(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

/// Reads `path`, telling XML invoices from FOCUS CSV by the first meaningful byte.
/// `progress(total_bytes)` is asked for a callback when the file is a large stream.
pub fn inspect(path: &std::path::Path, progress: &mut dyn FnMut(u64) -> Box<dyn FnMut(u64)>) -> Result<Report, InspectError> {
    let open = || std::fs::File::open(path).map_err(|source| InspectError::Open { path: path.display().to_string(), source });
    let mut file = BufReader::with_capacity(256 * 1024, open()?);
    let head = file.fill_buf()?;
    let first = head.iter().copied().skip_while(|b| matches!(b, 0xEF | 0xBB | 0xBF | b' ' | b'\t' | b'\r' | b'\n')).next();
    if first == Some(b'<') {
        let mut bytes = Vec::new();
        file.get_mut().rewind()?;
        file.get_mut().take(einvoice::MAX_BYTES as u64 + 1).read_to_end(&mut bytes)?;
        let (invoice, problems) = einvoice::read(&bytes)?;
        Ok(invoice_report(invoice, problems))
    } else {
        let size = file.get_ref().metadata().map(|m| m.len()).unwrap_or(0);
        let inspection = focus::inspect(file, progress(size))?;
        Ok(focus_report(inspection))
    }
}

fn invoice_report(inv: Invoice, problems: Vec<Problem>) -> Report {
    let t = &inv.totals;
    Report {
        kind: match inv.syntax {
            einvoice::Syntax::UblInvoice => "ubl_invoice",
            einvoice::Syntax::UblCreditNote => "ubl_credit_note",
            einvoice::Syntax::CiiInvoice => "cii_invoice",
        },
        label: inv.syntax.label(),
        number: inv.number.clone(),
        currency: inv.currency.clone(),
        lines: inv.lines.len() as u64,
        totals: vec![
            ("line_total", amount(t.line_total)),
            ("allowance_total", amount(t.allowance_total)),
            ("charge_total", amount(t.charge_total)),
            ("tax_exclusive", amount(t.tax_exclusive)),
            ("tax", amount(t.tax)),
            ("tax_inclusive", amount(t.tax_inclusive)),
            ("prepaid", amount(t.prepaid)),
            ("rounding", amount(t.rounding)),
            ("payable", amount(t.payable)),
        ],
        problems,
        problems_not_shown: 0,
    }
}

fn focus_report(i: FocusInspection) -> Report {
    let map = |m: &std::collections::BTreeMap<String, Decimal>| Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::String(v.to_string()))).collect());
    Report {
        kind: "focus",
        label: "FOCUS usage file",
        number: None,
        currency: if i.currencies.len() == 1 { i.currencies.iter().next().cloned() } else { None },
        lines: i.summary.lines,
        totals: vec![
            ("billed_cost", Value::String(i.billed_cost.to_string())),
            ("by_invoice", map(&i.by_invoice)),
            ("by_sub_account", map(&i.by_sub_account)),
        ],
        problems: i.summary.problems.shown,
        problems_not_shown: i.summary.problems.not_shown,
    }
}

impl Report {
    pub fn json(&self) -> Value {
        json!({
            "kind": self.kind,
            "number": self.number,
            "currency": self.currency,
            "lines": self.lines,
            "totals": Value::Object(self.totals.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
            "problems": self.problems.iter().map(|p| json!({
                "rule": p.rule,
                "location": p.location(),
                "message": p.message,
            })).collect::<Vec<_>>(),
            "problems_not_shown": self.problems_not_shown,
        })
    }

    pub fn text(&self) -> String {
        let mut out = format!("kind:      {}\n", self.label);
        if let Some(n) = &self.number {
            out.push_str(&format!("number:    {n}\n"));
        }
        out.push_str(&format!("currency:  {}\n", self.currency.as_deref().unwrap_or("(mixed or none)")));
        out.push_str(&format!("lines:     {}\ntotals:\n", self.lines));
        for (name, value) in &self.totals {
            match value {
                Value::Null => {}
                Value::Object(map) => {
                    out.push_str(&format!("  {name}:\n"));
                    for (k, v) in map {
                        out.push_str(&format!("    {k:<40} {:>24}\n", v.as_str().unwrap_or("")));
                    }
                }
                other => out.push_str(&format!("  {name:<16} {:>24}\n", other.as_str().unwrap_or(""))),
            }
        }
        if self.problems.is_empty() {
            out.push_str("problems:  none\n");
        } else {
            out.push_str(&format!("problems:  {}\n", self.problems.len() as u64 + self.problems_not_shown));
            for p in &self.problems {
                let rule = p.rule.map(|r| format!("[{r}] ")).unwrap_or_default();
                out.push_str(&format!("  {rule}{}: {}\n", p.location(), p.message));
            }
            if self.problems_not_shown > 0 {
                out.push_str(&format!("  …and {} more\n", self.problems_not_shown));
            }
        }
        out
    }

    pub fn exit_code(&self) -> u8 {
        if self.problems.is_empty() { 0 } else { 1 }
    }
}

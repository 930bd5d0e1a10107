//! `computegrants inspect FILE`: what a provider document is, its totals, and every problem.

use crate::formats::einvoice::{self, Invoice};
use crate::formats::focus::{self, FocusInspection};
use crate::formats::Problem;
use crate::i18n::{self, Locale};
use crate::messages::{Arg, Message};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Seek};

/// What was read, ready to print.
pub struct Report {
    pub kind: &'static str,
    /// Catalogue key of the kind, as people read it (`inspect-kind-…`).
    pub label: &'static str,
    pub number: Option<String>,
    pub currency: Option<String>,
    pub lines: u64,
    pub totals: Vec<(&'static str, Value)>,
    pub problems: Vec<Problem>,
    pub problems_not_shown: u64,
}

/// The language of the command line: the first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set
/// and not empty, as POSIX orders them (`fr_FR.UTF-8` is French); English when it names another
/// language, or none.
pub fn locale_from_env() -> Locale {
    locale_from(|name| std::env::var(name).ok())
}

pub fn locale_from(var: impl Fn(&str) -> Option<String>) -> Locale {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| var(name))
        .find(|value| !value.trim().is_empty())
        .and_then(|value| value.split(['.', '@']).next().and_then(Locale::parse))
        .unwrap_or_default()
}

/// An argument as JSON: text and exact decimals as strings (every digit kept), counts as numbers.
fn arg_json(arg: &Arg) -> Value {
    match arg {
        Arg::Text(t) => Value::String(t.clone()),
        Arg::Count(n) => Value::from(*n),
        Arg::Money { cents, currency } => json!({ "amount": Decimal::new(*cents, 2).to_string(), "currency": currency }),
        Arg::Exact(d) => Value::String(d.to_string()),
        Arg::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
    }
}

pub fn args_json(message: &Message) -> Value {
    Value::Object(message.args.iter().map(|(name, arg)| (name.to_string(), arg_json(arg))).collect())
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
    #[error("{0:?}")]
    Facturx(crate::formats::facturx::FacturxError),
}

impl InspectError {
    /// The reason worded in `locale`; the system's own explanation of an I/O error stays as
    /// the system words it.
    pub fn worded(&self, locale: Locale) -> String {
        i18n::message(locale, &self.message())
    }

    /// The catalogue message, also for the JSON output's `code` and `args`.
    pub fn message(&self) -> Message {
        match self {
            InspectError::Open { path, source } => Message::new("inspect-cannot-open").with("file", path).with("reason", source.to_string()),
            InspectError::Io(e) => Message::new("inspect-io-error").with("reason", e.to_string()),
            InspectError::Invoice(e) => e.message(),
            InspectError::Focus(e) => e.message(),
            InspectError::Facturx(e) => e.message(),
        }
    }
}

fn amount(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

/// Reads `path`, telling Factur-X PDFs, XML invoices and FOCUS CSV apart by their first bytes.
/// `progress(total_bytes)` is asked for a callback when the file is a large stream.
pub fn inspect(path: &std::path::Path, progress: &mut dyn FnMut(u64) -> Box<dyn FnMut(u64)>) -> Result<Report, InspectError> {
    let open = || std::fs::File::open(path).map_err(|source| InspectError::Open { path: path.display().to_string(), source });
    let mut file = BufReader::with_capacity(256 * 1024, open()?);
    let head = file.fill_buf()?;
    let first = head.iter().copied().skip_while(|b| matches!(b, 0xEF | 0xBB | 0xBF | b' ' | b'\t' | b'\r' | b'\n')).next();
    if crate::formats::facturx::is_pdf(head) {
        // A Factur-X / ZUGFeRD 2 PDF: its embedded CII invoice is what is inspected.
        let mut bytes = Vec::new();
        file.get_mut().rewind()?;
        file.get_mut().take(64 * 1024 * 1024).read_to_end(&mut bytes)?;
        let xml = crate::formats::facturx::embedded_invoice(&bytes).map_err(InspectError::Facturx)?;
        let (invoice, problems) = einvoice::read(&xml)?;
        Ok(invoice_report(invoice, problems))
    } else if first == Some(b'<') {
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
        label: match inv.syntax {
            einvoice::Syntax::UblInvoice => "inspect-kind-ubl-invoice",
            einvoice::Syntax::UblCreditNote => "inspect-kind-ubl-credit-note",
            einvoice::Syntax::CiiInvoice => "inspect-kind-cii-invoice",
        },
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
        label: "inspect-kind-focus",
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
    /// The report as JSON; each problem has its catalogue `code` and `args` beside the
    /// `location` and `message` worded in `locale`.
    pub fn json(&self, locale: Locale) -> Value {
        json!({
            "kind": self.kind,
            "number": self.number,
            "currency": self.currency,
            "lines": self.lines,
            "totals": Value::Object(self.totals.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
            "problems": self.problems.iter().map(|p| json!({
                "rule": p.rule,
                "location": i18n::message(locale, &p.location()),
                "code": p.message.key,
                "args": args_json(&p.message),
                "message": i18n::message(locale, &p.message),
            })).collect::<Vec<_>>(),
            "problems_not_shown": self.problems_not_shown,
        })
    }

    /// The report for people, worded in `locale`: labels (with their colon) in a column of 11
    /// characters.
    pub fn text(&self, locale: Locale) -> String {
        let label = |key: &str| format!("{:<10} ", i18n::text(locale, key));
        let mut out = format!("{}{}\n", label("inspect-kind"), i18n::text(locale, self.label));
        if let Some(n) = &self.number {
            out.push_str(&format!("{}{n}\n", label("inspect-number")));
        }
        let currency = self.currency.clone().unwrap_or_else(|| i18n::text(locale, "inspect-currency-mixed"));
        out.push_str(&format!("{}{currency}\n", label("inspect-currency")));
        out.push_str(&format!("{}{}\n{}\n", label("inspect-lines"), self.lines, i18n::text(locale, "inspect-totals")));
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
            out.push_str(&format!("{}{}\n", label("inspect-problems"), i18n::text(locale, "inspect-problems-none")));
        } else {
            out.push_str(&format!("{}{}\n", label("inspect-problems"), self.problems.len() as u64 + self.problems_not_shown));
            for p in &self.problems {
                let rule = p.rule.map(|r| format!("[{r}] ")).unwrap_or_default();
                let line = Message::new("inspect-problem")
                    .with("location", i18n::message(locale, &p.location()))
                    .with("message", i18n::message(locale, &p.message));
                out.push_str(&format!("  {rule}{}\n", i18n::message(locale, &line)));
            }
            if self.problems_not_shown > 0 {
                let more = Message::new("inspect-more").with("count", self.problems_not_shown);
                out.push_str(&format!("  {}\n", i18n::message(locale, &more)));
            }
        }
        out
    }

    pub fn exit_code(&self) -> u8 {
        if self.problems.is_empty() { 0 } else { 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::focus;

    #[test]
    fn the_language_comes_from_lc_all_then_lc_messages_then_lang() {
        let env = |pairs: &'static [(&'static str, &'static str)]| move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        assert_eq!(locale_from(env(&[("LANG", "fr_FR.UTF-8")])), Locale::Fr);
        assert_eq!(locale_from(env(&[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "en_GB.UTF-8")])), Locale::En);
        assert_eq!(locale_from(env(&[("LANG", "en_GB"), ("LC_ALL", "fr_CA.UTF-8@euro")])), Locale::Fr);
        assert_eq!(locale_from(env(&[("LC_ALL", ""), ("LANG", "fr.UTF-8")])), Locale::Fr);
        assert_eq!(locale_from(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "fr_FR.UTF-8")])), Locale::En, "C is not French");
        assert_eq!(locale_from(env(&[("LANG", "de_DE.UTF-8")])), Locale::En);
        assert_eq!(locale_from(env(&[])), Locale::En);
    }

    fn broken_focus_report() -> Report {
        let header = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,SubAccountId";
        let text = format!("{header}\nabc,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1\n1.5,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1\n");
        focus_report(focus::inspect(text.as_bytes(), |_| {}).unwrap())
    }

    #[test]
    fn the_text_report_keeps_its_layout_and_speaks_french_when_asked() {
        let report = broken_focus_report();
        let en = report.text(Locale::En);
        assert!(en.starts_with("kind:      FOCUS usage file\ncurrency:  EUR\nlines:     2\ntotals:\n"), "{en}");
        assert!(en.contains("problems:  1\n  [focus:decimal] line 2, column 1 (BilledCost): “abc” is not a decimal number\n"), "{en}");
        let fr = report.text(Locale::Fr);
        assert!(fr.starts_with("type\u{a0}:     fichier de consommation FOCUS\n"), "{fr}");
        assert!(fr.contains("  [focus:decimal] ligne 2, colonne 1 (BilledCost)\u{a0}: «\u{a0}abc\u{a0}» n'est pas un nombre décimal\n"), "{fr}");
    }

    #[test]
    fn json_problems_carry_their_code_and_typed_arguments() {
        let json = broken_focus_report().json(Locale::En);
        let problem = &json["problems"][0];
        assert_eq!(problem["code"], "focus-not-decimal");
        assert_eq!(problem["args"], json!({ "value": "abc" }));
        assert_eq!(problem["location"], "line 2, column 1 (BilledCost)");
        assert_eq!(problem["message"], "“abc” is not a decimal number");
        let m = Message::new("usage-grant-not-active").with("n", 3usize).with("d", Decimal::new(1050, 3)).with("on", chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(args_json(&m), json!({ "n": 3, "d": "1.050", "on": "2026-11-26" }));
    }
}

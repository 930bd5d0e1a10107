use super::*;
use crate::messages::Arg;

const HEADER: &str = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,SubAccountId";

fn read_all(text: &str) -> (Vec<(u64, Decimal, Option<String>)>, FocusSummary) {
    let mut lines = Vec::new();
    let summary = read(text.as_bytes(), |l| lines.push((l.line, l.billed_cost, l.sub_account_id.map(str::to_string)))).unwrap();
    (lines, summary)
}

#[test]
fn reads_columns_in_any_order_with_extras_and_bom() {
    let text = "\u{feff}Extra,SubAccountId,ConsumedUnit,ConsumedQuantity,ServiceName,ChargePeriodEnd,ChargePeriodStart,BillingCurrency,BilledCost\n\
                x,G-2026-0001,GPU-hour,12,Helios A100,2026-10-02 00:00:00,2026-10-01 00:00:00,EUR,1.5E1\n";
    let (lines, summary) = read_all(text);
    assert!(summary.problems.is_empty(), "{:?}", summary.problems);
    assert_eq!(lines, vec![(2, Decimal::from(15), Some("G-2026-0001".into()))]);
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
    let shown: Vec<_> = summary.problems.shown.iter().map(|p| (p.line, p.column_number, p.column.as_deref(), p.message.key)).collect();
    assert_eq!(
        shown,
        vec![
            (Some(3), Some(1), Some("BilledCost"), "focus-not-decimal"),
            (Some(4), Some(2), Some("BillingCurrency"), "focus-not-currency"),
            (Some(4), Some(4), Some("ChargePeriodEnd"), "focus-period-order"),
        ],
        "a null SubAccountId is allowed by FOCUS"
    );
    let first = &summary.problems.shown[0];
    assert_eq!(first.message.args, vec![("value", Arg::Text("abc".into()))]);
    assert_eq!(first.location(), Message::new("location-line-column-number").with("line", 3i64).with("number", 1usize).with("column", "BilledCost"));
    assert_eq!(summary.problems.shown[1].message.arg("value"), Some(&Arg::Text("eur".into())));
}

#[cfg(feature = "app")]
#[test]
fn problems_are_worded_in_english_and_french() {
    use crate::i18n::{Locale, message};
    let (_, summary) = read_all(&format!("{HEADER}
abc,EUR,2026-10-01,2026-10-02,GPU,1,h,G-1
"));
    let p = &summary.problems.shown[0];
    assert_eq!(message(Locale::En, &p.location()), "line 2, column 1 (BilledCost)");
    assert_eq!(message(Locale::En, &p.message), "“abc” is not a decimal number");
    assert_eq!(message(Locale::Fr, &p.location()), "ligne 2, colonne 1 (BilledCost)");
    assert_eq!(message(Locale::Fr, &p.message), "«\u{a0}abc\u{a0}» n'est pas un nombre décimal");
    let pricing = Message::new("focus-pricing-mismatch")
        .with("list_cost", Decimal::new(1002, 2))
        .with("price", Decimal::new(250, 2))
        .with("quantity", Decimal::from(4))
        .with("expected", Decimal::new(1000, 2))
        .with("tolerance", PRICING_TOLERANCE);
    assert_eq!(message(Locale::En, &pricing), "ListCost 10.02 differs from ListUnitPrice 2.50 × PricingQuantity 4 = 10.00 by more than 0.01");
    assert!(message(Locale::Fr, &pricing).contains("10,02"), "{}", message(Locale::Fr, &pricing));
}

#[test]
fn each_rule_fails_only_when_it_should() {
    let header = format!("{HEADER},ChargeCategory,ListCost,ListUnitPrice,PricingQuantity,Tags");
    let ok = "10.00,EUR,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,GPU,4,GPU-hour,G-1,Usage,10.00,2.50,4,{\"team\":\"ml\"}";
    let (_, s) = read_all(&format!("{header}\n{ok}\n"));
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    let cases = [
        (ok.replace("10.00,EUR", "NULL,EUR"), "focus:mandatory"),
        (ok.replace(",EUR,", ",XXX,"), "focus:currency"),
        (ok.replace("2026-10-01T01:00:00Z", "2026-10-01T00:00:00Z"), "focus:period"),
        (ok.replace(",Usage,", ",Refund,"), "focus:category"),
        (ok.replace(",10.00,2.50,", ",10.02,2.50,"), "focus:pricing"),
        (ok.replace("{\"team\":\"ml\"}", "team=ml"), "focus:tags"),
        (ok.replace(",GPU,", ",NULL,"), "focus:mandatory"),
        (ok.replace(",4,GPU-hour,", ",NULL,GPU-hour,"), "focus:mandatory"),
        (ok.replace("2026-10-01T00:00:00Z", "01/10/2026"), "focus:timestamp"),
    ];
    for (line, rule) in cases {
        let (_, s) = read_all(&format!("{header}\n{line}\n"));
        let rules: Vec<_> = s.problems.shown.iter().filter_map(|p| p.rule).collect();
        assert_eq!(rules, vec![rule], "{line}");
    }
    // Within a cent, and corrections or credits, the pricing rule stays quiet.
    for line in [ok.replace(",10.00,2.50,", ",10.009,2.50,"), ok.replace(",Usage,", ",Credit,").replace(",10.00,2.50,", ",-3,2.50,")] {
        let (_, s) = read_all(&format!("{header}\n{line}\n"));
        assert!(s.problems.is_empty(), "{line}: {:?}", s.problems);
    }
}

#[test]
fn missing_required_column_is_named() {
    let (_, summary) = read_all("BilledCost,BillingCurrency\n1,EUR\n");
    assert!(summary.problems.shown.iter().any(|p| p.column.as_deref() == Some("SubAccountId")
        && p.line == Some(1)
        && p.message == Message::new("focus-missing-column").with("column", "SubAccountId")));
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
#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
fn inspects_the_focus_sample_export() {
    let file = crate::formats::fixture("focus/focus-1.0-sample-1000.csv");
    let inspection = inspect(file.as_slice(), |_| {}).unwrap();
    assert_eq!(inspection.summary.lines, 1000);
    assert!(inspection.summary.problems.is_empty(), "{:?}", &inspection.summary.problems.shown[..inspection.summary.problems.shown.len().min(5)]);
    assert_eq!(inspection.currencies.iter().collect::<Vec<_>>(), vec!["USD"]);
    // The file's own total, summed exactly (checked independently with Python's decimal module).
    assert_eq!(inspection.billed_cost.normalize().to_string(), EXPECTED_SAMPLE_TOTAL);
    let by_account: Decimal = inspection.by_sub_account.values().sum();
    assert_eq!(by_account, inspection.billed_cost);
    assert_eq!(inspection.by_invoice.keys().collect::<Vec<_>>(), vec!["(none)"], "FOCUS 1.0 has no InvoiceId");
}

const EXPECTED_SAMPLE_TOTAL: &str = include_str!("sample_total.txt");

#[test]
fn totals_that_cannot_be_exact_stop_at_a_located_problem() {
    // Found by the fuzzer: 28-digit costs whose sum rust_decimal would silently round.
    let text = format!(
        "{HEADER}\n\
         1801089831513983777126200.0124,EUR,2026-10-01,2026-10-02,GPU,1,h,A\n\
         0.00001,EUR,2026-10-01,2026-10-02,GPU,1,h,B\n\
         1,EUR,2026-10-01,2026-10-02,GPU,1,h,A\n"
    );
    let inspection = inspect(text.as_bytes(), |_| {}).unwrap();
    let problem = &inspection.summary.problems.shown[0];
    assert_eq!((problem.rule, problem.line), (Some("focus:range"), Some(3)), "{problem:?}");
    assert_eq!(inspection.billed_cost.to_string(), "1801089831513983777126200.0124", "totals stop before the line");
    let by_account: Decimal = inspection.by_sub_account.values().copied().sum();
    assert_eq!(by_account, inspection.billed_cost);
}

#[test]
fn line_numbers_are_physical_lines_with_lf_and_crlf() {
    for newline in ["\n", "\r\n"] {
        let rows = [
            "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,SubAccountId",
            "1.00,EUR,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,GPU,1,GPU-hour,G-1",
            "1.00,EUR,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,GPU,1,GPU-hour,G-1",
            "abc,EUR,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,GPU,1,GPU-hour,G-1",
        ];
        let text = rows.join(newline) + newline;
        let summary = read(text.as_bytes(), |_| {}).unwrap();
        assert_eq!(summary.problems.shown[0].line, Some(4), "{newline:?}");
    }
}

/// A reader that hands out one byte at a time: every CR lands at the end of a buffer.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn crlf_becomes_lf_and_lone_cr_stays_whatever_the_buffer_boundaries() {
    use std::io::Read;
    for (input, expected) in [("a\r\nb\r\n", "a\nb\n"), ("a\rb\r", "a\rb\r"), ("\r\r\n\r", "\r\n\r"), ("", "")] {
        let mut out = String::new();
        super::CrlfToLf::new(Trickle(input.as_bytes())).read_to_string(&mut out).unwrap();
        assert_eq!(out, expected, "{input:?}");
        let mut out = String::new();
        super::CrlfToLf::new(input.as_bytes()).read_to_string(&mut out).unwrap();
        assert_eq!(out, expected, "{input:?}");
    }
}

//! The EN 16931 business rules on the one model both syntaxes are read into: mandatory
//! elements (BR-01…BR-16), line amounts against quantity × price (Peppol's R120 slack), and the
//! document totals (BR-CO-10/13/15/16), every sum exact. Each problem names its rule and where.

use super::{Invoice, Syntax, at_element, at_root};
use crate::formats::Problem;
use crate::formats::decimal::{exact_add, exact_mul, exact_sum};
use crate::messages::Message;
use rust_decimal::Decimal;

/// Not an EN 16931 rule: amounts whose arithmetic would need more than 28 significant digits.
pub const RANGE_RULE: &str = "RANGE";

/// Peppol's tolerance for a line amount against quantity × price (PEPPOL-EN16931-R120).
pub const LINE_SLACK: Decimal = Decimal::from_parts(2, 0, 0, false, 2);

/// The EN 16931 business rules on the model; each problem names its rule and where it is.
pub fn check(inv: &Invoice) -> Vec<Problem> {
    let mut problems = Vec::new();
    let root = match inv.syntax {
        Syntax::UblInvoice => "/Invoice",
        Syntax::UblCreditNote => "/CreditNote",
        Syntax::CiiInvoice => "/CrossIndustryInvoice",
    };
    let t = &inv.totals;
    let mandatory: [(&str, bool, &str); 15] = [
        ("BR-01", inv.specification.is_some(), "einvoice-missing-specification"),
        ("BR-02", inv.number.is_some(), "einvoice-missing-number"),
        ("BR-03", inv.issue_date.is_some(), "einvoice-missing-issue-date"),
        ("BR-04", inv.type_code.is_some(), "einvoice-missing-type-code"),
        ("BR-05", inv.currency.is_some(), "einvoice-missing-currency"),
        ("BR-06", inv.seller.name.is_some(), "einvoice-missing-seller-name"),
        ("BR-07", inv.buyer.name.is_some(), "einvoice-missing-buyer-name"),
        ("BR-08", inv.seller.has_address, "einvoice-missing-seller-address"),
        ("BR-09", inv.seller.country.is_some(), "einvoice-missing-seller-country"),
        ("BR-10", inv.buyer.has_address, "einvoice-missing-buyer-address"),
        ("BR-11", inv.buyer.country.is_some(), "einvoice-missing-buyer-country"),
        ("BR-12", t.line_total.is_some(), "einvoice-missing-line-total"),
        ("BR-13", t.tax_exclusive.is_some(), "einvoice-missing-total-without-vat"),
        ("BR-14", t.tax_inclusive.is_some(), "einvoice-missing-total-with-vat"),
        ("BR-15", t.payable.is_some(), "einvoice-missing-amount-due"),
    ];
    for (rule, present, key) in mandatory {
        if !present {
            problems.push(at_root(rule, root, Message::new(key)));
        }
    }
    if inv.lines.is_empty() {
        problems.push(at_root("BR-16", root, Message::new("einvoice-no-line")));
    }

    // Peppol BIS Billing 3.0 checks signs strictly (R120); CEN's own examples write a return as a
    // positive quantity with a negative amount, which EN 16931 itself does not forbid.
    let peppol = inv.specification.as_deref().is_some_and(|s| s.contains("peppol"));
    for line in &inv.lines {
        let Some(amount) = line.line_amount else {
            problems.push(at_element("BR-24", &line.location, Message::new("einvoice-line-no-net-amount").with("line", &line.id)));
            continue;
        };
        if let (Some(q), Some(p)) = (line.quantity, line.net_price) {
            let base = line.base_quantity.filter(|b| !b.is_zero()).unwrap_or(Decimal::ONE);
            let expected = exact_mul(q, p)
                .and_then(|qp| qp.checked_div(base))
                .and_then(|v| v.checked_add(line.charges))
                .and_then(|v| v.checked_sub(line.allowances));
            let Some(expected) = expected else {
                problems.push(at_element(RANGE_RULE, &line.location, Message::new("einvoice-line-inexact").with("line", &line.id)));
                continue;
            };
            let off = expected.checked_sub(amount).is_none_or(|d| d.abs() > LINE_SLACK);
            let sign_only = expected.abs().checked_sub(amount.abs()).is_some_and(|d| d.abs() <= LINE_SLACK);
            if off && (peppol || !sign_only) {
                problems.push(at_element(
                    "PEPPOL-EN16931-R120",
                    &line.location,
                    Message::new("einvoice-line-amount-mismatch")
                        .with("line", &line.id)
                        .with("amount", amount)
                        .with("quantity", q)
                        .with("price", p)
                        .with("base", base)
                        .with("expected", expected.round_dp(2)),
                ));
            }
        }
    }

    let (Some(sum_lines), Some(allowances), Some(charges)) = (
        exact_sum(inv.lines.iter().filter_map(|l| l.line_amount)),
        exact_sum(inv.allowances_charges.iter().filter(|a| !a.is_charge).filter_map(|a| a.amount)),
        exact_sum(inv.allowances_charges.iter().filter(|a| a.is_charge).filter_map(|a| a.amount)),
    ) else {
        problems.push(at_root(RANGE_RULE, root, Message::new("einvoice-amounts-too-large")));
        return problems;
    };
    if let Some(line_total) = t.line_total {
        if line_total != sum_lines {
            problems.push(at_root("BR-CO-10", root, Message::new("einvoice-line-total-mismatch").with("stated", line_total).with("sum", sum_lines)));
        }
    }
    let exact = |a: Decimal, b: Decimal, c: Decimal| exact_add(a, b).and_then(|ab| exact_add(ab, c));
    if let (Some(line_total), Some(tax_exclusive)) = (t.line_total, t.tax_exclusive) {
        match exact(line_total, -t.allowance_total.unwrap_or(allowances), t.charge_total.unwrap_or(charges)) {
            Some(expected) if tax_exclusive != expected => {
                problems.push(at_root("BR-CO-13", root, Message::new("einvoice-total-without-vat-mismatch").with("stated", tax_exclusive).with("expected", expected)))
            }
            Some(_) => {}
            None => problems.push(at_root(RANGE_RULE, root, Message::new("einvoice-rule-not-checkable").with("rule", "BR-CO-13"))),
        }
    }
    if let (Some(tax_exclusive), Some(tax_inclusive)) = (t.tax_exclusive, t.tax_inclusive) {
        match exact(tax_exclusive, t.tax.unwrap_or_default(), Decimal::ZERO) {
            Some(expected) if tax_inclusive != expected => {
                problems.push(at_root("BR-CO-15", root, Message::new("einvoice-total-with-vat-mismatch").with("stated", tax_inclusive).with("expected", expected)))
            }
            Some(_) => {}
            None => problems.push(at_root(RANGE_RULE, root, Message::new("einvoice-rule-not-checkable").with("rule", "BR-CO-15"))),
        }
    }
    if let (Some(tax_inclusive), Some(payable)) = (t.tax_inclusive, t.payable) {
        match exact(tax_inclusive, -t.prepaid.unwrap_or_default(), t.rounding.unwrap_or_default()) {
            Some(expected) if payable != expected => {
                problems.push(at_root("BR-CO-16", root, Message::new("einvoice-amount-due-mismatch").with("stated", payable).with("expected", expected)))
            }
            Some(_) => {}
            None => problems.push(at_root(RANGE_RULE, root, Message::new("einvoice-rule-not-checkable").with("rule", "BR-CO-16"))),
        }
    }
    problems
}


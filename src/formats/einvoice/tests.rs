use super::*;
use crate::messages::Arg;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    crate::formats::fixture(&format!("einvoice/{name}"))
}

/// (file, syntax, number, lines, line total, tax exclusive, tax, tax inclusive, payable)
const FIXTURES: &[(&str, Syntax, &str, usize, &str, &str, &str, &str, &str)] = &[
    ("ubl-tc434-example1.xml", Syntax::UblInvoice, "12115118", 20, "229.60", "229.60", "20.73", "250.33", "250.33"),
    ("ubl-tc434-creditnote1.xml", Syntax::UblCreditNote, "018304 / 28865", 1, "100.11", "100.11", "0.00", "100.11", "100.11"),
    ("CII_example1.xml", Syntax::CiiInvoice, "12115118", 20, "229.6", "229.6", "20.73", "250.33", "250.33"),
    ("peppol-base-example.xml", Syntax::UblInvoice, "Snippet1", 2, "1300", "1325", "331.25", "1656.25", "1656.25"),
    ("peppol-base-creditnote-correction.xml", Syntax::UblCreditNote, "Snippet1", 2, "1300", "1325", "331.25", "1656.25", "1656.25"),
];

#[test]
#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
fn every_fixture_reads_cleanly_with_its_stated_totals() {
    for (name, syntax, number, lines, line_total, tax_exclusive, tax, tax_inclusive, payable) in FIXTURES {
        let bytes = fixture(name);
        let (inv, problems) = read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        assert_eq!(inv.syntax, *syntax, "{name}");
        assert_eq!(inv.number.as_deref(), Some(*number), "{name}");
        assert_eq!(inv.currency.as_deref(), Some("EUR"), "{name}");
        assert_eq!(inv.lines.len(), *lines, "{name}");
        let t = &inv.totals;
        assert_eq!(t.line_total, Some(d(line_total)), "{name}");
        assert_eq!(t.tax_exclusive, Some(d(tax_exclusive)), "{name}");
        assert_eq!(t.tax, Some(d(tax)), "{name}");
        assert_eq!(t.tax_inclusive, Some(d(tax_inclusive)), "{name}");
        assert_eq!(t.payable, Some(d(payable)), "{name}");
        assert!(inv.seller.name.is_some() && inv.buyer.name.is_some(), "{name}");
    }
}

#[test]
#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
fn syntaxes_agree_on_the_same_invoice() {
    let (ubl, cii) = (fixture("ubl-tc434-example1.xml"), fixture("CII_example1.xml"));
    let (ubl, _) = read(&ubl).unwrap();
    let (cii, _) = read(&cii).unwrap();
    assert_eq!(ubl.seller.vat_id, cii.seller.vat_id);
    assert_eq!(ubl.issue_date, cii.issue_date);
    let amounts = |i: &Invoice| i.lines.iter().map(|l| l.line_amount.unwrap().normalize()).collect::<Vec<_>>();
    assert_eq!(amounts(&ubl), amounts(&cii));
    assert_eq!(ubl.vat_breakdown.len(), cii.vat_breakdown.len());
}

fn ubl(lines: &str, totals: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>INV-1</cbc:ID>
  <cbc:IssueDate>2026-10-31</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Helios GPU Cloud</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Mission Calcul IA</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>{totals}</cac:LegalMonetaryTotal>
  {lines}
</Invoice>"#
    )
}

const GOOD_TOTALS: &str = r#"<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">120.00</cbc:PayableAmount>"#;

fn line(amount: &str, qty: &str, price: &str) -> String {
    format!(
        r#"<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="HUR">{qty}</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount><cac:Item><cbc:Name>H100 GPU-hour</cbc:Name></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>"#
    )
}

fn rules(xml: &str) -> Vec<&'static str> {
    let (_, problems) = read(xml.as_bytes()).unwrap();
    problems.iter().filter_map(|p| p.rule).collect()
}

#[test]
fn a_correct_hand_written_invoice_has_no_problem() {
    assert_eq!(rules(&ubl(&line("100.00", "40", "2.50"), GOOD_TOTALS)), Vec::<&str>::new());
}

#[test]
fn each_rule_fails_when_it_should() {
    // BR-CO-10: line total does not match the lines.
    let bad = GOOD_TOTALS.replace(">100.00</cbc:LineExtensionAmount>", ">100.01</cbc:LineExtensionAmount>");
    assert!(rules(&ubl(&line("100.00", "40", "2.50"), &bad)).contains(&"BR-CO-10"));
    // BR-CO-13: total without VAT ≠ line total − allowances + charges.
    let bad = GOOD_TOTALS.replace(">100.00</cbc:TaxExclusiveAmount>", ">99.00</cbc:TaxExclusiveAmount>");
    let r = rules(&ubl(&line("100.00", "40", "2.50"), &bad));
    assert!(r.contains(&"BR-CO-13") && r.contains(&"BR-CO-15"), "{r:?}");
    // BR-CO-15 alone.
    let bad = GOOD_TOTALS.replace(">120.00</cbc:TaxInclusiveAmount>", ">121.00</cbc:TaxInclusiveAmount>");
    let r = rules(&ubl(&line("100.00", "40", "2.50"), &bad));
    assert!(r.contains(&"BR-CO-15") && r.contains(&"BR-CO-16") && !r.contains(&"BR-CO-13"), "{r:?}");
    // BR-CO-16 alone.
    let bad = GOOD_TOTALS.replace(">120.00</cbc:PayableAmount>", ">119.99</cbc:PayableAmount>");
    assert_eq!(rules(&ubl(&line("100.00", "40", "2.50"), &bad)), vec!["BR-CO-16"]);
    // BR-DEC: three decimals on an amount; prices may have more.
    let r = rules(&ubl(&line("100.000", "40", "2.500"), GOOD_TOTALS));
    assert_eq!(r, vec!["BR-DEC"], "only the line amount, not the price");
    // Line amount against quantity × price, with Peppol's 0.02 slack.
    assert_eq!(rules(&ubl(&line("100.00", "40", "2.5005"), GOOD_TOTALS)), Vec::<&str>::new(), "0.02 is tolerated");
    assert_eq!(rules(&ubl(&line("100.00", "40", "2.51"), GOOD_TOTALS)), vec!["PEPPOL-EN16931-R120"]);
    // BR-16: no line at all.
    let r = rules(&ubl("", GOOD_TOTALS));
    assert!(r.contains(&"BR-16") && r.contains(&"BR-CO-10"), "{r:?}");
    // BR-01..BR-15: mandatory fields.
    let bare = ubl(&line("100.00", "40", "2.50"), "").replace("<cbc:ID>INV-1</cbc:ID>", "").replace("Helios GPU Cloud", "");
    let r = rules(&bare);
    for rule in ["BR-02", "BR-06", "BR-12", "BR-13", "BR-14", "BR-15"] {
        assert!(r.contains(&rule), "{rule} in {r:?}");
    }
}

#[test]
fn problems_say_where_they_are() {
    let (_, problems) = read(ubl(&line("100.00", "40", "2.51"), GOOD_TOTALS).as_bytes()).unwrap();
    let p = &problems[0];
    assert_eq!((p.line, p.column_number, p.path.as_deref()), (Some(19), Some(3), Some("/Invoice/InvoiceLine")), "{p:?}");
    assert_eq!(p.location().key, "location-path-line-column");
    assert_eq!(p.message.key, "einvoice-line-amount-mismatch");
    assert_eq!(p.message.arg("quantity"), Some(&Arg::Exact(d("40"))));
    assert_eq!(p.message.arg("price"), Some(&Arg::Exact(d("2.51"))));
    assert_eq!(p.message.arg("amount"), Some(&Arg::Exact(d("100.00"))));
}

#[cfg(feature = "app")]
#[test]
fn problems_are_worded_in_english_and_french() {
    use crate::i18n::{Locale, message};
    let (_, problems) = read(ubl(&line("100.00", "40", "2.51"), GOOD_TOTALS).as_bytes()).unwrap();
    let p = &problems[0];
    assert_eq!(message(Locale::En, &p.location()), "line 19, column 3 (/Invoice/InvoiceLine)");
    let en = message(Locale::En, &p.message);
    assert!(en.contains("quantity 40 × price 2.51"), "{en}");
    assert_eq!(message(Locale::Fr, &p.location()), "ligne 19, colonne 3 (/Invoice/InvoiceLine)");
    let fr = message(Locale::Fr, &p.message);
    assert!(fr.contains("100,00") && fr.contains("2,51"), "{fr}");
    let bare = ubl(&line("100.00", "40", "2.50"), "").replace("<cbc:ID>INV-1</cbc:ID>", "");
    let (_, problems) = read(bare.as_bytes()).unwrap();
    let br02 = problems.iter().find(|p| p.rule == Some("BR-02")).unwrap();
    assert_eq!(message(Locale::En, &br02.location()), "/Invoice");
    assert_eq!(message(Locale::En, &br02.message), "the invoice number (BT-1) is missing");
    assert!(message(Locale::Fr, &br02.message).contains("BT-1 «\u{a0}Numéro de facture\u{a0}»"));
}

#[test]
fn hostile_documents_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>"#;
    assert_eq!(read(laughs.as_bytes()).unwrap_err(), ReadError::Dtd);
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"#;
    assert_eq!(read(xxe.as_bytes()).unwrap_err(), ReadError::Dtd);
    assert!(matches!(read(b"<Invoice><unclosed></Invoice>"), Err(ReadError::Xml(_))));
    assert_eq!(read(b"<html/>").unwrap_err(), ReadError::NotAnInvoice { element: "html".into(), namespace: None });
    assert_eq!(read(b"<html/>").unwrap_err().message().key, "einvoice-not-an-invoice-no-namespace");
    assert_eq!(ReadError::Dtd.message().key, "einvoice-dtd");
    assert_eq!(read(&[0xff, 0xfe, 0x00]).unwrap_err(), ReadError::NotUtf8);
    let huge = vec![b' '; MAX_BYTES + 1];
    assert_eq!(read(&huge).unwrap_err(), ReadError::TooLarge(MAX_BYTES + 1));
}

#[test]
fn amounts_beyond_exact_arithmetic_are_a_problem_not_a_panic() {
    let huge = "79228162514264337593543950335";
    let xml = ubl(&line(huge, huge, huge), &GOOD_TOTALS.replace(">100.00</cbc:LineExtensionAmount>", &format!(">{huge}</cbc:LineExtensionAmount>")));
    let r = rules(&xml);
    assert!(r.contains(&RANGE_RULE), "{r:?}");
    let two_lines = ubl(&format!("{}{}", line(huge, "1", huge), line(huge, "1", huge)), GOOD_TOTALS);
    assert!(rules(&two_lines).contains(&RANGE_RULE));
}

/// Credit notes expose what a credit needs: the type, the preceding invoice (BT-25) and each
/// line's VAT category and rate (BT-151, BT-152), in both syntaxes.
#[test]
#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
fn credit_notes_name_their_preceding_invoice_and_line_vat_rates() {
    {
        let (note, problems) = read(&fixture("peppol-base-creditnote-correction.xml")).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(note.syntax, Syntax::UblCreditNote);
        assert_eq!(note.preceding_invoices, vec!["Snippet1".to_string()]);
        assert_eq!(note.lines[0].vat_category.as_deref(), Some("S"));
        assert_eq!(note.lines[0].vat_rate, Some(d("25.0")));
    }
    {
        let (note, _) = read(&fixture("ubl-tc434-creditnote1.xml")).unwrap();
        assert_eq!(note.type_code.as_deref(), Some("381"));
        assert!(note.preceding_invoices.is_empty(), "the CEN example names no preceding invoice");
        assert_eq!((note.lines[0].vat_category.as_deref(), note.lines[0].vat_rate), (Some("E"), Some(d("0.00"))));
    }
    {
        let pdf = crate::formats::fixture("facturx/Avoir_FR_type381_BASIC.pdf");
        let xml = crate::formats::facturx::embedded_invoice(&pdf).unwrap();
        let (note, _) = read(&xml).unwrap();
        assert_eq!((note.syntax, note.type_code.as_deref()), (Syntax::CiiInvoice, Some("381")));
        assert!(note.lines.iter().all(|l| l.vat_rate.is_some()), "every CII line has its rate: {:?}", note.lines);
    }
}

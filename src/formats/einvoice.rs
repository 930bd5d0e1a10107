//! EN 16931 electronic invoices and credit notes, in either syntax the standard allows: UBL 2.1
//! (`Invoice`, `CreditNote`) and UN/CEFACT CII (`CrossIndustryInvoice`), read into one model and
//! checked against the business rules that make totals trustworthy.
//!
//! Safe by construction: documents larger than [`MAX_BYTES`] are refused before parsing, and the
//! parser runs with DTDs disallowed, so a document that declares entities (billion laughs) or
//! points at external ones (XXE) is refused with a clear error; nothing is ever fetched.

use super::Problem;
use crate::messages::Message;
use super::decimal::{exact_add, parse_decimal};
use chrono::NaiveDate;
use roxmltree::{Document, Node, ParsingOptions};
use rust_decimal::Decimal;

pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Bounds the parsed tree too: a small file can still hold millions of empty elements.
const MAX_NODES: u32 = 2_000_000;

const UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const UBL_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const CII: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    UblInvoice,
    UblCreditNote,
    CiiInvoice,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Party {
    pub name: Option<String>,
    pub vat_id: Option<String>,
    pub registration_id: Option<String>,
    pub country: Option<String>,
    pub has_address: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Line {
    pub id: String,
    pub quantity: Option<Decimal>,
    pub unit_code: Option<String>,
    pub net_price: Option<Decimal>,
    pub base_quantity: Option<Decimal>,
    pub line_amount: Option<Decimal>,
    pub allowances: Decimal,
    pub charges: Decimal,
    pub item_name: Option<String>,
    /// BT-128, the invoice line object identifier (a document reference of type 130).
    pub object_identifier: Option<String>,
    /// BT-133, the buyer's accounting reference for the line.
    pub accounting_reference: Option<String>,
    /// BT-151 and BT-152: the line's VAT category and rate (percent).
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
    pub location: XmlLocation,
}

/// Where an element is: its line and column in the file, and its path (`/Invoice/InvoiceLine[2]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct XmlLocation {
    pub line: u64,
    pub column: usize,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AllowanceCharge {
    pub is_charge: bool,
    pub amount: Option<Decimal>,
    pub base_amount: Option<Decimal>,
    pub percent: Option<Decimal>,
    pub reason: Option<String>,
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VatBreakdown {
    pub category: Option<String>,
    pub rate: Option<Decimal>,
    pub taxable_amount: Option<Decimal>,
    pub tax_amount: Option<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Totals {
    pub line_total: Option<Decimal>,
    pub allowance_total: Option<Decimal>,
    pub charge_total: Option<Decimal>,
    pub tax_exclusive: Option<Decimal>,
    /// Total VAT in the document currency.
    pub tax: Option<Decimal>,
    pub tax_inclusive: Option<Decimal>,
    pub prepaid: Option<Decimal>,
    pub rounding: Option<Decimal>,
    pub payable: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Invoice {
    pub syntax: Syntax,
    pub specification: Option<String>,
    pub number: Option<String>,
    pub type_code: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub billing_period: (Option<NaiveDate>, Option<NaiveDate>),
    pub currency: Option<String>,
    pub seller: Party,
    pub buyer: Party,
    pub buyer_reference: Option<String>,
    /// BT-84 and BT-86: the account the seller is paid into (an IBAN for SEPA transfers) and
    /// its bank's BIC, from the first credit-transfer payment means.
    pub payee_account: Option<String>,
    pub payee_bic: Option<String>,
    pub preceding_invoices: Vec<String>,
    pub lines: Vec<Line>,
    pub allowances_charges: Vec<AllowanceCharge>,
    pub vat_breakdown: Vec<VatBreakdown>,
    pub totals: Totals,
}

/// Why a document cannot be read at all. `Display` is English, for logs; people are shown
/// [`ReadError::message`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the document is {0} bytes; the limit is {MAX_BYTES}")]
    TooLarge(usize),
    #[error("the document is not UTF-8 text")]
    NotUtf8,
    #[error("the document declares a DTD, which is refused: entity declarations and external references are not allowed in invoices")]
    Dtd,
    /// The XML parser's own explanation, in English.
    #[error("the document is not well-formed XML: {0}")]
    Xml(String),
    #[error("the root element is {element} in namespace {}; expected a UBL Invoice or CreditNote, or a CII CrossIndustryInvoice", namespace.as_deref().unwrap_or("(none)"))]
    NotAnInvoice { element: String, namespace: Option<String> },
}

impl ReadError {
    /// What to tell the person who sent the document (`einvoice-…` keys).
    pub fn message(&self) -> Message {
        match self {
            ReadError::TooLarge(size) => Message::new("einvoice-too-large").with("size", *size).with("limit", MAX_BYTES),
            ReadError::NotUtf8 => Message::new("einvoice-not-utf8"),
            ReadError::Dtd => Message::new("einvoice-dtd"),
            ReadError::Xml(detail) => Message::new("einvoice-not-xml").with("detail", detail),
            ReadError::NotAnInvoice { element, namespace: Some(ns) } => Message::new("einvoice-not-an-invoice").with("element", element).with("namespace", ns),
            ReadError::NotAnInvoice { element, namespace: None } => Message::new("einvoice-not-an-invoice-no-namespace").with("element", element),
        }
    }
}

/// Reads and checks a document. Problems are returned beside the invoice: a document with
/// problems still reads, so that every problem can be shown at once.
pub fn read(bytes: &[u8]) -> Result<(Invoice, Vec<Problem>), ReadError> {
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, entity_resolver: None };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => ReadError::Dtd,
        other => ReadError::Xml(other.to_string()),
    })?;
    let root = doc.root_element();
    let reader = Reader { doc: &doc };
    let invoice = match (root.tag_name().namespace(), root.tag_name().name()) {
        (Some(UBL_INVOICE), "Invoice") => reader.ubl(root, Syntax::UblInvoice),
        (Some(UBL_CREDIT_NOTE), "CreditNote") => reader.ubl(root, Syntax::UblCreditNote),
        (Some(CII), "CrossIndustryInvoice") => reader.cii(root),
        (ns, name) => return Err(ReadError::NotAnInvoice { element: name.to_string(), namespace: ns.map(str::to_string) }),
    };
    let mut problems = reader.problems_while_reading(root, invoice.syntax);
    problems.extend(check(&invoice));
    Ok((invoice, problems))
}

struct Reader<'a, 'input> {
    doc: &'a Document<'input>,
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// Follows a path of element names below `node`.
fn path<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    names.iter().try_fold(node, |n, name| child(n, name))
}

fn text(node: Option<Node<'_, '_>>) -> Option<String> {
    node.and_then(|n| n.text()).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

fn number(node: Option<Node<'_, '_>>) -> Option<Decimal> {
    node.and_then(|n| n.text()).and_then(parse_decimal)
}

fn ubl_date(node: Option<Node<'_, '_>>) -> Option<NaiveDate> {
    text(node).and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

/// CII dates: `<udt:DateTimeString format="102">20150109</udt:DateTimeString>`.
fn cii_date(node: Option<Node<'_, '_>>) -> Option<NaiveDate> {
    let s = node.and_then(|n| child(n, "DateTimeString"));
    text(s).and_then(|t| NaiveDate::parse_from_str(&t, "%Y%m%d").ok())
}

fn indicator(node: Option<Node<'_, '_>>) -> bool {
    let value = node.and_then(|n| child(n, "Indicator").or(Some(n)));
    text(value).is_some_and(|t| t.eq_ignore_ascii_case("true"))
}

impl<'a, 'i> Reader<'a, 'i> {
    fn location(&self, node: Node<'_, '_>) -> XmlLocation {
        let pos = self.doc.text_pos_at(node.range().start);
        let mut names: Vec<String> = node
            .ancestors()
            .filter(|n| n.is_element())
            .map(|n| {
                let name = n.tag_name().name();
                let same: Vec<_> = n.parent().map(|p| children(p, name).collect()).unwrap_or_default();
                if same.len() > 1 {
                    let idx = same.iter().position(|s| *s == n).unwrap_or(0) + 1;
                    format!("{name}[{idx}]")
                } else {
                    name.to_string()
                }
            })
            .collect();
        names.reverse();
        XmlLocation { line: u64::from(pos.row), column: pos.col as usize, path: format!("/{}", names.join("/")) }
    }

    fn ubl_party(&self, party: Option<Node<'_, '_>>) -> Party {
        let Some(p) = party.and_then(|n| child(n, "Party")) else { return Party::default() };
        let vat_id = children(p, "PartyTaxScheme")
            .find(|s| text(path(*s, &["TaxScheme", "ID"])).as_deref() == Some("VAT"))
            .and_then(|s| text(child(s, "CompanyID")));
        Party {
            name: text(path(p, &["PartyLegalEntity", "RegistrationName"])).or_else(|| text(path(p, &["PartyName", "Name"]))),
            vat_id,
            registration_id: text(path(p, &["PartyLegalEntity", "CompanyID"])),
            country: text(path(p, &["PostalAddress", "Country", "IdentificationCode"])),
            has_address: child(p, "PostalAddress").is_some(),
        }
    }

    fn ubl_allowance(&self, n: Node<'_, '_>) -> AllowanceCharge {
        AllowanceCharge {
            is_charge: indicator(child(n, "ChargeIndicator")),
            amount: number(child(n, "Amount")),
            base_amount: number(child(n, "BaseAmount")),
            percent: number(child(n, "MultiplierFactorNumeric")),
            reason: text(child(n, "AllowanceChargeReason")),
            vat_category: text(path(n, &["TaxCategory", "ID"])),
            vat_rate: number(path(n, &["TaxCategory", "Percent"])),
        }
    }

    fn ubl(&self, root: Node<'_, '_>, syntax: Syntax) -> Invoice {
        let credit = syntax == Syntax::UblCreditNote;
        let currency = text(child(root, "DocumentCurrencyCode"));
        let line_name = if credit { "CreditNoteLine" } else { "InvoiceLine" };
        let quantity_name = if credit { "CreditedQuantity" } else { "InvoicedQuantity" };
        let lines = children(root, line_name)
            .map(|l| {
                let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
                for ac in children(l, "AllowanceCharge") {
                    let a = self.ubl_allowance(ac);
                    let amount = a.amount.unwrap_or_default();
                    // Out of range sums leave the line's amount check to report the mismatch.
                    let slot = if a.is_charge { &mut charges } else { &mut allowances };
                    *slot = exact_add(*slot, amount).unwrap_or(*slot);
                }
                Line {
                    id: text(child(l, "ID")).unwrap_or_default(),
                    quantity: number(child(l, quantity_name)),
                    unit_code: child(l, quantity_name).and_then(|q| q.attribute("unitCode")).map(str::to_string),
                    net_price: number(path(l, &["Price", "PriceAmount"])),
                    base_quantity: number(path(l, &["Price", "BaseQuantity"])),
                    line_amount: number(child(l, "LineExtensionAmount")),
                    allowances,
                    charges,
                    item_name: text(path(l, &["Item", "Name"])),
                    object_identifier: children(l, "DocumentReference")
                        .find(|d| text(child(*d, "DocumentTypeCode")).as_deref() == Some("130"))
                        .and_then(|d| text(child(d, "ID"))),
                    accounting_reference: text(child(l, "AccountingCost")),
                    vat_category: text(path(l, &["Item", "ClassifiedTaxCategory", "ID"])),
                    vat_rate: number(path(l, &["Item", "ClassifiedTaxCategory", "Percent"])),
                    location: self.location(l),
                }
            })
            .collect();
        // The VAT total in the document currency (a second TaxTotal may give it in the VAT currency).
        let tax_total = children(root, "TaxTotal").find(|t| {
            child(*t, "TaxAmount").and_then(|a| a.attribute("currencyID")).map(str::to_string) == currency || currency.is_none()
        });
        let vat_breakdown = tax_total
            .map(|t| {
                children(t, "TaxSubtotal")
                    .map(|s| VatBreakdown {
                        category: text(path(s, &["TaxCategory", "ID"])),
                        rate: number(path(s, &["TaxCategory", "Percent"])),
                        taxable_amount: number(child(s, "TaxableAmount")),
                        tax_amount: number(child(s, "TaxAmount")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let m = child(root, "LegalMonetaryTotal");
        let total = |name: &str| m.and_then(|m| number(child(m, name)));
        Invoice {
            syntax,
            specification: text(child(root, "CustomizationID")),
            number: text(child(root, "ID")),
            type_code: text(child(root, if credit { "CreditNoteTypeCode" } else { "InvoiceTypeCode" })),
            issue_date: ubl_date(child(root, "IssueDate")),
            billing_period: (ubl_date(path(root, &["InvoicePeriod", "StartDate"])), ubl_date(path(root, &["InvoicePeriod", "EndDate"]))),
            currency,
            seller: self.ubl_party(child(root, "AccountingSupplierParty")),
            buyer: self.ubl_party(child(root, "AccountingCustomerParty")),
            buyer_reference: text(child(root, "BuyerReference")),
            payee_account: children(root, "PaymentMeans").find_map(|m| text(path(m, &["PayeeFinancialAccount", "ID"]))),
            payee_bic: children(root, "PaymentMeans").find_map(|m| text(path(m, &["PayeeFinancialAccount", "FinancialInstitutionBranch", "ID"]))),
            preceding_invoices: children(root, "BillingReference").filter_map(|b| text(path(b, &["InvoiceDocumentReference", "ID"]))).collect(),
            lines,
            allowances_charges: children(root, "AllowanceCharge").map(|n| self.ubl_allowance(n)).collect(),
            vat_breakdown,
            totals: Totals {
                line_total: total("LineExtensionAmount"),
                allowance_total: total("AllowanceTotalAmount"),
                charge_total: total("ChargeTotalAmount"),
                tax_exclusive: total("TaxExclusiveAmount"),
                tax: tax_total.and_then(|t| number(child(t, "TaxAmount"))),
                tax_inclusive: total("TaxInclusiveAmount"),
                prepaid: total("PrepaidAmount"),
                rounding: total("PayableRoundingAmount"),
                payable: total("PayableAmount"),
            },
        }
    }

    fn cii_party(&self, party: Option<Node<'_, '_>>) -> Party {
        let Some(p) = party else { return Party::default() };
        Party {
            name: text(child(p, "Name")),
            vat_id: children(p, "SpecifiedTaxRegistration")
                .filter_map(|r| child(r, "ID"))
                .find(|id| id.attribute("schemeID") == Some("VA"))
                .and_then(|id| text(Some(id))),
            registration_id: text(path(p, &["SpecifiedLegalOrganization", "ID"])),
            country: text(path(p, &["PostalTradeAddress", "CountryID"])),
            has_address: child(p, "PostalTradeAddress").is_some(),
        }
    }

    fn cii_allowance(&self, n: Node<'_, '_>) -> AllowanceCharge {
        AllowanceCharge {
            is_charge: indicator(child(n, "ChargeIndicator")),
            amount: number(child(n, "ActualAmount")),
            base_amount: number(child(n, "BasisAmount")),
            percent: number(child(n, "CalculationPercent")),
            reason: text(child(n, "Reason")),
            vat_category: text(path(n, &["CategoryTradeTax", "CategoryCode"])),
            vat_rate: number(path(n, &["CategoryTradeTax", "RateApplicablePercent"])),
        }
    }

    fn cii(&self, root: Node<'_, '_>) -> Invoice {
        let doc = child(root, "ExchangedDocument");
        let tx = child(root, "SupplyChainTradeTransaction");
        let agreement = tx.and_then(|t| child(t, "ApplicableHeaderTradeAgreement"));
        let settlement = tx.and_then(|t| child(t, "ApplicableHeaderTradeSettlement"));
        let currency = settlement.and_then(|s| text(child(s, "InvoiceCurrencyCode")));
        let lines = tx
            .map(|t| {
                children(t, "IncludedSupplyChainTradeLineItem")
                    .map(|l| {
                        let price = path(l, &["SpecifiedLineTradeAgreement", "NetPriceProductTradePrice"]);
                        let quantity = path(l, &["SpecifiedLineTradeDelivery", "BilledQuantity"]);
                        let line_settlement = child(l, "SpecifiedLineTradeSettlement");
                        let (mut allowances, mut charges) = (Decimal::ZERO, Decimal::ZERO);
                        for ac in line_settlement.into_iter().flat_map(|s| children(s, "SpecifiedTradeAllowanceCharge")) {
                            let a = self.cii_allowance(ac);
                            let amount = a.amount.unwrap_or_default();
                            let slot = if a.is_charge { &mut charges } else { &mut allowances };
                            *slot = exact_add(*slot, amount).unwrap_or(*slot);
                        }
                        Line {
                            id: text(path(l, &["AssociatedDocumentLineDocument", "LineID"])).unwrap_or_default(),
                            quantity: number(quantity),
                            unit_code: quantity.and_then(|q| q.attribute("unitCode")).map(str::to_string),
                            net_price: price.and_then(|p| number(child(p, "ChargeAmount"))),
                            base_quantity: price.and_then(|p| number(child(p, "BasisQuantity"))),
                            line_amount: line_settlement.and_then(|s| number(path(s, &["SpecifiedTradeSettlementLineMonetarySummation", "LineTotalAmount"]))),
                            allowances,
                            charges,
                            item_name: text(path(l, &["SpecifiedTradeProduct", "Name"])),
                            object_identifier: line_settlement
                                .into_iter()
                                .flat_map(|s| children(s, "AdditionalReferencedDocument"))
                                .find(|d| text(child(*d, "TypeCode")).as_deref() == Some("130"))
                                .and_then(|d| text(child(d, "IssuerAssignedID"))),
                            accounting_reference: line_settlement.and_then(|s| text(path(s, &["ReceivableSpecifiedTradeAccountingAccount", "ID"]))),
                            vat_category: line_settlement.and_then(|s| text(path(s, &["ApplicableTradeTax", "CategoryCode"]))),
                            vat_rate: line_settlement.and_then(|s| number(path(s, &["ApplicableTradeTax", "RateApplicablePercent"]))),
                            location: self.location(l),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let summation = settlement.and_then(|s| child(s, "SpecifiedTradeSettlementHeaderMonetarySummation"));
        let total = |name: &str| summation.and_then(|m| number(child(m, name)));
        // TaxTotalAmount may appear twice (document and accounting currency): take the document's.
        let tax = summation.and_then(|m| {
            let all: Vec<_> = children(m, "TaxTotalAmount").collect();
            all.iter().find(|t| t.attribute("currencyID").map(str::to_string) == currency).or(all.first()).and_then(|t| number(Some(*t)))
        });
        let period = settlement.and_then(|s| child(s, "BillingSpecifiedPeriod"));
        Invoice {
            syntax: Syntax::CiiInvoice,
            specification: text(path(root, &["ExchangedDocumentContext", "GuidelineSpecifiedDocumentContextParameter", "ID"])),
            number: doc.and_then(|d| text(child(d, "ID"))),
            type_code: doc.and_then(|d| text(child(d, "TypeCode"))),
            issue_date: doc.and_then(|d| cii_date(child(d, "IssueDateTime"))),
            billing_period: (period.and_then(|p| cii_date(child(p, "StartDateTime"))), period.and_then(|p| cii_date(child(p, "EndDateTime")))),
            currency,
            seller: self.cii_party(agreement.and_then(|a| child(a, "SellerTradeParty"))),
            buyer: self.cii_party(agreement.and_then(|a| child(a, "BuyerTradeParty"))),
            buyer_reference: agreement.and_then(|a| text(child(a, "BuyerReference"))),
            payee_account: settlement.and_then(|s| {
                children(s, "SpecifiedTradeSettlementPaymentMeans").find_map(|m| {
                    let account = child(m, "PayeePartyCreditorFinancialAccount")?;
                    text(child(account, "IBANID")).or_else(|| text(child(account, "ProprietaryID")))
                })
            }),
            payee_bic: settlement.and_then(|s| {
                children(s, "SpecifiedTradeSettlementPaymentMeans").find_map(|m| text(path(m, &["PayeeSpecifiedCreditorFinancialInstitution", "BICID"])))
            }),
            preceding_invoices: settlement
                .map(|s| children(s, "InvoiceReferencedDocument").filter_map(|r| text(child(r, "IssuerAssignedID"))).collect())
                .unwrap_or_default(),
            lines,
            allowances_charges: settlement.map(|s| children(s, "SpecifiedTradeAllowanceCharge").map(|n| self.cii_allowance(n)).collect()).unwrap_or_default(),
            vat_breakdown: settlement
                .map(|s| {
                    children(s, "ApplicableTradeTax")
                        .map(|t| VatBreakdown {
                            category: text(child(t, "CategoryCode")),
                            rate: number(child(t, "RateApplicablePercent")),
                            taxable_amount: number(child(t, "BasisAmount")),
                            tax_amount: number(child(t, "CalculatedAmount")),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            totals: Totals {
                line_total: total("LineTotalAmount"),
                allowance_total: total("AllowanceTotalAmount"),
                charge_total: total("ChargeTotalAmount"),
                tax_exclusive: total("TaxBasisTotalAmount"),
                tax,
                tax_inclusive: total("GrandTotalAmount"),
                prepaid: total("TotalPrepaidAmount"),
                rounding: total("RoundingAmount"),
                payable: total("DuePayableAmount"),
            },
        }
    }

    /// Problems only the document can locate: amounts that are not numbers, and amounts with
    /// more than two decimals (BR-DEC), each with its line, column and path.
    fn problems_while_reading(&self, root: Node<'_, '_>, syntax: Syntax) -> Vec<Problem> {
        let amount_names: &[&str] = match syntax {
            Syntax::CiiInvoice => &[
                "LineTotalAmount", "ChargeTotalAmount", "AllowanceTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount",
                "RoundingAmount", "GrandTotalAmount", "TotalPrepaidAmount", "DuePayableAmount", "CalculatedAmount",
                "BasisAmount", "ActualAmount",
            ],
            _ => &[
                "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount",
                "PrepaidAmount", "PayableRoundingAmount", "PayableAmount", "TaxAmount", "TaxableAmount", "Amount", "BaseAmount",
            ],
        };
        let mut problems = Vec::new();
        for node in root.descendants().filter(|n| n.is_element() && amount_names.contains(&n.tag_name().name())) {
            // CII's BasisAmount under a price is a quantity basis, not money.
            if node.parent().is_some_and(|p| p.tag_name().name().ends_with("TradePrice")) {
                continue;
            }
            let raw = node.text().unwrap_or("").trim();
            // Decimals are counted as written, as the standard's own Schematron does: 100.000 has three.
            let decimals = raw.split_once('.').map_or(0, |(_, fraction)| fraction.len());
            match parse_decimal(raw) {
                None => problems.push(at_element(
                    "BR-DEC",
                    &self.location(node),
                    Message::new("einvoice-not-an-amount").with("element", node.tag_name().name()).with("value", raw),
                )),
                Some(_) if decimals > 2 => problems.push(at_element(
                    "BR-DEC",
                    &self.location(node),
                    Message::new("einvoice-too-many-decimals").with("element", node.tag_name().name()).with("value", raw),
                )),
                _ => {}
            }
        }
        problems
    }
}

pub(super) fn at_element(rule: &'static str, at: &XmlLocation, message: Message) -> Problem {
    Problem { line: Some(at.line), column: None, column_number: Some(at.column), rule: Some(rule), path: Some(at.path.clone()), message }
}

/// A problem of the document as a whole, located by its root element's path (`/Invoice`).
pub(super) fn at_root(rule: &'static str, root: &str, message: Message) -> Problem {
    Problem { line: None, column: None, column_number: None, rule: Some(rule), path: Some(root.to_string()), message }
}

pub use rules::{LINE_SLACK, RANGE_RULE, check};

mod rules;
#[cfg(test)]
mod tests;

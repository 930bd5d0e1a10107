//! Provider invoices against submitted usage, and the funder's decision on them.
//!
//! A provider submits a usage file: each grant's charge is held in the ledger. It then uploads
//! an EN 16931 invoice (UBL 2.1 or CII) for the grants of one funder. The invoice is read and
//! checked with the EN 16931 rules, then **reconciled**:
//! - its currency is the usage's;
//! - each line names its grant code, by the line's object identifier (BT-128, a document
//!   reference of type 130), else the line's buyer accounting reference (BT-133), else the
//!   invoice's buyer reference (BT-10) for every line;
//! - each grant is one this upload charges, still held and not invoiced already, all of them
//!   awarded by one funder, who is the invoice's buyer (by name);
//! - each grant's invoiced amount equals the amount held for it, to the cent. What that amount
//!   is depends on the grant's programme ([`CreditsCover`]): **net** (the default), the sum of
//!   its lines' net amounts (BT-131), exactly; or **VAT included**, the sum over its lines of
//!   the line's net amount plus that line's VAT at its own rate (BT-131 × (1 + BT-152 / 100)),
//!   computed exactly and rounded once per grant to the cent, half away from zero (as VAT
//!   amounts are rounded). The invoice's own VAT total is computed per VAT category, so the
//!   per-grant amounts may differ from it by a cent of rounding: the grant's amount is what
//!   counts;
//! - an invoice number is used once per provider.
//!
//! Any failure refuses the invoice whole, listing every problem with its place in the XML; a
//! clean invoice waits in the funder's inbox. **Approve** posts its holds (credits → provider
//! payable); **dispute** voids them, with a reason the provider reads: the usage is then charged
//! again only by a corrected file. A provider answers either with a credit note (see
//! [`crate::domain::credit_notes`]).

use crate::db::AnyConnection;
use crate::db::schema::{grants, invoices, organisations, programmes, usage_charges, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{GrantId, OrgId, UploadId, UserId};
use crate::domain::usage::{self, UploadStatus};
use crate::formats::einvoice::{self, Syntax};
use crate::formats::{Problem, Problems};
use crate::ledger::{self, HoldResolution, Resolution};
use crate::messages::Message;
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

crate::text_enum! {
    pub enum InvoiceStatus ("invoice status") {
        AwaitingApproval = "awaiting-approval",
        Approved = "approved",
        Disputed = "disputed",
        /// Not decided within the programme's hold period: its holds were released.
        Expired = "expired",
    }
}

/// The largest invoice file accepted (XML invoices are small; this bounds the parser's work).
pub const MAX_INVOICE_BYTES: usize = 5 * 1024 * 1024;
/// The longest dispute reason kept.
pub const MAX_REASON_CHARS: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices)]
pub struct Invoice {
    pub id: i64,
    pub provider_id: OrgId,
    pub funder_id: OrgId,
    pub upload_id: UploadId,
    pub number: String,
    pub syntax: String,
    pub issue_date: NaiveDate,
    pub currency: String,
    pub net_total: i64,
    pub tax_total: i64,
    pub payable: i64,
    pub file_sha256: String,
    #[diesel(deserialize_as = String)]
    pub status: InvoiceStatus,
    pub dispute_reason: Option<String>,
    pub uploaded_by: UserId,
    pub created_at: NaiveDateTime,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
    pub payee_iban: Option<String>,
    pub payee_bic: Option<String>,
    pub settlement_id: Option<i64>,
    /// Set when the funder approved less than the whole amount held (a ledger amount, as
    /// `ledger_total`).
    pub approved_net: Option<i64>,
    /// What the invoice's grants held: the ledger amount it covers (net, or VAT included when
    /// the programme says so).
    pub ledger_total: i64,
    /// What its credit notes returned to the grants (ledger amount).
    pub credited: i64,
    /// The credit notes' amounts due (BT-115), subtracted from the payment.
    pub credited_payable: i64,
}

crate::text_enum! {
    /// What a programme's credits pay for: invoices' net amounts, or their amounts VAT included.
    pub enum CreditsCover ("credits cover") {
        Net = "net",
        Gross = "gross",
    }
}

impl Invoice {
    pub fn net(&self) -> Amount {
        Amount::from_cents(self.net_total)
    }

    pub fn tax(&self) -> Amount {
        Amount::from_cents(self.tax_total)
    }

    pub fn payable_amount(&self) -> Amount {
        Amount::from_cents(self.payable)
    }

    pub fn is_awaiting(&self) -> bool {
        self.status == InvoiceStatus::AwaitingApproval
    }

    /// The amount approved, as the ledger counts it: all that was held, unless the funder
    /// approved a part.
    pub fn approved(&self) -> Amount {
        Amount::from_cents(self.approved_net.unwrap_or(self.ledger_total))
    }

    /// What credit notes returned to the grants.
    pub fn credited_amount(&self) -> Amount {
        Amount::from_cents(self.credited)
    }

    /// What a settlement moves from the provider's payable account: approved less credited.
    pub fn to_settle(&self) -> Amount {
        Amount::from_cents(self.approved_net.unwrap_or(self.ledger_total).saturating_sub(self.credited).max(0))
    }

    /// What a payment of this invoice transfers: its amount due, reduced in proportion when
    /// only part of it was approved (VAT follows the approved amount), to the cent, less the
    /// amounts due of its credit notes; never below zero.
    pub fn amount_to_pay(&self) -> Amount {
        let due = match self.approved_net {
            Some(approved) if self.ledger_total > 0 => {
                let scaled = i128::from(self.payable) * i128::from(approved);
                let held = i128::from(self.ledger_total);
                // Rounded half up, as a bank would.
                i64::try_from((scaled * 2 + held) / (held * 2)).unwrap_or(self.payable)
            }
            _ => self.payable,
        };
        Amount::from_cents(due.saturating_sub(self.credited_payable).max(0))
    }

    /// Approved, not yet paid, and not wholly credited.
    pub fn is_payable(&self) -> bool {
        self.status == InvoiceStatus::Approved && self.settlement_id.is_none() && self.to_settle().is_positive() && self.amount_to_pay().is_positive()
    }

    pub fn is_settled(&self) -> bool {
        self.settlement_id.is_some()
    }
}

/// One grant an invoice bills.
#[derive(Debug, Clone)]
pub struct InvoicedGrant {
    pub grant_id: GrantId,
    pub grant_code: String,
    pub startup_name: String,
    pub programme_name: String,
    pub amount: Amount,
}

#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub provider_name: String,
    pub funder_name: String,
    pub grants: Vec<InvoicedGrant>,
    /// Lines the startups flagged: (grant, line in the usage file, service, cost, reason).
    pub flags: Vec<(String, i64, String, String, String)>,
    /// The provider's credit notes against it, oldest first.
    pub credit_notes: Vec<crate::domain::credit_notes::CreditNote>,
}

/// What happened to an uploaded invoice.
pub enum Received {
    Accepted(i64),
    Refused(Problems),
}

pub(crate) fn problem(message: Message) -> Problem {
    Problem::file(message)
}

pub(crate) fn line_problem(line: &einvoice::Line, message: Message) -> Problem {
    Problem {
        line: Some(line.location.line),
        column: None,
        column_number: Some(line.location.column),
        rule: None,
        path: Some(line.location.path.clone()),
        message,
    }
}

/// Exact cents of a decimal amount with at most two decimals.
pub(crate) fn cents(value: Decimal) -> Option<Amount> {
    use rust_decimal::prelude::ToPrimitive;
    let scaled = value.checked_mul(Decimal::ONE_HUNDRED)?;
    if !scaled.fract().is_zero() {
        return None;
    }
    scaled.to_i64().map(Amount::from_cents)
}

/// A provider document read and checked: the EN 16931 model, the syntax stored (`ubl`, `cii`,
/// `factur-x`) and its problems; or the problems that stopped the reading.
pub(crate) fn read_document(bytes: &[u8]) -> Result<(einvoice::Invoice, &'static str, Problems), Problems> {
    let mut problems = Problems::default();
    if bytes.is_empty() {
        problems.push(problem(Message::new("invoice-empty")));
        return Err(problems);
    }
    if bytes.len() > MAX_INVOICE_BYTES {
        problems.push(problem(Message::new("invoice-too-large").with("mb", (MAX_INVOICE_BYTES / (1024 * 1024)) as i64)));
        return Err(problems);
    }
    // A Factur-X PDF carries its CII document inside: that is what is read and checked.
    let (xml, is_facturx) = if crate::formats::facturx::is_pdf(bytes) {
        match crate::formats::facturx::embedded_invoice(bytes) {
            Ok(xml) => (std::borrow::Cow::Owned(xml), true),
            Err(e) => {
                problems.push(problem(e.message()));
                return Err(problems);
            }
        }
    } else {
        (std::borrow::Cow::Borrowed(bytes), false)
    };
    let (invoice, read_problems) = match einvoice::read(&xml) {
        Ok(read) => read,
        Err(e) => {
            problems.push(problem(e.message()));
            return Err(problems);
        }
    };
    for p in read_problems {
        problems.push(p);
    }
    let syntax = match invoice.syntax {
        Syntax::UblInvoice | Syntax::UblCreditNote => "ubl",
        Syntax::CiiInvoice if is_facturx => "factur-x",
        Syntax::CiiInvoice => "cii",
    };
    Ok((invoice, syntax, problems))
}

/// Whether the document is a credit note: a UBL `CreditNote`, or a CII document of type 381.
pub(crate) fn is_credit_note(invoice: &einvoice::Invoice) -> bool {
    invoice.syntax == Syntax::UblCreditNote || invoice.type_code.as_deref().is_some_and(|t| t.trim() == "381")
}

/// The grant a line bills: its object identifier (BT-128), else its buyer accounting reference
/// (BT-133), else the document's buyer reference (BT-10).
pub(crate) fn grant_reference(invoice: &einvoice::Invoice, line: &einvoice::Line) -> String {
    let code = line.object_identifier.clone().or_else(|| line.accounting_reference.clone()).or_else(|| invoice.buyer_reference.clone());
    code.map(|c| c.trim().to_string()).unwrap_or_default()
}

/// One grant's lines on a document, summed exactly.
#[derive(Debug, Default, Clone)]
pub(crate) struct GrantSums {
    /// Σ BT-131.
    pub net: Decimal,
    /// Σ BT-131 × BT-152 / 100, unrounded.
    pub vat: Decimal,
    /// A line of the grant has no VAT rate (only a problem when credits cover VAT).
    pub missing_rate: bool,
    pub overflow: bool,
}

impl GrantSums {
    pub fn add(&mut self, line: &einvoice::Line) {
        use crate::formats::decimal::{exact_add, exact_mul};
        let amount = line.line_amount.unwrap_or_default();
        match exact_add(self.net, amount) {
            Some(n) => self.net = n,
            None => self.overflow = true,
        }
        match line.vat_rate {
            // amount × rate × 0.01, exactly (a zero factor is exact too, whatever its scale).
            Some(rate) => match (if amount.is_zero() || rate.is_zero() { Some(Decimal::ZERO) } else { exact_mul(amount, rate).and_then(|v| exact_mul(v, Decimal::new(1, 2))) }).and_then(|v| exact_add(self.vat, v)) {
                Some(v) => self.vat = v,
                None => self.overflow = true,
            },
            // No rate: exempt categories may leave it out; standard-rated lines may not.
            None if line.vat_category.as_deref().is_some_and(|c| matches!(c.trim(), "E" | "Z" | "AE" | "K" | "G" | "O")) => {}
            None => self.missing_rate = true,
        }
    }

    /// What the grant's lines amount to for a programme whose credits cover `cover`: the net
    /// sum, exact (a sum with fractions of a cent is no amount); or net plus VAT, rounded once
    /// to the cent, half away from zero.
    pub fn amount(&self, cover: CreditsCover) -> Option<Amount> {
        if self.overflow {
            return None;
        }
        match cover {
            CreditsCover::Net => cents(self.net),
            CreditsCover::Gross if self.missing_rate => None,
            CreditsCover::Gross => {
                let gross = self.net.checked_add(self.vat)?.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                cents(gross)
            }
        }
    }

    /// The amount as it is shown in a problem: exact, as the document says it.
    pub fn shown(&self, cover: CreditsCover) -> Decimal {
        match cover {
            CreditsCover::Net => self.net,
            CreditsCover::Gross => self.net.checked_add(self.vat).map(|g| g.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)).unwrap_or(self.net),
        }
    }
}

/// A held, not yet invoiced charge of the upload.
struct OpenCharge {
    charge_id: i64,
    amount: Amount,
    funder_id: OrgId,
    invoiced: bool,
    held: bool,
    cover: CreditsCover,
}

/// Reads, checks and reconciles an invoice for `upload_id`; stores it only when clean.
pub fn receive(conn: &mut AnyConnection, by: &Member, upload_id: UploadId, bytes: &[u8]) -> DomainResult<Received> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let view = usage::view(conn, by, upload_id)?;
    if view.upload.status != UploadStatus::Submitted && !bytes.is_empty() && bytes.len() <= MAX_INVOICE_BYTES {
        let mut problems = Problems::default();
        problems.push(problem(Message::new("invoice-usage-not-submitted")));
        return Ok(Received::Refused(problems));
    }
    let (invoice, syntax, mut problems) = match read_document(bytes) {
        Ok(read) => read,
        Err(problems) => return Ok(Received::Refused(problems)),
    };
    if is_credit_note(&invoice) {
        problems.push(problem(Message::new("invoice-is-credit-note")));
        return Ok(Received::Refused(problems));
    }
    let number = invoice.number.clone().unwrap_or_default();
    if number.trim().is_empty() || number.chars().count() > 200 {
        problems.push(problem(Message::new("invoice-number-missing")));
    } else {
        let taken: i64 = invoices::table
            .filter(invoices::provider_id.eq(by.org_id()))
            .filter(invoices::number.eq(number.trim()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            problems.push(problem(Message::new("invoice-number-taken").with("number", number.trim())));
        }
    }
    if invoice.currency.as_deref() != Some(view.upload.currency.as_str()) {
        problems.push(problem(
            Message::new("invoice-currency-mismatch").with("invoice", invoice.currency.clone().unwrap_or_default()).with("usage", view.upload.currency.as_str()),
        ));
    }

    // The upload's charges, with their funder, what their programme's credits cover, and
    // whether they are held and not yet invoiced.
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>, String, OrgId, String)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .filter(usage_charges::upload_id.eq(upload_id))
        .select((usage_charges::id, usage_charges::amount, usage_charges::hold_entry_id, usage_charges::invoice_id, grants::code, programmes::funder_id, programmes::credits_cover))
        .load(conn)?;
    let mut charges: BTreeMap<String, OpenCharge> = BTreeMap::new();
    for (charge_id, amount, hold, invoice_id, code, funder_id, cover) in rows {
        let cover: CreditsCover = cover.parse().map_err(|e: crate::domain::status::UnknownValue| DomainError::Internal(e.to_string()))?;
        charges.insert(code, OpenCharge { charge_id, amount: Amount::from_cents(amount), funder_id, invoiced: invoice_id.is_some(), held: hold.is_some(), cover });
    }

    // Each line's grant, and each grant's invoiced amounts.
    let mut invoiced: BTreeMap<String, GrantSums> = BTreeMap::new();
    for line in &invoice.lines {
        let code = grant_reference(&invoice, line);
        match charges.get(&code) {
            None => problems.push(line_problem(line, Message::new("invoice-line-no-grant").with("line", line.id.as_str()).with("reference", code.as_str()))),
            Some(charge) if charge.invoiced || !charge.held => {
                problems.push(line_problem(line, Message::new("invoice-grant-already-invoiced").with("grant", code.as_str())));
            }
            Some(_) => invoiced.entry(code).or_default().add(line),
        }
    }
    if invoice.lines.is_empty() {
        problems.push(problem(Message::new("invoice-no-lines")));
    }
    let mut funders: Vec<OrgId> = Vec::new();
    let mut ledger_total = Amount::ZERO;
    for (code, sums) in &invoiced {
        let Some(charge) = charges.get(code) else { continue };
        if !funders.contains(&charge.funder_id) {
            funders.push(charge.funder_id);
        }
        ledger_total = ledger_total.checked_add(charge.amount).map_err(|e| DomainError::Internal(e.to_string()))?;
        let held = crate::messages::Arg::Money { cents: charge.amount.cents(), currency: view.upload.currency.clone() };
        match (sums.amount(charge.cover), charge.cover) {
            (Some(a), _) if a == charge.amount => {}
            (None, CreditsCover::Gross) if sums.missing_rate => {
                problems.push(problem(Message::new("invoice-grant-no-vat-rate").with("grant", code.as_str())));
            }
            (_, CreditsCover::Net) => problems.push(problem(
                Message::new("invoice-grant-amount-mismatch").with("grant", code.as_str()).with("invoiced", crate::messages::Arg::Exact(sums.shown(CreditsCover::Net))).with("held", held),
            )),
            (_, CreditsCover::Gross) => problems.push(problem(
                Message::new("invoice-grant-gross-mismatch").with("grant", code.as_str()).with("invoiced", crate::messages::Arg::Exact(sums.shown(CreditsCover::Gross))).with("held", held),
            )),
        }
    }
    let funder_id = match funders.as_slice() {
        [one] => Some(*one),
        [] => None,
        _ => {
            problems.push(problem(Message::new("invoice-several-funders")));
            None
        }
    };
    if let Some(funder_id) = funder_id {
        if let Some(p) = buyer_problem(conn, funder_id, &invoice, "invoice-buyer-not-funder")? {
            problems.push(p);
        }
    }
    if !problems.is_empty() {
        return Ok(Received::Refused(problems));
    }
    let Some(funder_id) = funder_id else { return Ok(Received::Refused(problems)) };
    let (net_total, tax_total, payable) = document_totals(&invoice);
    let sha = crate::domain::identity::sha256_hex_bytes(bytes);
    let issue_date = invoice.issue_date.unwrap_or_else(clock::today);
    crate::db::write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(invoices::table)
            .values((
                invoices::provider_id.eq(by.org_id()),
                invoices::funder_id.eq(funder_id),
                invoices::upload_id.eq(upload_id),
                invoices::number.eq(number.trim()),
                invoices::syntax.eq(syntax),
                invoices::issue_date.eq(issue_date),
                invoices::currency.eq(&view.upload.currency),
                invoices::net_total.eq(net_total.max(0)),
                invoices::tax_total.eq(tax_total.max(0)),
                invoices::payable.eq(payable),
                invoices::file_sha256.eq(&sha),
                invoices::status.eq(InvoiceStatus::AwaitingApproval.as_str()),
                invoices::uploaded_by.eq(by.user.id),
                invoices::created_at.eq(clock::now()),
                invoices::payee_iban.eq(invoice.payee_account.as_deref().map(crate::domain::settlements::compact_iban)),
                invoices::payee_bic.eq(invoice.payee_bic.as_deref().map(|b| b.trim().to_uppercase())),
                invoices::ledger_total.eq(ledger_total.cents()),
            ))
            .returning(invoices::id)
            .get_result(conn)?;
        let claims: Vec<(&String, i64)> = invoiced.keys().filter_map(|code| charges.get(code).map(|c| (code, c.charge_id))).collect();
        for chunk in claims.chunks(crate::db::CHUNK_ROWS) {
            let ids: Vec<i64> = chunk.iter().map(|(_, charge_id)| *charge_id).collect();
            // Another invoice may have claimed a charge meanwhile: then nothing is stored.
            let claimed = diesel::update(usage_charges::table.filter(usage_charges::id.eq_any(&ids)).filter(usage_charges::invoice_id.is_null()))
                .set(usage_charges::invoice_id.eq(Some(id)))
                .execute(conn)?;
            if claimed != ids.len() {
                let taken: Vec<i64> =
                    usage_charges::table.filter(usage_charges::id.eq_any(&ids)).filter(usage_charges::invoice_id.ne(id)).select(usage_charges::id).load(conn)?;
                let code = chunk.iter().find(|(_, charge_id)| taken.contains(charge_id)).map_or_else(String::new, |(code, _)| (*code).clone());
                return Err(DomainError::Conflict(Message::new("invoice-grant-already-invoiced").with("grant", code)));
            }
        }
        Ok(Received::Accepted(id))
    })
}

/// The document's net total (BT-109), VAT total (BT-110) and amount due (BT-115), in cents.
pub(crate) fn document_totals(invoice: &einvoice::Invoice) -> (i64, i64, i64) {
    let total = |d: Option<Decimal>| d.and_then(cents).map(|a| a.cents());
    let net_total = total(invoice.totals.tax_exclusive.or(invoice.totals.line_total)).unwrap_or_default();
    let tax_total = total(invoice.totals.tax).unwrap_or_default();
    let payable = total(invoice.totals.payable).unwrap_or(net_total.saturating_add(tax_total));
    (net_total, tax_total, payable)
}

/// A problem when the document's buyer (by name) is not the funder (its name or legal name).
pub(crate) fn buyer_problem(conn: &mut AnyConnection, funder_id: OrgId, invoice: &einvoice::Invoice, key: &'static str) -> DomainResult<Option<Problem>> {
    let (name, legal): (String, Option<String>) = organisations::table.find(funder_id).select((organisations::name, organisations::legal_name)).first(conn)?;
    let buyer = invoice.buyer.name.clone().unwrap_or_default();
    let same = |a: &str| a.trim().eq_ignore_ascii_case(buyer.trim());
    if !same(&name) && !legal.as_deref().is_some_and(same) {
        return Ok(Some(problem(Message::new(key).with("buyer", buyer.as_str()).with("funder", name.as_str()))));
    }
    Ok(None)
}

fn load(conn: &mut AnyConnection, invoice_id: i64) -> DomainResult<Invoice> {
    invoices::table.find(invoice_id).select(Invoice::as_select()).first(conn).or_not_found()
}

/// An invoice as its provider, its funder (the buyer) or a platform member sees it.
pub fn view(conn: &mut AnyConnection, by: &Member, invoice_id: i64) -> DomainResult<InvoiceView> {
    let invoice = load(conn, invoice_id)?;
    let allowed = match by.kind() {
        OrgKind::Provider => by.org_id() == invoice.provider_id,
        OrgKind::Funder => by.org_id() == invoice.funder_id,
        OrgKind::Platform => true,
        OrgKind::Startup => false,
    };
    if !allowed {
        return Err(DomainError::NotFound);
    }
    let provider_name: String = organisations::table.find(invoice.provider_id).select(organisations::name).first(conn)?;
    let funder_name: String = organisations::table.find(invoice.funder_id).select(organisations::name).first(conn)?;
    let rows: Vec<(GrantId, String, i64, String, String)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grants::startup_id)))
        .filter(usage_charges::invoice_id.eq(invoice_id))
        .order(grants::code)
        .select((usage_charges::grant_id, grants::code, usage_charges::amount, organisations::name, programmes::name))
        .load(conn)?;
    let grants = rows
        .into_iter()
        .map(|(grant_id, grant_code, amount, startup_name, programme_name)| InvoicedGrant { grant_id, grant_code, startup_name, programme_name, amount: Amount::from_cents(amount) })
        .collect();
    let flags = crate::domain::usage::lines::flags_of_invoice(conn, invoice_id)?;
    let credit_notes = crate::domain::credit_notes::of_invoice(conn, invoice_id)?;
    Ok(InvoiceView { invoice, provider_name, funder_name, grants, flags, credit_notes })
}

/// The invoices of an upload (for its provider's page).
pub fn invoices_of_upload(conn: &mut AnyConnection, by: &Member, upload_id: UploadId) -> DomainResult<Vec<Invoice>> {
    usage::view(conn, by, upload_id)?;
    Ok(invoices::table.filter(invoices::upload_id.eq(upload_id)).order(invoices::id).select(Invoice::as_select()).load(conn)?)
}

/// What the inbox shows: every invoice, or one programme's (an invoice is a programme's when
/// it bills one of its grants), or those in one status.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub programme_id: Option<i64>,
    pub status: Option<InvoiceStatus>,
}

/// A funder's inbox: invoices awaiting a decision first, then the latest decided; with the
/// provider's name. At most `limit`, filtered by `filter`.
pub fn inbox(conn: &mut AnyConnection, by: &Member, filter: &InboxFilter, limit: i64) -> DomainResult<Vec<(Invoice, String)>> {
    let mut query = invoices::table.inner_join(organisations::table.on(organisations::id.eq(invoices::provider_id))).into_boxed();
    match by.kind() {
        OrgKind::Funder => query = query.filter(invoices::funder_id.eq(by.org_id())),
        OrgKind::Provider => query = query.filter(invoices::provider_id.eq(by.org_id())),
        OrgKind::Platform => {}
        OrgKind::Startup => return Err(DomainError::NotFound),
    }
    if let Some(programme) = filter.programme_id {
        let of_programme = usage_charges::table
            .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
            .filter(grants::programme_id.eq(programme))
            .filter(usage_charges::invoice_id.is_not_null())
            .select(usage_charges::invoice_id.assume_not_null());
        query = query.filter(invoices::id.eq_any(of_programme));
    }
    if let Some(status) = filter.status {
        query = query.filter(invoices::status.eq(status.as_str()));
    }
    let mut rows: Vec<(Invoice, String)> = query.order(invoices::id.desc()).limit(limit.clamp(1, 500)).select((Invoice::as_select(), organisations::name)).load(conn)?;
    rows.sort_by_key(|(i, _)| !i.is_awaiting());
    Ok(rows)
}

/// The programmes the inbox can be filtered by: the funder's own (a platform member's: all).
pub fn inbox_programmes(conn: &mut AnyConnection, by: &Member) -> DomainResult<Vec<(i64, String)>> {
    let mut query = programmes::table.into_boxed();
    match by.kind() {
        OrgKind::Funder => query = query.filter(programmes::funder_id.eq(by.org_id())),
        OrgKind::Platform => {}
        _ => return Ok(Vec::new()),
    }
    Ok(query.order((programmes::name, programmes::id)).select((programmes::id, programmes::name)).load(conn)?)
}

/// The holds an invoice covers: (grant code, hold entry).
fn holds_of(conn: &mut AnyConnection, invoice_id: i64) -> DomainResult<Vec<(String, i64)>> {
    let rows: Vec<(String, Option<i64>)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .filter(usage_charges::invoice_id.eq(invoice_id))
        .select((grants::code, usage_charges::hold_entry_id))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(code, hold)| hold.map(|h| (code, h))).collect())
}

/// Marks a decision once: the update from "awaiting approval" is the check, so two funders
/// deciding at once decide once.
fn decide(conn: &mut AnyConnection, by: &Member, invoice_id: i64, status: InvoiceStatus, reason: Option<&str>) -> DomainResult<Invoice> {
    let invoice = load(conn, invoice_id)?;
    if by.kind() != OrgKind::Funder || by.org_id() != invoice.funder_id {
        return Err(DomainError::NotFound);
    }
    let changed = diesel::update(invoices::table.find(invoice_id).filter(invoices::status.eq(InvoiceStatus::AwaitingApproval.as_str())))
        .set((invoices::status.eq(status.as_str()), invoices::dispute_reason.eq(reason), invoices::decided_by.eq(Some(by.user.id)), invoices::decided_at.eq(Some(clock::now()))))
        .execute(conn)?;
    if changed != 1 {
        let key = if invoice.status == InvoiceStatus::Expired { "invoice-expired" } else { "invoice-already-decided" };
        return Err(DomainError::Conflict(Message::new(key).with("number", invoice.number.as_str())));
    }
    Ok(invoice)
}

/// The upload's status once its invoices are decided: approved when every charge is approved,
/// disputed when any is disputed and none waits.
fn settle_upload_status(conn: &mut AnyConnection, upload_id: UploadId) -> DomainResult<()> {
    let rows: Vec<Option<String>> = usage_charges::table
        .left_join(invoices::table.on(invoices::id.nullable().eq(usage_charges::invoice_id)))
        .filter(usage_charges::upload_id.eq(upload_id))
        .filter(usage_charges::amount.gt(0))
        .select(invoices::status.nullable())
        .load(conn)?;
    let waiting = rows.iter().any(|s| s.as_deref().is_none_or(|s| s == InvoiceStatus::AwaitingApproval.as_str()));
    if waiting {
        return Ok(());
    }
    let disputed = rows.iter().any(|s| s.as_deref() == Some(InvoiceStatus::Disputed.as_str()));
    let status = if disputed { UploadStatus::Disputed } else { UploadStatus::Approved };
    diesel::update(usage_uploads::table.find(upload_id)).set(usage_uploads::status.eq(status.as_str())).execute(conn)?;
    Ok(())
}

/// Approves an invoice: each of its holds is posted (credits → provider payable), in one
/// transaction with the decision.
pub fn approve(conn: &mut AnyConnection, by: &Member, invoice_id: i64) -> DomainResult<Invoice> {
    approve_part(conn, by, invoice_id, &BTreeMap::new(), "")
}

/// Approves an invoice, possibly in part: a grant named in `amounts` has only that amount
/// posted and the rest of its hold released (nothing posted for zero); a part approval needs
/// a reason, which the provider reads.
pub fn approve_part(conn: &mut AnyConnection, by: &Member, invoice_id: i64, amounts: &BTreeMap<String, Amount>, reason: &str) -> DomainResult<Invoice> {
    let reason = reason.trim();
    crate::db::write_transaction(conn, |conn| {
        let held: Vec<(String, i64, i64)> = usage_charges::table
            .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
            .filter(usage_charges::invoice_id.eq(invoice_id))
            .filter(usage_charges::hold_entry_id.is_not_null())
            .select((grants::code, usage_charges::amount, usage_charges::hold_entry_id.assume_not_null()))
            .load(conn)?;
        let mut errors = FieldErrors::default();
        for code in amounts.keys().filter(|code| !held.iter().any(|(held_code, _, _)| held_code == *code)) {
            errors.add("amounts", Message::new("invoice-part-unknown-grant").with("grant", code.as_str()));
        }
        let mut approved_total = Amount::ZERO;
        let mut partial = false;
        let mut plan = Vec::with_capacity(held.len());
        for (code, cents, hold) in &held {
            let full = Amount::from_cents(*cents);
            let amount = amounts.get(code).copied().unwrap_or(full);
            if amount.is_negative() || amount > full {
                errors.add("amounts", Message::new("invoice-part-out-of-range").with("grant", code.as_str()));
                continue;
            }
            partial |= amount < full;
            approved_total = approved_total.checked_add(amount).map_err(|e| DomainError::Internal(e.to_string()))?;
            plan.push((code.clone(), *hold, amount, full));
        }
        if partial && (reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS) {
            errors.add("reason", Message::new("invoice-part-reason-missing").with("max", MAX_REASON_CHARS as i64));
        }
        errors.into_result()?;
        let invoice = decide(conn, by, invoice_id, InvoiceStatus::Approved, partial.then_some(reason))?;
        let keys: Vec<String> = plan.iter().map(|(code, ..)| format!("invoice-approve:{invoice_id}:grant:{code}")).collect();
        let resolutions: Vec<HoldResolution<'_>> = plan
            .iter()
            .zip(&keys)
            .map(|((_, hold, amount, full), key)| {
                let resolution = if amount == full {
                    Resolution::Post(None)
                } else if amount.is_positive() {
                    Resolution::Post(Some(*amount))
                } else {
                    Resolution::Void
                };
                HoldResolution { hold_id: *hold, resolution, idempotency_key: key }
            })
            .collect();
        ledger::resolve_holds(conn, &resolutions, &by.actor())?;
        if partial {
            diesel::update(invoices::table.find(invoice_id)).set(invoices::approved_net.eq(Some(approved_total.cents()))).execute(conn)?;
        }
        settle_upload_status(conn, invoice.upload_id)?;
        load(conn, invoice_id)
    })
}

/// Disputes an invoice with a reason the provider reads: its holds are voided and the credits
/// return to the grants.
pub fn dispute(conn: &mut AnyConnection, by: &Member, invoice_id: i64, reason: &str) -> DomainResult<Invoice> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        let mut errors = FieldErrors::default();
        errors.add("reason", Message::new("invoice-dispute-reason-missing").with("max", MAX_REASON_CHARS as i64));
        return Err(errors.into());
    }
    crate::db::write_transaction(conn, |conn| {
        let invoice = decide(conn, by, invoice_id, InvoiceStatus::Disputed, Some(reason))?;
        let holds = holds_of(conn, invoice_id)?;
        let keys: Vec<String> = holds.iter().map(|(code, _)| format!("invoice-dispute:{invoice_id}:grant:{code}")).collect();
        let resolutions: Vec<HoldResolution<'_>> =
            holds.iter().zip(&keys).map(|((_, hold), key)| HoldResolution { hold_id: *hold, resolution: Resolution::Void, idempotency_key: key }).collect();
        ledger::resolve_holds(conn, &resolutions, &by.actor())?;
        settle_upload_status(conn, invoice.upload_id)?;
        load(conn, invoice_id)
    })
}

/// Releases every usage hold whose programme's hold period ran out by `now`, and marks what
/// waited on it: an invoice awaiting approval becomes *expired* (the provider sees it), and so
/// does a submitted upload with nothing left held. Returns how many holds were released.
pub fn expire_overdue(conn: &mut AnyConnection, now: NaiveDateTime) -> DomainResult<usize> {
    use crate::db::schema::ledger_entries;
    crate::db::write_transaction(conn, |conn| {
        let due: Vec<i64> = ledger_entries::table
            .filter(ledger_entries::phase.eq(ledger::Phase::Pending.as_str()))
            .filter(ledger_entries::expires_at.le(now))
            .select(ledger_entries::id)
            .load(conn)?;
        if due.is_empty() {
            return Ok(0);
        }
        let released = ledger::expire_holds(conn, now)?;
        let affected: Vec<(Option<i64>, UploadId)> = usage_charges::table
            .filter(usage_charges::hold_entry_id.eq_any(&due))
            .select((usage_charges::invoice_id, usage_charges::upload_id))
            .load(conn)?;
        let invoice_ids: Vec<i64> = affected.iter().filter_map(|(i, _)| *i).collect();
        diesel::update(invoices::table.filter(invoices::id.eq_any(&invoice_ids)).filter(invoices::status.eq(InvoiceStatus::AwaitingApproval.as_str())))
            .set((invoices::status.eq(InvoiceStatus::Expired.as_str()), invoices::decided_at.eq(Some(now))))
            .execute(conn)?;
        let mut uploads: Vec<UploadId> = affected.iter().map(|(_, u)| *u).collect();
        uploads.sort();
        uploads.dedup();
        for upload in uploads {
            let holds: Vec<Option<i64>> = usage_charges::table.filter(usage_charges::upload_id.eq(upload)).select(usage_charges::hold_entry_id).load(conn)?;
            let holds: Vec<i64> = holds.into_iter().flatten().collect();
            let still_held: i64 = ledger_entries::table
                .filter(ledger_entries::id.eq_any(&holds))
                .filter(ledger_entries::phase.eq(ledger::Phase::Pending.as_str()))
                .filter(ledger_entries::expires_at.gt(now))
                .count()
                .get_result(conn)?;
            let approved: i64 = invoices::table.filter(invoices::upload_id.eq(upload)).filter(invoices::status.eq(InvoiceStatus::Approved.as_str())).count().get_result(conn)?;
            if still_held == 0 && approved == 0 {
                diesel::update(usage_uploads::table.find(upload).filter(usage_uploads::status.eq(UploadStatus::Submitted.as_str())))
                    .set(usage_uploads::status.eq(UploadStatus::Expired.as_str()))
                    .execute(conn)?;
            }
        }
        Ok(released)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(amount: &str, rate: Option<&str>, category: &str) -> einvoice::Line {
        einvoice::Line {
            id: "1".into(),
            quantity: None,
            unit_code: None,
            net_price: None,
            base_quantity: None,
            line_amount: Some(amount.parse().unwrap()),
            allowances: Decimal::ZERO,
            charges: Decimal::ZERO,
            item_name: None,
            object_identifier: None,
            accounting_reference: None,
            vat_category: Some(category.into()),
            vat_rate: rate.map(|r| r.parse().unwrap()),
            location: einvoice::XmlLocation { line: 1, column: 1, path: "/Invoice".into() },
        }
    }

    #[test]
    fn a_grants_gross_is_each_lines_vat_summed_exactly_then_rounded_once_half_away_from_zero() {
        let mut sums = GrantSums::default();
        // 0.50 at 1 % is 0.505: half a cent, rounded away from zero (banker's rounding would give 0.50).
        sums.add(&line("0.50", Some("1"), "S"));
        assert_eq!(sums.amount(CreditsCover::Gross), Some(Amount::from_cents(51)));
        assert_eq!(sums.amount(CreditsCover::Net), Some(Amount::from_cents(50)));
        // Two lines whose VAT would round down one by one (0.0025 + 0.0025) round once: 1.00 + 0.005 → 1.01.
        let mut sums = GrantSums::default();
        sums.add(&line("0.50", Some("0.5"), "S"));
        sums.add(&line("0.50", Some("0.5"), "S"));
        assert_eq!(sums.amount(CreditsCover::Gross), Some(Amount::from_cents(101)));
        // Exempt lines need no rate; a standard-rated line without one cannot be grossed up.
        let mut exempt = GrantSums::default();
        exempt.add(&line("100.11", None, "E"));
        assert_eq!(exempt.amount(CreditsCover::Gross), Some(Amount::from_cents(10_011)));
        let mut missing = GrantSums::default();
        missing.add(&line("10.00", None, "S"));
        assert_eq!((missing.amount(CreditsCover::Gross), missing.amount(CreditsCover::Net)), (None, Some(Amount::from_cents(1_000))));
    }
}

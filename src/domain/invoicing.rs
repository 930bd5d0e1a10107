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
//! - each grant's invoiced net amount (the sum of its lines' net amounts, BT-131) equals the
//!   amount held for it, to the cent: credits cover net amounts, VAT is the funder's affair;
//! - an invoice number is used once per provider.
//!
//! Any failure refuses the invoice whole, listing every problem with its place in the XML; a
//! clean invoice waits in the funder's inbox. **Approve** posts its holds (credits → provider
//! payable); **dispute** voids them, with a reason the provider reads: the usage is then charged
//! again only by a corrected file.

use crate::db::AnyConnection;
use crate::db::schema::{grants, invoices, organisations, programmes, usage_charges, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{GrantId, OrgId, UploadId, UserId};
use crate::domain::usage::{self, UploadStatus};
use crate::formats::einvoice::{self, Syntax};
use crate::formats::{Problem, Problems};
use crate::ledger::{self, Resolution};
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
    /// Set when the funder approved less than the whole net amount.
    pub approved_net: Option<i64>,
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

    /// The net amount approved: all of it, unless the funder approved a part.
    pub fn approved(&self) -> Amount {
        Amount::from_cents(self.approved_net.unwrap_or(self.net_total))
    }

    /// What a payment of this invoice transfers: its amount due, reduced in proportion when
    /// only part of it was approved (VAT follows the net amount), to the cent.
    pub fn amount_to_pay(&self) -> Amount {
        match self.approved_net {
            Some(approved) if self.net_total > 0 => {
                let scaled = i128::from(self.payable) * i128::from(approved);
                let net = i128::from(self.net_total);
                // Rounded half up, as a bank would.
                Amount::from_cents(i64::try_from((scaled * 2 + net) / (net * 2)).unwrap_or(self.payable))
            }
            _ => self.payable_amount(),
        }
    }

    /// Approved and not yet paid.
    pub fn is_payable(&self) -> bool {
        self.status == InvoiceStatus::Approved && self.settlement_id.is_none()
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
}

/// What happened to an uploaded invoice.
pub enum Received {
    Accepted(i64),
    Refused(Problems),
}

fn problem(message: Message) -> Problem {
    Problem::file(message)
}

fn line_problem(line: &einvoice::Line, message: Message) -> Problem {
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
fn cents(value: Decimal) -> Option<Amount> {
    use rust_decimal::prelude::ToPrimitive;
    let scaled = value.checked_mul(Decimal::ONE_HUNDRED)?;
    if !scaled.fract().is_zero() {
        return None;
    }
    scaled.to_i64().map(Amount::from_cents)
}

/// A held, not yet invoiced charge of the upload.
struct OpenCharge {
    charge_id: i64,
    amount: Amount,
    funder_id: OrgId,
    invoiced: bool,
    held: bool,
}

/// Reads, checks and reconciles an invoice for `upload_id`; stores it only when clean.
pub fn receive(conn: &mut AnyConnection, by: &Member, upload_id: UploadId, bytes: &[u8]) -> DomainResult<Received> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let view = usage::view(conn, by, upload_id)?;
    let mut problems = Problems::default();
    if bytes.is_empty() {
        problems.push(problem(Message::new("invoice-empty")));
        return Ok(Received::Refused(problems));
    }
    if bytes.len() > MAX_INVOICE_BYTES {
        problems.push(problem(Message::new("invoice-too-large").with("mb", (MAX_INVOICE_BYTES / (1024 * 1024)) as i64)));
        return Ok(Received::Refused(problems));
    }
    if view.upload.status != UploadStatus::Submitted {
        problems.push(problem(Message::new("invoice-usage-not-submitted")));
        return Ok(Received::Refused(problems));
    }
    // A Factur-X PDF carries its CII invoice inside: that is what is read and checked.
    let (xml, is_facturx) = if crate::formats::facturx::is_pdf(bytes) {
        match crate::formats::facturx::embedded_invoice(bytes) {
            Ok(xml) => (std::borrow::Cow::Owned(xml), true),
            Err(e) => {
                problems.push(problem(e.message()));
                return Ok(Received::Refused(problems));
            }
        }
    } else {
        (std::borrow::Cow::Borrowed(bytes), false)
    };
    let (invoice, read_problems) = match einvoice::read(&xml) {
        Ok(read) => read,
        Err(e) => {
            problems.push(problem(e.message()));
            return Ok(Received::Refused(problems));
        }
    };
    for p in read_problems {
        problems.push(p);
    }
    let syntax = match invoice.syntax {
        Syntax::UblInvoice => "ubl",
        Syntax::CiiInvoice if is_facturx => "factur-x",
        Syntax::CiiInvoice => "cii",
        _ => {
            problems.push(problem(Message::new("invoice-credit-note-not-yet")));
            return Ok(Received::Refused(problems));
        }
    };
    if invoice.type_code.as_deref().is_some_and(|t| t == "381") {
        problems.push(problem(Message::new("invoice-credit-note-not-yet")));
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

    // The upload's charges, with their funder and whether they are held and not yet invoiced.
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>, String, OrgId)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .filter(usage_charges::upload_id.eq(upload_id))
        .select((usage_charges::id, usage_charges::amount, usage_charges::hold_entry_id, usage_charges::invoice_id, grants::code, programmes::funder_id))
        .load(conn)?;
    let charges: BTreeMap<String, OpenCharge> = rows
        .into_iter()
        .map(|(charge_id, amount, hold, invoice_id, code, funder_id)| {
            (code, OpenCharge { charge_id, amount: Amount::from_cents(amount), funder_id, invoiced: invoice_id.is_some(), held: hold.is_some() })
        })
        .collect();

    // Each line's grant, and each grant's invoiced net amount.
    let mut invoiced: BTreeMap<String, Decimal> = BTreeMap::new();
    for line in &invoice.lines {
        let code = line.object_identifier.clone().or_else(|| line.accounting_reference.clone()).or_else(|| invoice.buyer_reference.clone());
        let code = code.map(|c| c.trim().to_string()).unwrap_or_default();
        match charges.get(&code) {
            None => problems.push(line_problem(line, Message::new("invoice-line-no-grant").with("line", line.id.as_str()).with("reference", code.as_str()))),
            Some(charge) if charge.invoiced || !charge.held => {
                problems.push(line_problem(line, Message::new("invoice-grant-already-invoiced").with("grant", code.as_str())));
            }
            Some(_) => {
                let amount = line.line_amount.unwrap_or_default();
                let sum = invoiced.entry(code).or_default();
                *sum = crate::formats::decimal::exact_add(*sum, amount).unwrap_or(*sum);
            }
        }
    }
    if invoice.lines.is_empty() {
        problems.push(problem(Message::new("invoice-no-lines")));
    }
    let mut funders: Vec<OrgId> = Vec::new();
    for (code, amount) in &invoiced {
        let Some(charge) = charges.get(code) else { continue };
        if !funders.contains(&charge.funder_id) {
            funders.push(charge.funder_id);
        }
        match cents(*amount) {
            Some(a) if a == charge.amount => {}
            _ => problems.push(problem(
                Message::new("invoice-grant-amount-mismatch")
                    .with("grant", code.as_str())
                    .with("invoiced", crate::messages::Arg::Exact(*amount))
                    .with("held", crate::messages::Arg::Money { cents: charge.amount.cents(), currency: view.upload.currency.clone() }),
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
        let (name, legal): (String, Option<String>) = organisations::table.find(funder_id).select((organisations::name, organisations::legal_name)).first(conn)?;
        let buyer = invoice.buyer.name.clone().unwrap_or_default();
        let same = |a: &str| a.trim().eq_ignore_ascii_case(buyer.trim());
        if !same(&name) && !legal.as_deref().is_some_and(same) {
            problems.push(problem(Message::new("invoice-buyer-not-funder").with("buyer", buyer.as_str()).with("funder", name.as_str())));
        }
    }
    if !problems.is_empty() {
        return Ok(Received::Refused(problems));
    }
    let Some(funder_id) = funder_id else { return Ok(Received::Refused(problems)) };
    let total = |d: Option<Decimal>| d.and_then(cents).map(|a| a.cents());
    let net_total = total(invoice.totals.tax_exclusive.or(invoice.totals.line_total)).unwrap_or_default();
    let tax_total = total(invoice.totals.tax).unwrap_or_default();
    let payable = total(invoice.totals.payable).unwrap_or(net_total.saturating_add(tax_total));
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
            ))
            .returning(invoices::id)
            .get_result(conn)?;
        for code in invoiced.keys() {
            let Some(charge) = charges.get(code) else { continue };
            // Another invoice may have claimed the charge meanwhile: then nothing is stored.
            let claimed = diesel::update(usage_charges::table.find(charge.charge_id).filter(usage_charges::invoice_id.is_null()))
                .set(usage_charges::invoice_id.eq(Some(id)))
                .execute(conn)?;
            if claimed != 1 {
                return Err(DomainError::Conflict(Message::new("invoice-grant-already-invoiced").with("grant", code.as_str())));
            }
        }
        Ok(Received::Accepted(id))
    })
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
    Ok(InvoiceView { invoice, provider_name, funder_name, grants, flags })
}

/// The invoices of an upload (for its provider's page).
pub fn invoices_of_upload(conn: &mut AnyConnection, by: &Member, upload_id: UploadId) -> DomainResult<Vec<Invoice>> {
    usage::view(conn, by, upload_id)?;
    Ok(invoices::table.filter(invoices::upload_id.eq(upload_id)).order(invoices::id).select(Invoice::as_select()).load(conn)?)
}

/// A funder's inbox: invoices awaiting a decision first, then the latest decided; with the
/// provider's name.
pub fn inbox(conn: &mut AnyConnection, by: &Member, limit: i64) -> DomainResult<Vec<(Invoice, String)>> {
    let mut query = invoices::table.inner_join(organisations::table.on(organisations::id.eq(invoices::provider_id))).into_boxed();
    match by.kind() {
        OrgKind::Funder => query = query.filter(invoices::funder_id.eq(by.org_id())),
        OrgKind::Provider => query = query.filter(invoices::provider_id.eq(by.org_id())),
        OrgKind::Platform => {}
        OrgKind::Startup => return Err(DomainError::NotFound),
    }
    let mut rows: Vec<(Invoice, String)> = query.order(invoices::id.desc()).limit(limit.clamp(1, 500)).select((Invoice::as_select(), organisations::name)).load(conn)?;
    rows.sort_by_key(|(i, _)| !i.is_awaiting());
    Ok(rows)
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
        for (code, hold, amount, full) in plan {
            let resolution = if amount == full {
                Resolution::Post(None)
            } else if amount.is_positive() {
                Resolution::Post(Some(amount))
            } else {
                Resolution::Void
            };
            ledger::resolve_hold(conn, hold, resolution, &format!("invoice-approve:{invoice_id}:grant:{code}"), &by.actor())?;
        }
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
        for (code, hold) in holds_of(conn, invoice_id)? {
            ledger::resolve_hold(conn, hold, Resolution::Void, &format!("invoice-dispute:{invoice_id}:grant:{code}"), &by.actor())?;
        }
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

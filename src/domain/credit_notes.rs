//! Credit notes: a provider's answer to an approved or disputed invoice (EN 16931 type 381: a
//! UBL `CreditNote`, or a CII document of type 381, also inside a Factur-X PDF).
//!
//! The provider sends it on the invoice's page. It is read and checked like an invoice (the
//! EN 16931 rules), then against the invoice it credits; any failure refuses it whole, listing
//! every problem, and changes nothing:
//! - it is a credit note, and its preceding-invoice reference (BT-25: UBL
//!   `cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID`, CII
//!   `ram:InvoiceReferencedDocument/ram:IssuerAssignedID`) names this invoice; a number that is
//!   none of the provider's invoices is "unknown" (another provider's invoice is never named:
//!   its page answers 404 like any other organisation's object);
//! - its currency is the invoice's, and its buyer is the invoice's funder;
//! - each line names a grant of the invoice by the rules invoices follow (BT-128, else BT-133,
//!   else BT-10), and each grant's credit — net, or VAT included, as the grant's programme says
//!   ([`CreditsCover`]) — is positive and at most what is left to credit: on an approved
//!   invoice, what was approved for the grant (posted) less earlier credit notes; on a disputed
//!   one, what was invoiced less earlier credit notes;
//! - its number is used once per provider (among its credit notes and its invoices);
//! - the invoice is approved or disputed, and not yet paid.
//!
//! **On an approved invoice** the credit note is *posted*: in one transaction, one ledger entry
//! per grant moves the grant's amount from the provider's payable account back to the grant's
//! credits (key `credit-note:{provider}:{number}:grant:{code}`, linked to the grant), and the
//! invoice records what was credited: a settlement then moves approved less credited, and pays
//! the invoice's amount due less the credit notes' amounts due.
//!
//! **On a disputed invoice** nothing is held any more: the credit note is *recorded* as the
//! provider's answer, listed on the invoice for the funder, and the ledger does not move.
//!
//! A paid (settled) invoice takes no credit note: the money has left, so the credit would have
//! to be netted against a later payment; the provider is told so and settles it with the funder
//! outside the programme (a deliberate simplification).

use crate::db::AnyConnection;
use crate::db::schema::{credit_note_grants, credit_notes, grants, invoices, ledger_entries, ledger_postings, organisations, programmes, usage_charges};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{GrantId, OrgId, UserId};
use crate::domain::invoicing::{self, CreditsCover, GrantSums, Invoice, InvoiceStatus, Received, line_problem, problem};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side, chart};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::BTreeMap;

crate::text_enum! {
    pub enum CreditNoteStatus ("credit note status") {
        /// The credits went back to the grants.
        Posted = "posted",
        /// The answer to a disputed invoice: nothing to post.
        Recorded = "recorded",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = credit_notes)]
pub struct CreditNote {
    pub id: i64,
    pub provider_id: OrgId,
    pub invoice_id: i64,
    pub number: String,
    pub syntax: String,
    pub issue_date: NaiveDate,
    pub currency: String,
    pub amount: i64,
    pub net_total: i64,
    pub tax_total: i64,
    pub payable: i64,
    pub file_sha256: String,
    #[diesel(deserialize_as = String)]
    pub status: CreditNoteStatus,
    pub uploaded_by: UserId,
    pub created_at: NaiveDateTime,
}

impl CreditNote {
    /// What it returned (or, recorded, would have returned) to the grants.
    pub fn credited(&self) -> Amount {
        Amount::from_cents(self.amount)
    }

    pub fn payable_amount(&self) -> Amount {
        Amount::from_cents(self.payable)
    }

    pub fn is_posted(&self) -> bool {
        self.status == CreditNoteStatus::Posted
    }
}

/// One grant of the invoice: what is left to credit and what its programme's credits cover.
struct Creditable {
    grant_id: GrantId,
    currency: String,
    cover: CreditsCover,
    /// Approved (posted) for the grant on an approved invoice; invoiced on a disputed one.
    ceiling: Amount,
    credited: Amount,
}

/// The credit notes of an invoice, oldest first.
pub fn of_invoice(conn: &mut AnyConnection, invoice_id: i64) -> DomainResult<Vec<CreditNote>> {
    Ok(credit_notes::table.filter(credit_notes::invoice_id.eq(invoice_id)).order(credit_notes::id).select(CreditNote::as_select()).load(conn)?)
}

/// A grant's credit notes, as its statement lists them: (number, provider, issue date, amount,
/// posted).
pub fn of_grant(conn: &mut AnyConnection, grant_id: GrantId) -> DomainResult<Vec<(String, String, NaiveDate, Amount, bool)>> {
    let rows: Vec<(String, String, NaiveDate, i64, String)> = credit_note_grants::table
        .inner_join(credit_notes::table.on(credit_notes::id.eq(credit_note_grants::credit_note_id)))
        .inner_join(organisations::table.on(organisations::id.eq(credit_notes::provider_id)))
        .filter(credit_note_grants::grant_id.eq(grant_id))
        .order(credit_notes::id)
        .select((credit_notes::number, organisations::name, credit_notes::issue_date, credit_note_grants::amount, credit_notes::status))
        .load(conn)?;
    Ok(rows.into_iter().map(|(n, p, d, a, s)| (n, p, d, Amount::from_cents(a), s == CreditNoteStatus::Posted.as_str())).collect())
}

/// What was posted for each hold an invoice's approval resolved: the resolution's debit.
fn approved_per_grant(conn: &mut AnyConnection, invoice_id: i64) -> DomainResult<BTreeMap<String, Amount>> {
    let holds: Vec<(String, Option<i64>)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .filter(usage_charges::invoice_id.eq(invoice_id))
        .select((grants::code, usage_charges::hold_entry_id))
        .load(conn)?;
    let mut approved = BTreeMap::new();
    for (code, hold) in holds {
        let Some(hold) = hold else { continue };
        let posted: Vec<i64> = ledger_postings::table
            .inner_join(ledger_entries::table.on(ledger_entries::id.eq(ledger_postings::entry_id)))
            .filter(ledger_entries::resolves_entry_id.eq(hold))
            .filter(ledger_entries::phase.eq(ledger::Phase::PostPending.as_str()))
            .filter(ledger_postings::direction.eq(Side::Debit.as_str()))
            .select(ledger_postings::amount)
            .load(conn)?;
        approved.insert(code, Amount::from_cents(posted.iter().sum()));
    }
    Ok(approved)
}

/// The grants of an invoice with what is left to credit on each.
fn creditable(conn: &mut AnyConnection, invoice: &Invoice) -> DomainResult<BTreeMap<String, Creditable>> {
    let rows: Vec<(GrantId, String, String, i64, String)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .filter(usage_charges::invoice_id.eq(invoice.id))
        .select((usage_charges::grant_id, grants::code, grants::currency, usage_charges::amount, programmes::credits_cover))
        .load(conn)?;
    let approved = if invoice.status == InvoiceStatus::Approved { Some(approved_per_grant(conn, invoice.id)?) } else { None };
    let earlier: Vec<(GrantId, i64)> = credit_note_grants::table
        .inner_join(credit_notes::table.on(credit_notes::id.eq(credit_note_grants::credit_note_id)))
        .filter(credit_notes::invoice_id.eq(invoice.id))
        .select((credit_note_grants::grant_id, credit_note_grants::amount))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (grant_id, code, currency, invoiced, cover) in rows {
        let cover: CreditsCover = cover.parse().map_err(|e: crate::domain::status::UnknownValue| DomainError::Internal(e.to_string()))?;
        let ceiling = match &approved {
            Some(approved) => approved.get(&code).copied().unwrap_or(Amount::ZERO),
            None => Amount::from_cents(invoiced),
        };
        let credited = Amount::from_cents(earlier.iter().filter(|(g, _)| *g == grant_id).map(|(_, a)| *a).sum());
        out.insert(code, Creditable { grant_id, currency, cover, ceiling, credited });
    }
    Ok(out)
}

/// Reads and checks a credit note against `invoice_id`; stores it (and on an approved invoice
/// posts it) only when clean.
pub fn receive(conn: &mut AnyConnection, by: &Member, invoice_id: i64, bytes: &[u8]) -> DomainResult<Received> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let invoice: Invoice = invoices::table.find(invoice_id).select(Invoice::as_select()).first(conn).optional()?.ok_or(DomainError::NotFound)?;
    if invoice.provider_id != by.org_id() {
        return Err(DomainError::NotFound);
    }
    let (note, syntax, mut problems) = match invoicing::read_document(bytes) {
        Ok(read) => read,
        Err(problems) => return Ok(Received::Refused(problems)),
    };
    if !invoicing::is_credit_note(&note) {
        problems.push(problem(Message::new("credit-note-not-a-credit-note").with("type", note.type_code.clone().unwrap_or_default())));
        return Ok(Received::Refused(problems));
    }
    // The invoice it credits (BT-25).
    let preceding: Vec<String> = note.preceding_invoices.iter().map(|n| n.trim().to_string()).collect();
    if preceding.is_empty() {
        problems.push(problem(Message::new("credit-note-no-preceding-invoice").with("invoice", invoice.number.as_str())));
    }
    for number in preceding.iter().filter(|n| **n != invoice.number) {
        let known: i64 = invoices::table.filter(invoices::provider_id.eq(by.org_id())).filter(invoices::number.eq(number)).count().get_result(conn)?;
        let key = if known > 0 { "credit-note-other-invoice" } else { "credit-note-unknown-invoice" };
        problems.push(problem(Message::new(key).with("number", number.as_str()).with("invoice", invoice.number.as_str())));
    }
    // The state of the invoice.
    let posting = match invoice.status {
        _ if invoice.is_settled() => {
            problems.push(problem(Message::new("credit-note-invoice-settled").with("invoice", invoice.number.as_str())));
            false
        }
        InvoiceStatus::Approved => true,
        InvoiceStatus::Disputed => false,
        InvoiceStatus::AwaitingApproval | InvoiceStatus::Expired => {
            problems.push(problem(Message::new("credit-note-invoice-not-decided").with("invoice", invoice.number.as_str())));
            false
        }
    };
    // Its number, once per provider.
    let number = note.number.clone().unwrap_or_default().trim().to_string();
    if number.is_empty() || number.chars().count() > 200 {
        problems.push(problem(Message::new("invoice-number-missing")));
    } else {
        let notes: i64 = credit_notes::table.filter(credit_notes::provider_id.eq(by.org_id())).filter(credit_notes::number.eq(&number)).count().get_result(conn)?;
        let invoiced: i64 = invoices::table.filter(invoices::provider_id.eq(by.org_id())).filter(invoices::number.eq(&number)).count().get_result(conn)?;
        if notes + invoiced > 0 {
            problems.push(problem(Message::new("credit-note-number-taken").with("number", number.as_str())));
        }
    }
    if note.currency.as_deref().map(str::trim) != Some(invoice.currency.as_str()) {
        problems.push(problem(
            Message::new("credit-note-currency-mismatch").with("note", note.currency.clone().unwrap_or_default()).with("invoice", invoice.currency.as_str()),
        ));
    }
    if let Some(p) = invoicing::buyer_problem(conn, invoice.funder_id, &note, "credit-note-buyer-not-funder")? {
        problems.push(p);
    }
    // Each grant's credit.
    let grants_of_invoice = creditable(conn, &invoice)?;
    let mut sums: BTreeMap<String, GrantSums> = BTreeMap::new();
    for line in &note.lines {
        let code = invoicing::grant_reference(&note, line);
        if grants_of_invoice.contains_key(&code) {
            sums.entry(code).or_default().add(line);
        } else {
            problems.push(line_problem(
                line,
                Message::new("credit-note-line-no-grant").with("line", line.id.as_str()).with("reference", code.as_str()).with("invoice", invoice.number.as_str()),
            ));
        }
    }
    let mut plan: Vec<(String, GrantId, String, Amount)> = Vec::new();
    for (code, sum) in &sums {
        let Some(grant) = grants_of_invoice.get(code) else { continue };
        let left = grant.ceiling.checked_sub(grant.credited).unwrap_or(Amount::ZERO);
        let money = |a: Amount| Arg::Money { cents: a.cents(), currency: invoice.currency.clone() };
        match sum.amount(grant.cover) {
            None if grant.cover == CreditsCover::Gross && sum.missing_rate => problems.push(problem(Message::new("invoice-grant-no-vat-rate").with("grant", code.as_str()))),
            None => problems.push(problem(Message::new("credit-note-amount-invalid").with("grant", code.as_str()).with("amount", Arg::Exact(sum.shown(grant.cover))))),
            Some(a) if !a.is_positive() => problems.push(problem(Message::new("credit-note-amount-invalid").with("grant", code.as_str()).with("amount", Arg::Exact(sum.shown(grant.cover))))),
            Some(a) if a > left => problems.push(problem(
                Message::new("credit-note-over-credit").with("grant", code.as_str()).with("credited", money(a)).with("left", money(left)).with("invoice", invoice.number.as_str()),
            )),
            Some(a) => plan.push((code.clone(), grant.grant_id, grant.currency.clone(), a)),
        }
    }
    if note.lines.is_empty() {
        problems.push(problem(Message::new("invoice-no-lines")));
    }
    if !problems.is_empty() || plan.is_empty() {
        return Ok(Received::Refused(problems));
    }
    let total = Amount::sum(plan.iter().map(|(_, _, _, a)| *a)).map_err(|e| DomainError::Internal(e.to_string()))?;
    let (net_total, tax_total, payable) = invoicing::document_totals(&note);
    let payable = payable.max(0);
    let sha = crate::domain::identity::sha256_hex_bytes(bytes);
    let issue_date = note.issue_date.unwrap_or_else(clock::today);
    let status = if posting { CreditNoteStatus::Posted } else { CreditNoteStatus::Recorded };
    crate::db::write_transaction(conn, |conn| {
        // The invoice row first: it orders credit notes and settlements of this invoice, so
        // what is left to credit is read again under that lock.
        let locked = diesel::update(invoices::table.find(invoice.id).filter(invoices::status.eq(invoice.status.as_str())).filter(invoices::settlement_id.is_null()))
            .set((
                invoices::credited.eq(invoices::credited + if posting { total.cents() } else { 0 }),
                invoices::credited_payable.eq(invoices::credited_payable + if posting { payable } else { 0 }),
            ))
            .execute(conn)?;
        if locked != 1 {
            return Err(DomainError::Conflict(Message::new("credit-note-invoice-changed").with("invoice", invoice.number.as_str())));
        }
        let now_creditable = creditable(conn, &invoice)?;
        for (code, _, _, amount) in &plan {
            let grant = now_creditable.get(code).ok_or(DomainError::NotFound)?;
            if grant.credited.checked_add(*amount).map_err(|e| DomainError::Internal(e.to_string()))? > grant.ceiling {
                return Err(DomainError::Conflict(Message::new("credit-note-invoice-changed").with("invoice", invoice.number.as_str())));
            }
        }
        let id: i64 = diesel::insert_into(credit_notes::table)
            .values((
                credit_notes::provider_id.eq(by.org_id()),
                credit_notes::invoice_id.eq(invoice.id),
                credit_notes::number.eq(&number),
                credit_notes::syntax.eq(syntax),
                credit_notes::issue_date.eq(issue_date),
                credit_notes::currency.eq(&invoice.currency),
                credit_notes::amount.eq(total.cents()),
                credit_notes::net_total.eq(net_total.max(0)),
                credit_notes::tax_total.eq(tax_total.max(0)),
                credit_notes::payable.eq(payable),
                credit_notes::file_sha256.eq(&sha),
                credit_notes::status.eq(status.as_str()),
                credit_notes::uploaded_by.eq(by.user.id),
                credit_notes::created_at.eq(clock::now()),
            ))
            .returning(credit_notes::id)
            .get_result(conn)?;
        let mut entries = Vec::new();
        if posting {
            let payable_account = ledger::open_account(conn, &chart::provider_payable(by.org_id().get(), &invoice.currency))?;
            for (code, grant_id, currency, amount) in &plan {
                let credits = ledger::open_account(conn, &chart::grant_credits(code, grant_id.get(), currency))?;
                entries.push(NewEntry {
                    idempotency_key: format!("credit-note:{}:{number}:grant:{code}", by.org_id()),
                    kind: EntryKind::CreditNote,
                    description: format!("Credit note {number} on invoice {}", invoice.number),
                    effective_on: clock::today(),
                    actor: by.actor(),
                    links: Links { grant_id: Some(grant_id.get()), usage_upload_id: Some(invoice.upload_id.get()), ..Links::default() },
                    legs: vec![Leg { account_id: payable_account.id, side: Side::Debit, amount: *amount }, Leg { account_id: credits.id, side: Side::Credit, amount: *amount }],
                });
            }
        }
        let posted = if entries.is_empty() { Vec::new() } else { ledger::post_many(conn, &entries)? };
        for (i, (_, grant_id, _, amount)) in plan.iter().enumerate() {
            diesel::insert_into(credit_note_grants::table)
                .values((
                    credit_note_grants::credit_note_id.eq(id),
                    credit_note_grants::grant_id.eq(*grant_id),
                    credit_note_grants::amount.eq(amount.cents()),
                    credit_note_grants::entry_id.eq(posted.get(i).map(|p| p.entry_id)),
                ))
                .execute(conn)?;
        }
        Ok(Received::Accepted(id))
    })
}

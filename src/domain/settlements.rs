//! Paying providers: the funder records the payment of approved invoices (one by one or as a
//! batch) and downloads it as an ISO 20022 `pain.001.001.09` SEPA credit-transfer file for its
//! bank. Each provider's approved net amount moves from its payable account to the funder's
//! settled account, in the same transaction.
//!
//! The credit ledger counts what the grants held (net amounts, or VAT included where the
//! programme says so); a settlement moves each invoice's approved amount less what its credit
//! notes returned. The transfer pays each invoice's amount due (BT-115), VAT included (in
//! proportion when only part was approved), less its credit notes' amounts due, to the account
//! its invoice names (BT-84): never more than approved less credited.

use crate::db::AnyConnection;
use crate::db::schema::{invoices, organisations, settlements};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::invoicing::{Invoice, InvoiceStatus};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side, chart};
use crate::messages::Message;
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlements)]
pub struct Settlement {
    pub id: i64,
    pub funder_id: OrgId,
    pub paid_on: NaiveDate,
    pub reference: String,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: String,
    pub currency: String,
    pub total: i64,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
}

impl Settlement {
    pub fn total_amount(&self) -> Amount {
        Amount::from_cents(self.total)
    }
}

/// An IBAN as banks store it: upper case, without spaces.
pub fn compact_iban(iban: &str) -> String {
    iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// ISO 13616: two letters, two check digits, up to 30 letters and digits, and the whole
/// rearranged number is 1 modulo 97.
pub fn iban_is_valid(iban: &str) -> bool {
    let iban = compact_iban(iban);
    if !(15..=34).contains(&iban.len()) || !iban.is_char_boundary(4) {
        return false;
    }
    let (head, rest) = iban.split_at(4);
    let well_formed = head[..2].chars().all(|c| c.is_ascii_uppercase()) && head[2..].chars().all(|c| c.is_ascii_digit()) && rest.chars().all(|c| c.is_ascii_alphanumeric());
    if !well_formed {
        return false;
    }
    let mut remainder: u32 = 0;
    for c in rest.chars().chain(head.chars()) {
        let value = c.to_digit(36).unwrap_or(0);
        let digits = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * digits + value) % 97;
    }
    remainder == 1
}

/// ISO 9362: four letters (bank), two (country), two letters or digits (place), and an
/// optional branch of three.
pub fn bic_is_valid(bic: &str) -> bool {
    let bic = bic.trim().to_uppercase();
    (bic.len() == 8 || bic.len() == 11)
        && bic[..6].chars().all(|c| c.is_ascii_uppercase())
        && bic[6..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// What the funder says about a payment.
pub struct NewSettlement {
    pub invoice_ids: Vec<i64>,
    pub paid_on: String,
    pub reference: String,
    pub debtor_iban: String,
    pub debtor_bic: String,
}

/// Records the payment of approved, unpaid invoices of `by`'s funder, all in one currency.
pub fn record(conn: &mut AnyConnection, by: &Member, new: &NewSettlement) -> DomainResult<i64> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let paid_on = NaiveDate::parse_from_str(new.paid_on.trim(), "%Y-%m-%d").ok().filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)));
    if paid_on.is_none() {
        errors.add("paid_on", Message::new("offering-date-invalid"));
    }
    let reference = new.reference.trim();
    // SEPA references are at most 35 characters of a restricted Latin set.
    if reference.is_empty() || reference.chars().count() > 35 || !reference.chars().all(|c| c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c)) {
        errors.add("reference", Message::new("settlement-reference-invalid"));
    }
    if !iban_is_valid(&new.debtor_iban) {
        errors.add("debtor_iban", Message::new("iban-invalid"));
    }
    if !bic_is_valid(&new.debtor_bic) {
        errors.add("debtor_bic", Message::new("bic-invalid"));
    }
    if new.invoice_ids.is_empty() {
        errors.add("invoices", Message::new("settlement-no-invoice"));
    }
    let chosen: Vec<Invoice> = invoices::table.filter(invoices::id.eq_any(&new.invoice_ids)).select(Invoice::as_select()).load(conn)?;
    if chosen.len() != new.invoice_ids.len() || chosen.iter().any(|i| i.funder_id != by.org_id()) {
        return Err(DomainError::NotFound);
    }
    for invoice in &chosen {
        if !invoice.is_payable() {
            errors.add("invoices", Message::new("settlement-invoice-not-payable").with("number", invoice.number.as_str()));
        }
        if !invoice.payee_iban.as_deref().is_some_and(iban_is_valid) {
            errors.add("invoices", Message::new("settlement-invoice-no-iban").with("number", invoice.number.as_str()));
        }
    }
    let currencies: Vec<&str> = chosen.iter().map(|i| i.currency.as_str()).collect();
    if currencies.windows(2).any(|w| w[0] != w[1]) {
        errors.add("invoices", Message::new("settlement-mixed-currencies"));
    }
    if currencies.first().is_some_and(|c| *c != "EUR") {
        errors.add("invoices", Message::new("settlement-not-euro"));
    }
    errors.clone().into_result()?;
    let (Some(paid_on), Some(first)) = (paid_on, chosen.first()) else { return Err(errors.into()) };
    let currency = first.currency.clone();
    let total = Amount::sum(chosen.iter().map(Invoice::amount_to_pay)).map_err(|e| DomainError::Internal(e.to_string()))?;
    if !total.is_positive() {
        return Err(DomainError::invalid("invoices", Message::new("settlement-no-invoice")));
    }
    let funder_name: String = organisations::table.find(by.org_id()).select(organisations::name).first(conn)?;
    crate::db::write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(settlements::table)
            .values((
                settlements::funder_id.eq(by.org_id()),
                settlements::paid_on.eq(paid_on),
                settlements::reference.eq(reference),
                settlements::debtor_name.eq(&funder_name),
                settlements::debtor_iban.eq(compact_iban(&new.debtor_iban)),
                settlements::debtor_bic.eq(new.debtor_bic.trim().to_uppercase()),
                settlements::currency.eq(&currency),
                settlements::total.eq(total.cents()),
                settlements::created_by.eq(by.user.id),
                settlements::created_at.eq(clock::now()),
            ))
            .returning(settlements::id)
            .get_result(conn)?;
        // Claimed once: an invoice paid by another settlement meanwhile stops this one.
        let claimed = diesel::update(
            invoices::table
                .filter(invoices::id.eq_any(&new.invoice_ids))
                .filter(invoices::settlement_id.is_null())
                .filter(invoices::status.eq(InvoiceStatus::Approved.as_str())),
        )
        .set(invoices::settlement_id.eq(Some(id)))
        .execute(conn)?;
        if claimed != chosen.len() {
            return Err(DomainError::Conflict(Message::new("settlement-invoice-already-paid")));
        }
        // A credit note accepted since the invoices were read would change what is paid.
        let credited_now: Vec<(i64, i64)> = invoices::table.filter(invoices::id.eq_any(&new.invoice_ids)).select((invoices::id, invoices::credited_payable)).load(conn)?;
        if credited_now.iter().any(|(id, c)| chosen.iter().any(|i| i.id == *id && i.credited_payable != *c)) {
            return Err(DomainError::Conflict(Message::new("settlement-invoice-credited")));
        }
        let mut by_provider: BTreeMap<OrgId, Amount> = BTreeMap::new();
        for invoice in &chosen {
            let slot = by_provider.entry(invoice.provider_id).or_insert(Amount::ZERO);
            *slot = slot.checked_add(invoice.to_settle()).map_err(|e| DomainError::Internal(e.to_string()))?;
        }
        let settled = ledger::open_account(conn, &chart::funder_settled(by.org_id().get(), &currency))?;
        for (provider_id, amount) in by_provider.into_iter().filter(|(_, a)| a.is_positive()) {
            let payable = ledger::open_account(conn, &chart::provider_payable(provider_id.get(), &currency))?;
            ledger::post(
                conn,
                &NewEntry {
                    idempotency_key: format!("settle:{id}:provider:{provider_id}"),
                    kind: EntryKind::Settlement,
                    description: format!("Payment {reference} of approved invoices"),
                    effective_on: paid_on,
                    actor: by.actor(),
                    links: Links::default(),
                    legs: vec![
                        Leg { account_id: payable.id, side: Side::Debit, amount },
                        Leg { account_id: settled.id, side: Side::Credit, amount },
                    ],
                },
            )?;
        }
        Ok(id)
    })
}

/// A settlement of `by`'s funder (platform members may read any) with the invoices it paid and
/// their providers' names.
pub fn view(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<(Settlement, Vec<(Invoice, String)>)> {
    let settlement: Settlement = settlements::table.find(id).select(Settlement::as_select()).first(conn).or_not_found()?;
    let allowed = match by.kind() {
        OrgKind::Funder => by.org_id() == settlement.funder_id,
        OrgKind::Platform => true,
        _ => false,
    };
    if !allowed {
        return Err(DomainError::NotFound);
    }
    let paid = invoices::table
        .inner_join(organisations::table.on(organisations::id.eq(invoices::provider_id)))
        .filter(invoices::settlement_id.eq(id))
        .order(invoices::id)
        .select((Invoice::as_select(), organisations::name))
        .load(conn)?;
    Ok((settlement, paid))
}

fn xml_text(text: &str) -> String {
    // SEPA's character set: anything else is replaced, as banks do.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c);
    let cleaned: String = text.chars().map(|c| if allowed(c) { c } else { ' ' }).collect();
    cleaned.trim().chars().take(70).collect()
}

/// The settlement as an ISO 20022 `pain.001.001.09` customer credit transfer initiation: one
/// payment information block from the funder's account, one transfer per invoice.
pub fn pain_001(settlement: &Settlement, paid: &[(Invoice, String)]) -> String {
    let amount = |cents: i64| format!("{}.{:02}", cents / 100, cents % 100);
    let created = settlement.created_at.format("%Y-%m-%dT%H:%M:%S");
    let message_id = format!("CG-SETTLE-{}", settlement.id);
    let mut transfers = String::new();
    for (invoice, provider) in paid {
        let bic = invoice.payee_bic.as_deref().filter(|b| bic_is_valid(b)).map(|b| format!("<CdtrAgt><FinInstnId><BICFI>{b}</BICFI></FinInstnId></CdtrAgt>")).unwrap_or_default();
        transfers.push_str(&format!(
            "<CdtTrfTxInf><PmtId><EndToEndId>{e2e}</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"{ccy}\">{amt}</InstdAmt></Amt>{bic}<Cdtr><Nm>{name}</Nm></Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct><RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></CdtTrfTxInf>",
            e2e = xml_text(&format!("CG-{}-{}", settlement.id, invoice.id)),
            ccy = invoice.currency,
            amt = amount(invoice.amount_to_pay().cents()),
            name = xml_text(provider),
            iban = invoice.payee_iban.clone().unwrap_or_default(),
            ustrd = xml_text(&format!("Invoice {}", invoice.number)),
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn><GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{created}</CreDtTm><NbOfTxs>{n}</NbOfTxs><CtrlSum>{total}</CtrlSum><InitgPty><Nm>{debtor}</Nm></InitgPty></GrpHdr><PmtInf><PmtInfId>{message_id}-1</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>{n}</NbOfTxs><CtrlSum>{total}</CtrlSum><PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf><ReqdExctnDt><Dt>{date}</Dt></ReqdExctnDt><Dbtr><Nm>{debtor}</Nm></Dbtr><DbtrAcct><Id><IBAN>{debtor_iban}</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BICFI>{debtor_bic}</BICFI></FinInstnId></DbtrAgt><ChrgBr>SLEV</ChrgBr>{transfers}</PmtInf></CstmrCdtTrfInitn></Document>\n",
        n = paid.len(),
        total = amount(settlement.total),
        debtor = xml_text(&settlement.debtor_name),
        date = settlement.paid_on,
        debtor_iban = settlement.debtor_iban,
        debtor_bic = settlement.debtor_bic,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_and_bics_are_checked() {
        assert!(iban_is_valid("FR76 3000 6000 0112 3456 7890 189"));
        assert!(iban_is_valid("DE89370400440532013000"));
        assert!(iban_is_valid("NL57 RABO 0107307510"));
        assert!(!iban_is_valid("FR76 3000 6000 0112 3456 7890 188"), "one digit off");
        assert!(!iban_is_valid("FR"));
        assert!(!iban_is_valid("éé76 3000 6000 0112 3456 7890 189"));
        assert!(bic_is_valid("BNPAFRPP") && bic_is_valid("DEUTDEFF500"));
        assert!(!bic_is_valid("BNPA") && !bic_is_valid("12PAFRPP"));
    }
}

//! Invoices: the provider uploads one against submitted usage; the funder approves or disputes.

use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::OrgKind;
use crate::domain::invoicing::{self, InboxFilter, Invoice, InvoiceStatus, InvoiceView, Received};
use crate::domain::{FieldErrors, UploadId};
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::provider::{read_upload, upload_page};
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, forms, path_id, render, unprocessable};
use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use askama::Template;

/// The provider's invoice for a submitted upload: stored when it reconciles, otherwise the
/// upload's page again with every problem.
pub async fn upload(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, multipart: Multipart) -> AppResult<HttpResponse> {
    let id: UploadId = path_id(&path)?;
    let content = match read_upload(&visitor, multipart).await {
        Ok((_, content)) => content,
        Err(crate::web::error::AppError::TooLarge) => {
            let mut problems = crate::formats::Problems::default();
            problems.push(crate::formats::Problem::file(Message::new("invoice-too-large").with("mb", (invoicing::MAX_INVOICE_BYTES / (1024 * 1024)) as i64)));
            return crate::web::render_with(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, &upload_page(&state, &visitor, id, Some(problems)).await?);
        }
        Err(e) => return Err(e),
    };
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let actor = visitor.actor();
    let received = state
        .db(move |conn| {
            let received = invoicing::receive(conn, &member, id, &content)?;
            if let Received::Accepted(invoice) = &received {
                audit::record(conn, &actor, AuditAction::InvoiceReceived, Some(format!("invoice:{invoice}")), None)?;
            }
            Ok(received)
        })
        .await?;
    match received {
        Received::Accepted(invoice) => Ok(flash::redirect(&format!("/invoices/{invoice}"), "flash-invoice-received", state.settings.secure_cookies)),
        Received::Refused(problems) => unprocessable(&upload_page(&state, &visitor, id, Some(problems)).await?),
    }
}

#[derive(Template)]
#[template(path = "pages/invoices/list.html")]
struct InboxPage {
    layout: Layout,
    invoices: Vec<(Invoice, String)>,
    is_funder: bool,
    /// The programmes the inbox can be filtered by, and the filter shown.
    programmes: Vec<(i64, String)>,
    query: InboxQuery,
    statuses: &'static [InvoiceStatus],
    /// Approved invoices not yet paid, which a settlement can pay.
    payable: usize,
    form: SettlementForm,
    errors: FieldErrors,
}

#[derive(Default, Clone)]
pub struct SettlementForm {
    invoices: Vec<i64>,
    paid_on: String,
    reference: String,
    debtor_iban: String,
    debtor_bic: String,
}

/// The inbox's filters, from the query string: `programme` (an id) and `status`; empty or
/// unknown values mean "all".
#[derive(serde::Deserialize, Default, Clone)]
pub struct InboxQuery {
    #[serde(default)]
    programme: String,
    #[serde(default)]
    status: String,
}

impl InboxQuery {
    fn filter(&self) -> InboxFilter {
        InboxFilter { programme_id: self.programme.trim().parse().ok(), status: self.status.trim().parse().ok() }
    }

    fn is_programme(&self, id: &i64) -> bool {
        self.programme.trim() == id.to_string()
    }

    fn is_status(&self, status: &InvoiceStatus) -> bool {
        self.status.trim() == status.as_str()
    }
}

async fn inbox_page(state: &AppState, visitor: &Visitor, query: InboxQuery, form: SettlementForm, errors: FieldErrors) -> AppResult<InboxPage> {
    let member = visitor.member()?.clone();
    let is_funder = member.kind() == OrgKind::Funder;
    let filter = query.filter();
    let (invoices, programmes) = state.db(move |conn| Ok((invoicing::inbox(conn, &member, &filter, 200)?, invoicing::inbox_programmes(conn, &member)?))).await?;
    let payable = invoices.iter().filter(|(i, _)| i.is_payable()).count();
    Ok(InboxPage { layout: Layout::new(visitor, "title-invoices"), invoices, is_funder, programmes, query, statuses: InvoiceStatus::ALL, payable, form, errors })
}

/// A funder's inbox (a provider's list; everything for platform members), filtered by
/// programme and status.
pub async fn inbox(state: web::Data<AppState>, visitor: Visitor, query: web::Query<InboxQuery>) -> AppResult<HttpResponse> {
    let form = SettlementForm { paid_on: crate::domain::clock::today().to_string(), ..SettlementForm::default() };
    render(&inbox_page(&state, &visitor, query.into_inner(), form, FieldErrors::default()).await?)
}

/// Records the payment of the ticked invoices (the form repeats `invoice` once per box).
pub async fn record_settlement(state: web::Data<AppState>, visitor: Visitor, body: web::Bytes) -> AppResult<HttpResponse> {
    let pairs = forms::Pairs::read(&visitor, &body)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let form = SettlementForm {
        invoices: pairs.values("invoice").filter_map(|v| v.parse().ok()).take(1000).collect(),
        paid_on: pairs.value("paid_on"),
        reference: pairs.value("reference"),
        debtor_iban: pairs.value("debtor_iban"),
        debtor_bic: pairs.value("debtor_bic"),
    };
    let errors = forms::texts(&[("paid_on", &form.paid_on, forms::SHORT_CHARS), ("reference", &form.reference, 35), ("debtor_iban", &form.debtor_iban, 64), ("debtor_bic", &form.debtor_bic, forms::SHORT_CHARS)]);
    if !errors.is_empty() {
        return unprocessable(&inbox_page(&state, &visitor, InboxQuery::default(), form, errors).await?);
    }
    let new = crate::domain::settlements::NewSettlement {
        invoice_ids: form.invoices.clone(),
        paid_on: form.paid_on.clone(),
        reference: form.reference.clone(),
        debtor_iban: form.debtor_iban.clone(),
        debtor_bic: form.debtor_bic.clone(),
    };
    let actor = visitor.actor();
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let id = crate::domain::settlements::record(conn, &member, &new)?;
                audit::record(conn, &actor, AuditAction::SettlementRecorded, Some(format!("settlement:{id}")), None)?;
                Ok(id)
            })
        })
        .await?;
    match outcome {
        Ok(id) => Ok(flash::redirect(&format!("/settlements/{id}"), "flash-settlement-recorded", state.settings.secure_cookies)),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&inbox_page(&state, &visitor, InboxQuery::default(), form, errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/invoices/settlement.html")]
struct SettlementPage {
    layout: Layout,
    settlement: crate::domain::settlements::Settlement,
    paid: Vec<(Invoice, String)>,
}

pub async fn show_settlement(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let member = visitor.member()?.clone();
    let (settlement, paid) = state.db(move |conn| crate::domain::settlements::view(conn, &member, id)).await?;
    render(&SettlementPage { layout: Layout::message(&visitor, &Message::new("title-settlement").with("reference", settlement.reference.as_str())), settlement, paid })
}

/// The settlement as a SEPA credit-transfer file for the funder's bank.
pub async fn pain_001(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let member = visitor.member()?.clone();
    let (settlement, paid) = state.db(move |conn| crate::domain::settlements::view(conn, &member, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"settlement-{id}-pain.001.001.09.xml\"")))
        .body(crate::domain::settlements::pain_001(&settlement, &paid)))
}

#[derive(Template)]
#[template(path = "pages/invoices/show.html")]
struct InvoicePage {
    layout: Layout,
    view: InvoiceView,
    is_funder: bool,
    is_provider: bool,
    reason: String,
    errors: FieldErrors,
    /// Why the credit note just sent was refused.
    credit_note_problems: Option<crate::formats::Problems>,
}

impl InvoicePage {
    /// The provider may answer with a credit note: the invoice is decided and not paid.
    fn takes_credit_note(&self) -> bool {
        let i = &self.view.invoice;
        self.is_provider && self.layout.allowed.upload_invoice && !i.is_settled() && matches!(i.status, InvoiceStatus::Approved | InvoiceStatus::Disputed)
    }
}

async fn page(state: &AppState, visitor: &Visitor, id: i64, reason: String, errors: FieldErrors) -> AppResult<InvoicePage> {
    let member = visitor.member()?.clone();
    let is_funder = member.kind() == OrgKind::Funder;
    let is_provider = member.kind() == OrgKind::Provider;
    let view = state.db(move |conn| invoicing::view(conn, &member, id)).await?;
    Ok(InvoicePage {
        layout: Layout::message(visitor, &Message::new("title-invoice").with("number", view.invoice.number.as_str())),
        view,
        is_funder,
        is_provider,
        reason,
        errors,
        credit_note_problems: None,
    })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    render(&page(&state, &visitor, id, String::new(), FieldErrors::default()).await?)
}

/// The provider's credit note against the invoice: stored (and, on an approved invoice,
/// posted) when it checks out, otherwise the invoice's page again with every problem.
pub async fn upload_credit_note(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, multipart: Multipart) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let refused = |problems: crate::formats::Problems| {
        let (state, visitor) = (state.clone(), &visitor);
        async move {
            let mut page = page(&state, visitor, id, String::new(), FieldErrors::default()).await?;
            page.credit_note_problems = Some(problems);
            Ok::<_, crate::web::error::AppError>(page)
        }
    };
    // Another organisation's invoice, or none: not found, before a byte of the file is read.
    let lookup = visitor.member_of(OrgKind::Provider)?.clone();
    state.db(move |conn| invoicing::view(conn, &lookup, id)).await?;
    let content = match read_upload(&visitor, multipart).await {
        Ok((_, content)) => content,
        Err(crate::web::error::AppError::TooLarge) => {
            let mut problems = crate::formats::Problems::default();
            problems.push(crate::formats::Problem::file(Message::new("invoice-too-large").with("mb", (invoicing::MAX_INVOICE_BYTES / (1024 * 1024)) as i64)));
            return crate::web::render_with(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, &refused(problems).await?);
        }
        Err(e) => return Err(e),
    };
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let actor = visitor.actor();
    let received = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let received = crate::domain::credit_notes::receive(conn, &member, id, &content)?;
                if let Received::Accepted(note) = &received {
                    audit::record(conn, &actor, AuditAction::CreditNoteReceived, Some(format!("credit-note:{note}")), Some(&format!("invoice:{id}")))?;
                }
                Ok(received)
            })
        })
        .await?;
    match received {
        Received::Accepted(_) => Ok(flash::redirect(&format!("/invoices/{id}"), "flash-credit-note-received", state.settings.secure_cookies)),
        Received::Refused(problems) => unprocessable(&refused(problems).await?),
    }
}

/// Approves the invoice, in full or, with amounts per grant (`amount_<grant code>`) and a
/// reason, in part.
pub async fn approve(state: web::Data<AppState>, path: web::Path<String>, visitor: Visitor, body: web::Bytes) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let form = forms::Pairs::read(&visitor, &body)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let reason = form.value("reason");
    let mut errors = forms::texts(&[("reason", &reason, invoicing::MAX_REASON_CHARS)]);
    let lookup = member.clone();
    let view = state.db(move |conn| invoicing::view(conn, &lookup, id)).await?;
    let mut amounts = std::collections::BTreeMap::new();
    for grant in &view.grants {
        let typed = form.value(&format!("amount_{}", grant.grant_code));
        if typed.trim().is_empty() {
            continue;
        }
        match crate::i18n::parse_amount(visitor.locale, &typed, &view.invoice.currency) {
            Ok(amount) => {
                amounts.insert(grant.grant_code.clone(), amount);
            }
            Err(_) => errors.add("amounts", Message::new("invoice-part-out-of-range").with("grant", grant.grant_code.as_str())),
        }
    }
    if !errors.is_empty() {
        return unprocessable(&page(&state, &visitor, id, reason, errors).await?);
    }
    let actor = visitor.actor();
    let why = reason.clone();
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let invoice = invoicing::approve_part(conn, &member, id, &amounts, &why)?;
                let detail = invoice.approved_net.map(|a| format!("part: {a} cents; {why}"));
                audit::record(conn, &actor, AuditAction::InvoiceApproved, Some(format!("invoice:{id}")), detail.as_deref())
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(flash::redirect(&format!("/invoices/{id}"), "flash-invoice-approved", state.settings.secure_cookies)),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, id, reason, errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct DisputeForm {
    #[serde(default)]
    reason: String,
}

pub async fn dispute(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<DisputeForm>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let errors = forms::texts(&[("reason", &form.reason, invoicing::MAX_REASON_CHARS)]);
    if !errors.is_empty() {
        return unprocessable(&page(&state, &visitor, id, form.reason, errors).await?);
    }
    let (actor, reason) = (visitor.actor(), form.reason.clone());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                invoicing::dispute(conn, &member, id, &reason)?;
                audit::record(conn, &actor, AuditAction::InvoiceDisputed, Some(format!("invoice:{id}")), Some(&reason))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(flash::redirect(&format!("/invoices/{id}"), "flash-invoice-disputed", state.settings.secure_cookies)),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, id, form.reason, errors).await?),
        Err(e) => Err(e.into()),
    }
}

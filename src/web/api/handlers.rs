//! The API's operations: thin, like the pages — parse, call the domain, answer JSON.

use super::{ApiCaller, ApiError, ApiResult, Page, PageQuery, ProblemDetail, answer, idempotency_key, replay};
use crate::domain::applications::{self, ApplicationView, Decision};
use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::{self, OrgKind};
use crate::domain::ids::{ApplicationId, JobId, ProgrammeId};
use crate::domain::invoicing::{self, Received};
use crate::domain::usage::{self, JobStatus};
use crate::domain::{DomainResult, catalogue, grants, programmes};
use crate::i18n;
use crate::messages::Message;
use crate::money::Amount;
use crate::web::AppState;
use crate::web::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

fn money(amount: Amount) -> String {
    amount.plain()
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::App(AppError::Internal(Box::new(e)))
}

// ---------------------------------------------------------------- usage files

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// Place the holds when the file is clean (as the page's "submit").
    pub submit: Option<bool>,
}

/// A usage file queued for checking.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UsageFileQueued {
    pub id: i64,
    pub status: String,
    /// Where to follow the check.
    pub status_url: String,
}

/// What one usage file charges one grant.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ChargeOut {
    pub grant_code: String,
    pub startup: String,
    pub lines: u64,
    /// The exact sum of the grant's lines, as sent.
    pub exact: String,
    /// What is charged, rounded to the cent.
    pub amount: String,
    /// What the grant can still spend.
    pub available: String,
}

/// A usage file's check: progress, then its problems or its charges.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UsageFileStatus {
    pub id: i64,
    pub filename: String,
    /// queued, running, accepted, refused or failed.
    pub status: String,
    /// waiting, checking, storing, holding or finished.
    pub phase: String,
    pub lines_read: i64,
    pub problems_found: i64,
    pub submit: bool,
    /// The stored upload, once accepted.
    pub upload_id: Option<i64>,
    /// The upload's status (pending, submitted …), once accepted.
    pub upload_status: Option<String>,
    pub currency: Option<String>,
    pub charges: Vec<ChargeOut>,
    pub problems: Vec<ProblemDetail>,
    /// Why a failed check failed.
    pub failure: Option<String>,
}

/// Streams the request body to a new file in `dir` (never held in memory), stopping past
/// `max_bytes`; returns its path, size and SHA-256.
async fn receive_body(mut payload: web::Payload, dir: &std::path::Path, max_bytes: u64) -> ApiResult<(std::path::PathBuf, u64, String)> {
    use std::io::Write;
    let path = dir.join(format!("{}.upload", identity::random_token()));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<web::Bytes>(8);
    let target = path.clone();
    let writer = web::block(move || -> std::io::Result<String> {
        let mut hasher = Sha256::new();
        let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&target)?);
        while let Some(chunk) = rx.blocking_recv() {
            hasher.update(&chunk);
            file.write_all(&chunk)?;
        }
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(hex::encode(hasher.finalize()))
    });
    let mut size = 0u64;
    let mut outcome = Ok(());
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                log::info!("api usage file unreadable: {e}");
                outcome = Err(ApiError::App(AppError::BadForm));
                break;
            }
        };
        size += chunk.len() as u64;
        if size > max_bytes {
            outcome = Err(ApiError::TooLarge(Message::new("usage-file-over-limit").with("mb", i64::try_from(max_bytes / 1024 / 1024).unwrap_or(i64::MAX))));
            break;
        }
        if tx.send(chunk).await.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer.await.map_err(AppError::from)?;
    let sha = match (outcome, written) {
        (Ok(()), Ok(sha)) => sha,
        (Err(e), _) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        (Ok(()), Err(e)) => {
            let _ = std::fs::remove_file(&path);
            return Err(internal(e));
        }
    };
    Ok((path, size, sha))
}

/// Push a FOCUS usage file (CSV, or gzip recognised by its content) as the raw request body.
/// It is checked in the background; follow `status_url`.
#[utoipa::path(post, path = "/api/v1/usage-files", tag = "provider", params(UsageQuery, ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer to the same request")),
    request_body(content = String, content_type = "text/csv", description = "The FOCUS file, or its gzip"),
    responses((status = 202, body = UsageFileQueued), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument), (status = 429, body = super::ProblemDocument)),
    security(("bearer" = ["usage:write"])))]
pub async fn push_usage_file(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, query: web::Query<UsageQuery>, payload: web::Payload) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req)?;
    let settings = state.settings.usage.clone();
    let (path, size, sha) = receive_body(payload, &settings.dir, settings.max_bytes).await?;
    let submit = query.submit.unwrap_or(false);
    let request_sha = format!("{sha}:submit={submit}");
    let cleanup = |path: &std::path::Path| {
        let _ = std::fs::remove_file(path);
    };
    match replay(&state, &caller, &req, key.as_deref(), &request_sha).await {
        Ok(None) => {}
        Ok(Some(first)) => {
            cleanup(&path);
            return Ok(first);
        }
        Err(e) => {
            cleanup(&path);
            return Err(e);
        }
    }
    if size == 0 {
        cleanup(&path);
        let mut problems = crate::formats::Problems::default();
        problems.push(crate::formats::Problem::file(Message::new("usage-empty-file")));
        return Err(ApiError::Unprocessable(Message::new("api-problem-document-refused"), problems));
    }
    let (member, actor, stored) = (caller.member.clone(), caller.actor.clone(), path.clone());
    let filename = req.headers().get("x-filename").and_then(|v| v.to_str().ok()).unwrap_or("usage.csv").to_string();
    let queued = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let job = usage::jobs::enqueue(conn, &member, &filename, &stored, size, submit)?;
                audit::record(conn, &actor, AuditAction::UsageQueued, Some(format!("usage-job:{job}")), Some(&filename))?;
                Ok(job)
            })
        })
        .await;
    let job = match queued {
        Ok(job) => job,
        Err(e) => {
            cleanup(&path);
            return Err(e.into());
        }
    };
    let _ = state.usage_wakeup.send(());
    let body = UsageFileQueued { id: job.get(), status: JobStatus::Queued.as_str().into(), status_url: format!("{}/usage-files/{job}", super::PREFIX) };
    let mut response = answer(&state, &caller, &req, key, request_sha, StatusCode::ACCEPTED, &body).await?;
    if let Ok(location) = actix_web::http::header::HeaderValue::from_str(&body.status_url) {
        response.headers_mut().insert(actix_web::http::header::LOCATION, location);
    }
    Ok(response)
}

/// A usage file's check: progress while it runs, then its problems (line, column, code) or,
/// accepted, the upload and its charge per grant.
#[utoipa::path(get, path = "/api/v1/usage-files/{id}", tag = "provider", params(("id" = i64, Path, description = "The id answered by the push")),
    responses((status = 200, body = UsageFileStatus), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["usage:write"])))]
pub async fn usage_file(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: JobId = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let (job, view) = state
        .db(move |conn| {
            let job = usage::jobs::job_of(conn, &member, id)?;
            let view = match job.upload_id {
                Some(upload) => Some(usage::view(conn, &member, upload)?),
                None => None,
            };
            Ok((job, view))
        })
        .await?;
    let locale = caller.locale;
    let body = UsageFileStatus {
        id: job.id.get(),
        filename: job.filename.clone(),
        status: job.status.as_str().into(),
        phase: job.phase.as_str().into(),
        lines_read: job.lines_read,
        problems_found: job.problems_found,
        submit: job.submit,
        upload_id: job.upload_id.map(|u| u.get()),
        upload_status: view.as_ref().map(|v| v.upload.status.as_str().to_string()),
        currency: view.as_ref().map(|v| v.upload.currency.clone()),
        charges: view
            .map(|v| {
                v.charges
                    .into_iter()
                    .map(|c| ChargeOut { grant_code: c.grant_code, startup: c.startup_name, lines: c.lines, exact: c.exact.to_string(), amount: money(c.amount), available: money(c.available) })
                    .collect()
            })
            .unwrap_or_default(),
        problems: job.problems().map(|p| p.shown.iter().map(|p| ProblemDetail::of(locale, p)).collect()).unwrap_or_default(),
        failure: job.failure_message().map(|m| i18n::message(locale, &m)),
    };
    Ok(HttpResponse::Ok().json(body))
}

// ---------------------------------------------------------------- invoices

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// The submitted usage upload the invoice bills.
    pub upload: i64,
}

/// An invoice and what it bills per grant.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InvoiceOut {
    pub id: i64,
    pub number: String,
    /// ubl or cii.
    pub syntax: String,
    pub status: String,
    pub upload_id: i64,
    pub provider: String,
    pub funder: String,
    pub issue_date: String,
    pub currency: String,
    pub net_total: String,
    pub tax_total: String,
    pub payable: String,
    pub dispute_reason: Option<String>,
    pub decided_at: Option<String>,
    pub grants: Vec<InvoicedGrantOut>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InvoicedGrantOut {
    pub grant_code: String,
    pub startup: String,
    pub programme: String,
    pub amount: String,
}

fn invoice_out(view: invoicing::InvoiceView) -> InvoiceOut {
    let i = view.invoice;
    InvoiceOut {
        id: i.id,
        number: i.number,
        syntax: i.syntax,
        status: i.status.as_str().into(),
        upload_id: i.upload_id.get(),
        provider: view.provider_name,
        funder: view.funder_name,
        issue_date: i.issue_date.to_string(),
        currency: i.currency,
        net_total: money(Amount::from_cents(i.net_total)),
        tax_total: money(Amount::from_cents(i.tax_total)),
        payable: money(Amount::from_cents(i.payable)),
        dispute_reason: i.dispute_reason,
        decided_at: i.decided_at.map(|t| t.and_utc().to_rfc3339()),
        grants: view
            .grants
            .into_iter()
            .map(|g| InvoicedGrantOut { grant_code: g.grant_code, startup: g.startup_name, programme: g.programme_name, amount: money(g.amount) })
            .collect(),
    }
}

/// Reads a small body (an invoice, a JSON request) up to `limit` bytes.
async fn read_body(mut payload: web::Payload, limit: usize, too_large: Message) -> ApiResult<web::BytesMut> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::App(AppError::BadForm))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge(too_large));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Send an EN 16931 invoice (UBL 2.1, CII, or a Factur-X PDF) for a submitted usage upload.
/// Refused with every problem (line, column, rule) when it does not reconcile.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "provider", params(InvoiceQuery, ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer to the same request")),
    request_body(content(
        (String = "application/xml"),
        (String = "application/pdf"),
    ), description = "The invoice: UBL or CII XML, or a Factur-X PDF"),
    responses((status = 201, body = InvoiceOut), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["invoices:write"])))]
pub async fn send_invoice(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, query: web::Query<InvoiceQuery>, payload: web::Payload) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req)?;
    let limit = invoicing::MAX_INVOICE_BYTES;
    let bytes = read_body(payload, limit, Message::new("invoice-too-large").with("mb", (limit / (1024 * 1024)) as i64)).await?;
    let request_sha = format!("{}:upload={}", identity::sha256_hex_bytes(&bytes), query.upload);
    if let Some(first) = replay(&state, &caller, &req, key.as_deref(), &request_sha).await? {
        return Ok(first);
    }
    let upload = crate::domain::UploadId::new(query.upload);
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let outcome = state
        .db(move |conn| -> DomainResult<Result<invoicing::InvoiceView, crate::formats::Problems>> {
            match invoicing::receive(conn, &member, upload, &bytes)? {
                Received::Accepted(invoice) => {
                    audit::record(conn, &actor, AuditAction::InvoiceReceived, Some(format!("invoice:{invoice}")), None)?;
                    Ok(Ok(invoicing::view(conn, &member, invoice)?))
                }
                Received::Refused(problems) => Ok(Err(problems)),
            }
        })
        .await?;
    match outcome {
        Ok(view) => answer(&state, &caller, &req, key, request_sha, StatusCode::CREATED, &invoice_out(view)).await,
        Err(problems) => Err(ApiError::Unprocessable(Message::new("api-problem-document-refused"), problems)),
    }
}

/// An invoice, for the provider that sent it and the funder it bills.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceOut), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["invoices:read"])))]
pub async fn invoice(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: i64 = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let view = state.db(move |conn| invoicing::view(conn, &member, id)).await?;
    Ok(HttpResponse::Ok().json(invoice_out(view)))
}

/// Why an invoice is disputed.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeIn {
    pub reason: String,
}

fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { bytes };
    serde_json::from_slice(bytes).map_err(|e| {
        log::info!("api body refused: {e}");
        ApiError::BadRequest(Message::new("api-body-invalid"))
    })
}

const JSON_LIMIT: usize = 64 * 1024;

/// Approve an invoice in full: its holds are posted.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/approve", tag = "funder", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = InvoiceOut), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument)),
    security(("bearer" = ["decisions:write"])))]
pub async fn approve_invoice(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>, payload: web::Payload) -> ApiResult<HttpResponse> {
    decide_invoice(state, caller, req, path, payload, None).await
}

/// Dispute an invoice with a reason the provider reads: its holds are voided.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/dispute", tag = "funder", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = DisputeIn,
    responses((status = 200, body = InvoiceOut), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["decisions:write"])))]
pub async fn dispute_invoice(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>, payload: web::Payload) -> ApiResult<HttpResponse> {
    decide_invoice(state, caller, req, path, payload, Some(())).await
}

async fn decide_invoice(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>, payload: web::Payload, dispute: Option<()>) -> ApiResult<HttpResponse> {
    let id: i64 = path.parse().map_err(|_| ApiError::NotFound)?;
    let key = idempotency_key(&req)?;
    let bytes = read_body(payload, JSON_LIMIT, Message::new("error-too-large")).await?;
    let request_sha = format!("{}:{}:{id}", identity::sha256_hex_bytes(&bytes), if dispute.is_some() { "dispute" } else { "approve" });
    if let Some(first) = replay(&state, &caller, &req, key.as_deref(), &request_sha).await? {
        return Ok(first);
    }
    let reason = match dispute {
        Some(()) => {
            let body: DisputeIn = json_body(&bytes)?;
            let errors = crate::web::forms::texts(&[("reason", &body.reason, invoicing::MAX_REASON_CHARS)]);
            errors.into_result()?;
            Some(body.reason)
        }
        None => None,
    };
    if caller.member.kind() != OrgKind::Funder {
        return Err(ApiError::NotFound);
    }
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let view = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                match &reason {
                    Some(reason) => {
                        invoicing::dispute(conn, &member, id, reason)?;
                        audit::record(conn, &actor, AuditAction::InvoiceDisputed, Some(format!("invoice:{id}")), Some(reason))?;
                    }
                    None => {
                        invoicing::approve(conn, &member, id)?;
                        audit::record(conn, &actor, AuditAction::InvoiceApproved, Some(format!("invoice:{id}")), None)?;
                    }
                }
                invoicing::view(conn, &member, id)
            })
        })
        .await?;
    answer(&state, &caller, &req, key, request_sha, StatusCode::OK, &invoice_out(view)).await
}

// ---------------------------------------------------------------- grants

/// A grant and what it can still spend.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GrantOut {
    pub id: i64,
    /// What providers put in FOCUS `SubAccountId`.
    pub code: String,
    pub startup: String,
    pub programme_id: i64,
    pub currency: String,
    pub amount: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    /// Credits less what is spent and what is held.
    pub available: String,
}

fn grant_out(conn: &mut crate::db::AnyConnection, grant: grants::Grant) -> DomainResult<GrantOut> {
    let startup = identity::organisation(conn, grant.startup_id)?.name;
    let available = crate::ledger::find_account_by_code(conn, &grant.credits_account_code())?.map(|a| a.available()).unwrap_or_default();
    Ok(GrantOut {
        id: grant.id.get(),
        code: grant.code,
        startup,
        programme_id: grant.programme_id.get(),
        currency: grant.currency,
        amount: money(Amount::from_cents(grant.amount)),
        valid_from: grant.valid_from.to_string(),
        valid_until: grant.valid_until.to_string(),
        status: grant.status.as_str().into(),
        available: money(available),
    })
}

/// The grants the caller may see: a provider's, those it may bill; a startup's, its own; a
/// funder's, those of its programmes.
#[utoipa::path(get, path = "/api/v1/grants", tag = "grants", params(PageQuery),
    responses((status = 200, body = Page<GrantOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument)),
    security(("bearer" = ["grants:read"])))]
pub async fn list_grants(state: web::Data<AppState>, caller: ApiCaller, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let (member, window) = (caller.member.clone(), query.window()?);
    let rows = state
        .db(move |conn| {
            let of = match member.kind() {
                OrgKind::Provider => grants::GrantsOf::Provider(member.org_id()),
                OrgKind::Startup => grants::GrantsOf::Startup(member.org_id()),
                OrgKind::Funder => grants::GrantsOf::Funder(member.org_id()),
                OrgKind::Platform => return Ok(Vec::new()),
            };
            grants::grants_page(conn, of, window)?.into_iter().map(|g| grant_out(conn, g)).collect::<DomainResult<Vec<_>>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(query.page(rows, |g| g.id, |g| g)))
}

/// One movement of a grant's credits.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StatementLineOut {
    pub entry_id: i64,
    pub effective_on: String,
    pub kind: String,
    pub description: String,
    pub usage_upload_id: Option<i64>,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

/// A grant with its statement.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GrantStatementOut {
    pub grant: GrantOut,
    /// What the startup can still spend.
    pub balance: String,
    /// Usage approved.
    pub spent: String,
    /// Usage submitted, awaiting the funder's approval.
    pub held: String,
    pub lines: Vec<StatementLineOut>,
}

/// A grant by its code, with its statement.
#[utoipa::path(get, path = "/api/v1/grants/{code}", tag = "grants", params(("code" = String, Path, description = "e.g. G-2026-0042")),
    responses((status = 200, body = GrantStatementOut), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["grants:read"])))]
pub async fn grant(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (member, code) = (caller.member.clone(), path.into_inner());
    let body = state
        .db(move |conn| {
            let grant = grants::grant_by_code(conn, &code)?.ok_or(crate::domain::DomainError::NotFound)?;
            let statement = grants::statement(conn, &member, grant.id)?;
            let lines = statement
                .lines
                .into_iter()
                .map(|l| StatementLineOut {
                    entry_id: l.entry_id,
                    effective_on: l.effective_on.to_string(),
                    kind: l.kind,
                    description: l.description,
                    usage_upload_id: l.usage_upload_id,
                    debit: money(l.debit),
                    credit: money(l.credit),
                    balance: money(l.balance),
                })
                .collect();
            Ok(GrantStatementOut { balance: money(statement.balance), spent: money(statement.spent), held: money(statement.held), grant: grant_out(conn, statement.grant)?, lines })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

// ---------------------------------------------------------------- catalogue

/// One price of a provider's catalogue, valid over a period.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OfferingOut {
    pub id: i64,
    pub provider: String,
    pub name: String,
    pub hardware_kind: String,
    pub description: String,
    pub sku_id: Option<String>,
    pub service_name: String,
    pub unit: String,
    pub currency: String,
    /// Exact unit price.
    pub price: String,
    pub region: Option<String>,
    pub country: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

/// The catalogue: a provider's own (history included); for others, every provider's.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "catalogue", params(PageQuery),
    responses((status = 200, body = Page<OfferingOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument)),
    security(("bearer" = ["catalogue:read"])))]
pub async fn list_catalogue(state: web::Data<AppState>, caller: ApiCaller, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let (member, window) = (caller.member.clone(), query.window()?);
    let offerings = state
        .db(move |conn| {
            let own = (member.kind() == OrgKind::Provider).then(|| member.org_id());
            catalogue::offerings_page(conn, own, window)
        })
        .await?;
    let page = query.page(offerings, |(o, _)| o.id, |(o, provider)| OfferingOut {
        id: o.id,
        provider,
        name: o.name,
        hardware_kind: o.hardware_kind,
        description: o.description,
        sku_id: o.sku_id,
        service_name: o.service_name,
        unit: o.unit,
        currency: o.currency,
        price: o.price,
        region: o.region,
        country: o.country,
        valid_from: o.valid_from.to_string(),
        valid_until: o.valid_until.map(|d| d.to_string()),
    });
    Ok(HttpResponse::Ok().json(page))
}

// ---------------------------------------------------------------- programmes and applications

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProgrammeOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: String,
    pub max_award: String,
    pub opens_on: String,
    pub closes_on: String,
}

/// Programmes: a funder's own; for others, every call.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", params(PageQuery),
    responses((status = 200, body = Page<ProgrammeOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:read"])))]
pub async fn list_programmes(state: web::Data<AppState>, caller: ApiCaller, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let (member, window) = (caller.member.clone(), query.window()?);
    let all = state
        .db(move |conn| {
            let own = (member.kind() == OrgKind::Funder).then(|| member.org_id());
            programmes::programmes_page(conn, own, window)
        })
        .await?;
    let page = query.page(all, |p| p.id.get(), |p| ProgrammeOut {
        id: p.id.get(),
        name: p.name,
        description: p.description,
        budget: money(Amount::from_cents(p.budget)),
        max_award: money(Amount::from_cents(p.max_award)),
        currency: p.currency,
        opens_on: p.opens_on.to_string(),
        closes_on: p.closes_on.to_string(),
    });
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationOut {
    pub id: i64,
    pub programme_id: i64,
    pub startup: String,
    pub provider: String,
    pub requested: String,
    pub currency: String,
    pub purpose: String,
    pub hardware: String,
    pub status: String,
    pub approved_amount: Option<String>,
    pub decision_reason: Option<String>,
    /// The grant's code, once approved.
    pub grant_code: Option<String>,
}

fn application_out(v: ApplicationView) -> ApplicationOut {
    let a = v.application;
    ApplicationOut {
        id: a.id.get(),
        programme_id: a.programme_id.get(),
        startup: v.startup_name,
        provider: v.provider_name,
        requested: money(Amount::from_cents(a.requested)),
        currency: v.programme.currency,
        purpose: a.purpose,
        hardware: a.hardware,
        status: a.status.as_str().into(),
        approved_amount: a.approved_amount.map(|c| money(Amount::from_cents(c))),
        decision_reason: a.decision_reason,
        grant_code: v.grant.map(|g| g.code),
    }
}

/// A programme's applications, for its funder.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/applications", tag = "funder", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<ApplicationOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:read"])))]
pub async fn programme_applications(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let id: ProgrammeId = path.parse().map_err(|_| ApiError::NotFound)?;
    let (member, window) = (caller.member.clone(), query.window()?);
    let rows = state
        .db(move |conn| {
            let programme = programmes::visible_to(conn, &member, id)?;
            if !crate::domain::access::may_manage_programme(&member, programme.funder_id) {
                return Err(crate::domain::DomainError::NotFound);
            }
            applications::applications_page(conn, id, window)
        })
        .await?;
    Ok(HttpResponse::Ok().json(query.page(rows, |v| v.application.id.get(), application_out)))
}

/// A funder's decision on an application.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// approve or reject.
    pub decision: String,
    /// The amount awarded (approve), e.g. "40000.00"; possibly less than requested.
    pub amount: Option<String>,
    /// Why (reject).
    pub reason: Option<String>,
}

/// Decide an application: approval creates the grant and issues its credits at once.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "funder", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = DecisionIn,
    responses((status = 200, body = ApplicationOut), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["decisions:write"])))]
pub async fn decide_application(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>, payload: web::Payload) -> ApiResult<HttpResponse> {
    let id: ApplicationId = path.parse().map_err(|_| ApiError::NotFound)?;
    let key = idempotency_key(&req)?;
    let bytes = read_body(payload, JSON_LIMIT, Message::new("error-too-large")).await?;
    let request_sha = format!("{}:decision:{id}", identity::sha256_hex_bytes(&bytes));
    if let Some(first) = replay(&state, &caller, &req, key.as_deref(), &request_sha).await? {
        return Ok(first);
    }
    let body: DecisionIn = json_body(&bytes)?;
    let decision = match body.decision.as_str() {
        "approve" => {
            let amount = body.amount.as_deref().and_then(|a| Amount::parse(a).ok());
            let Some(amount) = amount else {
                return Err(crate::domain::DomainError::invalid("amount", Message::new("api-amount-invalid")).into());
            };
            Decision::Approve { amount }
        }
        "reject" => {
            let reason = body.reason.unwrap_or_default();
            crate::web::forms::texts(&[("reason", &reason, invoicing::MAX_REASON_CHARS)]).into_result()?;
            Decision::Reject { reason }
        }
        _ => return Err(crate::domain::DomainError::invalid("decision", Message::new("api-decision-invalid")).into()),
    };
    let (member, actor, base_url, rules) = (caller.member.clone(), caller.actor.clone(), state.base_url(), state.settings.de_minimis);
    let view = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = applications::decide_with(conn, &member, id, &decision, &rules)?;
                let (action, reason) = match &decision {
                    Decision::Approve { .. } => (AuditAction::ApplicationApproved, None),
                    Decision::Reject { reason } => (AuditAction::ApplicationRejected, Some(reason.as_str())),
                };
                audit::record(conn, &actor, action, Some(format!("application:{id}")), reason)?;
                crate::domain::notifications::queue_decision(conn, &base_url, &view, &decision)?;
                Ok(view)
            })
        })
        .await?;
    state.wake_mailer();
    answer(&state, &caller, &req, key, request_sha, StatusCode::OK, &application_out(view)).await
}

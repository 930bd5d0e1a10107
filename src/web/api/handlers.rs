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
    let queued = super::db(&state, move |conn| {
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
    let (job, view) = super::db(&state, move |conn| {
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
    let outcome = super::db(&state, move |conn| -> DomainResult<Result<invoicing::InvoiceView, crate::formats::Problems>> {
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
    let view = super::db(&state, move |conn| invoicing::view(conn, &member, id)).await?;
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

/// A part approval: the amount to post per grant code (the rest of each hold is released) and
/// why. An empty body approves in full.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveIn {
    /// Grant code → amount approved (e.g. {"G-2026-0042": "800.00"}); grants left out are approved in full.
    pub amounts: Option<std::collections::BTreeMap<String, String>>,
    /// Needed when less than the whole is approved; the provider reads it.
    pub reason: Option<String>,
}

/// Approve an invoice, in full (empty body) or in part: its holds are posted.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/approve", tag = "funder", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body(content = Option<ApproveIn>),
    responses((status = 200, body = InvoiceOut), (status = 400, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument)),
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
    let (reason, part) = match dispute {
        Some(()) => {
            let body: DisputeIn = json_body(&bytes)?;
            let errors = crate::web::forms::texts(&[("reason", &body.reason, invoicing::MAX_REASON_CHARS)]);
            errors.into_result()?;
            (Some(body.reason), None)
        }
        None => {
            let body: ApproveIn = json_body(&bytes)?;
            let why = body.reason.unwrap_or_default();
            let mut errors = crate::web::forms::texts(&[("reason", &why, invoicing::MAX_REASON_CHARS)]);
            let mut amounts = std::collections::BTreeMap::new();
            for (code, text) in body.amounts.unwrap_or_default() {
                match Amount::parse(&text) {
                    Ok(amount) => {
                        amounts.insert(code, amount);
                    }
                    Err(_) => errors.add("amounts", Message::new("invoice-part-out-of-range").with("grant", code.as_str())),
                }
            }
            errors.into_result()?;
            (None, Some((amounts, why)))
        }
    };
    if caller.member.kind() != OrgKind::Funder {
        return Err(ApiError::NotFound);
    }
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let view = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                match &reason {
                    Some(reason) => {
                        invoicing::dispute(conn, &member, id, reason)?;
                        audit::record(conn, &actor, AuditAction::InvoiceDisputed, Some(format!("invoice:{id}")), Some(reason))?;
                    }
                    None => {
                        let (amounts, why) = part.as_ref().map(|(a, w)| (a.clone(), w.as_str())).unwrap_or_default();
                        let invoice = invoicing::approve_part(conn, &member, id, &amounts, why)?;
                        let detail = invoice.approved_net.map(|a| format!("part: {a} cents; {why}"));
                        audit::record(conn, &actor, AuditAction::InvoiceApproved, Some(format!("invoice:{id}")), detail.as_deref())?;
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
    let rows = super::db(&state, move |conn| {
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
    /// Usage approved, less the providers' credit notes.
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
    let body = super::db(&state, move |conn| {
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
    let offerings = super::db(&state, move |conn| {
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
    /// `draft`, `open`, `closed` or `archived`.
    pub status: String,
}

/// Programmes: a funder's own; for others, every call.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", params(PageQuery),
    responses((status = 200, body = Page<ProgrammeOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:read"])))]
pub async fn list_programmes(state: web::Data<AppState>, caller: ApiCaller, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let (member, window) = (caller.member.clone(), query.window()?);
    let all = super::db(&state, move |conn| {
            let own = (member.kind() == OrgKind::Funder).then(|| member.org_id());
            programmes::programmes_page(conn, own, window)
        })
        .await?;
    let page = query.page(all, |p| p.id.get(), programme_out);
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
    /// `submitted`, `changes_requested` (sent back to the startup, which resubmits it), `offered`,
    /// `approved`, `declined`, `lapsed`, `rejected` or `withdrawn`; a startup also sees its own
    /// `draft`s, which no funder ever does.
    pub status: String,
    pub approved_amount: Option<String>,
    pub decision_reason: Option<String>,
    /// The grant's code, once approved.
    pub grant_code: Option<String>,
    /// The eligibility rules it failed at submission (`country:US`, `category:large`,
    /// `age:12:5`, `hardware:IPU`, `country-unknown` …); empty when eligible.
    pub ineligible_reasons: Vec<String>,
    /// Why the funder approved it although ineligible.
    pub override_reason: Option<String>,
    /// While `offered`: the deadline to accept the offer (`POST /api/v1/applications/{id}/accept`),
    /// UTC, e.g. "2026-12-26T14:05:00"; past it the offer lapses and the budget returns.
    pub offer_expires_at: Option<String>,
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
        ineligible_reasons: a.ineligible_reasons.as_deref().map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default(),
        override_reason: a.override_reason,
        offer_expires_at: a.offer_expires_at.filter(|_| a.status == crate::domain::applications::ApplicationStatus::Offered).map(|at| at.format("%Y-%m-%dT%H:%M:%S").to_string()),
    }
}

/// A programme's applications, for its funder.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/applications", tag = "funder", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<ApplicationOut>), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:read"])))]
pub async fn programme_applications(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let id: ProgrammeId = path.parse().map_err(|_| ApiError::NotFound)?;
    let (member, window) = (caller.member.clone(), query.window()?);
    let rows = super::db(&state, move |conn| {
            let programme = programmes::visible_to(conn, &member, id)?;
            if !crate::domain::access::may_manage_programme(&member, programme.funder_id) || crate::domain::access::needs_review_clearance(&member) {
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
    /// Why an application that failed eligibility rules is approved all the same (required to
    /// approve one; stored with it and audited).
    pub override_reason: Option<String>,
}

/// Decide an application: approval makes an offer (status `offered`, amount committed from the
/// programme's budget, `offer_expires_at` set); the grant is issued when the startup accepts.
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
    let override_reason = body.override_reason.unwrap_or_default();
    crate::web::forms::texts(&[("override_reason", &override_reason, invoicing::MAX_REASON_CHARS)]).into_result()?;
    let view = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = applications::decide_overriding(conn, &member, id, &decision, &rules, Some(&override_reason))?;
                if let Some(why) = &view.application.override_reason {
                    audit::record(conn, &actor, AuditAction::EligibilityOverridden, Some(format!("application:{id}")), Some(why))?;
                }
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

// ---------------------------------------------------------------- writes a peer's tools need

/// An amount as the API takes it ("40000.00"), or the field's problem.
fn amount_field(errors: &mut crate::domain::FieldErrors, field: &'static str, text: &str) -> Option<Amount> {
    match Amount::parse(text) {
        Ok(amount) => Some(amount),
        Err(_) => {
            errors.add(field, Message::new("api-money-invalid"));
            None
        }
    }
}

/// A date as the API takes it (`YYYY-MM-DD`), or the field's problem.
fn date_field(errors: &mut crate::domain::FieldErrors, field: &'static str, text: &str) -> Option<chrono::NaiveDate> {
    crate::web::forms::date(errors, field, text).filter(|d| programmes::is_sane_date(*d)).or_else(|| {
        if !errors.has(field) {
            errors.add(field, Message::new("date-out-of-range"));
        }
        None
    })
}

/// A request body read once, checked against its key, parsed.
async fn json_request<T: serde::de::DeserializeOwned>(state: &AppState, caller: &ApiCaller, req: &HttpRequest, payload: web::Payload, what: &str) -> ApiResult<Result<(T, Option<String>, String), HttpResponse>> {
    let key = idempotency_key(req)?;
    let bytes = read_body(payload, JSON_LIMIT, Message::new("error-too-large")).await?;
    let request_sha = format!("{}:{what}", identity::sha256_hex_bytes(&bytes));
    if let Some(first) = replay(state, caller, req, key.as_deref(), &request_sha).await? {
        return Ok(Err(first));
    }
    Ok(Ok((json_body(&bytes)?, key, request_sha)))
}

/// A programme as a funder's tool opens it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeIn {
    #[schema(max_length = 200)]
    pub name: String,
    pub description: String,
    /// ISO 4217, e.g. EUR.
    pub currency: String,
    /// e.g. "1000000.00".
    pub budget: String,
    /// The most one startup may be awarded.
    pub max_award: String,
    /// YYYY-MM-DD.
    pub opens_on: String,
    /// YYYY-MM-DD, not before `opens_on`.
    pub closes_on: String,
    /// Percent above catalogue prices a usage line may be billed (0 to 100; default 5).
    pub price_tolerance_percent: Option<i32>,
    /// Days usage stays held waiting for an approved invoice (1 to 3650; default 60).
    pub hold_days: Option<i32>,
    /// The share reserved for micro and small enterprises, in basis points (0 to 10000;
    /// default 0: no quota).
    #[serde(default)]
    pub reserved_share_bp: Option<i32>,
    /// `net` (default) or `gross`: what the credits cover of an invoice.
    pub credits_cover: Option<String>,
    /// `budget_while_open` (default: back to the budget while the programme is open, else
    /// lapsed) or `expired` (always lapsed): where a grant's unused credit goes when it ends.
    pub unused_credit: Option<String>,
    /// `open` (default: funded and visible at once) or `draft` (editable, unfunded, invisible
    /// to startups until its funder opens it on the programme's page).
    pub status: Option<String>,
}

fn programme_out(p: programmes::Programme) -> ProgrammeOut {
    ProgrammeOut {
        id: p.id.get(),
        name: p.name,
        description: p.description,
        budget: money(Amount::from_cents(p.budget)),
        max_award: money(Amount::from_cents(p.max_award)),
        currency: p.currency,
        opens_on: p.opens_on.to_string(),
        closes_on: p.closes_on.to_string(),
        status: p.status.as_str().to_string(),
    }
}

/// Open a programme: its budget is funded from the funder's commitments at once (or, with
/// `"status": "draft"`, keep it as an unfunded draft).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "funder", params(("Idempotency-Key" = Option<String>, Header)), request_body = ProgrammeIn,
    responses((status = 201, body = ProgrammeOut), (status = 409, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:write"])))]
pub async fn create_programme(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    let (body, key, request_sha) = match json_request::<ProgrammeIn>(&state, &caller, &req, payload, "programme").await? {
        Ok(parsed) => parsed,
        Err(first) => return Ok(first),
    };
    let mut errors = crate::web::forms::texts(&[("name", &body.name, programmes::MAX_NAME_CHARS), ("currency", &body.currency, 3)]);
    crate::web::forms::text(&mut errors, "description", &body.description, crate::web::forms::PROSE_CHARS, true);
    let budget = amount_field(&mut errors, "budget", &body.budget);
    let max_award = amount_field(&mut errors, "max_award", &body.max_award);
    let opens_on = date_field(&mut errors, "opens_on", &body.opens_on);
    let closes_on = date_field(&mut errors, "closes_on", &body.closes_on);
    let credits_cover = match body.credits_cover.as_deref() {
        None => Some(programmes::CreditsCover::Net),
        Some(text) => text.parse().ok().or_else(|| {
            errors.add("credits_cover", Message::new("programme-credits-cover-invalid"));
            None
        }),
    };
    let unused_credit = match body.unused_credit.as_deref() {
        None => Some(programmes::UnusedCredit::default()),
        Some(text) => text.parse().ok().or_else(|| {
            errors.add("unused_credit", Message::new("programme-unused-credit-invalid"));
            None
        }),
    };
    let as_draft = match body.status.as_deref() {
        None | Some("open") => false,
        Some("draft") => true,
        Some(_) => {
            errors.add("status", Message::new("programme-status-invalid"));
            false
        }
    };
    let (Some(budget), Some(max_award), Some(opens_on), Some(closes_on), Some(credits_cover), Some(unused_credit), true) = (budget, max_award, opens_on, closes_on, credits_cover, unused_credit, errors.is_empty()) else {
        return Err(errors.into_result().err().unwrap_or(crate::domain::DomainError::NotFound).into());
    };
    let new = programmes::NewProgramme {
        name: body.name.trim().to_string(),
        description: body.description.trim().to_string(),
        currency: body.currency,
        budget,
        max_award,
        opens_on,
        closes_on,
        price_tolerance_percent: body.price_tolerance_percent.unwrap_or(programmes::DEFAULT_PRICE_TOLERANCE),
        hold_days: body.hold_days.unwrap_or(programmes::DEFAULT_HOLD_DAYS),
        credits_cover,
        unused_credit,
        reserved_share_bp: body.reserved_share_bp.unwrap_or(0),
    };
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let programme = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = if as_draft { programmes::create_draft(conn, &member, &new)? } else { programmes::create(conn, &member, &new)? };
                audit::record(conn, &actor, AuditAction::ProgrammeCreated, Some(format!("programme:{}", programme.id)), None)?;
                Ok(programme)
            })
        })
        .await?;
    answer(&state, &caller, &req, key, request_sha, StatusCode::CREATED, &programme_out(programme)).await
}

/// One grant of a programme's report.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReportGrantOut {
    pub code: String,
    pub startup: String,
    pub status: String,
    pub awarded: String,
    pub spent: String,
    pub balance: String,
}

/// Where a programme's credits went, read from the ledger.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub programme: ProgrammeOut,
    pub budget: String,
    pub awarded: String,
    /// Usage approved, less the providers' credit notes.
    pub spent: String,
    /// Budget not yet awarded.
    pub unawarded: String,
    /// Awarded credit not yet spent.
    pub unspent: String,
    pub grants: Vec<ReportGrantOut>,
}

/// A programme's report: budget, awarded, spent, and each grant's figures.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/report", tag = "funder", params(("id" = i64, Path)),
    responses((status = 200, body = ReportOut), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["reports:read"])))]
pub async fn programme_report(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: ProgrammeId = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let report = super::db(&state, move |conn| crate::domain::reports::programme_report(conn, &member, id, None)).await?;
    let body = ReportOut {
        budget: money(report.budget),
        awarded: money(report.awarded),
        spent: money(report.spent),
        unawarded: money(report.unawarded),
        unspent: money(report.unspent),
        grants: report
            .grants
            .into_iter()
            .map(|g| ReportGrantOut { status: g.grant.status.as_str().into(), code: g.grant.code, startup: g.startup_name, awarded: money(g.awarded), spent: money(g.spent), balance: money(g.balance) })
            .collect(),
        programme: programme_out(report.programme),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// One offering of a catalogue sent whole.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingIn {
    /// The offering's key: FOCUS `SkuId`.
    pub sku_id: String,
    pub name: String,
    /// FOCUS `ServiceName`.
    pub service_name: String,
    /// GPU, IPU, OPU or CPU.
    pub hardware_kind: String,
    /// FOCUS `PricingUnit`, e.g. GPU-hour.
    pub unit: String,
    /// Exact unit price, e.g. "2.40" (at most eight decimals).
    pub price: String,
    /// ISO 4217.
    pub currency: String,
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 of the data centre.
    pub country: Option<String>,
    pub description: Option<String>,
}

/// A provider's whole current catalogue.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueIn {
    /// The day the list takes effect (YYYY-MM-DD; default today). Changes close the current
    /// prices the day before.
    pub effective_from: Option<String>,
    pub offerings: Vec<OfferingIn>,
}

/// What replacing the catalogue changed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogueChangeOut {
    pub effective_from: String,
    pub added: Vec<String>,
    pub repriced: Vec<String>,
    /// Described differently: the old row ends, a new one starts.
    pub changed: Vec<String>,
    pub withdrawn: Vec<String>,
    pub unchanged: usize,
}

/// Replace the provider's current catalogue with this list, matched by SKU: new SKUs are added,
/// new prices and descriptions start on `effective_from` (history is kept), and offerings left
/// out are withdrawn. All or nothing; sending the same list again changes nothing.
#[utoipa::path(put, path = "/api/v1/catalogue", tag = "provider", request_body = CatalogueIn,
    responses((status = 200, body = CatalogueChangeOut), (status = 400, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["catalogue:write"])))]
pub async fn replace_catalogue(state: web::Data<AppState>, caller: ApiCaller, payload: web::Payload) -> ApiResult<HttpResponse> {
    let bytes = read_body(payload, CATALOGUE_LIMIT, Message::new("error-too-large")).await?;
    let body: CatalogueIn = json_body(&bytes)?;
    let from = match body.effective_from.as_deref() {
        None => crate::domain::clock::today(),
        Some(text) => {
            let mut errors = crate::domain::FieldErrors::default();
            match date_field(&mut errors, "effective_from", text) {
                Some(day) => day,
                None => return Err(errors.into_result().err().unwrap_or(crate::domain::DomainError::NotFound).into()),
            }
        }
    };
    let offerings: Vec<catalogue::NewOffering> = body
        .offerings
        .into_iter()
        .map(|o| catalogue::NewOffering {
            sku_id: o.sku_id,
            name: o.name,
            service_name: o.service_name,
            hardware_kind: o.hardware_kind,
            region: o.region.unwrap_or_default(),
            country: o.country.unwrap_or_default(),
            unit: o.unit,
            price: o.price,
            currency: o.currency,
            valid_from: String::new(),
            description: o.description.unwrap_or_default(),
        })
        .collect();
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let outcome = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let outcome = catalogue::replace(conn, &member, from, &offerings)?;
                if let Ok(done) = &outcome {
                    let changes = done.added.len() + done.repriced.len() + done.changed.len() + done.withdrawn.len();
                    if changes > 0 {
                        let detail = format!("replaced: {} added, {} repriced, {} changed, {} withdrawn", done.added.len(), done.repriced.len(), done.changed.len(), done.withdrawn.len());
                        audit::record(conn, &actor, AuditAction::CatalogueChanged, Some(format!("catalogue:{}", member.org_id())), Some(&detail))?;
                    }
                }
                Ok(outcome)
            })
        })
        .await?;
    match outcome {
        Ok(done) => Ok(HttpResponse::Ok().json(CatalogueChangeOut { effective_from: from.to_string(), added: done.added, repriced: done.repriced, changed: done.changed, withdrawn: done.withdrawn, unchanged: done.unchanged })),
        Err(refused) => {
            let mut problems = crate::formats::Problems::default();
            for (index, errors) in refused.0 {
                for (field, message) in errors.0 {
                    let path = match index {
                        Some(i) => format!("offerings[{i}].{field}"),
                        None => field.to_string(),
                    };
                    problems.push(crate::formats::Problem { path: Some(path), ..crate::formats::Problem::file(message) });
                }
            }
            Err(ApiError::Unprocessable(Message::new("api-problem-invalid"), problems))
        }
    }
}

/// The largest catalogue body read (thousands of offerings).
const CATALOGUE_LIMIT: usize = 8 * 1024 * 1024;

/// A payment of approved invoices, as the funder's finance tool records it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementIn {
    /// Approved, unpaid invoices of this funder, in euros.
    pub invoice_ids: Vec<i64>,
    /// YYYY-MM-DD.
    pub paid_on: String,
    /// The SEPA end-to-end reference (1 to 35 characters).
    pub reference: String,
    pub debtor_iban: String,
    pub debtor_bic: String,
}

/// A recorded payment and the invoices it paid.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SettlementOut {
    pub id: i64,
    pub paid_on: String,
    pub reference: String,
    pub currency: String,
    pub total: String,
    pub invoice_ids: Vec<i64>,
    /// The ISO 20022 pain.001.001.09 credit transfer to send to the bank.
    pub pain_001_url: String,
}

fn settlement_out(settlement: crate::domain::settlements::Settlement, paid: &[(invoicing::Invoice, String)]) -> SettlementOut {
    SettlementOut {
        pain_001_url: format!("{}/settlements/{}/pain.001.xml", super::PREFIX, settlement.id),
        id: settlement.id,
        paid_on: settlement.paid_on.to_string(),
        total: money(settlement.total_amount()),
        reference: settlement.reference,
        currency: settlement.currency,
        invoice_ids: paid.iter().map(|(i, _)| i.id).collect(),
    }
}

/// Record the payment of approved invoices: what each provider is owed moves to settled.
#[utoipa::path(post, path = "/api/v1/settlements", tag = "funder", params(("Idempotency-Key" = Option<String>, Header)), request_body = SettlementIn,
    responses((status = 201, body = SettlementOut), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["settlements:write"])))]
pub async fn record_settlement(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    let (body, key, request_sha) = match json_request::<SettlementIn>(&state, &caller, &req, payload, "settlement").await? {
        Ok(parsed) => parsed,
        Err(first) => return Ok(first),
    };
    if body.invoice_ids.len() > 1_000 {
        return Err(crate::domain::DomainError::invalid("invoice_ids", Message::new("api-too-many-ids").with("max", 1_000_i64)).into());
    }
    let new = crate::domain::settlements::NewSettlement { invoice_ids: body.invoice_ids, paid_on: body.paid_on, reference: body.reference, debtor_iban: body.debtor_iban, debtor_bic: body.debtor_bic };
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let out = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let id = crate::domain::settlements::record(conn, &member, &new)?;
                audit::record(conn, &actor, AuditAction::SettlementRecorded, Some(format!("settlement:{id}")), None)?;
                let (settlement, paid) = crate::domain::settlements::view(conn, &member, id)?;
                Ok(settlement_out(settlement, &paid))
            })
        })
        .await?;
    answer(&state, &caller, &req, key, request_sha, StatusCode::CREATED, &out).await
}

/// A recorded payment.
#[utoipa::path(get, path = "/api/v1/settlements/{id}", tag = "funder", params(("id" = i64, Path)),
    responses((status = 200, body = SettlementOut), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["settlements:write"])))]
pub async fn settlement(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: i64 = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let (settlement, paid) = super::db(&state, move |conn| crate::domain::settlements::view(conn, &member, id)).await?;
    Ok(HttpResponse::Ok().json(settlement_out(settlement, &paid)))
}

/// The payment as an ISO 20022 pain.001.001.09 credit transfer, for the bank.
#[utoipa::path(get, path = "/api/v1/settlements/{id}/pain.001.xml", tag = "funder", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["settlements:write"])))]
pub async fn settlement_pain_001(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: i64 = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let (settlement, paid) = super::db(&state, move |conn| crate::domain::settlements::view(conn, &member, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/xml").body(crate::domain::settlements::pain_001(&settlement, &paid)))
}

/// A startup's application, as its tool sends it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    pub programme_id: i64,
    /// e.g. "40000.00", at most the programme's maximum award.
    pub requested: String,
    /// What the credits are for (at least 20 characters).
    pub purpose: String,
    /// GPU, IPU, OPU or CPU.
    pub hardware: String,
    /// The provider the credits are to be spent at (see the catalogue).
    pub provider_id: i64,
}

/// Apply to an open programme.
#[utoipa::path(post, path = "/api/v1/applications", tag = "startup", params(("Idempotency-Key" = Option<String>, Header)), request_body = ApplicationIn,
    responses((status = 201, body = ApplicationOut), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 413, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["applications:write"])))]
pub async fn apply(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    let (body, key, request_sha) = match json_request::<ApplicationIn>(&state, &caller, &req, payload, "application").await? {
        Ok(parsed) => parsed,
        Err(first) => return Ok(first),
    };
    let programme_id = ProgrammeId::new(body.programme_id);
    let mut errors = crate::web::forms::texts(&[("hardware", &body.hardware, 10)]);
    crate::web::forms::text(&mut errors, "purpose", &body.purpose, crate::web::forms::PROSE_CHARS, true);
    let requested = amount_field(&mut errors, "requested", &body.requested);
    let (Some(requested), true) = (requested, errors.is_empty()) else {
        return Err(errors.into_result().err().unwrap_or(crate::domain::DomainError::NotFound).into());
    };
    let new = applications::NewApplication { requested, purpose: body.purpose.trim().to_string(), hardware: body.hardware, provider_id: Some(crate::domain::OrgId::new(body.provider_id)) };
    let (member, actor, base_url) = (caller.member.clone(), caller.actor.clone(), state.base_url());
    let view = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = programmes::get(conn, programme_id)?;
                let application = applications::apply(conn, &member, programme_id, &new)?;
                audit::record(conn, &actor, AuditAction::ApplicationSubmitted, Some(format!("application:{}", application.id)), None)?;
                crate::domain::notifications::queue_application_received(conn, &base_url, &member, &application, &programme)?;
                applications::application_for(conn, &member, application.id)
            })
        })
        .await?;
    state.wake_mailer();
    answer(&state, &caller, &req, key, request_sha, StatusCode::CREATED, &application_out(view)).await
}

/// An application: a startup's own, or one made to the funder's programme.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationOut), (status = 404, body = super::ProblemDocument)),
    security(("bearer" = ["programmes:read"])))]
pub async fn application(state: web::Data<AppState>, caller: ApiCaller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: ApplicationId = path.parse().map_err(|_| ApiError::NotFound)?;
    let member = caller.member.clone();
    let view = super::db(&state, move |conn| applications::application_for(conn, &member, id)).await?;
    Ok(HttpResponse::Ok().json(application_out(view)))
}

// ---------------------------------------------------------------- a startup's answer to an offer

/// A startup's acceptance of an offer.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceIn {
    /// Must be true: the de minimis aid declared on the company profile (other aid received by
    /// the company and its linked enterprises over three years) is complete and true.
    pub declaration_confirmed: bool,
}

/// Accept an offer, confirming the de minimis declaration: the de minimis ceiling is checked
/// (refused with the figures, 422), then the grant is created and its credits issued.
#[utoipa::path(post, path = "/api/v1/applications/{id}/accept", tag = "startup", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = AcceptanceIn,
    responses((status = 200, body = ApplicationOut), (status = 400, body = super::ProblemDocument), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument), (status = 422, body = super::ProblemDocument)),
    security(("bearer" = ["applications:write"])))]
pub async fn accept_offer(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>, payload: web::Payload) -> ApiResult<HttpResponse> {
    let id: ApplicationId = path.parse().map_err(|_| ApiError::NotFound)?;
    let key = idempotency_key(&req)?;
    let bytes = read_body(payload, JSON_LIMIT, Message::new("error-too-large")).await?;
    let request_sha = format!("{}:accept:{id}", identity::sha256_hex_bytes(&bytes));
    if let Some(first) = replay(&state, &caller, &req, key.as_deref(), &request_sha).await? {
        return Ok(first);
    }
    let body: AcceptanceIn = json_body(&bytes)?;
    let (member, actor, rules) = (caller.member.clone(), caller.actor.clone(), state.settings.de_minimis);
    let acceptance = crate::domain::offers::Acceptance { declaration_confirmed: body.declaration_confirmed };
    let view = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = crate::domain::offers::accept(conn, &member, id, acceptance, &rules)?;
                let code = view.grant.as_ref().map(|g| g.code.clone());
                audit::record(conn, &actor, AuditAction::OfferAccepted, Some(format!("application:{id}")), code.as_deref())?;
                Ok(view)
            })
        })
        .await?;
    answer(&state, &caller, &req, key, request_sha, StatusCode::OK, &application_out(view)).await
}

/// Decline an offer: the committed budget returns to the programme. Final.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decline", tag = "startup", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ApplicationOut), (status = 401, body = super::ProblemDocument), (status = 403, body = super::ProblemDocument), (status = 404, body = super::ProblemDocument), (status = 409, body = super::ProblemDocument)),
    security(("bearer" = ["applications:write"])))]
pub async fn decline_offer(state: web::Data<AppState>, caller: ApiCaller, req: HttpRequest, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id: ApplicationId = path.parse().map_err(|_| ApiError::NotFound)?;
    let key = idempotency_key(&req)?;
    let request_sha = format!("decline:{id}");
    if let Some(first) = replay(&state, &caller, &req, key.as_deref(), &request_sha).await? {
        return Ok(first);
    }
    let (member, actor) = (caller.member.clone(), caller.actor.clone());
    let view = super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = crate::domain::offers::decline(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::OfferDeclined, Some(format!("application:{id}")), None)?;
                Ok(view)
            })
        })
        .await?;
    answer(&state, &caller, &req, key, request_sha, StatusCode::OK, &application_out(view)).await
}

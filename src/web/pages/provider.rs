use crate::domain::catalogue::{self, Offering};
use crate::domain::FieldErrors;
use crate::web::forms;
use crate::domain::identity::OrgKind;
use crate::formats::{Problem, Problems};
use crate::domain::UploadId;
use crate::domain::usage::{self, Refusal, Source, Upload, UploadOutcome, UploadView, UsageJob};
use crate::domain::ids::JobId;
use crate::money::Amount;
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::messages::Message;
use crate::web::flash;
use crate::domain::audit::{self, AuditAction};
use crate::web::{AppState, path_id, render, unprocessable};
use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

#[derive(Template)]
#[template(path = "pages/usage/list.html")]
struct UploadsPage {
    layout: Layout,
    uploads: Vec<Upload>,
    pager: Option<crate::web::layout::Pager>,
    /// Files checked in the background lately, with how each went.
    jobs: Vec<UsageJob>,
}

pub async fn uploads(state: web::Data<AppState>, visitor: Visitor, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let org_id = member.org_id();
    let page = crate::domain::paging::PageRequest::parse(query.get("page").map(String::as_str));
    let (uploads, jobs) = state.db(move |conn| Ok((usage::uploads_of(conn, org_id, page)?, usage::jobs::jobs_of(conn, &member, 20)?))).await?;
    let pager = crate::web::layout::Pager::of(&uploads, "/usage");
    render(&UploadsPage { layout: Layout::new(&visitor, "title-uploads"), uploads: uploads.items, pager, jobs })
}

#[derive(Template)]
#[template(path = "pages/usage/new.html")]
struct UploadPage {
    layout: Layout,
    refusal: Option<Refusal>,
    max_mb: u64,
    /// Every problem as a CSV download, when there are many.
    problems_csv: Option<String>,
}

impl UploadPage {
    fn refused(state: &AppState, visitor: &Visitor, refusal: Refusal) -> UploadPage {
        let problems_csv = (refusal.problems.total() > 10).then(|| problems_csv_link(visitor.locale, &refusal.problems));
        UploadPage { layout: Layout::new(visitor, "title-upload"), refusal: Some(refusal), max_mb: max_mb(state), problems_csv }
    }
}

fn max_mb(state: &AppState) -> u64 {
    state.settings.usage.max_bytes / 1024 / 1024
}

/// Every problem as a CSV download carried in the page itself (nothing of a refused file is
/// stored): line, column and problem, in the page's language, formulas neutralised.
pub(crate) fn problems_csv_link(locale: crate::i18n::Locale, problems: &Problems) -> String {
    let bytes = problems_csv(locale, problems);
    let mut link = String::from("data:text/csv;charset=utf-8,");
    for b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => link.push(b as char),
            other => link.push_str(&format!("%{other:02X}")),
        }
    }
    link
}

/// Line, column and problem, in the reader's language, formulas neutralised.
fn problems_csv(locale: crate::i18n::Locale, problems: &Problems) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [crate::i18n::text(locale, "col-line"), crate::i18n::text(locale, "col-column"), crate::i18n::text(locale, "col-problem")];
    let _ = out.write_record(&header);
    for p in &problems.shown {
        let line = p.line.map(|l| l.to_string()).unwrap_or_default();
        let column = p.column.clone().or_else(|| p.path.clone()).unwrap_or_default();
        let message = crate::domain::audit::neutralise_formula(&crate::i18n::message(locale, &p.message));
        let _ = out.write_record([line, crate::domain::audit::neutralise_formula(&column), message]);
    }
    out.into_inner().unwrap_or_default()
}

pub async fn upload_form(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    visitor.member_of(OrgKind::Provider)?;
    render(&UploadPage { layout: Layout::new(&visitor, "title-upload"), refusal: None, max_mb: max_mb(&state), problems_csv: None })
}

/// Largest CSRF token field read.
const TOKEN_FIELD_LIMIT: usize = 1024;

/// Largest invoice (XML or Factur-X PDF) read, in memory.
pub const MAX_INVOICE_BYTES: usize = 20 * 1024 * 1024;

/// Reads the multipart form. The CSRF token must come before the file (browsers send fields in
/// the form's order, and the token is the form's first field) and is checked before a byte of
/// the file is read; the file is refused as soon as it exceeds the limit, never buffered beyond.
pub(crate) async fn read_upload(visitor: &Visitor, mut multipart: Multipart) -> AppResult<(String, Vec<u8>)> {
    let (mut token_checked, mut filename, mut content) = (false, String::new(), Vec::new());
    // The whole request is bounded, not only each field.
    let mut total = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| {
            log::info!("upload unreadable: {e}");
            AppError::BadForm
        })?;
        let name = field.name().unwrap_or_default().to_string();
        let limit = match name.as_str() {
            "csrf_token" => TOKEN_FIELD_LIMIT,
            "file" if !token_checked => return Err(AppError::Csrf),
            _ => MAX_INVOICE_BYTES,
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                log::info!("upload unreadable: {e}");
                AppError::BadForm
            })?;
            total += chunk.len();
            if bytes.len() + chunk.len() > limit || total > MAX_INVOICE_BYTES + 64 * 1024 {
                return Err(AppError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => {
                visitor.check_csrf(&String::from_utf8_lossy(&bytes))?;
                token_checked = true;
            }
            "file" => {
                filename = field.content_disposition().and_then(|cd| cd.get_filename().map(str::to_string)).unwrap_or_else(|| "usage.csv".into());
                content = bytes;
            }
            _ => {}
        }
    }
    if !token_checked {
        return Err(AppError::Csrf);
    }
    Ok((filename, content))
}

/// A usage file received on disk.
struct Received {
    filename: String,
    path: std::path::PathBuf,
    size: u64,
}

/// Removes a received file when the request ends without handing it to a job.
struct Cleanup(Option<std::path::PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Streams the multipart usage form's file to a new file in `dir`, a chunk at a time, never
/// holding it in memory, and stops as soon as it passes `max_bytes`. The CSRF token must come
/// first (it is the form's first field) and is checked before a byte of the file is written.
async fn receive_usage_file(visitor: &Visitor, mut multipart: Multipart, dir: &std::path::Path, max_bytes: u64, cleanup: &mut Cleanup) -> AppResult<Option<Received>> {
    use std::io::Write;
    let mut token_checked = false;
    let mut received = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| {
            log::info!("upload unreadable: {e}");
            AppError::BadForm
        })?;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "csrf_token" => {
                let mut token = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| AppError::BadForm)?;
                    if token.len() + chunk.len() > TOKEN_FIELD_LIMIT {
                        return Err(AppError::BadForm);
                    }
                    token.extend_from_slice(&chunk);
                }
                visitor.check_csrf(&String::from_utf8_lossy(&token))?;
                token_checked = true;
            }
            "file" if !token_checked => return Err(AppError::Csrf),
            "file" => {
                let filename = field.content_disposition().and_then(|cd| cd.get_filename().map(str::to_string)).unwrap_or_default();
                let path = dir.join(format!("{}.upload", crate::domain::identity::random_token()));
                cleanup.0 = Some(path.clone());
                // Written by a blocking task fed through a short queue: the executor never waits
                // on the disk, and a slow disk slows the upload rather than filling memory.
                let (tx, mut rx) = tokio::sync::mpsc::channel::<actix_web::web::Bytes>(8);
                let target = path.clone();
                let writer = web::block(move || -> std::io::Result<()> {
                    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&target)?);
                    while let Some(chunk) = rx.blocking_recv() {
                        file.write_all(&chunk)?;
                    }
                    file.into_inner().map_err(|e| e.into_error())?.sync_all()
                });
                let mut size = 0u64;
                let mut too_large = false;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| {
                        log::info!("upload unreadable: {e}");
                        AppError::BadForm
                    })?;
                    size += chunk.len() as u64;
                    if size > max_bytes {
                        too_large = true;
                        break;
                    }
                    if tx.send(chunk).await.is_err() {
                        break;
                    }
                }
                drop(tx);
                writer.await?.map_err(|e| AppError::Internal(Box::new(e)))?;
                if too_large {
                    return Err(AppError::TooLarge);
                }
                received = Some(Received { filename, path, size });
            }
            _ => {}
        }
    }
    if !token_checked {
        return Err(AppError::Csrf);
    }
    Ok(received)
}

pub async fn upload(state: web::Data<AppState>, visitor: Visitor, multipart: Multipart) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let usage_settings = state.settings.usage.clone();
    let mut cleanup = Cleanup(None);
    let received = match receive_usage_file(&visitor, multipart, &usage_settings.dir, usage_settings.max_bytes, &mut cleanup).await {
        Ok(received) => received,
        // Over the limit: the form again with the reason, not a bare error page.
        Err(AppError::TooLarge) => {
            let mut problems = Problems::default();
            problems.push(Problem::file(Message::new("usage-file-over-limit").with("mb", i64::try_from(max_mb(&state)).unwrap_or(i64::MAX))));
            let page = UploadPage::refused(&state, &visitor, Refusal { filename: String::new(), lines: 0, problems });
            return crate::web::render_with(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, &page);
        }
        Err(e) => return Err(e),
    };
    let (filename, path, size) = match received {
        Some(Received { filename, path, size }) if !filename.is_empty() && size > 0 => (filename, path, size),
        other => {
            let filename = other.map(|r| r.filename).unwrap_or_default();
            let mut problems = Problems::default();
            problems.push(Problem::file(Message::new(if filename.is_empty() { "usage-no-file" } else { "usage-empty-file" })));
            return unprocessable(&UploadPage::refused(&state, &visitor, Refusal { filename, lines: 0, problems }));
        }
    };
    let actor = visitor.actor();
    if size > usage_settings.inline_bytes {
        // Large: checked in the background while a page shows how far it got.
        let job = state
            .db(move |conn| {
                let job = usage::jobs::enqueue(conn, &member, &filename, &path, size, false)?;
                audit::record(conn, &actor, AuditAction::UsageQueued, Some(format!("usage-job:{job}")), Some(&filename))?;
                Ok(job)
            })
            .await?;
        cleanup.0 = None;
        let _ = state.usage_wakeup.send(());
        return Ok(flash::redirect(&format!("/usage/jobs/{job}"), "flash-upload-queued", state.settings.secure_cookies));
    }
    let max_bytes = usage_settings.max_bytes;
    let outcome = state
        .db(move |conn| {
            let outcome = usage::upload_from(conn, &member, &filename, &Source::File(path), max_bytes, &mut ())?;
            if let UploadOutcome::Pending(view) = &outcome {
                audit::record(conn, &actor, AuditAction::UsageChecked, Some(format!("upload:{}", view.upload.id)), Some(&view.upload.filename))?;
            }
            Ok(outcome)
        })
        .await?;
    match outcome {
        UploadOutcome::Pending(view) => Ok(flash::redirect(&format!("/usage/{}", view.upload.id), "flash-upload-checked", state.settings.secure_cookies)),
        UploadOutcome::Refused(refusal) => unprocessable(&UploadPage::refused(&state, &visitor, refusal)),
    }
}

#[derive(Template)]
#[template(path = "pages/usage/job.html")]
struct JobPage {
    layout: Layout,
    job: UsageJob,
    problems: Option<Problems>,
    failure: Option<Message>,
}

impl JobPage {
    fn progress(&self) -> Message {
        Message::new("job-progress").with("lines", self.job.lines_read).with("problems", self.job.problems_found)
    }

    fn size_mb(&self) -> i64 {
        // Rounded up: a file of a few kilobytes is not "0 MB".
        (self.job.size_bytes + 1024 * 1024 - 1) / (1024 * 1024)
    }
}

/// A file checked in the background: its progress while it runs (the page refreshes itself,
/// without script), then what came of it.
pub async fn show_job(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: JobId = path_id(&path)?;
    let member = visitor.member()?.clone();
    let job = state.db(move |conn| usage::jobs::job_of(conn, &member, id)).await?;
    if let (usage::JobStatus::Accepted, Some(upload), None) = (job.status, job.upload_id, &job.problems) {
        return Ok(HttpResponse::SeeOther().insert_header(("Location", format!("/usage/{upload}"))).finish());
    }
    let layout = Layout::message(&visitor, &Message::new("title-usage-job").with("file", job.filename.as_str()));
    let (problems, failure) = (job.problems(), job.failure_message());
    render(&JobPage { layout, job, problems, failure })
}

/// A refused file's problems, every one kept, as CSV.
pub async fn job_problems_csv(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: JobId = path_id(&path)?;
    let member = visitor.member()?.clone();
    let job = state.db(move |conn| usage::jobs::job_of(conn, &member, id)).await?;
    let problems = job.problems().ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"problems-{id}.csv\"")))
        .body(problems_csv(visitor.locale, &problems)))
}

#[derive(Template)]
#[template(path = "pages/usage/show.html")]
struct UploadViewPage {
    layout: Layout,
    view: UploadView,
    lines: Vec<(i64, String, String, String, String, String)>,
    total: Amount,
    invoices: Vec<crate::domain::invoicing::Invoice>,
    /// Why the invoice just uploaded was refused.
    invoice_problems: Option<Problems>,
}

pub const PREVIEW_LINES: i64 = 200;

pub async fn show_upload(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: UploadId = path_id(&path)?;
    render(&upload_page(&state, &visitor, id, None).await?)
}

/// The upload's page, with its invoices and, after a refused invoice, why.
pub(crate) async fn upload_page(state: &AppState, visitor: &Visitor, id: UploadId, invoice_problems: Option<Problems>) -> AppResult<impl Template> {
    let member = visitor.member()?.clone();
    let (view, lines, invoices) = state
        .db(move |conn| {
            Ok((usage::view(conn, &member, id)?, usage::lines_of(conn, &member, id, PREVIEW_LINES)?, crate::domain::invoicing::invoices_of_upload(conn, &member, id)?))
        })
        .await?;
    let total = Amount::sum(view.charges.iter().map(|c| c.amount)).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(UploadViewPage { layout: Layout::message(visitor, &Message::new("title-upload-view").with("upload", view.upload.id)), view, lines, total, invoices, invoice_problems })
}

pub async fn confirm(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: UploadId = path_id(&path)?;
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                usage::confirm(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::UsageSubmitted, Some(format!("upload:{id}")), None)
            })
        })
        .await?;
    // The usage may have crossed a grant's alert threshold: its mail goes out now.
    state.wake_mailer();
    Ok(flash::redirect(&format!("/usage/{id}"), "flash-upload-submitted", state.settings.secure_cookies))
}

#[derive(Template)]
#[template(path = "pages/catalogue/list.html")]
struct CataloguePage {
    layout: Layout,
    offerings: Vec<(Offering, String)>,
    /// A provider's own catalogue, history included, to keep.
    own: Vec<Offering>,
    is_provider: bool,
    form: OfferingForm,
    errors: FieldErrors,
    /// Which row a price change or withdrawal error belongs to.
    error_row: Option<i64>,
    countries: Vec<(&'static str, String)>,
    hardware_kinds: &'static [&'static str],
    today: String,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct OfferingForm {
    #[serde(default)]
    sku_id: String,
    name: String,
    service_name: String,
    hardware_kind: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    country: String,
    unit: String,
    price: String,
    currency: String,
    valid_from: String,
    #[serde(default)]
    description: String,
}

async fn catalogue_page(state: &AppState, visitor: &Visitor, form: OfferingForm, errors: FieldErrors, error_row: Option<i64>) -> AppResult<CataloguePage> {
    let member = visitor.member()?.clone();
    let is_provider = member.kind() == OrgKind::Provider;
    let org_id = member.org_id();
    let (offerings, own) = state.db(move |conn| Ok((catalogue::all_offerings(conn)?, if is_provider { catalogue::offerings_of(conn, org_id)? } else { Vec::new() }))).await?;
    Ok(CataloguePage {
        layout: Layout::new(visitor, "title-catalogue"),
        offerings,
        own,
        is_provider,
        form,
        errors,
        error_row,
        countries: crate::web::forms::countries(visitor.locale),
        hardware_kinds: catalogue::HARDWARE_KINDS,
        today: crate::domain::clock::today().to_string(),
    })
}

/// Every provider's current offerings; a provider also keeps its own here.
pub async fn catalogue(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let form = OfferingForm { hardware_kind: "GPU".into(), currency: "EUR".into(), valid_from: crate::domain::clock::today().to_string(), ..OfferingForm::default() };
    render(&catalogue_page(&state, &visitor, form, FieldErrors::default(), None).await?)
}

pub async fn add_offering(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<OfferingForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let mut errors = forms::texts(&[
        ("sku_id", &form.sku_id, catalogue::MAX_TEXT),
        ("name", &form.name, catalogue::MAX_TEXT),
        ("service_name", &form.service_name, catalogue::MAX_TEXT),
        ("hardware_kind", &form.hardware_kind, forms::SHORT_CHARS),
        ("region", &form.region, catalogue::MAX_TEXT),
        ("country", &form.country, forms::SHORT_CHARS),
        ("unit", &form.unit, catalogue::MAX_TEXT),
        ("price", &form.price, forms::SHORT_CHARS),
        ("currency", &form.currency, forms::SHORT_CHARS),
        ("valid_from", &form.valid_from, forms::SHORT_CHARS),
        ("description", &form.description, forms::PROSE_CHARS),
    ]);
    if errors.is_empty() {
        let new = catalogue::NewOffering {
            sku_id: form.sku_id.clone(),
            name: form.name.clone(),
            service_name: form.service_name.clone(),
            hardware_kind: form.hardware_kind.clone(),
            region: form.region.clone(),
            country: form.country.clone(),
            unit: form.unit.clone(),
            price: form.price.clone(),
            currency: form.currency.clone(),
            valid_from: form.valid_from.clone(),
            description: form.description.clone(),
        };
        let actor = visitor.actor();
        match state
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    let id = catalogue::add(conn, &member, &new)?;
                    audit::record(conn, &actor, AuditAction::CatalogueChanged, Some(format!("offering:{id}")), Some("added"))
                })
            })
            .await?
        {
            Ok(()) => return Ok(flash::redirect("/catalogue", "flash-catalogue-saved", state.settings.secure_cookies)),
            Err(crate::domain::DomainError::Invalid(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    unprocessable(&catalogue_page(&state, &visitor, form, errors, None).await?)
}

#[derive(serde::Deserialize)]
pub struct PriceForm {
    #[serde(default)]
    price: String,
    valid_from: String,
}

pub async fn change_price(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<PriceForm>) -> AppResult<HttpResponse> {
    change_offering(state, path, form, visitor, true).await
}

pub async fn withdraw_offering(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<PriceForm>) -> AppResult<HttpResponse> {
    change_offering(state, path, form, visitor, false).await
}

async fn change_offering(state: web::Data<AppState>, path: web::Path<String>, form: PriceForm, visitor: Visitor, new_price: bool) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Provider)?.clone();
    let id: i64 = path_id(&path)?;
    let errors = forms::texts(&[("price", &form.price, forms::SHORT_CHARS), ("valid_from", &form.valid_from, forms::SHORT_CHARS)]);
    let errors = if errors.is_empty() {
        let (actor, price, from) = (visitor.actor(), form.price.clone(), form.valid_from.clone());
        let outcome = state
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    if new_price {
                        catalogue::change_price(conn, &member, id, &price, &from)?;
                    } else {
                        catalogue::withdraw(conn, &member, id, &from)?;
                    }
                    audit::record(conn, &actor, AuditAction::CatalogueChanged, Some(format!("offering:{id}")), Some(if new_price { "price" } else { "withdrawn" }))
                })
            })
            .await?;
        match outcome {
            Ok(()) => return Ok(flash::redirect("/catalogue", "flash-catalogue-saved", state.settings.secure_cookies)),
            Err(crate::domain::DomainError::Invalid(e)) => e,
            Err(e) => return Err(e.into()),
        }
    } else {
        errors
    };
    let blank = OfferingForm { hardware_kind: "GPU".into(), currency: "EUR".into(), valid_from: crate::domain::clock::today().to_string(), ..OfferingForm::default() };
    unprocessable(&catalogue_page(&state, &visitor, blank, errors, Some(id)).await?)
}

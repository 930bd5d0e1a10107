use crate::domain::identity::{self, OrgKind, Organisation};
use crate::domain::outbox::{self, QueuedMail};
use crate::domain::audit::{self, AuditAction};
use crate::domain::{DomainError, FieldErrors};
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::messages::Message;
use crate::web::{flash, forms};
use crate::web::{AppState, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/admin/overview.html")]
struct AdminPage {
    layout: Layout,
    organisations: Vec<(Organisation, usize)>,
    undelivered: Vec<QueuedMail>,
    form: MemberForm,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct MemberForm {
    kind: String,
    organisation: String,
    display_name: String,
    email: String,
    #[serde(default)]
    password: String,
}

async fn page(state: &AppState, visitor: &Visitor, form: MemberForm, errors: FieldErrors) -> AppResult<AdminPage> {
    let (organisations, undelivered) = state
        .db(|conn| {
            let mut rows = Vec::new();
            for org in identity::all_organisations(conn)? {
                let n = identity::users_of(conn, org.id)?.len();
                rows.push((org, n));
            }
            Ok((rows, outbox::undelivered(conn, 50)?))
        })
        .await?;
    Ok(AdminPage { layout: Layout::new(visitor, "title-admin"), organisations, undelivered, form, errors })
}

pub async fn overview(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    visitor.member_of(OrgKind::Platform)?;
    let form = MemberForm { kind: "funder".into(), ..MemberForm::default() };
    render(&page(&state, &visitor, form, FieldErrors::default()).await?)
}

/// A platform admin creates a funder or provider organisation (or adds a user to one).
pub async fn create_member(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<MemberForm>) -> AppResult<HttpResponse> {
    visitor.member_of(OrgKind::Platform)?;
    let kind = match form.kind.as_str() {
        "funder" => OrgKind::Funder,
        "provider" => OrgKind::Provider,
        _ => {
            let mut errors = FieldErrors::default();
            errors.add("kind", Message::new("admin-kind-missing"));
            return unprocessable(&page(&state, &visitor, form, errors).await?);
        }
    };
    let checked = forms::texts(&[
        ("organisation", &form.organisation, forms::NAME_CHARS),
        ("display_name", &form.display_name, forms::NAME_CHARS),
        ("email", &form.email, forms::EMAIL_CHARS),
        ("password", &form.password, forms::PASSWORD_CHARS),
    ]);
    if !checked.is_empty() {
        return unprocessable(&page(&state, &visitor, MemberForm { password: String::new(), ..form }, checked).await?);
    }
    let submitted = form.clone();
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let created = identity::create_member(conn, kind, &form.organisation, &form.email, &form.display_name, &form.password)?;
                audit::record(conn, &actor, AuditAction::MemberCreated, Some(format!("user:{}", created.user.id)), Some(kind.as_str()))?;
                Ok(created)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(flash::redirect("/admin", "flash-member-created", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, MemberForm { password: String::new(), ..submitted }, errors).await?),
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "pages/admin/audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<audit::AuditEvent>,
    older: Option<i64>,
}

#[derive(serde::Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

/// Audit events a page at a time, newest first.
pub async fn audit_log(state: web::Data<AppState>, visitor: Visitor, query: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    const PAGE: i64 = 100;
    let before = query.before;
    let events = state.db(move |conn| audit::events(conn, PAGE, before)).await?;
    let older = if events.len() as i64 == PAGE { events.last().map(|e| e.id) } else { None };
    render(&AuditPage { layout: Layout::new(&visitor, "title-audit"), events, older })
}

/// The whole log as CSV, for auditors' own tools.
pub async fn audit_csv(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let body = state.db(audit::export_csv).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"computegrants-audit.csv\""))
        .body(body))
}

use crate::domain::accounts::{self, CompanyDetails, COUNTRIES, OrgKind, Organisation};
use crate::domain::grants::{self, ApplicationForm, ApplicationView, HARDWARE_KINDS};
use crate::domain::programmes::{self, Programme};
use crate::domain::{DomainError, FieldErrors};
use crate::mail::Mail;
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, redirect, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyPage {
    layout: Layout,
    form: CompanyForm,
    errors: FieldErrors,
    countries: &'static [(&'static str, &'static str)],
    registered: bool,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct CompanyForm {
    legal_name: String,
    country: String,
    registration_number: String,
}

impl CompanyForm {
    fn of(org: &Organisation) -> CompanyForm {
        CompanyForm {
            legal_name: org.legal_name.clone().unwrap_or_default(),
            country: org.country.clone().unwrap_or_default(),
            registration_number: org.registration_number.clone().unwrap_or_default(),
        }
    }
}

pub async fn company_form(visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?;
    render(&CompanyPage {
        form: CompanyForm::of(&member.organisation),
        registered: member.organisation.is_registered(),
        layout: Layout::new("Your company", &visitor),
        errors: FieldErrors::default(),
        countries: COUNTRIES,
    })
}

pub async fn save_company(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<CompanyForm>) -> AppResult<HttpResponse> {
    let org_id = visitor.member_of(OrgKind::Startup)?.org_id();
    let submitted = form.clone();
    let result = state
        .run(move |conn| {
            accounts::register_company(
                conn,
                org_id,
                &CompanyDetails { legal_name: &form.legal_name, country: &form.country, registration_number: &form.registration_number },
            )
        })
        .await?;
    match result {
        Ok(()) => Ok(redirect("/")),
        Err(DomainError::Invalid(errors)) => unprocessable(&CompanyPage {
            layout: Layout::new("Your company", &visitor),
            registered: false,
            form: submitted,
            errors,
            countries: COUNTRIES,
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    layout: Layout,
    programme: Programme,
    providers: Vec<Organisation>,
    hardware_kinds: &'static [&'static str],
    form: ApplicationForm,
    errors: FieldErrors,
}

async fn apply_page(state: &AppState, visitor: &Visitor, programme_id: i64, form: ApplicationForm, errors: FieldErrors) -> AppResult<ApplyPage> {
    let (programme, providers) = state
        .db(move |conn| Ok((programmes::get(conn, programme_id)?, accounts::organisations_of_kind(conn, OrgKind::Provider)?)))
        .await?;
    Ok(ApplyPage { layout: Layout::new(format!("Apply to {}", programme.name), visitor), programme, providers, hardware_kinds: HARDWARE_KINDS, form, errors })
}

pub async fn apply_form(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?;
    if !member.organisation.is_registered() {
        return Ok(redirect("/company"));
    }
    let page = apply_page(&state, &visitor, path_id(&path)?, ApplicationForm::default(), FieldErrors::default()).await?;
    render(&page)
}

pub async fn apply(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ApplicationForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let programme_id = path_id(&path)?;
    let submitted = form.clone();
    let applicant = member.clone();
    let result = state.run(move |conn| grants::apply(conn, &applicant, programme_id, &form)).await?;
    match result {
        Ok(application) => {
            let programme = state.db(move |conn| programmes::get(conn, programme_id)).await?;
            state.send_mail(Mail {
                to: member.user.email.clone(),
                subject: format!("Application {} received", application.reference()),
                body: format!(
                    "Hello {},\n\nWe received {}'s application {} to “{}” for {} {}.\nThe funder will review it; you will get an email when it is decided.\n\nComputeGrants\n",
                    member.user.display_name, member.organisation.name, application.reference(), programme.name, application.requested(), programme.currency
                ),
            });
            Ok(redirect(&format!("/applications/{}", application.id)))
        }
        Err(DomainError::Invalid(errors)) => unprocessable(&apply_page(&state, &visitor, programme_id, submitted, errors).await?),
        Err(DomainError::Conflict(message)) => Err(AppError::Conflict(message)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    layout: Layout,
    applications: Vec<ApplicationView>,
}

pub async fn applications(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let org_id = visitor.member_of(OrgKind::Startup)?.org_id();
    let applications = state.db(move |conn| grants::applications_of_startup(conn, org_id)).await?;
    render(&ApplicationsPage { layout: Layout::new("Your applications", &visitor), applications })
}

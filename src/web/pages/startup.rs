use crate::domain::identity::{self, CompanyDetails, OrgKind, Organisation};
use crate::domain::applications;
use crate::domain::applications::{ApplicationView, HARDWARE_KINDS};
use crate::domain::notifications;
use crate::domain::audit::{self, AuditAction};
use crate::messages::Message;
use crate::web::{flash, forms};
use crate::web::forms::ApplicationForm;
use crate::domain::programmes::{self, Programme};
use crate::domain::{ApplicationId, DomainError, FieldErrors, ProgrammeId};
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, redirect, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/company/edit.html")]
struct CompanyPage {
    layout: Layout,
    form: CompanyForm,
    errors: FieldErrors,
    countries: Vec<(&'static str, String)>,
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

use crate::web::forms::countries;

pub async fn company_form(visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?;
    render(&CompanyPage {
        form: CompanyForm::of(&member.organisation),
        registered: member.organisation.is_registered(),
        layout: Layout::new(&visitor, "title-company"),
        errors: FieldErrors::default(),
        countries: countries(visitor.locale),
    })
}

pub async fn save_company(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<CompanyForm>) -> AppResult<HttpResponse> {
    let org_id = visitor.member_of(OrgKind::Startup)?.org_id();
    let checked = forms::texts(&[
        ("legal_name", &form.legal_name, forms::NAME_CHARS),
        ("country", &form.country, forms::SHORT_CHARS),
        ("registration_number", &form.registration_number, forms::SHORT_CHARS),
    ]);
    if !checked.is_empty() {
        return unprocessable(&CompanyPage { layout: Layout::new(&visitor, "title-company"), registered: false, form, errors: checked, countries: countries(visitor.locale) });
    }
    let submitted = form.clone();
    let result = state
        .run(move |conn| {
            identity::register_company(
                conn,
                org_id,
                &CompanyDetails { legal_name: &form.legal_name, country: &form.country, registration_number: &form.registration_number },
            )
        })
        .await?;
    match result {
        Ok(()) => Ok(flash::redirect("/", "flash-company-saved", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&CompanyPage {
            layout: Layout::new(&visitor, "title-company"),
            registered: false,
            form: submitted,
            errors,
            countries: countries(visitor.locale),
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/applications/new.html")]
struct ApplyPage {
    layout: Layout,
    /// Where the form goes: the programme's apply address, or a draft's edit address.
    action_url: String,
    /// The funder's request, when editing an application sent back for changes.
    change_request: Option<String>,
    programme: Programme,
    providers: Vec<Organisation>,
    hardware_kinds: &'static [&'static str],
    form: ApplicationForm,
    errors: FieldErrors,
}

async fn apply_page(state: &AppState, visitor: &Visitor, programme_id: ProgrammeId, form: ApplicationForm, errors: FieldErrors) -> AppResult<ApplyPage> {
    let member = visitor.member()?.clone();
    // A draft is not there for startups (`visible_to`).
    let (programme, providers) = state
        .db(move |conn| Ok((programmes::visible_to(conn, &member, programme_id)?, identity::organisations_of_kind(conn, OrgKind::Provider)?)))
        .await?;
    Ok(ApplyPage {
        layout: Layout::message(visitor, &Message::new("title-apply").with("programme", programme.name.as_str())),
        action_url: format!("/programmes/{programme_id}/apply"),
        change_request: None,
        programme,
        providers,
        hardware_kinds: HARDWARE_KINDS,
        form,
        errors,
    })
}

/// The edit page of a startup's draft, or of its application sent back for changes.
async fn edit_page(state: &AppState, visitor: &Visitor, id: ApplicationId, form: Option<ApplicationForm>, errors: FieldErrors) -> AppResult<ApplyPage> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let (view, providers) = state.db(move |conn| Ok((applications::application_for(conn, &member, id)?, identity::organisations_of_kind(conn, OrgKind::Provider)?))).await?;
    if !view.application.is_editable() {
        return Err(DomainError::Conflict(Message::new("application-not-editable").with("reference", view.application.reference())).into());
    }
    let form = form.unwrap_or_else(|| ApplicationForm::of(&view.application, visitor.locale));
    Ok(ApplyPage {
        layout: Layout::message(visitor, &Message::new("title-application-edit").with("reference", view.application.reference())),
        action_url: format!("/applications/{id}/edit"),
        change_request: view.application.change_request.clone().filter(|_| view.application.changes_requested()),
        programme: view.programme,
        providers,
        hardware_kinds: HARDWARE_KINDS,
        form,
        errors,
    })
}

pub async fn edit_form(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let page = edit_page(&state, &visitor, path_id::<ApplicationId>(&path)?, None, FieldErrors::default()).await?;
    render(&page)
}

/// Saves a startup's edits to its draft (or to its application sent back for changes) and, unless
/// it asked only to save, submits it: the edits and the submission commit together.
pub async fn edit(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ApplicationForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let id: ApplicationId = path_id(&path)?;
    let viewer = member.clone();
    let current = state.db(move |conn| applications::application_for(conn, &viewer, id)).await?;
    let new = match form.parse(visitor.locale, &current.programme.currency) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&edit_page(&state, &visitor, id, Some(form), errors).await?),
    };
    let submitting = !form.saves_draft();
    let base_url = state.base_url();
    let actor = visitor.actor();
    let programme = current.programme.clone();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                applications::edit(conn, &member, id, &new)?;
                if submitting {
                    let (application, revision) = applications::submit(conn, &member, id)?;
                    audit::record(conn, &actor, AuditAction::ApplicationSubmitted, Some(format!("application:{id}")), Some(format!("revision {revision}").as_str()))?;
                    notifications::queue_application_received(conn, &base_url, &member, &application, &programme)?;
                }
                Ok(())
            })
        })
        .await?;
    match result {
        Ok(()) if submitting => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/applications/{id}"), "flash-application-sent", state.settings.secure_cookies))
        }
        Ok(()) => Ok(flash::redirect(&format!("/applications/{id}"), "flash-draft-saved", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&edit_page(&state, &visitor, id, Some(form), errors).await?),
        Err(e) => Err(e.into()),
    }
}

pub async fn apply_form(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?;
    if !member.organisation.is_registered() {
        return Ok(redirect("/company"));
    }
    let page = apply_page(&state, &visitor, path_id::<ProgrammeId>(&path)?, ApplicationForm::default(), FieldErrors::default()).await?;
    render(&page)
}

pub async fn apply(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ApplicationForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let programme_id: ProgrammeId = path_id(&path)?;
    let viewer = member.clone();
    let programme = state.db(move |conn| programmes::visible_to(conn, &viewer, programme_id)).await?;
    let new = match form.parse(visitor.locale, &programme.currency) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&apply_page(&state, &visitor, programme_id, form, errors).await?),
    };
    if form.saves_draft() {
        // A draft: no receipt, no alert, nothing the funder sees.
        let result = state.run(move |conn| applications::save_draft(conn, &member, programme_id, &new)).await?;
        return match result {
            Ok(application) => Ok(flash::redirect(&format!("/applications/{}", application.id), "flash-draft-saved", state.settings.secure_cookies)),
            Err(DomainError::Invalid(errors)) => unprocessable(&apply_page(&state, &visitor, programme_id, form, errors).await?),
            Err(e) => Err(e.into()),
        };
    }
    let base_url = state.base_url();
    let actor = visitor.actor();
    // The application and its receipt commit together, or neither does.
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let application = applications::apply(conn, &member, programme_id, &new)?;
                audit::record(conn, &actor, AuditAction::ApplicationSubmitted, Some(format!("application:{}", application.id)), None)?;
                notifications::queue_application_received(conn, &base_url, &member, &application, &programme)?;
                Ok(application)
            })
        })
        .await?;
    match result {
        Ok(application) => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/applications/{}", application.id), "flash-application-sent", state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => unprocessable(&apply_page(&state, &visitor, programme_id, form, errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/applications/list.html")]
struct ApplicationsPage {
    layout: Layout,
    applications: Vec<ApplicationView>,
}

pub async fn applications(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let org_id = visitor.member_of(OrgKind::Startup)?.org_id();
    let applications = state.db(move |conn| applications::applications_of_startup(conn, org_id)).await?;
    render(&ApplicationsPage { layout: Layout::new(&visitor, "title-applications"), applications })
}

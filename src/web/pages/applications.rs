use crate::domain::accounts::{self, OrgKind};
use crate::domain::grants::{self, ApplicationView, Decision, DecisionForm};
use crate::domain::{DomainError, FieldErrors};
use crate::mail::Mail;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, redirect, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    layout: Layout,
    view: ApplicationView,
    is_funder: bool,
    is_startup: bool,
    form: DecisionForm,
    errors: FieldErrors,
}

fn page(visitor: &Visitor, view: ApplicationView, form: DecisionForm, errors: FieldErrors) -> ApplicationPage {
    let kind = visitor.member.as_ref().map(|m| m.kind());
    ApplicationPage {
        layout: Layout::new(format!("Application {}", view.application.reference()), visitor),
        is_funder: kind == Some(OrgKind::Funder),
        is_startup: kind == Some(OrgKind::Startup),
        view,
        form,
        errors,
    }
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id = path_id(&path)?;
    let view = state.db(move |conn| grants::application_for(conn, &member, id)).await?;
    let form = DecisionForm { amount: view.application.requested().min(view.programme.max_award()).plain(), ..DecisionForm::default() };
    render(&page(&visitor, view, form, FieldErrors::default()))
}

pub async fn decide(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<DecisionForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id = path_id(&path)?;
    let submitted = form.clone();
    let decider = member.clone();
    let result = state
        .run(move |conn| {
            let decision = form.parse()?;
            let view = grants::decide(conn, &decider, id, &decision)?;
            let applicant = accounts::member(conn, view.application.submitted_by)?;
            Ok((view, applicant, decision))
        })
        .await?;
    match result {
        Ok((view, applicant, decision)) => {
            let reference = view.application.reference();
            let body = match &decision {
                Decision::Approve { amount } => format!(
                    "Hello {},\n\nGood news: application {reference} to “{}” was approved for {amount} {}.\nYour grant code is {}. Give it to {} so that they bill your usage against it.\n\nComputeGrants\n",
                    applicant.user.display_name,
                    view.programme.name,
                    view.programme.currency,
                    view.grant.as_ref().map(|g| g.code.as_str()).unwrap_or("-"),
                    view.provider_name
                ),
                Decision::Reject { reason } => format!(
                    "Hello {},\n\nApplication {reference} to “{}” was not approved.\nThe funder's reason: {reason}\n\nComputeGrants\n",
                    applicant.user.display_name, view.programme.name
                ),
            };
            state.send_mail(Mail { to: applicant.user.email.clone(), subject: format!("Decision on application {reference}"), body });
            Ok(redirect(&format!("/applications/{id}")))
        }
        Err(DomainError::Invalid(errors)) => {
            let view = state.db(move |conn| grants::application_for(conn, &member, id)).await?;
            unprocessable(&page(&visitor, view, submitted, errors))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id = path_id(&path)?;
    state.db(move |conn| grants::withdraw(conn, &member, id)).await?;
    Ok(redirect(&format!("/applications/{id}")))
}

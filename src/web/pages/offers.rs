//! A startup's answer to an offer of credits: accept (confirming its de minimis declaration) or
//! decline (after a confirmation page). The rules are in `domain::offers`.

use crate::domain::applications;
use crate::domain::audit::{self, AuditAction};
use crate::domain::offers::{self, Acceptance};
use crate::domain::{ApplicationId, DomainError};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::error::AppResult;
use crate::web::flash;
use crate::web::layout::Layout;
use crate::web::session::CsrfForm;
use crate::web::{AppState, path_id, render};
use actix_web::{HttpResponse, web};
use askama::Template;

/// The acceptance form: the declaration box, ticked or absent.
#[derive(serde::Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    declaration: Option<String>,
}

pub async fn accept(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<AcceptForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    let confirmed = form.declaration.as_deref() == Some("yes");
    let rules = state.settings.de_minimis;
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = offers::accept(conn, &member, id, Acceptance { declaration_confirmed: confirmed }, &rules)?;
                let code = view.grant.as_ref().map(|g| g.code.clone());
                audit::record(conn, &actor, AuditAction::OfferAccepted, Some(format!("application:{id}")), code.as_deref())?;
                Ok(view)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(flash::redirect(&format!("/applications/{id}"), "flash-offer-accepted", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => {
            let member = visitor.member()?.clone();
            let view = state.db(move |conn| applications::application_for(conn, &member, id)).await?;
            super::applications::refused_answer(&state, &visitor, view, errors, confirmed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "pages/applications/decline.html")]
struct DeclinePage {
    layout: Layout,
    id: ApplicationId,
    reference: String,
    amount: Amount,
    currency: String,
}

/// Declines the offer: first a page that says what will happen and asks to confirm, then (with
/// `confirm=yes`) the decline, the budget's return and the audit record, in one transaction.
pub async fn decline(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<DeclineForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    if form.confirm != "yes" {
        let viewer = member.clone();
        let view = state.db(move |conn| applications::application_for(conn, &viewer, id)).await?;
        if !view.application.is_offered() {
            return Err(DomainError::Conflict(Message::new("offer-not-open").with("reference", view.application.reference())).into());
        }
        let reference = view.application.reference();
        return render(&DeclinePage {
            layout: Layout::message(&visitor, &Message::new("title-offer-decline").with("reference", reference.as_str())),
            id,
            reference,
            amount: view.application.approved().unwrap_or_default(),
            currency: view.programme.currency,
        });
    }
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                offers::decline(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::OfferDeclined, Some(format!("application:{id}")), None)
            })
        })
        .await?;
    Ok(flash::redirect(&format!("/applications/{id}"), "flash-offer-declined", state.settings.secure_cookies))
}

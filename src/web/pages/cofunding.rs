//! Co-funding on the programme's page (`domain::cofunding`): the lead invites a funder; an
//! invited funder commits budget, after ticking a confirmation (it cannot be taken back).

use crate::domain::audit::AuditAction;
use crate::domain::cofunding;
use crate::domain::{FieldErrors, ProgrammeId};
use crate::web::error::AppResult;
use crate::web::forms;
use crate::web::pages::programme_lifecycle::{change, confirmed, shown_again};
use crate::web::pages::programmes::LifecycleForm;
use crate::web::session::CsrfForm;
use crate::web::{AppState, path_id};
use actix_web::{HttpResponse, web};

pub async fn invite(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(mut form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    form.form = "cofund-invite".into();
    let errors = forms::texts(&[("cofunder", &form.cofunder, forms::SHORT_CHARS)]);
    if !errors.is_empty() {
        return shown_again(&state, &visitor, id, form, errors).await;
    }
    let name = form.cofunder.trim().to_string();
    let detail = format!("invited {name}");
    change(state, visitor, id, form, AuditAction::CofunderInvited, Some(detail), move |conn, by| {
        cofunding::invite(conn, by, id, &name)?;
        crate::domain::programmes::get(conn, id)
    })
    .await
}

pub async fn commit(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(mut form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    form.form = "cofund".into();
    let member = visitor.member()?.clone();
    let programme = state.db(move |conn| crate::domain::programmes::visible_to(conn, &member, id)).await?;
    let mut errors = FieldErrors::default();
    confirmed(&form, &mut errors);
    let amount = forms::amount(&mut errors, "amount", &form.budget, visitor.locale, &programme.currency);
    let (Some(amount), true) = (amount, errors.is_empty()) else {
        return shown_again(&state, &visitor, id, form, errors).await;
    };
    let detail = format!("committed {} {} (minor units)", amount.cents(), programme.currency);
    change(state, visitor, id, form, AuditAction::ProgrammeCofunded, Some(detail), move |conn, by| cofunding::commit(conn, by, id, amount)).await
}

//! One's own account: change the password, see the sessions, sign out everywhere else.

use crate::domain::FieldErrors;
use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::{self, Session};
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, forms, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/account/show.html")]
struct AccountPage {
    layout: Layout,
    sessions: Vec<Session>,
    current: String,
    two_factor: bool,
    errors: FieldErrors,
}

async fn page(state: &AppState, visitor: &Visitor, errors: FieldErrors) -> AppResult<AccountPage> {
    let user_id = visitor.member()?.user.id;
    let sessions = state.db(move |conn| identity::sessions_of(conn, user_id)).await?;
    Ok(AccountPage { layout: Layout::new(visitor, "title-account"), sessions, current: visitor.session.token_hash.clone(), two_factor: visitor.member()?.user.has_two_factor(), errors })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&page(&state, &visitor, FieldErrors::default()).await?)
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    current_password: String,
    password: String,
}

/// A new password, given the current one; other sessions end, this one stays.
pub async fn change_password(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<PasswordForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let mut errors = forms::texts(&[("current_password", &form.current_password, forms::PASSWORD_CHARS), ("password", &form.password, forms::PASSWORD_CHARS)]);
    if errors.is_empty() {
        errors = identity::check_new_password(&form.password);
    }
    if errors.is_empty() {
        let (user, current) = (member.user.clone(), form.current_password.clone());
        if !state.hash(move || identity::password_matches(Some(&user), &current)).await? {
            errors.add("current_password", Message::new("current-password-wrong"));
        }
    }
    if !errors.is_empty() {
        return unprocessable(&page(&state, &visitor, errors).await?);
    }
    let password = form.password;
    let hash = state.hash(move || identity::hash_password(&password)).await??;
    let (user_id, keep, actor) = (member.user.id, visitor.session.token_hash.clone(), visitor.actor());
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                identity::set_password_hash(conn, user_id, &hash)?;
                identity::revoke_email_tokens(conn, user_id, identity::EmailPurpose::ResetPassword)?;
                audit::record(conn, &actor, AuditAction::PasswordChanged, Some(format!("user:{user_id}")), None)?;
                identity::end_sessions_of(conn, user_id, Some(&keep))
            })
        })
        .await?;
    Ok(flash::redirect("/account", "flash-password-changed", state.settings.secure_cookies))
}

pub async fn end_other_sessions(state: web::Data<AppState>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let (user_id, keep, actor) = (visitor.member()?.user.id, visitor.session.token_hash.clone(), visitor.actor());
    state
        .db(move |conn| {
            let ended = identity::end_sessions_of(conn, user_id, Some(&keep))?;
            audit::record(conn, &actor, AuditAction::OtherSessionsEnded, Some(format!("user:{user_id}")), Some(&ended.to_string()))
        })
        .await?;
    Ok(flash::redirect("/account", "flash-other-sessions-ended", state.settings.secure_cookies))
}

/// A copy of everything held about the person, as a JSON download.
pub async fn personal_data(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let data = state.db(move |conn| identity::privacy::personal_data(conn, &member)).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| crate::web::error::AppError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Content-Disposition", "attachment; filename=\"computegrants-my-data.json\""))
        .body(body))
}

#[derive(serde::Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    confirm: String,
}

/// Erasure, confirmed by a box the person ticks (no JavaScript needed): pseudonymised, signed
/// out everywhere, and sent to the start page.
pub async fn erase(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<EraseForm>) -> AppResult<HttpResponse> {
    if form.confirm != "yes" {
        let mut errors = FieldErrors::default();
        errors.add("confirm", Message::new("erase-confirm-missing"));
        return unprocessable(&page(&state, &visitor, errors).await?);
    }
    let user_id = visitor.member()?.user.id;
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                audit::record(conn, &actor, AuditAction::AccountErased, Some(format!("user:{user_id}")), None)?;
                identity::privacy::erase(conn, user_id)
            })
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/"))
        .cookie(crate::web::session::expired_session_cookie(state.settings.secure_cookies))
        .cookie(flash::cookie("flash-account-erased", state.settings.secure_cookies))
        .finish())
}

//! Forgotten passwords: a link by mail (the page never says whether the address has an
//! account), valid once for an hour; using it signs the account out everywhere.

use crate::domain::identity;
use crate::domain::audit::{self, AuditAction};
use crate::domain::notifications;
use crate::domain::{DomainError, FieldErrors};
use crate::messages::Message;
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor, session_cookie};
use crate::web::{AppState, flash, forms, redirect, render, unprocessable};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    errors: FieldErrors,
}

#[derive(serde::Deserialize)]
pub struct ForgotForm {
    email: String,
}

pub async fn forgot_form(visitor: Visitor) -> AppResult<HttpResponse> {
    render(&ForgotPage { layout: Layout::new(&visitor, "title-forgot"), email: String::new(), errors: FieldErrors::default() })
}

pub async fn forgot(state: web::Data<AppState>, req: HttpRequest, CsrfForm(form, visitor): CsrfForm<ForgotForm>) -> AppResult<HttpResponse> {
    let errors = forms::texts(&[("email", &form.email, forms::EMAIL_CHARS)]);
    if !errors.is_empty() {
        return unprocessable(&ForgotPage { layout: Layout::new(&visitor, "title-forgot"), email: form.email, errors });
    }
    if state.throttle.check(state.client_address(&req), "").is_err() {
        return Err(AppError::TooManyRequests);
    }
    let base_url = state.base_url();
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| match identity::request_password_reset(conn, &form.email)? {
                Some((user, token)) => {
                    audit::record(conn, &actor, AuditAction::PasswordResetRequested, Some(format!("user:{}", user.id)), None)?;
                    notifications::queue_password_reset(conn, &base_url, &user, &token)
                }
                None => Ok(()),
            })
        })
        .await?;
    state.wake_mailer();
    Ok(redirect("/password/forgot/sent"))
}

#[derive(Template)]
#[template(path = "pages/auth/forgot_sent.html")]
struct ForgotSentPage {
    layout: Layout,
    mail_folder: Option<String>,
}

pub async fn forgot_sent(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&ForgotSentPage { layout: Layout::new(&visitor, "title-forgot-sent"), mail_folder: state.mail_folder() })
}

#[derive(Template)]
#[template(path = "pages/auth/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    errors: FieldErrors,
}

#[derive(serde::Deserialize)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
}

/// The form behind the mailed link. Showing it does not use the link: mail scanners that open
/// links would otherwise spend it.
pub async fn reset_form(state: web::Data<AppState>, visitor: Visitor, query: web::Query<ResetQuery>) -> AppResult<HttpResponse> {
    let token = query.into_inner().token;
    let probe = token.clone();
    if !state.db(move |conn| identity::reset_link_is_valid(conn, &probe)).await? {
        return Err(AppError::Conflict(Message::new("reset-link-invalid")));
    }
    render(&ResetPage { layout: Layout::new(&visitor, "title-reset"), token, errors: FieldErrors::default() })
}

#[derive(serde::Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
}

pub async fn reset(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<ResetForm>) -> AppResult<HttpResponse> {
    let mut errors = forms::texts(&[("password", &form.password, forms::PASSWORD_CHARS)]);
    if errors.is_empty() {
        errors = identity::check_new_password(&form.password);
    }
    if !errors.is_empty() {
        return unprocessable(&ResetPage { layout: Layout::new(&visitor, "title-reset"), token: form.token, errors });
    }
    let password = form.password;
    let hash = state.hash(move || identity::hash_password(&password)).await??;
    let token = form.token;
    let actor = visitor.actor();
    let signed_in = state
        .run(move |conn| {
            let Some(user_id) = identity::reset_password(conn, &token, &hash)? else { return Ok(None) };
            let actor = audit::Actor { user_id: Some(user_id), label: format!("user:{user_id}"), ..actor };
            audit::record(conn, &actor, AuditAction::PasswordReset, Some(format!("user:{user_id}")), None)?;
            Ok(Some(identity::start_session(conn, Some(user_id))?.0))
        })
        .await?;
    match signed_in {
        Ok(Some(session)) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/"))
            .cookie(session_cookie(&session, state.settings.secure_cookies))
            .cookie(flash::cookie("flash-password-changed", state.settings.secure_cookies))
            .finish()),
        Ok(None) => Err(AppError::Conflict(Message::new("reset-link-invalid"))),
        Err(DomainError::Invalid(errors)) => unprocessable(&ResetPage { layout: Layout::new(&visitor, "title-reset"), token: String::new(), errors }),
        Err(e) => Err(e.into()),
    }
}

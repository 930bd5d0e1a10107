use crate::domain::identity::{self, StartupSignup};
use crate::domain::{DomainError, FieldErrors};
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::{flash, forms};
use crate::web::session::{CsrfForm, Visitor, expired_session_cookie, local_path, session_cookie};
use crate::web::{AppState, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: bool,
    next: String,
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    /// Where to go after signing in: the page that asked for it (a local path only).
    #[serde(default)]
    next: String,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_form(visitor: Visitor, query: web::Query<LoginQuery>) -> AppResult<HttpResponse> {
    let next = local_path(&query.next).unwrap_or("").to_string();
    render(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email: String::new(), error: false, next })
}

pub async fn login(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<LoginForm>) -> AppResult<HttpResponse> {
    let email = form.email.clone();
    let next = local_path(&form.next).unwrap_or("/").to_string();
    let old_session = visitor.session.token_hash.clone();
    let result = state
        .db(move |conn| {
            let Some(user) = identity::authenticate(conn, &form.email, &form.password)? else {
                return Ok(None);
            };
            // A new session id at login: a token planted before sign-in is worth nothing after.
            identity::end_session_by_hash(conn, &old_session)?;
            let _ = identity::purge_expired_sessions(conn);
            Ok(Some(identity::start_session(conn, Some(user.id))?.0))
        })
        .await?;
    match result {
        Some(token) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", next))
            .cookie(session_cookie(&token, state.settings.secure_cookies))
            .cookie(flash::cookie("flash-signed-in", state.settings.secure_cookies))
            .finish()),
        None => unprocessable(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email, error: true, next: if next == "/" { String::new() } else { next } }),
    }
}

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn logout(state: web::Data<AppState>, req: actix_web::HttpRequest, CsrfForm(_, _visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    if let Some(cookie) = req.cookie(crate::web::session::SESSION_COOKIE) {
        let token = cookie.value().to_string();
        state.db(move |conn| identity::end_session(conn, &token)).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/"))
        .cookie(expired_session_cookie(state.settings.secure_cookies))
        .cookie(flash::cookie("flash-signed-out", state.settings.secure_cookies))
        .finish())
}

#[derive(Template)]
#[template(path = "pages/auth/signup.html")]
struct SignupPage {
    layout: Layout,
    form: SignupForm,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct SignupForm {
    company_name: String,
    display_name: String,
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn signup_form(visitor: Visitor) -> AppResult<HttpResponse> {
    render(&SignupPage { layout: Layout::new(&visitor, "title-sign-up"), form: SignupForm::default(), errors: FieldErrors::default() })
}

pub async fn signup(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<SignupForm>) -> AppResult<HttpResponse> {
    let checked = forms::texts(&[
        ("company_name", &form.company_name, forms::NAME_CHARS),
        ("display_name", &form.display_name, forms::NAME_CHARS),
        ("email", &form.email, forms::EMAIL_CHARS),
        ("password", &form.password, forms::PASSWORD_CHARS),
    ]);
    if !checked.is_empty() {
        return unprocessable(&SignupPage { layout: Layout::new(&visitor, "title-sign-up"), form: SignupForm { password: String::new(), ..form }, errors: checked });
    }
    let submitted = form.clone();
    let old_session = visitor.session.token_hash.clone();
    let locale = visitor.locale;
    let result = state
        .run(move |conn| {
            let user = identity::sign_up_startup(
                conn,
                &StartupSignup { company_name: &form.company_name, display_name: &form.display_name, email: &form.email, password: &form.password },
            )?;
            // Mails reach them in the language they signed up in.
            identity::set_locale(conn, user.id, locale.code())?;
            identity::end_session_by_hash(conn, &old_session)?;
            Ok(identity::start_session(conn, Some(user.id))?.0)
        })
        .await?;
    match result {
        Ok(token) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/company"))
            .cookie(session_cookie(&token, state.settings.secure_cookies))
            .cookie(flash::cookie("flash-signed-up", state.settings.secure_cookies))
            .finish()),
        Err(DomainError::Invalid(errors)) => unprocessable(&SignupPage {
            layout: Layout::new(&visitor, "title-sign-up"),
            form: SignupForm { password: String::new(), ..submitted },
            errors,
        }),
        Err(e) => Err(AppError::from(e)),
    }
}

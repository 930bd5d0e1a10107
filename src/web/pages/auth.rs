use crate::domain::identity::{self, SignUp, StartupSignup};
use crate::domain::audit::{self, Actor, AuditAction};
use crate::domain::notifications;
use crate::domain::{DomainError, FieldErrors};
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::{flash, forms};
use crate::web::session::{CsrfForm, Visitor, expired_session_cookie, local_path, session_cookie};
use crate::web::{AppState, redirect, render, render_with, unprocessable};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: LoginError,
    next: String,
}

/// What went wrong with the last attempt, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoginError {
    None,
    Mismatch,
    /// The right password, but the address was never confirmed.
    Unverified,
    /// Seconds to wait.
    Throttled(u64),
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
    render(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email: String::new(), error: LoginError::None, next })
}

pub async fn login(state: web::Data<AppState>, req: HttpRequest, CsrfForm(form, visitor): CsrfForm<LoginForm>) -> AppResult<HttpResponse> {
    let email = form.email.clone();
    let account = identity::normalise_email(&form.email);
    if !forms::texts(&[("email", &form.email, forms::EMAIL_CHARS), ("password", &form.password, forms::PASSWORD_CHARS)]).is_empty() {
        return unprocessable(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email: String::new(), error: LoginError::Mismatch, next: String::new() });
    }
    let next = local_path(&form.next).unwrap_or("/").to_string();
    let form_next = if next == "/" { String::new() } else { next.clone() };
    if let Err(wait) = state.throttle.check(state.client_address(&req), &account) {
        return throttled(&visitor, email, form_next, wait);
    }
    // The password is checked with no database connection held: argon2 is slow on purpose.
    let lookup = account.clone();
    // A member an owner removed is answered like an unknown address (and costs the same time).
    let user = state.db(move |conn| identity::find_user_by_email(conn, &lookup)).await?.filter(|u| !u.is_removed());
    let password = form.password;
    let (user, matches) = state
        .hash(move || {
            let matches = identity::password_matches(user.as_ref(), &password);
            (user, matches)
        })
        .await?;
    let Some(user) = user.filter(|_| matches) else {
        // The typed address is personal data and the log is append-only (nothing in it can be
        // erased later): it is kept as a pseudonym that still groups attempts on one address.
        let actor = Actor { label: audit::pseudonym(&account), ..visitor.actor() };
        state.db(move |conn| audit::record(conn, &actor, AuditAction::SignInFailed, None, None)).await?;
        return unprocessable(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email, error: LoginError::Mismatch, next: form_next });
    };
    state.throttle.succeeded(&account);
    if !user.is_verified() {
        return unprocessable(&LoginPage { layout: Layout::new(&visitor, "title-sign-in"), email, error: LoginError::Unverified, next: form_next });
    }
    if user.has_two_factor() {
        // The password was right; the session waits for the second factor.
        let pending = identity::pending_sign_in(&state.secret, &user).ok_or_else(|| AppError::Internal("cannot sign a pending sign-in".into()))?;
        let target = if form_next.is_empty() { "/login/code".to_string() } else { format!("/login/code?next={}", crate::web::error::encode_query(&form_next)) };
        return Ok(HttpResponse::SeeOther().insert_header(("Location", target)).cookie(pending_cookie(&pending, state.settings.secure_cookies)).finish());
    }
    finish_sign_in(&state, &visitor, user.id, &next).await
}

/// The cookie that carries a sign-in waiting for its second factor.
pub const PENDING_COOKIE: &str = "cg_pending";

fn pending_cookie(value: &str, secure: bool) -> actix_web::cookie::Cookie<'static> {
    actix_web::cookie::Cookie::build(PENDING_COOKIE, value.to_string())
        .path("/login")
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::minutes(identity::PENDING_SIGN_IN_MINUTES))
        .finish()
}

/// Starts the session of a person who has proven who they are, and goes to `next`.
async fn finish_sign_in(state: &AppState, visitor: &Visitor, user_id: crate::domain::ids::UserId, next: &str) -> AppResult<HttpResponse> {
    let old_session = visitor.session.token_hash.clone();
    let actor = Actor { user_id: Some(user_id), label: format!("user:{user_id}"), ..visitor.actor() };
    let token = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                // A new session id at login: a token planted before sign-in is worth nothing after.
                identity::end_session_by_hash(conn, &old_session)?;
                audit::record(conn, &actor, AuditAction::SignedIn, Some(format!("user:{user_id}")), None)?;
                Ok(identity::start_session(conn, Some(user_id))?.0)
            })
        })
        .await?;
    let mut spent = pending_cookie("", state.settings.secure_cookies);
    spent.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", next.to_string()))
        .cookie(session_cookie(&token, state.settings.secure_cookies))
        .cookie(spent)
        .cookie(flash::cookie("flash-signed-in", state.settings.secure_cookies))
        .finish())
}

#[derive(Template)]
#[template(path = "pages/auth/code.html")]
struct CodePage {
    layout: Layout,
    next: String,
    error: Option<String>,
}

/// The person a pending sign-in cookie names, if it is valid and their password unchanged.
async fn pending_user(state: &AppState, req: &HttpRequest) -> AppResult<Option<identity::User>> {
    let Some((user_id, fingerprint)) = req.cookie(PENDING_COOKIE).and_then(|c| identity::open_pending_sign_in(&state.secret, c.value())) else {
        return Ok(None);
    };
    let user = state.db(move |conn| Ok(identity::member(conn, user_id).ok().map(|m| m.user))).await?;
    Ok(user.filter(|u| identity::pending_matches_password(u, &fingerprint) && u.has_two_factor()))
}

pub async fn code_form(state: web::Data<AppState>, req: HttpRequest, visitor: Visitor, query: web::Query<LoginQuery>) -> AppResult<HttpResponse> {
    let next = local_path(&query.next).unwrap_or("").to_string();
    if pending_user(&state, &req).await?.is_none() {
        return Ok(redirect("/login"));
    }
    render(&CodePage { layout: Layout::new(&visitor, "title-two-factor-sign-in"), next, error: None })
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    next: String,
}

/// The second step: a code from the app or a recovery code. Guesses are throttled like
/// passwords, per account and per client address.
pub async fn code(state: web::Data<AppState>, req: HttpRequest, CsrfForm(form, visitor): CsrfForm<CodeForm>) -> AppResult<HttpResponse> {
    let next = local_path(&form.next).unwrap_or("/").to_string();
    let form_next = if next == "/" { String::new() } else { next.clone() };
    let Some(user) = pending_user(&state, &req).await? else { return Ok(redirect("/login")) };
    let page = |error: &str| CodePage { layout: Layout::new(&visitor, "title-two-factor-sign-in"), next: form_next.clone(), error: Some(visitor_text(&visitor, error)) };
    if form.code.chars().count() > 40 {
        return unprocessable(&page("two-factor-code-wrong"));
    }
    let account = format!("second-factor:{}", user.id);
    if let Err(wait) = state.throttle.check(state.client_address(&req), &account) {
        let seconds = wait.as_secs().max(1);
        let mut response = render_with(actix_web::http::StatusCode::TOO_MANY_REQUESTS, &CodePage {
            error: Some(crate::i18n::message(visitor.locale, &crate::messages::Message::new("login-throttled").with("seconds", i64::try_from(seconds).unwrap_or(i64::MAX)))),
            ..page("two-factor-code-wrong")
        })?;
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let (user_id, code, actor) = (user.id, form.code.clone(), Actor { user_id: Some(user.id), label: format!("user:{}", user.id), ..visitor.actor() });
    let proof = state
        .db(move |conn| {
            let proof = identity::two_factor::verify(conn, user_id, &code)?;
            match proof {
                Some(identity::two_factor::Proof::RecoveryCode) => audit::record(conn, &actor, AuditAction::RecoveryCodeUsed, Some(format!("user:{user_id}")), None)?,
                Some(identity::two_factor::Proof::Code) => {}
                None => audit::record(conn, &actor, AuditAction::SecondFactorFailed, Some(format!("user:{user_id}")), None)?,
            }
            Ok(proof)
        })
        .await?;
    if proof.is_none() {
        return unprocessable(&page("two-factor-code-wrong"));
    }
    state.throttle.succeeded(&account);
    finish_sign_in(&state, &visitor, user.id, &next).await
}

fn visitor_text(visitor: &Visitor, key: &str) -> String {
    crate::i18n::text(visitor.locale, key)
}

/// Too many attempts: 429 with `Retry-After`, and the form again saying how long to wait.
fn throttled(visitor: &Visitor, email: String, next: String, wait: std::time::Duration) -> AppResult<HttpResponse> {
    let seconds = wait.as_secs().max(1);
    let page = LoginPage { layout: Layout::new(visitor, "title-sign-in"), email, error: LoginError::Throttled(seconds), next };
    let mut response = render_with(actix_web::http::StatusCode::TOO_MANY_REQUESTS, &page)?;
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
    }
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn logout(state: web::Data<AppState>, req: actix_web::HttpRequest, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    if let Some(cookie) = req.cookie(crate::web::session::SESSION_COOKIE) {
        let token = cookie.value().to_string();
        let actor = visitor.actor();
        state
            .db(move |conn| {
                identity::end_session(conn, &token)?;
                audit::record(conn, &actor, AuditAction::SignedOut, None, None)
            })
            .await?;
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

pub async fn signup(state: web::Data<AppState>, req: HttpRequest, CsrfForm(form, visitor): CsrfForm<SignupForm>) -> AppResult<HttpResponse> {
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
    let invalid = |errors| unprocessable(&SignupPage { layout: Layout::new(&visitor, "title-sign-up"), form: SignupForm { password: String::new(), ..submitted.clone() }, errors });
    if state.throttle.check(state.client_address(&req), "").is_err() {
        return Err(AppError::TooManyRequests);
    }
    // Checked first, then hashed with no database connection held, then created.
    let candidate = form.clone();
    let valid = state
        .run(move |conn| {
            let f = &candidate;
            identity::validate_signup(conn, &StartupSignup { company_name: &f.company_name, display_name: &f.display_name, email: &f.email, password: &f.password })
        })
        .await?;
    match valid {
        Ok(()) => {}
        Err(DomainError::Invalid(errors)) => return invalid(errors),
        Err(e) => return Err(e.into()),
    }
    let password = form.password.clone();
    let hash = state.hash(move || identity::hash_password(&password)).await??;
    let locale = visitor.locale;
    let base_url = state.base_url();
    let actor = visitor.actor();
    // Created or not (the address may have an account already), the page says the same: check
    // your inbox. Only the mail differs, and it goes to the address's owner.
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let signup = StartupSignup { company_name: &form.company_name, display_name: &form.display_name, email: &form.email, password: &form.password };
                match identity::sign_up_startup(conn, &signup, &hash)? {
                    SignUp::Created { mut user, token } => {
                        let actor = Actor { user_id: Some(user.id), label: format!("user:{}", user.id), ..actor };
                        audit::record(conn, &actor, AuditAction::SignedUp, Some(format!("organisation:{}", user.organisation_id)), None)?;
                        // Mails reach them in the language they signed up in.
                        identity::set_locale(conn, user.id, locale.code())?;
                        user.locale = Some(locale.code().to_string());
                        notifications::queue_email_verification(conn, &base_url, &user, form.company_name.trim(), &token)
                    }
                    SignUp::AddressTaken { existing } => notifications::queue_address_taken(conn, &base_url, &existing),
                }
            })
        })
        .await?;
    match result {
        Ok(()) => {
            state.wake_mailer();
            Ok(redirect("/signup/sent"))
        }
        Err(DomainError::Invalid(errors)) => invalid(errors),
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "pages/auth/signup_sent.html")]
struct SignupSentPage {
    layout: Layout,
    mail_folder: Option<String>,
}

/// After sign-up: the same page whether or not the address had an account.
pub async fn signup_sent(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&SignupSentPage { layout: Layout::new(&visitor, "title-signup-sent"), mail_folder: state.mail_folder() })
}

#[derive(serde::Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "pages/auth/verify.html")]
struct VerifyPage {
    layout: Layout,
    token: String,
}

/// The link of the verification mail shows a button; only pressing it (a form with this
/// browser's CSRF token) confirms and signs in. A GET that signed in would let anyone sign a
/// victim into the attacker's account with the attacker's link, and mail scanners that open
/// links would spend it.
pub async fn verify_form(visitor: Visitor, query: web::Query<VerifyQuery>) -> AppResult<HttpResponse> {
    render(&VerifyPage { layout: Layout::new(&visitor, "title-verify"), token: query.into_inner().token })
}

/// Proves the address, signs the person in, and goes on to the company details.
pub async fn verify(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<VerifyQuery>) -> AppResult<HttpResponse> {
    let token = form.token;
    let old_session = visitor.session.token_hash.clone();
    let actor = visitor.actor();
    let signed_in = state
        .db(move |conn| {
            let Some(user_id) = identity::verify_email(conn, &token)? else { return Ok(None) };
            let actor = Actor { user_id: Some(user_id), label: format!("user:{user_id}"), ..actor };
            audit::record(conn, &actor, AuditAction::EmailVerified, Some(format!("user:{user_id}")), None)?;
            identity::end_session_by_hash(conn, &old_session)?;
            Ok(Some(identity::start_session(conn, Some(user_id))?.0))
        })
        .await?;
    match signed_in {
        Some(session) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/company"))
            .cookie(session_cookie(&session, state.settings.secure_cookies))
            .cookie(flash::cookie("flash-email-verified", state.settings.secure_cookies))
            .finish()),
        None => Err(AppError::Conflict(crate::messages::Message::new("verify-link-invalid"))),
    }
}

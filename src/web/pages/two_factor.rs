//! One's own second factor: set up an authenticator app, recovery codes, turn it off.

use crate::domain::FieldErrors;
use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::two_factor;
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, forms, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/two_factor/setup.html")]
struct SetupPage {
    layout: Layout,
    /// Set up already: how many recovery codes are left.
    enabled: Option<i64>,
    /// The organisation requires it.
    required: bool,
    /// A new secret to set up with (when not enabled).
    secret: String,
    qr: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "pages/two_factor/codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
}

const ISSUER: &str = "ComputeGrants";

async fn page(state: &AppState, visitor: &Visitor, secret: Option<String>, errors: FieldErrors) -> AppResult<SetupPage> {
    let member = visitor.member()?.clone();
    let user_id = member.user.id;
    let enabled = if member.user.has_two_factor() { Some(state.db(move |conn| two_factor::recovery_codes_left(conn, user_id)).await?) } else { None };
    let secret = secret.unwrap_or_else(two_factor::new_secret);
    let qr = if enabled.is_none() { two_factor::qr_svg(&two_factor::provisioning_uri(&secret, ISSUER, &member.user.email)).unwrap_or_default() } else { String::new() };
    Ok(SetupPage { layout: Layout::new(visitor, "title-two-factor"), enabled, required: member.organisation.require_two_factor, secret, qr, errors })
}

pub async fn setup_form(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&page(&state, &visitor, None, FieldErrors::default()).await?)
}

#[derive(serde::Deserialize)]
pub struct EnableForm {
    secret: String,
    code: String,
}

fn plausible_secret(secret: &str) -> bool {
    secret.len() == 32 && secret.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7'))
}

/// Turns the second factor on with the code the app shows, and shows the recovery codes once.
pub async fn enable(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<EnableForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    if member.user.has_two_factor() {
        return Ok(flash::redirect("/account/two-factor", "flash-two-factor-enabled", state.settings.secure_cookies));
    }
    let mut errors = forms::texts(&[("code", &form.code, 40)]);
    if !plausible_secret(&form.secret) {
        errors.add("code", Message::new("two-factor-code-wrong"));
    }
    if !errors.is_empty() {
        return unprocessable(&page(&state, &visitor, plausible_secret(&form.secret).then(|| form.secret.clone()), errors).await?);
    }
    let (user_id, actor, secret, code) = (member.user.id, visitor.actor(), form.secret.clone(), form.code.clone());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let codes = two_factor::enable(conn, user_id, &secret, &code)?;
                audit::record(conn, &actor, AuditAction::TwoFactorEnabled, Some(format!("user:{user_id}")), None)?;
                Ok(codes)
            })
        })
        .await?;
    match outcome {
        Ok(codes) => render(&CodesPage { layout: Layout::new(&visitor, "title-recovery-codes"), codes }),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, Some(form.secret), errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
}

/// Checks a code (or recovery code) of the signed-in person; a field error otherwise.
async fn proven(state: &AppState, visitor: &Visitor, code: &str) -> AppResult<bool> {
    if code.chars().count() > 40 {
        return Ok(false);
    }
    let (user_id, code) = (visitor.member()?.user.id, code.to_string());
    Ok(state.db(move |conn| two_factor::verify(conn, user_id, &code)).await?.is_some())
}

fn wrong_code() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("code", Message::new("two-factor-code-wrong"));
    errors
}

/// Turns the second factor off, given a current code; not while the organisation requires it.
pub async fn disable(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<CodeForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    if member.organisation.require_two_factor {
        let mut errors = FieldErrors::default();
        errors.add("code", Message::new("two-factor-required-by-organisation"));
        return unprocessable(&page(&state, &visitor, None, errors).await?);
    }
    if !member.user.has_two_factor() {
        return Ok(flash::redirect("/account/two-factor", "flash-two-factor-disabled", state.settings.secure_cookies));
    }
    if !proven(&state, &visitor, &form.code).await? {
        return unprocessable(&page(&state, &visitor, None, wrong_code()).await?);
    }
    let (user_id, actor) = (member.user.id, visitor.actor());
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                two_factor::disable(conn, user_id)?;
                audit::record(conn, &actor, AuditAction::TwoFactorDisabled, Some(format!("user:{user_id}")), None)
            })
        })
        .await?;
    Ok(flash::redirect("/account/two-factor", "flash-two-factor-disabled", state.settings.secure_cookies))
}

/// New recovery codes (the old ones stop working), given a current code.
pub async fn renew_recovery_codes(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<CodeForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    if !member.user.has_two_factor() || !proven(&state, &visitor, &form.code).await? {
        return unprocessable(&page(&state, &visitor, None, wrong_code()).await?);
    }
    let (user_id, actor) = (member.user.id, visitor.actor());
    let codes = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let codes = two_factor::new_recovery_codes(conn, user_id)?;
                audit::record(conn, &actor, AuditAction::RecoveryCodesRenewed, Some(format!("user:{user_id}")), None)?;
                Ok(codes)
            })
        })
        .await?;
    render(&CodesPage { layout: Layout::new(&visitor, "title-recovery-codes"), codes })
}

//! The funder extends or revokes a grant of one of its programmes; revoking, which cannot be
//! undone, asks for confirmation on a page of its own (no script needed).

use crate::domain::audit::{self, AuditAction};
use crate::domain::grant_expiry::{self, MAX_REASON_CHARS};
use crate::domain::{DomainError, FieldErrors, GrantId};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::grants::{ManageForm, refused};
use crate::web::session::CsrfForm;
use crate::web::{AppState, flash, forms, path_id, render};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(serde::Deserialize)]
pub struct ExtendForm {
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    extend_reason: String,
}

#[derive(serde::Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    revoke_reason: String,
    /// `yes` once the funder confirmed on the confirmation page.
    #[serde(default)]
    confirm: String,
}

/// The domain names the reason `reason`; each form has its own field for it.
fn rename_reason(errors: FieldErrors, field: &'static str) -> FieldErrors {
    FieldErrors(errors.0.into_iter().map(|(f, m)| (if f == "reason" { field } else { f }, m)).collect())
}

/// The reason as typed: one to [`MAX_REASON_CHARS`] characters, line breaks allowed.
fn check_reason(errors: &mut FieldErrors, field: &'static str, reason: &str) {
    forms::text(errors, field, reason, MAX_REASON_CHARS, true);
    if errors.is_empty() && reason.trim().is_empty() {
        errors.add(field, Message::new("grant-reason-missing"));
    }
}

/// Moves the end of the grant's validity to a later day, with a reason the startup reads.
pub async fn extend(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ExtendForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: GrantId = path_id(&path)?;
    let typed = ManageForm { valid_until: form.valid_until.clone(), extend_reason: form.extend_reason.clone(), ..ManageForm::default() };
    let mut errors = FieldErrors::default();
    let day = forms::date(&mut errors, "valid_until", &form.valid_until);
    check_reason(&mut errors, "extend_reason", &form.extend_reason);
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return refused(&state, &visitor, id, typed, errors).await;
    };
    let (actor, reason) = (visitor.actor(), form.extend_reason.trim().to_string());
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let grant = grant_expiry::extend(conn, &member, id, day, &reason)?;
                audit::record(conn, &actor, AuditAction::GrantExtended, Some(format!("grant:{}", grant.code)), Some(&format!("{day}: {reason}")))?;
                Ok(grant)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(flash::redirect(&format!("/grants/{id}"), "flash-grant-extended", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => refused(&state, &visitor, id, typed, rename_reason(errors, "extend_reason")).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/grants/revoke.html")]
struct ConfirmPage {
    layout: Layout,
    id: GrantId,
    code: String,
    currency: String,
    free: Amount,
    reason: String,
}

/// Revokes the grant: first a page that says what will happen and asks to confirm, then (with
/// `confirm=yes`) the revocation, its clawback and its audit record, in one transaction.
pub async fn revoke(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<RevokeForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: GrantId = path_id(&path)?;
    let typed = ManageForm { revoke_reason: form.revoke_reason.clone(), ..ManageForm::default() };
    let mut errors = FieldErrors::default();
    check_reason(&mut errors, "revoke_reason", &form.revoke_reason);
    if !errors.is_empty() {
        return refused(&state, &visitor, id, typed, errors).await;
    }
    let reason = form.revoke_reason.trim().to_string();
    if form.confirm != "yes" {
        let viewer = member.clone();
        let (grant, free) = state.db(move |conn| grant_expiry::free_balance(conn, &viewer, id)).await?;
        return render(&ConfirmPage {
            layout: Layout::message(&visitor, &Message::new("title-grant-revoke").with("code", grant.code.as_str())),
            id,
            code: grant.code,
            currency: grant.currency,
            free,
            reason,
        });
    }
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let (grant, _) = grant_expiry::revoke(conn, &member, id, &reason)?;
                audit::record(conn, &actor, AuditAction::GrantRevoked, Some(format!("grant:{}", grant.code)), Some(&reason))?;
                Ok(grant)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(flash::redirect(&format!("/grants/{id}"), "flash-grant-revoked", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => refused(&state, &visitor, id, typed, rename_reason(errors, "revoke_reason")).await,
        Err(e) => Err(e.into()),
    }
}

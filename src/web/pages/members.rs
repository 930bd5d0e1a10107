//! An organisation's people: who they are and their roles; owners invite, change roles, remove,
//! and may require a second factor. Invitation links are accepted here too.

use crate::domain::FieldErrors;
use crate::domain::audit::{self, Actor, AuditAction};
use crate::domain::identity::{self, Invitation, MemberRole, Organisation, User};
use crate::domain::ids::UserId;
use crate::domain::notifications;
use crate::messages::Message;
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor, session_cookie};
use crate::web::{AppState, flash, forms, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/members/show.html")]
struct MembersPage {
    layout: Layout,
    organisation: Organisation,
    members: Vec<User>,
    invitations: Vec<Invitation>,
    /// The roles an owner can give here.
    roles: &'static [MemberRole],
    may_manage: bool,
    me: UserId,
    form: InviteForm,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct InviteForm {
    email: String,
    role: String,
}

async fn page(state: &AppState, visitor: &Visitor, form: InviteForm, errors: FieldErrors) -> AppResult<MembersPage> {
    let member = visitor.member()?.clone();
    let org_id = member.org_id();
    let (organisation, members, invitations) =
        state.db(move |conn| Ok((identity::organisation(conn, org_id)?, identity::members_of(conn, org_id)?, identity::pending_invitations(conn, org_id)?))).await?;
    Ok(MembersPage {
        layout: Layout::new(visitor, "title-organisation"),
        roles: MemberRole::offered_in(organisation.kind()),
        may_manage: crate::domain::access::permits(Some(&member), crate::domain::access::Action::ManageMembers),
        organisation,
        members,
        invitations,
        me: member.user.id,
        form,
        errors,
    })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let form = InviteForm { role: MemberRole::Member.as_str().into(), ..InviteForm::default() };
    render(&page(&state, &visitor, form, FieldErrors::default()).await?)
}

/// Sends an invitation by mail; the mail is queued in the same transaction.
pub async fn invite(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<InviteForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let role = form.role.parse::<MemberRole>().ok();
    let mut errors = forms::texts(&[("email", &form.email, forms::EMAIL_CHARS), ("role", &form.role, forms::SHORT_CHARS)]);
    if errors.is_empty() {
        errors = identity::validate_invitation(&member.organisation, &form.email, role);
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else { return unprocessable(&page(&state, &visitor, form, errors).await?) };
    let (email, base_url, locale, actor) = (form.email.clone(), state.base_url(), visitor.locale, visitor.actor());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let token = identity::invite(conn, &member, &email, role)?;
                let address = identity::normalise_email(&email);
                notifications::queue_invitation(conn, &base_url, locale, &member, &address, role, &token)?;
                audit::record(conn, &actor, AuditAction::MemberInvited, Some(format!("org:{}", member.org_id())), Some(role.as_str()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => {
            state.wake_mailer();
            Ok(flash::redirect("/organisation", "flash-invitation-sent", state.settings.secure_cookies))
        }
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, form, errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn revoke_invitation(state: web::Data<AppState>, path: web::Path<i64>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let (id, actor) = (path.into_inner(), visitor.actor());
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let invitation = identity::revoke_invitation(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::InvitationRevoked, Some(format!("org:{}", invitation.organisation_id)), None)
            })
        })
        .await?;
    Ok(flash::redirect("/organisation", "flash-invitation-revoked", state.settings.secure_cookies))
}

#[derive(serde::Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(state: web::Data<AppState>, path: web::Path<i64>, CsrfForm(form, visitor): CsrfForm<RoleForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let Ok(role) = form.role.parse::<MemberRole>() else {
        let mut errors = FieldErrors::default();
        errors.add("role", Message::new("role-not-offered"));
        return unprocessable(&page(&state, &visitor, InviteForm::default(), errors).await?);
    };
    let (user_id, actor) = (UserId::new(path.into_inner()), visitor.actor());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                identity::change_role(conn, &member, user_id, role)?;
                audit::record(conn, &actor, AuditAction::MemberRoleChanged, Some(format!("user:{user_id}")), Some(role.as_str()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(flash::redirect("/organisation", "flash-role-changed", state.settings.secure_cookies)),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, InviteForm::default(), errors).await?),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(state: web::Data<AppState>, path: web::Path<i64>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let (user_id, actor) = (UserId::new(path.into_inner()), visitor.actor());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                identity::remove_member(conn, &member, user_id)?;
                audit::record(conn, &actor, AuditAction::MemberRemoved, Some(format!("user:{user_id}")), None)
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(flash::redirect("/organisation", "flash-member-removed", state.settings.secure_cookies)),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&page(&state, &visitor, InviteForm::default(), errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    required: String,
}

/// Requires (or stops requiring) a second factor of every member. The owner who requires it
/// must have one already, so that nobody locks the organisation out by mistake.
pub async fn require_two_factor(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<RequirementForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let required = form.required == "yes";
    if required && !member.user.has_two_factor() {
        let mut errors = FieldErrors::default();
        errors.add("required", Message::new("two-factor-owner-first"));
        return unprocessable(&page(&state, &visitor, InviteForm::default(), errors).await?);
    }
    let (org_id, actor) = (member.org_id(), visitor.actor());
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                identity::set_two_factor_required(conn, org_id, required)?;
                audit::record(conn, &actor, AuditAction::TwoFactorRequirementChanged, Some(format!("org:{org_id}")), Some(if required { "required" } else { "optional" }))
            })
        })
        .await?;
    Ok(flash::redirect("/organisation", "flash-two-factor-requirement-saved", state.settings.secure_cookies))
}

#[derive(Template)]
#[template(path = "pages/members/accept.html")]
struct AcceptPage {
    layout: Layout,
    /// The invitation, or `None` when the link is unknown, used, withdrawn or expired.
    invitation: Option<(Invitation, Organisation)>,
    /// Someone is signed in here already.
    signed_in: bool,
    /// "You are invited to join … as …".
    summary: String,
    token: String,
    display_name: String,
    errors: FieldErrors,
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn accept_page(state: &AppState, visitor: &Visitor, token: String, display_name: String, errors: FieldErrors) -> AppResult<AcceptPage> {
    let lookup = token.clone();
    let invitation = state.db(move |conn| identity::open_invitation(conn, &lookup)).await?;
    let summary = match &invitation {
        Some((invitation, organisation)) => crate::i18n::message(
            visitor.locale,
            &Message::new("invitation-summary").with("organisation", organisation.name.as_str()).with("role", crate::i18n::text(visitor.locale, invitation.role.label_key())),
        ),
        None => String::new(),
    };
    Ok(AcceptPage { layout: Layout::new(visitor, "title-invitation"), invitation, signed_in: visitor.member.is_some(), summary, token, display_name, errors })
}

/// Opening the link only shows the form: mail scanners that follow links accept nothing.
pub async fn accept_form(state: web::Data<AppState>, visitor: Visitor, query: web::Query<TokenQuery>) -> AppResult<HttpResponse> {
    let page = accept_page(&state, &visitor, query.token.chars().take(64).collect(), String::new(), FieldErrors::default()).await?;
    if page.invitation.is_none() {
        return crate::web::render_with(actix_web::http::StatusCode::NOT_FOUND, &page);
    }
    render(&page)
}

#[derive(serde::Deserialize)]
pub struct AcceptForm {
    token: String,
    display_name: String,
    password: String,
}

/// Joins the organisation: a name and a password, and the person is signed in.
pub async fn accept(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<AcceptForm>) -> AppResult<HttpResponse> {
    if visitor.member.is_some() {
        return unprocessable(&accept_page(&state, &visitor, form.token, form.display_name, FieldErrors::default()).await?);
    }
    let mut errors = forms::texts(&[("display_name", &form.display_name, forms::NAME_CHARS), ("password", &form.password, forms::PASSWORD_CHARS), ("token", &form.token, 64)]);
    if errors.is_empty() {
        errors = identity::validate_acceptance(&form.display_name, &form.password);
    }
    if !errors.is_empty() {
        return unprocessable(&accept_page(&state, &visitor, form.token, form.display_name, errors).await?);
    }
    let password = form.password.clone();
    let hash = state.hash(move || identity::hash_password(&password)).await??;
    let (token, name, old_session, visitor_actor) = (form.token.clone(), form.display_name.clone(), visitor.session.token_hash.clone(), visitor.actor());
    let outcome = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let user = identity::accept_invitation(conn, &token, &name, &hash)?;
                let actor = Actor { user_id: Some(user.id), label: format!("user:{}", user.id), ..visitor_actor };
                audit::record(conn, &actor, AuditAction::InvitationAccepted, Some(format!("org:{}", user.organisation_id)), Some(user.role.as_str()))?;
                identity::end_session_by_hash(conn, &old_session)?;
                Ok(identity::start_session(conn, Some(user.id))?.0)
            })
        })
        .await?;
    match outcome {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/"))
            .cookie(session_cookie(&session, state.settings.secure_cookies))
            .cookie(flash::cookie("flash-invitation-accepted", state.settings.secure_cookies))
            .finish()),
        Err(crate::domain::DomainError::Invalid(errors)) => unprocessable(&accept_page(&state, &visitor, form.token, form.display_name, errors).await?),
        Err(crate::domain::DomainError::NotFound) => {
            let page = accept_page(&state, &visitor, form.token, form.display_name, FieldErrors::default()).await?;
            crate::web::render_with(actix_web::http::StatusCode::NOT_FOUND, &page)
        }
        Err(e) => Err(AppError::from(e)),
    }
}

//! An organisation's API tokens: owners create them (name, scopes, expiry) — the secret is shown
//! once, on the page that answers the creation, and only its hash is kept — see when each was
//! last used, and revoke them.

use crate::domain::FieldErrors;
use crate::domain::api_tokens::{self, ApiToken, NewToken, Scope};
use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::Member;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, forms, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/api_tokens/show.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    offered: &'static [Scope],
    /// The secret of the token just created: shown this once.
    secret: Option<String>,
    token_name: String,
    chosen: Vec<Scope>,
    expires_on: String,
    errors: FieldErrors,
    now: chrono::NaiveDateTime,
}

impl TokensPage {
    fn is_chosen(&self, scope: &Scope) -> bool {
        self.chosen.contains(scope)
    }
}

async fn page(state: &AppState, visitor: &Visitor, secret: Option<String>, name: String, chosen: Vec<Scope>, expires_on: String, errors: FieldErrors) -> AppResult<TokensPage> {
    let member: Member = visitor.member()?.clone();
    let org_id = member.org_id();
    let tokens = state.db(move |conn| api_tokens::tokens_of(conn, org_id)).await?;
    Ok(TokensPage {
        layout: Layout::new(visitor, "title-api-tokens"),
        tokens,
        offered: Scope::offered_in(member.kind()),
        secret,
        token_name: name,
        chosen,
        expires_on,
        errors,
        now: crate::domain::clock::now(),
    })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&page(&state, &visitor, None, String::new(), Vec::new(), String::new(), FieldErrors::default()).await?)
}

pub async fn create(state: web::Data<AppState>, visitor: Visitor, body: web::Bytes) -> AppResult<HttpResponse> {
    let form = forms::Pairs::read(&visitor, &body)?;
    let member = visitor.member()?.clone();
    let (name, expires) = (form.value("name"), form.value("expires_on"));
    let mut errors = forms::texts(&[("name", &name, api_tokens::MAX_NAME), ("expires_on", &expires, 10)]);
    let chosen: Vec<Scope> = form.values("scope").filter_map(|s| s.parse().ok()).collect();
    let expires_on = if expires.trim().is_empty() { None } else { forms::date(&mut errors, "expires_on", &expires) };
    let new = NewToken { name: name.clone(), scopes: chosen.clone(), expires_on };
    if errors.is_empty() {
        errors = api_tokens::validate(member.kind(), &new);
    }
    if !errors.is_empty() {
        return unprocessable(&page(&state, &visitor, None, name, chosen, expires, errors).await?);
    }
    let actor = visitor.actor();
    let (token, secret) = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let (token, secret) = api_tokens::create(conn, &member.organisation, Some(member.user.id), &new)?;
                audit::record(conn, &actor, AuditAction::ApiTokenCreated, Some(format!("api-token:{}", token.id)), Some(&token.name))?;
                Ok((token, secret))
            })
        })
        .await?;
    let mut shown = page(&state, &visitor, Some(secret), String::new(), Vec::new(), String::new(), FieldErrors::default()).await?;
    shown.layout.flash = Some(crate::i18n::message(visitor.locale, &crate::messages::Message::new("flash-api-token-created").with("name", token.name.as_str())));
    // The secret is in this page only: never cached.
    let mut response = render(&shown)?;
    response.headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn revoke(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let member = visitor.member()?.clone();
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let token = api_tokens::revoke(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::ApiTokenRevoked, Some(format!("api-token:{id}")), Some(&token.name))
            })
        })
        .await?;
    Ok(flash::redirect("/organisation/api-tokens", "flash-api-token-revoked", state.settings.secure_cookies))
}

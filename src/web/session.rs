//! Who is asking: the session cookie, the signed-in member, their language, the access policy
//! and the CSRF check.
//!
//! A middleware resolves the session cookie once per request, chooses the language, applies the
//! access policy to the route (see `web::routes`), and leaves a [`Visitor`] in the request's
//! extensions; pages that show a form start an anonymous session when there is none, so that
//! even the login form carries a CSRF token. It also words error pages in the visitor's
//! language: handlers return [`AppError`]s, and this is where they become pages.

use crate::domain::access::{self, Action, Role};
use crate::domain::identity::{self, Member, OrgKind, Session};
use crate::i18n::Locale;
use crate::web::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::{flash, routes};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};

pub const SESSION_COOKIE: &str = "cg_session";
/// The language chosen with the switcher, for visitors who are not signed in.
pub const LANGUAGE_COOKIE: &str = "cg_lang";
/// A visitor who has not signed in: a random nonce whose signature is their CSRF token.
pub const ANONYMOUS_COOKIE: &str = "cg_anon";

#[derive(Clone)]
pub struct Visitor {
    pub session: Session,
    pub member: Option<Member>,
    pub locale: Locale,
    /// The confirmation left by the previous request, as a catalogue key.
    pub flash: Option<&'static str>,
    /// The path and query of this request.
    pub here: String,
    /// This request's id, as logged and shown on error pages.
    pub request_id: String,
    /// The client's address (see `AppState::client_address`).
    pub address: Option<String>,
    /// The ledger and page state read with the session (see `spending::PageState`), for a GET
    /// or HEAD: pages key what they keep on it rather than read it again. `None` for other
    /// methods, whose handlers may write before they render, and for visitors not signed in.
    pub state_at: Option<crate::domain::spending::PageState>,
}

impl Visitor {
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }

    /// Refuses a state-changing request whose token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        if identity::constant_time_eq(submitted.as_bytes(), self.session.csrf_token.as_bytes()) { Ok(()) } else { Err(AppError::Csrf) }
    }

    pub fn member(&self) -> AppResult<&Member> {
        self.member.as_ref().ok_or(AppError::LoginRequired)
    }

    /// The member, if their organisation is of `kind`; otherwise not found.
    pub fn member_of(&self, kind: OrgKind) -> AppResult<&Member> {
        let m = self.member()?;
        if m.kind() == kind { Ok(m) } else { Err(AppError::NotFound) }
    }

    pub fn role(&self) -> Role {
        Role::of(self.member.as_ref())
    }

    /// Who is acting, for the audit log.
    pub fn actor(&self) -> crate::domain::audit::Actor {
        crate::domain::audit::Actor {
            user_id: self.member.as_ref().map(|m| m.user.id),
            label: self.member.as_ref().map(|m| m.actor()).unwrap_or_else(|| "anonymous".into()),
            address: self.address.clone(),
            request_id: Some(self.request_id.clone()),
        }
    }
}

/// What a member may still do while their organisation waits for them to set up a second factor.
const SETTING_UP_TWO_FACTOR: &[Action] = &[Action::ManageAccount, Action::SignOut, Action::ChooseLanguage];

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Ready<Result<Visitor, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // Missing only when a form is posted without a session cookie: refused as a CSRF failure.
        ready(req.extensions().get::<Visitor>().cloned().ok_or(AppError::Csrf))
    }
}

pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::days(identity::SESSION_DAYS))
        .finish()
}

pub fn anonymous_cookie(nonce: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(ANONYMOUS_COOKIE, nonce.to_string()).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", secure);
    c.make_removal();
    c
}

pub fn language_cookie(locale: Locale, secure: bool) -> Cookie<'static> {
    Cookie::build(LANGUAGE_COOKIE, locale.code()).path("/").same_site(SameSite::Lax).secure(secure).max_age(CookieDuration::days(365)).finish()
}

/// The language of a request: the member's saved choice, else the switcher's cookie, else the
/// browser's `Accept-Language`, else English.
pub fn choose_locale(member: Option<&Member>, req: &ServiceRequest) -> Locale {
    member
        .and_then(|m| m.user.locale.as_deref())
        .and_then(Locale::parse)
        .or_else(|| req.cookie(LANGUAGE_COOKIE).and_then(|c| Locale::parse(c.value())))
        .or_else(|| {
            req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// Resolves the session, applies the access policy, and words errors.
pub async fn resolve(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(AppError::Internal("application state missing".into()).into());
    };
    let request_id = {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string().into()))?;
        hex::encode(bytes)
    };
    let secure = state.settings.secure_cookies;
    let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let may_start = req.method() == actix_web::http::Method::GET;
    let lookup_token = token.clone();
    let signed_in = match lookup_token {
        Some(t) => {
            state
                .db(move |conn| identity::signed_in(conn, &t))
                .await?
        }
        None => None,
    };
    // Not signed in: no database row, a signed nonce (see identity::anonymous_session).
    let mut new_nonce = None;
    let mut state_at = None;
    let found = match signed_in {
        Some(found) => {
            if may_start || req.method() == actix_web::http::Method::HEAD {
                state_at = found.state;
            }
            Some((found.session, found.member))
        }
        None => {
            let existing = req.cookie(ANONYMOUS_COOKIE).and_then(|c| identity::anonymous_session(&state.secret, c.value()));
            match existing {
                Some(session) => Some((session, None)),
                None if may_start => {
                    let nonce = identity::random_token();
                    let session = identity::anonymous_session(&state.secret, &nonce);
                    new_nonce = Some(nonce);
                    session.map(|s| (s, None))
                }
                None => None,
            }
        }
    };
    let member = found.as_ref().and_then(|(_, m)| m.clone());
    let locale = choose_locale(member.as_ref(), &req);
    let flash_in = req.cookie(flash::COOKIE).map(|c| c.value().to_string());
    let here = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    if let Some((session, member)) = found {
        let flash = flash_in.as_deref().and_then(flash::parse);
        let address = client_address(&state, &req).map(|a| a.to_string());
        req.extensions_mut().insert(Visitor { session, member, locale, flash, here: here.clone(), request_id: request_id.clone(), address, state_at });
    }

    // The access policy, before any handler: a route missing from the table is never reached.
    let role = Role::of(member.as_ref());
    let verdict = match req.match_pattern() {
        Some(pattern) => match routes::action_of(req.method().as_str(), &pattern) {
            // An organisation that requires a second factor lets its members do nothing else
            // until they have set one up.
            Some(action) if member.as_ref().is_some_and(Member::must_set_up_two_factor) && !SETTING_UP_TWO_FACTOR.contains(&action) => {
                Err(AppError::TwoFactorRequired)
            }
            Some(action) if access::permits(member.as_ref(), action) => Ok(()),
            Some(_) if role == Role::Visitor => Err(AppError::LoginRequired),
            _ => Err(AppError::NotFound),
        },
        None => Ok(()),
    };
    let is_get = may_start;
    // A signed-in organisation's requests take one of its places for their whole duration.
    let place = match (&verdict, member.as_ref()) {
        (Ok(()), Some(m)) => match state.fair_share.enter(m.org_id(), crate::web::fair_share::WAIT).await {
            Some(permit) => Some(permit),
            None => {
                log::warn!("organisation {} is over its share of requests", m.org_id());
                let page = AppError::Busy.page(locale, None, Some(&request_id));
                return Ok(req.into_response(page).map_into_boxed_body());
            }
        },
        _ => None,
    };
    let mut response = match verdict {
        Ok(()) => next.call(req).await?.map_into_boxed_body(),
        Err(e) => {
            let mut page = e.page(locale, is_get.then_some(here.as_str()), Some(&request_id));
            // Refused before its body was read: the connection cannot carry another request.
            if !is_get {
                page.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
            }
            req.into_response(page)
        }
    };
    drop(place);
    // Errors returned by handlers become pages in the visitor's language.
    let worded = response.response().error().and_then(|e| e.as_error::<AppError>()).map(|e| e.page(locale, is_get.then_some(here.as_str()), Some(&request_id)));
    if let Some(page) = worded {
        response = response.into_response(page);
    }
    // The id people quote from an error page, and the access log prints.
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&request_id) {
        response.response_mut().headers_mut().insert(actix_web::http::header::HeaderName::from_static("x-request-id"), value);
    }
    if let Some(nonce) = new_nonce {
        let signing_in = response.response().cookies().any(|c| c.name() == SESSION_COOKIE);
        if !signing_in {
            response.response_mut().add_cookie(&anonymous_cookie(&nonce, secure))?;
        }
    }
    // Pages carry CSRF tokens and, once signed in, people's data: never kept by a cache.
    if !response.headers().contains_key(actix_web::http::header::CACHE_CONTROL) {
        response.response_mut().headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    }
    // A flash is shown once: the page that showed it clears it, unless it sets a new one.
    if flash_in.is_some() && !response.response().cookies().any(|c| c.name() == flash::COOKIE) {
        response.response_mut().add_cookie(&flash::removal(secure))?;
    }
    Ok(response)
}

/// The client's address (see `web::client_address`).
pub fn client_address(state: &AppState, req: &ServiceRequest) -> Option<std::net::IpAddr> {
    crate::web::client_address(state.settings.trust_forwarded_for, req.headers(), req.peer_addr())
}

/// A url-encoded form whose `csrf_token` field has been checked against the session.
pub struct CsrfForm<T>(pub T, pub Visitor);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<CsrfForm<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let visitor = req.extensions().get::<Visitor>().cloned();
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.ok_or(AppError::Csrf)?;
            let bytes = body.await.map_err(|_| AppError::TooLarge)?;
            #[derive(serde::Deserialize)]
            struct Token {
                #[serde(default)]
                csrf_token: String,
            }
            let token: Token = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadForm)?;
            visitor.check_csrf(&token.csrf_token)?;
            let form: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
                log::info!("form refused: {e}");
                AppError::BadForm
            })?;
            Ok(CsrfForm(form, visitor))
        })
    }
}

/// A local path to return to after signing in or choosing a language: `/…` only, never
/// `//host` or a scheme, so the parameter cannot send anyone to another site.
pub fn local_path(candidate: &str) -> Option<&str> {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && candidate.len() <= 1024
        && !candidate.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(candidate)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::local_path("/programmes/3?x=1"), Some("/programmes/3?x=1"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "/a b", "/\tx", ""] {
            assert_eq!(super::local_path(bad), None, "{bad:?}");
        }
    }
}

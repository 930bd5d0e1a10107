//! Who is asking: the session cookie, the signed-in member, and the CSRF check.
//!
//! A middleware resolves the session cookie once per request and leaves a [`Visitor`] in the
//! request's extensions; pages that show a form start an anonymous session when there is none,
//! so that even the login form carries a CSRF token.

use crate::domain::accounts::{self, Member, OrgKind, Session};
use crate::web::AppState;
use crate::web::error::{AppError, AppResult};
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};

pub const SESSION_COOKIE: &str = "cg_session";

#[derive(Clone)]
pub struct Visitor {
    pub session: Session,
    pub member: Option<Member>,
}

impl Visitor {
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }

    /// Refuses a state-changing request whose token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        if constant_time_eq(submitted.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    pub fn member(&self) -> AppResult<&Member> {
        self.member.as_ref().ok_or(AppError::LoginRequired)
    }

    /// The member, if their organisation is of `kind`; otherwise not found.
    pub fn member_of(&self, kind: OrgKind) -> AppResult<&Member> {
        let m = self.member()?;
        if m.kind() == kind { Ok(m) } else { Err(AppError::NotFound) }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Ready<Result<Visitor, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // Missing only when the middleware could not reach the database; a form posted without a
        // session cookie also lands here, and is refused as a CSRF failure.
        ready(req.extensions().get::<Visitor>().cloned().ok_or(AppError::Csrf))
    }
}

pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::days(accounts::SESSION_DAYS))
        .finish()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", secure);
    c.make_removal();
    c
}

/// Resolves the session (starting an anonymous one on GET pages) and stores the [`Visitor`].
pub async fn resolve(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let may_start = req.method() == actix_web::http::Method::GET;
    let lookup_token = token.clone();
    let found = state
        .db(move |conn| {
            let existing = match &lookup_token {
                Some(t) => accounts::find_session(conn, t)?,
                None => None,
            };
            let (new_token, session) = match existing {
                Some(s) => (None, Some(s)),
                None if may_start => {
                    let (t, s) = accounts::start_session(conn, None)?;
                    (Some(t), Some(s))
                }
                None => (None, None),
            };
            let member = match session.as_ref().and_then(|s| s.user_id) {
                Some(user_id) => Some(accounts::member(conn, user_id)?),
                None => None,
            };
            Ok((new_token, session.map(|session| Visitor { session, member })))
        })
        .await;
    let (new_token, visitor) = match found {
        Ok(v) => v,
        Err(e) => return Err(e.into()),
    };
    if let Some(v) = visitor {
        req.extensions_mut().insert(v);
    }
    let mut response = next.call(req).await?;
    if let Some(t) = new_token {
        let already_set = response.response().cookies().any(|c| c.name() == SESSION_COOKIE);
        if !already_set {
            response.response_mut().add_cookie(&session_cookie(&t, state.settings.secure_cookies))?;
        }
    }
    Ok(response)
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
            let bytes = body.await.map_err(|_| AppError::TooLarge("the form is too large".into()))?;
            #[derive(serde::Deserialize)]
            struct Token {
                #[serde(default)]
                csrf_token: String,
            }
            let token: Token = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
            visitor.check_csrf(&token.csrf_token)?;
            let form: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}.")))?;
            Ok(CsrfForm(form, visitor))
        })
    }
}

//! The JSON API under `/api/v1`: bearer tokens (see `domain::api_tokens`), the same access
//! policy as the pages plus the token's scopes, RFC 9457 problems in the language of
//! `Accept-Language`, `Idempotency-Key` on every POST, and rate limits per token and per client
//! address. No cookie is read here, so CSRF does not arise.
//!
//! Every operation is a row of `web::routes::API_ROUTES` (method, path, action, scope); the
//! middleware [`guard`] refuses any other before a handler runs.

pub mod docs;
pub mod handlers;

use crate::domain::access::{self, Action};
use crate::domain::api_tokens::{self, ApiToken, Scope};
use crate::domain::audit::Actor;
use crate::domain::identity::Member;
use crate::formats::{Problem, Problems};
use crate::i18n::{self, Locale};
use crate::messages::Message;
use crate::web::AppState;
use crate::web::error::AppError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::future::{Ready, ready};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub const PREFIX: &str = "/api/v1";

/// Who is calling: the token, the member it acts as, the language of its problems.
#[derive(Clone)]
pub struct ApiCaller {
    pub token: ApiToken,
    pub member: Member,
    pub locale: Locale,
    pub actor: Actor,
}

impl FromRequest for ApiCaller {
    type Error = ApiError;
    type Future = Ready<Result<ApiCaller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(req.extensions().get::<ApiCaller>().cloned().ok_or(ApiError::Unauthorized))
    }
}

/// What can go wrong, each answered as `application/problem+json`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no valid token")]
    Unauthorized,
    #[error("the token lacks scope {0}")]
    MissingScope(Scope),
    #[error("not found")]
    NotFound,
    #[error("too many requests")]
    TooMany(Duration),
    #[error("bad request: {0}")]
    BadRequest(Message),
    #[error("conflict: {0}")]
    Conflict(Message),
    /// A document or request refused, with every problem and where it is.
    #[error("unprocessable")]
    Unprocessable(Message, Problems),
    #[error("too large")]
    TooLarge(Message),
    /// The path exists, not with this method: the methods it has, for `Allow`.
    #[error("method not allowed")]
    MethodNotAllowed(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<crate::domain::DomainError> for ApiError {
    fn from(e: crate::domain::DomainError) -> ApiError {
        match e {
            crate::domain::DomainError::Invalid(errors) => {
                let mut problems = Problems::default();
                for (field, message) in errors.0 {
                    problems.push(Problem { path: Some(field.to_string()), ..Problem::file(message) });
                }
                ApiError::Unprocessable(Message::new("api-problem-invalid"), problems)
            }
            other => ApiError::from(AppError::from(other)),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::MissingScope(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unprocessable(..) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::App(AppError::LoginRequired | AppError::TwoFactorRequired | AppError::Csrf) => StatusCode::UNAUTHORIZED,
            ApiError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.problem(Locale::En)
    }
}

/// One problem of a document, as the API shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemDetail {
    /// Line in the file (for CSV the header is line 1).
    pub line: Option<u64>,
    /// Column name.
    pub column: Option<String>,
    /// 1-based column position.
    pub column_number: Option<usize>,
    /// The rule broken (EN 16931 BR-…).
    pub rule: Option<String>,
    /// Where in a structured document, or the request field at fault.
    pub path: Option<String>,
    /// The problem's code: the same catalogue key the pages word.
    pub code: String,
    /// The problem, worded in the language of `Accept-Language`.
    pub message: String,
}

impl ProblemDetail {
    pub fn of(locale: Locale, p: &Problem) -> ProblemDetail {
        ProblemDetail {
            line: p.line,
            column: p.column.clone(),
            column_number: p.column_number,
            rule: p.rule.map(str::to_string),
            path: p.path.clone(),
            code: p.message.key.to_string(),
            message: i18n::message(locale, &p.message),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemDocument {
    /// `about:blank` or a problem type URI.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// A stable code for the problem (a catalogue key).
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemDetail>,
    /// Problems found but not listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_shown: Option<u64>,
}

impl ApiError {
    /// The problem document in `locale`.
    pub fn problem(&self, locale: Locale) -> HttpResponse {
        let status = self.status_code();
        let (title_key, message, problems) = match self {
            ApiError::Unauthorized => ("api-problem-unauthorized-title", Message::new("api-problem-unauthorized"), None),
            ApiError::MissingScope(scope) => ("api-problem-forbidden-title", Message::new("api-problem-missing-scope").with("scope", scope.as_str()), None),
            ApiError::NotFound => ("error-not-found-title", Message::new("error-not-found"), None),
            ApiError::TooMany(_) => ("error-too-many-title", Message::new("error-too-many"), None),
            ApiError::BadRequest(m) => ("error-bad-request-title", m.clone(), None),
            ApiError::Conflict(m) => ("error-conflict-title", m.clone(), None),
            ApiError::Unprocessable(m, problems) => ("api-problem-invalid-title", m.clone(), Some(problems)),
            ApiError::TooLarge(m) => ("error-too-large-title", m.clone(), None),
            ApiError::MethodNotAllowed(allow) => ("api-method-not-allowed-title", Message::new("api-method-not-allowed").with("allow", allow.as_str()), None),
            ApiError::App(AppError::LoginRequired | AppError::TwoFactorRequired | AppError::Csrf) => ("api-problem-unauthorized-title", Message::new("api-problem-unauthorized"), None),
            ApiError::App(e) => {
                // The page's wording of the same error, so that codes are shared with the pages.
                let (title, message) = e.wording(None);
                (title, message, None)
            }
        };
        let document = ProblemDocument {
            kind: "about:blank".into(),
            title: i18n::text(locale, title_key),
            status: status.as_u16(),
            detail: i18n::message(locale, &message),
            code: message.key.to_string(),
            problems: problems.map(|p| p.shown.iter().map(|p| ProblemDetail::of(locale, p)).collect()).unwrap_or_default(),
            not_shown: problems.map(|p| p.not_shown).filter(|n| *n > 0),
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json").insert_header(("Content-Language", locale.code()));
        match self {
            ApiError::Unauthorized | ApiError::App(AppError::LoginRequired | AppError::TwoFactorRequired | AppError::Csrf) => {
                response.insert_header(("WWW-Authenticate", "Bearer realm=\"computegrants\""));
            }
            ApiError::TooMany(wait) => {
                response.insert_header(("Retry-After", wait.as_secs().max(1).to_string()));
            }
            ApiError::App(AppError::Busy) => {
                response.insert_header(("Retry-After", "5"));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header(("Allow", allow.as_str()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&document).unwrap_or_default())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Runs domain work off the executor. Unlike the pages' [`AppState::db`], a refusal keeps every
/// field's problem (422 with `problems`), so that a tool can tell which field to mend.
pub async fn db<T, F>(state: &AppState, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::AnyConnection) -> crate::domain::DomainResult<T> + Send + 'static,
{
    Ok(state.run(work).await??)
}

/// Rate limits of the API: per token and per client address, in this server's memory.
pub struct ApiThrottle {
    by_token: DefaultKeyedRateLimiter<i64>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl ApiThrottle {
    /// `per_minute` requests per token (as a burst, then evenly); twice that per address.
    pub fn new(per_minute: u32) -> ApiThrottle {
        let quota = |n: u32| {
            let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
            Quota::per_minute(n).allow_burst(n)
        };
        ApiThrottle { by_token: RateLimiter::keyed(quota(per_minute)), by_address: RateLimiter::keyed(quota(per_minute.saturating_mul(2))) }
    }

    fn wait(not_until: governor::NotUntil<<governor::clock::DefaultClock as governor::clock::Clock>::Instant>) -> Duration {
        not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default())).max(Duration::from_secs(1))
    }

    pub fn check_address(&self, address: IpAddr) -> Result<(), Duration> {
        self.by_address.check_key(&address).map_err(Self::wait)
    }

    pub fn check_token(&self, token_id: i64) -> Result<(), Duration> {
        self.by_token.check_key(&token_id).map_err(Self::wait)
    }
}

/// The language of problems: `Accept-Language`, else English.
fn locale_of(req: &ServiceRequest) -> Locale {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

/// Authenticates, rate-limits and applies the access policy and the token's scope, before any
/// handler; words handlers' errors in the caller's language.
pub async fn guard(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let locale = locale_of(&req);
    let refuse = |req: ServiceRequest, e: ApiError| Ok(req.into_response(e.problem(locale)).map_into_boxed_body());
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return refuse(req, ApiError::App(AppError::Internal("application state missing".into())));
    };
    let pattern = req.match_pattern().unwrap_or_default();
    let relative = pattern.strip_prefix(PREFIX).unwrap_or(&pattern).to_string();
    let Some(rule) = crate::web::routes::api_rule(req.method().as_str(), &relative) else {
        let allow: Vec<&str> = crate::web::routes::API_ROUTES.iter().filter(|r| r.path == relative).map(|r| r.method).collect();
        if allow.is_empty() {
            return refuse(req, ApiError::NotFound);
        }
        return refuse(req, ApiError::MethodNotAllowed(allow.join(", ").to_uppercase()));
    };
    let Some(scope) = rule.scope else {
        // Public: the API's own description.
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let address = crate::web::session::client_address(&state, &req);
    if let Some(address) = address {
        if let Err(wait) = state.api_throttle.check_address(address) {
            return refuse(req, ApiError::TooMany(wait));
        }
    }
    let secret = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|s| s.trim().to_string());
    let Some(secret) = secret else { return refuse(req, ApiError::Unauthorized) };
    let found = match state.db(move |conn| api_tokens::authenticate(conn, &secret)).await {
        Ok(found) => found,
        Err(e) => return refuse(req, ApiError::App(e)),
    };
    let Some((token, member)) = found else { return refuse(req, ApiError::Unauthorized) };
    if let Err(wait) = state.api_throttle.check_token(token.id) {
        return refuse(req, ApiError::TooMany(wait));
    }
    if !token.has(scope) {
        return refuse(req, ApiError::MissingScope(scope));
    }
    if !access::permits(Some(&member), rule.action) {
        return refuse(req, ApiError::NotFound);
    }
    let request_id = {
        let mut bytes = [0u8; 6];
        let _ = getrandom::fill(&mut bytes);
        hex::encode(bytes)
    };
    let actor = Actor { user_id: Some(member.user.id), label: member.actor(), address: address.map(|a| a.to_string()), request_id: Some(request_id) };
    req.extensions_mut().insert(ApiCaller { token, member, locale, actor });
    let mut response = next.call(req).await?.map_into_boxed_body();
    // A key claimed by a request that kept no answer (refused, failed) is free again.
    let claimed = response.request().extensions_mut().remove::<ClaimedKey>();
    if let Some(ClaimedKey { token_id, key }) = claimed {
        if let Err(e) = state.db(move |conn| api_tokens::release_key(conn, token_id, &key)).await {
            log::error!("api: an idempotency key could not be released: {e}");
        }
    }
    let worded = response.response().error().and_then(|e| e.as_error::<ApiError>()).map(|e| e.problem(locale));
    if let Some(problem) = worded {
        response = response.into_response(problem);
    }
    response.response_mut().headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A query string or path the operation cannot read is a problem document (400, or 404 for a
/// path), like every other error of the API, not actix's plain-text answer.
pub fn extractors(scope: actix_web::Scope) -> actix_web::Scope {
    scope
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            log::info!("api query refused: {e}");
            ApiError::BadRequest(Message::new("api-query-invalid")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
}

/// Any path under `/api/v1` that no operation has.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let locale = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default();
    ApiError::NotFound.problem(locale)
}

/// The route an action belongs to is checked by [`guard`]; this names it for handlers that
/// check objects of another kind.
pub fn permits(caller: &ApiCaller, action: Action) -> bool {
    access::permits(Some(&caller.member), action)
}

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

/// The request's `Idempotency-Key`, if any.
pub fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().map_err(|_| ApiError::BadRequest(Message::new("api-idempotency-key-invalid")))?.trim().to_string();
            if key.is_empty() || key.len() > MAX_KEY {
                return Err(ApiError::BadRequest(Message::new("api-idempotency-key-invalid")));
            }
            Ok(Some(key))
        }
    }
}

/// A key this request claimed: released by [`guard`] when the request ends without an answer
/// kept under it.
#[derive(Clone)]
struct ClaimedKey {
    token_id: i64,
    key: String,
}

/// Claims the request's key before its work. The first answer to this key, when the same
/// request comes again; a 409 when another request used it, or while the first request under
/// it is still at work (two racing with one key never both do the work).
pub async fn replay(state: &AppState, caller: &ApiCaller, req: &HttpRequest, key: Option<&str>, request_sha256: &str) -> ApiResult<Option<HttpResponse>> {
    let Some(key) = key else { return Ok(None) };
    let (token_id, key, sha) = (caller.token.id, key.to_string(), request_sha256.to_string());
    let claim = state.db({
        let key = key.clone();
        move |conn| api_tokens::claim_key(conn, token_id, &key, &sha)
    })
    .await?;
    match claim {
        api_tokens::KeyClaim::Claimed => {
            req.extensions_mut().insert(ClaimedKey { token_id, key });
            Ok(None)
        }
        api_tokens::KeyClaim::InProgress { request_sha256: sha } if sha == request_sha256 => Err(ApiError::Conflict(Message::new("api-idempotency-key-in-progress"))),
        api_tokens::KeyClaim::Answered { request_sha256: sha, status, body } if sha == request_sha256 => {
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(200)).unwrap_or(StatusCode::OK);
            Ok(Some(HttpResponse::build(status).content_type("application/json").insert_header(("Idempotent-Replayed", "true")).body(body)))
        }
        _ => Err(ApiError::Conflict(Message::new("api-idempotency-key-reused"))),
    }
}

/// Answers with `body` and keeps the answer under the request's key.
pub async fn answer<T: serde::Serialize>(state: &AppState, caller: &ApiCaller, req: &HttpRequest, key: Option<String>, request_sha256: String, status: StatusCode, body: &T) -> ApiResult<HttpResponse> {
    let json = serde_json::to_string(body).map_err(|e| ApiError::App(AppError::Internal(Box::new(e))))?;
    if let Some(key) = key {
        let (token_id, json, code) = (caller.token.id, json.clone(), i32::from(status.as_u16()));
        state.db(move |conn| api_tokens::keep_answer(conn, token_id, &key, &request_sha256, code, &json)).await?;
        req.extensions_mut().remove::<ClaimedKey>();
    }
    Ok(HttpResponse::build(status).content_type("application/json").body(json))
}

/// `?after=ID&limit=N`: newest first, at most [`MAX_LIMIT`] a page.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Only items older than this id (the `next` of the previous page).
    #[param(minimum = 1)]
    pub after: Option<i64>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

pub const MAX_LIMIT: i64 = 100;
const DEFAULT_LIMIT: i64 = 50;

/// One page of a list, newest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page (`?after=`), when there is one.
    pub next: Option<i64>,
}

impl PageQuery {
    /// The rows to read: one more than the page, to know whether another follows.
    pub fn window(&self) -> ApiResult<crate::domain::Window> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest(Message::new("api-limit-invalid").with("max", MAX_LIMIT)));
        }
        if self.after.is_some_and(|a| a < 1) {
            return Err(ApiError::BadRequest(Message::new("api-query-invalid")));
        }
        Ok(crate::domain::Window { after: self.after, take: limit + 1 })
    }

    /// The page of `rows` (read newest first through [`PageQuery::window`]).
    pub fn page<T, U>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> i64, show: impl Fn(T) -> U) -> Page<U> {
        let limit = usize::try_from(self.limit.unwrap_or(DEFAULT_LIMIT)).unwrap_or(0);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&id)
        } else {
            None
        };
        Page { items: rows.into_iter().map(show).collect(), next }
    }
}

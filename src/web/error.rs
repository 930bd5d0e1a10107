//! The web layer's error type and its one mapping to HTTP responses: a friendly page in the
//! visitor's language, never a stack trace or a database message. What the person sees is a
//! catalogue message; what is logged is the cause.

use crate::db::DbError;
use crate::domain::DomainError;
use crate::i18n::{self, Locale};
use crate::ledger::LedgerError;
use crate::messages::{Arg, Message};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("sign-in required")]
    LoginRequired,
    /// The organisation requires a second factor that this member has not set up yet.
    #[error("second factor required")]
    TwoFactorRequired,
    #[error("the form has expired or did not come from this site")]
    Csrf,
    #[error("the form could not be read")]
    BadForm,
    #[error("refused: {0}")]
    BadRequest(Message),
    #[error("conflict: {0}")]
    Conflict(Message),
    #[error("request too large")]
    TooLarge,
    #[error("too many requests")]
    TooManyRequests,
    /// No capacity now (no database connection in time, or this organisation's share in use).
    #[error("busy")]
    Busy,
    /// Ours: logged with its whole cause chain and the request's id, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        match e {
            DomainError::NotFound => AppError::NotFound,
            // Forbidden domain actions answer 404 so that existence does not leak.
            DomainError::Forbidden(_) => AppError::NotFound,
            DomainError::Invalid(errors) => {
                log::info!("invalid input outside a form: {errors}");
                AppError::BadRequest(errors.0.into_iter().next().map(|(_, m)| m).unwrap_or_else(|| Message::new("error-bad-request")))
            }
            DomainError::Conflict(message) => AppError::Conflict(message),
            DomainError::Ledger(e) => AppError::from(e),
            DomainError::Database(e) if database_unavailable(&e) => unavailable(&e),
            DomainError::Database(e) => AppError::Internal(Box::new(e)),
            DomainError::Internal(e) => AppError::Internal(e.into()),
            DomainError::NotKept => AppError::Internal("a read without a connection reached a response".into()),
        }
    }
}

/// Ledger refusals are business answers (409); a storage failure, or stored data this version
/// cannot read, is ours (500).
impl From<LedgerError> for AppError {
    fn from(e: LedgerError) -> AppError {
        match e {
            LedgerError::Database(e) if database_unavailable(&e) => unavailable(&e),
            cause @ (LedgerError::Database(_) | LedgerError::UnknownValue { .. }) => AppError::Internal(Box::new(cause)),
            LedgerError::LimitExceeded { account, currency, available, requested } => AppError::Conflict(
                Message::new("ledger-limit-exceeded")
                    .with("account", account)
                    .with("available", Arg::Money { cents: available.cents(), currency: currency.clone() })
                    .with("requested", Arg::Money { cents: requested.cents(), currency }),
            ),
            other => {
                log::warn!("ledger refused: {other}");
                AppError::Conflict(Message::new("ledger-refused"))
            }
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> AppError {
        match e {
            // Every connection busy for longer than the wait: a capacity answer, not a crash.
            DbError::Pool(cause) => {
                log::warn!("no database connection in time: {cause}");
                AppError::Busy
            }
            DbError::Query(e) if database_unavailable(&e) => unavailable(&e),
            DbError::Connect(cause) => {
                log::warn!("the database refuses connections: {cause}");
                AppError::Busy
            }
            other => AppError::Internal(Box::new(other)),
        }
    }
}

/// The database went away under the request (restarted, shutting down, connection cut): the
/// request did not happen, and trying again shortly will work. Not a bug of ours.
pub fn database_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            [
                "terminating connection",
                "the database system is shutting down",
                "the database system is starting up",
                "server closed the connection",
                "no connection to the server",
                "connection to server",
            ]
            .iter()
            .any(|known| message.contains(known))
        }
        _ => false,
    }
}

fn unavailable(cause: &diesel::result::Error) -> AppError {
    log::warn!("the database is unavailable: {cause}");
    AppError::Busy
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(Box::new(e))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::Internal(e.to_string().into())
    }
}

/// An error and every cause under it, for the log: `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Template)]
#[template(path = "layouts/error.html")]
struct ErrorPage {
    lang: &'static str,
    #[allow(dead_code)]
    status: u16,
    title: String,
    message: String,
    status_line: String,
    back: String,
    brand: String,
}

impl AppError {
    /// The catalogue keys of this error's title and message, shared by the pages and the API's
    /// problem documents (so both word it alike, with the same code). An internal error is
    /// logged here, with its cause chain and the request's reference when there is one.
    pub fn wording(&self, request_id: Option<&str>) -> (&'static str, Message) {
        match self {
            AppError::NotFound => ("error-not-found-title", Message::new("error-not-found")),
            AppError::Csrf => ("error-csrf-title", Message::new("error-csrf")),
            AppError::BadForm => ("error-bad-request-title", Message::new("error-bad-form")),
            AppError::BadRequest(m) => ("error-bad-request-title", m.clone()),
            AppError::Conflict(m) => ("error-conflict-title", m.clone()),
            AppError::TooLarge => ("error-too-large-title", Message::new("error-too-large")),
            AppError::TooManyRequests => ("error-too-many-title", Message::new("error-too-many")),
            AppError::Busy => ("error-busy-title", Message::new("error-busy")),
            AppError::Internal(cause) => {
                log::error!("request {}: internal error: {}", request_id.unwrap_or("-"), chain(cause.as_ref()));
                let message = match request_id {
                    Some(id) => Message::new("error-internal-reference").with("reference", id),
                    None => Message::new("error-internal"),
                };
                ("error-internal-title", message)
            }
            AppError::LoginRequired | AppError::TwoFactorRequired => ("error-not-found-title", Message::new("error-not-found")),
        }
    }

    /// The page for this error in `locale`. `return_to` is the page a sign-in should come back
    /// to (GET requests only).
    pub fn page(&self, locale: Locale, return_to: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        if let AppError::LoginRequired = self {
            let target = match return_to.and_then(crate::web::session::local_path) {
                Some(path) if path != "/" => format!("/login?next={}", encode_query(path)),
                _ => "/login".to_string(),
            };
            return HttpResponse::SeeOther().insert_header(("Location", target)).finish();
        }
        if let AppError::TwoFactorRequired = self {
            return HttpResponse::SeeOther().insert_header(("Location", "/account/two-factor")).finish();
        }
        let (title_key, message) = self.wording(request_id);
        let status = self.status_code();
        let title = i18n::text(locale, title_key);
        let page = ErrorPage {
            lang: locale.code(),
            status: status.as_u16(),
            message: i18n::message(locale, &message),
            status_line: i18n::message(locale, &Message::new("error-status").with("status", status.as_u16().to_string())),
            back: i18n::text(locale, "error-back-home"),
            brand: i18n::text(locale, "brand"),
            title,
        };
        let body = page.render().unwrap_or_else(|_| format!("<!doctype html><title>{}</title>", status.as_u16()));
        let mut response = HttpResponse::build(status);
        if matches!(self, AppError::Busy) {
            response.insert_header(("Retry-After", "5"));
        }
        response.content_type("text/html; charset=utf-8").body(body)
    }
}

/// Percent-encodes a path for a query parameter.
pub fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::LoginRequired | AppError::TwoFactorRequired => StatusCode::SEE_OTHER,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadForm | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// English, for the few responses made outside the session middleware; inside it, the
    /// middleware words the page again in the visitor's language.
    fn error_response(&self) -> HttpResponse {
        self.page(Locale::En, None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_failure_is_ours_never_a_business_refusal() {
        // The defect: LedgerError::Database reached people as 409 "conflict" with the database text.
        let e = AppError::from(DomainError::Ledger(LedgerError::Database(diesel::result::Error::BrokenTransactionManager)));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let e = AppError::from(DomainError::Database(diesel::result::Error::BrokenTransactionManager));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let unreadable = AppError::from(LedgerError::UnknownValue { column: "ledger_entries.kind", value: "refund".into() });
        assert_eq!(unreadable.status_code(), StatusCode::INTERNAL_SERVER_ERROR, "data we cannot read is our fault");
        let refused = AppError::from(LedgerError::TooFewPostings);
        assert_eq!(refused.status_code(), StatusCode::CONFLICT);
    }
}

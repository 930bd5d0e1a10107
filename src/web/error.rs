//! The web layer's error type and its one mapping to HTTP responses: a friendly page, never a
//! stack trace or a database message.

use crate::db::DbError;
use crate::domain::DomainError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("please sign in")]
    LoginRequired,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("the form has expired or did not come from this site")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        match e {
            DomainError::NotFound => AppError::NotFound,
            // Forbidden domain actions answer 404 so that existence does not leak.
            DomainError::Forbidden(_) => AppError::NotFound,
            DomainError::Invalid(errors) => AppError::BadRequest(errors.to_string()),
            DomainError::Conflict(message) => AppError::Conflict(message),
            DomainError::Ledger(e) => AppError::Conflict(e.to_string()),
            DomainError::Database(e) => AppError::Internal(e.to_string()),
            DomainError::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> AppError {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::Internal(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::LoginRequired => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::LoginRequired = self {
            return HttpResponse::SeeOther().insert_header(("Location", "/login")).finish();
        }
        let (title, message) = match self {
            AppError::NotFound => ("Page not found", "There is nothing here, or it is not yours to see.".to_string()),
            AppError::Forbidden(_) => ("Not allowed", "Your account cannot do this.".to_string()),
            AppError::Csrf => ("Form expired", "This form has expired or did not come from this site. Go back, reload the page and try again.".to_string()),
            AppError::BadRequest(m) => ("Check your input", m.clone()),
            AppError::Conflict(m) => ("That cannot be done now", m.clone()),
            AppError::TooLarge(m) => ("Too large", m.clone()),
            AppError::Internal(detail) => {
                log::error!("internal error: {detail}");
                ("Something went wrong", "An unexpected error happened on our side. It has been logged; please try again.".to_string())
            }
            AppError::LoginRequired => unreachable!(),
        };
        let status = self.status_code();
        let body = ErrorPage { status: status.as_u16(), title, message }
            .render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{title}</title><h1>{title}</h1>"));
        HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
    }
}

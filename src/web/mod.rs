//! HTTP: thin handlers that parse, authorise, call the domain and render.

pub mod api;
pub mod charts;
pub mod error;
pub mod export;
pub mod fair_share;
pub mod flash;
pub mod forms;
pub mod layout;
pub mod pages;
pub mod routes;
pub mod session;
pub mod throttle;

use crate::config::Settings;
use crate::db::{AnyConnection, DbError, Pool};
use crate::domain::DomainResult;
use actix_web::{HttpResponse, web};
use error::{AppError, AppResult};

pub struct AppState {
    pub pool: Pool,
    /// Wakes the mail worker when mail was queued, so it goes out at once rather than at the
    /// worker's next poll.
    pub mail_wakeup: std::sync::mpsc::Sender<()>,
    /// Wakes the usage worker when a large file was queued.
    pub usage_wakeup: std::sync::mpsc::Sender<()>,
    pub settings: Settings,
    /// Signs anonymous visitors' CSRF tokens (see `identity::anonymous_session`).
    pub secret: Vec<u8>,
    pub throttle: throttle::LoginThrottle,
    /// The JSON API's rate limits, per token and per client address.
    pub api_throttle: api::ApiThrottle,
    /// Bounds how many argon2 computations run at once: one per core.
    pub hashing: tokio::sync::Semaphore,
    /// Each organisation's share of the request capacity (see `fair_share`).
    pub fair_share: fair_share::FairShare,
    /// Spending figures, kept while the ledger has not moved (see `spending::SpendCache`).
    pub spend_cache: std::sync::Arc<crate::domain::spending::SpendCache>,
    /// Dropped with the server: the maintenance thread then stops.
    pub _maintenance: std::sync::mpsc::Sender<()>,
}

impl AppState {
    /// Runs domain work on a pooled connection off the async executor; domain errors stay
    /// domain errors so that a form can show them next to its fields.
    pub async fn run<T, F>(&self, work: F) -> AppResult<DomainResult<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> DomainResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || -> AppResult<DomainResult<T>> {
            let mut conn = pool.get().map_err(DbError::from)?;
            Ok(work(&mut conn))
        })
        .await?
    }

    /// Like [`AppState::run`], with domain errors turned into responses.
    pub async fn db<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> DomainResult<T> + Send + 'static,
    {
        Ok(self.run(work).await??)
    }

    /// Runs `work` at once, on this thread and without a connection, when the request knows its
    /// state (`Visitor::state_at`) and everything `work` reads is kept at that state; otherwise
    /// like [`AppState::db`], on a pooled connection (see `spending::Reads`). A kept page then
    /// takes nothing from the pool that every other request queues for.
    pub async fn kept_or_db<T, F>(&self, known: Option<crate::domain::spending::PageState>, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: Fn(&mut dyn crate::domain::spending::Reads) -> DomainResult<T> + Send + 'static,
    {
        if known.is_some() {
            match work(&mut crate::domain::spending::NoConnection) {
                Err(crate::domain::DomainError::NotKept) => {}
                done => return Ok(done?),
            }
        }
        self.db(move |conn| work(conn)).await
    }

    /// The address people reach the app at, for links in mails.
    pub fn base_url(&self) -> String {
        self.settings.public_url.clone().unwrap_or_else(|| format!("http://{}", self.settings.bind))
    }

    /// Runs password hashing off the executor, without a database connection, a bounded
    /// number at a time.
    pub async fn hash<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
        let _permit = self.hashing.acquire().await.map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(web::block(work).await?)
    }

    /// The client's address for throttling: the peer, or the first `Forwarded`/`X-Forwarded-For`
    /// hop when `TRUST_FORWARDED_FOR` says a proxy we run sets it.
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        client_address(self.settings.trust_forwarded_for, req.headers(), req.peer_addr())
    }

    /// Where mail goes when no mail server is configured (development and demo): pages that
    /// say "check your inbox" say where to look instead.
    pub fn mail_folder(&self) -> Option<String> {
        match self.settings.mail.smtp_url {
            Some(_) => None,
            None => Some(self.settings.mail.outbox.display().to_string()),
        }
    }

    pub fn wake_mailer(&self) {
        // A worker that has stopped only means the mail waits for the next start.
        let _ = self.mail_wakeup.send(());
    }
}

/// Renders a template as a page with the given status.
pub fn render_with(status: actix_web::http::StatusCode, template: &impl askama::Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

pub fn render(template: &impl askama::Template) -> AppResult<HttpResponse> {
    render_with(actix_web::http::StatusCode::OK, template)
}

/// A form shown again with its errors next to the fields (422).
pub fn unprocessable(template: &impl askama::Template) -> AppResult<HttpResponse> {
    render_with(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, template)
}

/// Post/redirect/get: after a change, send the browser to the page that shows it.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to)).finish()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use pages::*;
    cfg.service(web::resource("/healthz").get(health::healthz)).service(web::resource("/static/app.css").get(health::stylesheet))
        .service(
            // The JSON API reads no cookie: its own guard, before the pages' session middleware.
            api::extractors(routes::register_api(web::scope(api::PREFIX))).wrap(actix_web::middleware::from_fn(api::guard)).default_service(web::to(api::not_found)),
        )
        .service(
        routes::register(web::scope("")).wrap(actix_web::middleware::from_fn(session::resolve)).default_service(web::to(home::not_found)),
    );
}

/// Parses a path id of the type the handler asks for (`ProgrammeId`, `GrantId`, …); anything
/// else is simply a page that does not exist.
pub fn path_id<Id: std::str::FromStr>(raw: &str) -> AppResult<Id> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The client's address: the peer, or — behind a proxy we run (`TRUST_FORWARDED_FOR`) — the
/// last hop of `X-Forwarded-For`, the one that proxy appended. Earlier hops are whatever the
/// client wrote and are never trusted.
pub fn client_address(trust_forwarded_for: bool, headers: &actix_web::http::header::HeaderMap, peer: Option<std::net::SocketAddr>) -> Option<std::net::IpAddr> {
    if trust_forwarded_for {
        let last_hop = headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .map(str::trim)
            .and_then(|hop| hop.parse::<std::net::IpAddr>().ok().or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())));
        if last_hop.is_some() {
            return last_hop;
        }
    }
    peer.map(|a| a.ip())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_last_forwarded_hop_is_trusted() {
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(actix_web::http::header::HeaderName::from_static("x-forwarded-for"), "6.6.6.6, 203.0.113.9".parse().unwrap());
        let peer: Option<std::net::SocketAddr> = "10.0.0.2:5000".parse().ok();
        assert_eq!(super::client_address(true, &headers, peer), "203.0.113.9".parse().ok());
        assert_eq!(super::client_address(false, &headers, peer), "10.0.0.2".parse().ok(), "not behind a proxy: the peer");
    }
}

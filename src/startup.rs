//! Building and running the HTTP application.

use crate::config::Settings;
use crate::db::{self, DbError};
use crate::mail::{MailError, Mailer};
use crate::web::{self, AppState};
use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware};
use std::net::TcpListener;

/// Request bodies larger than this are refused; usage uploads have their own limit.
const FORM_LIMIT_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    #[error(transparent)]
    Catalogue(#[from] crate::i18n::CatalogueError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates and binds. With `bind` port 0 the system picks a free port, which is
    /// how tests run many servers side by side.
    pub fn build(mut settings: Settings) -> Result<Application, StartupError> {
        crate::i18n::init()?;
        let pool = db::pool(&settings.database_url, settings.pool_size)?;
        {
            let mut conn = pool.get().map_err(DbError::from)?;
            db::run_migrations(&mut conn)?;
        }
        let mailer = Mailer::new(&settings.mail)?;
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?;
        let port = listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?.port();
        if settings.public_url.is_none() {
            let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
            settings.public_url = Some(format!("http://{host}:{port}"));
        }
        let state = actix_web::web::Data::new(AppState { pool, mailer, settings });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(actix_web::web::FormConfig::default().limit(FORM_LIMIT_BYTES))
                .app_data(actix_web::web::PayloadConfig::new(FORM_LIMIT_BYTES))
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "same-origin"))
                        .add(("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'")),
                )
                .wrap(middleware::Logger::new("%a \"%r\" %s %b %Dms request=%{x-request-id}o"))
                .configure(web::routes)
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind { addr: "listener".into(), source })?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for callers (tests) that spawn it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

//! HTTP: thin handlers that parse, authorise, call the domain and render.

pub mod error;
pub mod layout;
pub mod pages;
pub mod session;

use crate::config::Settings;
use crate::db::{AnyConnection, DbError, Pool};
use crate::domain::DomainResult;
use crate::mail::{Mail, Mailer};
use actix_web::{HttpResponse, web};
use error::{AppError, AppResult};

pub struct AppState {
    pub pool: Pool,
    pub mailer: Mailer,
    pub settings: Settings,
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

    /// Sends mail in the background: a slow or failing mail server never fails the request
    /// whose decision is already committed; failures are logged.
    pub fn send_mail(&self, mail: Mail) {
        let mailer = self.mailer.clone();
        actix_web::rt::task::spawn_blocking(move || {
            if let Err(e) = mailer.send(&mail) {
                log::error!("mail “{}” to {} failed: {e}", mail.subject, mail.to);
            }
        });
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
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/static/app.css").get(health::stylesheet))
        .service(
            web::scope("")
                .wrap(actix_web::middleware::from_fn(session::resolve))
                .route("/", web::get().to(home::home))
                .route("/login", web::get().to(auth::login_form))
                .route("/login", web::post().to(auth::login))
                .route("/logout", web::post().to(auth::logout))
                .route("/signup", web::get().to(auth::signup_form))
                .route("/signup", web::post().to(auth::signup))
                .route("/company", web::get().to(startup::company_form))
                .route("/company", web::post().to(startup::save_company))
                .route("/programmes", web::get().to(programmes::list))
                .route("/programmes/new", web::get().to(programmes::new_form))
                .route("/programmes", web::post().to(programmes::create))
                .route("/programmes/{id}", web::get().to(programmes::show))
                .route("/programmes/{id}/apply", web::get().to(startup::apply_form))
                .route("/programmes/{id}/apply", web::post().to(startup::apply))
                .route("/applications", web::get().to(startup::applications))
                .route("/applications/{id}", web::get().to(applications::show))
                .route("/applications/{id}/decide", web::post().to(applications::decide))
                .route("/applications/{id}/withdraw", web::post().to(applications::withdraw))
                .route("/grants/{id}", web::get().to(grants::show))
                .route("/catalogue", web::get().to(provider::catalogue))
                .route("/usage", web::get().to(provider::uploads))
                .route("/usage/new", web::get().to(provider::upload_form))
                .route("/usage", web::post().to(provider::upload))
                .route("/usage/{id}", web::get().to(provider::show_upload))
                .route("/usage/{id}/confirm", web::post().to(provider::confirm))
                .route("/admin", web::get().to(admin::overview))
                .route("/admin/members", web::post().to(admin::create_member))
                .default_service(web::to(home::not_found)),
        );
}

/// Parses a path id; anything else is simply a page that does not exist.
pub fn path_id(raw: &str) -> AppResult<i64> {
    raw.parse().map_err(|_| AppError::NotFound)
}

use crate::web::AppState;
use crate::web::error::AppResult;
use actix_web::{HttpResponse, web};

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answered = state.db(|conn| crate::db::ping(conn).map_err(Into::into)).await;
    match answered {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ok\n"),
        Err(e) => {
            log::warn!("health check failed: {e}");
            HttpResponse::ServiceUnavailable().content_type("text/plain").body("database unavailable\n")
        }
    }
}

/// The stylesheet, compiled in so the binary serves itself with no files beside it.
pub async fn stylesheet() -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../../static/app.css")))
}

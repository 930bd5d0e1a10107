//! Downloads of tables: the format from the path's extension, the file from
//! [`crate::domain::table`], the name in `Content-Disposition`. Handlers build the table (headers
//! in the reader's language) and hand it here.

use crate::domain::table::{self, Format, Table};
use crate::messages::Message;
use crate::web::error::{AppError, AppResult};
use actix_web::HttpResponse;

/// The format named by a route's `{format}` segment; any other extension is not a page.
pub fn format_of(extension: &str) -> AppResult<Format> {
    Format::parse(extension).ok_or(AppError::NotFound)
}

/// `table` as a file to save, named `computegrants-<stem>.<ext>`.
pub fn download(table: &Table, format: Format, stem: &str) -> AppResult<HttpResponse> {
    let body = match table.render(format) {
        Ok(body) => body,
        Err(table::TableError::TooManyRows { rows }) => {
            return Err(AppError::BadRequest(Message::new("export-too-many-rows").with("count", rows)));
        }
        Err(e) => return Err(AppError::Internal(Box::new(e))),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}\"", table::filename(stem, format))))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body))
}

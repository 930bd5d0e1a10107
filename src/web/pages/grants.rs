use crate::domain::GrantId;
use crate::domain::grants::{self, GrantStatement};
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::session::Visitor;
use crate::web::{AppState, path_id, render};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/grants/show.html")]
struct GrantPage {
    layout: Layout,
    statement: GrantStatement,
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: GrantId = path_id(&path)?;
    let statement = state.db(move |conn| grants::statement(conn, &member, id)).await?;
    render(&GrantPage { layout: Layout::message(&visitor, &Message::new("title-grant").with("code", statement.grant.code.as_str())), statement })
}

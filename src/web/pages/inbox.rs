//! `/inbox`: a funder's applications across its programmes, filtered, searched, paginated.

use crate::domain::applications::ApplicationView;
use crate::domain::inbox::{self, InboxFilter, InboxState};
use crate::domain::paging::PageRequest;
use crate::domain::ProgrammeId;
use crate::web::error::AppResult;
use crate::web::layout::{Layout, Pager};
use crate::web::session::Visitor;
use crate::web::{AppState, render};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(serde::Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    programme: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "pages/applications/inbox.html")]
struct InboxPage {
    layout: Layout,
    applications: Vec<ApplicationView>,
    total: i64,
    pager: Option<Pager>,
    programmes: Vec<(ProgrammeId, String)>,
    statuses: Vec<InboxState>,
    /// The filters as chosen (unknown values read as "any").
    status: String,
    programme: String,
    q: String,
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, query: web::Query<InboxQuery>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let query = query.into_inner();
    let status = InboxState::parse(query.status.trim());
    let programme = query.programme.trim().parse::<i64>().ok().filter(|id| *id > 0).map(ProgrammeId::new);
    let search: String = query.q.trim().chars().take(inbox::MAX_SEARCH_CHARS).collect();
    let filter = InboxFilter { status, programme, search: Some(search.clone()).filter(|s| !s.is_empty()) };
    let page = PageRequest::parse(Some(query.page.as_str()));
    let (found, programmes) = state.db(move |conn| Ok((inbox::inbox(conn, &member, &filter, page)?, inbox::programmes_of(conn, &member)?))).await?;
    let (status, programme) = (status.map(|s| s.as_str().to_string()).unwrap_or_default(), programme.map(|p| p.to_string()).unwrap_or_default());
    let filters = serde_urlencoded::to_string([("status", status.as_str()), ("programme", programme.as_str()), ("q", search.as_str())]).unwrap_or_default();
    let pager = Pager::of_filtered(&found, "/inbox", &filters);
    let total = found.total;
    render(&InboxPage { layout: Layout::new(&visitor, "title-inbox"), applications: found.items, total, pager, programmes, statuses: InboxState::all(), status, programme, q: search })
}

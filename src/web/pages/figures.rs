//! The entries behind a programme's or a grant's figures (see `domain::figures`).

use crate::domain::figures::{self, Figure, FigureEntries};
use crate::domain::paging::PageRequest;
use crate::domain::{GrantId, OrgId, ProgrammeId};
use crate::messages::{Arg, Message};
use crate::web::error::{AppError, AppResult};
use crate::web::layout::{Layout, Pager};
use crate::web::session::Visitor;
use crate::web::{AppState, path_id, render};
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "pages/figures/entries.html")]
struct EntriesPage {
    layout: Layout,
    entries: FigureEntries,
    /// Where the figure is shown: the programme's or the grant's page.
    back: String,
    back_label: String,
    /// "These N entries make X."
    summary: Message,
    pager: Option<Pager>,
}

/// The figure a query names (`default` when it names none); an unknown one is not found.
fn figure_of(query: &HashMap<String, String>, default: Figure) -> AppResult<Figure> {
    match query.get("figure") {
        None => Ok(default),
        Some(text) => text.parse::<Figure>().map_err(|_| AppError::NotFound),
    }
}

fn page_of(visitor: &Visitor, entries: FigureEntries, base: String, back: String, back_label: String) -> EntriesPage {
    // `base` has a query already: the page number is one more parameter.
    let page = &entries.entries;
    let pager = (page.has_previous() || page.has_next()).then(|| Pager {
        first: page.first_shown(),
        last: page.last_shown(),
        total: Some(page.total),
        previous: page.has_previous().then(|| format!("{base}&page={}", page.previous())),
        next: page.has_next().then(|| format!("{base}&page={}", page.next())),
    });
    let title = Message::new("figures-entries-title").with("figure", crate::i18n::text(visitor.locale, &format!("figure-{}", entries.figure)));
    let summary = Message::new("figures-entries-make").with("count", entries.entries.total).with("amount", Arg::money(entries.total, &entries.currency));
    EntriesPage { layout: Layout::message(visitor, &title), entries, back, back_label, summary, pager }
}

/// `/programmes/{id}/entries?figure=…[&funder=…]` (the budget when no figure is named): for
/// whoever reads the programme's report (its own funder, admins).
pub async fn programme_entries(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<HashMap<String, String>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let figure = figure_of(&query, Figure::Budget)?;
    let funder = match query.get("funder") {
        Some(text) => Some(OrgId::new(text.trim().parse::<i64>().map_err(|_| AppError::NotFound)?)),
        None => None,
    };
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let member = visitor.member()?.clone();
    let (entries, name) = state
        .db(move |conn| {
            let entries = figures::programme_entries(conn, &member, id, figure, funder, page)?;
            let name = crate::domain::programmes::get(conn, id)?.name;
            Ok((entries, name))
        })
        .await?;
    let mut base = format!("/programmes/{id}/entries?figure={figure}");
    if let Some(funder) = funder {
        base.push_str(&format!("&funder={funder}"));
    }
    render(&page_of(&visitor, entries, base, format!("/programmes/{id}#figures"), name))
}

/// `/grants/{id}/entries?figure=…` (the balance when no figure is named): for whoever sees the
/// grant.
pub async fn grant_entries(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<HashMap<String, String>>) -> AppResult<HttpResponse> {
    let id: GrantId = path_id(&path)?;
    let figure = figure_of(&query, Figure::Balance)?;
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let member = visitor.member()?.clone();
    let (grant, entries) = state.db(move |conn| figures::grant_entries(conn, &member, id, figure, page)).await?;
    render(&page_of(&visitor, entries, format!("/grants/{id}/entries?figure={figure}"), format!("/grants/{id}#figures"), grant.code))
}

//! One's notifications (`domain::alerts`): the list, newest first, and which kinds come by mail.

use crate::domain::alerts::{self, Alert, AlertKind};
use crate::domain::paging::PageRequest;
use crate::web::error::AppResult;
use crate::web::layout::{Layout, Pager};
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, render};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/account/notifications.html")]
struct NotificationsPage {
    layout: Layout,
    alerts: Vec<Alert>,
    unread: i64,
    pager: Option<Pager>,
    /// Each kind this person can receive, and whether it comes by mail.
    choices: Vec<(AlertKind, bool)>,
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let user = member.user.id;
    let ((alerts, more), unread, off) = state.db(move |conn| Ok((alerts::page_of(conn, user, page)?, alerts::unread_count(conn, user)?, alerts::opted_out(conn, user)?))).await?;
    let pager = Pager::open_ended(page, alerts.len(), more, "/notifications");
    let choices = AlertKind::ALL.iter().filter(|k| k.is_for(member.kind())).map(|k| (*k, !off.contains(k))).collect();
    render(&NotificationsPage { layout: Layout::new(&visitor, "title-notifications"), alerts, unread, pager, choices })
}

/// Marks every notification read.
pub async fn read_all(state: web::Data<AppState>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let user = visitor.member()?.user.id;
    state.db(move |conn| alerts::mark_all_read(conn, user)).await?;
    Ok(flash::redirect("/notifications", "flash-notifications-read", state.settings.secure_cookies))
}

/// The kinds ticked come by mail; the others only in the list. A box left unticked is absent
/// from the form; each box is named after its kind, so a kind added later needs no field here
/// (a missing field would silently turn its mail off when the form is saved).
#[derive(serde::Deserialize)]
pub struct MailChoices {
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

pub async fn choose_mail(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<MailChoices>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let ticked: Vec<(AlertKind, Option<&String>)> = AlertKind::ALL.iter().map(|kind| (*kind, form.fields.get(kind.as_str()))).collect();
    // Kinds this person cannot receive keep coming by mail should their role change.
    let mailed: Vec<AlertKind> = ticked.iter().filter(|(kind, value)| value.is_some() || !kind.is_for(member.kind())).map(|(kind, _)| *kind).collect();
    let user = member.user.id;
    state.db(move |conn| alerts::set_mail_choices(conn, user, &mailed)).await?;
    Ok(flash::redirect("/notifications", "flash-notifications-saved", state.settings.secure_cookies))
}

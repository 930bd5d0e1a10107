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
/// from the form, so each kind is its own field.
#[derive(serde::Deserialize)]
pub struct MailChoices {
    #[serde(default, rename = "application-received")]
    application_received: Option<String>,
    #[serde(default)]
    decision: Option<String>,
    #[serde(default, rename = "credits-used")]
    credits_used: Option<String>,
    #[serde(default, rename = "expiry-soon")]
    expiry_soon: Option<String>,
    #[serde(default, rename = "funder-digest")]
    funder_digest: Option<String>,
    #[serde(default, rename = "grant-changed")]
    grant_changed: Option<String>,
    #[serde(default)]
    offer: Option<String>,
    #[serde(default, rename = "offer-reminder")]
    offer_reminder: Option<String>,
    #[serde(default, rename = "review-assigned")]
    review_assigned: Option<String>,
}

pub async fn choose_mail(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<MailChoices>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let ticked = [
        (AlertKind::ApplicationReceived, &form.application_received),
        (AlertKind::Decision, &form.decision),
        (AlertKind::CreditsUsed, &form.credits_used),
        (AlertKind::ExpirySoon, &form.expiry_soon),
        (AlertKind::FunderDigest, &form.funder_digest),
        (AlertKind::GrantChanged, &form.grant_changed),
        (AlertKind::Offer, &form.offer),
        (AlertKind::OfferReminder, &form.offer_reminder),
        (AlertKind::ReviewAssigned, &form.review_assigned),
    ];
    // Kinds this person cannot receive keep coming by mail should their role change.
    let mailed: Vec<AlertKind> = ticked.iter().filter(|(kind, value)| value.is_some() || !kind.is_for(member.kind())).map(|(kind, _)| *kind).collect();
    let user = member.user.id;
    state.db(move |conn| alerts::set_mail_choices(conn, user, &mailed)).await?;
    Ok(flash::redirect("/notifications", "flash-notifications-saved", state.settings.secure_cookies))
}

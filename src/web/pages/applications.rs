use crate::domain::identity::OrgKind;
use crate::domain::applications;
use crate::domain::clock;
use crate::domain::company::{self, CompanyView};
use crate::domain::applications::{ApplicationView, Decision, EarlierReview, RevisionView};
use crate::domain::notifications;
use crate::messages::Message;
use crate::web::flash;
use crate::domain::audit::{self, AuditAction};
use crate::web::forms::{ChangeRequestForm, DecisionForm};
use crate::domain::{ApplicationId, DomainError, FieldErrors};
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/applications/show.html")]
struct ApplicationPage {
    layout: Layout,
    view: ApplicationView,
    is_funder: bool,
    is_startup: bool,
    form: DecisionForm,
    errors: FieldErrors,
    /// The startup's SME category and de minimis headroom, for the funder deciding (and admins).
    company: Option<CompanyView>,
    /// Each eligibility rule the application failed at submission, worded.
    ineligible: Vec<Message>,
    /// The startup may accept or decline the offer made on this application.
    may_respond: bool,
    /// The offer's deadline has passed (it lapses at the next maintenance run).
    offer_past: bool,
    /// The acceptance form as typed, and its problems.
    declaration_confirmed: bool,
    /// What is offered, until when.
    offer_summary: Option<Message>,
    /// Every submission, oldest first.
    revisions: Vec<RevisionView>,
    /// What changed in the latest revision from the one before: label key, old and new, as shown.
    changes: Vec<(&'static str, String, String)>,
    /// Submitted reviews that scored an earlier revision (for the funder).
    earlier_reviews: Vec<EarlierReview>,
    /// The request-for-changes form as typed, and its problems are in `errors`.
    change_message: String,
    /// Which pot of the reserved quota this applicant would draw on and what is left there, for
    /// the funder deciding (programmes with a quota only).
    quota: Option<Message>,
}

/// What the page shows besides the application: its revisions and the reviews of earlier ones.
struct History {
    revisions: Vec<RevisionView>,
    earlier_reviews: Vec<EarlierReview>,
}

async fn history_of(state: &AppState, visitor: &Visitor, view: &ApplicationView) -> AppResult<History> {
    let id = view.application.id;
    let funder = matches!(visitor.member.as_ref().map(|m| m.kind()), Some(OrgKind::Funder | OrgKind::Platform));
    Ok(state
        .db(move |conn| {
            let revisions = applications::revisions(conn, id)?;
            let earlier_reviews = if funder { applications::earlier_reviews(conn, id, &revisions)? } else { Vec::new() };
            Ok(History { revisions, earlier_reviews })
        })
        .await?)
}

/// The decision form's line on the reserved quota (`domain::quota`): which pot the applicant
/// draws on, by its SME category as it stands, and what is left there.
async fn quota_of(state: &AppState, visitor: &Visitor, view: &ApplicationView) -> AppResult<Option<Message>> {
    let kind = visitor.member.as_ref().map(|m| m.kind());
    if !view.application.is_pending() || !matches!(kind, Some(OrgKind::Funder | OrgKind::Platform)) || view.programme.reserved_share_bp == 0 {
        return Ok(None);
    }
    let (programme, startup_id) = (view.programme.clone(), view.application.startup_id);
    let (category, pots) = state
        .db(move |conn| {
            let (category, _) = company::eligibility_facts(conn, startup_id)?;
            Ok((category, crate::domain::quota::pots(conn, &programme)?))
        })
        .await?;
    let currency = view.programme.currency.as_str();
    let money = |a| crate::messages::Arg::money(a, currency);
    Ok(Some(if crate::domain::quota::draws_on_reserve(category) {
        Message::new("quota-draws-reserve").with("reserved", money(pots.reserved().left)).with("rest", money(pots.rest().left))
    } else {
        let category = category.map(|c| c.as_str()).unwrap_or("unknown");
        Message::new("quota-draws-rest").with("category", category).with("left", money(pots.rest().left))
    }))
}

/// The startup's company as the decision form shows it, for the programme's funder and admins;
/// and for the startup itself while an offer awaits its declaration.
pub(crate) async fn company_of(state: &AppState, visitor: &Visitor, view: &ApplicationView) -> AppResult<Option<CompanyView>> {
    let kind = visitor.member.as_ref().map(|m| m.kind());
    let answering = kind == Some(OrgKind::Startup) && view.application.is_offered();
    if !answering && !matches!(kind, Some(OrgKind::Funder | OrgKind::Platform)) {
        return Ok(None);
    }
    let (startup_id, rules) = (view.application.startup_id, state.settings.de_minimis);
    Ok(Some(state.db(move |conn| company::company_view(conn, startup_id, &rules, clock::today())).await?))
}

fn page(visitor: &Visitor, view: ApplicationView, form: DecisionForm, errors: FieldErrors, company: Option<CompanyView>, history: History) -> AppResult<ApplicationPage> {
    let kind = visitor.member.as_ref().map(|m| m.kind());
    let ineligible = view.application.ineligibility()?.iter().map(|f| f.message()).collect();
    let may_respond = kind == Some(OrgKind::Startup) && crate::domain::access::permits(visitor.member.as_ref(), crate::domain::access::Action::RespondToOffer) && view.application.is_offered();
    let offer_past = view.application.offer_expires_at.is_some_and(|at| at <= clock::now());
    let offer_summary = match (view.application.is_offered(), view.application.approved(), view.application.offer_expires_at) {
        (true, Some(amount), Some(deadline)) => Some(
            Message::new("offer-summary").with("amount", crate::messages::Arg::money(amount, &view.programme.currency)).with("date", crate::messages::Arg::Date(deadline.date())),
        ),
        _ => None,
    };
    let layout = Layout::message(visitor, &Message::new("title-application").with("reference", view.application.reference()));
    let changes = match history.revisions.as_slice() {
        [.., before, after] => applications::changes_between(before, after)
            .into_iter()
            .map(|c| match c.label_key {
                // Amounts as the page writes them.
                "col-requested" => (c.label_key, layout.money(before.revision.requested(), &view.programme.currency), layout.money(after.revision.requested(), &view.programme.currency)),
                _ => (c.label_key, c.old, c.new),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(ApplicationPage {
        revisions: history.revisions,
        changes,
        earlier_reviews: history.earlier_reviews,
        change_message: String::new(),
        quota: None,
        offer_summary,
        may_respond,
        offer_past,
        declaration_confirmed: false,
        ineligible,
        company,
        layout,
        is_funder: kind == Some(OrgKind::Funder),
        is_startup: kind == Some(OrgKind::Startup),
        view,
        form,
        errors,
    })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    let view = state.db(move |conn| applications::application_for(conn, &member, id)).await?;
    let company = company_of(&state, &visitor, &view).await?;
    let history = history_of(&state, &visitor, &view).await?;
    // The decision form is not pre-set: the funder chooses approve or reject.
    let quota = quota_of(&state, &visitor, &view).await?;
    let mut shown = page(&visitor, view, DecisionForm::default(), FieldErrors::default(), company, history)?;
    shown.quota = quota;
    render(&shown)
}

pub async fn decide(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<DecisionForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    let viewer = member.clone();
    let current = state.db(move |conn| applications::application_for(conn, &viewer, id)).await?;
    let decision = match form.parse(visitor.locale, &current.programme.currency) {
        Ok(d) => d,
        Err(errors) => {
            let company = company_of(&state, &visitor, &current).await?;
            let history = history_of(&state, &visitor, &current).await?;
            let quota = quota_of(&state, &visitor, &current).await?;
            let mut shown = page(&visitor, current, form, errors, company, history)?;
            shown.quota = quota;
            return unprocessable(&shown);
        }
    };
    let decider = member.clone();
    let chosen = decision.clone();
    let base_url = state.base_url();
    let actor = visitor.actor();
    let rules = state.settings.de_minimis;
    let override_reason = form.override_reason.clone();
    // The decision and its mail commit together, or neither does.
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let view = applications::decide_overriding(conn, &decider, id, &chosen, &rules, Some(&override_reason))?;
                let (action, reason) = match &chosen {
                    Decision::Approve { .. } => (AuditAction::ApplicationApproved, None),
                    Decision::Reject { reason } => (AuditAction::ApplicationRejected, Some(reason.as_str())),
                };
                audit::record(conn, &actor, action, Some(format!("application:{id}")), reason)?;
                if let Some(why) = &view.application.override_reason {
                    audit::record(conn, &actor, AuditAction::EligibilityOverridden, Some(format!("application:{id}")), Some(why))?;
                }
                notifications::queue_decision(conn, &base_url, &view, &chosen)?;
                Ok(view)
            })
        })
        .await?;
    match result {
        Ok(_) => {
            state.wake_mailer();
            let key = match decision {
                Decision::Approve { .. } => "flash-decision-approved",
                Decision::Reject { .. } => "flash-decision-rejected",
            };
            Ok(flash::redirect(&format!("/applications/{id}"), key, state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => {
            let company = company_of(&state, &visitor, &current).await?;
            let history = history_of(&state, &visitor, &current).await?;
            let quota = quota_of(&state, &visitor, &current).await?;
            let mut shown = page(&visitor, current, form, errors, company, history)?;
            shown.quota = quota;
            unprocessable(&shown)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    let actor = visitor.actor();
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                applications::withdraw(conn, &member, id)?;
                audit::record(conn, &actor, AuditAction::ApplicationWithdrawn, Some(format!("application:{id}")), None)
            })
        })
        .await?;
    Ok(flash::redirect(&format!("/applications/{id}"), "flash-application-withdrawn", state.settings.secure_cookies))
}

/// The application page again, with the problems of the startup's answer to its offer.
pub(crate) async fn refused_answer(state: &AppState, visitor: &Visitor, view: ApplicationView, errors: FieldErrors, declaration_confirmed: bool) -> AppResult<HttpResponse> {
    let company = company_of(state, visitor, &view).await?;
    let history = history_of(state, visitor, &view).await?;
    let mut shown = page(visitor, view, DecisionForm::default(), errors, company, history)?;
    shown.declaration_confirmed = declaration_confirmed;
    unprocessable(&shown)
}

/// A funder sends a submitted application back to its startup for changes, with a message the
/// startup sees on the application and receives by mail.
pub async fn request_changes(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ChangeRequestForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ApplicationId = path_id(&path)?;
    let mut errors = FieldErrors::default();
    crate::web::forms::text(&mut errors, "message", &form.message, crate::web::forms::PROSE_CHARS, true);
    let actor = visitor.actor();
    let message = form.message.clone();
    let result = if errors.is_empty() {
        state
            .run(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    let view = applications::request_changes(conn, &member, id, &message)?;
                    audit::record(conn, &actor, AuditAction::ApplicationChangesRequested, Some(format!("application:{id}")), Some(message.trim()))?;
                    Ok(view)
                })
            })
            .await?
    } else {
        Err(DomainError::Invalid(errors))
    };
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/applications/{id}"), "flash-changes-requested", state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => {
            let viewer = visitor.member()?.clone();
            let current = state.db(move |conn| applications::application_for(conn, &viewer, id)).await?;
            let company = company_of(&state, &visitor, &current).await?;
            let history = history_of(&state, &visitor, &current).await?;
            let mut shown = page(&visitor, current, DecisionForm::default(), errors, company, history)?;
            shown.change_message = form.message;
            unprocessable(&shown)
        }
        Err(e) => Err(e.into()),
    }
}

//! Reviews, as pages: a programme's criteria and its reviewers (owners and programme managers),
//! the ranking from which they decide one by one or reject several at once (with a confirmation
//! step), and a reviewer's assignments: the conflict-of-interest declaration first, then the
//! application and the scoring form. Handlers parse, call `domain::reviews`, record the audit
//! event in the same transaction, render.

use crate::domain::applications::{self, ApplicationStatus, ApplicationView, Decision};
use crate::domain::audit::{self, AuditAction};
use crate::domain::identity::OrgKind;
use crate::domain::notifications;
use crate::domain::programmes::Programme;
use crate::domain::reviews::{self, AssignmentStatus, AssignmentView, Criteria, NewCriteria, Ranked, Score};
use crate::domain::{ApplicationId, DomainError, FieldErrors, ProgrammeId, UserId};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::error::AppResult;
use crate::web::flash;
use crate::web::forms;
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

const CONFIRMED: &str = "yes";
/// Rows the criteria form offers.
const CRITERIA_ROWS: usize = 5;

/// The criteria form as typed: the scale and up to [`CRITERIA_ROWS`] (name, weight) rows.
#[derive(Debug, Clone, Default)]
pub struct CriteriaForm {
    pub scale_min: String,
    pub scale_max: String,
    pub rows: Vec<(String, String)>,
}

impl CriteriaForm {
    fn of(criteria: &Criteria) -> CriteriaForm {
        let mut rows: Vec<(String, String)> = criteria.criteria.iter().map(|c| (c.name.clone(), c.weight.to_string())).collect();
        rows.resize(CRITERIA_ROWS.max(rows.len()), (String::new(), String::new()));
        CriteriaForm { scale_min: criteria.scale_min().to_string(), scale_max: criteria.scale_max().to_string(), rows }
    }

    fn from_pairs(pairs: &[(String, String)]) -> CriteriaForm {
        let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let rows = (0..CRITERIA_ROWS).map(|i| (field(&format!("name-{i}")), field(&format!("weight-{i}")))).collect();
        CriteriaForm { scale_min: field("scale_min"), scale_max: field("scale_max"), rows }
    }

    fn parse(&self) -> Result<NewCriteria, FieldErrors> {
        let mut errors = FieldErrors::default();
        let scale_min = self.scale_min.trim().parse::<i64>();
        let scale_max = self.scale_max.trim().parse::<i64>();
        if scale_min.is_err() || scale_max.is_err() {
            errors.add("scale", Message::new("review-scale-invalid").with("max", reviews::MAX_SCALE));
        }
        let mut criteria = Vec::new();
        for (name, weight) in &self.rows {
            if name.trim().is_empty() && weight.trim().is_empty() {
                continue;
            }
            forms::text(&mut errors, "criteria", name, reviews::MAX_NAME_CHARS, false);
            match weight.trim().parse::<i64>() {
                Ok(w) => criteria.push((name.clone(), w)),
                Err(_) => errors.add("criteria", Message::new("review-weight-invalid").with("name", name.trim()).with("max", reviews::MAX_WEIGHT)),
            }
        }
        let new = NewCriteria { scale_min: scale_min.unwrap_or(0), scale_max: scale_max.unwrap_or(0), criteria };
        errors.extend(reviews::validate_criteria(&new));
        // One message per problem is enough.
        errors.0.dedup();
        if errors.is_empty() { Ok(new) } else { Err(errors) }
    }
}

#[derive(Template)]
#[template(path = "pages/reviews/manage.html")]
struct ManagePage {
    layout: Layout,
    programme: Programme,
    criteria: Criteria,
    form: CriteriaForm,
    ranked: Vec<Ranked>,
    reviewers: Vec<(UserId, String)>,
    errors: FieldErrors,
}

async fn manage_page(state: &AppState, visitor: &Visitor, id: ProgrammeId, form: Option<CriteriaForm>, errors: FieldErrors) -> AppResult<ManagePage> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let (programme, criteria, ranked, reviewers) = state
        .db(move |conn| {
            let (programme, ranked) = reviews::ranking(conn, &member, id)?;
            let criteria = reviews::criteria_of(conn, id)?;
            let reviewers = reviews::possible_reviewers(conn, &member)?;
            Ok((programme, criteria, ranked, reviewers))
        })
        .await?;
    let form = form.unwrap_or_else(|| CriteriaForm::of(&criteria));
    Ok(ManagePage {
        layout: Layout::message(visitor, &Message::new("title-reviews").with("name", &programme.name)),
        programme,
        criteria,
        form,
        ranked,
        reviewers,
        errors,
    })
}

/// A programme's criteria and reviewers.
pub async fn manage(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    render(&manage_page(&state, &visitor, id, None, FieldErrors::default()).await?)
}

pub async fn set_criteria(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(pairs, visitor): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let form = CriteriaForm::from_pairs(&pairs);
    let new = match form.parse() {
        Ok(new) => new,
        Err(errors) => return unprocessable(&manage_page(&state, &visitor, id, Some(form), errors).await?),
    };
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let detail = format!(
        "scale {}-{}: {}",
        new.scale_min,
        new.scale_max,
        new.criteria.iter().map(|(n, w)| format!("{} x{w}", n.trim())).collect::<Vec<_>>().join(", ")
    );
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                reviews::set_criteria(conn, &member, id, &new)?;
                audit::record(conn, &actor, AuditAction::ReviewCriteriaSet, Some(format!("programme:{id}")), Some(&detail))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(flash::redirect(&format!("/programmes/{id}/reviews"), "flash-review-criteria-saved", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&manage_page(&state, &visitor, id, Some(form), errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssignForm {
    pub application_id: String,
    pub reviewer_id: String,
}

pub async fn assign(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<AssignForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let application_id = form.application_id.trim().parse::<ApplicationId>();
    let reviewer_id = form.reviewer_id.trim().parse::<UserId>();
    let (Ok(application_id), Ok(reviewer_id)) = (application_id, reviewer_id) else {
        let mut errors = FieldErrors::default();
        errors.add("reviewer_id", Message::new("review-reviewer-invalid"));
        return unprocessable(&manage_page(&state, &visitor, id, None, errors).await?);
    };
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let assignment = reviews::assign(conn, &member, id, application_id, reviewer_id)?;
                let detail = format!("user:{reviewer_id}");
                audit::record(conn, &actor, AuditAction::ReviewerAssigned, Some(format!("application:{}", assignment.application_id)), Some(&detail))
            })
        })
        .await?;
    match result {
        Ok(()) => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/programmes/{id}/reviews"), "flash-reviewer-assigned", state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => unprocessable(&manage_page(&state, &visitor, id, None, errors).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/reviews/ranking.html")]
struct RankingPage {
    layout: Layout,
    programme: Programme,
    ranked: Vec<Ranked>,
    reason: String,
    /// Amounts to offer as typed (`amount_<id>`), shown again after a refusal.
    amounts: Vec<(ApplicationId, String)>,
    errors: FieldErrors,
}

impl RankingPage {
    /// The amount in the row: as typed, or the requested amount.
    fn amount_of(&self, r: &Ranked) -> String {
        self.amounts.iter().find(|(id, _)| *id == r.application.id).map(|(_, a)| a.clone()).unwrap_or_else(|| input_amount(self.layout.locale, r.application.requested()))
    }
}

/// An amount as an input shows it in `locale` (and `forms::amount` reads it back).
fn input_amount(locale: crate::i18n::Locale, amount: Amount) -> String {
    match locale {
        crate::i18n::Locale::Fr => amount.plain().replace('.', ","),
        _ => amount.plain(),
    }
}

async fn ranking_page(state: &AppState, visitor: &Visitor, id: ProgrammeId, reason: String, errors: FieldErrors) -> AppResult<RankingPage> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let (programme, ranked) = state.db(move |conn| reviews::ranking(conn, &member, id)).await?;
    Ok(RankingPage {
        layout: Layout::message(visitor, &Message::new("title-ranking").with("name", &programme.name)),
        programme,
        ranked,
        reason,
        amounts: Vec::new(),
        errors,
    })
}

pub async fn ranking(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    render(&ranking_page(&state, &visitor, id, String::new(), FieldErrors::default()).await?)
}

#[derive(Template)]
#[template(path = "pages/reviews/confirm_reject.html")]
struct ConfirmRejectPage {
    layout: Layout,
    programme: Programme,
    chosen: Vec<Ranked>,
    reason: String,
    errors: FieldErrors,
}

/// Rejects several applications of the ranking with one reason: the first post shows what will
/// be rejected and asks to confirm (a page, no JavaScript); the confirmed post rejects them all
/// in one transaction, or none.
pub async fn reject_several(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(pairs, visitor): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let reason = pairs.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone()).unwrap_or_default();
    let confirmed = pairs.iter().any(|(k, v)| k == "confirm" && v == CONFIRMED);
    let mut errors = FieldErrors::default();
    let mut chosen_ids: Vec<ApplicationId> = Vec::new();
    for (_, raw) in pairs.iter().filter(|(k, _)| k == "application") {
        match raw.trim().parse::<ApplicationId>() {
            Ok(a) if !chosen_ids.contains(&a) => chosen_ids.push(a),
            Ok(_) => {}
            Err(_) => errors.add("application", Message::new("review-bulk-not-pending")),
        }
    }
    if chosen_ids.is_empty() && errors.is_empty() {
        errors.add("application", Message::new("review-bulk-none-chosen"));
    }
    forms::text(&mut errors, "reason", &reason, forms::PROSE_CHARS, true);
    if reason.trim().chars().count() < applications::MIN_REASON_CHARS {
        errors.add("reason", Message::new("decide-reason-too-short").with("min", applications::MIN_REASON_CHARS));
    }
    let page = ranking_page(&state, &visitor, id, reason.clone(), FieldErrors::default()).await?;
    let chosen: Vec<Ranked> = page.ranked.iter().filter(|r| chosen_ids.contains(&r.application.id)).cloned().collect();
    if errors.is_empty() && (chosen.len() != chosen_ids.len() || chosen.iter().any(|r| r.application.status != ApplicationStatus::Submitted)) {
        errors.add("application", Message::new("review-bulk-not-pending"));
    }
    if !errors.is_empty() {
        return unprocessable(&RankingPage { errors, ..page });
    }
    if !confirmed {
        let layout = Layout::message(&visitor, &Message::new("title-confirm-reject").with("count", chosen.len() as i64));
        let errors = FieldErrors::default();
        return render(&ConfirmRejectPage { layout, programme: page.programme, chosen, reason, errors });
    }
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let base_url = state.base_url();
    let rules = state.settings.de_minimis;
    let decision = Decision::Reject { reason };
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let mut views: Vec<ApplicationView> = Vec::new();
                for application_id in chosen_ids {
                    let view = applications::decide_with(conn, &member, application_id, &decision, &rules)?;
                    let reason = match &decision {
                        Decision::Reject { reason } => Some(reason.as_str()),
                        Decision::Approve { .. } => None,
                    };
                    audit::record(conn, &actor, AuditAction::ApplicationRejected, Some(format!("application:{application_id}")), reason)?;
                    notifications::queue_decision(conn, &base_url, &view, &decision)?;
                    views.push(view);
                }
                Ok(views.len())
            })
        })
        .await?;
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/programmes/{id}/ranking"), "flash-rejected-several", state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => {
            let page = ranking_page(&state, &visitor, id, String::new(), errors).await?;
            unprocessable(&page)
        }
        Err(e) => Err(e.into()),
    }
}

/// One line of the approval to confirm.
#[derive(Debug, Clone)]
pub struct ToApprove {
    pub ranked: Ranked,
    pub amount: Amount,
    /// The amount as the hidden input carries it.
    pub typed: String,
}

#[derive(Template)]
#[template(path = "pages/reviews/confirm_approve.html")]
struct ConfirmApprovePage {
    layout: Layout,
    programme: Programme,
    chosen: Vec<ToApprove>,
    total: Amount,
    available: Amount,
    errors: FieldErrors,
}

impl ConfirmApprovePage {
    fn over_budget(&self) -> bool {
        self.total > self.available
    }
}

/// Approves several applications of the ranking, each for the amount in its row (its requested
/// amount unless changed): the first post shows each company and amount and the total against
/// the programme's available budget and asks to confirm (a page, no JavaScript); the confirmed
/// post approves them all in one transaction — the same domain path as one decision, with the
/// audit events and the startups' mails — or, at the first refusal, none, naming which and why.
pub async fn approve_several(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(pairs, visitor): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let confirmed = pairs.iter().any(|(k, v)| k == "confirm" && v == CONFIRMED);
    let mut errors = FieldErrors::default();
    let mut chosen_ids: Vec<ApplicationId> = Vec::new();
    for (_, raw) in pairs.iter().filter(|(k, _)| k == "application") {
        match raw.trim().parse::<ApplicationId>() {
            Ok(a) if !chosen_ids.contains(&a) => chosen_ids.push(a),
            Ok(_) => {}
            Err(_) => errors.add("application", Message::new("review-bulk-not-pending")),
        }
    }
    if chosen_ids.is_empty() && errors.is_empty() {
        errors.add("application", Message::new("review-bulk-none-chosen"));
    }
    if chosen_ids.len() > applications::MAX_BULK {
        errors.add("application", Message::new("review-bulk-not-pending"));
    }
    let amounts: Vec<(ApplicationId, String)> = pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("amount_").and_then(|n| n.parse::<ApplicationId>().ok()).map(|a| (a, v.clone())))
        .filter(|(a, _)| chosen_ids.contains(a))
        .collect();
    let page = ranking_page(&state, &visitor, id, String::new(), FieldErrors::default()).await?;
    let page = RankingPage { amounts, ..page };
    let chosen: Vec<Ranked> = page.ranked.iter().filter(|r| chosen_ids.contains(&r.application.id)).cloned().collect();
    if errors.is_empty() && (chosen.len() != chosen_ids.len() || chosen.iter().any(|r| r.application.status != ApplicationStatus::Submitted)) {
        errors.add("application", Message::new("review-bulk-not-pending"));
    }
    let mut lines: Vec<ToApprove> = Vec::new();
    for r in chosen {
        let typed = page.amount_of(&r);
        forms::text(&mut errors, "amount", &typed, forms::SHORT_CHARS, false);
        if let Some(amount) = forms::amount(&mut errors, "amount", &typed, visitor.locale, &page.programme.currency) {
            lines.push(ToApprove { typed: input_amount(visitor.locale, amount), ranked: r, amount });
        }
    }
    let total = Amount::sum(lines.iter().map(|l| l.amount));
    if total.is_err() {
        errors.add("amount", Message::new("amount-not-positive"));
    }
    if !errors.is_empty() {
        return unprocessable(&RankingPage { errors, ..page });
    }
    if !confirmed {
        let member = visitor.member_of(OrgKind::Funder)?.clone();
        let programme = page.programme.clone();
        let available = state.db(move |conn| {
            crate::domain::programmes::managed_by(conn, &member, programme.id)?;
            crate::domain::programmes::available(conn, &programme)
        }).await?;
        let layout = Layout::message(&visitor, &Message::new("title-confirm-approve").with("count", lines.len() as i64));
        return render(&ConfirmApprovePage { layout, programme: page.programme, chosen: lines, total: total.unwrap_or_default(), available, errors: FieldErrors::default() });
    }
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let base_url = state.base_url();
    let rules = state.settings.de_minimis;
    let items: Vec<(ApplicationId, Amount)> = lines.iter().map(|l| (l.ranked.application.id, l.amount)).collect();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let views = applications::approve_several(conn, &member, id, &items, &rules)?;
                for (view, (_, amount)) in views.iter().zip(&items) {
                    let application_id = view.application.id;
                    audit::record(conn, &actor, AuditAction::ApplicationApproved, Some(format!("application:{application_id}")), None)?;
                    notifications::queue_decision(conn, &base_url, view, &Decision::Approve { amount: *amount })?;
                }
                Ok(views.len())
            })
        })
        .await?;
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(flash::redirect(&format!("/programmes/{id}/ranking"), "flash-approved-several", state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => unprocessable(&RankingPage { errors, ..page }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/reviews/mine.html")]
struct MinePage {
    layout: Layout,
    assignments: Vec<AssignmentView>,
}

/// A reviewer's assignments.
pub async fn mine(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let assignments = state.db(move |conn| reviews::assignments_of(conn, &member)).await?;
    render(&MinePage { layout: Layout::new(&visitor, "title-my-reviews"), assignments })
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeclareForm {
    pub conflict: String,
    pub note: String,
}

/// One scoring row as the form shows it.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub criterion_id: i64,
    pub name: String,
    pub weight: i64,
    pub score: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "pages/reviews/assignment.html")]
struct AssignmentPage {
    layout: Layout,
    view: AssignmentView,
    /// The application, once the reviewer has declared no conflict.
    application: Option<ApplicationView>,
    criteria: Criteria,
    rows: Vec<ScoreRow>,
    declare: DeclareForm,
    errors: FieldErrors,
}

impl AssignmentPage {
    fn is_assigned(&self) -> bool {
        self.view.assignment.status == AssignmentStatus::Assigned
    }
    fn is_cleared(&self) -> bool {
        self.view.assignment.status == AssignmentStatus::Cleared
    }
    fn is_submitted(&self) -> bool {
        self.view.assignment.status == AssignmentStatus::Submitted
    }
}

async fn assignment_page(state: &AppState, visitor: &Visitor, id: i64, typed: Option<Vec<ScoreRow>>, declare: DeclareForm, errors: FieldErrors) -> AppResult<AssignmentPage> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let (view, application, criteria, scores) = state
        .db(move |conn| {
            let view = reviews::own_assignment(conn, &member, id)?;
            // The domain shows the application only to a reviewer who cleared it.
            let application = if view.assignment.status.is_cleared() { Some(applications::application_for(conn, &member, view.assignment.application_id)?) } else { None };
            let criteria = reviews::criteria_of(conn, view.programme.id)?;
            let scores = reviews::own_scores(conn, &member, id)?;
            Ok((view, application, criteria, scores))
        })
        .await?;
    let rows = typed.unwrap_or_else(|| {
        criteria
            .criteria
            .iter()
            .map(|c| {
                let given = scores.iter().find(|s| s.criterion_id == c.id);
                ScoreRow {
                    criterion_id: c.id,
                    name: c.name.clone(),
                    weight: c.weight,
                    score: given.map(|s| s.score.to_string()).unwrap_or_default(),
                    comment: given.map(|s| s.comment.clone()).unwrap_or_default(),
                }
            })
            .collect()
    });
    Ok(AssignmentPage {
        layout: Layout::message(visitor, &Message::new("title-review").with("reference", &view.reference)),
        view,
        application,
        criteria,
        rows,
        declare,
        errors,
    })
}

pub async fn assignment(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    render(&assignment_page(&state, &visitor, id, None, DeclareForm::default(), FieldErrors::default()).await?)
}

pub async fn declare(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<DeclareForm>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let mut errors = FieldErrors::default();
    forms::text(&mut errors, "note", &form.note, forms::PROSE_CHARS, true);
    let conflict = match form.conflict.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("conflict", Message::new("review-declaration-missing"));
            None
        }
    };
    let (Some(conflict), true) = (conflict, errors.is_empty()) else {
        return unprocessable(&assignment_page(&state, &visitor, id, None, form, errors).await?);
    };
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let note = form.note.clone();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let assignment = reviews::declare(conn, &member, id, conflict, &note)?;
                let action = if conflict { AuditAction::ReviewConflictDeclared } else { AuditAction::ReviewCleared };
                let detail = assignment.conflict_note.clone();
                audit::record(conn, &actor, action, Some(format!("application:{}", assignment.application_id)), detail.as_deref())
            })
        })
        .await?;
    match result {
        // A conflict hides the application: back to the list.
        Ok(()) if conflict => Ok(flash::redirect("/reviews", "flash-review-conflict-declared", state.settings.secure_cookies)),
        Ok(()) => Ok(flash::redirect(&format!("/reviews/{id}"), "flash-review-cleared", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&assignment_page(&state, &visitor, id, None, form, errors).await?),
        Err(e) => Err(e.into()),
    }
}

/// Scores and comments, per criterion (`score-<id>`, `comment-<id>`), and the box that confirms
/// a review is submitted once.
pub async fn submit(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(pairs, visitor): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let id: i64 = path_id(&path)?;
    let page = assignment_page(&state, &visitor, id, None, DeclareForm::default(), FieldErrors::default()).await?;
    // Only a cleared assignment takes scores: before the declaration, or once submitted, no form.
    if !page.is_cleared() {
        let key = if page.is_submitted() { "review-already-submitted" } else { "review-not-cleared" };
        return Err(DomainError::Conflict(Message::new(key)).into());
    }
    let field = |name: String| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let mut scores = Vec::new();
    let rows: Vec<ScoreRow> = page
        .rows
        .iter()
        .map(|row| ScoreRow { score: field(format!("score-{}", row.criterion_id)), comment: field(format!("comment-{}", row.criterion_id)), ..row.clone() })
        .collect();
    for row in &rows {
        forms::text(&mut errors, "scores", &row.comment, forms::PROSE_CHARS, true);
        match row.score.trim().parse::<i64>() {
            Ok(score) => scores.push(Score { criterion_id: row.criterion_id, score, comment: row.comment.clone() }),
            Err(_) if row.score.trim().is_empty() => errors.add("scores", Message::new("review-score-missing").with("criterion", &row.name)),
            Err(_) => errors.add(
                "scores",
                Message::new("review-score-out-of-scale").with("criterion", &row.name).with("min", page.criteria.scale_min()).with("max", page.criteria.scale_max()),
            ),
        }
    }
    if !pairs.iter().any(|(k, v)| k == "confirm" && v == CONFIRMED) {
        errors.add("confirm", Message::new("review-confirm-missing"));
    }
    if !errors.is_empty() {
        return unprocessable(&AssignmentPage { rows, errors, ..page });
    }
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let assignment = reviews::submit(conn, &member, id, &scores)?;
                audit::record(conn, &actor, AuditAction::ReviewSubmitted, Some(format!("application:{}", assignment.application_id)), None)
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(flash::redirect(&format!("/reviews/{id}"), "flash-review-submitted", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&AssignmentPage { rows, errors, ..page }),
        Err(e) => Err(e.into()),
    }
}

//! A programme's lifecycle, run by its funder from the programme's page: edit a draft and set
//! its eligibility rules, open it (funding its budget), extend its window or raise its budget
//! with a reason, close it, archive it. Each handler parses, calls `domain::programmes`, records
//! the audit event in the same transaction, and shows the page again with the problems.

use crate::domain::audit::{self, AuditAction};
use crate::domain::eligibility::{self, Countries};
use crate::domain::eu::sme::SmeCategory;
use crate::domain::identity::OrgKind;
use crate::domain::paging::PageRequest;
use crate::domain::programmes::{self, Programme, ProgrammeStatus};
use crate::domain::{DomainError, FieldErrors, ProgrammeId};
use crate::messages::Message;
use crate::money::CURRENCIES;
use crate::web::error::AppResult;
use crate::web::flash;
use crate::web::forms::{self, ProgrammeForm};
use crate::web::layout::Layout;
use crate::web::pages::programmes::{LifecycleForm, NewProgrammePage, programme_page};
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, render, render_with, unprocessable};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use rust_decimal::Decimal;

const CONFIRMED: &str = "yes";

/// The programme's page again, with the lifecycle form as typed and its problems (422).
pub(crate) async fn shown_again(state: &web::Data<AppState>, visitor: &Visitor, id: ProgrammeId, form: LifecycleForm, errors: FieldErrors) -> AppResult<HttpResponse> {
    let page = programme_page(state, visitor, id, PageRequest::parse(None), PageRequest::parse(None), Some(form), errors).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn done(state: &AppState, id: ProgrammeId) -> HttpResponse {
    flash::redirect(&format!("/programmes/{id}"), "flash-programme-changed", state.settings.secure_cookies)
}

/// Runs a lifecycle change and its audit event in one transaction; invalid input shows the page
/// again with the problems, anything else (not found, a refused transition) is the error page.
pub(crate) async fn change(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: ProgrammeId,
    form: LifecycleForm,
    action: AuditAction,
    detail: Option<String>,
    work: impl FnOnce(&mut crate::db::AnyConnection, &crate::domain::identity::Member) -> crate::domain::DomainResult<Programme> + Send + 'static,
) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = work(conn, &member)?;
                audit::record(conn, &actor, action, Some(format!("programme:{id}")), detail.as_deref())?;
                Ok(programme)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(done(&state, id)),
        Err(DomainError::Invalid(errors)) => shown_again(&state, &visitor, id, form, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// The box an irreversible step asks to tick (works without JavaScript).
pub(crate) fn confirmed(form: &LifecycleForm, errors: &mut FieldErrors) {
    if form.confirm != CONFIRMED {
        errors.add("confirm", Message::new("programme-confirm-missing"));
    }
}

fn reason_field(form: &LifecycleForm, errors: &mut FieldErrors) {
    forms::text(errors, "reason", &form.reason, forms::PROSE_CHARS, true);
}

pub async fn open(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let mut errors = FieldErrors::default();
    confirmed(&form, &mut errors);
    if !errors.is_empty() {
        return shown_again(&state, &visitor, id, form, errors).await;
    }
    change(state, visitor, id, form, AuditAction::ProgrammeOpened, None, move |conn, by| programmes::open(conn, by, id)).await
}

pub async fn close(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    advance(state, path, form, visitor, ProgrammeStatus::Closed, AuditAction::ProgrammeClosed).await
}

pub async fn archive(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    advance(state, path, form, visitor, ProgrammeStatus::Archived, AuditAction::ProgrammeArchived).await
}

async fn advance(state: web::Data<AppState>, path: web::Path<String>, form: LifecycleForm, visitor: Visitor, to: ProgrammeStatus, action: AuditAction) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let mut errors = FieldErrors::default();
    confirmed(&form, &mut errors);
    reason_field(&form, &mut errors);
    if !errors.is_empty() {
        return shown_again(&state, &visitor, id, form, errors).await;
    }
    let reason = form.reason.trim().to_string();
    let detail = (!reason.is_empty()).then(|| reason.clone());
    change(state, visitor, id, form, action, detail, move |conn, by| programmes::advance(conn, by, id, to, &reason)).await
}

pub async fn extend(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let mut errors = forms::texts(&[("closes_on", &form.closes_on, forms::SHORT_CHARS)]);
    reason_field(&form, &mut errors);
    let closes_on = if errors.is_empty() { forms::date(&mut errors, "closes_on", &form.closes_on) } else { None };
    let Some(closes_on) = closes_on else {
        return shown_again(&state, &visitor, id, form, errors).await;
    };
    let reason = form.reason.clone();
    let detail = format!("closes on {closes_on}: {}", reason.trim());
    change(state, visitor, id, form, AuditAction::ProgrammeClosingExtended, Some(detail), move |conn, by| programmes::extend_closing(conn, by, id, closes_on, &reason)).await
}

pub async fn raise(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<LifecycleForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let current = state.db(move |conn| programmes::managed_by(conn, &member, id)).await?;
    let mut errors = forms::texts(&[("budget", &form.budget, forms::SHORT_CHARS)]);
    reason_field(&form, &mut errors);
    let budget = if errors.is_empty() { forms::amount(&mut errors, "budget", &form.budget, visitor.locale, &current.currency) } else { None };
    let Some(budget) = budget else {
        return shown_again(&state, &visitor, id, form, errors).await;
    };
    let reason = form.reason.clone();
    let detail = format!("budget to {} {} (minor units): {}", budget.cents(), current.currency, reason.trim());
    change(state, visitor, id, form, AuditAction::ProgrammeBudgetRaised, Some(detail), move |conn, by| programmes::raise_budget(conn, by, id, budget, &reason)).await
}

/// The eligibility form: repeated checkboxes (categories, hardware kinds) arrive as pairs.
pub async fn set_eligibility(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(pairs, visitor): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let form = eligibility_form(&pairs);
    let (rules, mut errors) = parse_rules(&form);
    if !errors.is_empty() {
        return shown_again(&state, &visitor, id, form, std::mem::take(&mut errors)).await;
    }
    let detail = describe(&rules);
    change(state, visitor, id, form, AuditAction::ProgrammeEligibilitySet, Some(detail), move |conn, by| programmes::set_eligibility(conn, by, id, &rules)).await
}

fn eligibility_form(pairs: &[(String, String)]) -> LifecycleForm {
    let mut form = LifecycleForm { form: "eligibility".into(), ..LifecycleForm::default() };
    let mut categories = Vec::new();
    let mut hardware = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "countries_rule" => form.countries_rule = value.clone(),
            "countries" => form.countries = value.clone(),
            "categories" => categories.push(value.clone()),
            "hardware" => hardware.push(value.clone()),
            "limit_categories" => form.limit_categories = value.clone(),
            "limit_hardware" => form.limit_hardware = value.clone(),
            "max_company_age_years" => form.max_company_age_years = value.clone(),
            _ => {}
        }
    }
    form.categories = categories.join(",");
    form.hardware = hardware.join(",");
    form
}

/// The rules as typed; every problem at once.
fn parse_rules(form: &LifecycleForm) -> (eligibility::Rules, FieldErrors) {
    let mut errors = forms::texts(&[
        ("countries", &form.countries, forms::PROSE_CHARS.min(600)),
        ("max_company_age_years", &form.max_company_age_years, forms::SHORT_CHARS),
        ("categories", &form.categories, forms::SHORT_CHARS * 2),
        ("hardware", &form.hardware, forms::SHORT_CHARS * 2),
    ]);
    let mut rules = eligibility::Rules::default();
    if !errors.is_empty() {
        return (rules, errors);
    }
    rules.countries = match form.countries_rule.as_str() {
        "" | "any" => None,
        "preset" => Some(Countries::EuEea),
        "list" => match Countries::parse(&form.countries) {
            Ok(Some(countries)) => Some(countries),
            Ok(None) => {
                errors.add("countries", Message::new("eligibility-countries-empty"));
                None
            }
            Err(code) => {
                errors.add("countries", Message::new("eligibility-country-code-invalid").with("code", code));
                None
            }
        },
        _ => {
            errors.add("countries_rule", Message::new("eligibility-countries-rule-invalid"));
            None
        }
    };
    if !form.limit_categories.is_empty() {
        let mut chosen = Vec::new();
        for text in form.categories.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match text.parse::<SmeCategory>() {
                Ok(c) => chosen.push(c),
                Err(_) => errors.add("categories", Message::new("eligibility-category-invalid")),
            }
        }
        rules.categories = Some(chosen);
    }
    rules.max_age_years = match form.max_company_age_years.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(years) => Some(years),
            Err(_) => {
                errors.add("max_company_age_years", Message::new("eligibility-age-invalid").with("max", i64::from(eligibility::MAX_AGE_YEARS)));
                None
            }
        },
    };
    if !form.limit_hardware.is_empty() {
        rules.hardware = Some(form.hardware.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect());
    }
    (rules, errors)
}

fn describe(rules: &eligibility::Rules) -> String {
    format!(
        "countries {}; categories {}; max age {}; hardware {}",
        rules.countries_text().unwrap_or_else(|| "any".into()),
        rules.categories_text().unwrap_or_else(|| "any".into()),
        rules.max_age_years.map(|y| y.to_string()).unwrap_or_else(|| "none".into()),
        rules.hardware_text().unwrap_or_else(|| "any".into()),
    )
}

/// The programme form filled with a draft's values, amounts in the page's language.
fn form_of(programme: &Programme, locale: crate::i18n::Locale) -> ProgrammeForm {
    ProgrammeForm {
        name: programme.name.clone(),
        description: programme.description.clone(),
        currency: programme.currency.clone(),
        budget: crate::i18n::exact(locale, Decimal::new(programme.budget, 2)),
        max_award: crate::i18n::exact(locale, Decimal::new(programme.max_award, 2)),
        opens_on: programme.opens_on.to_string(),
        closes_on: programme.closes_on.to_string(),
        price_tolerance_percent: programme.price_tolerance_percent.to_string(),
        hold_days: programme.hold_days.to_string(),
        credits_cover: programme.credits_cover.as_str().to_string(),
        unused_credit: programme.unused_credit.as_str().to_string(),
        reserved_share: crate::domain::quota::percent_text(programme.reserved_share_bp),
        lifecycle: String::new(),
    }
}

fn edit_page(visitor: &Visitor, id: ProgrammeId, form: ProgrammeForm, errors: FieldErrors, not_draft: bool) -> NewProgrammePage {
    NewProgrammePage {
        layout: Layout::new(visitor, "title-edit-programme"),
        form,
        errors,
        currencies: CURRENCIES,
        action: format!("/programmes/{id}/edit"),
        editing: true,
        not_draft,
    }
}

/// The draft's form; a programme no longer a draft says why it cannot be edited.
pub async fn edit_form(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let programme = state.db(move |conn| programmes::managed_by(conn, &member, id)).await?;
    let not_draft = !programme.is_draft();
    render(&edit_page(&visitor, id, form_of(&programme, visitor.locale), FieldErrors::default(), not_draft))
}

pub async fn update(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<ProgrammeForm>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&edit_page(&visitor, id, form, errors, false)),
    };
    let actor = visitor.actor();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = programmes::update_draft(conn, &member, id, &new)?;
                audit::record(conn, &actor, AuditAction::ProgrammeDraftEdited, Some(format!("programme:{id}")), None)?;
                Ok(programme)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(flash::redirect(&format!("/programmes/{id}"), "flash-programme-draft-saved", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => unprocessable(&edit_page(&visitor, id, form, errors, false)),
        Err(e) => Err(e.into()),
    }
}

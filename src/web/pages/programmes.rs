use crate::domain::identity::OrgKind;
use crate::domain::applications;
use crate::domain::applications::ApplicationView;
use crate::domain::programmes::{self, Programme};
use crate::web::flash;
use crate::domain::audit::{self, AuditAction};
use crate::web::forms::ProgrammeForm;
use crate::domain::reports::{self, ProgrammeReport};
use crate::domain::{DomainError, FieldErrors, ProgrammeId};
use crate::money::{Amount, CURRENCIES};
use crate::web::error::{AppError, AppResult};
use crate::domain::paging::PageRequest;
use crate::web::layout::{Layout, Pager};
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;
use crate::domain::eligibility;
use crate::domain::eu::sme::SmeCategory;
use crate::messages::Message;

#[derive(Template)]
#[template(path = "pages/programmes/list.html")]
struct ProgrammesPage {
    layout: Layout,
    programmes: Vec<(Programme, Amount)>,
    is_funder: bool,
    is_startup: bool,
    /// Showing a funder's archived programmes (`?archived=1`), out of the default list.
    archived: bool,
}

/// Funders see their own programmes (archived ones on request); everyone else sees the calls
/// open now.
pub async fn list(state: web::Data<AppState>, visitor: Visitor, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let archived = member.kind() == OrgKind::Funder && query.get("archived").is_some_and(|v| v == "1");
    let programmes = state
        .db(move |conn| {
            let list = match member.kind() {
                OrgKind::Funder if archived => programmes::archived_of_funder(conn, member.org_id())?,
                OrgKind::Funder => programmes::of_funder(conn, member.org_id())?,
                OrgKind::Platform => programmes::all(conn)?,
                _ => programmes::open_now(conn)?,
            };
            let mut rows = Vec::with_capacity(list.len());
            for p in list {
                let available = programmes::available(conn, &p)?;
                rows.push((p, available));
            }
            Ok(rows)
        })
        .await?;
    let kind = visitor.member.as_ref().map(|m| m.kind());
    let title = if archived {
        "title-archived-programmes"
    } else if kind == Some(OrgKind::Funder) {
        "title-your-programmes"
    } else {
        "title-open-programmes"
    };
    render(&ProgrammesPage {
        archived,
        layout: Layout::new(&visitor, title),
        programmes,
        is_funder: kind == Some(OrgKind::Funder),
        is_startup: kind == Some(OrgKind::Startup),
    })
}

#[derive(Template)]
#[template(path = "pages/programmes/new.html")]
pub(crate) struct NewProgrammePage {
    pub(crate) layout: Layout,
    pub(crate) form: ProgrammeForm,
    pub(crate) errors: FieldErrors,
    pub(crate) currencies: &'static [&'static str],
    /// Where the form posts: `/programmes`, or a draft's `/programmes/{id}/edit`.
    pub(crate) action: String,
    /// Editing a draft (one button), rather than creating (open now, or save as draft).
    pub(crate) editing: bool,
    /// Editing a programme that is no longer a draft: the page says why there is no form.
    pub(crate) not_draft: bool,
}

impl NewProgrammePage {
    fn creating(visitor: &Visitor, form: ProgrammeForm, errors: FieldErrors) -> NewProgrammePage {
        NewProgrammePage { layout: Layout::new(visitor, "title-new-programme"), form, errors, currencies: CURRENCIES, action: "/programmes".into(), editing: false, not_draft: false }
    }
}

pub async fn new_form(visitor: Visitor) -> AppResult<HttpResponse> {
    visitor.member_of(OrgKind::Funder)?;
    let today = crate::domain::clock::today();
    let form = ProgrammeForm {
        currency: "EUR".into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(90)).to_string(),
        ..ProgrammeForm::default()
    };
    render(&NewProgrammePage::creating(&visitor, form, FieldErrors::default()))
}

pub async fn create(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<ProgrammeForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => {
            return unprocessable(&NewProgrammePage::creating(&visitor, form, errors));
        }
    };
    let actor = visitor.actor();
    // `lifecycle=draft` keeps it as an editable, unfunded draft; otherwise it opens at once.
    let as_draft = form.lifecycle == "draft";
    let created = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = if as_draft { programmes::create_draft(conn, &member, &new)? } else { programmes::create(conn, &member, &new)? };
                audit::record(conn, &actor, AuditAction::ProgrammeCreated, Some(format!("programme:{}", programme.id)), None)?;
                Ok(programme)
            })
        })
        .await?;
    match created {
        Ok(p) => {
            let key = if p.is_draft() { "flash-programme-draft-saved" } else { "flash-programme-created" };
            Ok(flash::redirect(&format!("/programmes/{}", p.id), key, state.settings.secure_cookies))
        }
        Err(DomainError::Invalid(errors)) => unprocessable(&NewProgrammePage::creating(&visitor, form, errors)),
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "pages/programmes/show.html")]
struct ProgrammePage {
    layout: Layout,
    programme: Programme,
    /// The report section (funders and admins), rendered once and kept: see [`ReportSection`].
    report_html: Option<std::sync::Arc<String>>,
    is_startup: bool,
    /// The programme's eligibility rules.
    rules: eligibility::Rules,
    /// The change log, each line with its summary worded.
    changes: Vec<(programmes::Change, Message)>,
    /// The viewer is the funder who may run the programme's lifecycle.
    manage: bool,
    /// Every funder's share of the budget (funders and admins only).
    shares: Vec<crate::domain::cofunding::Share>,
    /// The viewer is an invited co-funder who may commit budget now.
    cofund: bool,
    /// Funders and admins see who made each change.
    show_who: bool,
    /// What the lifecycle forms typed, and their problems.
    lifecycle: LifecycleForm,
    errors: FieldErrors,
    categories: &'static [SmeCategory],
    hardware_kinds: &'static [&'static str],
    eu_eea: String,
    /// The reserved quota for small structures: both pots, and the share worded.
    pots: crate::domain::quota::Pots,
    share: Message,
}

/// A programme's report on its page: figures, grants, spending charts, SME categories and
/// applications. It shows nothing of the viewer but the language and whether it runs the
/// programme (no form token), so it is rendered once per ledger and page state and kept.
#[derive(Template)]
#[template(path = "pages/programmes/report.html")]
struct ReportSection<'a> {
    layout: &'a Layout,
    programme: &'a Programme,
    r: &'a ProgrammeReport,
    /// The ledger figures, each linked to its entries.
    figures: &'a Option<crate::domain::figures::ProgrammeFigures>,
    applications: &'a [ApplicationView],
    /// Links to the other pages of applications, when there are more than one.
    pager: Option<Pager>,
    /// Links to the other pages of the report's grants.
    grants_pager: Option<Pager>,
    /// Spending by month, provider and hardware kind.
    charts: Vec<crate::web::charts::BarChart>,
    /// The burn-down chart (among `charts`) says when the budget runs out: that sentence.
    exhaustion: Option<String>,
    manage: bool,
    /// The programme's grants by their startup's SME category: (category, grants, awarded).
    by_category: &'a [(Option<crate::domain::eu::sme::SmeCategory>, i64, crate::money::Amount)],
}

/// The fields of the lifecycle forms on the programme's page (all optional: each form sends
/// its own), kept to show them again with their problems.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct LifecycleForm {
    /// Which form was sent (`open`, `extend`, `raise`, `close`, `archive`, `eligibility`), so
    /// that its problems show next to its own fields.
    pub form: String,
    pub confirm: String,
    pub reason: String,
    pub closes_on: String,
    pub budget: String,
    /// `any`, `eu-eea` or `list`.
    pub countries_rule: String,
    pub countries: String,
    /// Repeated fields arrive as one comma-separated text (see `forms::multi`).
    pub categories: String,
    pub max_company_age_years: String,
    pub hardware: String,
    /// Set when the rule is wanted (a checkbox), so that an empty choice can be told apart.
    pub limit_categories: String,
    pub limit_hardware: String,
    /// The funder invited to co-fund (by its name).
    pub cofunder: String,
}

impl LifecycleForm {
    /// The form filled with a programme's current rules.
    fn of(rules: &eligibility::Rules) -> LifecycleForm {
        LifecycleForm {
            countries_rule: match &rules.countries {
                None => "any".into(),
                Some(eligibility::Countries::EuEea) => "preset".into(),
                Some(eligibility::Countries::List(_)) => "list".into(),
            },
            countries: match &rules.countries {
                Some(eligibility::Countries::List(codes)) => codes.join(", "),
                _ => String::new(),
            },
            categories: rules.categories_text().unwrap_or_default(),
            limit_categories: if rules.categories.is_some() { "on".into() } else { String::new() },
            max_company_age_years: rules.max_age_years.map(|y| y.to_string()).unwrap_or_default(),
            hardware: rules.hardware_text().unwrap_or_default(),
            limit_hardware: if rules.hardware.is_some() { "on".into() } else { String::new() },
            ..LifecycleForm::default()
        }
    }

    /// Whether a value is among the comma-separated ones chosen (for checkboxes).
    pub fn has(&self, field: &str, value: &str) -> bool {
        let chosen = if field == "categories" { &self.categories } else { &self.hardware };
        chosen.split(',').any(|v| v.trim() == value)
    }
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let id: ProgrammeId = path_id(&path)?;
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let grants_page = PageRequest::parse(query.get("grants_page").map(String::as_str));
    let shown = programme_page(&state, &visitor, id, page, grants_page, None, FieldErrors::default()).await?;
    render(&shown)
}

/// The programme's page, with `form` and `errors` when a lifecycle form is shown again.
pub(crate) async fn programme_page(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    id: ProgrammeId,
    page: PageRequest,
    grants_page: PageRequest,
    form: Option<LifecycleForm>,
    errors: FieldErrors,
) -> AppResult<impl Template> {
    let member = visitor.member()?.clone();
    let cache = state.spend_cache.clone();
    let viewer = member.clone();
    let known = visitor.state_at;
    let (programme, data, at, key) = state
        .kept_or_db(known, move |src| {
            // Access is decided afresh on every request; what the page shows, the programme
            // included, is kept while neither the ledger nor the page state moves.
            let at = crate::domain::spending::ledger_state_or(known, src)?;
            let programme = programmes::visible_at(src, &cache, at, &viewer, id)?;
            // Startups and providers see the call, not who pays for it.
            let show_shares = matches!(viewer.kind(), OrgKind::Funder | OrgKind::Platform);
            // A draft has no ledger figures yet (and its budget may still change).
            // The programme's own funder (not a co-funder) and admins read its report.
            let show_report = crate::domain::access::may_manage_programme(&viewer, programme.funder_id) && !programme.is_draft();
            // A reviewer sees applications through their assignments only (`domain::reviews`).
            let review_only = crate::domain::access::needs_review_clearance(&viewer);
            let key = (id.get(), show_shares, show_report, review_only, page.number, grants_page.number);
            let data = cache.programme_pages.get_or_read_at(src, at, key, |conn| {
                let changes = programmes::changes(conn, id)?;
                let changes = changes.into_iter().map(|c| c.summary(&programme.currency).map(|m| (c, m))).collect::<Result<Vec<_>, _>>()?;
                let shares = if show_shares { crate::domain::cofunding::shares(conn, &programme)? } else { Vec::new() };
                let pots = crate::domain::quota::pots(conn, &programme)?;
                let mut data = reports::ProgrammePageData { changes, shares, report: None, applications: None, months: Vec::new(), providers: Vec::new(), by_category: Vec::new(), figures: None, pots };
                if show_report {
                    data.report = Some(reports::programme_report(conn, &viewer, id, Some(grants_page))?);
                    data.applications = Some(if review_only {
                        crate::domain::paging::Page { items: Vec::new(), number: page.number, total: 0 }
                    } else {
                        applications::page_to_programme(conn, id, page)?
                    });
                    data.months = crate::domain::spending::by_month(conn, crate::domain::spending::Scope::Programme(id))?;
                    data.providers = crate::domain::spending::by_provider(conn, crate::domain::spending::Scope::Programme(id))?;
                    data.by_category = crate::domain::company::grants_by_category(conn, id)?;
                    // The viewer may manage the programme (`show_report`), so it sees the shares too.
                    data.figures = Some(crate::domain::figures::programme_figures_with(conn, &programme, data.shares.clone())?);
                }
                Ok(std::sync::Arc::new(data))
            })?;
            Ok((programme, data, at, key))
        })
        .await?;
    // An invited co-funder (not the lead) may commit budget while the programme is open.
    let cofund = member.org_id() != programme.funder_id
        && crate::domain::access::permits(Some(&member), crate::domain::access::Action::CofundProgramme)
        && data.shares.iter().any(|s| s.funder_id == member.org_id())
        && programme.status == programmes::ProgrammeStatus::Open;
    let rules = programme.eligibility()?;
    let manage = crate::domain::access::permits(Some(&member), crate::domain::access::Action::ManageProgramme) && member.org_id() == programme.funder_id;
    let show_who = matches!(member.kind(), OrgKind::Funder | OrgKind::Platform);
    let lifecycle = form.unwrap_or_else(|| LifecycleForm::of(&rules));
    let share = Message::new("quota-share-value").with("percent", crate::domain::quota::share_percent(data.pots.share_bp));
    let is_startup = member.kind() == OrgKind::Startup;
    let layout = Layout::titled(visitor, programme.name.clone());
    let report_html = match &data.report {
        Some(r) => {
            let today = crate::domain::clock::today();
            let html_key = (key, visitor.locale.code(), manage, today);
            match state.spend_cache.programme_report_html.kept_at(&html_key, at) {
                Some(html) => Some(html),
                None => {
                    let html = std::sync::Arc::new(report_section(visitor, &layout, &programme, r, &data, manage, today).render()?);
                    state.spend_cache.programme_report_html.keep(html_key, at, html.clone());
                    Some(html)
                }
            }
        }
        None => None,
    };
    Ok(ProgrammePage {
        layout,
        programme,
        report_html,
        is_startup,
        rules,
        changes: data.changes.clone(),
        manage,
        shares: data.shares.clone(),
        cofund,
        show_who,
        lifecycle,
        errors,
        categories: SmeCategory::ALL,
        hardware_kinds: crate::domain::applications::HARDWARE_KINDS,
        eu_eea: eligibility::EU_EEA.join(", "),
        pots: data.pots.clone(),
        share,
    })
}

/// The report section of the programme's page, its charts drawn for the visitor's language.
fn report_section<'a>(
    visitor: &Visitor,
    layout: &'a Layout,
    programme: &'a Programme,
    r: &'a ProgrammeReport,
    data: &'a reports::ProgrammePageData,
    manage: bool,
    today: chrono::NaiveDate,
) -> ReportSection<'a> {
    let id = programme.id;
    let spending = crate::web::pages::reports::ProgrammeSpending { months: data.months.clone(), providers: data.providers.clone() };
    let mut charts = crate::web::pages::reports::programme_charts(visitor.locale, &programme.currency, &spending);
    let exhaustion = crate::web::pages::reports::burn_down_view(visitor.locale, &programme.currency, programme.budget(), &spending, today).map(|(chart, text)| {
        charts.insert(charts.len().min(1), chart);
        text
    });
    let pager = data.applications.as_ref().and_then(|page| Pager::of(page, &format!("/programmes/{id}")));
    let shown = crate::domain::paging::Page { items: vec![(); r.grants.len()], number: r.grants_page.number, total: r.grant_count };
    let grants_pager = Pager::of_param(&shown, &format!("/programmes/{id}"), "grants_page");
    let applications = data.applications.as_ref().map_or(&[][..], |page| page.items.as_slice());
    ReportSection { layout, programme, r, figures: &data.figures, applications, pager, grants_pager, charts, exhaustion, manage, by_category: &data.by_category }
}

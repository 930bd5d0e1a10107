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

#[derive(Template)]
#[template(path = "pages/programmes/list.html")]
struct ProgrammesPage {
    layout: Layout,
    programmes: Vec<(Programme, Amount)>,
    is_funder: bool,
    is_startup: bool,
}

/// Funders see their own programmes; everyone else sees the calls open now.
pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let programmes = state
        .db(move |conn| {
            let list = match member.kind() {
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
    let title = if kind == Some(OrgKind::Funder) { "title-your-programmes" } else { "title-open-programmes" };
    render(&ProgrammesPage {
        layout: Layout::new(&visitor, title),
        programmes,
        is_funder: kind == Some(OrgKind::Funder),
        is_startup: kind == Some(OrgKind::Startup),
    })
}

#[derive(Template)]
#[template(path = "pages/programmes/new.html")]
struct NewProgrammePage {
    layout: Layout,
    form: ProgrammeForm,
    errors: FieldErrors,
    currencies: &'static [&'static str],
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
    render(&NewProgrammePage { layout: Layout::new(&visitor, "title-new-programme"), form, errors: FieldErrors::default(), currencies: CURRENCIES })
}

pub async fn create(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<ProgrammeForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Funder)?.clone();
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => {
            return unprocessable(&NewProgrammePage { layout: Layout::new(&visitor, "title-new-programme"), form, errors, currencies: CURRENCIES });
        }
    };
    let actor = visitor.actor();
    let created = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let programme = programmes::create(conn, &member, &new)?;
                audit::record(conn, &actor, AuditAction::ProgrammeCreated, Some(format!("programme:{}", programme.id)), None)?;
                Ok(programme)
            })
        })
        .await?;
    match created {
        Ok(p) => Ok(flash::redirect(&format!("/programmes/{}", p.id), "flash-programme-created", state.settings.secure_cookies)),
        Err(DomainError::Invalid(errors)) => {
            unprocessable(&NewProgrammePage { layout: Layout::new(&visitor, "title-new-programme"), form, errors, currencies: CURRENCIES })
        }
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "pages/programmes/show.html")]
struct ProgrammePage {
    layout: Layout,
    programme: Programme,
    report: Option<ProgrammeReport>,
    applications: Vec<ApplicationView>,
    /// Links to the other pages of applications, when there are more than one.
    pager: Option<Pager>,
    /// Links to the other pages of the report's grants.
    grants_pager: Option<Pager>,
    is_startup: bool,
    /// Spending by month, provider and hardware kind (the funder's report).
    charts: Vec<crate::web::charts::BarChart>,
    /// The burn-down chart (among `charts`) says when the budget runs out: that sentence.
    exhaustion: Option<String>,
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ProgrammeId = path_id(&path)?;
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let grants_page = PageRequest::parse(query.get("grants_page").map(String::as_str));
    let cache = state.clone();
    let (programme, report, applications, spending) = state
        .db(move |conn| {
            let programme = programmes::visible_to(conn, &member, id)?;
            if matches!(member.kind(), OrgKind::Funder | OrgKind::Platform) {
                let report = reports::programme_report_cached(conn, &cache.spend_cache, &member, id, Some(grants_page))?;
                let applications = applications::page_to_programme(conn, id, page)?;
                let spending = crate::web::pages::reports::programme_spending(conn, &cache.spend_cache, id)?;
                Ok((programme, Some(report), Some(applications), Some(spending)))
            } else {
                Ok((programme, None, None, None))
            }
        })
        .await?;
    let mut charts = spending.as_ref().map(|s| crate::web::pages::reports::programme_charts(visitor.locale, &programme.currency, s)).unwrap_or_default();
    let burn_down = spending.as_ref().and_then(|s| crate::web::pages::reports::burn_down_view(visitor.locale, &programme.currency, programme.budget(), s, crate::domain::clock::today()));
    let exhaustion = burn_down.map(|(chart, text)| {
        charts.insert(charts.len().min(1), chart);
        text
    });
    let is_startup = visitor.member.as_ref().map(|m| m.kind()) == Some(OrgKind::Startup);
    let pager = applications.as_ref().and_then(|page| Pager::of(page, &format!("/programmes/{id}")));
    let grants_pager = report.as_ref().and_then(|r| {
        let shown = crate::domain::paging::Page { items: vec![(); r.grants.len()], number: r.grants_page.number, total: r.grant_count };
        Pager::of_param(&shown, &format!("/programmes/{id}"), "grants_page")
    });
    let applications = applications.map(|page| page.items).unwrap_or_default();
    render(&ProgrammePage { layout: Layout::titled(&visitor, programme.name.clone()), programme, report, applications, pager, grants_pager, is_startup, charts, exhaustion })
}

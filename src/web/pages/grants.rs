use crate::domain::access::{self, Action};
use crate::domain::grant_expiry::{self, GrantChangeView};
use crate::domain::grants::{self, GrantStatement, GrantStatus};
use crate::domain::identity::OrgKind;
use crate::domain::{FieldErrors, GrantId};
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, flash, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/grants/show.html")]
struct GrantPage {
    layout: Layout,
    grant: grants::Grant,
    /// Figures, changes, usage, a page of the statement and credit notes: see [`StatementSection`].
    statement_html: std::sync::Arc<String>,
    /// The extend and revoke forms, for the programme's funder while the grant is active.
    manage: Option<ManageForm>,
    errors: FieldErrors,
}

/// What a grant's page shows of the grant: the same for every viewer of a language (and of
/// whether reasons show) while neither the ledger nor the page state moves, so it is rendered
/// once and kept. It holds no form token.
#[derive(Template)]
#[template(path = "pages/grants/statement.html")]
struct StatementSection<'a> {
    layout: &'a Layout,
    statement: &'a GrantStatement,
    /// The grant's ledger figures, each linked to its entries.
    figures: &'a [(crate::domain::figures::Figure, crate::money::Amount)],
    /// Links to older and newer movements, when the statement has more than a page.
    pager: Option<crate::web::layout::Pager>,
    /// Providers' credit notes for the grant: (number, provider, date, amount, posted).
    credit_notes: &'a [(String, String, chrono::NaiveDate, crate::money::Amount, bool)],
    usage: GrantUsageView,
    /// Extensions, revocation, expiry, with their reasons (not shown to the provider).
    changes: &'a [GrantChangeView],
    show_reasons: bool,
}

/// The extend and revoke forms as typed, shown again when refused.
#[derive(Debug, Clone, Default)]
pub struct ManageForm {
    pub valid_until: String,
    pub extend_reason: String,
    pub revoke_reason: String,
}

/// The grant's page: its figures, changes and a page of its statement, with `form` and
/// `errors` in the funder's forms.
async fn grant_page(state: &AppState, visitor: &Visitor, id: GrantId, page: crate::domain::paging::PageRequest, form: ManageForm, errors: FieldErrors) -> AppResult<GrantPage> {
    let member = visitor.member()?.clone();
    let viewer = member.clone();
    let cache = state.spend_cache.clone();
    let show_reasons = member.kind() != OrgKind::Provider;
    let locale = visitor.locale;
    let known = visitor.state_at;
    let (grant, funder_id, at, html_key, kept) = state
        .kept_or_db(known, move |src| {
            // Access is decided afresh on every request; what the page shows of the grant is
            // kept while neither the ledger nor the page state moves (see `SpendCache`).
            let at = crate::domain::spending::ledger_state_or(known, src)?;
            let (grant, funder_id) = grants::grant_and_funder_at(src, &cache, at, &viewer, id)?;
            let html_key = (id, page.number, crate::domain::clock::today(), locale.code(), show_reasons);
            let kept = match cache.grant_statement_html.kept_at(&html_key, at) {
                Some(html) => Section::Rendered(html),
                None => Section::ToRender(grant_page_data(src, &cache, &viewer, at, id, page, html_key.2)?),
            };
            Ok((grant, funder_id, at, html_key, kept))
        })
        .await?;
    let layout = Layout::message(visitor, &Message::new("title-grant").with("code", grant.code.as_str()));
    let statement_html = match kept {
        Section::Rendered(html) => html,
        Section::ToRender(data) => {
            let (statement, more, credit_notes, changes, usage) = &*data;
            let figures = &statement.figures;
            let pager = crate::web::layout::Pager::open_ended(page, statement.lines.len(), *more, &format!("/grants/{id}"));
            let section = StatementSection { layout: &layout, statement, figures, pager, credit_notes, usage: GrantUsageView::new(locale, usage.clone()), changes, show_reasons };
            let html = std::sync::Arc::new(section.render()?);
            state.spend_cache.grant_statement_html.keep(html_key, at, html.clone());
            html
        }
    };
    let may_manage = access::permits(Some(&member), Action::ManageGrant) && access::may_manage_grant(&member, funder_id) && grant.status == GrantStatus::Active;
    Ok(GrantPage { layout, grant, statement_html, manage: may_manage.then_some(form), errors })
}

/// The grant's section of its page: as kept, or the figures to render it from.
enum Section {
    Rendered(std::sync::Arc<String>),
    ToRender(std::sync::Arc<crate::domain::spending::GrantPageData>),
}

/// What the grant's page shows of it, read once per ledger and page state.
fn grant_page_data(
    src: &mut dyn crate::domain::spending::Reads,
    cache: &crate::domain::spending::SpendCache,
    viewer: &crate::domain::identity::Member,
    at: crate::domain::spending::PageState,
    id: GrantId,
    page: crate::domain::paging::PageRequest,
    today: chrono::NaiveDate,
) -> crate::domain::DomainResult<std::sync::Arc<crate::domain::spending::GrantPageData>> {
    cache.grant_pages.get_or_read_at(src, at, (id, page.number, today), |conn| {
        let (statement, more) = grants::statement_page(conn, viewer, id, page)?;
        let usage = crate::domain::grant_usage::of_grant(conn, cache, viewer, id, statement.balance, today)?;
        Ok(std::sync::Arc::new((statement, more, crate::domain::credit_notes::of_grant(conn, id)?, grant_expiry::changes_of(conn, id)?, usage)))
    })
}

/// What the grant was used for, and when it runs out (see `domain::grant_usage`).
struct GrantUsageView {
    run_out: String,
    charts: Vec<crate::web::charts::BarChart>,
    by_sku: Vec<crate::domain::grant_usage::SkuMonth>,
}

impl GrantUsageView {
    fn new(locale: crate::i18n::Locale, usage: crate::domain::grant_usage::GrantUsage) -> GrantUsageView {
        use crate::domain::grant_usage::RunOut;
        use crate::i18n;
        let currency = usage.grant.currency.as_str();
        let money = |a: crate::money::Amount| i18n::money(locale, a.cents(), currency);
        let run_out = match &usage.run_out {
            RunOut::NoRecentUse => i18n::message(locale, &Message::new("grant-run-out-no-use").with("days", crate::domain::grant_usage::RATE_WINDOW_DAYS)),
            RunOut::Exhausted => i18n::text(locale, "grant-run-out-exhausted"),
            RunOut::On { on, per_day } => i18n::message(locale, &Message::new("grant-run-out-on").with("date", i18n::date(locale, *on)).with("rate", money(*per_day))),
            RunOut::OutlastsGrant { left, per_day } => i18n::message(locale, &Message::new("grant-run-out-outlasts").with("left", money(*left)).with("rate", money(*per_day))),
        };
        let months: Vec<(String, crate::money::Amount)> = usage.by_month.iter().map(|(m, a)| (crate::web::pages::reports::month(locale, *m), *a)).collect();
        let charts = if months.is_empty() {
            Vec::new()
        } else {
            use crate::web::pages::transparency::money_chart;
            vec![
                money_chart(locale, "grant-by-month", "chart-grant-by-month", i18n::text(locale, "col-month"), currency, &months),
                money_chart(locale, "grant-by-service", "chart-grant-by-service", i18n::text(locale, "col-service"), currency, &usage.by_service),
            ]
        };
        GrantUsageView { run_out, charts, by_sku: usage.by_sku }
    }
}

/// The grant's figures and its statement, newest movements first, a page at a time.
pub async fn show(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let id: GrantId = path_id(&path)?;
    let page = crate::domain::paging::PageRequest::parse(query.get("page").map(String::as_str));
    render(&grant_page(&state, &visitor, id, page, ManageForm::default(), FieldErrors::default()).await?)
}

/// The grant's page again with the funder's refused form and its errors (422).
pub async fn refused(state: &AppState, visitor: &Visitor, id: GrantId, form: ManageForm, errors: FieldErrors) -> AppResult<HttpResponse> {
    unprocessable(&grant_page(state, visitor, id, crate::domain::paging::PageRequest::FIRST, form, errors).await?)
}

#[derive(Template)]
#[template(path = "pages/grants/usage.html")]
struct UsagePage {
    layout: Layout,
    grant_id: GrantId,
    code: String,
    page: crate::domain::usage::lines::LinePage,
    query: UsageQuery,
    current: i64,
    pages: i64,
    /// The query string of the filters, for the page links.
    filters: String,
}

#[derive(serde::Deserialize, Default, Clone)]
pub struct UsageQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    page: i64,
}

/// Every line charged to the grant, filtered by period and service, a page at a time.
pub async fn usage(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>, query: web::Query<UsageQuery>) -> AppResult<HttpResponse> {
    use crate::domain::usage::lines::{self, LineFilter, PAGE};
    let member = visitor.member()?.clone();
    let id: GrantId = path_id(&path)?;
    let query = query.into_inner();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let filter = LineFilter {
        from: day(&query.from),
        until: day(&query.until),
        service: Some(query.service.trim().to_string()).filter(|s| !s.is_empty() && s.chars().count() <= 200),
        page: query.page.clamp(0, i64::from(u32::MAX)),
    };
    let f = filter.clone();
    let (grant, page) = state.db(move |conn| Ok((grants::grant_for(conn, &member, id)?, lines::lines_of_grant(conn, &member, id, &f)?))).await?;
    let pages = ((page.total + PAGE - 1) / PAGE).max(1);
    let current = filter.page.clamp(0, pages - 1);
    let filters = serde_urlencoded::to_string([("from", query.from.as_str()), ("until", query.until.as_str()), ("service", query.service.as_str())]).unwrap_or_default();
    render(&UsagePage {
        layout: Layout::message(&visitor, &Message::new("title-grant-usage").with("code", grant.code.as_str())),
        grant_id: id,
        code: grant.code,
        page,
        query,
        current,
        pages,
        filters,
    })
}

#[derive(serde::Deserialize)]
pub struct FlagForm {
    line: i64,
    #[serde(default)]
    reason: String,
}

/// The startup flags a line it does not recognise; the funder sees it beside the invoice.
pub async fn flag(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(form, visitor): CsrfForm<FlagForm>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: GrantId = path_id(&path)?;
    let (actor, reason, line) = (visitor.actor(), form.reason.chars().take(crate::domain::usage::lines::MAX_FLAG_CHARS + 1).collect::<String>(), form.line);
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                crate::domain::usage::lines::flag(conn, &member, id, line, &reason)?;
                crate::domain::audit::record(conn, &actor, crate::domain::audit::AuditAction::UsageFlagged, Some(format!("usage-line:{line}")), Some(&reason))
            })
        })
        .await?;
    Ok(flash::redirect(&format!("/grants/{id}/usage"), "flash-usage-flagged", state.settings.secure_cookies))
}

//! Funders' reports: the sovereignty report per programme and across their programmes, and the
//! spending charts of the programme report.

use crate::domain::ProgrammeId;
use crate::domain::sovereignty::{self, Figures, Part};
use crate::domain::spending::{self, MonthSpend, ProviderSpend, Scope};
use crate::i18n::{self, Locale};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::charts::BarChart;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::pages::transparency::{country_name, money_chart};
use crate::web::session::Visitor;
use crate::web::{AppState, path_id, render};
use actix_web::{HttpResponse, web};
use askama::Template;

/// One line of the sovereignty table: what it counts, the amount, the share.
pub struct FigureLine {
    pub label: String,
    pub amount: String,
    pub share: String,
    pub id: &'static str,
}

/// A currency's figures, worded.
pub struct FiguresView {
    pub currency: String,
    pub total: String,
    pub lines: Vec<FigureLine>,
    pub providers: i64,
    pub largest: Option<String>,
    pub chart: BarChart,
}

/// A share as people read it: `33.3%`, or a dash when nothing was spent.
pub fn percent(locale: Locale, part: &Part) -> String {
    match part.percent() {
        Some(p) => i18n::message(locale, &Message::new("reports-percent").with("value", i18n::exact(locale, p))),
        None => i18n::text(locale, "reports-no-share"),
    }
}

fn view(locale: Locale, f: &Figures, rows: &[ProviderSpend]) -> FiguresView {
    let money = |a: Amount| i18n::money(locale, a.cents(), &f.currency);
    let line = |id: &'static str, key: &str, part: &Part| FigureLine { label: i18n::text(locale, key), amount: money(part.amount), share: percent(locale, part), id };
    let lines = vec![
        line("hq-eu", "reports-hq-eu", &f.headquarters.eu_eea),
        line("hq-outside", "reports-hq-outside", &f.headquarters.outside),
        line("hq-unknown", "reports-hq-unknown", &f.headquarters.unknown),
        line("dc-eu", "reports-dc-eu", &f.data_centres.eu_eea),
        line("dc-outside", "reports-dc-outside", &f.data_centres.outside),
        line("dc-unknown", "reports-dc-unknown", &f.data_centres.unknown),
        line("alternative", "reports-alternative", &f.alternative),
    ];
    let largest = f.largest.as_ref().map(|(name, part)| i18n::message(locale, &Message::new("reports-largest-value").with("name", name.as_str()).with("share", percent(locale, part))));
    let by_provider = provider_totals(rows, &f.currency);
    let chart = money_chart(locale, &format!("sovereignty-by-provider-{}", f.currency.to_ascii_lowercase()), "chart-by-provider", i18n::text(locale, "col-provider"), &f.currency, &by_provider);
    FiguresView { currency: f.currency.clone(), total: money(f.total), lines, providers: i64::try_from(f.providers).unwrap_or(i64::MAX), largest, chart }
}

/// Spend per provider in `currency`, largest first.
fn provider_totals(rows: &[ProviderSpend], currency: &str) -> Vec<(String, Amount)> {
    let mine: Vec<ProviderSpend> = rows.iter().filter(|r| r.currency == currency).cloned().collect();
    let mut totals: Vec<(String, Amount)> = spending::total_by(&mine, |r| (r.provider_id, r.provider_name.clone())).unwrap_or_default().into_iter().map(|((_, name), _, a)| (name, a)).collect();
    totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    totals
}

/// A row of the spend table under the figures.
pub struct SpendLine {
    pub provider: String,
    pub country: String,
    pub hardware_kind: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "pages/reports/sovereignty.html")]
struct SovereigntyPage {
    layout: Layout,
    figures: Vec<FiguresView>,
    spend: Vec<SpendLine>,
    /// Set on one programme's report: the link back to it.
    programme: Option<(ProgrammeId, String)>,
}

fn page(visitor: &Visitor, layout: Layout, report: &sovereignty::Report, programme: Option<(ProgrammeId, String)>) -> AppResult<HttpResponse> {
    let locale = visitor.locale;
    let figures = report.figures.iter().map(|f| view(locale, f, &report.rows)).collect();
    let spend = report
        .rows
        .iter()
        .map(|r| SpendLine {
            provider: r.provider_name.clone(),
            country: country_name(locale, r.provider_country.as_deref()),
            hardware_kind: r.hardware_kind.clone(),
            amount: i18n::money(locale, r.amount.cents(), &r.currency),
        })
        .collect();
    render(&SovereigntyPage { layout, figures, spend, programme })
}

/// `/reports/sovereignty`: across the funder's programmes (every programme for an admin).
pub async fn sovereignty(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let (cache, known) = (state.clone(), visitor.state_at);
    let report = state.kept_or_db(known, move |src| sovereignty::across_programmes(src, &cache.spend_cache, known, &member)).await?;
    page(&visitor, Layout::new(&visitor, "title-sovereignty"), &report, None)
}

/// `/programmes/{id}/sovereignty`: one programme's, for its funder and admins.
pub async fn programme_sovereignty(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ProgrammeId = path_id(&path)?;
    let (cache, known) = (state.clone(), visitor.state_at);
    let (programme, report) = state.kept_or_db(known, move |src| sovereignty::of_programme(src, &cache.spend_cache, known, &member, id)).await?;
    let layout = Layout::message(&visitor, &Message::new("title-sovereignty-programme").with("name", programme.name.as_str()));
    page(&visitor, layout, &report, Some((programme.id, programme.name)))
}

/// The programme report's spending, by month, provider and hardware kind.
pub struct ProgrammeSpending {
    pub months: Vec<MonthSpend>,
    pub providers: Vec<ProviderSpend>,
}

/// Reads a programme's spending (two grouped queries). The caller has checked access.
pub fn programme_spending(conn: &mut crate::db::AnyConnection, cache: &spending::SpendCache, id: ProgrammeId) -> crate::domain::DomainResult<ProgrammeSpending> {
    Ok(ProgrammeSpending { months: cache.by_month(conn, Scope::Programme(id))?, providers: cache.by_provider(conn, Scope::Programme(id))? })
}

/// A month as people read it: `Nov 2026`, `nov. 2026`.
pub fn month(locale: Locale, first_day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {}", i18n::text(locale, &format!("month-{}", first_day.month())), first_day.year())
}

/// A programme's burn-down chart (budget left at the end of each month) and the sentence saying
/// when the budget runs out at the recent pace; nothing when nothing was spent.
pub fn burn_down_view(locale: Locale, currency: &str, budget: Amount, s: &ProgrammeSpending, today: chrono::NaiveDate) -> Option<(BarChart, String)> {
    use crate::domain::burn_down::{self, Exhaustion};
    let months: Vec<(chrono::NaiveDate, Amount)> = s.months.iter().filter(|m| m.currency == currency).map(|m| (m.month, m.amount)).collect();
    let b = burn_down::burn_down(budget, &months, today)?;
    if b.left.is_empty() {
        return None;
    }
    let money = |a: Amount| i18n::money(locale, a.cents(), currency);
    let text = match b.exhaustion {
        Exhaustion::NoRecentSpending => i18n::message(locale, &Message::new("burn-down-no-recent").with("months", i64::from(burn_down::PACE_MONTHS))),
        Exhaustion::Spent => i18n::text(locale, "burn-down-spent"),
        Exhaustion::Around { month: m, per_month } => i18n::message(locale, &Message::new("burn-down-around").with("month", month(locale, m)).with("rate", money(per_month)).with("months", i64::from(burn_down::PACE_MONTHS))),
        Exhaustion::NotInSight { per_month } => i18n::message(locale, &Message::new("burn-down-not-in-sight").with("rate", money(per_month))),
    };
    let rows: Vec<(String, Amount)> = b.left.iter().map(|(m, a)| (month(locale, *m), *a)).collect();
    let mut chart = crate::web::pages::transparency::money_chart(locale, "burn-down", "chart-burn-down", i18n::text(locale, "col-month"), currency, &rows);
    chart.value_header = i18n::text(locale, "col-budget-left");
    Some((chart, text))
}

/// The three charts of a programme's report, in its currency; none when nothing was spent.
pub fn programme_charts(locale: Locale, currency: &str, s: &ProgrammeSpending) -> Vec<BarChart> {
    let months: Vec<(String, Amount)> = s.months.iter().filter(|m| m.currency == currency).map(|m| (month(locale, m.month), m.amount)).collect();
    if months.is_empty() {
        return Vec::new();
    }
    let mine: Vec<ProviderSpend> = s.providers.iter().filter(|r| r.currency == currency).cloned().collect();
    let mut kinds: Vec<(String, Amount)> = spending::total_by(&mine, |r| r.hardware_kind.clone()).unwrap_or_default().into_iter().map(|(k, _, a)| (k, a)).collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    vec![
        money_chart(locale, "by-month", "chart-by-month", i18n::text(locale, "col-month"), currency, &months),
        money_chart(locale, "by-provider", "chart-by-provider", i18n::text(locale, "col-provider"), currency, &provider_totals(&mine, currency)),
        money_chart(locale, "by-hardware", "chart-by-hardware", i18n::text(locale, "col-hardware-kind"), currency, &kinds),
    ]
}

//! The public transparency page and its open data: `/transparency`, `/transparency.csv`
//! (awards), `/transparency/spending.csv`, `/transparency.json` and the Atom feed of new awards.
//! No sign-in; the figures come from `domain::transparency`.

use crate::domain::spending;
use crate::domain::transparency::{self, OpenData, PublicAward, Transparency};
use crate::i18n::{self, Locale};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::charts::{Bar, BarChart, escape};
use crate::web::error::{AppError, AppResult};
use crate::domain::paging::PageRequest;
use crate::web::layout::{Layout, Pager};
use crate::web::session::Visitor;
use crate::web::{AppState, render};
use actix_web::{HttpResponse, web};
use askama::Template;

/// Newest awards in the feed.
pub const FEED_ENTRIES: i64 = 50;

/// A country code worded for people: its name when the catalogues have it, else the code;
/// "unknown" when there is none.
pub fn country_name(locale: Locale, code: Option<&str>) -> String {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => i18n::text(locale, "reports-unknown"),
        Some(code) => {
            let key = format!("country-{code}");
            if i18n::has(locale, &key) { i18n::text(locale, &key) } else { code.to_string() }
        }
    }
}

/// A bar chart of (label, amount) rows in one currency, described for screen readers.
pub fn money_chart(locale: Locale, id: &str, title_key: &str, label_header: String, currency: &str, rows: &[(String, Amount)]) -> BarChart {
    let title = i18n::text(locale, title_key);
    let bars: Vec<Bar> = rows.iter().map(|(label, amount)| Bar { label: label.clone(), value: amount.cents(), shown: i18n::money(locale, amount.cents(), currency) }).collect();
    let values = bars.iter().map(|b| format!("{} {}", b.label, b.shown)).collect::<Vec<_>>().join(", ");
    let description = i18n::message(locale, &Message::new("chart-description").with("title", title.as_str()).with("currency", currency).with("values", values));
    BarChart { id: id.to_string(), title, description, label_header, value_header: i18n::text(locale, "col-amount"), bars }
}

/// Currencies of `rows`, in order of first appearance.
pub fn currencies<K>(rows: &[(K, String, Amount)]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for (_, c, _) in rows {
        if !out.contains(&c.as_str()) {
            out.push(c);
        }
    }
    out
}

/// One chart per currency of `rows`, labels worded by `label`.
fn charts_per_currency<K>(locale: Locale, id: &str, title_key: &str, label_header: String, rows: &[(K, String, Amount)], label: impl Fn(&K) -> String) -> Vec<BarChart> {
    currencies(rows)
        .into_iter()
        .map(|currency| {
            let mine: Vec<(String, Amount)> = rows.iter().filter(|(_, c, _)| c == currency).map(|(k, _, a)| (label(k), *a)).collect();
            money_chart(locale, &format!("{id}-{}", currency.to_ascii_lowercase()), title_key, label_header.clone(), currency, &mine)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/transparency/body.html")]
struct TransparencyBody<'a> {
    layout: &'a Layout,
    t: Transparency,
    threshold: String,
    charts: Vec<BarChart>,
    /// Links to the other pages of awards (the files hold them all).
    pager: Option<Pager>,
}

impl TransparencyBody<'_> {
    fn country(&self, code: &Option<String>) -> String {
        country_name(self.layout.locale, code.as_deref())
    }
}

/// The page around its content: the layout is the visitor's (name, CSRF token), the content
/// the same for everyone reading in that language.
#[derive(Template)]
#[template(path = "pages/transparency/show.html")]
struct TransparencyPage {
    layout: Layout,
    body: std::sync::Arc<String>,
}

async fn load(state: &web::Data<AppState>, page: Option<PageRequest>) -> AppResult<Transparency> {
    let threshold = state.settings.transparency_threshold;
    let cache = state.clone();
    state.db(move |conn| transparency::report(conn, &cache.spend_cache, threshold, page)).await
}

/// The content as kept, or the figures to render it from and the state they were read at.
enum Content {
    Kept(std::sync::Arc<String>),
    Read(spending::PageState, Box<Transparency>),
}

pub async fn page(state: web::Data<AppState>, visitor: Visitor, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let page = PageRequest::parse(query.get("page").map(String::as_str));
    let locale = visitor.locale;
    let threshold = state.settings.transparency_threshold;
    let key = (locale.code(), threshold.cents(), page.number);
    let cache = state.clone();
    // One row read decides whether the kept content still shows what the database holds.
    let content = state
        .db(move |conn| {
            let at = spending::ledger_state(conn)?;
            if let Some(body) = cache.spend_cache.transparency_pages.kept_at(&key, at) {
                return Ok(Content::Kept(body));
            }
            Ok(Content::Read(at, Box::new(transparency::report(conn, &cache.spend_cache, threshold, Some(page))?)))
        })
        .await?;
    let layout = Layout::new(&visitor, "title-transparency");
    let body = match content {
        Content::Kept(body) => body,
        Content::Read(at, t) => {
            let t = *t;
            let pager = Pager::of(&t.awards, "/transparency");
            let mut charts = charts_per_currency(locale, "by-hardware", "chart-by-hardware", i18n::text(locale, "col-hardware-kind"), &t.by_hardware, |k| k.clone());
            charts.extend(charts_per_currency(locale, "by-provider-country", "chart-by-provider-country", i18n::text(locale, "col-provider-country"), &t.by_provider_country, |k| {
                country_name(locale, k.as_deref())
            }));
            let threshold = i18n::money(locale, t.threshold.cents(), transparency::THRESHOLD_CURRENCY);
            let body = std::sync::Arc::new(TransparencyBody { layout: &layout, t, threshold, charts, pager }.render()?);
            state.spend_cache.transparency_pages.keep(key, at, body.clone());
            body
        }
    };
    render(&TransparencyPage { layout, body })
}

fn csv_response(body: String, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
        .body(body)
}

pub async fn awards_csv(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let t = load(&state, None).await?;
    let body = transparency::awards_csv(&t.awards.items).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(csv_response(body, "computegrants-awards.csv"))
}

pub async fn spending_csv(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let t = load(&state, None).await?;
    let body = transparency::spending_csv(&t).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(csv_response(body, "computegrants-spending.csv"))
}

pub async fn json(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let t = load(&state, None).await?;
    let body = serde_json::to_string_pretty(&OpenData::of(&t)).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// RFC 3339 in UTC, as Atom's dates are written (stored times are UTC).
fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The Atom 1.0 feed (RFC 4287) of the newest awards: each entry's id is the award's place on
/// the transparency page, which never changes.
pub fn atom_feed(locale: Locale, base: &str, awards: &[PublicAward], now: chrono::NaiveDateTime) -> String {
    let base = base.trim_end_matches('/');
    let page = format!("{base}/transparency");
    let self_url = format!("{base}/transparency/awards.atom");
    let updated = awards.iter().map(|a| a.granted_at).max().unwrap_or(now);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<author><name>{}</name></author>\n",
        locale.code(),
        escape(&self_url),
        escape(&i18n::text(locale, "transparency-feed-title")),
        rfc3339(updated),
        escape(&self_url),
        escape(&page),
        escape(&i18n::text(locale, "brand")),
    ));
    for a in awards {
        let link = format!("{page}#award-{}", a.grant_code);
        let amount = i18n::money(locale, a.amount.cents(), &a.currency);
        let title = i18n::message(locale, &Message::new("transparency-feed-entry").with("beneficiary", a.beneficiary.as_str()).with("amount", amount).with("authority", a.granting_authority.as_str()));
        let summary = i18n::message(
            locale,
            &Message::new("transparency-feed-summary").with("objective", a.objective.as_str()).with("grant", a.grant_code.as_str()).with("date", i18n::date(locale, a.granted_on())),
        );
        xml.push_str(&format!(
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n<published>{}</published>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
            escape(&link),
            escape(&title),
            rfc3339(a.granted_at),
            rfc3339(a.granted_at),
            escape(&link),
            escape(&summary),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

pub async fn atom(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let threshold = state.settings.transparency_threshold;
    let awards = state
        .db(move |conn| {
            let programmes = transparency::programmes(conn)?;
            transparency::awards(conn, threshold, &programmes, Some((FEED_ENTRIES, 0)))
        })
        .await?;
    let body = atom_feed(visitor.locale, &state.base_url(), &awards, crate::domain::clock::now());
    Ok(HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(body))
}

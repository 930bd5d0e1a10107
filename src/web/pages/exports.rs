//! Downloads of the tables people take away, as CSV, XLSX and JSON: a programme's grants, its
//! spending and sovereignty figures (and the same across a funder's programmes), a grant's
//! statement, an upload's usage lines, the de minimis register, the public awards, and the
//! auditors' journal of a programme. Same access as the pages they come from (the route's
//! action, then the domain's object check); headers in the reader's language. The domain reads
//! the figures; these handlers only lay them out as a `domain::table::Table`.

use crate::domain::ProgrammeId;
use crate::domain::journal::{self, Period};
use crate::domain::reports;
use crate::domain::sovereignty::{self, Figures, Part};
use crate::domain::spending::ProviderSpend;
use crate::domain::table::{Cell, Column, Format, Kind, Table};
use crate::domain::transparency;
use crate::i18n::{self, Locale};
use crate::web::export::{download, format_of};
use crate::web::pages::transparency::country_name;
use crate::web::session::Visitor;
use crate::web::{AppState, path_id};
use crate::web::error::AppResult;
use actix_web::{HttpResponse, web};
use std::collections::HashMap;

fn col(locale: Locale, key: &'static str, catalogue_key: &str, kind: Kind) -> Column {
    Column::new(key, i18n::text(locale, catalogue_key), kind)
}

/// `/programmes/{id}/grants.{format}`: the report's table of grants, all of them.
pub async fn programme_grants(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ProgrammeId = path_id(&path.0)?;
    let format = format_of(&path.1)?;
    let cache = state.clone();
    let report = state.db(move |conn| reports::programme_report_cached(conn, &cache.spend_cache, &member, id, None)).await?;
    let l = visitor.locale;
    let currency = report.programme.currency.as_str();
    let mut table = Table::new(
        i18n::text(l, "programme-per-grant"),
        vec![
            col(l, "grant", "col-grant", Kind::Text),
            col(l, "startup", "col-startup", Kind::Text),
            col(l, "awarded", "col-awarded", Kind::Money),
            col(l, "spent", "col-spent", Kind::Money),
            col(l, "remaining", "col-remaining", Kind::Money),
            col(l, "currency", "col-currency", Kind::Text),
        ],
    );
    for g in &report.grants {
        table.push(vec![
            Cell::text(g.grant.code.as_str()),
            Cell::text(g.startup_name.as_str()),
            Cell::money(g.awarded, currency),
            Cell::money(g.spent, currency),
            Cell::money(g.balance, currency),
            Cell::text(currency),
        ]);
    }
    download(&table, format, &format!("programme-{id}-grants"))
}

/// The sovereignty figures of each currency: what is counted, the amount, the share.
fn figures_table(l: Locale, figures: &[Figures]) -> Table {
    let mut table = Table::new(
        i18n::text(l, "reports-shares"),
        vec![
            col(l, "currency", "col-currency", Kind::Text),
            col(l, "figure_id", "export-col-figure-id", Kind::Text),
            col(l, "figure", "col-figure", Kind::Text),
            col(l, "amount", "col-amount", Kind::Money),
            col(l, "share", "col-share", Kind::Percent),
        ],
    );
    for f in figures {
        let c = f.currency.as_str();
        table.push(vec![Cell::text(c), Cell::text("total"), Cell::text(i18n::text(l, "reports-total-spent")), Cell::money(f.total, c), Cell::Empty]);
        let parts: [(&str, &str, &Part); 7] = [
            ("hq-eu", "reports-hq-eu", &f.headquarters.eu_eea),
            ("hq-outside", "reports-hq-outside", &f.headquarters.outside),
            ("hq-unknown", "reports-hq-unknown", &f.headquarters.unknown),
            ("dc-eu", "reports-dc-eu", &f.data_centres.eu_eea),
            ("dc-outside", "reports-dc-outside", &f.data_centres.outside),
            ("dc-unknown", "reports-dc-unknown", &f.data_centres.unknown),
            ("alternative", "reports-alternative", &f.alternative),
        ];
        for (id, key, part) in parts {
            let share = part.percent().map(Cell::Percent).unwrap_or(Cell::Empty);
            table.push(vec![Cell::text(c), Cell::text(id), Cell::text(i18n::text(l, key)), Cell::money(part.amount, c), share]);
        }
    }
    table
}

/// Spending by provider, its country and hardware kind.
fn spending_table(l: Locale, rows: &[ProviderSpend]) -> Table {
    let mut table = Table::new(
        i18n::text(l, "reports-spend-rows"),
        vec![
            col(l, "provider", "col-provider", Kind::Text),
            col(l, "provider_country_code", "export-col-country-code", Kind::Text),
            col(l, "provider_country", "col-provider-country", Kind::Text),
            col(l, "hardware_kind", "col-hardware-kind", Kind::Text),
            col(l, "amount", "col-amount", Kind::Money),
            col(l, "currency", "col-currency", Kind::Text),
        ],
    );
    for r in rows {
        table.push(vec![
            Cell::text(r.provider_name.as_str()),
            Cell::text(r.provider_country.clone().unwrap_or_default()),
            Cell::text(country_name(l, r.provider_country.as_deref())),
            Cell::text(r.hardware_kind.as_str()),
            Cell::money(r.amount, &r.currency),
            Cell::text(r.currency.as_str()),
        ]);
    }
    table
}

/// `/programmes/{id}/sovereignty.{format}`: the figures of one programme's sovereignty report.
pub async fn programme_sovereignty(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (id, format, report) = programme_report(&state, &visitor, &path).await?;
    download(&figures_table(visitor.locale, &report.figures), format, &format!("programme-{id}-sovereignty"))
}

/// `/programmes/{id}/spending.{format}`: one programme's spending by provider and hardware kind.
pub async fn programme_spending(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (id, format, report) = programme_report(&state, &visitor, &path).await?;
    download(&spending_table(visitor.locale, &report.rows), format, &format!("programme-{id}-spending"))
}

async fn programme_report(state: &web::Data<AppState>, visitor: &Visitor, path: &(String, String)) -> AppResult<(ProgrammeId, Format, sovereignty::Report)> {
    let member = visitor.member()?.clone();
    let id: ProgrammeId = path_id(&path.0)?;
    let format = format_of(&path.1)?;
    let (cache, known) = (state.clone(), visitor.state_at);
    let (_, report) = state.kept_or_db(known, move |src| sovereignty::of_programme(src, &cache.spend_cache, known, &member, id)).await?;
    Ok((id, format, report))
}

async fn report_across(state: &web::Data<AppState>, visitor: &Visitor, path: &str) -> AppResult<(Format, sovereignty::Report)> {
    let member = visitor.member()?.clone();
    let format = format_of(path)?;
    let (cache, known) = (state.clone(), visitor.state_at);
    let report = state.kept_or_db(known, move |src| sovereignty::across_programmes(src, &cache.spend_cache, known, &member)).await?;
    Ok((format, report))
}

/// `/reports/sovereignty.{format}`: the figures across the funder's programmes.
pub async fn sovereignty_across(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let (format, report) = report_across(&state, &visitor, &path).await?;
    download(&figures_table(visitor.locale, &report.figures), format, "sovereignty")
}

/// `/reports/spending.{format}`: spending across the funder's programmes.
pub async fn spending_across(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let (format, report) = report_across(&state, &visitor, &path).await?;
    download(&spending_table(visitor.locale, &report.rows), format, "spending")
}

/// `/transparency/awards.{format}`: every published award, as on the public page.
pub async fn transparency_awards(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let format = format_of(&path)?;
    let threshold = state.settings.transparency_threshold;
    let cache = state.clone();
    let t = state.db(move |conn| transparency::report(conn, &cache.spend_cache, threshold, None)).await?;
    let l = visitor.locale;
    let table = transparency::awards_table(&i18n::text(l, "transparency-awards"), &t.awards.items, |key| {
        i18n::text(l, match key {
            "grant" => "col-grant",
            "beneficiary" => "col-beneficiary",
            "country" => "col-country",
            "amount" => "col-amount",
            "currency" => "col-currency",
            "granted_on" => "col-granted-on",
            "granting_authority" => "col-granting-authority",
            "objective" => "col-objective",
            _ => "col-hardware-kind",
        })
    });
    download(&table, format, "awards")
}

/// `/programmes/{id}/journal.{format}?from=YYYY-MM-DD&to=YYYY-MM-DD`: the auditors' journal of
/// one programme over a period (both ends optional).
pub async fn programme_journal(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>, query: web::Query<HashMap<String, String>>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: ProgrammeId = path_id(&path.0)?;
    let format = format_of(&path.1)?;
    let period = Period::parse(query.get("from").map(String::as_str), query.get("to").map(String::as_str))?;
    let (_, lines) = state.db(move |conn| journal::programme_journal(conn, &member, id, period)).await?;
    let l = visitor.locale;
    let table = journal::journal_table(&i18n::text(l, "export-journal"), &lines, |key| i18n::text(l, key));
    download(&table, format, &format!("programme-{id}-journal-{}", period.slug()))
}

/// `/grants/{id}/statement.{format}`: the grant's whole statement, oldest first, worded as on
/// its page; for whoever may see the grant.
pub async fn grant_statement(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    use crate::messages::Message;
    let member = visitor.member()?.clone();
    let id: crate::domain::GrantId = path_id(&path.0)?;
    let format = format_of(&path.1)?;
    let statement = state.db(move |conn| crate::domain::grants::statement(conn, &member, id)).await?;
    let l = visitor.locale;
    let currency = statement.grant.currency.as_str();
    let code = statement.grant.code.as_str();
    let mut table = Table::new(
        i18n::text(l, "grant-statement"),
        vec![
            col(l, "entry_id", "col-entry", Kind::Integer),
            col(l, "date", "col-date", Kind::Date),
            col(l, "kind", "col-kind", Kind::Text),
            col(l, "description", "col-description", Kind::Text),
            col(l, "charged", "col-charged", Kind::Money),
            col(l, "credited", "col-credited", Kind::Money),
            col(l, "balance", "col-balance", Kind::Money),
            col(l, "currency", "col-currency", Kind::Text),
        ],
    );
    let positive = |a: crate::money::Amount| if a.is_positive() { Cell::money(a, currency) } else { Cell::Empty };
    for line in &statement.lines {
        let description = match (line.kind.as_str(), line.usage_upload_id) {
            ("award", _) => i18n::message(l, &Message::new("statement-award").with("code", code)),
            ("credit-note", _) => i18n::text(l, "statement-credit-note"),
            ("usage", Some(upload)) => i18n::message(l, &Message::new("statement-usage").with("upload", upload.to_string())),
            _ => line.description.clone(),
        };
        table.push(vec![
            Cell::Integer(line.entry_id),
            Cell::Date(line.effective_on),
            Cell::text(i18n::text(l, &format!("entry-{}", line.kind))),
            Cell::text(description),
            positive(line.debit),
            positive(line.credit),
            Cell::money(line.balance, currency),
            Cell::text(currency),
        ]);
    }
    download(&table, format, &format!("grant-{code}-statement"))
}

/// Lines of one upload a download holds at most: a spreadsheet's rows less its header.
pub const MAX_UPLOAD_LINES: i64 = crate::domain::table::MAX_XLSX_ROWS as i64;

/// `/usage/{id}/lines.{format}`: an upload's usage lines with their exact quantities and
/// costs; for the provider that sent it and admins.
pub async fn upload_lines(state: web::Data<AppState>, visitor: Visitor, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let member = visitor.member()?.clone();
    let id: crate::domain::UploadId = path_id(&path.0)?;
    let format = format_of(&path.1)?;
    let lines = state.db(move |conn| crate::domain::usage::lines_of(conn, &member, id, MAX_UPLOAD_LINES)).await?;
    let l = visitor.locale;
    let mut table = Table::new(
        i18n::text(l, "col-lines"),
        vec![
            col(l, "line", "col-line", Kind::Integer),
            col(l, "grant", "col-grant", Kind::Text),
            col(l, "service", "col-service", Kind::Text),
            col(l, "quantity", "col-quantity", Kind::Decimal),
            col(l, "unit", "col-unit", Kind::Text),
            col(l, "billed_cost", "col-billed-cost", Kind::Decimal),
        ],
    );
    let exact = |text: &str| -> AppResult<Cell> {
        let value: rust_decimal::Decimal = text.trim().parse().map_err(|e: rust_decimal::Error| crate::web::error::AppError::Internal(Box::new(e)))?;
        Ok(Cell::Decimal(value))
    };
    for (n, code, service, quantity, unit, cost) in &lines {
        table.push(vec![Cell::Integer(*n), Cell::text(code.as_str()), Cell::text(service.as_str()), exact(quantity)?, Cell::text(unit.as_str()), exact(cost)?]);
    }
    download(&table, format, &format!("upload-{id}-lines"))
}

/// `/funder/de-minimis.{xlsx,json}`: the funder's de minimis register (its CSV, with the
/// register's machine headers, stays at `/funder/de-minimis.csv`); headers in the reader's
/// language.
pub async fn de_minimis(state: web::Data<AppState>, visitor: Visitor, path: web::Path<String>) -> AppResult<HttpResponse> {
    let funder_id = visitor.member_of(crate::domain::identity::OrgKind::Funder)?.org_id();
    let format = format_of(&path)?;
    let l = visitor.locale;
    let name = i18n::text(l, "export-de-minimis-sheet");
    let table = state
        .db(move |conn| {
            crate::domain::company::register_table(conn, funder_id, &name, |key| {
                let catalogue_key = match key {
                    "beneficiary_name" => "col-beneficiary",
                    "beneficiary_country" => "col-country",
                    "amount" => "col-amount",
                    "currency" => "col-currency",
                    "granted_on" => "col-granted-on",
                    "granting_authority" => "col-granting-authority",
                    "aid_id" => "export-col-aid-id",
                    "beneficiary_identifier" => "export-col-beneficiary-identifier",
                    "sme_category" => "export-col-sme-category",
                    _ => "export-col-regulation",
                };
                i18n::text(l, catalogue_key)
            })
        })
        .await?;
    download(&table, format, "de-minimis-awards")
}

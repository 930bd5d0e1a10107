//! What the public may see without signing in: the programmes, the awards at or above the
//! publication threshold with the fields the European Commission's Transparency Award Module
//! asks for (those this application keeps), and aggregate spending by hardware kind and by the
//! provider's country. The same figures feed the page, the CSV and JSON files and the Atom feed.
//!
//! The threshold is in euros (`TRANSPARENCY_THRESHOLD`, default €100,000: the GBER publication
//! threshold as amended in 2023). No exchange rate is kept, so an award in another currency
//! cannot be compared with it: such awards are all published rather than hidden by a guess.
//!
//! Not published yet: the beneficiary's enterprise category (not stored).

use crate::db::AnyConnection;
use crate::db::schema::{applications, grants, organisations, programmes};
use crate::domain::table::{Cell, Column, Format, Table, TableError};
use crate::domain::error::DomainResult;
use crate::domain::ids::{GrantId, ProgrammeId};
use crate::domain::paging::{PAGE_SIZE, Page, PageRequest};
use crate::domain::spending::{self, Scope};
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

/// The currency the threshold is expressed in.
pub const THRESHOLD_CURRENCY: &str = "EUR";

/// A programme as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicProgramme {
    pub id: ProgrammeId,
    pub name: String,
    pub description: String,
    /// The funder: its legal name when registered, else its name.
    pub granting_authority: String,
    pub currency: String,
    pub budget: Amount,
    pub max_award: Amount,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// One published award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAward {
    pub grant_id: GrantId,
    pub grant_code: String,
    /// The startup's legal name when registered, else its name.
    pub beneficiary: String,
    /// The beneficiary's country (ISO 3166-1 alpha-2), when known.
    pub country: Option<String>,
    pub amount: Amount,
    pub currency: String,
    pub granted_at: NaiveDateTime,
    pub granting_authority: String,
    pub programme_id: ProgrammeId,
    /// The objective: the programme's name.
    pub objective: String,
    pub hardware_kind: String,
}

impl PublicAward {
    pub fn granted_on(&self) -> NaiveDate {
        self.granted_at.date()
    }
}

/// Everything the public page shows.
#[derive(Debug, Clone)]
pub struct Transparency {
    pub threshold: Amount,
    pub programmes: Vec<PublicProgramme>,
    /// Newest first: one page of them, or all (page 1 of one page) for the open data.
    pub awards: Page<PublicAward>,
    /// (hardware kind, currency, amount), by currency then largest first.
    pub by_hardware: Vec<(String, String, Amount)>,
    /// (provider country or `None` when unknown, currency, amount), by currency then largest first.
    pub by_provider_country: Vec<(Option<String>, String, Amount)>,
}

fn display_name(name: String, legal_name: Option<String>) -> String {
    legal_name.filter(|l| !l.trim().is_empty()).unwrap_or(name)
}

/// Every programme, newest window first, with its funder's name: one query.
pub fn programmes(conn: &mut AnyConnection) -> DomainResult<Vec<PublicProgramme>> {
    type Row = (ProgrammeId, String, String, String, i64, i64, NaiveDate, NaiveDate, String, Option<String>);
    let rows: Vec<Row> = programmes::table
        .inner_join(organisations::table.on(organisations::id.eq(programmes::funder_id)))
        // Drafts are their funder's own until they open.
        .filter(programmes::status.ne(crate::domain::programmes::ProgrammeStatus::Draft.as_str()))
        .order((programmes::opens_on.desc(), programmes::id.desc()))
        .select((
            programmes::id,
            programmes::name,
            programmes::description,
            programmes::currency,
            programmes::budget,
            programmes::max_award,
            programmes::opens_on,
            programmes::closes_on,
            organisations::name,
            organisations::legal_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, description, currency, budget, max_award, opens_on, closes_on, funder, funder_legal)| PublicProgramme {
            id,
            name,
            description,
            granting_authority: display_name(funder, funder_legal),
            currency,
            budget: Amount::from_cents(budget),
            max_award: Amount::from_cents(max_award),
            opens_on,
            closes_on,
        })
        .collect())
}

/// The awards published: at or above `threshold` in euros, and every award in another currency.
macro_rules! published {
    ($threshold:expr) => {
        grants::currency.ne(THRESHOLD_CURRENCY).or(grants::amount.ge($threshold.cents()))
    };
}

/// How many awards are published.
pub fn awards_count(conn: &mut AnyConnection, threshold: Amount) -> DomainResult<i64> {
    Ok(grants::table.filter(published!(threshold)).count().get_result(conn)?)
}

/// Awards at or above `threshold` (euros; other currencies all), newest first, at most `limit`
/// from `offset` when given. One query, plus the programmes' funders from `programmes`.
pub fn awards(conn: &mut AnyConnection, threshold: Amount, programmes: &[PublicProgramme], limit: Option<(i64, i64)>) -> DomainResult<Vec<PublicAward>> {
    type Row = (GrantId, String, i64, String, NaiveDateTime, ProgrammeId, String, String, Option<String>, Option<String>, String);
    let mut query = grants::table
        .inner_join(organisations::table.on(organisations::id.eq(grants::startup_id)))
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .inner_join(applications::table.on(applications::id.eq(grants::application_id)))
        .filter(published!(threshold))
        .order((grants::created_at.desc(), grants::id.desc()))
        .select((
            grants::id,
            grants::code,
            grants::amount,
            grants::currency,
            grants::created_at,
            grants::programme_id,
            programmes::name,
            organisations::name,
            organisations::legal_name,
            organisations::country,
            applications::hardware,
        ))
        .into_boxed();
    if let Some((limit, offset)) = limit {
        query = query.limit(limit).offset(offset);
    }
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(grant_id, grant_code, amount, currency, granted_at, programme_id, objective, name, legal_name, country, hardware_kind)| PublicAward {
            grant_id,
            grant_code,
            beneficiary: display_name(name, legal_name),
            country,
            amount: Amount::from_cents(amount),
            currency,
            granted_at,
            granting_authority: programmes.iter().find(|p| p.id == programme_id).map(|p| p.granting_authority.clone()).unwrap_or_default(),
            programme_id,
            objective,
            hardware_kind,
        })
        .collect())
}

/// Largest first within each currency (currencies in alphabetical order), then by key.
fn sorted<K: Ord + Clone>(mut rows: Vec<(K, String, Amount)>) -> Vec<(K, String, Amount)> {
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    rows
}

/// The public report: with one page of the awards (the page), or all of them (`None`: the open
/// data).
pub fn report(conn: &mut AnyConnection, cache: &spending::SpendCache, threshold: Amount, page: Option<PageRequest>) -> DomainResult<Transparency> {
    cache.transparency.get_or_read(conn, (threshold.cents(), page.map(|p| p.number)), |conn| read_report(conn, cache, threshold, page))
}

fn read_report(conn: &mut AnyConnection, cache: &spending::SpendCache, threshold: Amount, page: Option<PageRequest>) -> DomainResult<Transparency> {
    let programmes = programmes(conn)?;
    let awards = match page {
        Some(page) => {
            let total = awards_count(conn, threshold)?;
            Page { items: awards(conn, threshold, &programmes, Some((PAGE_SIZE, page.offset())))?, number: page.number, total }
        }
        None => {
            let items = awards(conn, threshold, &programmes, None)?;
            Page { total: i64::try_from(items.len()).unwrap_or(i64::MAX), items, number: 1 }
        }
    };
    let spend = cache.by_provider(conn, Scope::All)?;
    let by_hardware = sorted(spending::total_by(&spend, |r| r.hardware_kind.clone())?);
    let by_provider_country = sorted(spending::total_by(&spend, |r| r.provider_country.clone())?);
    Ok(Transparency { threshold, programmes, awards, by_hardware, by_provider_country })
}

/// The CSV header of [`awards_csv`]: the JSON field names.
pub const AWARD_COLUMNS: [&str; 9] = ["grant", "beneficiary", "country", "amount", "currency", "granted_on", "granting_authority", "objective", "hardware_kind"];

/// The awards as a table to download, in [`AWARD_COLUMNS`] order; `header` words each column
/// from its key (the keys themselves for the open-data CSV).
pub fn awards_table(name: &str, awards: &[PublicAward], header: impl Fn(&'static str) -> String) -> Table {
    use crate::domain::table::Kind::{Date, Money as MoneyKind, Text};
    let kinds = [Text, Text, Text, MoneyKind, Text, Date, Text, Text, Text];
    let mut table = Table::new(name, AWARD_COLUMNS.iter().zip(kinds).map(|(key, kind)| Column::new(key, header(key), kind)).collect());
    for a in awards {
        table.push(vec![
            Cell::text(a.grant_code.as_str()),
            Cell::text(a.beneficiary.as_str()),
            Cell::text(a.country.clone().unwrap_or_default()),
            Cell::money(a.amount, &a.currency),
            Cell::text(a.currency.as_str()),
            Cell::Date(a.granted_on()),
            Cell::text(a.granting_authority.as_str()),
            Cell::text(a.objective.as_str()),
            Cell::text(a.hardware_kind.as_str()),
        ]);
    }
    table
}

/// The awards as RFC 4180 CSV (CRLF line ends, quoted when needed); text cells that would start
/// a spreadsheet formula are neutralised. Amounts are plain decimals (`150000.00`), dates ISO 8601.
pub fn awards_csv(awards: &[PublicAward]) -> Result<String, TableError> {
    csv_text(&awards_table("awards", awards, |key| key.to_string()))
}

/// Aggregate spending as CSV: `dimension` (`hardware_kind` or `provider_country`), `value`
/// (empty: unknown), `currency`, `amount`.
pub fn spending_csv(t: &Transparency) -> Result<String, TableError> {
    use crate::domain::table::Kind::{Money as MoneyKind, Text};
    let columns = [("dimension", Text), ("value", Text), ("currency", Text), ("amount", MoneyKind)];
    let mut table = Table::new("spending", columns.into_iter().map(|(key, kind)| Column::new(key, key, kind)).collect());
    for (kind, currency, amount) in &t.by_hardware {
        table.push(vec![Cell::text("hardware_kind"), Cell::text(kind.as_str()), Cell::text(currency.as_str()), Cell::money(*amount, currency)]);
    }
    for (country, currency, amount) in &t.by_provider_country {
        table.push(vec![Cell::text("provider_country"), Cell::text(country.clone().unwrap_or_default()), Cell::text(currency.as_str()), Cell::money(*amount, currency)]);
    }
    csv_text(&table)
}

fn csv_text(table: &Table) -> Result<String, TableError> {
    let bytes = table.render(Format::Csv)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `/transparency.json`: every field is described on the page's "Open data" section.
#[derive(Debug, Serialize)]
pub struct OpenData {
    pub threshold: Money,
    pub programmes: Vec<ProgrammeRecord>,
    pub awards: Vec<AwardRecord>,
    pub spending_by_hardware_kind: Vec<SpendRecord>,
    pub spending_by_provider_country: Vec<SpendRecord>,
}

/// An exact amount: a decimal string in major units (`"150000.00"`), never a float.
#[derive(Debug, Serialize)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct ProgrammeRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub granting_authority: String,
    pub currency: String,
    pub budget: String,
    pub max_award: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct AwardRecord {
    pub grant: String,
    pub beneficiary: String,
    pub country: Option<String>,
    pub amount: String,
    pub currency: String,
    pub granted_on: NaiveDate,
    pub granting_authority: String,
    pub objective: String,
    pub programme_id: i64,
    pub hardware_kind: String,
}

#[derive(Debug, Serialize)]
pub struct SpendRecord {
    /// The hardware kind, or the provider's country (`null`: unknown).
    pub value: Option<String>,
    pub currency: String,
    pub amount: String,
}

impl OpenData {
    pub fn of(t: &Transparency) -> OpenData {
        OpenData {
            threshold: Money { amount: t.threshold.plain(), currency: THRESHOLD_CURRENCY.into() },
            programmes: t
                .programmes
                .iter()
                .map(|p| ProgrammeRecord {
                    id: p.id.get(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    granting_authority: p.granting_authority.clone(),
                    currency: p.currency.clone(),
                    budget: p.budget.plain(),
                    max_award: p.max_award.plain(),
                    opens_on: p.opens_on,
                    closes_on: p.closes_on,
                })
                .collect(),
            awards: t
                .awards
                .items
                .iter()
                .map(|a| AwardRecord {
                    grant: a.grant_code.clone(),
                    beneficiary: a.beneficiary.clone(),
                    country: a.country.clone(),
                    amount: a.amount.plain(),
                    currency: a.currency.clone(),
                    granted_on: a.granted_on(),
                    granting_authority: a.granting_authority.clone(),
                    objective: a.objective.clone(),
                    programme_id: a.programme_id.get(),
                    hardware_kind: a.hardware_kind.clone(),
                })
                .collect(),
            spending_by_hardware_kind: t.by_hardware.iter().map(|(k, c, a)| SpendRecord { value: Some(k.clone()), currency: c.clone(), amount: a.plain() }).collect(),
            spending_by_provider_country: t.by_provider_country.iter().map(|(k, c, a)| SpendRecord { value: k.clone(), currency: c.clone(), amount: a.plain() }).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn award(beneficiary: &str) -> PublicAward {
        PublicAward {
            grant_id: GrantId::new(1),
            grant_code: "G-2026-0001".into(),
            beneficiary: beneficiary.into(),
            country: Some("FR".into()),
            amount: Amount::from_cents(15_000_000),
            currency: "EUR".into(),
            granted_at: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap().and_hms_opt(9, 30, 0).unwrap(),
            granting_authority: "Agence, \"Calcul\"".into(),
            programme_id: ProgrammeId::new(3),
            objective: "Compute for AI".into(),
            hardware_kind: "GPU".into(),
        }
    }

    #[test]
    fn the_awards_csv_is_rfc_4180_and_neutralises_formulas() {
        let csv = awards_csv(&[award("=HYPERLINK(\"http://evil\")"), award("@SUM(A1)"), award("Lumen Labs SAS")]).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "grant,beneficiary,country,amount,currency,granted_on,granting_authority,objective,hardware_kind");
        assert_eq!(lines[1], "G-2026-0001,\"'=HYPERLINK(\"\"http://evil\"\")\",FR,150000.00,EUR,2026-11-02,\"Agence, \"\"Calcul\"\"\",Compute for AI,GPU");
        assert!(lines[2].contains(",'@SUM(A1),"), "{}", lines[2]);
        assert!(lines[3].contains(",Lumen Labs SAS,"));
        assert_eq!(lines.last(), Some(&""), "every record ends with CRLF");
    }
}

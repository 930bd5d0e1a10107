//! A grant's usage lines, as its startup (and its funder and provider) read them: filtered by
//! period and service, a page at a time, each with its upload's state and any flag the startup
//! raised on it.

use crate::db::AnyConnection;
use crate::db::schema::{usage_flags, usage_lines, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::GrantId;
use crate::messages::Message;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Lines shown per page.
pub const PAGE: i64 = 100;
/// Longest flag reason kept.
pub const MAX_FLAG_CHARS: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub service: Option<String>,
    /// The page, from 0.
    pub page: i64,
}

#[derive(Debug, Clone)]
pub struct GrantLine {
    pub id: i64,
    pub upload_id: i64,
    pub line_number: i64,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub service: String,
    pub quantity: String,
    pub unit: String,
    pub cost: String,
    pub currency: String,
    pub upload_status: String,
    pub flag: Option<String>,
}

pub struct LinePage {
    pub lines: Vec<GrantLine>,
    pub total: i64,
    pub services: Vec<String>,
}

/// The lines charged to `grant_id`, newest first, as `filter` asks.
pub fn lines_of_grant(conn: &mut AnyConnection, by: &Member, grant_id: GrantId, filter: &LineFilter) -> DomainResult<LinePage> {
    crate::domain::grants::grant_for(conn, by, grant_id)?;
    // Lines of uploads not yet submitted are the provider's draft, not a charge.
    let submitted = ["submitted", "approved"];
    let base = || {
        let mut q = usage_lines::table
            .inner_join(usage_uploads::table.on(usage_uploads::id.eq(usage_lines::upload_id)))
            .filter(usage_lines::grant_id.eq(grant_id))
            .filter(usage_uploads::status.eq_any(submitted))
            .into_boxed();
        if let Some(from) = filter.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            q = q.filter(usage_lines::charge_period_start.ge(from));
        }
        if let Some(until) = filter.until.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)) {
            q = q.filter(usage_lines::charge_period_start.lt(until));
        }
        if let Some(service) = &filter.service {
            q = q.filter(usage_lines::service_name.eq(service.clone()));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let page = filter.page.clamp(0, total / PAGE);
    type Row = (i64, i64, i64, NaiveDateTime, NaiveDateTime, String, String, String, String, String, String);
    let rows: Vec<Row> = base()
        .order((usage_lines::charge_period_start.desc(), usage_lines::id.desc()))
        .limit(PAGE)
        .offset(page * PAGE)
        .select((
            usage_lines::id,
            usage_lines::upload_id,
            usage_lines::line_number,
            usage_lines::charge_period_start,
            usage_lines::charge_period_end,
            usage_lines::service_name,
            usage_lines::consumed_quantity,
            usage_lines::consumed_unit,
            usage_lines::billed_cost,
            usage_lines::currency,
            usage_uploads::status,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let flags: Vec<(i64, String)> = usage_flags::table.filter(usage_flags::line_id.eq_any(&ids)).select((usage_flags::line_id, usage_flags::reason)).load(conn)?;
    let lines = rows
        .into_iter()
        .map(|(id, upload_id, line_number, start, end, service, quantity, unit, cost, currency, upload_status)| GrantLine {
            flag: flags.iter().find(|(l, _)| *l == id).map(|(_, r)| r.clone()),
            id,
            upload_id,
            line_number,
            start,
            end,
            service,
            quantity,
            unit,
            cost,
            currency,
            upload_status,
        })
        .collect();
    let services: Vec<String> = usage_lines::table.filter(usage_lines::grant_id.eq(grant_id)).select(usage_lines::service_name).distinct().order(usage_lines::service_name).limit(200).load(conn)?;
    Ok(LinePage { lines, total, services })
}

/// The startup flags a line charged to its grant, with what it does not recognise.
pub fn flag(conn: &mut AnyConnection, by: &Member, grant_id: GrantId, line_id: i64, reason: &str) -> DomainResult<()> {
    let grant = crate::domain::grants::grant_for(conn, by, grant_id)?;
    if by.kind() != OrgKind::Startup || grant.startup_id != by.org_id() {
        return Err(DomainError::NotFound);
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_FLAG_CHARS {
        let mut errors = FieldErrors::default();
        errors.add("reason", Message::new("flag-reason-missing").with("max", MAX_FLAG_CHARS as i64));
        return Err(errors.into());
    }
    let line_grant: GrantId = usage_lines::table.find(line_id).select(usage_lines::grant_id).first(conn).or_not_found()?;
    if line_grant != grant_id {
        return Err(DomainError::NotFound);
    }
    let insert = diesel::insert_into(usage_flags::table).values((
        usage_flags::line_id.eq(line_id),
        usage_flags::grant_id.eq(grant_id),
        usage_flags::reason.eq(reason),
        usage_flags::flagged_by.eq(by.user.id),
        usage_flags::created_at.eq(clock::now()),
    ));
    // Flagging twice keeps the first flag.
    crate::on_backend!(conn, c => insert.on_conflict_do_nothing().execute(c))?;
    Ok(())
}

/// Flags on the lines an invoice bills, for the funder deciding it: (grant code, line number
/// in its file, service, cost, reason).
pub fn flags_of_invoice(conn: &mut AnyConnection, invoice_id: i64) -> DomainResult<Vec<(String, i64, String, String, String)>> {
    use crate::db::schema::{grants, usage_charges};
    Ok(usage_flags::table
        .inner_join(usage_lines::table.on(usage_lines::id.eq(usage_flags::line_id)))
        .inner_join(grants::table.on(grants::id.eq(usage_flags::grant_id)))
        .inner_join(
            usage_charges::table.on(usage_charges::upload_id.eq(usage_lines::upload_id).and(usage_charges::grant_id.eq(usage_lines::grant_id))),
        )
        .filter(usage_charges::invoice_id.eq(invoice_id))
        .order(usage_lines::line_number)
        .select((grants::code, usage_lines::line_number, usage_lines::service_name, usage_lines::billed_cost, usage_flags::reason))
        .load(conn)?)
}

//! Reading uploads back: an upload with its charges per grant, a provider's uploads, the lines.

use super::{Charge, Upload, UploadView};
use crate::db::AnyConnection;
use crate::db::schema::{grants, organisations, usage_charges, usage_lines, usage_uploads};
use crate::domain::error::{DomainError, DomainResult, OrNotFound};
use crate::domain::identity::Member;
use crate::domain::ids::{GrantId, OrgId, UploadId};
use crate::formats::decimal::exact_sum;
use crate::ledger::{self, chart};
use crate::money::Amount;
use crate::domain::paging::{PAGE_SIZE, Page, PageRequest};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// An upload as its provider (or a platform admin) sees it.
pub fn view(conn: &mut AnyConnection, by: &Member, upload_id: UploadId) -> DomainResult<UploadView> {
    let upload: Upload = usage_uploads::table.find(upload_id).select(Upload::as_select()).first(conn).or_not_found()?;
    if !crate::domain::access::may_view_upload(by, upload.provider_id) {
        return Err(DomainError::NotFound);
    }
    type ChargeRow = (GrantId, i64, Option<String>, Option<i64>, String, String, String);
    // The charges with their grants and startups in one read, their accounts in one more:
    // a file over thousands of grants costs the same few round trips as one over three.
    let rows: Vec<ChargeRow> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grants::startup_id)))
        .filter(usage_charges::upload_id.eq(upload_id))
        .order(grants::code)
        .select((
            usage_charges::grant_id,
            usage_charges::amount,
            usage_charges::exact_cost,
            usage_charges::line_count,
            grants::code,
            grants::currency,
            organisations::name,
        ))
        .load(conn)?;
    let codes: Vec<String> = rows.iter().map(|(grant_id, _, _, _, code, currency, _)| chart::grant_credits(code, grant_id.get(), currency).code).collect();
    let accounts = ledger::accounts_by_codes(conn, &codes)?;
    let mut charges = Vec::with_capacity(rows.len());
    for ((grant_id, cents, stored_exact, stored_lines, code, _, startup_name), account_code) in rows.into_iter().zip(&codes) {
        // Kept at upload since the exact totals migration; older uploads are added up here.
        let (exact, lines) = match (stored_exact.and_then(|e| Decimal::from_str(&e).ok()), stored_lines) {
            (Some(exact), Some(lines)) => (exact, u64::try_from(lines).unwrap_or(0)),
            _ => {
                let costs: Vec<String> = usage_lines::table
                    .filter(usage_lines::upload_id.eq(upload_id))
                    .filter(usage_lines::grant_id.eq(grant_id))
                    .select(usage_lines::billed_cost)
                    .load(conn)?;
                // Stored lines were added exactly at upload, so their sum is exact again.
                (exact_sum(costs.iter().filter_map(|c| Decimal::from_str(c).ok())).unwrap_or_default(), costs.len() as u64)
            }
        };
        charges.push(Charge {
            grant_id,
            grant_code: code,
            startup_name,
            lines,
            exact,
            amount: Amount::from_cents(cents),
            available: accounts.get(account_code).map(|a| a.available()).unwrap_or_default(),
        });
    }
    Ok(UploadView { upload, charges })
}

/// A page of a provider's uploads, newest first, and how many there are.
pub fn uploads_of(conn: &mut AnyConnection, provider_id: OrgId, page: PageRequest) -> DomainResult<Page<Upload>> {
    let total: i64 = usage_uploads::table.filter(usage_uploads::provider_id.eq(provider_id)).count().get_result(conn)?;
    let items = usage_uploads::table
        .filter(usage_uploads::provider_id.eq(provider_id))
        .order(usage_uploads::id.desc())
        .limit(PAGE_SIZE)
        .offset(page.offset())
        .select(Upload::as_select())
        .load(conn)?;
    Ok(Page { items, number: page.number, total })
}

/// Lines of an upload, for the review page (first `limit`).
pub fn lines_of(conn: &mut AnyConnection, by: &Member, upload_id: UploadId, limit: i64) -> DomainResult<Vec<(i64, String, String, String, String, String)>> {
    view(conn, by, upload_id)?;
    Ok(usage_lines::table
        .inner_join(grants::table.on(grants::id.eq(usage_lines::grant_id)))
        .filter(usage_lines::upload_id.eq(upload_id))
        .order(usage_lines::line_number)
        .limit(limit)
        .select((
            usage_lines::line_number,
            grants::code,
            usage_lines::service_name,
            usage_lines::consumed_quantity,
            usage_lines::consumed_unit,
            usage_lines::billed_cost,
        ))
        .load(conn)?)
}


//! Provider usage files: read, checked against the grants they charge, previewed, then posted.
//!
//! Upload: the file is read and every line checked (grant exists, is billable by this provider,
//! is active over the charge period, currency matches, the grant can pay). A file with any
//! problem is refused whole and nothing is stored. A clean file is stored as a *pending* upload
//! with its lines and per-grant charges, and shown for review. Confirmation posts one usage entry
//! per grant in one transaction; a grant that can no longer pay refuses the whole file.

use crate::db::AnyConnection;
use crate::db::schema::{grants, organisations, usage_charges, usage_lines, usage_uploads};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::error::{DomainError, DomainResult, OrNotFound};
use crate::domain::grants::Grant;
use crate::formats::decimal::{exact_add, exact_sum};
use crate::formats::focus;
use crate::formats::{Problem, Problems};
use crate::messages::Message;
use crate::ledger::{self, EntryKind, Leg, LedgerError, Links, NewEntry, Side};
pub mod rounding;
use crate::domain::clock;
use crate::ledger::chart;
use crate::money::Amount;
use crate::messages::Arg;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Largest usage file accepted through the browser or API.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = usage_uploads)]
pub struct Upload {
    pub id: i64,
    pub provider_id: i64,
    pub filename: String,
    pub file_sha256: String,
    pub currency: String,
    pub total_cost: String,
    pub line_count: i64,
    pub status: String,
    pub uploaded_by: i64,
    pub created_at: NaiveDateTime,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<NaiveDateTime>,
}

/// What one upload charges one grant.
#[derive(Debug, Clone)]
pub struct Charge {
    pub grant_id: i64,
    pub grant_code: String,
    pub startup_name: String,
    pub lines: u64,
    pub exact: Decimal,
    pub amount: Amount,
    pub available: Amount,
}

#[derive(Debug, Clone)]
pub struct UploadView {
    pub upload: Upload,
    pub charges: Vec<Charge>,
}

/// A refused file: every problem found, nothing stored.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub filename: String,
    pub lines: u64,
    pub problems: Problems,
}

pub enum UploadOutcome {
    Pending(UploadView),
    Refused(Refusal),
}

fn file_problem(message: Message) -> Problem {
    Problem::file(message)
}

fn line_problem(line: &ChargeLine, column: &str, message: Message) -> Problem {
    Problem { line: Some(line.line), column: Some(column.to_string()), column_number: None, rule: None, path: None, message }
}

/// What billing keeps of a usage line.
struct ChargeLine {
    line: u64,
    sub_account_id: String,
    currency: String,
    charge_period_start: NaiveDateTime,
    charge_period_end: NaiveDateTime,
    service_name: String,
    consumed_quantity: Option<Decimal>,
    consumed_unit: Option<String>,
    billed_cost: Decimal,
}

/// Reads and checks a usage file; stores it as pending when it has no problem.
pub fn upload(conn: &mut AnyConnection, by: &Member, filename: &str, content: &[u8]) -> DomainResult<UploadOutcome> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::Forbidden("only providers upload usage"));
    }
    let filename = filename.rsplit(['/', '\\']).next().unwrap_or("usage.csv").chars().take(200).collect::<String>();
    let refuse = |lines: u64, problems: Problems| Ok(UploadOutcome::Refused(Refusal { filename: filename.clone(), lines, problems }));
    let mut problems = Problems::default();
    if content.len() > MAX_UPLOAD_BYTES {
        problems.push(file_problem(Message::new("usage-file-too-large").with("size", content.len()).with("limit", MAX_UPLOAD_BYTES)));
        return refuse(0, problems);
    }
    let mut lines: Vec<ChargeLine> = Vec::new();
    let mut unattributed: Vec<u64> = Vec::new();
    let summary = match focus::read(content, |l| match l.sub_account_id {
        Some(sub_account) => lines.push(ChargeLine {
            line: l.line,
            sub_account_id: sub_account.to_string(),
            currency: l.currency.to_string(),
            charge_period_start: l.charge_period_start,
            charge_period_end: l.charge_period_end,
            service_name: l.service_name.to_string(),
            consumed_quantity: l.consumed_quantity,
            consumed_unit: l.consumed_unit.map(str::to_string),
            billed_cost: l.billed_cost,
        }),
        None => unattributed.push(l.line),
    }) {
        Ok(s) => s,
        Err(e) => {
            problems.push(file_problem(e.message()));
            return refuse(0, problems);
        }
    };
    problems = summary.problems;
    for line in unattributed {
        problems.push(Problem {
            line: Some(line),
            column: Some("SubAccountId".into()),
            column_number: None,
            rule: None,
            path: None,
            message: Message::new("usage-no-sub-account"),
        });
    }
    if summary.lines == 0 && problems.is_empty() {
        problems.push(file_problem(Message::new("usage-no-lines")));
    }

    let sha = hex::encode(Sha256::digest(content));
    let already: Option<(i64, NaiveDateTime)> = usage_uploads::table
        .filter(usage_uploads::provider_id.eq(by.org_id()))
        .filter(usage_uploads::file_sha256.eq(&sha))
        .filter(usage_uploads::status.eq("posted"))
        .select((usage_uploads::id, usage_uploads::created_at))
        .first(conn)
        .optional()?;
    if let Some((id, at)) = already {
        problems.push(file_problem(Message::new("usage-already-posted").with("upload", id.to_string()).with("date", at.date())));
    }

    // Check each line against the grant it names.
    let mut grants_by_code: BTreeMap<String, Option<Grant>> = BTreeMap::new();
    let mut exact: BTreeMap<String, (Decimal, u64)> = BTreeMap::new();
    let mut currency: Option<String> = None;
    // A file full of someone else's account ids gets one problem per unknown code, not per line.
    let mut unknown: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for line in &lines {
        if !grants_by_code.contains_key(&line.sub_account_id) {
            let found = crate::domain::grants::grant_by_code(conn, &line.sub_account_id)?;
            grants_by_code.insert(line.sub_account_id.clone(), found.filter(|g| g.provider_id == by.org_id()));
        }
        let Some(grant) = grants_by_code[&line.sub_account_id].as_ref() else {
            unknown.entry(line.sub_account_id.as_str()).or_default().push(line.line);
            continue;
        };
        if line.currency != grant.currency {
            problems.push(line_problem(
                line,
                "BillingCurrency",
                Message::new("usage-currency-mismatch").with("grant", &grant.code).with("grant_currency", &grant.currency).with("currency", &line.currency),
            ));
            continue;
        }
        let day = line.charge_period_start.date();
        if !grant.is_active_on(day) {
            problems.push(line_problem(
                line,
                "ChargePeriodStart",
                Message::new("usage-grant-not-active")
                    .with("grant", &grant.code)
                    .with("from", grant.valid_from)
                    .with("until", grant.valid_until)
                    .with("status", grant.status.as_str())
                    .with("start", day),
            ));
            continue;
        }
        currency.get_or_insert_with(|| line.currency.clone());
        let slot = exact.entry(grant.code.clone()).or_insert((Decimal::ZERO, 0));
        match exact_add(slot.0, line.billed_cost) {
            Some(sum) => slot.0 = sum,
            None => {
                problems.push(line_problem(line, "BilledCost", Message::new("usage-grant-total-inexact").with("grant", &grant.code)));
                continue;
            }
        }
        slot.1 += 1;
    }

    for (code, at) in &unknown {
        // Line numbers are listed as written, without digit groups, so that they can be searched for.
        let shown = at.iter().take(10).map(u64::to_string).collect::<Vec<_>>().join(", ");
        let message = match at.len() {
            1 => Message::new("usage-unknown-grant").with("code", *code),
            n if n <= 10 => Message::new("usage-unknown-grant-lines").with("code", *code).with("lines", shown),
            n => Message::new("usage-unknown-grant-lines-more").with("code", *code).with("lines", shown).with("more", n - 10),
        };
        problems.push(Problem {
            line: at.first().copied(),
            column: Some("SubAccountId".into()),
            column_number: None,
            rule: None,
            path: None,
            message,
        });
    }

    let split: Vec<(String, Decimal)> = exact.iter().map(|(k, (v, _))| (k.clone(), *v)).collect();
    let allocated = match rounding::allocate(&split) {
        Ok(a) => a,
        Err(e) => {
            problems.push(file_problem(match e {
                rounding::AllocationError::Negative(grant) => Message::new("usage-negative-total").with("grant", grant),
                rounding::AllocationError::Overflow => Message::new("usage-amounts-too-large"),
            }));
            Vec::new()
        }
    };
    let mut charges = Vec::with_capacity(allocated.len());
    for (code, amount) in &allocated {
        let grant = grants_by_code[code].clone().ok_or(DomainError::NotFound)?;
        let account = ledger::find_account_by_code(conn, &grant.credits_account_code())?.ok_or(DomainError::NotFound)?;
        let available = account.available();
        if *amount > available {
            problems.push(file_problem(
                Message::new("usage-grant-insufficient")
                    .with("grant", code)
                    .with("available", available.to_decimal())
                    .with("currency", &grant.currency)
                    .with("amount", amount.to_decimal()),
            ));
        }
        let startup_name: String = organisations::table.find(grant.startup_id).select(organisations::name).first(conn)?;
        charges.push(Charge { grant_id: grant.id, grant_code: code.clone(), startup_name, lines: exact[code].1, exact: exact[code].0, amount: *amount, available });
    }
    if !problems.is_empty() {
        return refuse(summary.lines, problems);
    }

    let total = exact_sum(exact.values().map(|(v, _)| *v)).ok_or_else(|| DomainError::invalid("file", Message::new("upload-total-inexact")))?;
    let upload_id = crate::db::write_transaction(conn, |conn| -> DomainResult<i64> {
        let upload_id: i64 = diesel::insert_into(usage_uploads::table)
            .values((
                usage_uploads::provider_id.eq(by.org_id()),
                usage_uploads::filename.eq(&filename),
                usage_uploads::file_sha256.eq(&sha),
                usage_uploads::currency.eq(currency.as_deref().unwrap_or("")),
                usage_uploads::total_cost.eq(total.normalize().to_string()),
                usage_uploads::line_count.eq(lines.len() as i64),
                usage_uploads::status.eq("pending"),
                usage_uploads::uploaded_by.eq(by.user.id),
                usage_uploads::created_at.eq(clock::now()),
            ))
            .returning(usage_uploads::id)
            .get_result(conn)?;
        for chunk in lines.chunks(crate::db::CHUNK_ROWS) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|l| {
                    let grant_id = grants_by_code[&l.sub_account_id].as_ref().map(|g| g.id).unwrap_or_default();
                    (
                        usage_lines::upload_id.eq(upload_id),
                        usage_lines::line_number.eq(l.line as i64),
                        usage_lines::grant_id.eq(grant_id),
                        usage_lines::charge_period_start.eq(l.charge_period_start),
                        usage_lines::charge_period_end.eq(l.charge_period_end),
                        usage_lines::service_name.eq(&l.service_name),
                        usage_lines::consumed_quantity.eq(l.consumed_quantity.map(|q| q.normalize().to_string()).unwrap_or_default()),
                        usage_lines::consumed_unit.eq(l.consumed_unit.clone().unwrap_or_default()),
                        usage_lines::billed_cost.eq(l.billed_cost.to_string()),
                        usage_lines::currency.eq(&l.currency),
                    )
                })
                .collect();
            crate::on_backend!(conn, c => diesel::insert_into(usage_lines::table).values(&rows).execute(c))?;
        }
        for charge in &charges {
            diesel::insert_into(usage_charges::table)
                .values((
                    usage_charges::upload_id.eq(upload_id),
                    usage_charges::grant_id.eq(charge.grant_id),
                    usage_charges::amount.eq(charge.amount.cents()),
                ))
                .execute(conn)?;
        }
        Ok(upload_id)
    })?;
    Ok(UploadOutcome::Pending(view(conn, by, upload_id)?))
}

/// An upload as its provider (or a platform admin) sees it.
pub fn view(conn: &mut AnyConnection, by: &Member, upload_id: i64) -> DomainResult<UploadView> {
    let upload: Upload = usage_uploads::table.find(upload_id).select(Upload::as_select()).first(conn).or_not_found()?;
    if !crate::domain::access::may_view_upload(by, upload.provider_id) {
        return Err(DomainError::NotFound);
    }
    let rows: Vec<(i64, i64, String, i64)> = usage_charges::table
        .inner_join(grants::table.on(grants::id.eq(usage_charges::grant_id)))
        .filter(usage_charges::upload_id.eq(upload_id))
        .order(grants::code)
        .select((usage_charges::grant_id, usage_charges::amount, grants::code, grants::startup_id))
        .load(conn)?;
    let mut charges = Vec::with_capacity(rows.len());
    for (grant_id, cents, code, startup_id) in rows {
        let costs: Vec<String> = usage_lines::table
            .filter(usage_lines::upload_id.eq(upload_id))
            .filter(usage_lines::grant_id.eq(grant_id))
            .select(usage_lines::billed_cost)
            .load(conn)?;
        // Stored lines were added exactly at upload, so their sum is exact again.
        let exact = exact_sum(costs.iter().filter_map(|c| Decimal::from_str(c).ok())).unwrap_or_default();
        let currency: String = grants::table.find(grant_id).select(grants::currency).first(conn)?;
        let account = ledger::find_account_by_code(conn, &chart::grant_credits(&code, grant_id, &currency).code)?;
        let startup_name: String = organisations::table.find(startup_id).select(organisations::name).first(conn)?;
        charges.push(Charge {
            grant_id,
            grant_code: code,
            startup_name,
            lines: costs.len() as u64,
            exact,
            amount: Amount::from_cents(cents),
            available: account.map(|a| a.available()).unwrap_or_default(),
        });
    }
    Ok(UploadView { upload, charges })
}

pub fn uploads_of(conn: &mut AnyConnection, provider_id: i64) -> DomainResult<Vec<Upload>> {
    Ok(usage_uploads::table
        .filter(usage_uploads::provider_id.eq(provider_id))
        .order(usage_uploads::id.desc())
        .select(Upload::as_select())
        .load(conn)?)
}

/// Posts a pending upload: one balanced usage entry per grant, all in one transaction.
pub fn confirm(conn: &mut AnyConnection, by: &Member, upload_id: i64) -> DomainResult<UploadView> {
    let pending = view(conn, by, upload_id)?;
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let provider_id = pending.upload.provider_id;
    let currency = pending.upload.currency.clone();
    crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
        // The same file uploaded twice and confirmed twice: say so plainly (the ledger's
        // idempotency keys would refuse the second posting anyway).
        let twin: Option<i64> = usage_uploads::table
            .filter(usage_uploads::provider_id.eq(provider_id))
            .filter(usage_uploads::file_sha256.eq(&pending.upload.file_sha256))
            .filter(usage_uploads::status.eq("posted"))
            .select(usage_uploads::id)
            .first(conn)
            .optional()?;
        if let Some(twin) = twin {
            return Err(DomainError::Conflict(Message::new("upload-twin-posted").with("upload", twin)));
        }
        let changed = diesel::update(usage_uploads::table.filter(usage_uploads::id.eq(upload_id)).filter(usage_uploads::status.eq("pending")))
            .set((
                usage_uploads::status.eq("posted"),
                usage_uploads::confirmed_by.eq(by.user.id),
                usage_uploads::confirmed_at.eq(clock::now()),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("upload-already-posted").with("upload", upload_id)));
        }
        let payable = ledger::open_account(conn, &chart::provider_payable(provider_id, &currency))?;
        for charge in pending.charges.iter().filter(|c| c.amount.is_positive()) {
            let credits = ledger::find_account_by_code(conn, &chart::grant_credits(&charge.grant_code, charge.grant_id, &currency).code)?
                .ok_or(DomainError::NotFound)?;
            let result = ledger::post(
                conn,
                &NewEntry {
                    idempotency_key: format!("usage:{provider_id}:{}:grant:{}", pending.upload.file_sha256, charge.grant_code),
                    kind: EntryKind::Usage,
                    description: format!("Usage from {} ({} line(s))", pending.upload.filename, charge.lines),
                    effective_on: clock::today(),
                    actor: by.actor(),
                    links: Links { grant_id: Some(charge.grant_id), usage_upload_id: Some(upload_id), ..Links::default() },
                    legs: vec![
                        Leg { account_id: credits.id, side: Side::Debit, amount: charge.amount },
                        Leg { account_id: payable.id, side: Side::Credit, amount: charge.amount },
                    ],
                },
            );
            match result {
                Ok(_) => {}
                Err(LedgerError::LimitExceeded { available, requested, currency, .. }) => {
                    return Err(DomainError::Conflict(
                        Message::new("upload-grant-cannot-pay")
                            .with("grant", &charge.grant_code)
                            .with("available", Arg::Money { cents: available.cents(), currency: currency.clone() })
                            .with("requested", Arg::Money { cents: requested.cents(), currency }),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    })?;
    view(conn, by, upload_id)
}

/// Lines of an upload, for the review page (first `limit`).
pub fn lines_of(conn: &mut AnyConnection, by: &Member, upload_id: i64, limit: i64) -> DomainResult<Vec<(i64, String, String, String, String, String)>> {
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

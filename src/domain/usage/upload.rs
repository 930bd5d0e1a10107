//! Checking a usage file and keeping it as a pending upload: read the FOCUS lines, refuse a
//! file already posted, check every line against the grant it names, allocate the exact costs
//! to cents per grant, and store lines and charges in one transaction. Any problem refuses the
//! whole file and stores nothing.

use super::{Charge, MAX_UPLOAD_BYTES, Refusal, UploadOutcome, UploadStatus, rounding, view};
use crate::db::AnyConnection;
use crate::db::schema::{organisations, usage_charges, usage_lines, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::grants::Grant;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{GrantId, UploadId};
use crate::formats::decimal::{exact_add, exact_sum};
use crate::formats::focus;
use crate::formats::{Problem, Problems};
use crate::ledger;
use crate::messages::Message;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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
    sku_id: Option<String>,
    resource_id: Option<String>,
}

/// Longest service name, grant code or unit kept from a usage line.
pub const MAX_TEXT_CHARS: usize = 200;

/// The lines a file charges, and what reading it found wrong.
struct ReadFile {
    lines: Vec<ChargeLine>,
    line_count: u64,
    problems: Problems,
}

/// Each grant the file names (if this provider may bill it) and its exact total and line count.
struct Billing {
    grants_by_code: BTreeMap<String, Option<Grant>>,
    exact: BTreeMap<String, (Decimal, u64)>,
    currency: Option<String>,
}

/// Reads and checks a usage file; stores it as pending when it has no problem.
pub fn upload(conn: &mut AnyConnection, by: &Member, filename: &str, content: &[u8]) -> DomainResult<UploadOutcome> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::Forbidden("only providers upload usage"));
    }
    let filename = filename.rsplit(['/', '\\']).next().unwrap_or("usage.csv").chars().take(200).collect::<String>();
    let refuse = |lines: u64, problems: Problems| Ok(UploadOutcome::Refused(Refusal { filename: filename.clone(), lines, problems }));
    if content.len() > MAX_UPLOAD_BYTES {
        let mut problems = Problems::default();
        problems.push(file_problem(Message::new("usage-file-too-large").with("size", content.len()).with("limit", MAX_UPLOAD_BYTES)));
        return refuse(0, problems);
    }
    if let Some(kind) = not_a_usage_file(content) {
        let mut problems = Problems::default();
        problems.push(file_problem(Message::new(kind)));
        return refuse(0, problems);
    }
    let read = match read_lines(content) {
        Ok(read) => read,
        Err(problems) => return refuse(0, problems),
    };
    let mut problems = read.problems;
    let sha = hex::encode(Sha256::digest(content));
    refuse_posted_twin(conn, by, &sha, &mut problems)?;
    refuse_lines_billed_before(conn, by, &read.lines, &mut problems)?;
    let billing = check_against_grants(conn, by, &read.lines, &mut problems)?;
    let charges = allocate(conn, &billing, &mut problems)?;
    if !problems.is_empty() {
        return refuse(read.line_count, problems);
    }
    let upload_id = store_pending(conn, by, &filename, &sha, &read.lines, &billing, &charges)?;
    Ok(UploadOutcome::Pending(view(conn, by, upload_id)?))
}

/// An invoice sent where usage goes is named as such (the upload page has its own form for it).
fn not_a_usage_file(content: &[u8]) -> Option<&'static str> {
    if crate::formats::facturx::is_pdf(content) {
        return Some("usage-is-a-pdf");
    }
    let head = &content[..content.len().min(4096)];
    let start = head.iter().position(|b| !matches!(b, 0xEF | 0xBB | 0xBF | b' ' | b'\t' | b'\r' | b'\n'))?;
    if head[start] != b'<' {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    if ["<Invoice", ":Invoice", "<CreditNote", ":CreditNote", "CrossIndustryInvoice"].iter().any(|tag| text.contains(tag)) {
        Some("usage-is-an-invoice")
    } else {
        Some("usage-is-xml")
    }
}

/// The FOCUS lines with what billing keeps of each; a line without a grant code is a problem.
fn read_lines(content: &[u8]) -> Result<ReadFile, Problems> {
    let mut problems = Problems::default();
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
            consumed_unit: l.consumed_unit.or(l.pricing_unit).map(str::to_string),
            billed_cost: l.billed_cost,
            sku_id: l.sku_id.map(str::to_string),
            resource_id: l.resource_id.map(str::to_string),
        }),
        None => unattributed.push(l.line),
    }) {
        Ok(s) => s,
        Err(e) => {
            problems.push(file_problem(e.message()));
            return Err(problems);
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

    Ok(ReadFile { lines, line_count: summary.lines, problems })
}

/// The same file already submitted by this provider is named, not charged twice.
fn refuse_posted_twin(conn: &mut AnyConnection, by: &Member, sha: &str, problems: &mut Problems) -> DomainResult<()> {
    let already: Option<(UploadId, NaiveDateTime)> = usage_uploads::table
        .filter(usage_uploads::provider_id.eq(by.org_id()))
        .filter(usage_uploads::file_sha256.eq(sha))
        .filter(usage_uploads::status.ne(UploadStatus::Pending.as_str()))
        .select((usage_uploads::id, usage_uploads::created_at))
        .first(conn)
        .optional()?;
    if let Some((id, at)) = already {
        problems.push(file_problem(Message::new("usage-already-posted").with("upload", id.to_string()).with("date", at.date())));
    }

    Ok(())
}

/// A line already billed in an earlier submitted file (same resource, SKU and charge period) is
/// a problem: providers resend overlapping periods. Lines without a ResourceId cannot be told
/// apart from another resource's, and are not compared.
fn refuse_lines_billed_before(conn: &mut AnyConnection, by: &Member, lines: &[ChargeLine], problems: &mut Problems) -> DomainResult<()> {
    use std::collections::HashMap;
    let keyed: Vec<&ChargeLine> = lines.iter().filter(|l| l.resource_id.is_some()).collect();
    let (Some(first), Some(last)) = (keyed.iter().map(|l| l.charge_period_start).min(), keyed.iter().map(|l| l.charge_period_start).max()) else { return Ok(()) };
    type Key = (String, Option<String>, NaiveDateTime, NaiveDateTime);
    let earlier: Vec<(Option<String>, Option<String>, NaiveDateTime, NaiveDateTime, i64, i64)> = usage_lines::table
        .inner_join(usage_uploads::table.on(usage_uploads::id.eq(usage_lines::upload_id)))
        .filter(usage_uploads::provider_id.eq(by.org_id()))
        .filter(usage_uploads::status.eq_any([UploadStatus::Submitted.as_str(), UploadStatus::Approved.as_str()]))
        .filter(usage_lines::resource_id.is_not_null())
        .filter(usage_lines::charge_period_start.between(first, last))
        .select((usage_lines::resource_id, usage_lines::sku_id, usage_lines::charge_period_start, usage_lines::charge_period_end, usage_lines::upload_id, usage_lines::line_number))
        .load(conn)?;
    let seen: HashMap<Key, (i64, i64)> = earlier.into_iter().filter_map(|(r, sku, s, e, upload, line)| Some(((r?, sku, s, e), (upload, line)))).collect();
    for line in keyed {
        let key: Key = (line.resource_id.clone().unwrap_or_default(), line.sku_id.clone(), line.charge_period_start, line.charge_period_end);
        if let Some((upload, earlier_line)) = seen.get(&key) {
            problems.push(line_problem(
                line,
                "ResourceId",
                Message::new("usage-line-billed-before").with("resource", key.0.as_str()).with("upload", upload.to_string()).with("line", earlier_line.to_string()),
            ));
        }
    }
    Ok(())
}

/// Every line against the grant it names: billable by this provider, same currency, active on
/// the charge's day; the exact total per grant, added without rounding.
fn check_against_grants(conn: &mut AnyConnection, by: &Member, lines: &[ChargeLine], problems: &mut Problems) -> DomainResult<Billing> {
    // Check each line against the grant it names.
    let mut grants_by_code: BTreeMap<String, Option<Grant>> = BTreeMap::new();
    let mut exact: BTreeMap<String, (Decimal, u64)> = BTreeMap::new();
    let mut currency: Option<String> = None;
    // A file full of someone else's account ids gets one problem per unknown code, not per line.
    let mut unknown: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let catalogue = crate::domain::catalogue::offerings_of(conn, by.org_id())?;
    let mut tolerance: BTreeMap<i64, i32> = BTreeMap::new();
    for line in lines {
        // A provider's text is stored and shown: bounded like every text people type.
        let long = [
            ("ServiceName", line.service_name.as_str()),
            ("SubAccountId", line.sub_account_id.as_str()),
            ("ConsumedUnit", line.consumed_unit.as_deref().unwrap_or("")),
            ("SkuId", line.sku_id.as_deref().unwrap_or("")),
        ]
            .into_iter()
            .find(|(_, value)| value.chars().count() > MAX_TEXT_CHARS);
        if let Some((column, _)) = long {
            problems.push(line_problem(line, column, Message::new("usage-value-too-long").with("max", MAX_TEXT_CHARS)));
            continue;
        }
        if !grants_by_code.contains_key(&line.sub_account_id) {
            let found = crate::domain::grants::grant_by_code(conn, &line.sub_account_id)?;
            grants_by_code.insert(line.sub_account_id.clone(), found.filter(|g| g.provider_id == by.org_id()));
        }
        let Some(grant) = grants_by_code[&line.sub_account_id].as_ref() else {
            unknown.entry(line.sub_account_id.as_str()).or_default().push(line.line);
            continue;
        };
        // One file, one currency: its charges are added up and posted against one payable account.
        if let Some(file_currency) = currency.as_deref().filter(|c| *c != line.currency) {
            problems.push(line_problem(
                line,
                "BillingCurrency",
                Message::new("usage-mixed-currency").with("currency", &line.currency).with("file_currency", file_currency),
            ));
            continue;
        }
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
        if !priced_as_catalogued(conn, line, grant, &catalogue, &mut tolerance, problems)? {
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

    Ok(Billing { grants_by_code, exact, currency })
}

/// The line against the provider's catalogue on its charge day: a known offering (by SKU, else
/// service and unit), in the offering's unit, and billed at most the programme's tolerance above
/// the catalogue price (billing below it is a discount, which funders welcome).
fn priced_as_catalogued(
    conn: &mut AnyConnection,
    line: &ChargeLine,
    grant: &Grant,
    catalogue: &[crate::domain::catalogue::Offering],
    tolerance: &mut BTreeMap<i64, i32>,
    problems: &mut Problems,
) -> DomainResult<bool> {
    use crate::domain::catalogue::{Match, match_line};
    let day = line.charge_period_start.date();
    let offering = match match_line(catalogue, line.sku_id.as_deref(), &line.service_name, line.consumed_unit.as_deref(), day) {
        Match::Found(o) => o,
        Match::OtherUnit(o) => {
            problems.push(line_problem(
                line,
                "ConsumedUnit",
                Message::new("usage-unit-off-catalogue").with("unit", line.consumed_unit.clone().unwrap_or_default()).with("offering", &o.name).with("expected", &o.unit),
            ));
            return Ok(false);
        }
        Match::Missing => {
            let (column, value) = match &line.sku_id {
                Some(sku) => ("SkuId", sku.clone()),
                None => ("ServiceName", line.service_name.clone()),
            };
            problems.push(line_problem(line, column, Message::new("usage-not-in-catalogue").with("value", value).with("day", day)));
            return Ok(false);
        }
    };
    let Some(quantity) = line.consumed_quantity.filter(|q| *q > Decimal::ZERO) else { return Ok(true) };
    let programme_id = grant.programme_id.get();
    let percent = match tolerance.get(&programme_id) {
        Some(p) => *p,
        None => {
            use crate::db::schema::programmes;
            let p: i32 = programmes::table.find(programme_id).select(programmes::price_tolerance_percent).first(conn)?;
            tolerance.insert(programme_id, p);
            p
        }
    };
    let price = offering.unit_price();
    let ceiling = price
        .checked_mul(quantity)
        .and_then(|at_list| at_list.checked_mul(Decimal::from(100 + percent)))
        .and_then(|scaled| scaled.checked_div(Decimal::ONE_HUNDRED));
    match ceiling {
        Some(ceiling) if line.billed_cost <= ceiling => Ok(true),
        _ => {
            let billed_unit_price = line.billed_cost.checked_div(quantity).map(|p| p.round_dp(6)).unwrap_or_default();
            problems.push(line_problem(
                line,
                "BilledCost",
                Message::new("usage-price-off-catalogue")
                    .with("price", billed_unit_price)
                    .with("unit", &offering.unit)
                    .with("offering", &offering.name)
                    .with("catalogue", price)
                    .with("currency", &offering.currency)
                    .with("tolerance", i64::from(percent)),
            ));
            Ok(false)
        }
    }
}

/// Each grant's exact total rounded to cents so that they add up to the file's rounded total,
/// and checked against what the grant has left.
fn allocate(conn: &mut AnyConnection, billing: &Billing, problems: &mut Problems) -> DomainResult<Vec<Charge>> {
    let Billing { grants_by_code, exact, .. } = billing;
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
    Ok(charges)
}

/// A usage line as stored: exact decimals kept as their text.
#[derive(Insertable)]
#[diesel(table_name = usage_lines)]
// No column takes its default, so SQLite can insert a chunk of rows as one multi-row statement
// (with defaults, diesel would insert them one by one in a nested transaction).
#[diesel(treat_none_as_default_value = false)]
struct UsageLineRow<'a> {
    upload_id: UploadId,
    line_number: i64,
    grant_id: GrantId,
    charge_period_start: NaiveDateTime,
    charge_period_end: NaiveDateTime,
    service_name: &'a str,
    consumed_quantity: String,
    consumed_unit: &'a str,
    billed_cost: String,
    currency: &'a str,
    resource_id: Option<&'a str>,
    sku_id: Option<&'a str>,
}

/// Stores the pending upload, its lines and its charges in one transaction.
fn store_pending(
    conn: &mut AnyConnection,
    by: &Member,
    filename: &str,
    sha: &str,
    lines: &[ChargeLine],
    billing: &Billing,
    charges: &[Charge],
) -> DomainResult<UploadId> {
    let Billing { grants_by_code, exact, currency } = billing;
    let total = exact_sum(exact.values().map(|(v, _)| *v)).ok_or_else(|| DomainError::invalid("file", Message::new("upload-total-inexact")))?;
    let upload_id = crate::db::write_transaction(conn, |conn| -> DomainResult<UploadId> {
        let upload_id: UploadId = diesel::insert_into(usage_uploads::table)
            .values((
                usage_uploads::provider_id.eq(by.org_id()),
                usage_uploads::filename.eq(filename),
                usage_uploads::file_sha256.eq(sha),
                usage_uploads::currency.eq(currency.as_deref().unwrap_or("")),
                usage_uploads::total_cost.eq(total.normalize().to_string()),
                usage_uploads::line_count.eq(lines.len() as i64),
                usage_uploads::status.eq(UploadStatus::Pending.as_str()),
                usage_uploads::uploaded_by.eq(by.user.id),
                usage_uploads::created_at.eq(clock::now()),
            ))
            .returning(usage_uploads::id)
            .get_result(conn)?;
        for chunk in lines.chunks(crate::db::CHUNK_ROWS) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|l| {
                    // Every line's grant was found, or the file was refused before it got here.
                    let grant_id = grants_by_code[&l.sub_account_id].as_ref().map(|g| g.id).ok_or(DomainError::NotFound)?;
                    Ok(UsageLineRow {
                        upload_id,
                        line_number: i64::try_from(l.line).unwrap_or(i64::MAX),
                        grant_id,
                        charge_period_start: l.charge_period_start,
                        charge_period_end: l.charge_period_end,
                        service_name: &l.service_name,
                        consumed_quantity: l.consumed_quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
                        consumed_unit: l.consumed_unit.as_deref().unwrap_or_default(),
                        billed_cost: l.billed_cost.to_string(),
                        currency: &l.currency,
                        resource_id: l.resource_id.as_deref(),
                        sku_id: l.sku_id.as_deref(),
                    })
                })
                .collect::<DomainResult<_>>()?;
            crate::on_backend!(conn, c => diesel::insert_into(usage_lines::table).values(&rows).execute(c))?;
        }
        for charge in charges {
            diesel::insert_into(usage_charges::table)
                .values((
                    usage_charges::upload_id.eq(upload_id),
                    usage_charges::grant_id.eq(charge.grant_id),
                    usage_charges::amount.eq(charge.amount.cents()),
                    usage_charges::exact_cost.eq(charge.exact.normalize().to_string()),
                    usage_charges::line_count.eq(i64::try_from(charge.lines).unwrap_or(i64::MAX)),
                ))
                .execute(conn)?;
        }
        Ok(upload_id)
    })?;
    Ok(upload_id)
}

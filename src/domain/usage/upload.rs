//! Checking a usage file and keeping it as a pending upload, in two passes over the file so that
//! a file of any size is never held whole in memory: the first reads every line and checks it
//! against the grant it names and the provider's catalogue, adding up exact costs per grant;
//! when nothing is wrong the second reads the file again and stores its lines and per-grant
//! charges in one transaction, in which lines already billed in an earlier submitted file are
//! looked for. Any problem refuses the whole file and stores nothing.

use super::source::{MAX_DECOMPRESSED_BYTES, Source, Watched};
use super::{Charge, JobPhase, Refusal, UploadOutcome, UploadStatus, rounding, view};
use crate::db::AnyConnection;
use crate::db::schema::{organisations, usage_charges, usage_lines, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::grants::Grant;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::{GrantId, OrgId, UploadId};
use crate::formats::decimal::{exact_add, exact_sum};
use crate::formats::focus::{self, UsageLine};
use crate::formats::{Problem, Problems};
use crate::ledger;
use crate::messages::Message;
use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Largest usage file accepted, as stored (a gzip file is counted compressed).
pub const MAX_USAGE_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Told how the work goes, for a progress page or bar. Both calls are cheap to ignore.
pub trait Watch {
    fn phase(&mut self, _phase: JobPhase) {}
    /// Lines read and problems found so far, every few thousand lines.
    fn lines(&mut self, _read: u64, _problems: u64) {}
    /// The background job the file is read for, recorded with the stored upload (see
    /// `jobs::run`: a job run again finds what it stored).
    fn job(&self) -> Option<crate::domain::ids::JobId> {
        None
    }
}

impl Watch for () {}

/// How often [`Watch::lines`] is told, in lines.
const WATCH_EVERY: u64 = 20_000;
/// Lines read ahead of their check, so that the grants they name are read together.
const WAITING_LINES: usize = 4_096;

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
    service_name: String,
    consumed_quantity: Option<Decimal>,
    consumed_unit: Option<String>,
    billed_cost: Decimal,
    sku_id: Option<String>,
    resource_id: Option<String>,
}

impl ChargeLine {
    /// What billing keeps of a line that names a grant.
    fn of(l: &UsageLine<'_>) -> Option<ChargeLine> {
        Some(ChargeLine {
            line: l.line,
            sub_account_id: l.sub_account_id?.to_string(),
            currency: l.currency.to_string(),
            charge_period_start: l.charge_period_start,
            service_name: l.service_name.to_string(),
            consumed_quantity: l.consumed_quantity,
            consumed_unit: l.consumed_unit.or(l.pricing_unit).map(str::to_string),
            billed_cost: l.billed_cost,
            sku_id: l.sku_id.map(str::to_string),
            resource_id: l.resource_id.map(str::to_string),
        })
    }
}

/// Longest service name, grant code or unit kept from a usage line.
pub const MAX_TEXT_CHARS: usize = 200;

/// Each grant the file names (if this provider may bill it) and its exact total and line count.
struct Billing {
    grants_by_code: BTreeMap<String, Option<Grant>>,
    exact: BTreeMap<String, (Decimal, u64)>,
    currency: Option<String>,
}

/// What the first pass learnt of a file.
struct Checked {
    billing: Billing,
    line_count: u64,
    sha256: String,
    /// First and last charge start of the lines that name a resource, for the earlier-billing check.
    keyed_period: Option<(NaiveDateTime, NaiveDateTime)>,
}

/// Reads and checks a usage file held in memory; stores it as pending when it has no problem.
pub fn upload(conn: &mut AnyConnection, by: &Member, filename: &str, content: &[u8]) -> DomainResult<UploadOutcome> {
    upload_from(conn, by, filename, &Source::Bytes(content), MAX_USAGE_FILE_BYTES, &mut ())
}

/// Reads and checks a usage file from `source` (of at most `max_bytes` as stored), telling
/// `watch` how it goes; stores it as pending when it has no problem.
pub fn upload_from(conn: &mut AnyConnection, by: &Member, filename: &str, source: &Source<'_>, max_bytes: u64, watch: &mut dyn Watch) -> DomainResult<UploadOutcome> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::Forbidden("only providers upload usage"));
    }
    let filename = filename.rsplit(['/', '\\']).next().unwrap_or("usage.csv").chars().take(200).collect::<String>();
    let refuse = |lines: u64, mut problems: Problems| {
        // Line order, the file as a whole first: the order people fix a file in.
        problems.shown.sort_by_key(|p| p.line.unwrap_or(0));
        Ok(UploadOutcome::Refused(Refusal { filename: filename.clone(), lines, problems }))
    };
    let one = |message: Message| {
        let mut problems = Problems::default();
        problems.push(file_problem(message));
        problems
    };
    let unreadable = |e: std::io::Error| one(Message::new("usage-file-unreadable").with("reason", e.to_string()));
    let size = match source.stored_size() {
        Ok(size) => size,
        Err(e) => return refuse(0, unreadable(e)),
    };
    if size > max_bytes {
        return refuse(0, one(Message::new("usage-file-too-large").with("size", i64::try_from(size).unwrap_or(i64::MAX)).with("limit", i64::try_from(max_bytes).unwrap_or(i64::MAX))));
    }
    match source.head(4096) {
        Ok(head) => {
            if let Some(kind) = not_a_usage_file(&head) {
                return refuse(0, one(Message::new(kind)));
            }
        }
        Err(e) => return refuse(0, unreadable(e)),
    }
    watch.phase(JobPhase::Checking);
    let (checked, mut problems) = match check(conn, by, source, watch)? {
        Ok(read) => read,
        Err(problems) => return refuse(0, problems),
    };
    refuse_posted_twin(conn, by, &checked.sha256, &mut problems)?;
    let charges = allocate(conn, &checked.billing, &mut problems)?;
    if !problems.is_empty() {
        return refuse(checked.line_count, problems);
    }
    watch.phase(JobPhase::Storing);
    match store_pending(conn, by, &filename, source, &checked, &charges, watch.job())? {
        Ok(upload_id) => Ok(UploadOutcome::Pending(view(conn, by, upload_id)?)),
        Err(problems) => refuse(checked.line_count, problems),
    }
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

/// The first pass: every line read and checked against its grant and the catalogue, exact
/// totals per grant added up, the content hashed. `Err` when the file cannot be read as CSV.
fn check(conn: &mut AnyConnection, by: &Member, source: &Source<'_>, watch: &mut dyn Watch) -> DomainResult<Result<(Checked, Problems), Problems>> {
    let file_problems = |message: Message| {
        let mut problems = Problems::default();
        problems.push(file_problem(message));
        problems
    };
    let input = match source.open() {
        Ok(input) => input,
        Err(e) => return Ok(Err(file_problems(Message::new("usage-file-unreadable").with("reason", e.to_string())))),
    };
    let mut input = Watched::new(input, MAX_DECOMPRESSED_BYTES);
    let mut checker = Checker::new(conn, by)?;
    let mut unattributed: Vec<u64> = Vec::new();
    let mut failure: Option<DomainError> = None;
    let mut keyed_period: Option<(NaiveDateTime, NaiveDateTime)> = None;
    let mut seen = 0u64;
    // Lines wait here until the grants they name are read together (see `check_waiting`).
    let mut waiting: Vec<ChargeLine> = Vec::new();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let summary = focus::read(&mut input, |l| {
        seen += 1;
        if seen % WATCH_EVERY == 0 {
            watch.lines(seen, checker.problems.total());
        }
        if failure.is_some() {
            return;
        }
        let Some(line) = ChargeLine::of(l) else {
            unattributed.push(l.line);
            return;
        };
        if line.resource_id.is_some() {
            let at = line.charge_period_start;
            keyed_period = Some(keyed_period.map_or((at, at), |(first, last)| (first.min(at), last.max(at))));
        }
        if !checker.knows(&line.sub_account_id) && line.sub_account_id.chars().count() <= MAX_TEXT_CHARS {
            wanted.insert(line.sub_account_id.clone());
        }
        waiting.push(line);
        if wanted.len() >= crate::db::CHUNK_ROWS || waiting.len() >= WAITING_LINES {
            if let Err(e) = checker.check_waiting(conn, by, &mut waiting, &mut wanted) {
                failure = Some(e);
            }
        }
    });
    if failure.is_none() {
        failure = checker.check_waiting(conn, by, &mut waiting, &mut wanted).err();
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if input.over_limit {
        return Ok(Err(file_problems(Message::new("usage-file-too-large-unpacked").with("limit", i64::try_from(MAX_DECOMPRESSED_BYTES).unwrap_or(i64::MAX)))));
    }
    let summary = match summary {
        Ok(s) => s,
        Err(e) => return Ok(Err(file_problems(e.message()))),
    };
    let (billing, mut problems) = checker.finish();
    // The reader's problems come first: they are each line's own, the checker's need the line read.
    let mut all = summary.problems;
    all.shown.append(&mut problems.shown);
    all.not_shown += problems.not_shown;
    problems = all;
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
    watch.lines(summary.lines, problems.total());
    Ok(Ok((Checked { billing, line_count: summary.lines, sha256: input.sha256_hex(), keyed_period }, problems)))
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

/// Whether this provider billed lines naming a resource in the file's period before: asked
/// before the file's own lines are stored, so that the usual answer (no) costs one index probe.
fn earlier_lines_overlap(conn: &mut AnyConnection, by: &Member, period: Option<(NaiveDateTime, NaiveDateTime)>) -> DomainResult<bool> {
    let Some((first, last)) = period else { return Ok(false) };
    let billed = [UploadStatus::Submitted.as_str(), UploadStatus::Approved.as_str()];
    let earlier: Option<i64> = usage_lines::table
        .inner_join(usage_uploads::table.on(usage_uploads::id.eq(usage_lines::upload_id)))
        .filter(usage_uploads::provider_id.eq(by.org_id()))
        .filter(usage_uploads::status.eq_any(billed))
        .filter(usage_lines::resource_id.is_not_null())
        .filter(usage_lines::charge_period_start.between(first, last))
        .select(usage_lines::id)
        .first(conn)
        .optional()?;
    Ok(earlier.is_some())
}

/// Lines of the upload being stored that were already billed in an earlier submitted file (same
/// resource, SKU and charge period): providers resend overlapping periods. Lines without a
/// ResourceId cannot be told apart from another resource's, and are not compared. Asked of the
/// database, inside the storing transaction, only when earlier lines overlap the file's period
/// (see [`earlier_lines_overlap`]).
fn lines_billed_before(conn: &mut AnyConnection, by: &Member, upload_id: UploadId) -> DomainResult<Problems> {
    let mut problems = Problems::default();
    let billed = [UploadStatus::Submitted.as_str(), UploadStatus::Approved.as_str()];
    let earlier = diesel::alias!(usage_lines as earlier);
    let earlier_upload = diesel::alias!(usage_uploads as earlier_upload);
    let rows: Vec<(i64, Option<String>, UploadId, i64)> = usage_lines::table
        .inner_join(
            earlier.on(earlier.field(usage_lines::resource_id).eq(usage_lines::resource_id)
                .and(earlier.field(usage_lines::charge_period_start).eq(usage_lines::charge_period_start))
                .and(earlier.field(usage_lines::charge_period_end).eq(usage_lines::charge_period_end))
                // The same SKU, or neither names one (portable spelling of IS NOT DISTINCT FROM).
                .and(earlier.field(usage_lines::sku_id).eq(usage_lines::sku_id).or(earlier.field(usage_lines::sku_id).is_null().and(usage_lines::sku_id.is_null())))),
        )
        .inner_join(earlier_upload.on(earlier_upload.field(usage_uploads::id).eq(earlier.field(usage_lines::upload_id))))
        .filter(usage_lines::upload_id.eq(upload_id))
        .filter(earlier_upload.field(usage_uploads::provider_id).eq(by.org_id()))
        .filter(earlier_upload.field(usage_uploads::status).eq_any(billed))
        .order(usage_lines::line_number)
        .limit(i64::try_from(Problems::CAP).unwrap_or(i64::MAX) + 1)
        .select((usage_lines::line_number, usage_lines::resource_id, earlier.field(usage_lines::upload_id), earlier.field(usage_lines::line_number)))
        .load(conn)?;
    for (line, resource, upload, earlier_line) in rows {
        problems.push(Problem {
            line: u64::try_from(line).ok(),
            column: Some("ResourceId".into()),
            column_number: None,
            rule: None,
            path: None,
            message: Message::new("usage-line-billed-before").with("resource", resource.unwrap_or_default()).with("upload", upload.to_string()).with("line", earlier_line.to_string()),
        });
    }
    Ok(problems)
}

/// Every line against the grant it names: billable by this provider, same currency, active on
/// the charge's day, priced as catalogued; the exact total per grant, added without rounding.
struct Checker {
    grants_by_code: BTreeMap<String, Option<Grant>>,
    exact: BTreeMap<String, (Decimal, u64)>,
    currency: Option<String>,
    /// A file full of someone else's account ids gets one problem per unknown code, not per
    /// line: the first lines (up to ten) and how many there are.
    unknown: BTreeMap<String, (Vec<u64>, u64)>,
    catalogue: Vec<crate::domain::catalogue::Offering>,
    tolerance: BTreeMap<i64, i32>,
    problems: Problems,
}

impl Checker {
    fn new(conn: &mut AnyConnection, by: &Member) -> DomainResult<Checker> {
        Ok(Checker {
            grants_by_code: BTreeMap::new(),
            exact: BTreeMap::new(),
            currency: None,
            unknown: BTreeMap::new(),
            catalogue: crate::domain::catalogue::offerings_of(conn, by.org_id())?,
            tolerance: BTreeMap::new(),
            problems: Problems::default(),
        })
    }

    /// Reads the grants these codes name, in one read per thousand; a grant of another provider
    /// is as unknown as no grant.
    fn look_up(&mut self, conn: &mut AnyConnection, by: &Member, codes: &[String]) -> DomainResult<()> {
        let mut found = crate::domain::grants::grants_by_codes(conn, codes)?;
        for code in codes {
            self.grants_by_code.insert(code.clone(), found.remove(code).filter(|g| g.provider_id == by.org_id()));
        }
        Ok(())
    }

    fn knows(&self, code: &str) -> bool {
        self.grants_by_code.contains_key(code)
    }

    /// Checks the lines read so far, in file order, after reading the grants they name that
    /// are not known yet in one go: a file over thousands of grants costs a few reads, not one
    /// per grant.
    fn check_waiting(&mut self, conn: &mut AnyConnection, by: &Member, waiting: &mut Vec<ChargeLine>, wanted: &mut BTreeSet<String>) -> DomainResult<()> {
        let codes: Vec<String> = std::mem::take(wanted).into_iter().collect();
        self.look_up(conn, by, &codes)?;
        for line in waiting.drain(..) {
            self.check(conn, by, &line)?;
        }
        Ok(())
    }

    fn check(&mut self, conn: &mut AnyConnection, by: &Member, line: &ChargeLine) -> DomainResult<()> {
        if !self.grants_by_code.contains_key(&line.sub_account_id) && line.sub_account_id.chars().count() <= MAX_TEXT_CHARS {
            self.look_up(conn, by, std::slice::from_ref(&line.sub_account_id))?;
        }
        let problems = &mut self.problems;
        // A provider's text is stored and shown: bounded like every text people type.
        let long = [
            ("ServiceName", line.service_name.as_str()),
            ("SubAccountId", line.sub_account_id.as_str()),
            ("ConsumedUnit", line.consumed_unit.as_deref().unwrap_or("")),
            ("SkuId", line.sku_id.as_deref().unwrap_or("")),
            ("ResourceId", line.resource_id.as_deref().unwrap_or("")),
        ]
            .into_iter()
            .find(|(_, value)| value.chars().count() > MAX_TEXT_CHARS);
        if let Some((column, _)) = long {
            problems.push(line_problem(line, column, Message::new("usage-value-too-long").with("max", MAX_TEXT_CHARS)));
            return Ok(());
        }
        let Some(grant) = self.grants_by_code[&line.sub_account_id].as_ref() else {
            let (first, count) = self.unknown.entry(line.sub_account_id.clone()).or_default();
            if first.len() < 10 {
                first.push(line.line);
            }
            *count += 1;
            return Ok(());
        };
        // One file, one currency: its charges are added up and posted against one payable account.
        if let Some(file_currency) = self.currency.as_deref().filter(|c| *c != line.currency) {
            problems.push(line_problem(
                line,
                "BillingCurrency",
                Message::new("usage-mixed-currency").with("currency", &line.currency).with("file_currency", file_currency),
            ));
            return Ok(());
        }
        if line.currency != grant.currency {
            problems.push(line_problem(
                line,
                "BillingCurrency",
                Message::new("usage-currency-mismatch").with("grant", &grant.code).with("grant_currency", &grant.currency).with("currency", &line.currency),
            ));
            return Ok(());
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
            return Ok(());
        }
        if !priced_as_catalogued(conn, line, grant, &self.catalogue, &mut self.tolerance, problems)? {
            return Ok(());
        }
        if self.currency.is_none() {
            self.currency = Some(line.currency.clone());
        }
        // Looked up before inserted: the key is not copied for each of a million lines.
        if !self.exact.contains_key(&grant.code) {
            self.exact.insert(grant.code.clone(), (Decimal::ZERO, 0));
        }
        let Some(slot) = self.exact.get_mut(&grant.code) else { return Ok(()) };
        match exact_add(slot.0, line.billed_cost) {
            Some(sum) => slot.0 = sum,
            None => {
                problems.push(line_problem(line, "BilledCost", Message::new("usage-grant-total-inexact").with("grant", &grant.code)));
                return Ok(());
            }
        }
        slot.1 += 1;
        Ok(())
    }

    /// The totals per grant, and the problems found, unknown grant codes last.
    fn finish(self) -> (Billing, Problems) {
        let Checker { grants_by_code, exact, currency, unknown, mut problems, .. } = self;
        for (code, (at, count)) in &unknown {
            // Line numbers are listed as written, without digit groups, so that they can be searched for.
            let shown = at.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            let message = match *count {
                1 => Message::new("usage-unknown-grant").with("code", code.as_str()),
                n if n <= 10 => Message::new("usage-unknown-grant-lines").with("code", code.as_str()).with("lines", shown),
                n => Message::new("usage-unknown-grant-lines-more").with("code", code.as_str()).with("lines", shown).with("more", i64::try_from(n - 10).unwrap_or(i64::MAX)),
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
        (Billing { grants_by_code, exact, currency }, problems)
    }
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
    // Every grant's account and startup in one read each, however many grants the file bills.
    let mut grants = Vec::with_capacity(allocated.len());
    for (code, _) in &allocated {
        grants.push(grants_by_code[code].clone().ok_or(DomainError::NotFound)?);
    }
    let account_codes: Vec<String> = grants.iter().map(|g| g.credits_account_code()).collect();
    let accounts = ledger::accounts_by_codes(conn, &account_codes)?;
    let startup_ids: Vec<OrgId> = grants.iter().map(|g| g.startup_id).collect();
    let mut names: HashMap<OrgId, String> = HashMap::with_capacity(startup_ids.len());
    for chunk in startup_ids.chunks(crate::db::CHUNK_ROWS) {
        names.extend(organisations::table.filter(organisations::id.eq_any(chunk)).select((organisations::id, organisations::name)).load::<(OrgId, String)>(conn)?);
    }
    let mut charges = Vec::with_capacity(allocated.len());
    for (((code, amount), grant), account_code) in allocated.iter().zip(grants).zip(&account_codes) {
        let available = accounts.get(account_code).ok_or(DomainError::NotFound)?.available();
        if *amount > available {
            problems.push(file_problem(
                Message::new("usage-grant-insufficient")
                    .with("grant", code)
                    .with("available", available.to_decimal())
                    .with("currency", &grant.currency)
                    .with("amount", amount.to_decimal()),
            ));
        }
        let startup_name = names.get(&grant.startup_id).cloned().ok_or(DomainError::NotFound)?;
        charges.push(Charge { grant_id: grant.id, grant_code: code.clone(), startup_name, lines: exact[code].1, exact: exact[code].0, amount: *amount, available });
    }
    Ok(charges)
}

/// A grant's charge in an upload, as stored.
#[derive(Insertable)]
#[diesel(table_name = usage_charges)]
// Every column given, so that SQLite inserts a chunk as one multi-row statement too.
#[diesel(treat_none_as_default_value = false)]
struct ChargeRow {
    upload_id: UploadId,
    grant_id: GrantId,
    amount: i64,
    exact_cost: Option<String>,
    line_count: Option<i64>,
}

/// A usage line as stored: exact decimals kept as their text.
#[derive(Insertable)]
#[diesel(table_name = usage_lines)]
// No column takes its default, so SQLite can insert a chunk of rows as one multi-row statement
// (with defaults, diesel would insert them one by one in a nested transaction).
#[diesel(treat_none_as_default_value = false)]
struct UsageLineRow {
    upload_id: UploadId,
    line_number: i64,
    grant_id: GrantId,
    charge_period_start: NaiveDateTime,
    charge_period_end: NaiveDateTime,
    service_name: String,
    consumed_quantity: String,
    consumed_unit: String,
    billed_cost: String,
    currency: String,
    resource_id: Option<String>,
    sku_id: Option<String>,
}

/// SQLite's page cache while a file is stored, in KiB (the default is 2,000).
const STORING_CACHE_KIB: u32 = 32 * 1024;

/// What the second pass read and stored.
#[derive(Default)]
struct PassTwo {
    lines: u64,
    totals: BTreeMap<GrantId, Decimal>,
    read_ok: bool,
    /// A line without a grant the first pass knew: the file changed in between.
    changed_at: Option<u64>,
}

impl PassTwo {
    /// The grant of a line, counted; `None` (and the line noted) when the file changed.
    fn count(&mut self, l: &UsageLine<'_>, grant_ids: &BTreeMap<&str, GrantId>) -> Option<GrantId> {
        let Some(grant_id) = l.sub_account_id.and_then(|code| grant_ids.get(code)).copied() else {
            self.changed_at.get_or_insert(l.line);
            return None;
        };
        let total = self.totals.entry(grant_id).or_default();
        *total = exact_add(*total, l.billed_cost).unwrap_or(*total);
        self.lines += 1;
        Some(grant_id)
    }
}

fn row_of(upload_id: UploadId, grant_id: GrantId, l: &UsageLine<'_>) -> UsageLineRow {
    UsageLineRow {
        upload_id,
        line_number: i64::try_from(l.line).unwrap_or(i64::MAX),
        grant_id,
        charge_period_start: l.charge_period_start,
        charge_period_end: l.charge_period_end,
        service_name: l.service_name.to_string(),
        consumed_quantity: l.consumed_quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
        consumed_unit: l.consumed_unit.or(l.pricing_unit).unwrap_or_default().to_string(),
        billed_cost: l.billed_cost.to_string(),
        currency: l.currency.to_string(),
        resource_id: l.resource_id.map(str::to_string),
        sku_id: l.sku_id.map(str::to_string),
    }
}

/// SQLite: the file read again and its lines inserted a chunk at a time (2,500 rows of 12
/// columns is 30,000 parameters, under SQLite's 32,766).
fn insert_lines(conn: &mut AnyConnection, source: &Source<'_>, upload_id: UploadId, grant_ids: &BTreeMap<&str, GrantId>) -> DomainResult<PassTwo> {
    const CHUNK_ROWS: usize = 2_500;
    let mut pass = PassTwo::default();
    let Ok(input) = source.open() else { return Ok(PassTwo { changed_at: Some(0), ..PassTwo::default() }) };
    let mut chunk: Vec<UsageLineRow> = Vec::with_capacity(CHUNK_ROWS);
    let mut failure: Option<diesel::result::Error> = None;
    let read = focus::read(input, |l| {
        if failure.is_some() || pass.changed_at.is_some() {
            return;
        }
        let Some(grant_id) = pass.count(l, grant_ids) else { return };
        chunk.push(row_of(upload_id, grant_id, l));
        if chunk.len() == CHUNK_ROWS {
            if let Err(e) = crate::on_backend!(conn, c => diesel::insert_into(usage_lines::table).values(&chunk).execute(c)) {
                failure = Some(e);
            }
            chunk.clear();
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    if !chunk.is_empty() && pass.changed_at.is_none() {
        crate::on_backend!(conn, c => diesel::insert_into(usage_lines::table).values(&chunk).execute(c))?;
    }
    pass.read_ok = read.is_ok();
    Ok(pass)
}

/// Why PostgreSQL's COPY of the lines stopped.
#[derive(Debug, thiserror::Error)]
enum CopyError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("usage file unreadable the second time: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes a text value in COPY's text format: backslash, tab and line ends escaped.
fn copy_text(out: &mut Vec<u8>, value: &str) {
    for b in value.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

/// PostgreSQL: the file read again inside one COPY, each line written as it is read, so the
/// server stores lines while this process parses the next ones.
fn copy_lines(pg: &mut diesel::PgConnection, source: &Source<'_>, upload_id: UploadId, grant_ids: &BTreeMap<&str, GrantId>) -> DomainResult<PassTwo> {
    use std::cell::RefCell;
    use std::io::Write;
    let pass = RefCell::new(PassTwo::default());
    let columns = (
        usage_lines::upload_id,
        usage_lines::line_number,
        usage_lines::grant_id,
        usage_lines::charge_period_start,
        usage_lines::charge_period_end,
        usage_lines::service_name,
        usage_lines::consumed_quantity,
        usage_lines::consumed_unit,
        usage_lines::billed_cost,
        usage_lines::currency,
        usage_lines::resource_id,
        usage_lines::sku_id,
    );
    let copied = diesel::copy_from(usage_lines::table)
        .from_raw_data(columns, |out: &mut dyn Write| -> Result<(), CopyError> {
            let mut pass = pass.borrow_mut();
            *pass = PassTwo::default();
            let input = source.open()?;
            let mut row: Vec<u8> = Vec::with_capacity(1024);
            let mut written: Option<std::io::Error> = None;
            let read = focus::read(input, |l| {
                if written.is_some() || pass.changed_at.is_some() {
                    return;
                }
                let Some(grant_id) = pass.count(l, grant_ids) else { return };
                row.clear();
                let timestamp = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S%.f").to_string();
                let _ = write!(row, "{upload_id}\t{}\t{grant_id}\t{}\t{}\t", l.line, timestamp(l.charge_period_start), timestamp(l.charge_period_end));
                copy_text(&mut row, l.service_name);
                row.push(b'\t');
                copy_text(&mut row, &l.consumed_quantity.map(|q| q.normalize().to_string()).unwrap_or_default());
                row.push(b'\t');
                copy_text(&mut row, l.consumed_unit.or(l.pricing_unit).unwrap_or_default());
                row.push(b'\t');
                copy_text(&mut row, &l.billed_cost.to_string());
                row.push(b'\t');
                copy_text(&mut row, l.currency);
                for value in [l.resource_id, l.sku_id] {
                    row.push(b'\t');
                    match value {
                        Some(v) => copy_text(&mut row, v),
                        None => row.extend_from_slice(b"\\N"),
                    }
                }
                row.push(b'\n');
                if let Err(e) = out.write_all(&row) {
                    written = Some(e);
                }
            });
            if let Some(e) = written {
                return Err(e.into());
            }
            pass.read_ok = read.is_ok();
            Ok(())
        })
        .with_format(diesel::pg::CopyFormat::Text)
        .execute(pg);
    match copied {
        Ok(_) => Ok(pass.into_inner()),
        Err(CopyError::Database(e)) => Err(e.into()),
        Err(CopyError::Io(_)) => Ok(PassTwo { changed_at: Some(pass.borrow().lines), ..PassTwo::default() }),
    }
}

/// The second pass: stores the pending upload, its lines (read again from the file, a chunk at
/// a time) and its charges in one transaction. `Err` with the problems when lines were billed
/// before, or when the file no longer reads as it did (then nothing is stored).
fn store_pending(
    conn: &mut AnyConnection,
    by: &Member,
    filename: &str,
    source: &Source<'_>,
    checked: &Checked,
    charges: &[Charge],
    job: Option<crate::domain::ids::JobId>,
) -> DomainResult<Result<UploadId, Problems>> {
    let Billing { grants_by_code, exact, currency } = &checked.billing;
    let total = exact_sum(exact.values().map(|(v, _)| *v)).ok_or_else(|| DomainError::invalid("file", Message::new("upload-total-inexact")))?;
    let grant_ids: BTreeMap<&str, GrantId> = grants_by_code.iter().filter_map(|(code, g)| Some((code.as_str(), g.as_ref()?.id))).collect();
    /// Why the transaction is rolled back: the problems to show, or a failure.
    enum Abandon {
        Problems(Problems),
        Failed(DomainError),
    }
    impl From<diesel::result::Error> for Abandon {
        fn from(e: diesel::result::Error) -> Abandon {
            Abandon::Failed(e.into())
        }
    }
    impl From<DomainError> for Abandon {
        fn from(e: DomainError) -> Abandon {
            Abandon::Failed(e)
        }
    }
    let changed = |lines: u64| {
        let mut problems = Problems::default();
        problems.push(file_problem(Message::new("usage-file-changed").with("lines", i64::try_from(lines).unwrap_or(i64::MAX))));
        Abandon::Problems(problems)
    };
    // Storing a large file touches index pages all over: a page cache larger than SQLite's 2 MB
    // default keeps it from rereading them, for this transaction only.
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    if sqlite {
        conn.batch_execute(&format!("PRAGMA cache_size = -{}", STORING_CACHE_KIB))?;
    }
    let stored = crate::db::write_transaction(conn, |conn| -> Result<UploadId, Abandon> {
        let upload_id: UploadId = diesel::insert_into(usage_uploads::table)
            .values((
                usage_uploads::provider_id.eq(by.org_id()),
                usage_uploads::filename.eq(filename),
                usage_uploads::file_sha256.eq(&checked.sha256),
                usage_uploads::currency.eq(currency.as_deref().unwrap_or("")),
                usage_uploads::total_cost.eq(total.normalize().to_string()),
                usage_uploads::line_count.eq(i64::try_from(checked.line_count).unwrap_or(i64::MAX)),
                usage_uploads::status.eq(UploadStatus::Pending.as_str()),
                usage_uploads::uploaded_by.eq(by.user.id),
                usage_uploads::created_at.eq(clock::now()),
                usage_uploads::job_id.eq(job.map(|j| j.get())),
            ))
            .returning(usage_uploads::id)
            .get_result(conn)?;
        // Inside the transaction, so that no file submitted meanwhile escapes the check.
        let compare = earlier_lines_overlap(conn, by, checked.keyed_period)?;
        let pass = match conn {
            AnyConnection::Postgresql(pg) => copy_lines(pg, source, upload_id, &grant_ids)?,
            AnyConnection::Sqlite(_) => insert_lines(conn, source, upload_id, &grant_ids)?,
        };
        if let Some(line) = pass.changed_at {
            return Err(changed(line));
        }
        let PassTwo { lines: stored_lines, totals, read_ok, .. } = pass;
        // Every line names this upload and a grant that exists: one question for the whole file
        // (on PostgreSQL the schema no longer asks it line by line; see migration 000020).
        let orphans: i64 = usage_lines::table
            .left_join(crate::db::schema::grants::table.on(crate::db::schema::grants::id.eq(usage_lines::grant_id)))
            .filter(usage_lines::upload_id.eq(upload_id))
            .filter(crate::db::schema::grants::id.nullable().is_null())
            .count()
            .get_result(conn)?;
        if orphans > 0 {
            return Err(Abandon::Failed(DomainError::Internal(format!("{orphans} usage line(s) of upload {upload_id} name no grant"))));
        }
        // What was stored is what was checked, or nothing is.
        let same_totals = charges.iter().all(|c| totals.get(&c.grant_id) == Some(&c.exact)) && totals.len() == charges.len();
        if !read_ok || stored_lines != checked.line_count || !same_totals {
            return Err(changed(stored_lines));
        }
        if compare {
            let billed_before = lines_billed_before(conn, by, upload_id)?;
            if !billed_before.is_empty() {
                return Err(Abandon::Problems(billed_before));
            }
        }
        // One multi-row insert per thousand charges, however many grants the file bills.
        for chunk in charges.chunks(crate::db::CHUNK_ROWS) {
            let rows: Vec<ChargeRow> = chunk
                .iter()
                .map(|charge| ChargeRow {
                    upload_id,
                    grant_id: charge.grant_id,
                    amount: charge.amount.cents(),
                    exact_cost: Some(charge.exact.normalize().to_string()),
                    line_count: Some(i64::try_from(charge.lines).unwrap_or(i64::MAX)),
                })
                .collect();
            crate::on_backend!(conn, c => diesel::insert_into(usage_charges::table).values(&rows).execute(c))?;
        }
        Ok(upload_id)
    });
    if sqlite {
        conn.batch_execute("PRAGMA cache_size = -2000")?;
    }
    match stored {
        Ok(id) => Ok(Ok(id)),
        Err(Abandon::Problems(problems)) => Ok(Err(problems)),
        Err(Abandon::Failed(e)) => Err(e),
    }
}

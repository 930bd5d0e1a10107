//! Programmes (calls for applications) and their budgets.

use crate::db::AnyConnection;
use crate::db::schema::{programme_changes, programmes, users};
use crate::domain::eligibility;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side};
use crate::domain::clock;
use crate::domain::ids::{OrgId, ProgrammeId, UserId};
pub use crate::domain::invoicing::CreditsCover;
pub use crate::domain::grant_expiry::UnusedCredit;
use crate::ledger::chart;
use crate::money::{self, Amount};
use crate::messages::{Arg, Message};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = programmes)]
pub struct Programme {
    pub id: ProgrammeId,
    pub funder_id: OrgId,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: i64,
    pub max_award: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    /// How far above its catalogue price a usage line may be billed.
    pub price_tolerance_percent: i32,
    /// How many days submitted usage stays held waiting for an approved invoice.
    pub hold_days: i32,
    /// Whether credits cover invoices' net amounts or their amounts VAT included.
    #[diesel(deserialize_as = String)]
    pub credits_cover: CreditsCover,
    /// Where a grant's unused credit goes when it expires or is revoked.
    #[diesel(deserialize_as = String)]
    pub unused_credit: UnusedCredit,
    /// Where the programme stands in its lifecycle (draft, open, closed, archived).
    #[diesel(deserialize_as = String)]
    pub status: ProgrammeStatus,
    pub eligible_countries: Option<String>,
    pub eligible_categories: Option<String>,
    pub max_company_age_years: Option<i32>,
    pub eligible_hardware: Option<String>,
    /// The share of the budget reserved for micro and small enterprises, in basis points
    /// (10 000 = 100 %; 0: no quota); see `domain::quota`. Fixed once the programme opens.
    pub reserved_share_bp: i32,
}

crate::text_enum! {
    /// A programme's lifecycle: a draft is editable and unfunded; opening funds it; after that
    /// only the closing date may be extended and the budget raised; closed takes no
    /// applications; archived is read-only and out of the default lists.
    pub enum ProgrammeStatus ("programme status") {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Archived = "archived",
    }
}

impl ProgrammeStatus {
    /// The one place that says which status may follow which.
    pub fn may_become(self, next: ProgrammeStatus) -> bool {
        use ProgrammeStatus::*;
        matches!((self, next), (Draft, Open) | (Open, Closed) | (Closed, Archived))
    }
}

crate::text_enum! {
    /// What a programme change log line records.
    pub enum ChangeKind ("programme change") {
        Opened = "opened",
        ClosingExtended = "closing-extended",
        BudgetRaised = "budget-raised",
        Closed = "closed",
        Archived = "archived",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Open,
    Closed,
}

impl Programme {
    pub fn budget(&self) -> Amount {
        Amount::from_cents(self.budget)
    }

    pub fn max_award(&self) -> Amount {
        Amount::from_cents(self.max_award)
    }

    pub fn phase_on(&self, day: NaiveDate) -> Phase {
        if day < self.opens_on {
            Phase::Upcoming
        } else if day > self.closes_on {
            Phase::Closed
        } else {
            Phase::Open
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase_on(clock::today())
    }

    /// Open for applications: opened by its funder and today within its window.
    pub fn is_open(&self) -> bool {
        self.status == ProgrammeStatus::Open && self.phase() == Phase::Open
    }

    pub fn is_draft(&self) -> bool {
        self.status == ProgrammeStatus::Draft
    }

    /// `draft`, `upcoming`, `open`, `closed` or `archived`: the CSS class and the end of the
    /// catalogue key `phase-…` (the stored status first, then the dates of an open programme).
    pub fn phase_label(&self) -> &'static str {
        match self.status {
            ProgrammeStatus::Draft => "draft",
            ProgrammeStatus::Closed => "closed",
            ProgrammeStatus::Archived => "archived",
            ProgrammeStatus::Open => match self.phase() {
                Phase::Upcoming => "upcoming",
                Phase::Open => "open",
                Phase::Closed => "closed",
            },
        }
    }

    /// The eligibility rules as stored; a value this program does not know is an error.
    pub fn eligibility(&self) -> DomainResult<eligibility::Rules> {
        eligibility::Rules::from_columns(self.eligible_countries.as_deref(), self.eligible_categories.as_deref(), self.max_company_age_years, self.eligible_hardware.as_deref())
            .map_err(|e| DomainError::Internal(e.to_string()))
    }
}

/// A programme as its funder describes it, already parsed from the form (see `web::forms`).
#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: Amount,
    pub max_award: Amount,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Percent above the catalogue price a usage line may be billed (0 to 100).
    pub price_tolerance_percent: i32,
    /// Days usage stays held before it is released (1 to 3650).
    pub hold_days: i32,
    /// Whether credits cover net or VAT-inclusive invoice amounts (default net).
    pub credits_cover: CreditsCover,
    /// Where unused credit goes when a grant ends (default: back to the budget while open).
    pub unused_credit: UnusedCredit,
    /// The share reserved for micro and small enterprises, in basis points (0 to 10 000; 0:
    /// no quota), see `domain::quota`.
    pub reserved_share_bp: i32,
}

/// The hold period a new programme starts with.
pub const DEFAULT_HOLD_DAYS: i32 = 60;

/// The tolerance a new programme starts with.
pub const DEFAULT_PRICE_TOLERANCE: i32 = 5;

pub const MAX_NAME_CHARS: usize = 200;

/// Dates a programme may use: far enough for any real call, near enough that date arithmetic
/// (a grant's validity runs a year past the close) can never overflow on either backend.
pub fn is_sane_date(day: NaiveDate) -> bool {
    (2000..=2200).contains(&day.year())
}

/// The rules a new programme follows, field by field.
pub fn validate(new: &NewProgramme) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let name = new.name.trim();
    if name.is_empty() {
        errors.add("name", Message::new("programme-name-missing"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add("name", Message::new("programme-name-too-long").with("max", MAX_NAME_CHARS));
    }
    if new.description.trim().is_empty() {
        errors.add("description", Message::new("programme-description-missing"));
    }
    if !money::is_supported_currency(&new.currency) {
        errors.add("currency", Message::new("currency-unsupported"));
    }
    for (field, amount) in [("budget", new.budget), ("max_award", new.max_award)] {
        if !amount.is_positive() {
            errors.add(field, Message::new("amount-not-positive"));
        }
    }
    if new.max_award > new.budget && new.budget.is_positive() {
        errors.add("max_award", Message::new("programme-max-award-over-budget"));
    }
    for (field, day) in [("opens_on", new.opens_on), ("closes_on", new.closes_on)] {
        if !is_sane_date(day) {
            errors.add(field, Message::new("date-out-of-range"));
        }
    }
    if new.closes_on < new.opens_on {
        errors.add("closes_on", Message::new("programme-closes-before-opening"));
    }
    if !(0..=100).contains(&new.price_tolerance_percent) {
        errors.add("price_tolerance_percent", Message::new("programme-tolerance-invalid"));
    }
    if !(1..=3650).contains(&new.hold_days) {
        errors.add("hold_days", Message::new("programme-hold-days-invalid"));
    }
    if !(0..=crate::domain::quota::FULL_SHARE_BP).contains(&new.reserved_share_bp) {
        errors.add("reserved_share", Message::new("quota-share-invalid"));
    }
    errors
}

/// A programme as stored.
#[derive(Insertable)]
#[diesel(table_name = programmes)]
struct ProgrammeRow<'a> {
    funder_id: OrgId,
    name: &'a str,
    description: &'a str,
    currency: &'a str,
    budget: i64,
    max_award: i64,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    created_by: UserId,
    created_at: NaiveDateTime,
    price_tolerance_percent: i32,
    hold_days: i32,
    credits_cover: &'static str,
    unused_credit: &'static str,
    status: &'static str,
    reserved_share_bp: i32,
}

/// Creates a programme and opens it at once (funding its budget from the funder's commitments),
/// in one transaction: what the JSON API, the demo and a form sent without `lifecycle=draft` do.
pub fn create(conn: &mut AnyConnection, by: &Member, new: &NewProgramme) -> DomainResult<Programme> {
    crate::db::write_transaction(conn, |conn| {
        let draft = create_draft(conn, by, new)?;
        open(conn, by, draft.id)
    })
}

/// Creates a programme as a draft: editable, invisible to startups, not funded.
pub fn create_draft(conn: &mut AnyConnection, by: &Member, new: &NewProgramme) -> DomainResult<Programme> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::Forbidden("only funders open programmes"));
    }
    validate(new).into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let row = ProgrammeRow {
            funder_id: by.org_id(),
            name: new.name.trim(),
            description: new.description.trim(),
            currency: &new.currency,
            budget: new.budget.cents(),
            max_award: new.max_award.cents(),
            opens_on: new.opens_on,
            closes_on: new.closes_on,
            created_by: by.user.id,
            created_at: clock::now(),
            price_tolerance_percent: new.price_tolerance_percent,
            hold_days: new.hold_days,
            credits_cover: new.credits_cover.as_str(),
            unused_credit: new.unused_credit.as_str(),
            status: ProgrammeStatus::Draft.as_str(),
            reserved_share_bp: new.reserved_share_bp,
        };
        let id: ProgrammeId = diesel::insert_into(programmes::table)
            .values(&row)
            .returning(programmes::id)
            .get_result(conn)?;
        get(conn, id)
    })
}

/// Posts `amount` from the funder's commitments to the programme's available budget: one
/// balanced entry under `key` (a retried request posts once).
fn fund(conn: &mut AnyConnection, by: &Member, programme: &Programme, amount: Amount, key: String, description: String) -> DomainResult<()> {
    let commitments = ledger::open_account(conn, &chart::funder_commitments(programme.funder_id.get(), &programme.currency))?;
    let available = ledger::open_account(conn, &chart::programme_available(programme.id.get(), &programme.currency))?;
    ledger::post(
        conn,
        &NewEntry {
            idempotency_key: key,
            kind: EntryKind::Fund,
            description,
            effective_on: clock::today(),
            actor: by.actor(),
            links: Links { programme_id: Some(programme.id.get()), ..Links::default() },
            legs: vec![
                Leg { account_id: commitments.id, side: Side::Debit, amount },
                Leg { account_id: available.id, side: Side::Credit, amount },
            ],
        },
    )?;
    Ok(())
}

/// The programme as its funder manages it: another organisation's (or a startup's) request
/// finds nothing.
pub fn managed_by(conn: &mut AnyConnection, by: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let programme = get(conn, id)?;
    if by.kind() != OrgKind::Funder || by.org_id() != programme.funder_id {
        return Err(DomainError::NotFound);
    }
    Ok(programme)
}

/// Refuses a change the programme's status does not allow, with a clear reason.
fn require_status(programme: &Programme, allowed: &[ProgrammeStatus], key: &'static str) -> DomainResult<()> {
    if allowed.contains(&programme.status) {
        Ok(())
    } else {
        Err(DomainError::Conflict(Message::new(key).with("status", programme.status.as_str())))
    }
}

/// A reason as a change needs it: at least [`MIN_CHANGE_REASON_CHARS`] characters.
pub const MIN_CHANGE_REASON_CHARS: usize = 10;

fn check_reason(reason: &str) -> DomainResult<String> {
    let reason = reason.trim();
    if reason.chars().count() < MIN_CHANGE_REASON_CHARS {
        return Err(DomainError::invalid("reason", Message::new("programme-change-reason-too-short").with("min", MIN_CHANGE_REASON_CHARS)));
    }
    Ok(reason.to_string())
}

fn log_change(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, kind: ChangeKind, old: &str, new: &str, reason: &str) -> DomainResult<()> {
    diesel::insert_into(programme_changes::table)
        .values((
            programme_changes::programme_id.eq(id),
            programme_changes::kind.eq(kind.as_str()),
            programme_changes::old_value.eq(old),
            programme_changes::new_value.eq(new),
            programme_changes::reason.eq(reason),
            programme_changes::changed_by.eq(by.user.id),
            programme_changes::changed_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves `id` from `from` to `to` if it still is in `from` (a concurrent change finds nothing
/// to update and is refused).
fn set_status(conn: &mut AnyConnection, id: ProgrammeId, from: ProgrammeStatus, to: ProgrammeStatus) -> DomainResult<()> {
    debug_assert!(from.may_become(to));
    let changed = diesel::update(programmes::table.filter(programmes::id.eq(id)).filter(programmes::status.eq(from.as_str())))
        .set(programmes::status.eq(to.as_str()))
        .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
    }
    Ok(())
}

/// A funder edits its draft: every field may change (nothing is funded yet).
pub fn update_draft(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, new: &NewProgramme) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    require_status(&current, &[ProgrammeStatus::Draft], "programme-not-draft")?;
    validate(new).into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(programmes::table.filter(programmes::id.eq(id)).filter(programmes::status.eq(ProgrammeStatus::Draft.as_str())))
            .set((
                programmes::name.eq(new.name.trim()),
                programmes::description.eq(new.description.trim()),
                programmes::currency.eq(&new.currency),
                programmes::budget.eq(new.budget.cents()),
                programmes::max_award.eq(new.max_award.cents()),
                programmes::opens_on.eq(new.opens_on),
                programmes::closes_on.eq(new.closes_on),
                programmes::price_tolerance_percent.eq(new.price_tolerance_percent),
                programmes::hold_days.eq(new.hold_days),
                programmes::credits_cover.eq(new.credits_cover.as_str()),
                programmes::unused_credit.eq(new.unused_credit.as_str()),
                programmes::reserved_share_bp.eq(new.reserved_share_bp),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
        }
        get(conn, id)
    })
}

/// A funder sets its draft's eligibility rules (replacing the previous ones).
pub fn set_eligibility(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, rules: &eligibility::Rules) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    require_status(&current, &[ProgrammeStatus::Draft], "programme-not-draft")?;
    let mut errors = FieldErrors::default();
    if rules.max_age_years.is_some_and(|y| !(1..=eligibility::MAX_AGE_YEARS).contains(&y)) {
        errors.add("max_company_age_years", Message::new("eligibility-age-invalid").with("max", i64::from(eligibility::MAX_AGE_YEARS)));
    }
    if rules.categories.as_ref().is_some_and(Vec::is_empty) {
        errors.add("categories", Message::new("eligibility-categories-empty"));
    }
    if let Some(kinds) = &rules.hardware {
        if kinds.is_empty() {
            errors.add("hardware", Message::new("eligibility-hardware-empty"));
        } else if let Some(unknown) = kinds.iter().find(|k| !crate::domain::applications::HARDWARE_KINDS.contains(&k.as_str())) {
            errors.add("hardware", Message::new("eligibility-hardware-unknown").with("kind", unknown));
        }
    }
    errors.into_result()?;
    let changed = diesel::update(programmes::table.filter(programmes::id.eq(id)).filter(programmes::status.eq(ProgrammeStatus::Draft.as_str())))
        .set((
            programmes::eligible_countries.eq(rules.countries_text()),
            programmes::eligible_categories.eq(rules.categories_text()),
            programmes::max_company_age_years.eq(rules.max_age_years),
            programmes::eligible_hardware.eq(rules.hardware_text()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
    }
    get(conn, id)
}

/// Opens a draft: funds its budget account from the funder's commitments and makes it visible,
/// in one transaction (the budget exists in the ledger from the moment applicants see it).
pub fn open(conn: &mut AnyConnection, by: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    require_status(&current, &[ProgrammeStatus::Draft], "programme-not-draft")?;
    crate::db::write_transaction(conn, |conn| {
        set_status(conn, id, ProgrammeStatus::Draft, ProgrammeStatus::Open)?;
        fund(conn, by, &current, current.budget(), format!("fund:programme:{id}"), format!("Budget of programme “{}”", current.name))?;
        log_change(conn, by, id, ChangeKind::Opened, ProgrammeStatus::Draft.as_str(), ProgrammeStatus::Open.as_str(), "")?;
        get(conn, id)
    })
}

/// Extends an open programme's window: the new closing date must be later; the reason is kept.
pub fn extend_closing(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, closes_on: NaiveDate, reason: &str) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    require_status(&current, &[ProgrammeStatus::Open], "programme-change-not-open")?;
    let mut errors = FieldErrors::default();
    if !is_sane_date(closes_on) {
        errors.add("closes_on", Message::new("date-out-of-range"));
    } else if closes_on <= current.closes_on {
        errors.add("closes_on", Message::new("programme-extend-not-later").with("current", current.closes_on));
    }
    if let Err(DomainError::Invalid(e)) = check_reason(reason) {
        errors.extend(e);
    }
    errors.into_result()?;
    let reason = check_reason(reason)?;
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(
            programmes::table
                .filter(programmes::id.eq(id))
                .filter(programmes::status.eq(ProgrammeStatus::Open.as_str()))
                .filter(programmes::closes_on.eq(current.closes_on)),
        )
        .set(programmes::closes_on.eq(closes_on))
        .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
        }
        log_change(conn, by, id, ChangeKind::ClosingExtended, &current.closes_on.to_string(), &closes_on.to_string(), &reason)?;
        get(conn, id)
    })
}

/// Raises an open programme's budget to `budget`: the difference is one balanced top-up entry
/// (commitments → available) keyed by the new total, so a retried request posts once.
pub fn raise_budget(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, budget: Amount, reason: &str) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    require_status(&current, &[ProgrammeStatus::Open], "programme-change-not-open")?;
    let mut errors = FieldErrors::default();
    let top_up = budget.checked_sub(current.budget()).ok();
    if budget <= current.budget() {
        errors.add("budget", Message::new("programme-raise-not-higher").with("current", Arg::money(current.budget(), &current.currency)));
    }
    if let Err(DomainError::Invalid(e)) = check_reason(reason) {
        errors.extend(e);
    }
    errors.into_result()?;
    let reason = check_reason(reason)?;
    let top_up = top_up.ok_or_else(|| DomainError::invalid("budget", Message::new("amount-too-large")))?;
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(
            programmes::table
                .filter(programmes::id.eq(id))
                .filter(programmes::status.eq(ProgrammeStatus::Open.as_str()))
                .filter(programmes::budget.eq(current.budget)),
        )
        .set(programmes::budget.eq(budget.cents()))
        .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("programme-changed-meanwhile")));
        }
        fund(conn, by, &current, top_up, format!("fund:programme:{id}:raise-to:{}", budget.cents()), format!("Budget of programme “{}” raised", current.name))?;
        log_change(conn, by, id, ChangeKind::BudgetRaised, &current.budget.to_string(), &budget.cents().to_string(), &reason)?;
        get(conn, id)
    })
}

/// Closes an open programme (it takes no more applications) or archives a closed one
/// (read-only, out of the default lists). The reason is optional and kept.
pub fn advance(conn: &mut AnyConnection, by: &Member, id: ProgrammeId, to: ProgrammeStatus, reason: &str) -> DomainResult<Programme> {
    let current = managed_by(conn, by, id)?;
    let kind = match to {
        ProgrammeStatus::Closed => ChangeKind::Closed,
        ProgrammeStatus::Archived => ChangeKind::Archived,
        _ => return Err(DomainError::Conflict(Message::new("programme-transition-refused").with("from", current.status.as_str()).with("to", to.as_str()))),
    };
    if !current.status.may_become(to) {
        return Err(DomainError::Conflict(Message::new("programme-transition-refused").with("from", current.status.as_str()).with("to", to.as_str())));
    }
    crate::db::write_transaction(conn, |conn| {
        set_status(conn, id, current.status, to)?;
        log_change(conn, by, id, kind, current.status.as_str(), to.as_str(), reason.trim())?;
        // An archived programme is read-only: its open offers end and their budget returns.
        if to == ProgrammeStatus::Archived {
            crate::domain::offers::void_for_archive(conn, by, &current, reason, crate::domain::clock::now())?;
        }
        get(conn, id)
    })
}

/// One line of a programme's change log.
#[derive(Debug, Clone, Queryable)]
pub struct Change {
    pub id: i64,
    pub kind: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

impl Change {
    /// The line worded: what changed, from what to what.
    pub fn summary(&self, currency: &str) -> DomainResult<Message> {
        let kind: ChangeKind = self.kind.parse().map_err(|e: crate::domain::status::UnknownValue| DomainError::Internal(e.to_string()))?;
        let cents = |text: &str| text.parse::<i64>().map(Amount::from_cents).map_err(|_| DomainError::Internal(format!("stored amount {text:?}")));
        Ok(match kind {
            ChangeKind::Opened => Message::new("programme-change-opened"),
            ChangeKind::Closed => Message::new("programme-change-closed"),
            ChangeKind::Archived => Message::new("programme-change-archived"),
            ChangeKind::ClosingExtended => {
                let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| DomainError::Internal(format!("stored date {text:?}")));
                Message::new("programme-change-extended").with("from", day(&self.old_value)?).with("to", day(&self.new_value)?)
            }
            ChangeKind::BudgetRaised => Message::new("programme-change-raised")
                .with("from", Arg::money(cents(&self.old_value)?, currency))
                .with("to", Arg::money(cents(&self.new_value)?, currency)),
        })
    }
}

/// The programme's change log, oldest first, with who made each change.
pub fn changes(conn: &mut AnyConnection, id: ProgrammeId) -> DomainResult<Vec<Change>> {
    Ok(programme_changes::table
        .inner_join(users::table.on(users::id.eq(programme_changes::changed_by)))
        .filter(programme_changes::programme_id.eq(id))
        .order(programme_changes::id)
        .select((
            programme_changes::id,
            programme_changes::kind,
            programme_changes::old_value,
            programme_changes::new_value,
            programme_changes::reason,
            users::display_name,
            programme_changes::changed_at,
        ))
        .load(conn)?)
}

pub fn get(conn: &mut AnyConnection, id: ProgrammeId) -> DomainResult<Programme> {
    programmes::table.find(id).select(Programme::as_select()).first(conn).or_not_found()
}

/// A programme as `viewer` may see it: funders only their own; startups and providers any
/// (programmes are public calls); otherwise not found.
pub fn visible_to(conn: &mut AnyConnection, viewer: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let programme = get(conn, id)?;
    let cofunder = viewer.kind() == OrgKind::Funder && viewer.org_id() != programme.funder_id && crate::domain::cofunding::is_cofunder(conn, id, viewer.org_id())?;
    if may_see(viewer, &programme, cofunder) { Ok(programme) } else { Err(DomainError::NotFound) }
}

/// [`visible_to`] decided on the programme and its co-funders as kept at `at` (read again only
/// when the state moved since): a page that keeps the rest of what it shows then reads
/// nothing. The decision itself is made on every call.
pub fn visible_at(src: &mut dyn crate::domain::spending::Reads, cache: &crate::domain::spending::SpendCache, at: crate::domain::spending::PageState, viewer: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let head = cache.programme_heads.get_or_read_at(src, at, id, |conn| {
        let programme = get(conn, id)?;
        let cofunders = crate::domain::cofunding::cofunder_ids(conn, id)?;
        Ok(std::sync::Arc::new((programme, cofunders)))
    })?;
    let (programme, cofunders) = &*head;
    let cofunder = viewer.kind() == OrgKind::Funder && cofunders.contains(&viewer.org_id());
    if may_see(viewer, programme, cofunder) { Ok(programme.clone()) } else { Err(DomainError::NotFound) }
}

/// Whether `viewer` may see `programme`, `cofunder` saying whether they were invited to fund it.
fn may_see(viewer: &Member, programme: &Programme, cofunder: bool) -> bool {
    // A draft is its funder's own until it opens.
    let hidden_draft = programme.is_draft() && !crate::domain::access::may_manage_programme(viewer, programme.funder_id);
    // A funder invited to co-fund it sees it too.
    let may_view = crate::domain::access::may_view_programme(viewer, programme.funder_id) || cofunder;
    may_view && !hidden_draft
}

pub fn of_funder(conn: &mut AnyConnection, funder_id: OrgId) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table
        .filter(programmes::funder_id.eq(funder_id))
        .filter(programmes::status.ne(ProgrammeStatus::Archived.as_str()))
        .order((programmes::opens_on.desc(), programmes::id.desc()))
        .select(Programme::as_select())
        .load(conn)?)
}

/// One page of programmes (a funder's, or every one), newest first, read in SQL.
pub fn programmes_page(conn: &mut AnyConnection, funder: Option<OrgId>, window: crate::domain::Window) -> DomainResult<Vec<Programme>> {
    let mut query = programmes::table.order(programmes::id.desc()).limit(window.take).select(Programme::as_select()).into_boxed();
    if let Some(funder) = funder {
        query = query.filter(programmes::funder_id.eq(funder));
    } else {
        // Drafts are their funder's own until they open.
        query = query.filter(programmes::status.ne(ProgrammeStatus::Draft.as_str()));
    }
    if let Some(after) = window.after {
        query = query.filter(programmes::id.lt(after));
    }
    Ok(query.load(conn)?)
}

pub fn all(conn: &mut AnyConnection) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table.filter(programmes::status.ne(ProgrammeStatus::Archived.as_str())).order((programmes::closes_on.desc(), programmes::id)).select(Programme::as_select()).load(conn)?)
}

/// Programmes accepting applications today.
pub fn open_now(conn: &mut AnyConnection) -> DomainResult<Vec<Programme>> {
    let today = clock::today();
    Ok(programmes::table
        .filter(programmes::status.eq(ProgrammeStatus::Open.as_str()))
        .filter(programmes::opens_on.le(today))
        .filter(programmes::closes_on.ge(today))
        .order((programmes::closes_on, programmes::id))
        .select(Programme::as_select())
        .load(conn)?)
}

/// The programme's unawarded budget, from the ledger.
pub fn available(conn: &mut AnyConnection, programme: &Programme) -> DomainResult<Amount> {
    let spec = chart::programme_available(programme.id.get(), &programme.currency);
    Ok(ledger::find_account_by_code(conn, &spec.code)?.map(|a| a.available()).unwrap_or_default())
}

/// A funder's archived programmes, newest first (out of the default list).
pub fn archived_of_funder(conn: &mut AnyConnection, funder_id: OrgId) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table
        .filter(programmes::funder_id.eq(funder_id))
        .filter(programmes::status.eq(ProgrammeStatus::Archived.as_str()))
        .order(programmes::id.desc())
        .select(Programme::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lifecycle of the issue: draft → open → closed → archived, one way, no step skipped.
    #[test]
    fn lifecycle_moves_one_way_one_step_at_a_time() {
        use ProgrammeStatus::*;
        for (from, to) in [(Draft, Open), (Open, Closed), (Closed, Archived)] {
            assert!(from.may_become(to), "{from} → {to}");
        }
        for from in ProgrammeStatus::ALL {
            for to in ProgrammeStatus::ALL {
                let allowed = matches!((from, to), (Draft, Open) | (Open, Closed) | (Closed, Archived));
                assert_eq!(from.may_become(*to), allowed, "{from} → {to}");
            }
        }
        assert!("paused".parse::<ProgrammeStatus>().is_err(), "an unknown status is an error");
    }
}

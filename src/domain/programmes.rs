//! Programmes (calls for applications) and their budgets.

use crate::db::AnyConnection;
use crate::db::schema::programmes;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side};
use crate::domain::clock;
use crate::domain::ids::{OrgId, ProgrammeId, UserId};
pub use crate::domain::invoicing::CreditsCover;
pub use crate::domain::grant_expiry::UnusedCredit;
use crate::ledger::chart;
use crate::money::{self, Amount};
use crate::messages::Message;
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

    pub fn is_open(&self) -> bool {
        self.phase() == Phase::Open
    }

    /// `upcoming`, `open` or `closed`: the CSS class and the end of the catalogue key `phase-…`.
    pub fn phase_label(&self) -> &'static str {
        match self.phase() {
            Phase::Upcoming => "upcoming",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
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
}

/// Opens a programme and funds its budget account from the funder's commitments, in one
/// transaction: the budget exists in the ledger from the first moment.
pub fn create(conn: &mut AnyConnection, by: &Member, new: &NewProgramme) -> DomainResult<Programme> {
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
        };
        let id: ProgrammeId = diesel::insert_into(programmes::table)
            .values(&row)
            .returning(programmes::id)
            .get_result(conn)?;
        let commitments = ledger::open_account(conn, &chart::funder_commitments(by.org_id().get(), &new.currency))?;
        let available = ledger::open_account(conn, &chart::programme_available(id.get(), &new.currency))?;
        ledger::post(
            conn,
            &NewEntry {
                idempotency_key: format!("fund:programme:{id}"),
                kind: EntryKind::Fund,
                description: format!("Budget of programme “{}”", new.name.trim()),
                effective_on: clock::today(),
                actor: by.actor(),
                links: Links { programme_id: Some(id.get()), ..Links::default() },
                legs: vec![
                    Leg { account_id: commitments.id, side: Side::Debit, amount: new.budget },
                    Leg { account_id: available.id, side: Side::Credit, amount: new.budget },
                ],
            },
        )?;
        get(conn, id)
    })
}

pub fn get(conn: &mut AnyConnection, id: ProgrammeId) -> DomainResult<Programme> {
    programmes::table.find(id).select(Programme::as_select()).first(conn).or_not_found()
}

/// A programme as `viewer` may see it: funders only their own; startups and providers any
/// (programmes are public calls); otherwise not found.
pub fn visible_to(conn: &mut AnyConnection, viewer: &Member, id: ProgrammeId) -> DomainResult<Programme> {
    let programme = get(conn, id)?;
    if crate::domain::access::may_view_programme(viewer, programme.funder_id) { Ok(programme) } else { Err(DomainError::NotFound) }
}

pub fn of_funder(conn: &mut AnyConnection, funder_id: OrgId) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table
        .filter(programmes::funder_id.eq(funder_id))
        .order((programmes::opens_on.desc(), programmes::id.desc()))
        .select(Programme::as_select())
        .load(conn)?)
}

/// One page of programmes (a funder's, or every one), newest first, read in SQL.
pub fn programmes_page(conn: &mut AnyConnection, funder: Option<OrgId>, window: crate::domain::Window) -> DomainResult<Vec<Programme>> {
    let mut query = programmes::table.order(programmes::id.desc()).limit(window.take).select(Programme::as_select()).into_boxed();
    if let Some(funder) = funder {
        query = query.filter(programmes::funder_id.eq(funder));
    }
    if let Some(after) = window.after {
        query = query.filter(programmes::id.lt(after));
    }
    Ok(query.load(conn)?)
}

pub fn all(conn: &mut AnyConnection) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table.order((programmes::closes_on.desc(), programmes::id)).select(Programme::as_select()).load(conn)?)
}

/// Programmes accepting applications today.
pub fn open_now(conn: &mut AnyConnection) -> DomainResult<Vec<Programme>> {
    let today = clock::today();
    Ok(programmes::table
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

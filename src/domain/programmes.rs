//! Programmes (calls for applications) and their budgets.

use crate::db::AnyConnection;
use crate::db::schema::programmes;
use crate::domain::accounts::{Member, OrgKind};
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::ledger::{self, EntryKind, Leg, Links, NewEntry, Side};
use crate::domain::clock;
use crate::ledger::chart;
use crate::money::{self, Amount};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = programmes)]
pub struct Programme {
    pub id: i64,
    pub funder_id: i64,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: i64,
    pub max_award: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
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

    pub fn phase_label(&self) -> &'static str {
        match self.phase() {
            Phase::Upcoming => "upcoming",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }
}

/// What a funder types to open a programme, as text, so a refused form can be shown again as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProgrammeForm {
    pub name: String,
    pub description: String,
    pub currency: String,
    pub budget: String,
    pub max_award: String,
    pub opens_on: String,
    pub closes_on: String,
}

struct ValidProgramme {
    budget: Amount,
    max_award: Amount,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
}

fn parse_date(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Enter a date as YYYY-MM-DD.");
            None
        }
    }
}

/// Parses a positive amount of money from a form field, recording a message when it is not one.
pub fn parse_positive_amount(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<Amount> {
    if text.trim().is_empty() {
        errors.add(field, "Enter an amount, such as 25000 or 25000.50.");
        return None;
    }
    match Amount::parse(text) {
        Ok(a) if a.is_positive() => Some(a),
        Ok(_) => {
            errors.add(field, "Enter an amount greater than zero.");
            None
        }
        Err(e) => {
            errors.add(field, format!("{}.", capitalise(&e.to_string())));
            None
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn validate(form: &ProgrammeForm) -> Result<ValidProgramme, DomainError> {
    let mut errors = FieldErrors::default();
    if form.name.trim().is_empty() {
        errors.add("name", "Give the programme a name.");
    } else if form.name.trim().chars().count() > 200 {
        errors.add("name", "Keep the name under 200 characters.");
    }
    if form.description.trim().is_empty() {
        errors.add("description", "Describe who the programme is for and what it funds.");
    }
    if !money::is_supported_currency(&form.currency) {
        errors.add("currency", "Choose one of the listed currencies.");
    }
    let budget = parse_positive_amount(&mut errors, "budget", &form.budget);
    let max_award = parse_positive_amount(&mut errors, "max_award", &form.max_award);
    if let (Some(b), Some(m)) = (budget, max_award) {
        if m > b {
            errors.add("max_award", "The maximum award cannot exceed the budget.");
        }
    }
    let opens_on = parse_date(&mut errors, "opens_on", &form.opens_on);
    let closes_on = parse_date(&mut errors, "closes_on", &form.closes_on);
    if let (Some(o), Some(c)) = (opens_on, closes_on) {
        if c < o {
            errors.add("closes_on", "The programme must close on or after the day it opens.");
        }
    }
    errors.into_result()?;
    Ok(ValidProgramme {
        budget: budget.unwrap_or_default(),
        max_award: max_award.unwrap_or_default(),
        opens_on: opens_on.unwrap_or_default(),
        closes_on: closes_on.unwrap_or_default(),
    })
}

/// Opens a programme and funds its budget account from the funder's commitments, in one
/// transaction: the budget exists in the ledger from the first moment.
pub fn create(conn: &mut AnyConnection, by: &Member, form: &ProgrammeForm) -> DomainResult<Programme> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::Forbidden("only funders open programmes"));
    }
    let valid = validate(form)?;
    crate::db::write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(programmes::table)
            .values((
                programmes::funder_id.eq(by.org_id()),
                programmes::name.eq(form.name.trim()),
                programmes::description.eq(form.description.trim()),
                programmes::currency.eq(&form.currency),
                programmes::budget.eq(valid.budget.cents()),
                programmes::max_award.eq(valid.max_award.cents()),
                programmes::opens_on.eq(valid.opens_on),
                programmes::closes_on.eq(valid.closes_on),
                programmes::created_by.eq(by.user.id),
                programmes::created_at.eq(clock::now()),
            ))
            .returning(programmes::id)
            .get_result(conn)?;
        let commitments = ledger::open_account(conn, &chart::funder_commitments(by.org_id(), &form.currency))?;
        let available = ledger::open_account(conn, &chart::programme_available(id, &form.currency))?;
        ledger::post(
            conn,
            &NewEntry {
                idempotency_key: format!("fund:programme:{id}"),
                kind: EntryKind::Fund,
                description: format!("Budget of programme “{}”", form.name.trim()),
                effective_on: clock::today(),
                actor: by.actor(),
                links: Links { programme_id: Some(id), ..Links::default() },
                legs: vec![
                    Leg { account_id: commitments.id, side: Side::Debit, amount: valid.budget },
                    Leg { account_id: available.id, side: Side::Credit, amount: valid.budget },
                ],
            },
        )?;
        get(conn, id)
    })
}

pub fn get(conn: &mut AnyConnection, id: i64) -> DomainResult<Programme> {
    programmes::table.find(id).select(Programme::as_select()).first(conn).or_not_found()
}

/// A programme as `viewer` may see it: funders only their own; startups and providers any
/// (programmes are public calls); otherwise not found.
pub fn visible_to(conn: &mut AnyConnection, viewer: &Member, id: i64) -> DomainResult<Programme> {
    let programme = get(conn, id)?;
    match viewer.kind() {
        OrgKind::Funder if programme.funder_id != viewer.org_id() => Err(DomainError::NotFound),
        _ => Ok(programme),
    }
}

pub fn of_funder(conn: &mut AnyConnection, funder_id: i64) -> DomainResult<Vec<Programme>> {
    Ok(programmes::table
        .filter(programmes::funder_id.eq(funder_id))
        .order((programmes::opens_on.desc(), programmes::id.desc()))
        .select(Programme::as_select())
        .load(conn)?)
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
    let spec = chart::programme_available(programme.id, &programme.currency);
    Ok(ledger::find_account_by_code(conn, &spec.code)?.map(|a| a.available()).unwrap_or_default())
}

//! Organisations: funders, startups, providers and the platform, and a startup's company details.

use crate::db::AnyConnection;
use crate::domain::clock;
use crate::domain::eu::registration;
use crate::domain::ids::OrgId;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::messages::Message;
use diesel::prelude::*;
use crate::db::schema::organisations;
use chrono::NaiveDateTime;

crate::text_enum! {
    /// What an organisation is; it decides what its members may do (see `domain::access`).
    pub enum OrgKind ("organisation kind") {
        Platform = "platform",
        Funder = "funder",
        Startup = "startup",
        Provider = "provider",
    }
}

impl OrgKind {
    /// The command line's word for a kind: `admin` is the platform's.
    pub fn parse(text: &str) -> Option<OrgKind> {
        match text {
            "admin" => Some(OrgKind::Platform),
            other => other.parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: OrgId,
    #[diesel(deserialize_as = String)]
    pub kind: OrgKind,
    pub name: String,
    pub legal_name: Option<String>,
    pub country: Option<String>,
    pub registration_number: Option<String>,
    pub created_at: NaiveDateTime,
    /// Every member must sign in with a second factor (funders move public money).
    pub require_two_factor: bool,
}

impl Organisation {
    pub fn kind(&self) -> OrgKind {
        self.kind
    }

    /// A startup must register its company before it can apply.
    pub fn is_registered(&self) -> bool {
        self.legal_name.is_some() && self.country.is_some() && self.registration_number.is_some()
    }
}

pub fn find_org_by_name(conn: &mut AnyConnection, name: &str) -> DomainResult<Option<Organisation>> {
    Ok(organisations::table
        .filter(organisations::name.eq(name))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn organisation(conn: &mut AnyConnection, id: OrgId) -> DomainResult<Organisation> {
    organisations::table.find(id).select(Organisation::as_select()).first(conn).or_not_found()
}

pub fn organisations_of_kind(conn: &mut AnyConnection, kind: OrgKind) -> DomainResult<Vec<Organisation>> {
    Ok(organisations::table
        .filter(organisations::kind.eq(kind.as_str()))
        .order(organisations::name)
        .select(Organisation::as_select())
        .load(conn)?)
}

pub fn all_organisations(conn: &mut AnyConnection) -> DomainResult<Vec<Organisation>> {
    Ok(organisations::table.order((organisations::kind, organisations::name)).select(Organisation::as_select()).load(conn)?)
}

pub fn create_organisation(conn: &mut AnyConnection, kind: OrgKind, name: &str) -> DomainResult<Organisation> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("organisation", Message::new("organisation-name-missing")));
    }
    if find_org_by_name(conn, name)?.is_some() {
        return Err(DomainError::invalid("organisation", Message::new("organisation-name-taken")));
    }
    let id: OrgId = diesel::insert_into(organisations::table)
        .values((
            organisations::kind.eq(kind.as_str()),
            organisations::name.eq(name),
            organisations::created_at.eq(clock::now()),
        ))
        .returning(organisations::id)
        .get_result(conn)?;
    organisation(conn, id)
}

/// Company details a startup registers before applying.
pub struct CompanyDetails<'a> {
    pub legal_name: &'a str,
    pub country: &'a str,
    pub registration_number: &'a str,
}

/// EU and EEA members plus Switzerland and the UK: the countries public European programmes fund.
pub const COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
    "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

pub fn validate_company(details: &CompanyDetails<'_>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if details.legal_name.trim().is_empty() {
        errors.add("legal_name", Message::new("legal-name-missing"));
    }
    if !COUNTRIES.contains(&details.country) {
        errors.add("country", Message::new("country-missing"));
    }
    let reg = details.registration_number.trim();
    if reg.is_empty() {
        errors.add("registration_number", Message::new("registration-number-missing"));
    } else if reg.len() > 40 || !reg.chars().all(|c| c.is_ascii_alphanumeric() || " -./".contains(c)) {
        errors.add("registration_number", Message::new("registration-number-invalid"));
    } else if let Err(problem) = registration::company_number(details.country, reg) {
        // Where the country has a public check (SIREN/SIRET, VAT numbers), it must pass.
        errors.add("registration_number", problem.message());
    }
    errors
}

/// The registration number as stored: normalised (no spaces) where a public rule checked it,
/// as typed (trimmed) otherwise.
pub fn stored_registration_number(country: &str, typed: &str) -> String {
    match registration::company_number(country, typed) {
        Ok(Some(normalised)) => normalised,
        _ => typed.trim().to_string(),
    }
}

pub fn register_company(conn: &mut AnyConnection, organisation_id: OrgId, details: &CompanyDetails<'_>) -> DomainResult<()> {
    validate_company(details).into_result()?;
    diesel::update(organisations::table.find(organisation_id))
        .set((
            organisations::legal_name.eq(details.legal_name.trim()),
            organisations::country.eq(details.country),
            organisations::registration_number.eq(stored_registration_number(details.country, details.registration_number)),
        ))
        .execute(conn)?;
    Ok(())
}

//! What providers offer: each offering's SKU, service, hardware, region and country, unit and
//! exact unit price, and the dates it is valid. Providers keep their own catalogue; usage lines
//! are checked against the offering valid on their charge day (see `usage::upload`).
//!
//! Prices change without rewriting history: a new price closes the current row the day before
//! it starts and opens a new one, so that earlier usage is still checked against its own price.

use crate::db::AnyConnection;
use crate::db::schema::{organisations, provider_offerings};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::OrgId;
use crate::messages::Message;
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

pub const HARDWARE_KINDS: &[&str] = &["GPU", "IPU", "OPU", "CPU"];
/// Longest text kept in an offering's fields.
pub const MAX_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = provider_offerings)]
pub struct Offering {
    pub id: i64,
    pub provider_id: OrgId,
    pub name: String,
    pub hardware_kind: String,
    pub description: String,
    pub unit: String,
    pub currency: String,
    pub sku_id: Option<String>,
    pub service_name: String,
    pub region: Option<String>,
    pub country: Option<String>,
    pub price: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

impl Offering {
    pub fn unit_price(&self) -> Decimal {
        Decimal::from_str(&self.price).unwrap_or_default()
    }

    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|until| day <= until)
    }

    pub fn is_current(&self) -> bool {
        self.is_valid_on(clock::today()) || self.valid_from > clock::today()
    }
}

/// Every provider's offerings valid today, with the provider's name (the public catalogue).
pub fn all_offerings(conn: &mut AnyConnection) -> DomainResult<Vec<(Offering, String)>> {
    let today = clock::today();
    Ok(provider_offerings::table
        .inner_join(organisations::table.on(organisations::id.eq(provider_offerings::provider_id)))
        .filter(provider_offerings::valid_from.le(today))
        .filter(provider_offerings::valid_until.is_null().or(provider_offerings::valid_until.ge(today)))
        .order((organisations::name, provider_offerings::hardware_kind, provider_offerings::name))
        .select((Offering::as_select(), organisations::name))
        .load(conn)?)
}

/// One page of the catalogue, newest first, read in SQL: a provider's whole own (history
/// included), or every provider's prices valid today; with each provider's name.
pub fn offerings_page(conn: &mut AnyConnection, provider: Option<OrgId>, window: crate::domain::Window) -> DomainResult<Vec<(Offering, String)>> {
    let mut query = provider_offerings::table
        .inner_join(organisations::table.on(organisations::id.eq(provider_offerings::provider_id)))
        .order(provider_offerings::id.desc())
        .limit(window.take)
        .select((Offering::as_select(), organisations::name))
        .into_boxed();
    match provider {
        Some(provider) => query = query.filter(provider_offerings::provider_id.eq(provider)),
        None => {
            let today = clock::today();
            query = query.filter(provider_offerings::valid_from.le(today)).filter(provider_offerings::valid_until.is_null().or(provider_offerings::valid_until.ge(today)));
        }
    }
    if let Some(after) = window.after {
        query = query.filter(provider_offerings::id.lt(after));
    }
    Ok(query.load(conn)?)
}

/// A provider's whole catalogue, past rows included, newest first within each SKU.
pub fn offerings_of(conn: &mut AnyConnection, provider_id: OrgId) -> DomainResult<Vec<Offering>> {
    Ok(provider_offerings::table
        .filter(provider_offerings::provider_id.eq(provider_id))
        .order((provider_offerings::service_name, provider_offerings::name, provider_offerings::valid_from.desc()))
        .select(Offering::as_select())
        .load(conn)?)
}

/// What a usage line matched in the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub enum Match<'a> {
    Found(&'a Offering),
    /// The service is offered, but in another unit.
    OtherUnit(&'a Offering),
    Missing,
}

/// The offering a usage line is billed under on `day`: by its SKU when it gives one, else by
/// service name and unit.
pub fn match_line<'a>(catalogue: &'a [Offering], sku: Option<&str>, service: &str, unit: Option<&str>, day: NaiveDate) -> Match<'a> {
    let valid = || catalogue.iter().filter(move |o| o.is_valid_on(day));
    let by_service_or_sku = |o: &&Offering| match sku {
        Some(sku) if o.sku_id.is_some() => o.sku_id.as_deref() == Some(sku),
        _ => o.service_name == service,
    };
    let candidates: Vec<&Offering> = valid().filter(by_service_or_sku).collect();
    match candidates.iter().find(|o| unit.is_none_or(|u| o.unit == u)) {
        Some(found) => Match::Found(found),
        None => candidates.first().map_or(Match::Missing, |o| Match::OtherUnit(o)),
    }
}

/// A new offering as a provider types it.
#[derive(Debug, Clone, Default)]
pub struct NewOffering {
    pub sku_id: String,
    pub name: String,
    pub service_name: String,
    pub hardware_kind: String,
    pub region: String,
    pub country: String,
    pub unit: String,
    pub price: String,
    pub currency: String,
    pub valid_from: String,
    pub description: String,
}

fn parse_price(text: &str, errors: &mut FieldErrors) -> Option<Decimal> {
    match Decimal::from_str(text.trim()) {
        Ok(price) if price >= Decimal::ZERO && price.scale() <= 8 && price < Decimal::from(10_000_000) => {
            // Kept as people write prices: at least the cents, no trailing zeros beyond them.
            let mut price = price.normalize();
            if price.scale() < 2 {
                price.rescale(2);
            }
            Some(price)
        }
        _ => {
            errors.add("price", Message::new("offering-price-invalid"));
            None
        }
    }
}

fn parse_day(text: &str, field: &'static str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) if (2000..=2200).contains(&chrono::Datelike::year(&day)) => Some(day),
        _ => {
            errors.add(field, Message::new("offering-date-invalid"));
            None
        }
    }
}

/// The checks of an offering's own fields: names and unit present and not too long, a known
/// hardware kind, currency and country, a price of at most eight decimals, a real date.
pub fn check_fields(new: &NewOffering) -> (FieldErrors, Option<(Decimal, NaiveDate)>) {
    let mut errors = FieldErrors::default();
    for (field, value) in [("name", &new.name), ("service_name", &new.service_name), ("unit", &new.unit)] {
        if value.trim().is_empty() {
            errors.add(field, Message::new("offering-field-missing"));
        }
    }
    for (field, value) in [("sku_id", &new.sku_id), ("name", &new.name), ("service_name", &new.service_name), ("unit", &new.unit), ("region", &new.region), ("description", &new.description)] {
        if value.chars().count() > MAX_TEXT {
            errors.add(field, Message::new("text-too-long").with("max", MAX_TEXT));
        }
    }
    if !HARDWARE_KINDS.contains(&new.hardware_kind.as_str()) {
        errors.add("hardware_kind", Message::new("offering-hardware-invalid"));
    }
    if !crate::money::is_supported_currency(&new.currency) {
        errors.add("currency", Message::new("currency-unsupported"));
    }
    if !new.country.is_empty() && !crate::domain::identity::COUNTRIES.contains(&new.country.as_str()) {
        errors.add("country", Message::new("country-missing"));
    }
    let price = parse_price(&new.price, &mut errors);
    let from = parse_day(&new.valid_from, "valid_from", &mut errors);
    let checked = price.zip(from).filter(|_| errors.is_empty());
    (errors, checked)
}

/// Checks an offering's fields (see [`check_fields`]) and that its SKU is not already used by
/// another current offering of the provider.
pub fn validate(conn: &mut AnyConnection, provider_id: OrgId, new: &NewOffering) -> DomainResult<(FieldErrors, Option<(Decimal, NaiveDate)>)> {
    let (mut errors, checked) = check_fields(new);
    let sku = new.sku_id.trim();
    if !sku.is_empty() {
        let taken: i64 = provider_offerings::table
            .filter(provider_offerings::provider_id.eq(provider_id))
            .filter(provider_offerings::sku_id.eq(sku))
            .filter(provider_offerings::valid_until.is_null())
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errors.add("sku_id", Message::new("offering-sku-taken").with("sku", sku));
        }
    }
    Ok((errors.clone(), checked.filter(|_| errors.is_empty())))
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Adds an offering to `by`'s catalogue.
pub fn add(conn: &mut AnyConnection, by: &Member, new: &NewOffering) -> DomainResult<i64> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let (errors, checked) = validate(conn, by.org_id(), new)?;
    let Some((price, from)) = checked else { return Err(errors.into()) };
    insert(conn, by.org_id(), new, price, from)
}

fn insert(conn: &mut AnyConnection, provider_id: OrgId, new: &NewOffering, price: Decimal, from: NaiveDate) -> DomainResult<i64> {
    Ok(diesel::insert_into(provider_offerings::table)
        .values((
            provider_offerings::provider_id.eq(provider_id),
            provider_offerings::sku_id.eq(optional(&new.sku_id)),
            provider_offerings::name.eq(new.name.trim()),
            provider_offerings::service_name.eq(new.service_name.trim()),
            provider_offerings::hardware_kind.eq(&new.hardware_kind),
            provider_offerings::region.eq(optional(&new.region)),
            provider_offerings::country.eq(optional(&new.country)),
            provider_offerings::unit.eq(new.unit.trim()),
            provider_offerings::price.eq(price.to_string()),
            provider_offerings::currency.eq(&new.currency),
            provider_offerings::valid_from.eq(from),
            provider_offerings::description.eq(new.description.trim()),
        ))
        .returning(provider_offerings::id)
        .get_result(conn)?)
}

/// What replacing a catalogue changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replacement {
    /// SKUs offered for the first time.
    pub added: Vec<String>,
    /// SKUs whose price alone changed.
    pub repriced: Vec<String>,
    /// SKUs whose description changed (the old row ends, a new one starts).
    pub changed: Vec<String>,
    /// Offerings no longer in the catalogue (their SKU, or their service name).
    pub withdrawn: Vec<String>,
    pub unchanged: usize,
}

/// Why a replacement was refused: the problems of each offering, by its position in the list,
/// and those of the whole (position `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplacementRefused(pub Vec<(Option<usize>, FieldErrors)>);

/// The most offerings one replacement may list.
pub const MAX_REPLACED: usize = 5_000;

fn same_terms(current: &Offering, new: &NewOffering, price: Decimal) -> (bool, bool) {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let described_alike = current.name == new.name.trim()
        && current.service_name == new.service_name.trim()
        && current.hardware_kind == new.hardware_kind
        && current.unit == new.unit.trim()
        && current.currency == new.currency
        && text(&current.region) == new.region.trim()
        && text(&current.country) == new.country.trim()
        && current.description == new.description.trim();
    (described_alike, current.unit_price() == price)
}

/// Makes `by`'s current catalogue exactly `offerings` from `from` on, in one transaction: what
/// a billing system sends when it syncs its price list. Offerings are matched by SKU (each must
/// have one, once); a new SKU is added, a new price closes the current row the day before
/// `from`, a changed description replaces the row, and a current offering the list leaves out
/// is withdrawn. History is never rewritten: a change must start after the row it ends.
/// Nothing is written when any offering is refused.
pub fn replace(conn: &mut AnyConnection, by: &Member, from: NaiveDate, offerings: &[NewOffering]) -> DomainResult<Result<Replacement, ReplacementRefused>> {
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let mut refused = ReplacementRefused::default();
    if offerings.len() > MAX_REPLACED {
        let mut e = FieldErrors::default();
        e.add("offerings", Message::new("catalogue-too-many").with("max", MAX_REPLACED));
        refused.0.push((None, e));
        return Ok(Err(refused));
    }
    if !(2000..=2200).contains(&chrono::Datelike::year(&from)) {
        let mut e = FieldErrors::default();
        e.add("effective_from", Message::new("offering-date-invalid"));
        refused.0.push((None, e));
        return Ok(Err(refused));
    }
    crate::db::write_transaction(conn, |conn| {
        let current: Vec<Offering> = provider_offerings::table
            .filter(provider_offerings::provider_id.eq(by.org_id()))
            .filter(provider_offerings::valid_until.is_null())
            .order(provider_offerings::id)
            .select(Offering::as_select())
            .load(conn)?;
        let mut seen = std::collections::HashSet::new();
        let mut checked = Vec::with_capacity(offerings.len());
        for (i, new) in offerings.iter().enumerate() {
            let mut new = new.clone();
            new.valid_from = from.to_string();
            let (mut errors, terms) = check_fields(&new);
            let sku = new.sku_id.trim().to_string();
            if sku.is_empty() {
                errors.add("sku_id", Message::new("catalogue-sku-missing"));
            } else if !seen.insert(sku.clone()) {
                errors.add("sku_id", Message::new("catalogue-sku-twice").with("sku", sku.as_str()));
            }
            let existing = current.iter().find(|o| o.sku_id.as_deref() == Some(sku.as_str()));
            if let (Some(existing), Some((price, _))) = (existing, terms) {
                let (alike, same_price) = same_terms(existing, &new, price);
                if !(alike && same_price) && from <= existing.valid_from {
                    errors.add("sku_id", Message::new("offering-change-too-early").with("from", existing.valid_from));
                }
            }
            if errors.is_empty() {
                if let Some((price, _)) = terms {
                    checked.push((new, sku, price, existing));
                }
            } else {
                refused.0.push((Some(i), errors));
            }
        }
        let left_out: Vec<&Offering> = current.iter().filter(|o| !o.sku_id.as_deref().is_some_and(|s| seen.contains(s))).collect();
        for gone in &left_out {
            if from <= gone.valid_from {
                let mut e = FieldErrors::default();
                let name = gone.sku_id.clone().unwrap_or_else(|| gone.service_name.clone());
                e.add("effective_from", Message::new("catalogue-withdrawal-too-early").with("name", name).with("from", gone.valid_from));
                refused.0.push((None, e));
            }
        }
        if !refused.0.is_empty() {
            return Ok(Err(refused));
        }
        let mut done = Replacement::default();
        let day_before = from - Duration::days(1);
        for gone in left_out {
            diesel::update(provider_offerings::table.find(gone.id)).set(provider_offerings::valid_until.eq(Some(day_before))).execute(conn)?;
            done.withdrawn.push(gone.sku_id.clone().unwrap_or_else(|| gone.service_name.clone()));
        }
        for (new, sku, price, existing) in checked {
            match existing {
                None => {
                    insert(conn, by.org_id(), &new, price, from)?;
                    done.added.push(sku);
                }
                Some(existing) => {
                    let (alike, same_price) = same_terms(existing, &new, price);
                    if alike && same_price {
                        done.unchanged += 1;
                        continue;
                    }
                    diesel::update(provider_offerings::table.find(existing.id)).set(provider_offerings::valid_until.eq(Some(day_before))).execute(conn)?;
                    insert(conn, by.org_id(), &new, price, from)?;
                    if alike { done.repriced.push(sku) } else { done.changed.push(sku) }
                }
            }
        }
        Ok(Ok(done))
    })
}

fn own_open_offering(conn: &mut AnyConnection, by: &Member, offering_id: i64) -> DomainResult<Offering> {
    let offering: Offering = provider_offerings::table.find(offering_id).select(Offering::as_select()).first(conn).or_not_found()?;
    if by.kind() != OrgKind::Provider || offering.provider_id != by.org_id() {
        return Err(DomainError::NotFound);
    }
    Ok(offering)
}

/// A new price from `from` on: the current row ends the day before, a new row starts. The
/// change cannot start before the current price did (history is not rewritten).
pub fn change_price(conn: &mut AnyConnection, by: &Member, offering_id: i64, price: &str, from: &str) -> DomainResult<i64> {
    crate::db::write_transaction(conn, |conn| {
        let current = own_open_offering(conn, by, offering_id)?;
        let mut errors = FieldErrors::default();
        let price = parse_price(price, &mut errors);
        let from = parse_day(from, "valid_from", &mut errors);
        if current.valid_until.is_some() {
            errors.add("valid_from", Message::new("offering-closed"));
        }
        if let Some(day) = from {
            if day <= current.valid_from {
                errors.add("valid_from", Message::new("offering-change-too-early").with("from", current.valid_from));
            }
        }
        let (Some(price), Some(from)) = (price, from) else { return Err(errors.into()) };
        errors.into_result()?;
        diesel::update(provider_offerings::table.find(offering_id)).set(provider_offerings::valid_until.eq(Some(from - Duration::days(1)))).execute(conn)?;
        Ok(diesel::insert_into(provider_offerings::table)
            .values((
                provider_offerings::provider_id.eq(current.provider_id),
                provider_offerings::sku_id.eq(&current.sku_id),
                provider_offerings::name.eq(&current.name),
                provider_offerings::service_name.eq(&current.service_name),
                provider_offerings::hardware_kind.eq(&current.hardware_kind),
                provider_offerings::region.eq(&current.region),
                provider_offerings::country.eq(&current.country),
                provider_offerings::unit.eq(&current.unit),
                provider_offerings::price.eq(price.to_string()),
                provider_offerings::currency.eq(&current.currency),
                provider_offerings::valid_from.eq(from),
                provider_offerings::description.eq(&current.description),
            ))
            .returning(provider_offerings::id)
            .get_result(conn)?)
    })
}

/// Withdraws an offering from a day on (the last day it is valid is the day before).
pub fn withdraw(conn: &mut AnyConnection, by: &Member, offering_id: i64, from: &str) -> DomainResult<()> {
    let current = own_open_offering(conn, by, offering_id)?;
    let mut errors = FieldErrors::default();
    let from = parse_day(from, "valid_from", &mut errors);
    if current.valid_until.is_some() {
        errors.add("valid_from", Message::new("offering-closed"));
    }
    let Some(from) = from.filter(|d| *d > current.valid_from) else {
        errors.add("valid_from", Message::new("offering-change-too-early").with("from", current.valid_from));
        return Err(errors.into());
    };
    errors.into_result()?;
    diesel::update(provider_offerings::table.find(offering_id)).set(provider_offerings::valid_until.eq(Some(from - Duration::days(1)))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offering(sku: Option<&str>, service: &str, unit: &str, from: (i32, u32, u32), until: Option<(i32, u32, u32)>, price: &str) -> Offering {
        let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Offering {
            id: 0,
            provider_id: OrgId::new(1),
            name: service.into(),
            hardware_kind: "GPU".into(),
            description: String::new(),
            unit: unit.into(),
            currency: "EUR".into(),
            sku_id: sku.map(str::to_string),
            service_name: service.into(),
            region: None,
            country: None,
            price: price.into(),
            valid_from: day(from),
            valid_until: until.map(day),
        }
    }

    #[test]
    fn a_line_matches_the_offering_valid_on_its_day() {
        let catalogue = [
            offering(Some("H100-1"), "H100", "GPU-hour", (2026, 1, 1), Some((2026, 6, 30)), "2.40"),
            offering(Some("H100-1"), "H100", "GPU-hour", (2026, 7, 1), None, "2.10"),
            offering(None, "Storage", "GB-month", (2026, 1, 1), None, "0.0200"),
        ];
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(match_line(&catalogue, Some("H100-1"), "anything", Some("GPU-hour"), day(3, 1)), Match::Found(&catalogue[0]));
        assert_eq!(match_line(&catalogue, Some("H100-1"), "anything", Some("GPU-hour"), day(8, 1)), Match::Found(&catalogue[1]), "the later price");
        assert_eq!(match_line(&catalogue, None, "Storage", Some("GB-month"), day(8, 1)), Match::Found(&catalogue[2]));
        assert_eq!(match_line(&catalogue, None, "Storage", Some("banana"), day(8, 1)), Match::OtherUnit(&catalogue[2]));
        assert_eq!(match_line(&catalogue, Some("NOPE"), "H100", Some("GPU-hour"), day(8, 1)), Match::Missing, "a SKU the catalogue does not have");
        assert_eq!(match_line(&catalogue, None, "H100", Some("GPU-hour"), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()), Match::Missing, "before it was offered");
    }
}

//! What providers offer: each offering's hardware, unit and price, for startups choosing where
//! to spend and for funders reading applications.

use crate::db::AnyConnection;
use crate::db::schema::{organisations, provider_offerings};
use crate::domain::error::DomainResult;
use crate::money::Amount;
use diesel::prelude::*;

/// One offering with its provider's name.
#[derive(Debug, Clone)]
pub struct Offering {
    pub provider: String,
    pub name: String,
    pub hardware_kind: String,
    pub description: String,
    pub unit: String,
    pub unit_price: Amount,
    pub currency: String,
}

/// Every provider's offerings, by provider, hardware kind and name.
pub fn all_offerings(conn: &mut AnyConnection) -> DomainResult<Vec<Offering>> {
    let rows: Vec<(String, String, String, String, String, i64, String)> = provider_offerings::table
        .inner_join(organisations::table.on(organisations::id.eq(provider_offerings::provider_id)))
        .order((organisations::name, provider_offerings::hardware_kind, provider_offerings::name))
        .select((
            organisations::name,
            provider_offerings::name,
            provider_offerings::hardware_kind,
            provider_offerings::description,
            provider_offerings::unit,
            provider_offerings::unit_price,
            provider_offerings::currency,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(provider, name, hardware_kind, description, unit, price, currency)| Offering {
            provider,
            name,
            hardware_kind,
            description,
            unit,
            unit_price: Amount::from_cents(price),
            currency,
        })
        .collect())
}

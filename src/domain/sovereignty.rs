//! The sovereignty report: how much of a programme's spend (see [`crate::domain::spending`])
//! stayed with European providers, in European data centres, on alternative hardware, and how
//! concentrated it is — the figures a national plan reports on.
//!
//! - **Headquarters**: the provider organisation's country; providers without one count as
//!   *unknown*.
//! - **Data centres**: the countries of the provider's catalogue offerings of the hardware kind
//!   the grant was awarded for. All of them in the EU/EEA: *EU/EEA*; none: *outside*; mixed,
//!   none listed or a country missing: *unknown* (usage lines do not say where they ran).
//! - **Alternative hardware**: any kind but GPU.
//! - **Concentration**: distinct providers paid, and the largest one's share.
//!
//! Shares are exact decimals (`rust_decimal`, 28 significant digits), rounded only for display.

use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::Member;
use crate::domain::ids::OrgId;
use crate::domain::spending::{self, ProviderSpend, Scope};
use crate::money::Amount;
use rust_decimal::Decimal;

/// Member states of the European Union (27) and the other EEA states (Iceland, Liechtenstein,
/// Norway), as ISO 3166-1 alpha-2 codes (Greece as `GR`). The one list the application uses.
pub const EU_EEA_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    "IS", "LI", "NO",
];

/// Is `country` (ISO alpha-2, any case; `EL` for Greece accepted) in the EU/EEA?
pub fn is_eu_eea(country: &str) -> bool {
    let code = country.trim().to_ascii_uppercase();
    let code = if code == "EL" { "GR".to_string() } else { code };
    EU_EEA_COUNTRIES.contains(&code.as_str())
}

/// Where some spend sits, as far as the data tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    EuEea,
    Outside,
    Unknown,
}

impl Place {
    pub fn of_country(country: Option<&str>) -> Place {
        match country.map(str::trim).filter(|c| !c.is_empty()) {
            None => Place::Unknown,
            Some(c) if is_eu_eea(c) => Place::EuEea,
            Some(_) => Place::Outside,
        }
    }

    /// Several countries: one place when they agree and none is missing; else unknown.
    pub fn of_countries<'a>(countries: impl IntoIterator<Item = Option<&'a str>>) -> Place {
        let mut place = None;
        for country in countries {
            let p = Place::of_country(country);
            match place {
                None => place = Some(p),
                Some(q) if q == p => {}
                Some(_) => return Place::Unknown,
            }
        }
        place.unwrap_or(Place::Unknown)
    }
}

/// An amount and its share of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub amount: Amount,
    /// `amount / total`, exact to 28 digits; `None` when nothing was spent.
    pub share: Option<Decimal>,
}

impl Part {
    fn of(amount: Amount, total: Amount) -> Part {
        Part { amount, share: share(amount, total) }
    }

    /// The share as a percentage rounded to one decimal place (half away from zero), for display.
    pub fn percent(&self) -> Option<Decimal> {
        self.share.and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED)).map(|p| {
            let mut p = p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            // Always one decimal place shown: 0.0, 100.0.
            p.rescale(1);
            p
        })
    }
}

/// `part / total` as an exact decimal; `None` when `total` is not positive.
pub fn share(part: Amount, total: Amount) -> Option<Decimal> {
    if !total.is_positive() {
        return None;
    }
    Decimal::from(part.cents()).checked_div(Decimal::from(total.cents()))
}

/// EU/EEA, outside, unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub eu_eea: Part,
    pub outside: Part,
    pub unknown: Part,
}

/// The sovereignty figures of some spend in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub currency: String,
    pub total: Amount,
    pub headquarters: Split,
    pub data_centres: Split,
    /// Spend on hardware other than GPUs.
    pub alternative: Part,
    /// Providers with spend (net of credit notes) other than zero.
    pub providers: usize,
    /// The provider paid most, and its share.
    pub largest: Option<(String, Part)>,
}

fn add(a: Amount, b: Amount) -> DomainResult<Amount> {
    a.checked_add(b).map_err(|e| DomainError::Internal(e.to_string()))
}

/// The figures per currency (in the order currencies appear in `rows`), from spend per provider
/// and hardware kind and the data-centre countries per (provider, hardware kind).
pub fn compute(rows: &[ProviderSpend], offering_countries: &[(OrgId, String, Option<String>)]) -> DomainResult<Vec<Figures>> {
    let mut currencies: Vec<&str> = Vec::new();
    for row in rows {
        if !currencies.contains(&row.currency.as_str()) {
            currencies.push(&row.currency);
        }
    }
    let mut out = Vec::with_capacity(currencies.len());
    for currency in currencies {
        let rows: Vec<&ProviderSpend> = rows.iter().filter(|r| r.currency == currency).collect();
        let total = rows.iter().try_fold(Amount::ZERO, |acc, r| add(acc, r.amount))?;
        let (mut hq, mut dc) = ([Amount::ZERO; 3], [Amount::ZERO; 3]);
        let mut alternative = Amount::ZERO;
        let mut per_provider: Vec<(OrgId, &str, Amount)> = Vec::new();
        for row in &rows {
            let slot = |p: Place| match p {
                Place::EuEea => 0,
                Place::Outside => 1,
                Place::Unknown => 2,
            };
            let h = slot(Place::of_country(row.provider_country.as_deref()));
            hq[h] = add(hq[h], row.amount)?;
            let countries = offering_countries.iter().filter(|(p, kind, _)| *p == row.provider_id && *kind == row.hardware_kind).map(|(_, _, c)| c.as_deref());
            let d = slot(Place::of_countries(countries));
            dc[d] = add(dc[d], row.amount)?;
            if !row.hardware_kind.eq_ignore_ascii_case("GPU") {
                alternative = add(alternative, row.amount)?;
            }
            match per_provider.iter_mut().find(|(id, _, _)| *id == row.provider_id) {
                Some((_, _, amount)) => *amount = add(*amount, row.amount)?,
                None => per_provider.push((row.provider_id, &row.provider_name, row.amount)),
            }
        }
        let split = |a: [Amount; 3]| Split { eu_eea: Part::of(a[0], total), outside: Part::of(a[1], total), unknown: Part::of(a[2], total) };
        // The largest by amount; a tie goes to the name first in order (rows come sorted by name).
        let largest = per_provider
            .iter()
            .filter(|(_, _, a)| a.is_positive())
            .fold(None::<&(OrgId, &str, Amount)>, |best, p| match best {
                Some(b) if b.2 >= p.2 => Some(b),
                _ => Some(p),
            })
            .map(|(_, name, amount)| (name.to_string(), Part::of(*amount, total)));
        out.push(Figures {
            currency: currency.to_string(),
            total,
            headquarters: split(hq),
            data_centres: split(dc),
            alternative: Part::of(alternative, total),
            providers: per_provider.iter().filter(|(_, _, a)| *a != Amount::ZERO).count(),
            largest,
        });
    }
    Ok(out)
}

/// The sovereignty report a funder (or an admin) sees, with the spend it rests on.
#[derive(Debug, Clone)]
pub struct Report {
    pub figures: Vec<Figures>,
    pub rows: Vec<ProviderSpend>,
}

/// One programme's figures: its funder and admins only (others: not found). `known` is the
/// state the request read already, if it did (see `spending::ledger_state_or`).
pub fn of_programme(
    src: &mut dyn spending::Reads,
    cache: &spending::SpendCache,
    known: Option<spending::PageState>,
    viewer: &Member,
    programme_id: crate::domain::ProgrammeId,
) -> DomainResult<(crate::domain::programmes::Programme, Report)> {
    let at = spending::ledger_state_or(known, src)?;
    let programme = crate::domain::programmes::visible_at(src, cache, at, viewer, programme_id)?;
    if !crate::domain::access::may_manage_programme(viewer, programme.funder_id) {
        return Err(DomainError::NotFound);
    }
    let report = report(src, cache, at, Scope::Programme(programme.id))?;
    Ok((programme, report))
}

/// Across the viewer's programmes (a funder's own; every programme for an admin).
pub fn across_programmes(src: &mut dyn spending::Reads, cache: &spending::SpendCache, known: Option<spending::PageState>, viewer: &Member) -> DomainResult<Report> {
    let scope = match viewer.kind() {
        crate::domain::identity::OrgKind::Funder => Scope::Funder(viewer.org_id()),
        crate::domain::identity::OrgKind::Platform => Scope::All,
        _ => return Err(DomainError::NotFound),
    };
    let at = spending::ledger_state_or(known, src)?;
    report(src, cache, at, scope)
}

/// The report of `scope`, kept while neither the ledger nor the page state moves (its spend
/// rows are ledger figures; names, countries and catalogue offerings move the page state).
fn report(src: &mut dyn spending::Reads, cache: &spending::SpendCache, at: spending::PageState, scope: Scope) -> DomainResult<Report> {
    cache.sovereignty.get_or_read_at(src, at, scope, |conn| {
        let rows = spending::by_provider(conn, scope)?;
        let countries = spending::offering_countries(conn)?;
        Ok(Report { figures: compute(&rows, &countries)?, rows })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(provider: i64, name: &str, country: Option<&str>, kind: &str, cents: i64) -> ProviderSpend {
        ProviderSpend {
            provider_id: OrgId::new(provider),
            provider_name: name.into(),
            provider_country: country.map(Into::into),
            hardware_kind: kind.into(),
            currency: "EUR".into(),
            amount: Amount::from_cents(cents),
        }
    }

    #[test]
    fn the_eu_eea_list_has_27_members_and_3_eea_states() {
        assert_eq!(EU_EEA_COUNTRIES.len(), 30);
        assert!(is_eu_eea("fr") && is_eu_eea("NO") && is_eu_eea("EL") && is_eu_eea("LI"));
        assert!(!is_eu_eea("CH") && !is_eu_eea("GB") && !is_eu_eea("US") && !is_eu_eea(""));
    }

    #[test]
    fn places_of_several_countries_agree_or_are_unknown() {
        assert_eq!(Place::of_countries([Some("FR"), Some("DE")]), Place::EuEea);
        assert_eq!(Place::of_countries([Some("US"), Some("CH")]), Place::Outside);
        assert_eq!(Place::of_countries([Some("FR"), Some("US")]), Place::Unknown);
        assert_eq!(Place::of_countries([Some("FR"), None]), Place::Unknown);
        assert_eq!(Place::of_countries(std::iter::empty()), Place::Unknown);
    }

    #[test]
    fn shares_on_a_small_known_dataset() {
        // 600 at a French GPU cloud (FR data centres), 300 of IPU at a Swiss HPC centre (data
        // centres unknown), 100 of OPU at a provider without a country (one data centre in DE).
        let rows = vec![
            spend(1, "Alpha Cloud", Some("FR"), "GPU", 60_000),
            spend(2, "Berg HPC", Some("CH"), "IPU", 30_000),
            spend(3, "Cobalt", None, "OPU", 10_000),
        ];
        let countries = vec![
            (OrgId::new(1), "GPU".to_string(), Some("FR".to_string())),
            (OrgId::new(1), "CPU".to_string(), Some("US".to_string())),
            (OrgId::new(3), "OPU".to_string(), Some("DE".to_string())),
        ];
        let figures = compute(&rows, &countries).unwrap();
        assert_eq!(figures.len(), 1);
        let f = &figures[0];
        assert_eq!(f.total, Amount::from_cents(100_000));
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(f.headquarters.eu_eea.share, Some(d("0.6")));
        assert_eq!(f.headquarters.outside.share, Some(d("0.3")));
        assert_eq!(f.headquarters.unknown.share, Some(d("0.1")));
        assert_eq!(f.data_centres.eu_eea.amount, Amount::from_cents(70_000));
        assert_eq!(f.data_centres.unknown.amount, Amount::from_cents(30_000));
        assert_eq!(f.data_centres.outside.amount, Amount::ZERO);
        assert_eq!(f.alternative.share, Some(d("0.4")));
        assert_eq!(f.providers, 3);
        let (name, part) = f.largest.clone().unwrap();
        assert_eq!((name.as_str(), part.percent()), ("Alpha Cloud", Some(d("60.0"))));
    }

    #[test]
    fn thirds_are_exact_until_shown() {
        let rows = vec![spend(1, "A", Some("FR"), "GPU", 100), spend(2, "B", Some("US"), "GPU", 200)];
        let f = &compute(&rows, &[]).unwrap()[0];
        let third = f.headquarters.eu_eea.share.unwrap();
        assert_eq!(third.to_string(), "0.3333333333333333333333333333");
        assert_eq!(f.headquarters.eu_eea.percent().unwrap().to_string(), "33.3");
        assert_eq!(f.headquarters.outside.percent().unwrap().to_string(), "66.7");
        assert_eq!(f.data_centres.unknown.percent().unwrap().to_string(), "100.0");
        assert_eq!(f.data_centres.eu_eea.percent().unwrap().to_string(), "0.0");
    }

    #[test]
    fn nothing_spent_has_no_shares() {
        assert!(compute(&[], &[]).unwrap().is_empty());
        assert_eq!(share(Amount::ZERO, Amount::ZERO), None);
    }
}

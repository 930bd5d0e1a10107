//! A national-scale dataset for measuring the pages, built through the same domain functions as
//! the web: startups apply, are offered credits by `applications::decide` and accept them
//! (`offers::accept`), providers bill through
//! `usage::upload` and `usage::confirm`, invoice through `invoicing::receive`, and funders
//! approve through `invoicing::approve`. So the ledger it leaves is a real one (`verify` checks
//! it) and the figures measured on it are those a real programme would see.
//!
//! `computegrants demo --scale N` runs it; see `cli::demo`.

use crate::db::AnyConnection;
use crate::db::schema::{ledger_entries, ledger_postings};
use crate::domain::applications::{self, Decision, NewApplication};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::{self, CompanyDetails, Member, MemberRole, NewUser, OrgKind};
use crate::domain::programmes::{self, NewProgramme};
use crate::domain::{catalogue, clock, invoicing, usage};
use crate::money::Amount;
use chrono::Duration;
use diesel::prelude::*;

/// What to build.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    /// Grants awarded (one startup each).
    pub grants: usize,
    /// Billing cycles: each is one usage file and one invoice per provider and funder, covering
    /// every grant billed there, then approved (the last cycle stays held, awaiting approval).
    pub cycles: usize,
    /// Entries of the one grant billed far more often than the others (its statement is the
    /// long one measured).
    pub statement_entries: usize,
}

/// What was built.
#[derive(Debug, Clone, Default)]
pub struct ScaleReport {
    pub programmes: usize,
    pub startups: usize,
    pub grants: usize,
    pub uploads: usize,
    pub invoices: usize,
    pub entries: i64,
    pub postings: i64,
    /// The grant with the long statement.
    pub heavy_grant: String,
    pub funder_login: String,
}

const MARKER: &str = "Scale National Compute Agency";
/// Startups created per transaction: large enough to be fast, small enough to show progress.
const BATCH: usize = 250;
const MAX_AWARD_CENTS: i64 = 15_000_000;

struct Provider {
    member: Member,
    kind: &'static str,
    service: String,
    unit: &'static str,
}

/// A French SIREN with its Luhn check digit, from a running number.
fn siren(n: usize) -> String {
    let base = format!("{:08}", 10_000_000 + n % 89_999_999);
    let mut sum = 0;
    for (i, c) in base.chars().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    // The check digit sits at index 8, which is not doubled.
    let check = (10 - sum % 10) % 10;
    format!("{base}{check}")
}

fn member_with_hash(conn: &mut AnyConnection, kind: OrgKind, org: &str, email: &str, person: &str, hash: &str) -> DomainResult<Member> {
    let organisation = identity::create_organisation(conn, kind, org)?;
    let new = NewUser { organisation_id: organisation.id, email, display_name: person, password: "", role: MemberRole::Owner, verified: true };
    let user = identity::create_user(conn, &new, hash)?;
    identity::member(conn, user.id)
}

/// Has PostgreSQL's planner learn the tables' new sizes, as a bulk load should: planned while
/// the ledger was small, a lookup of a few hundred keys stays a sequential scan (a build with
/// the server's autovacuum off spent 0.3 s on each such lookup at 145,000 entries, 0.4 ms after
/// `ANALYZE`). Called as the tables double, so it costs little.
fn refresh_statistics(conn: &mut AnyConnection) -> DomainResult<()> {
    if matches!(conn, AnyConnection::Postgresql(_)) {
        diesel::connection::SimpleConnection::batch_execute(conn, "ANALYZE")?;
    }
    Ok(())
}

/// Builds the dataset once; a database that has it is left alone. `progress` is told each
/// phase and how far it got.
pub fn build(conn: &mut AnyConnection, options: ScaleOptions, progress: &mut dyn FnMut(&str, usize, usize)) -> DomainResult<ScaleReport> {
    if identity::find_org_by_name(conn, MARKER)?.is_some() {
        return Err(DomainError::Conflict(crate::messages::Message::new("cli-demo-scale-exists")));
    }
    if matches!(conn, AnyConnection::Postgresql(_)) {
        // Thousands of small transactions: a builder of test data need not wait for each to
        // reach the disk (a crash loses the last few, never consistency).
        diesel::connection::SimpleConnection::batch_execute(conn, "SET synchronous_commit TO off")?;
    }
    let mut report = ScaleReport { funder_login: "funder1@scale.demo".into(), ..ScaleReport::default() };
    let hash = identity::hash_password(super::demo::DEMO_PASSWORD)?;
    let today = clock::today();

    // Three co-funding bodies and ten providers in and out of the EU, on four kinds of hardware.
    let (funders, providers) = crate::db::write_transaction(conn, |conn| {
        let mut funders = Vec::new();
        for (i, name) in [MARKER, "Scale Regional Innovation Agency", "Scale European Compute Fund"].iter().enumerate() {
            funders.push(member_with_hash(conn, OrgKind::Funder, name, &format!("funder{}@scale.demo", i + 1), "Scale Funder", &hash)?);
        }
        let mut providers = Vec::new();
        let list: [(&str, &str, &'static str, &'static str); 10] = [
            ("Scale GPU Paris", "FR", "GPU", "GPU-hour"),
            ("Scale HPC Jülich", "DE", "GPU", "GPU-hour"),
            ("Scale Cloud Amsterdam", "NL", "GPU", "GPU-hour"),
            ("Scale IPU Bristol", "GB", "IPU", "IPU-hour"),
            ("Scale Optical Lyon", "FR", "OPU", "OPU-hour"),
            ("Scale CPU Helsinki", "FI", "CPU", "core-hour"),
            ("Scale GPU Milano", "IT", "GPU", "GPU-hour"),
            ("Scale GPU Zürich", "CH", "GPU", "GPU-hour"),
            ("Scale HPC Barcelona", "ES", "CPU", "core-hour"),
            ("Scale GPU Warsaw", "PL", "GPU", "GPU-hour"),
        ];
        for (i, (name, country, kind, unit)) in list.iter().enumerate() {
            let member = member_with_hash(conn, OrgKind::Provider, name, &format!("provider{}@scale.demo", i + 1), "Scale Billing", &hash)?;
            // French numbers are checked (SIREN, Luhn); the others by format only.
            let number = if *country == "FR" { siren(900_000 + i) } else { format!("SCALE-P-{i}") };
            identity::register_company(conn, member.org_id(), &CompanyDetails { legal_name: name, country, registration_number: &number })?;
            let service = format!("{name} {kind}");
            catalogue::add(
                conn,
                &member,
                &catalogue::NewOffering {
                    sku_id: format!("SC-{i}"),
                    name: service.clone(),
                    service_name: service.clone(),
                    hardware_kind: (*kind).into(),
                    region: format!("{}-1", country.to_lowercase()),
                    country: (*country).into(),
                    unit: (*unit).into(),
                    price: "2.00".into(),
                    currency: "EUR".into(),
                    valid_from: (today - Duration::days(365)).to_string(),
                    description: "Scale dataset offering".into(),
                },
            )?;
            providers.push(Provider { member: identity::member(conn, member.user.id)?, kind, service, unit });
        }
        Ok::<_, DomainError>((funders, providers))
    })?;

    // Programmes: one per thousand grants (at least three), shared round the funders.
    let programme_count = (options.grants / 1_000).max(3);
    let per_programme = i64::try_from(options.grants / programme_count + 2).unwrap_or(i64::MAX);
    let mut programme_list = Vec::new();
    for p in 0..programme_count {
        let funder = &funders[p % funders.len()];
        let budget = per_programme.checked_mul(MAX_AWARD_CENTS).ok_or_else(|| DomainError::Internal("budget too large".into()))?;
        let programme = programmes::create(
            conn,
            funder,
            &NewProgramme {
                name: format!("Scale Compute Call {:03}", p + 1),
                description: "A call of the national-scale dataset: credits for AI startups at sovereign providers.".into(),
                currency: "EUR".into(),
                budget: Amount::from_cents(budget),
                max_award: Amount::from_cents(MAX_AWARD_CENTS),
                opens_on: today - Duration::days(30),
                closes_on: today + Duration::days(335),
                price_tolerance_percent: programmes::DEFAULT_PRICE_TOLERANCE,
                hold_days: programmes::DEFAULT_HOLD_DAYS,
                credits_cover: programmes::CreditsCover::Net,
                unused_credit: programmes::UnusedCredit::default(),
                reserved_share_bp: 0,
            },
        )?;
        programme_list.push((programme, p % funders.len()));
    }
    report.programmes = programme_count;

    // Startups, each with one application, awarded 70 to 100 % of what it asked.
    // (grant code, provider index, funder index)
    let mut grants: Vec<(String, usize, usize)> = Vec::with_capacity(options.grants + 1);
    let total = options.grants + usize::from(options.statement_entries > 0);
    let mut made = 0;
    while made < total {
        let end = (made + BATCH).min(total);
        let batch: Vec<(String, usize, usize)> = crate::db::write_transaction(conn, |conn| {
            let mut out = Vec::new();
            for i in made..end {
                let heavy = i == options.grants;
                let name = if heavy { "Scale Heavy User".to_string() } else { format!("Scale Startup {:06}", i + 1) };
                let startup = member_with_hash(conn, OrgKind::Startup, &name, &format!("startup{}@scale.demo", i + 1), "Scale Founder", &hash)?;
                identity::register_company(conn, startup.org_id(), &CompanyDetails { legal_name: &format!("{name} SAS"), country: "FR", registration_number: &siren(i) })?;
                let startup = identity::member(conn, startup.user.id)?;
                // The long statement belongs to the first programme, whose funder signs in first.
                let (programme, funder_index) = if heavy { &programme_list[0] } else { &programme_list[i % programme_list.len()] };
                let provider_index = if heavy { 0 } else { (i / programme_list.len()) % providers.len() };
                let provider = &providers[provider_index];
                // Spread between 10,000 and 150,000 euros, some above the publication threshold.
                let requested = if heavy { MAX_AWARD_CENTS } else { 1_000_000 + i64::try_from((i * 7_919) % 14_000_001).unwrap_or(0) };
                let application = applications::apply(
                    conn,
                    &startup,
                    programme.id,
                    &NewApplication { requested: Amount::from_cents(requested), purpose: "Training and serving models for European users at scale.".into(), hardware: provider.kind.into(), provider_id: Some(provider.member.org_id()) },
                )?;
                let share = if heavy { 100 } else { 70 + i64::try_from(i % 31).unwrap_or(0) };
                let awarded = (requested * share / 100 / 100) * 100;
                applications::decide(conn, &funders[*funder_index], application.id, &Decision::Approve { amount: Amount::from_cents(awarded) })?;
                // The startup accepts the offer, as it would on its application page.
                let accepted = crate::domain::offers::Acceptance { declaration_confirmed: true };
                let view = crate::domain::offers::accept(conn, &startup, application.id, accepted, &crate::domain::eu::de_minimis::Rules::default())?;
                let code = view.grant.map(|g| g.code).ok_or_else(|| DomainError::Internal("an approval made no grant".into()))?;
                if heavy {
                    report.heavy_grant = code.clone();
                }
                out.push((code, provider_index, *funder_index));
            }
            Ok::<_, DomainError>(out)
        })?;
        grants.extend(batch);
        made = end;
        progress("grants", made, total);
    }
    report.startups = total;
    report.grants = total;
    refresh_statistics(conn)?;

    // Billing cycles: per provider and funder, one file for all the grants billed there.
    let start = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let regular: Vec<&(String, usize, usize)> = grants.iter().filter(|g| g.0 != report.heavy_grant).collect();
    let mut cycle_no = 0usize;
    let heavy_cycles = options.statement_entries / 2;
    let bill = |conn: &mut AnyConnection, provider: &Provider, funder: &Member, codes: &[&str], cycle: usize, approve: bool, report: &mut ScaleReport| -> DomainResult<()> {
        // A minute of each cycle, so that cycles never overlap: lines are one minute long.
        let from = start + Duration::minutes(i64::try_from(cycle % 1_440).unwrap_or(0)) + Duration::seconds(i64::try_from(cycle / 1_440).unwrap_or(0));
        let to = from + Duration::seconds(1);
        let mut csv = String::from("ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId\n");
        for (n, code) in codes.iter().enumerate() {
            let quantity = 1 + (n + cycle) % 5;
            csv.push_str(&format!(
                "Usage,{},{},{},{quantity},{},{}.00,EUR,{code}\n",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ"),
                provider.service,
                provider.unit,
                quantity * 2
            ));
        }
        crate::db::write_transaction(conn, |conn| {
            let view = match usage::upload(conn, &provider.member, &format!("scale-{cycle}.csv"), csv.as_bytes())? {
                usage::UploadOutcome::Pending(view) => usage::confirm(conn, &provider.member, view.upload.id)?,
                usage::UploadOutcome::Refused(r) => return Err(DomainError::Internal(format!("scale usage refused: {:?}", r.problems.shown.first()))),
            };
            let charged: Vec<(String, String)> = view.charges.iter().map(|c| (c.grant_code.clone(), c.amount.plain())).collect();
            let lines: Vec<(&str, &str)> = charged.iter().map(|(code, amount)| (code.as_str(), amount.as_str())).collect();
            let number = format!("SC-{}-{}", view.upload.id, cycle);
            let invoice = super::demo::ubl_invoice(&number, &provider.member.organisation.name, &funder.organisation.name, &lines);
            match invoicing::receive(conn, &provider.member, view.upload.id, invoice.as_bytes())? {
                invoicing::Received::Accepted(id) => {
                    if approve {
                        invoicing::approve(conn, funder, id)?;
                    }
                }
                invoicing::Received::Refused(problems) => return Err(DomainError::Internal(format!("scale invoice refused: {:?}", problems.shown.first()))),
            }
            Ok::<_, DomainError>(())
        })?;
        report.uploads += 1;
        report.invoices += 1;
        Ok(())
    };
    for cycle in 0..options.cycles {
        for (p, provider) in providers.iter().enumerate() {
            for (f, funder) in funders.iter().enumerate() {
                let codes: Vec<&str> = regular.iter().filter(|g| g.1 == p && g.2 == f).map(|g| g.0.as_str()).collect();
                if codes.is_empty() {
                    continue;
                }
                bill(conn, provider, funder, &codes, cycle_no, cycle + 1 < options.cycles, &mut report)?;
                cycle_no += 1;
            }
        }
        progress("billing cycles", cycle + 1, options.cycles);
        if (cycle + 1).is_power_of_two() {
            refresh_statistics(conn)?;
        }
    }
    let heavy_code = report.heavy_grant.clone();
    if let Some(heavy) = grants.iter().find(|g| g.0 == heavy_code) {
        let (provider, funder) = (&providers[heavy.1], &funders[heavy.2]);
        for i in 0..heavy_cycles {
            bill(conn, provider, funder, &[heavy.0.as_str()], cycle_no, true, &mut report)?;
            cycle_no += 1;
            if (i + 1) % 500 == 0 || i + 1 == heavy_cycles {
                progress("long statement", i + 1, heavy_cycles);
            }
        }
    }
    report.entries = ledger_entries::table.count().get_result(conn)?;
    report.postings = ledger_postings::table.count().get_result(conn)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sirens_carry_their_luhn_check_digit() {
        for n in [0, 1, 42, 9_999, 123_456] {
            let s = super::siren(n);
            assert_eq!(s.len(), 9);
            let sum: u32 = s
                .chars()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = c.to_digit(10).unwrap();
                    if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
                })
                .sum();
            assert_eq!(sum % 10, 0, "{s}");
        }
    }
}

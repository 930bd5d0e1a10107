//! Realistic, fictional demo data, created through the same domain functions the web uses, so
//! the demo ledger is a real one that `computegrants verify` checks.

use crate::db::AnyConnection;
use crate::domain::identity::{self, CompanyDetails, Member, OrgKind};
use crate::domain::error::DomainResult;
use crate::domain::applications;
use crate::domain::applications::{Decision, NewApplication};
use crate::domain::programmes::{self, NewProgramme};
use crate::domain::{catalogue, clock, invoicing, usage};
use crate::money::Amount;
use chrono::Duration;

pub const DEMO_PASSWORD: &str = "demo-password-2026";
const MARKER_ORG: &str = "Mission Calcul IA";

/// The demo accounts, as (role, email).
pub fn logins() -> Vec<(&'static str, &'static str)> {
    vec![
        ("admin", "admin@demo.computegrants.eu"),
        ("funder", "funder@mission-calcul.demo"),
        ("funder", "grants@occitania-innovation.demo"),
        ("startup", "founder@lumenlabs.demo"),
        ("startup", "cto@vistula-vision.demo"),
        ("provider", "billing@helios-gpu.demo"),
        ("provider", "facturation@calcul-atlantique.demo"),
    ]
}

/// Loads the demo once, in one transaction; later calls find it and change nothing.
pub fn load(conn: &mut AnyConnection) -> DomainResult<Vec<(&'static str, &'static str)>> {
    crate::db::write_transaction(conn, |conn| {
        if identity::find_org_by_name(conn, MARKER_ORG)?.is_some() {
            return Ok(logins());
        }
        create(conn)?;
        Ok(logins())
    })
}

fn create(conn: &mut AnyConnection) -> DomainResult<()> {
    let p = DEMO_PASSWORD;
    identity::create_member(conn, OrgKind::Platform, "ComputeGrants operations", "admin@demo.computegrants.eu", "Platform administrator", p)?;
    let national = identity::create_member(conn, OrgKind::Funder, MARKER_ORG, "funder@mission-calcul.demo", "Claire Martin", p)?;
    let regional = identity::create_member(conn, OrgKind::Funder, "Occitania Innovation Agency", "grants@occitania-innovation.demo", "Jordi Vidal", p)?;
    let helios = identity::create_member(conn, OrgKind::Provider, "Helios GPU Cloud", "billing@helios-gpu.demo", "Sofia Lindqvist", p)?;
    let atlantique = identity::create_member(conn, OrgKind::Provider, "Centre de Calcul Atlantique", "facturation@calcul-atlantique.demo", "Yann Le Goff", p)?;
    // Where the providers are registered: the sovereignty report counts their headquarters.
    identity::register_company(conn, helios.org_id(), &CompanyDetails { legal_name: "Helios GPU Cloud SAS", country: "FR", registration_number: "851 204 370" })?;
    identity::register_company(conn, atlantique.org_id(), &CompanyDetails { legal_name: "Centre de Calcul Atlantique", country: "FR", registration_number: "130 021 769" })?;

    // Catalogues as the providers keep them: SKU, service, hardware, region, unit, price.
    let offerings: &[(&Member, &str, &str, &str, &str, &str, &str, &str)] = &[
        (&helios, "HEL-H100-SXM", "NVIDIA H100 SXM", "GPU", "8×H100 nodes, InfiniBand, Paris-Saclay region", "fr-par-1", "GPU-hour", "2.40"),
        (&helios, "HEL-L40S", "NVIDIA L40S", "GPU", "Inference and fine-tuning instances", "fr-par-1", "GPU-hour", "1.10"),
        (&atlantique, "CCA-A100-80", "NVIDIA A100 80 GB", "GPU", "HPC partition, Slurm access", "fr-nantes", "GPU-hour", "1.80"),
        (&atlantique, "CCA-IPU-POD16", "Graphcore IPU-POD16", "IPU", "Bow IPUs for sparse and graph models", "fr-nantes", "POD-hour", "9.00"),
        (&atlantique, "CCA-OPU", "Optical processing unit", "OPU", "Photonic co-processor for random projections", "fr-nantes", "OPU-hour", "4.50"),
    ];
    let from = clock::today() - Duration::days(90);
    for (provider, sku, name, kind, description, region, unit, price) in offerings {
        let new = catalogue::NewOffering {
            sku_id: (*sku).into(),
            name: (*name).into(),
            service_name: (*name).into(),
            hardware_kind: (*kind).into(),
            region: (*region).into(),
            country: "FR".into(),
            unit: (*unit).into(),
            price: (*price).into(),
            currency: "EUR".into(),
            valid_from: from.to_string(),
            description: (*description).into(),
        };
        catalogue::add(conn, provider, &new)?;
    }

    let today = clock::today();
    let national_programme = programmes::create(
        conn,
        &national,
        &NewProgramme {
            name: "Compute for AI Startups 2026".into(),
            description: "National call reserving GPU and alternative-hardware time for AI startups and SMEs with fewer than 250 staff. Credits are spent at sovereign providers.".into(),
            currency: "EUR".into(),
            budget: Amount::from_cents(500_000_000),
            max_award: Amount::from_cents(25_000_000),
            opens_on: today - Duration::days(60),
            closes_on: today + Duration::days(120),
            price_tolerance_percent: crate::domain::programmes::DEFAULT_PRICE_TOLERANCE,
            hold_days: crate::domain::programmes::DEFAULT_HOLD_DAYS,
            credits_cover: crate::domain::programmes::CreditsCover::Net,
            unused_credit: crate::domain::programmes::UnusedCredit::default(),
            // 40 % reserved for micro and small enterprises (issue 10's founding idea).
            reserved_share_bp: 4_000,
        },
    )?;
    let regional_programme = programmes::create(
        conn,
        &regional,
        &NewProgramme {
            name: "Regional GPU Vouchers".into(),
            description: "Vouchers for startups based in the region to train or fine-tune models at regional HPC centres.".into(),
            currency: "EUR".into(),
            budget: Amount::from_cents(60_000_000),
            max_award: Amount::from_cents(5_000_000),
            opens_on: today - Duration::days(30),
            closes_on: today + Duration::days(60),
            price_tolerance_percent: crate::domain::programmes::DEFAULT_PRICE_TOLERANCE,
            hold_days: crate::domain::programmes::DEFAULT_HOLD_DAYS,
            credits_cover: crate::domain::programmes::CreditsCover::Net,
            unused_credit: crate::domain::programmes::UnusedCredit::default(),
            reserved_share_bp: 0,
        },
    )?;

    let startup = |conn: &mut AnyConnection, name: &str, legal: &str, country: &str, reg: &str, email: &str, person: &str| -> DomainResult<Member> {
        let m = identity::create_member(conn, OrgKind::Startup, name, email, person, p)?;
        identity::register_company(conn, m.org_id(), &CompanyDetails { legal_name: legal, country, registration_number: reg })?;
        identity::member(conn, m.user.id)
    };
    let lumen = startup(conn, "Lumen Labs", "Lumen Labs SAS", "FR", "912 345 675", "founder@lumenlabs.demo", "Inès Haddad")?;
    let vistula = startup(conn, "Vistula Vision", "Vistula Vision sp. z o.o.", "PL", "KRS 0000912345", "cto@vistula-vision.demo", "Marek Nowak")?;
    let tessera = startup(conn, "Tessera Bio", "Tessera Bio GmbH", "DE", "HRB 245871", "science@tessera-bio.demo", "Lena Vogel")?;
    let nordlys = startup(conn, "Nordlys Robotics", "Nordlys Robotics SAS", "FR", "934 112 087", "ops@nordlys-robotics.demo", "Erik Solberg")?;

    // Vistula's last accounts and its parent: a medium-sized enterprise (the parent counts in
    // full), with de minimis aid already received at home, so the funder deciding on its pending
    // application sees the category, its working and the headroom left.
    {
        use crate::domain::company::{self, NewAid, NewAssociate, NewProfile};
        use crate::domain::eu::sme::{Associate, Figures, Relation};
        let eur = |euros: i64| Amount::from_cents(euros * 100);
        company::save_profile(
            conn,
            &vistula,
            &NewProfile {
                accounts_year_end: today - Duration::days(150),
                figures: Figures { staff_awu: rust_decimal::Decimal::new(185, 1), turnover: eur(3_200_000), balance_sheet: eur(2_100_000) },
                public_body_control: false,
                vat_number: String::new(),
                founded_on: Some(today - Duration::days(3 * 365)),
            },
        )?;
        company::add_associate(
            conn,
            &vistula,
            &NewAssociate {
                country: "PL".into(),
                registration_number: "KRS 0000456789".into(),
                associate: Associate {
                    name: "Vistula Holding S.A.".into(),
                    relation: Relation::Linked,
                    capital_share: rust_decimal::Decimal::from(70),
                    voting_share: rust_decimal::Decimal::from(70),
                    figures: Figures { staff_awu: rust_decimal::Decimal::from(45), turnover: eur(9_000_000), balance_sheet: eur(8_000_000) },
                },
            },
        )?;
        company::add_declared_aid(conn, &vistula, &NewAid { granted_on: today - Duration::days(400), amount: eur(180_000), granting_body: "Polish Agency for Enterprise Development".into() })?;
    }

    let form = |requested: &str, purpose: &str, hardware: &str, provider: &Member| NewApplication {
        requested: Amount::from_decimal(requested.parse().unwrap_or_default()).unwrap_or_default(),
        purpose: purpose.into(),
        hardware: hardware.into(),
        provider_id: Some(provider.org_id()),
    };
    let lumen_app = applications::apply(conn, &lumen, national_programme.id, &form("150000", "Pre-training a 7B-parameter multilingual model for European public-sector documents.", "GPU", &helios))?;
    applications::decide(conn, &national, lumen_app.id, &Decision::Approve { amount: Amount::from_cents(12_000_000) })?;
    // An approval is an offer: the startup accepts it, declaration confirmed, to get the grant.
    let accepted = crate::domain::offers::Acceptance { declaration_confirmed: true };
    crate::domain::offers::accept(conn, &lumen, lumen_app.id, accepted, &crate::domain::eu::de_minimis::Rules::default())?;
    let nordlys_app = applications::apply(conn, &nordlys, regional_programme.id, &form("40000", "Training vision policies for warehouse robots on simulated data.", "IPU", &atlantique))?;
    applications::decide(conn, &regional, nordlys_app.id, &Decision::Approve { amount: Amount::from_cents(4_000_000) })?;
    crate::domain::offers::accept(conn, &nordlys, nordlys_app.id, accepted, &crate::domain::eu::de_minimis::Rules::default())?;
    applications::apply(conn, &vistula, national_programme.id, &form("90000", "Fine-tuning satellite-imagery segmentation models for crop monitoring.", "GPU", &atlantique))?;
    let tessera_app = applications::apply(conn, &tessera, national_programme.id, &form("250000", "Protein-structure search with optical random projections at scale.", "OPU", &atlantique))?;
    applications::decide(conn, &national, tessera_app.id, &Decision::Reject { reason: "The work plan does not yet show how the compute will be used in the first six months.".into() })?;
    let withdrawn = applications::apply(conn, &tessera, regional_programme.id, &form("20000", "Benchmarking IPUs for sparse attention in genomics models.", "IPU", &atlantique))?;
    applications::withdraw(conn, &tessera, withdrawn.id)?;

    // Usage already billed against the two grants.
    for (provider, application_id, lines) in [
        (&helios, lumen_app.id, vec![("NVIDIA H100 SXM", "1152", "GPU-hour", "2764.800000"), ("NVIDIA H100 SXM", "960.5", "GPU-hour", "2305.200000"), ("NVIDIA L40S", "310.25", "GPU-hour", "341.275000")]),
        (&atlantique, nordlys_app.id, vec![("Graphcore IPU-POD16", "96", "POD-hour", "864.000000"), ("NVIDIA A100 80 GB", "120.333333", "GPU-hour", "216.599999")]),
    ] {
        let code = format!("G-{}-{application_id:04}", chrono::Datelike::year(&today));
        // Hour-long charges from midnight today: grants are valid from the day they are awarded.
        let start = today.and_hms_opt(0, 0, 0).unwrap_or_default();
        let mut csv = String::from("BillingAccountId,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId\n");
        for (i, (service, qty, unit, cost)) in lines.iter().enumerate() {
            let from = start + Duration::hours(i as i64);
            let to = from + Duration::hours(1);
            csv.push_str(&format!("ACME-1,Usage,{},{},{service},{qty},{unit},{cost},EUR,{code}\n", from.format("%Y-%m-%dT%H:%M:%SZ"), to.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        let view = match usage::upload(conn, provider, "usage-demo.csv", csv.as_bytes())? {
            usage::UploadOutcome::Pending(view) => usage::confirm(conn, provider, view.upload.id)?,
            usage::UploadOutcome::Refused(r) => {
                return Err(crate::domain::DomainError::Internal(format!("demo usage refused: {:?}", r.problems.shown)));
            }
        };
        // Each provider invoices its funder for the held usage; the national agency has
        // approved Helios's invoice, the regional one has Atlantique's still to decide.
        let (funder, number, approve) = if application_id == lumen_app.id { (&national, "HEL-2026-0001", true) } else { (&regional, "CCA-2026-0001", false) };
        let charged: Vec<(String, String)> = view.charges.iter().map(|c| (c.grant_code.clone(), c.amount.plain())).collect();
        let lines: Vec<(&str, &str)> = charged.iter().map(|(code, amount)| (code.as_str(), amount.as_str())).collect();
        let invoice = ubl_invoice(number, &provider.organisation.name, &funder.organisation.name, &lines);
        match invoicing::receive(conn, provider, view.upload.id, invoice.as_bytes())? {
            invoicing::Received::Accepted(id) if approve => {
                invoicing::approve(conn, funder, id)?;
            }
            invoicing::Received::Accepted(_) => {}
            invoicing::Received::Refused(problems) => {
                return Err(crate::domain::DomainError::Internal(format!("demo invoice refused: {:?}", problems.shown)));
            }
        }
    }
    Ok(())
}

/// A minimal EN 16931 UBL 2.1 invoice from `seller` to `buyer`, one line per (grant code, net
/// amount), each grant code given as the line's object identifier (BT-128) and buyer accounting
/// reference (BT-133); VAT at 20 %; paid by SEPA transfer to a sample IBAN (BT-84). For demo
/// data and tests.
pub fn ubl_invoice(number: &str, seller: &str, buyer: &str, lines: &[(&str, &str)]) -> String {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let net: Decimal = lines.iter().map(|(_, a)| Decimal::from_str(a).unwrap_or_default()).sum();
    let tax = (net * Decimal::new(2, 1)).round_dp(2);
    let gross = net + tax;
    let today = clock::today();
    let vat = r#"<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"#;
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>{today}</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyTaxScheme><cbc:CompanyID>FR32123456789</cbc:CompanyID>{vat}</cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>{seller}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>{buyer}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID><cac:FinancialInstitutionBranch><cbc:ID>AGRIFRPP</cbc:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount></cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">{net}</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent>{vat}</cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">{gross}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">{gross}</cbc:PayableAmount></cac:LegalMonetaryTotal>
"#
    );
    for (i, (code, amount)) in lines.iter().enumerate() {
        xml.push_str(&format!(
            r#"  <cac:InvoiceLine><cbc:ID>{n}</cbc:ID><cbc:InvoicedQuantity unitCode="HUR">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount><cbc:AccountingCost>{code}</cbc:AccountingCost><cac:DocumentReference><cbc:ID>{code}</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:DocumentReference><cac:Item><cbc:Name>Compute</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent>{vat}</cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">{amount}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
"#,
            n = i + 1
        ));
    }
    xml.push_str("</Invoice>\n");
    xml
}

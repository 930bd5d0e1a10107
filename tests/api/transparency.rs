//! The public transparency page and its open data (CSV, JSON, Atom), the sovereignty report and
//! the charts, on a small dataset whose figures are known: two providers (Alpha Cloud, France;
//! Berg HPC, Switzerland), three awards (150,000, 100,000 and 50,000), and spending of 1,000.00
//! in all — 500.00 of GPU at Alpha (600.00 less a 100.00 credit note), 200.00 of OPU at Alpha
//! (no OPU in its catalogue: data centre unknown) and 300.00 of IPU at Berg (data centre in CH).

use crate::both_backends;
use crate::helpers::{Backend, TestApp, entry};
use computegrants::db::schema::organisations;
use computegrants::db::{self, AnyConnection};
use computegrants::domain::applications::{self, Decision, NewApplication};
use computegrants::domain::identity::{self, CompanyDetails, Member, OrgKind};
use computegrants::domain::programmes::{self, NewProgramme};
use computegrants::domain::{GrantId, ProgrammeId, catalogue, grants};
use computegrants::ledger::{self, EntryKind, Links, chart};
use computegrants::money::Amount;
use diesel::prelude::*;

const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.test\",\"x\") Ltd";

pub struct Dataset {
    pub app: TestApp,
    pub programme_id: ProgrammeId,
    /// (big 150,000 GPU at Alpha, formula 100,000 OPU at Alpha, small 50,000 IPU at Berg)
    pub grants: [String; 3],
}

fn provider(conn: &mut AnyConnection, name: &str, email: &str, country: &str, offerings: &[(&str, &str)]) -> Member {
    let m = identity::create_member(conn, OrgKind::Provider, name, email, "Billing", crate::helpers::PASSWORD).unwrap();
    diesel::update(organisations::table.find(m.org_id())).set(organisations::country.eq(Some(country))).execute(conn).unwrap();
    let from = chrono::Utc::now().date_naive() - chrono::Duration::days(30);
    for (kind, dc_country) in offerings {
        let new = catalogue::NewOffering {
            name: format!("{kind} compute"),
            service_name: format!("{kind} compute"),
            hardware_kind: (*kind).into(),
            unit: "hour".into(),
            price: "10.00".into(),
            currency: "EUR".into(),
            country: (*dc_country).into(),
            valid_from: from.to_string(),
            ..Default::default()
        };
        catalogue::add(conn, &m, &new).unwrap();
    }
    m
}

fn startup(conn: &mut AnyConnection, name: &str, legal: &str, email: &str) -> Member {
    let m = identity::create_member(conn, OrgKind::Startup, name, email, "Founder", crate::helpers::PASSWORD).unwrap();
    identity::register_company(conn, m.org_id(), &CompanyDetails { legal_name: "Placeholder SAS", country: "FR", registration_number: "123 456 782" }).unwrap();
    // Set directly: the legal name may be anything a registry holds, a formula included.
    diesel::update(organisations::table.find(m.org_id())).set(organisations::legal_name.eq(Some(legal))).execute(conn).unwrap();
    identity::member(conn, m.user.id).unwrap()
}

/// Posts `cents` of spend from the grant's credits to the provider's payable account (a
/// credit note the other way when negative), as an approved invoice leaves it.
pub fn spend(conn: &mut AnyConnection, key: &str, code: &str, provider: &Member, cents: i64) {
    let grant = grants::grant_by_code(conn, code).unwrap().unwrap();
    let credits = ledger::open_account(conn, &chart::grant_credits(code, grant.id.get(), "EUR")).unwrap();
    let payable = ledger::open_account(conn, &chart::provider_payable(provider.org_id().get(), "EUR")).unwrap();
    let mut e = if cents > 0 { entry(key).transfer(credits.id, payable.id, cents).build() } else { entry(key).kind(EntryKind::CreditNote).transfer(payable.id, credits.id, -cents).build() };
    e.links = Links { grant_id: Some(grant.id.get()), programme_id: Some(grant.programme_id.get()), ..Links::default() };
    db::write_transaction(conn, |c| ledger::post(c, &e)).unwrap();
}

pub async fn dataset(backend: Backend, test: &str) -> Dataset {
    let app = TestApp::spawn(backend, test).await;
    let mut conn = app.conn();
    let conn = &mut conn;
    let funder = app.create_member(OrgKind::Funder, "Agence Test du Calcul", "funder@agency.test");
    let alpha = provider(conn, "Alpha Cloud", "billing@alpha.test", "FR", &[("GPU", "FR")]);
    let berg = provider(conn, "Berg HPC", "billing@berg.test", "CH", &[("IPU", "CH")]);
    let today = chrono::Utc::now().date_naive();
    let programme = programmes::create(
        conn,
        &funder,
        &NewProgramme {
            name: "Sovereign Compute 2026".into(),
            description: "Credits for AI startups at European providers.".into(),
            currency: "EUR".into(),
            budget: Amount::from_cents(100_000_000),
            max_award: Amount::from_cents(20_000_000),
            opens_on: today - chrono::Duration::days(1),
            closes_on: today + chrono::Duration::days(60),
            price_tolerance_percent: programmes::DEFAULT_PRICE_TOLERANCE,
            hold_days: programmes::DEFAULT_HOLD_DAYS,
            credits_cover: programmes::CreditsCover::Net,
            unused_credit: programmes::UnusedCredit::default(),
            reserved_share_bp: 0,
        },
    )
    .unwrap();
    let award = |conn: &mut AnyConnection, who: &Member, hardware: &str, at: &Member, cents: i64| -> String {
        let new = NewApplication { requested: Amount::from_cents(cents), purpose: "Training European language models for public services.".into(), hardware: hardware.into(), provider_id: Some(at.org_id()) };
        let a = applications::apply(conn, who, programme.id, &new).unwrap();
        applications::decide(conn, &funder, a.id, &Decision::Approve { amount: Amount::from_cents(cents) }).unwrap();
        let accepted = computegrants::domain::offers::Acceptance { declaration_confirmed: true };
        let view = computegrants::domain::offers::accept(conn, who, a.id, accepted, &Default::default()).unwrap();
        view.grant.unwrap().code
    };
    let lumen = startup(conn, "Lumen Labs", "Lumen Labs SAS", "founder@lumen.test");
    let formula = startup(conn, "Formula", FORMULA_NAME, "founder@formula.test");
    let small = startup(conn, "Petit", "Petite Pousse SARL", "founder@petit.test");
    let big = award(conn, &lumen, "GPU", &alpha, 15_000_000);
    let at_threshold = award(conn, &formula, "OPU", &alpha, 10_000_000);
    let below = award(conn, &small, "IPU", &berg, 5_000_000);
    spend(conn, "spend-big", &big, &alpha, 60_000);
    spend(conn, "credit-big", &big, &alpha, -10_000);
    spend(conn, "spend-formula", &at_threshold, &alpha, 20_000);
    spend(conn, "spend-small", &below, &berg, 30_000);
    Dataset { programme_id: programme.id, grants: [big, at_threshold, below], app }
}

async fn the_public_page_shows_awards_at_the_threshold_and_hides_smaller_ones(backend: Backend) {
    let d = dataset(backend, "the_public_page_shows_awards_at_the_threshold_and_hides_smaller_ones").await;
    let visitor = d.app.client();
    assert!(visitor.get("/").await.body.contains("href=\"/transparency\""), "linked from the home page");
    let r = visitor.get("/transparency").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = r.body;
    assert!(page.contains("Sovereign Compute 2026") && page.contains("Agence Test du Calcul"), "the programme and its funder");
    assert!(page.contains("Lumen Labs SAS") && page.contains("€150,000.00"), "an award above the threshold");
    assert!(page.contains("€100,000.00") && page.contains(&format!("id=\"award-{}\"", d.grants[1])), "an award at the threshold");
    assert!(!page.contains("Petite Pousse") && !page.contains(&d.grants[2]), "an award below the threshold is not published");
    assert!(page.contains("&#61;HYPERLINK") || page.contains("=HYPERLINK"), "the formula name is shown as text on the page");
    // Spending charts: by hardware kind and provider's country, with their data tables.
    assert!(page.contains(r#"<title id="by-hardware-eur-title">Spending by hardware kind</title>"#), "{page}");
    assert!(page.contains(r#"aria-labelledby="by-provider-country-eur-title by-provider-country-eur-desc""#));
    for (label, value) in [("GPU", "€500.00"), ("IPU", "€300.00"), ("OPU", "€200.00"), ("France", "€700.00"), ("Switzerland", "€300.00")] {
        assert!(page.contains(&format!("<tr><th scope=\"row\">{label}</th><td class=\"num\">{value}</td></tr>")), "{label} {value}");
    }
    // A page number that is not one reads as the first page.
    assert!(visitor.get("/transparency?page=abc").await.body.contains("Lumen Labs SAS"));
    // In French too, without signing in.
    let fr = d.app.client_in("fr-FR,fr").get("/transparency").await.body;
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Aides attribuées") && fr.contains("150\u{202f}000,00\u{a0}€"), "{fr}");

    // A higher threshold hides the 100,000 award.
    let t = computegrants::domain::transparency::report(&mut d.app.conn(), &computegrants::domain::spending::SpendCache::default(), Amount::from_cents(12_000_000), None).unwrap();
    assert_eq!(t.awards.items.iter().map(|a| a.grant_code.as_str()).collect::<Vec<_>>(), vec![d.grants[0].as_str()]);
}
both_backends!(the_public_page_shows_awards_at_the_threshold_and_hides_smaller_ones);

async fn the_csv_and_json_carry_the_pages_figures(backend: Backend) {
    let d = dataset(backend, "the_csv_and_json_carry_the_pages_figures").await;
    let visitor = d.app.client();
    let page = visitor.get("/transparency").await.body;

    let r = visitor.get("/transparency.csv").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(r.body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["grant", "beneficiary", "country", "amount", "currency", "granted_on", "granting_authority", "objective", "hardware_kind"]);
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let today = chrono::Utc::now().date_naive().to_string();
    let by_grant = |code: &str| rows.iter().find(|r| r[0] == code).unwrap_or_else(|| panic!("{code} in {rows:?}")).clone();
    assert_eq!(by_grant(&d.grants[0]), [d.grants[0].as_str(), "Lumen Labs SAS", "FR", "150000.00", "EUR", today.as_str(), "Agence Test du Calcul", "Sovereign Compute 2026", "GPU"]);
    let formula = by_grant(&d.grants[1]);
    assert_eq!(formula[1], format!("'{FORMULA_NAME}"), "a formula is neutralised");
    assert_eq!(formula[3], "100000.00");

    let spending = visitor.get("/transparency/spending.csv").await.body;
    for line in ["hardware_kind,GPU,EUR,500.00", "hardware_kind,IPU,EUR,300.00", "hardware_kind,OPU,EUR,200.00", "provider_country,FR,EUR,700.00", "provider_country,CH,EUR,300.00"] {
        assert!(spending.contains(line), "{line} in {spending}");
    }

    let r = visitor.get("/transparency.json").await;
    assert_eq!(r.status, 200);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(json["threshold"], serde_json::json!({"amount": "100000.00", "currency": "EUR"}));
    let awards = json["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 2);
    for a in awards {
        // Every award of the JSON is on the page with the same amount.
        let amount = a["amount"].as_str().unwrap();
        let shown = if amount == "150000.00" { "€150,000.00" } else { "€100,000.00" };
        assert!(page.contains(shown) && page.contains(&format!("id=\"award-{}\"", a["grant"].as_str().unwrap())));
        assert_eq!(a["currency"], "EUR");
        assert_eq!(a["granting_authority"], "Agence Test du Calcul");
    }
    assert!(awards.iter().any(|a| a["beneficiary"] == FORMULA_NAME), "JSON keeps the name as it is");
    let hardware: Vec<(String, String)> = json["spending_by_hardware_kind"].as_array().unwrap().iter().map(|s| (s["value"].as_str().unwrap().to_string(), s["amount"].as_str().unwrap().to_string())).collect();
    assert_eq!(hardware, [("GPU".to_string(), "500.00".to_string()), ("IPU".into(), "300.00".into()), ("OPU".into(), "200.00".into())]);
    assert_eq!(json["programmes"][0]["budget"], "1000000.00");
    assert_eq!(json["programmes"][0]["max_award"], "200000.00");
}
both_backends!(the_csv_and_json_carry_the_pages_figures);

async fn the_atom_feed_lists_the_published_awards(backend: Backend) {
    let d = dataset(backend, "the_atom_feed_lists_the_published_awards").await;
    let r = d.app.client().get("/transparency/awards.atom").await;
    assert_eq!(r.status, 200);
    let doc = roxmltree::Document::parse(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
    let feed = doc.root_element();
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    assert_eq!((feed.tag_name().namespace(), feed.tag_name().name()), (Some(ATOM), "feed"));
    let child = |n: roxmltree::Node<'_, '_>, name: &str| n.children().find(|c| c.has_tag_name((ATOM, name))).map(|c| c.text().unwrap_or("").to_string());
    assert!(child(feed, "id").is_some_and(|id| id.ends_with("/transparency/awards.atom")));
    assert!(child(feed, "title").is_some_and(|t| !t.is_empty()));
    let updated = child(feed, "updated").unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(&updated).is_ok(), "{updated}");
    assert!(feed.children().any(|c| c.has_tag_name((ATOM, "author"))));
    let entries: Vec<_> = feed.children().filter(|c| c.has_tag_name((ATOM, "entry"))).collect();
    assert_eq!(entries.len(), 2, "{}", r.body);
    let mut ids = std::collections::BTreeSet::new();
    for e in &entries {
        let id = child(*e, "id").unwrap();
        assert!(ids.insert(id.clone()), "ids are unique");
        assert!(chrono::DateTime::parse_from_rfc3339(&child(*e, "updated").unwrap()).is_ok());
        let link = e.children().find(|c| c.has_tag_name((ATOM, "link"))).and_then(|l| l.attribute("href")).unwrap();
        assert!(link.contains("/transparency#award-G-"), "{link}");
    }
    let titles: Vec<String> = entries.iter().map(|e| child(*e, "title").unwrap()).collect();
    assert!(titles.iter().any(|t| t.contains("Lumen Labs SAS") && t.contains("€150,000.00") && t.contains("Agence Test du Calcul")), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with(FORMULA_NAME)), "escaped, and read back as written: {titles:?}");
    assert!(!r.body.contains("Petite Pousse"));
}
both_backends!(the_atom_feed_lists_the_published_awards);

async fn the_sovereignty_report_computes_shares_on_a_known_dataset(backend: Backend) {
    let d = dataset(backend, "the_sovereignty_report_computes_shares_on_a_known_dataset").await;
    let funder = d.app.login("funder@agency.test").await;
    let programme_path = format!("/programmes/{}/sovereignty", d.programme_id);
    for path in ["/reports/sovereignty", programme_path.as_str()] {
        let r = funder.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let page = r.body;
        let row = |id: &str| {
            let at = page.find(&format!("<tr id=\"{id}-EUR\">")).unwrap_or_else(|| panic!("{id} in {page}"));
            page[at..at + page[at..].find("</tr>").unwrap()].to_string()
        };
        assert!(page.contains("<dd id=\"total-EUR\">€1,000.00</dd>"), "{page}");
        for (id, amount, share) in [
            ("hq-eu", "€700.00", "70.0%"),
            ("hq-outside", "€300.00", "30.0%"),
            ("hq-unknown", "€0.00", "0.0%"),
            ("dc-eu", "€500.00", "50.0%"),
            ("dc-outside", "€300.00", "30.0%"),
            ("dc-unknown", "€200.00", "20.0%"),
            ("alternative", "€500.00", "50.0%"),
        ] {
            let line = row(id);
            assert!(line.contains(amount) && line.contains(share), "{id}: {line}");
        }
        assert!(page.contains("<dd id=\"providers-EUR\">2</dd>"));
        assert!(page.contains("<dd id=\"largest-EUR\">Alpha Cloud: 70.0%</dd>"), "{page}");
        assert!(page.contains(r#"role="img""#) && page.contains(">€700.00</text>"), "a chart by provider with its values");
    }
    // The programme report links it, and draws spending by month, provider and hardware kind.
    let report = funder.get(&format!("/programmes/{}", d.programme_id)).await.body;
    assert!(report.contains(&format!("href=\"{programme_path}\"")));
    for title in ["Spending by month", "Spending by provider", "Spending by hardware kind"] {
        assert!(report.contains(&format!(">{title}</title>")), "{title}");
    }
    assert!(report.contains(">€1,000.00</text>") && report.contains(">€700.00</text>") && report.contains(">€500.00</text>"));
    // In French.
    let fr = d.app.login_in("funder@agency.test", "fr-FR,fr").await.get("/reports/sovereignty").await.body;
    assert!(fr.contains("70,0\u{a0}%"), "{fr}");
    // Another funder sees none of it; a startup may not ask.
    d.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let other = d.app.login("other@agency.test").await;
    assert!(other.get("/reports/sovereignty").await.body.contains("Nothing spent yet"));
    assert_eq!(other.get(&programme_path).await.status, 404);
    let startup = d.app.login("founder@lumen.test").await;
    assert_eq!(startup.get("/reports/sovereignty").await.status, 404);
    assert_eq!(startup.get(&programme_path).await.status, 404);
    d.app.verify_ledger().unwrap();
}
both_backends!(the_sovereignty_report_computes_shares_on_a_known_dataset);

/// Through the real flow: usage held on submission is not spending yet; once the funder approves
/// the invoice, it is, on the public page as in the funder's report.
async fn approved_usage_is_spending_and_held_usage_is_not(backend: Backend) {
    use crate::helpers::ubl_invoice;
    let (s, code, upload) = crate::invoices::held_usage(backend, "approved_usage_is_spending_and_held_usage_is_not").await;
    let visitor = s.app.client();
    assert!(visitor.get("/transparency").await.body.contains("Nothing spent yet"), "a hold is not spending");
    let invoice = ubl_invoice("INV-T1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let r = s.provider.upload_invoice(&upload, "INV-T1.xml", &invoice).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    let mut funder = s.funder;
    funder.refresh_csrf(&path).await;
    assert_eq!(funder.post(&format!("{path}/approve"), &[]).await.status, 303);
    let page = visitor.get("/transparency").await.body;
    assert!(page.contains("<tr><th scope=\"row\">GPU</th><td class=\"num\">€120.50</td></tr>"), "{page}");
    let sovereignty = funder.get(&format!("/programmes/{}/sovereignty", s.programme_id)).await.body;
    assert!(sovereignty.contains("<dd id=\"total-EUR\">€120.50</dd>"), "{sovereignty}");
    // The test provider has no country: its headquarters are unknown, said so.
    assert!(sovereignty.contains("<tr id=\"hq-unknown-EUR\">") && sovereignty.contains("100.0%"));
    let _: Option<GrantId> = None;
}
both_backends!(approved_usage_is_spending_and_held_usage_is_not);

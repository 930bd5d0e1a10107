//! Long lists come a page at a time, with links to the others, in the reader's language.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD};
use crate::journey::programme_with_application;
use computegrants::domain::applications::{self, NewApplication};
use computegrants::domain::identity::{self, CompanyDetails, OrgKind};
use computegrants::money::Amount;

async fn a_programme_lists_its_applications_a_page_at_a_time(backend: Backend) {
    let s = programme_with_application(backend, "a_programme_lists_its_applications_a_page_at_a_time").await;
    let mut conn = s.app.conn();
    // 60 more startups apply, 61 in all.
    for i in 0..60 {
        let m = identity::create_member(&mut conn, OrgKind::Startup, &format!("Paged Startup {i:02}"), &format!("paged{i}@startup.test"), "Founder", PASSWORD).unwrap();
        let details = CompanyDetails { legal_name: &format!("Paged Startup {i:02} SAS"), country: "FR", registration_number: "552 100 554" };
        identity::register_company(&mut conn, m.org_id(), &details).unwrap();
        let m = identity::member(&mut conn, m.user.id).unwrap();
        let new = NewApplication { requested: Amount::from_cents(100_000), purpose: "Fine-tuning a model.".into(), hardware: "GPU".into(), provider_id: Some(s.provider_id) };
        applications::apply(&mut conn, &m, s.programme_id, &new).unwrap();
    }
    let path = format!("/programmes/{}", s.programme_id);
    let first = s.funder.get(&path).await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Showing 1–50 of 61"), "{}", first.body);
    assert!(first.body.contains(&format!("href=\"{path}?page=2\"")) && !first.body.contains("rel=\"prev\""));
    assert!(first.body.contains("Paged Startup 48") && !first.body.contains("Paged Startup 49"), "oldest first, 50 a page");
    let second = s.funder.get(&format!("{path}?page=2")).await;
    assert!(second.body.contains("Showing 51–61 of 61") && second.body.contains("Paged Startup 59"), "{}", second.body);
    assert!(second.body.contains(&format!("href=\"{path}?page=1\"")) && !second.body.contains("rel=\"next\""));
    // A page past the end, or not a number, is answered, never an error.
    assert_eq!(s.funder.get(&format!("{path}?page=99")).await.status, 200);
    assert_eq!(s.funder.get(&format!("{path}?page=-1")).await.status, 200);
    // The dashboard counts what waits for a decision without loading every application.
    let dashboard = s.funder.get("/").await.body;
    assert!(dashboard.contains("<td class=\"num\">61</td>"), "61 awaiting a decision: {dashboard}");
}
both_backends!(a_programme_lists_its_applications_a_page_at_a_time);

async fn a_provider_lists_its_uploads_a_page_at_a_time(backend: Backend) {
    let mut s = programme_with_application(backend, "a_provider_lists_its_uploads_a_page_at_a_time").await;
    let code = crate::journey::approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    for i in 0..52 {
        let r = provider.upload(&format!("day-{i:02}.csv"), &crate::helpers::usage_csv(&code, &[&format!("0.{i:02}")])).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let first = provider.get("/usage").await;
    assert!(first.body.contains("Showing 1–50 of 52") && first.body.contains("day-51.csv") && !first.body.contains("day-01.csv"), "newest first: {}", first.body);
    let second = provider.get("/usage?page=2").await;
    assert!(second.body.contains("day-01.csv") && second.body.contains("day-00.csv") && !second.body.contains("day-51.csv"));
}
both_backends!(a_provider_lists_its_uploads_a_page_at_a_time);

async fn a_providers_dashboard_lists_its_billable_grants_a_page_at_a_time(backend: Backend) {
    let s = programme_with_application(backend, "a_providers_dashboard_lists_its_billable_grants_a_page_at_a_time").await;
    let mut conn = s.app.conn();
    let funder = identity::find_user_by_email(&mut conn, "funder@agency.test").unwrap().unwrap();
    let funder = identity::member(&mut conn, funder.id).unwrap();
    // 51 grants billable at the provider, each with its own balance.
    for i in 0..51 {
        let m = identity::create_member(&mut conn, OrgKind::Startup, &format!("Billed Startup {i:02}"), &format!("billed{i}@startup.test"), "Founder", PASSWORD).unwrap();
        let details = CompanyDetails { legal_name: &format!("Billed Startup {i:02} SAS"), country: "FR", registration_number: "552 100 554" };
        identity::register_company(&mut conn, m.org_id(), &details).unwrap();
        let m = identity::member(&mut conn, m.user.id).unwrap();
        let new = NewApplication { requested: Amount::from_cents(10_000 + i), purpose: "Fine-tuning a model.".into(), hardware: "GPU".into(), provider_id: Some(s.provider_id) };
        let application = applications::apply(&mut conn, &m, s.programme_id, &new).unwrap();
        applications::decide(&mut conn, &funder, application.id, &applications::Decision::Approve { amount: Amount::from_cents(10_000 + i) }).unwrap();
        let accepted = computegrants::domain::offers::Acceptance { declaration_confirmed: true };
        computegrants::domain::offers::accept(&mut conn, &m, application.id, accepted, &Default::default()).unwrap();
    }
    let first = s.provider.get("/").await.body;
    assert!(first.contains("Showing 1–50 of 51"), "{first}");
    assert!(first.contains("Billed Startup 50") && first.contains("€100.50") && !first.contains("Billed Startup 00"), "newest first, with balances: {first}");
    let second = s.provider.get("/?page=2").await.body;
    assert!(second.contains("Billed Startup 00") && second.contains("€100.00") && !second.contains("Billed Startup 50"), "{second}");
    // The funder's report: totals over all 51 grants, the grants 50 a page under their own
    // parameter (the applications keep theirs).
    let path = format!("/programmes/{}", s.programme_id);
    let report = s.funder.get(&path).await.body;
    assert!(report.contains("€5,112.75"), "awarded in all: 51 × €100 + €12.75: {report}");
    assert!(report.contains("Showing 1–50 of 51") && report.contains(&format!("href=\"{path}?grants_page=2\"")), "{report}");
    assert!(report.contains("Billed Startup 00") && !report.contains(">Billed Startup 50<"), "oldest first: {report}");
    let last = s.funder.get(&format!("{path}?grants_page=2")).await.body;
    assert!(last.contains(">Billed Startup 50<") && last.contains("Showing 51–51 of 51"), "{last}");
    // The report is kept between visits only while the ledger stands still: one more award
    // shows at once.
    let startup = identity::find_user_by_email(&mut conn, "founder@lumen.test").unwrap().unwrap();
    let startup = identity::member(&mut conn, startup.id).unwrap();
    let pending = applications::applications_of_startup(&mut conn, startup.org_id()).unwrap().remove(0);
    applications::decide(&mut conn, &funder, pending.application.id, &applications::Decision::Approve { amount: Amount::from_cents(1_000_00) }).unwrap();
    let accepted = computegrants::domain::offers::Acceptance { declaration_confirmed: true };
    computegrants::domain::offers::accept(&mut conn, &startup, pending.application.id, accepted, &Default::default()).unwrap();
    let report = s.funder.get(&path).await.body;
    assert!(report.contains("€6,112.75") && report.contains("Showing 1–50 of 52"), "{report}");
    assert!(s.funder.get(&format!("{path}/sovereignty")).await.status == 200);
}
both_backends!(a_providers_dashboard_lists_its_billable_grants_a_page_at_a_time);

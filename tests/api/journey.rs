//! The whole product journey: programme → application → approval (an offer the startup accepts:
//! grant + credits) → provider
//! usage upload → startup statement and funder report, and a ledger that verifies.

use crate::helpers::{Backend, TestApp, id_from, usage_csv};
use crate::both_backends;
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{ApplicationId, OrgId, ProgrammeId};
use computegrants::ledger;

pub struct Setup {
    pub app: TestApp,
    pub funder: crate::helpers::Client,
    pub startup: crate::helpers::Client,
    pub provider: crate::helpers::Client,
    pub provider_id: OrgId,
    pub programme_id: ProgrammeId,
    pub application_id: ApplicationId,
}

/// Funder opens a programme (budget 100,000, max 60,000); a startup signs up and applies for 50,000.
pub async fn programme_with_application(backend: Backend, test: &str) -> Setup {
    let app = TestApp::spawn(backend, test).await;
    app.create_member(OrgKind::Funder, "Test Funding Agency", "funder@agency.test");
    let provider_member = app.create_member(OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider_member);
    let mut funder = app.login("funder@agency.test").await;
    funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let r = funder
        .post(
            "/programmes",
            &[
                ("name", "Test Compute Call"),
                ("description", "Credits for AI startups."),
                ("currency", "EUR"),
                ("budget", "100000"),
                ("max_award", "60000"),
                ("opens_on", &today.to_string()),
                ("closes_on", &closes),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "programme creation failed: {}", r.body);
    let programme_id: ProgrammeId = id_from(&r.location);

    let mut startup = app.sign_up_startup("Lumen Test Labs", "founder@lumen.test").await;
    startup.refresh_csrf(&format!("/programmes/{programme_id}/apply")).await;
    let provider_id = provider_member.org_id().to_string();
    let r = startup
        .post(
            &format!("/programmes/{programme_id}/apply"),
            &[
                ("requested", "50000"),
                ("purpose", "Training a multilingual language model for public services."),
                ("hardware", "GPU"),
                ("provider_id", &provider_id),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "application failed: {}", r.body);
    let application_id: ApplicationId = id_from(&r.location);
    let provider = app.login("billing@gpu.test").await;
    Setup { app, funder, startup, provider, provider_id: provider_member.org_id(), programme_id, application_id }
}

/// Approves the application for `amount` (an offer) and has the startup accept it; returns the
/// grant code shown to the funder.
pub async fn approve(s: &mut Setup, amount: &str) -> String {
    let path = format!("/applications/{}", s.application_id);
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", amount), ("reason", "")]).await;
    assert_eq!(r.status, 303, "approval failed: {}", r.body);
    accept_offer(&mut s.startup, s.application_id).await;
    let page = s.funder.get(&path).await.body;
    let start = page.find("G-").expect("grant code on the application page");
    page[start..start + 11].to_string()
}

/// The startup accepts the offer made on `application`, confirming its de minimis declaration.
pub async fn accept_offer(startup: &mut crate::helpers::Client, application: ApplicationId) {
    let path = format!("/applications/{application}");
    startup.refresh_csrf(&path).await;
    let r = startup.post(&format!("{path}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(r.status, 303, "acceptance failed: {}", r.body);
}

async fn whole_journey(backend: Backend) {
    let mut s = programme_with_application(backend, "whole_journey").await;

    // The startup is told its application was received, over a real SMTP conversation.
    let received = s.app.mail.wait_for(&format!("APP-{}", s.application_id)).await;
    assert!(received.contains("received"), "{received}");
    assert!(received.contains("founder@lumen.test"));

    // The funder sees it and approves for less than requested.
    let programme_page = s.funder.get(&format!("/programmes/{}", s.programme_id)).await;
    assert!(programme_page.body.contains("Lumen Test Labs"));
    let code = approve(&mut s, "40000").await;
    assert!(code.starts_with("G-"), "{code}");
    // The offer reaches the startup's people by mail (the notification, not a decision mail).
    let offered = s.app.mail.wait_for("An offer of credits awaits your answer").await;
    assert!(offered.contains(&format!("APP-{}", s.application_id)) && offered.contains("founder@lumen.test"), "{offered}");

    // The provider uploads usage for that grant, previews, confirms.
    let mut provider = s.provider;
    provider.refresh_csrf("/usage/new").await;
    let r = provider.upload("october.csv", &usage_csv(&code, &["1000.004", "2345.678901", "0.0049"])).await;
    assert_eq!(r.status, 303, "upload refused: {}", r.body);
    let upload_path = r.location.clone().unwrap();
    let preview = provider.get(&upload_path).await.body;
    assert!(preview.contains("pending"), "{preview}");
    // 1000.004 + 2345.678901 + 0.0049 = 3345.687801 → 3,345.69 charged.
    assert!(preview.contains("3,345.69"), "{preview}");
    provider.refresh_csrf(&upload_path).await;
    let r = provider.post(&format!("{upload_path}/confirm"), &[]).await;
    assert_eq!(r.status, 303, "submission failed: {}", r.body);
    assert!(provider.get(&upload_path).await.body.contains("held on the grants until the funder approves"));
    // Submitting twice holds once.
    let again = provider.post(&format!("{upload_path}/confirm"), &[]).await;
    assert_eq!(again.status, 409);

    // The startup sees the usage as held at once, apart from spent.
    let dashboard = s.startup.get("/").await.body;
    let grant_link = dashboard.find("/grants/").map(|i| &dashboard[i..]).unwrap();
    let grant_path = grant_link[..grant_link.find('"').unwrap()].to_string();
    let statement = s.startup.get(&grant_path).await;
    assert_eq!(statement.status, 200);
    assert!(statement.body.contains("<dd id=\"balance\">€36,654.31</dd>"), "available 40,000.00 − 3,345.69 held: {}", statement.body);
    assert!(statement.body.contains("<dd id=\"held\">€3,345.69</dd>") && statement.body.contains("<dd id=\"spent\">€0.00</dd>"), "{}", statement.body);

    // The provider invoices the funder for it; the invoice reconciles with the held usage.
    provider.refresh_csrf(&upload_path).await;
    let invoice = crate::helpers::ubl_invoice("INV-2026-0001", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "3345.69")]);
    let r = provider.upload_invoice(&upload_path, "INV-2026-0001.xml", &invoice).await;
    assert_eq!(r.status, 303, "invoice refused: {}", r.body);
    let invoice_path = r.location.clone().unwrap();
    assert!(invoice_path.starts_with("/invoices/"));

    // The funder finds it in the inbox and approves it: the held credits are spent.
    let inbox = s.funder.get("/invoices").await.body;
    assert!(inbox.contains("INV-2026-0001") && inbox.contains("awaiting approval"), "{inbox}");
    s.funder.refresh_csrf(&invoice_path).await;
    let r = s.funder.post(&format!("{invoice_path}/approve"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(s.funder.post(&format!("{invoice_path}/approve"), &[]).await.status, 409, "decided once");
    let statement = s.startup.get(&grant_path).await.body;
    assert!(statement.contains("<dd id=\"held\">€0.00</dd>") && statement.contains("<dd id=\"spent\">€3,345.69</dd>"), "{statement}");
    assert!(statement.contains("award") && statement.contains("usage"));
    assert!(provider.get(&upload_path).await.body.contains("the charges are spent"));

    // The funder's report adds up.
    let report = s.funder.get(&format!("/programmes/{}", s.programme_id)).await.body;
    for figure in ["€100,000.00", "€40,000.00", "€3,345.69", "€60,000.00", "€36,654.31"] {
        assert!(report.contains(figure), "report lacks {figure}");
    }

    // And the ledger proves it.
    let mut conn = s.app.conn();
    let report = ledger::verify(&mut conn).expect("ledger verifies");
    assert_eq!(report.entries, 6, "fund, the offer's hold and its release at acceptance, award, usage hold, its posting");
}
both_backends!(whole_journey);

async fn programme_never_awards_more_than_its_budget(backend: Backend) {
    let mut s = programme_with_application(backend, "programme_never_awards_more_than_its_budget").await;
    approve(&mut s, "50000").await;
    // A second startup asks for 60,000 (the maximum) but only 50,000 is left.
    let mut second = s.app.sign_up_startup("Second Startup", "second@startup.test").await;
    second.refresh_csrf(&format!("/programmes/{}/apply", s.programme_id)).await;
    let provider_id = s.provider_id.to_string();
    let r = second
        .post(
            &format!("/programmes/{}/apply", s.programme_id),
            &[("requested", "60000"), ("purpose", "Fine-tuning vision models for agriculture."), ("hardware", "GPU"), ("provider_id", &provider_id)],
        )
        .await;
    assert_eq!(r.status, 303);
    let second_app: ApplicationId = id_from(&r.location);
    let path = format!("/applications/{second_app}");
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "60000")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("only €50,000.00 left"), "{}", r.body);
    // Nothing changed: still awaiting a decision, budget intact.
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("submitted"));
    let mut conn = s.app.conn();
    assert_eq!(ledger::verify(&mut conn).unwrap().entries, 4, "fund, the first offer's hold and release, its award");
    // Awarding what is left works.
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "50000")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both_backends!(programme_never_awards_more_than_its_budget);

async fn rejection_is_explained_to_the_startup(backend: Backend) {
    let mut s = programme_with_application(backend, "rejection_is_explained_to_the_startup").await;
    let path = format!("/applications/{}", s.application_id);
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "reject"), ("reason", "short")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("10 characters"), "error next to the field");
    assert!(r.body.contains(">short</textarea>"), "input kept");
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "reject"), ("reason", "The work plan is not detailed enough yet.")]).await;
    assert_eq!(r.status, 303);
    let page = s.startup.get(&path).await.body;
    assert!(page.contains("rejected") && page.contains("The work plan is not detailed enough yet."));
    let mail = s.app.mail.wait_for("was not approved").await;
    assert!(mail.contains("The work plan is not detailed enough yet."));
    // A decided application cannot be decided again.
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "100")]).await;
    assert_eq!(r.status, 409);
}
both_backends!(rejection_is_explained_to_the_startup);

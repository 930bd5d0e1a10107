//! The whole cycle without the browser: a provider keeps its catalogue, a funder opens a call,
//! a startup applies, the funder decides (an offer the startup accepts), usage and an invoice are pushed, approved in part and
//! paid — all through the JSON API. And every operation answers every kind of caller as the
//! access policy says.

use crate::both_backends;
use crate::helpers::{Backend, usage_csv};
use crate::journey::programme_with_application;
use crate::json_api::{Api, finished, token};
use computegrants::domain::api_tokens::Scope;
use computegrants::domain::identity::OrgKind;
use reqwest::Method;
use serde_json::{Value, json};

fn body(v: Value) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(&v).unwrap())
}

const JSON: &[(&str, &str)] = &[("Content-Type", "application/json")];

async fn a_provider_keeps_its_catalogue_by_sending_it_whole(backend: Backend) {
    let test = "a_provider_keeps_its_catalogue_by_sending_it_whole";
    let app = crate::helpers::TestApp::spawn(backend, test).await;
    let member = app.create_member(OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    crate::helpers::add_catalogue(&mut app.conn(), &member);
    let mut conn = app.conn();
    let provider = token(&mut conn, "Test GPU Cloud", "pricing", &[Scope::CatalogueWrite, Scope::CatalogueRead]);
    let reader = token(&mut conn, "Test GPU Cloud", "reader", &[Scope::CatalogueRead]);
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    let today = chrono::Utc::now().date_naive();
    let offering = |sku: &str, price: &str, name: &str| json!({"sku_id": sku, "name": name, "service_name": "GPU compute", "hardware_kind": "GPU", "unit": "GPU-hour", "price": price, "currency": "EUR", "country": "FR"});
    let put = |v: Value, secret: String| {
        let api = &api;
        async move { api.send(Method::PUT, "/catalogue", Some(&secret), body(v), JSON).await }
    };

    // Without the scope: 403, nothing changed.
    assert_eq!(put(json!({"offerings": []}), reader.clone()).await.0, 403);

    // Refused as a whole, each problem at its place in the list: nothing is written.
    let (status, _, problem) = put(json!({"offerings": [offering("H100", "2.40", "H100"), offering("H100", "abc", "H100 again"), offering("", "1.00", "")]}), provider.clone()).await;
    assert_eq!(status, 422, "{problem}");
    let paths: Vec<&str> = problem["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    for expected in ["offerings[1].sku_id", "offerings[1].price", "offerings[2].sku_id", "offerings[2].name"] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    let (_, _, before) = api.get("/catalogue", Some(&reader)).await;
    assert_eq!(before["items"].as_array().unwrap().len(), 1, "{before}");

    // The first sync: two SKUs added, the old offering (no SKU) withdrawn from today.
    let (status, _, done) = put(json!({"offerings": [offering("H100", "2.40", "H100"), offering("MI300", "2.10", "MI300X")]}), provider.clone()).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["added"], json!(["H100", "MI300"]));
    assert_eq!(done["withdrawn"], json!(["GPU compute"]));
    assert_eq!(done["effective_from"], today.to_string());

    // The same list again changes nothing; a price change on the same day would rewrite the
    // day's price, so it must start later.
    let same = json!({"offerings": [offering("H100", "2.40", "H100"), offering("MI300", "2.10", "MI300X")]});
    let (status, _, again) = put(same, provider.clone()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["unchanged"], 2);
    assert!(again["added"].as_array().unwrap().is_empty() && again["withdrawn"].as_array().unwrap().is_empty(), "{again}");
    let (status, _, problem) = put(json!({"offerings": [offering("H100", "2.20", "H100"), offering("MI300", "2.10", "MI300X")]}), provider.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["code"], "offering-change-too-early", "{problem}");

    // From next month: one price down, one renamed, one dropped, one new.
    let next = (today + chrono::Duration::days(30)).to_string();
    let (status, _, changed) = put(json!({"effective_from": next, "offerings": [offering("H100", "2.20", "H100"), offering("IPU-M2000", "1.50", "Graphcore IPU")]}), provider.clone()).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["repriced"], json!(["H100"]));
    assert_eq!(changed["added"], json!(["IPU-M2000"]));
    assert_eq!(changed["withdrawn"], json!(["MI300"]));

    // History is kept: every row, old prices ending the day before the new ones start.
    use computegrants::db::schema::provider_offerings as o;
    use diesel::prelude::*;
    let rows: Vec<(Option<String>, String, chrono::NaiveDate, Option<chrono::NaiveDate>)> =
        o::table.order(o::id).select((o::sku_id, o::price, o::valid_from, o::valid_until)).load(&mut conn).unwrap();
    let day_before = (today + chrono::Duration::days(29)).to_string();
    let h100: Vec<_> = rows.iter().filter(|r| r.0.as_deref() == Some("H100")).collect();
    assert_eq!(h100.len(), 2, "{rows:?}");
    assert_eq!((h100[0].1.as_str(), h100[0].3.map(|d| d.to_string())), ("2.40", Some(day_before.clone())));
    assert_eq!((h100[1].1.as_str(), h100[1].3), ("2.20", None));
    let mi300 = rows.iter().find(|r| r.0.as_deref() == Some("MI300")).unwrap();
    assert_eq!(mi300.3.map(|d| d.to_string()), Some(day_before));
    // Recorded with the token's name as the actor.
    let actors: Vec<String> = computegrants::db::schema::audit_events::table.select(computegrants::db::schema::audit_events::actor).load(&mut conn).unwrap();
    assert_eq!(actors.iter().filter(|a| a.contains("pricing")).count(), 2, "{actors:?}");
}
both_backends!(a_provider_keeps_its_catalogue_by_sending_it_whole);

async fn a_call_runs_from_programme_to_payment_without_the_browser(backend: Backend) {
    let test = "a_call_runs_from_programme_to_payment_without_the_browser";
    // The organisations exist (made by their owners in the browser); from here on, only the API.
    let s = programme_with_application(backend, test).await;
    let mut conn = s.app.conn();
    let funder = token(&mut conn, "Test Funding Agency", "grants tool", &[Scope::ProgrammesWrite, Scope::ProgrammesRead, Scope::DecisionsWrite, Scope::ReportsRead, Scope::SettlementsWrite, Scope::InvoicesRead]);
    let startup = token(&mut conn, "Lumen Test Labs", "founder tool", &[Scope::ApplicationsWrite, Scope::ProgrammesRead, Scope::GrantsRead]);
    let provider = token(&mut conn, "Test GPU Cloud", "billing", &[Scope::UsageWrite, Scope::InvoicesWrite, Scope::InvoicesRead, Scope::GrantsRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    let post = |path: String, secret: String, v: Value, key: &'static str| {
        let api = &api;
        async move {
            let mut headers = JSON.to_vec();
            if !key.is_empty() {
                headers.push(("Idempotency-Key", key));
            }
            api.send(Method::POST, &path, Some(&secret), body(v), &headers).await
        }
    };
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(60)).to_string();

    // A programme with bad fields: 422 naming each field.
    let (status, _, problem) = post("/programmes".into(), funder.clone(), json!({"name": "", "description": "x", "currency": "EUR", "budget": "lots", "max_award": "10", "opens_on": "2026-13-01", "closes_on": closes}), "").await;
    assert_eq!(status, 422, "{problem}");
    let paths: Vec<&str> = problem["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"budget") && paths.contains(&"opens_on"), "{paths:?}");
    let (status, _, problem) = post("/programmes".into(), funder.clone(), json!({"name": " ", "description": "x", "currency": "EUR", "budget": "10", "max_award": "20", "opens_on": today.to_string(), "closes_on": closes}), "").await;
    assert_eq!(status, 422, "{problem}");
    let paths: Vec<&str> = problem["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"name") && paths.contains(&"max_award"), "the programme's own rules, by field: {paths:?}");
    let call = json!({"name": "API Compute Call", "description": "Credits for sovereign AI.", "currency": "EUR", "budget": "200000.00", "max_award": "50000.00", "opens_on": today.to_string(), "closes_on": closes});
    let (status, _, programme) = post("/programmes".into(), funder.clone(), call.clone(), "call-1").await;
    assert_eq!(status, 201, "{programme}");
    assert_eq!(programme["budget"], "200000.00");
    let (_, headers, replayed) = post("/programmes".into(), funder.clone(), call, "call-1").await;
    assert_eq!((replayed.clone(), headers.get("idempotent-replayed").is_some()), (programme.clone(), true), "one programme for one key");
    let programme_id = programme["id"].as_i64().unwrap();

    // The startup applies; a second open application to the same call is refused.
    let application = json!({"programme_id": programme_id, "requested": "30000.00", "purpose": "Fine-tuning a speech model for French public services.", "hardware": "GPU", "provider_id": s.provider_id.get()});
    let (status, _, applied) = post("/applications".into(), startup.clone(), application.clone(), "").await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["status"], "submitted");
    let (status, _, problem) = post("/applications".into(), startup.clone(), application, "").await;
    assert_eq!(status, 422, "{problem}");
    let application_id = applied["id"].as_i64().unwrap();
    assert_eq!(api.get(&format!("/applications/{application_id}"), Some(&startup)).await.0, 200);

    // The funder reads and decides it for less than asked.
    let (status, _, listed) = api.get(&format!("/programmes/{programme_id}/applications"), Some(&funder)).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["items"][0]["id"], application_id);
    let (status, _, decided) = post(format!("/applications/{application_id}/decision"), funder.clone(), json!({"decision": "approve", "amount": "25000.00"}), "").await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!((decided["status"].as_str(), decided["grant_code"].is_null()), (Some("offered"), true), "{decided}");
    // The startup accepts the offer, confirming its de minimis declaration.
    let (status, _, problem) = post(format!("/applications/{application_id}/accept"), startup.clone(), json!({"declaration_confirmed": false}), "").await;
    assert_eq!(status, 422, "the declaration is required: {problem}");
    let (status, _, accepted) = post(format!("/applications/{application_id}/accept"), startup.clone(), json!({"declaration_confirmed": true}), "accept-1").await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["status"], "approved");
    let code = accepted["grant_code"].as_str().unwrap().to_string();
    let (status, _, grant) = api.get(&format!("/grants/{code}"), Some(&startup)).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["balance"], "25000.00");

    // The provider pushes usage, submitted at once, and invoices it.
    let (status, _, queued) = api.send(Method::POST, "/usage-files?submit=true", Some(&provider), Some(usage_csv(&code, &["100.25", "20.25"]).into_bytes()), &[("Content-Type", "text/csv")]).await;
    assert_eq!(status, 202, "{queued}");
    let job = finished(&api, &provider, queued["status_url"].as_str().unwrap()).await;
    assert_eq!(job["upload_status"], "submitted", "{job}");
    let upload_id = job["upload_id"].as_i64().unwrap();
    let xml = crate::helpers::ubl_invoice("API-CYCLE-1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let (status, _, invoice) = api.send(Method::POST, &format!("/invoices?upload={upload_id}"), Some(&provider), Some(xml.into_bytes()), &[("Content-Type", "application/xml")]).await;
    assert_eq!(status, 201, "{invoice}");
    let invoice_id = invoice["id"].as_i64().unwrap();

    // Part approval: an unknown grant, and a part without a reason, are refused by field.
    let approve_path = format!("/invoices/{invoice_id}/approve");
    let (status, _, problem) = post(approve_path.clone(), funder.clone(), json!({"amounts": {"G-1999-0001": "1.00"}, "reason": "x"}), "").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["code"], "invoice-part-unknown-grant", "{problem}");
    let (status, _, problem) = post(approve_path.clone(), funder.clone(), json!({"amounts": {code.as_str(): "100.00"}}), "").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["path"], "reason", "{problem}");
    let (status, _, approved) = post(approve_path, funder.clone(), json!({"amounts": {code.as_str(): "100.00"}, "reason": "Two hours were a test run."}), "").await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "approved");

    // The report shows what was spent; the payment is recorded and its bank file read.
    let (status, _, report) = api.get(&format!("/programmes/{programme_id}/report"), Some(&funder)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["awarded"].as_str(), report["spent"].as_str(), report["unawarded"].as_str()), (Some("25000.00"), Some("100.00"), Some("175000.00")), "{report}");
    assert_eq!(report["grants"][0]["balance"], "24900.00");
    let pay = json!({"invoice_ids": [invoice_id], "paid_on": today.to_string(), "reference": "API-PAY-1", "debtor_iban": "DE89370400440532013000", "debtor_bic": "COBADEFFXXX"});
    let (status, _, problem) = post("/settlements".into(), funder.clone(), json!({"invoice_ids": [invoice_id], "paid_on": today.to_string(), "reference": "API-PAY-1", "debtor_iban": "DE00370400440532013000", "debtor_bic": "COBADEFFXXX"}), "").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["path"], "debtor_iban", "{problem}");
    let (status, _, paid) = post("/settlements".into(), funder.clone(), pay.clone(), "pay-1").await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["invoice_ids"], json!([invoice_id]));
    assert_eq!(paid["total"], "120.00", "100.00 approved of 120.50 net, with its 20 % VAT: {paid}");
    let (_, _, replayed) = post("/settlements".into(), funder.clone(), pay.clone(), "pay-1").await;
    assert_eq!(replayed, paid);
    let (status, _, problem) = post("/settlements".into(), funder.clone(), pay, "").await;
    assert!(status == 409 || status == 422, "an invoice is paid once: {status} {problem}");
    let settlement_id = paid["id"].as_i64().unwrap();
    let resp = api.http.get(format!("{}/api/v1/settlements/{settlement_id}/pain.001.xml", api.base)).bearer_auth(&funder).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
    let xml = resp.text().await.unwrap();
    assert!(xml.contains("<InstdAmt Ccy=\"EUR\">120.00</InstdAmt>") && xml.contains("Invoice API-CYCLE-1"), "{xml}");
    // The provider does not see the funder's payment records.
    assert_eq!(api.get(&format!("/settlements/{settlement_id}"), Some(&provider)).await.0, 403);
    s.app.verify_ledger().unwrap();
}
both_backends!(a_call_runs_from_programme_to_payment_without_the_browser);

/// Who calls, in the matrix below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Funder,
    Startup,
    Provider,
    OtherFunder,
    OtherStartup,
    OtherProvider,
}

impl Who {
    const ALL: [Who; 6] = [Who::Funder, Who::Startup, Who::Provider, Who::OtherFunder, Who::OtherStartup, Who::OtherProvider];

    fn kind(self) -> OrgKind {
        match self {
            Who::Funder | Who::OtherFunder => OrgKind::Funder,
            Who::Startup | Who::OtherStartup => OrgKind::Startup,
            Who::Provider | Who::OtherProvider => OrgKind::Provider,
        }
    }

    fn org(self) -> &'static str {
        match self {
            Who::Funder => "Test Funding Agency",
            Who::Startup => "Lumen Test Labs",
            Who::Provider => "Test GPU Cloud",
            Who::OtherFunder => "Other Agency",
            Who::OtherStartup => "Other Startup",
            Who::OtherProvider => "Other Cloud",
        }
    }
}

/// One operation called for real: its row in the route table, the request, and what each
/// caller that can hold its scope gets (the others cannot hold it: 403).
struct Case {
    method: &'static str,
    pattern: &'static str,
    path: String,
    body: Option<Vec<u8>>,
    content_type: &'static str,
    expect: Vec<(Who, u16)>,
}

async fn every_operation_answers_each_caller_as_the_access_policy_says(backend: Backend) {
    use Who::*;
    let test = "every_operation_answers_each_caller_as_the_access_policy_says";
    let (s, code, upload) = crate::invoices::held_usage(backend, test).await;
    let upload_id: i64 = upload.rsplit('/').next().unwrap().parse().unwrap();
    s.app.create_member(OrgKind::Funder, "Other Agency", "someone@other-agency.test");
    s.app.create_member(OrgKind::Startup, "Other Startup", "someone@other-startup.test");
    s.app.create_member(OrgKind::Provider, "Other Cloud", "someone@other-cloud.test");
    let mut conn = s.app.conn();
    // Each organisation's token with every scope it can hold.
    let full: Vec<(Who, String)> = Who::ALL.iter().map(|w| (*w, token(&mut conn, w.org(), "all", computegrants::domain::api_tokens::Scope::offered_in(w.kind())))).collect();
    let secret = |w: Who| full.iter().find(|(x, _)| *x == w).unwrap().1.clone();
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };

    // The objects: an invoice approved and paid, a second upload not yet invoiced, its job.
    let xml = crate::helpers::ubl_invoice("MATRIX-1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let (status, _, invoice) = api.send(Method::POST, &format!("/invoices?upload={upload_id}"), Some(&secret(Provider)), Some(xml.into_bytes()), &[("Content-Type", "application/xml")]).await;
    assert_eq!(status, 201, "{invoice}");
    let invoice_id = invoice["id"].as_i64().unwrap();
    assert_eq!(api.send(Method::POST, &format!("/invoices/{invoice_id}/approve"), Some(&secret(Funder)), None, &[]).await.0, 200);
    let today = chrono::Utc::now().date_naive().to_string();
    let pay = json!({"invoice_ids": [invoice_id], "paid_on": today, "reference": "MATRIX", "debtor_iban": "DE89370400440532013000", "debtor_bic": "COBADEFFXXX"});
    let (status, _, paid) = api.send(Method::POST, "/settlements", Some(&secret(Funder)), body(pay.clone()), JSON).await;
    assert_eq!(status, 201, "{paid}");
    let settlement_id = paid["id"].as_i64().unwrap();
    let (status, _, queued) = api.send(Method::POST, "/usage-files?submit=true", Some(&secret(Provider)), Some(usage_csv(&code, &["1.00"]).into_bytes()), &[("Content-Type", "text/csv")]).await;
    assert_eq!(status, 202, "{queued}");
    let job_id = queued["id"].as_i64().unwrap();
    let job = finished(&api, &secret(Provider), queued["status_url"].as_str().unwrap()).await;
    let second_upload = job["upload_id"].as_i64().unwrap();
    let (programme, application) = (s.programme_id.get(), s.application_id.get());

    let case = |method: &'static str, pattern: &'static str, path: String, body: Option<Vec<u8>>, content_type: &'static str, expect: &[(Who, u16)]| Case { method, pattern, path, body, content_type, expect: expect.to_vec() };
    let csv = || Some(usage_csv(&code, &["1.00"]).into_bytes());
    let cases = vec![
        case("get", "/openapi.json", "/openapi.json".into(), None, "", &[(Funder, 200), (Startup, 200), (Provider, 200), (OtherFunder, 200), (OtherStartup, 200), (OtherProvider, 200)]),
        case("post", "/usage-files", "/usage-files".into(), csv(), "text/csv", &[(Provider, 202), (OtherProvider, 202)]),
        case("get", "/usage-files/{id}", format!("/usage-files/{job_id}"), None, "", &[(Provider, 200), (OtherProvider, 404)]),
        case("post", "/invoices", format!("/invoices?upload={second_upload}"), Some(b"<x/>".to_vec()), "application/xml", &[(Provider, 422), (OtherProvider, 404)]),
        case("get", "/invoices/{id}", format!("/invoices/{invoice_id}"), None, "", &[(Provider, 200), (Funder, 200), (OtherProvider, 404), (OtherFunder, 404)]),
        case("post", "/invoices/{id}/approve", format!("/invoices/{invoice_id}/approve"), None, "", &[(Funder, 409), (OtherFunder, 404)]),
        case("post", "/invoices/{id}/dispute", format!("/invoices/{invoice_id}/dispute"), body(json!({"reason": "Not ours to pay."})), "application/json", &[(Funder, 409), (OtherFunder, 404)]),
        case("get", "/grants", "/grants".into(), None, "", &[(Funder, 200), (Startup, 200), (Provider, 200), (OtherFunder, 200), (OtherStartup, 200), (OtherProvider, 200)]),
        case("get", "/grants/{code}", format!("/grants/{code}"), None, "", &[(Funder, 200), (Startup, 200), (Provider, 200), (OtherFunder, 404), (OtherStartup, 404), (OtherProvider, 404)]),
        case("get", "/catalogue", "/catalogue".into(), None, "", &[(Funder, 200), (Startup, 200), (Provider, 200), (OtherFunder, 200), (OtherStartup, 200), (OtherProvider, 200)]),
        case("put", "/catalogue", "/catalogue".into(), body(json!({"offerings": [{"sku_id": "", "name": "", "service_name": "x", "hardware_kind": "GPU", "unit": "h", "price": "1", "currency": "EUR"}]})), "application/json", &[(Provider, 422), (OtherProvider, 422)]),
        case("get", "/programmes", "/programmes".into(), None, "", &[(Funder, 200), (Startup, 200), (OtherFunder, 200), (OtherStartup, 200)]),
        case("post", "/programmes", "/programmes".into(), body(json!({})), "application/json", &[(Funder, 400), (OtherFunder, 400)]),
        case("get", "/programmes/{id}/applications", format!("/programmes/{programme}/applications"), None, "", &[(Funder, 200), (OtherFunder, 404), (Startup, 404), (OtherStartup, 404)]),
        case("get", "/programmes/{id}/report", format!("/programmes/{programme}/report"), None, "", &[(Funder, 200), (OtherFunder, 404)]),
        case("post", "/applications", "/applications".into(), body(json!({"programme_id": 999_999, "requested": "10.00", "purpose": "Nothing at all, really, for a test.", "hardware": "GPU", "provider_id": s.provider_id.get()})), "application/json", &[(Startup, 404), (OtherStartup, 404)]),
        case("get", "/applications/{id}", format!("/applications/{application}"), None, "", &[(Funder, 200), (Startup, 200), (OtherFunder, 404), (OtherStartup, 404)]),
        case("post", "/applications/{id}/decision", format!("/applications/{application}/decision"), body(json!({"decision": "reject", "reason": "Already decided."})), "application/json", &[(Funder, 409), (OtherFunder, 404)]),
        // The offer was accepted already (the grant exists): nothing left to answer.
        case("post", "/applications/{id}/accept", format!("/applications/{application}/accept"), body(json!({"declaration_confirmed": true})), "application/json", &[(Startup, 409), (OtherStartup, 404)]),
        case("post", "/applications/{id}/decline", format!("/applications/{application}/decline"), None, "", &[(Startup, 409), (OtherStartup, 404)]),
        case("post", "/settlements", "/settlements".into(), body(pay), "application/json", &[(Funder, 422), (OtherFunder, 404)]),
        case("get", "/settlements/{id}", format!("/settlements/{settlement_id}"), None, "", &[(Funder, 200), (OtherFunder, 404)]),
        case("get", "/settlements/{id}/pain.001.xml", format!("/settlements/{settlement_id}/pain.001.xml"), None, "", &[(Funder, 200), (OtherFunder, 404)]),
    ];

    // Every operation of the route table is called here: a new one must say who may call it.
    for route in computegrants::web::routes::API_ROUTES {
        assert!(cases.iter().any(|c| c.method == route.method && c.pattern == route.path), "no case for {} {}", route.method, route.path);
    }
    let mut calls = 0;
    for c in &cases {
        let route = computegrants::web::routes::api_rule(c.method, c.pattern).unwrap_or_else(|| panic!("{} {} is not in the route table", c.method, c.pattern));
        let method = Method::from_bytes(c.method.to_uppercase().as_bytes()).unwrap();
        let headers: Vec<(&str, &str)> = if c.content_type.is_empty() { Vec::new() } else { vec![("Content-Type", c.content_type)] };
        let call = |secret: Option<String>| {
            let (api, method, headers) = (&api, method.clone(), headers.clone());
            async move { api.send(method, &c.path, secret.as_deref(), c.body.clone(), &headers).await }
        };
        let Some(scope) = route.scope else {
            assert_eq!(call(None).await.0, 200, "{} {} is public", c.method, c.pattern);
            continue;
        };
        // No token, a made-up one: 401.
        assert_eq!(call(None).await.0, 401, "{} {} without a token", c.method, c.pattern);
        assert_eq!(call(Some("cg_madeup".into())).await.0, 401, "{} {} with a made-up token", c.method, c.pattern);
        for who in Who::ALL {
            let holds = computegrants::domain::api_tokens::Scope::offered_in(who.kind()).contains(&scope);
            let expected = match c.expect.iter().find(|(w, _)| *w == who) {
                Some((_, status)) => {
                    assert!(holds, "{who:?} cannot hold {} for {} {}", scope.as_str(), c.method, c.pattern);
                    *status
                }
                None => {
                    assert!(!holds, "{who:?} can hold {}: say what it gets from {} {}", scope.as_str(), c.method, c.pattern);
                    403
                }
            };
            let (status, _, answer) = call(Some(secret(who))).await;
            assert_eq!(status, expected, "{who:?} {} {}: {answer}", c.method, c.pattern);
            calls += 1;
            if holds {
                // The same organisation without this one scope: 403.
                let others: Vec<_> = computegrants::domain::api_tokens::Scope::offered_in(who.kind()).iter().copied().filter(|s| *s != scope).collect();
                let narrow = token(&mut conn, who.org(), &format!("without {}", scope.as_str()), &others);
                let (status, _, answer) = call(Some(narrow)).await;
                assert_eq!(status, 403, "{who:?} without {} on {} {}: {answer}", scope.as_str(), c.method, c.pattern);
                assert_eq!(answer["code"], "api-problem-missing-scope", "{answer}");
            }
        }
    }
    assert!(calls >= 100, "{calls} calls");
    // What lists show is the caller's own: another startup sees no grant.
    let (_, _, grants) = api.get("/grants", Some(&secret(OtherStartup))).await;
    assert!(grants["items"].as_array().unwrap().is_empty(), "{grants}");
    s.app.verify_ledger().unwrap();
}
both_backends!(every_operation_answers_each_caller_as_the_access_policy_says);

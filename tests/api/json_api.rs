//! The JSON API through real HTTP: tokens (browser, command line), scopes, the access policy,
//! problem documents in the caller's language, idempotent pushes and rate limits.

use crate::both_backends;
use crate::helpers::{Backend, usage_csv};
use crate::journey::{approve, programme_with_application};
use computegrants::domain::api_tokens::{self, NewToken, Scope};
use computegrants::domain::identity;

pub(crate) fn token(conn: &mut computegrants::db::AnyConnection, org: &str, name: &str, scopes: &[Scope]) -> String {
    let org = identity::find_org_by_name(conn, org).unwrap().unwrap();
    api_tokens::create(conn, &org, None, &NewToken { name: name.into(), scopes: scopes.to_vec(), expires_on: None }).unwrap().1
}

pub(crate) struct Api {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

impl Api {
    pub(crate) async fn send(&self, method: reqwest::Method, path: &str, secret: Option<&str>, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
        let mut r = self.http.request(method, format!("{}/api/v1{path}", self.base));
        if let Some(s) = secret {
            r = r.bearer_auth(s);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.body(b);
        }
        let resp = r.send().await.unwrap();
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let text = resp.text().await.unwrap();
        (status, headers, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }
    pub(crate) async fn get(&self, path: &str, secret: Option<&str>) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
        self.send(reqwest::Method::GET, path, secret, None, &[]).await
    }
}

async fn a_provider_pushes_usage_and_reads_its_charges(backend: Backend) {
    let mut s = programme_with_application(backend, "a_provider_pushes_usage_and_reads_its_charges").await;
    let code = approve(&mut s, "40000").await;
    let mut conn = s.app.conn();
    let provider = token(&mut conn, "Test GPU Cloud", "billing system", &[Scope::UsageWrite, Scope::GrantsRead, Scope::CatalogueRead]);
    let narrow = token(&mut conn, "Test GPU Cloud", "reader", &[Scope::GrantsRead]);
    let startup = token(&mut conn, "Lumen Test Labs", "dashboard", &[Scope::GrantsRead]);
    let funder = token(&mut conn, "Test Funding Agency", "grant tool", &[Scope::ProgrammesRead, Scope::DecisionsWrite, Scope::GrantsRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };

    // No, bad, or unscoped token.
    let (status, headers, body) = api.get("/grants", None).await;
    assert_eq!(status, 401, "{body}");
    assert!(headers.get("www-authenticate").unwrap().to_str().unwrap().starts_with("Bearer"));
    assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
    assert_eq!(api.get("/grants", Some("cg_nonsense")).await.0, 401);
    assert_eq!(api.send(reqwest::Method::POST, "/usage-files", Some(&narrow), Some(b"x".to_vec()), &[]).await.0, 403);
    // Another organisation's kind of work: the funder has no usage:write scope to offer, and its grants are its own.
    assert_eq!(api.get("/programmes", Some(&provider)).await.0, 403);

    // Grants this provider may bill, with their balance.
    let (status, _, grants) = api.get("/grants", Some(&provider)).await;
    assert_eq!(status, 200, "{grants}");
    assert_eq!(grants["items"][0]["code"], code.as_str());
    assert_eq!(grants["items"][0]["available"], "40000.00");

    // Push a usage file twice under one key: one job.
    let csv = usage_csv(&code, &["10.00", "2.50"]).into_bytes();
    let push = |key: &'static str, body: Vec<u8>| {
        let api = &api;
        let provider = provider.clone();
        async move { api.send(reqwest::Method::POST, "/usage-files?submit=true", Some(&provider), Some(body), &[("Idempotency-Key", key), ("Content-Type", "text/csv")]).await }
    };
    let (status, _, first) = push("october-1", csv.clone()).await;
    assert_eq!(status, 202, "{first}");
    let (status, headers, again) = push("october-1", csv.clone()).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again, first);
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    let (status, _, clash) = push("october-1", b"other".to_vec()).await;
    assert_eq!(status, 409, "{clash}");
    use computegrants::db::schema::usage_jobs;
    use diesel::prelude::*;
    let jobs: i64 = usage_jobs::table.count().get_result(&mut conn).unwrap();
    assert_eq!(jobs, 1, "the same push under one key queues one job");

    // Polled to acceptance, charges returned.
    let status_url = first["status_url"].as_str().unwrap().trim_start_matches("/api/v1").to_string();
    let mut job = serde_json::Value::Null;
    for _ in 0..200 {
        let (status, _, body) = api.get(&status_url, Some(&provider)).await;
        assert_eq!(status, 200, "{body}");
        job = body;
        if ["accepted", "refused", "failed"].contains(&job["status"].as_str().unwrap()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(job["status"], "accepted", "{job}");
    assert_eq!(job["charges"][0]["grant_code"], code.as_str());
    assert_eq!(job["charges"][0]["amount"], "12.50");
    assert_eq!(job["upload_status"], "submitted");
    // Others' jobs are not found.
    assert_eq!(api.get(&status_url, Some(&startup)).await.0, 403);
    let other_provider = {
        s.app.create_member(computegrants::domain::identity::OrgKind::Provider, "Other Cloud", "ops@other.test");
        token(&mut conn, "Other Cloud", "theirs", &[Scope::UsageWrite])
    };
    assert_eq!(api.get(&status_url, Some(&other_provider)).await.0, 404);

    // A refused file: problems with line and column, in French.
    let bad = usage_csv("NOT-A-GRANT", &["1.00"]).into_bytes();
    let (_, _, queued) = api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(bad), &[]).await;
    let url = queued["status_url"].as_str().unwrap().trim_start_matches("/api/v1").to_string();
    let mut refused = serde_json::Value::Null;
    for _ in 0..200 {
        let (_, _, body) = api.send(reqwest::Method::GET, &url, Some(&provider), None, &[("Accept-Language", "fr-FR,fr;q=0.9")]).await;
        refused = body;
        if refused["status"] != "queued" && refused["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(refused["status"], "refused", "{refused}");
    assert_eq!(refused["problems"][0]["line"], 2, "{refused}");
    assert!(refused["problems"][0]["code"].as_str().unwrap().starts_with("usage-"), "{refused}");

    // The startup reads its grant and statement; the funder too; a stranger's code is not found.
    let (status, _, statement) = api.get(&format!("/grants/{code}"), Some(&startup)).await;
    assert_eq!(status, 200, "{statement}");
    assert_eq!(statement["held"], "12.50");
    assert_eq!(api.get(&format!("/grants/{code}"), Some(&funder)).await.0, 200);
    assert_eq!(api.get("/grants/G-0000-0000", Some(&startup)).await.0, 404);
    // Problems in French.
    let (status, headers, problem) = api.send(reqwest::Method::GET, "/grants", None, None, &[("Accept-Language", "fr")]).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("content-language").unwrap(), "fr");
    assert_eq!(problem["title"], "Authentification requise", "{problem}");
    // The funder's programmes and applications, paginated.
    let (status, _, programmes) = api.get("/programmes?limit=1", Some(&funder)).await;
    assert_eq!(status, 200, "{programmes}");
    assert_eq!(programmes["items"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/programmes?limit=1000", Some(&funder)).await.0, 400);
    let (status, _, apps) = api.get(&format!("/programmes/{}/applications", s.programme_id), Some(&funder)).await;
    assert_eq!(status, 200, "{apps}");
    assert_eq!(apps["items"][0]["status"], "approved");
    // Ledger entries and audit name the token.
    use computegrants::db::schema::audit_events;
    let actors: Vec<String> = audit_events::table.select(audit_events::actor).load(&mut conn).unwrap();
    assert!(actors.iter().any(|a| a == "api-token:billing system"), "{actors:?}");
    // The OpenAPI document is public and lists the operations.
    let (status, _, doc) = api.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    assert!(doc["paths"]["/api/v1/usage-files"]["post"].is_object());
    s.app.verify_ledger().unwrap();
}
both_backends!(a_provider_pushes_usage_and_reads_its_charges);

async fn a_token_made_in_the_browser_works_until_revoked(backend: Backend) {
    let mut s = programme_with_application(backend, "a_token_made_in_the_browser_works_until_revoked").await;
    s.provider.refresh_csrf("/organisation/api-tokens").await;
    let r = s.provider.post("/organisation/api-tokens", &[("name", "nightly"), ("scope", "grants:read"), ("scope", "usage:write"), ("expires_on", "")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let start = r.body.find("cg_").expect("the secret is shown");
    let secret: String = r.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    assert_eq!(api.get("/grants", Some(&secret)).await.0, 200);
    let page = s.provider.get("/organisation/api-tokens").await;
    assert!(!page.body.contains(&secret), "the secret is shown once");
    let id = {
        use computegrants::db::schema::api_tokens;
        use diesel::prelude::*;
        api_tokens::table.select(api_tokens::id).first::<i64>(&mut s.app.conn()).unwrap()
    };
    s.provider.refresh_csrf("/organisation/api-tokens").await;
    assert_eq!(s.provider.post(&format!("/organisation/api-tokens/{id}/revoke"), &[]).await.status, 303);
    assert_eq!(api.get("/grants", Some(&secret)).await.0, 401);
    // Scopes the organisation cannot use are refused.
    s.provider.refresh_csrf("/organisation/api-tokens").await;
    let r = s.provider.post("/organisation/api-tokens", &[("name", "bad"), ("scope", "decisions:write")]).await;
    assert_eq!(r.status, 422);
}
both_backends!(a_token_made_in_the_browser_works_until_revoked);

/// Polls a usage file's status until its check ends.
pub(crate) async fn finished(api: &Api, secret: &str, status_url: &str) -> serde_json::Value {
    let url = status_url.trim_start_matches("/api/v1").to_string();
    for _ in 0..300 {
        let (status, _, body) = api.get(&url, Some(secret)).await;
        assert_eq!(status, 200, "{body}");
        if !["queued", "running"].contains(&body["status"].as_str().unwrap()) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the usage file {status_url} was still being checked");
}

async fn past_the_rate_limit_a_token_and_then_an_address_get_429_with_retry_after(backend: Backend) {
    let test = "past_the_rate_limit_a_token_and_then_an_address_get_429_with_retry_after";
    let app = crate::helpers::TestApp::spawn_with_api_limit(backend, test, 3).await;
    app.create_member(identity::OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    let mut conn = app.conn();
    let first = token(&mut conn, "Test GPU Cloud", "first", &[Scope::GrantsRead]);
    let second = token(&mut conn, "Test GPU Cloud", "second", &[Scope::GrantsRead]);
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    for _ in 0..3 {
        assert_eq!(api.get("/grants", Some(&first)).await.0, 200);
    }
    let (status, headers, problem) = api.get("/grants", Some(&first)).await;
    assert_eq!(status, 429, "{problem}");
    let wait: u64 = headers.get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
    assert_eq!(problem["status"], 429);
    // Another token of the same address has its own allowance, until the address's (twice the token's) is spent.
    assert_eq!(api.get("/grants", Some(&second)).await.0, 200);
    assert_eq!(api.get("/grants", Some(&second)).await.0, 200);
    let (status, headers, _) = api.get("/grants", Some(&second)).await;
    assert_eq!(status, 429);
    assert!(headers.get("retry-after").is_some());
    // The public document is not limited.
    assert_eq!(api.get("/openapi.json", None).await.0, 200);
}
both_backends!(past_the_rate_limit_a_token_and_then_an_address_get_429_with_retry_after);

async fn a_token_made_by_the_command_line_works_against_the_api(backend: Backend) {
    let test = "a_token_made_by_the_command_line_works_against_the_api";
    let app = crate::helpers::TestApp::spawn(backend, test).await;
    let provider = app.create_member(identity::OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let out = crate::cli::cli(&app.db.url, &["admin", "create-token", "--org", "Test GPU Cloud", "--name", "nightly", "--scopes", "catalogue:read,grants:read"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("cg_"), "{secret}");
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    let (status, _, catalogue) = api.get("/catalogue", Some(&secret)).await;
    assert_eq!(status, 200, "{catalogue}");
    assert_eq!(catalogue["items"][0]["name"], "GPU compute", "{catalogue}");
    assert_eq!(catalogue["items"][0]["provider"], "Test GPU Cloud", "{catalogue}");
    // Its scopes hold: no usage:write.
    assert_eq!(api.send(reqwest::Method::POST, "/usage-files", Some(&secret), Some(b"x".to_vec()), &[]).await.0, 403);
    // A scope the organisation cannot have is refused by the command, and nothing is created.
    let out = crate::cli::cli(&app.db.url, &["admin", "create-token", "--org", "Test GPU Cloud", "--name", "bad", "--scopes", "decisions:write"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}
both_backends!(a_token_made_by_the_command_line_works_against_the_api);

async fn invoices_are_sent_read_approved_and_disputed_through_the_api(backend: Backend) {
    let test = "invoices_are_sent_read_approved_and_disputed_through_the_api";
    let (s, code, upload) = crate::invoices::held_usage(backend, test).await;
    let upload_id: i64 = upload.rsplit('/').next().unwrap().parse().unwrap();
    let mut conn = s.app.conn();
    let provider = token(&mut conn, "Test GPU Cloud", "billing", &[Scope::UsageWrite, Scope::InvoicesWrite, Scope::InvoicesRead]);
    let funder = token(&mut conn, "Test Funding Agency", "ap", &[Scope::DecisionsWrite, Scope::InvoicesRead]);
    let startup = token(&mut conn, "Lumen Test Labs", "dash", &[Scope::GrantsRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    let post = |path: String, secret: String, body: Vec<u8>, kind: &'static str| {
        let api = &api;
        async move { api.send(reqwest::Method::POST, &path, Some(&secret), Some(body), &[("Content-Type", kind)]).await }
    };
    const SELLER: &str = "Test GPU Cloud SAS";
    const BUYER: &str = "Test Funding Agency";

    // An invoice that does not reconcile: 422 with every problem.
    let wrong = crate::helpers::ubl_invoice("API-1", SELLER, BUYER, &[(code.as_str(), "120.49"), ("G-1999-0001", "5.00")]);
    let (status, headers, problem) = post(format!("/invoices?upload={upload_id}"), provider.clone(), wrong.into_bytes(), "application/xml").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
    assert!(problem["problems"].as_array().unwrap().len() >= 2, "{problem}");
    assert!(problem["problems"].as_array().unwrap().iter().all(|p| p["code"].is_string() && p["message"].is_string()), "{problem}");
    // Not XML at all: 422 too, never a 5xx.
    let (status, _, problem) = post(format!("/invoices?upload={upload_id}"), provider.clone(), b"hello".to_vec(), "application/xml").await;
    assert_eq!(status, 422, "{problem}");
    // Another organisation's upload is not found.
    assert_eq!(post(format!("/invoices?upload={}", upload_id + 1000), provider.clone(), b"<x/>".to_vec(), "application/xml").await.0, 404);

    // The right UBL invoice: 201, then read by both sides, not by the startup.
    let right = crate::helpers::ubl_invoice("API-2", SELLER, BUYER, &[(code.as_str(), "120.50")]);
    let (status, _, invoice) = post(format!("/invoices?upload={upload_id}"), provider.clone(), right.into_bytes(), "application/xml").await;
    assert_eq!(status, 201, "{invoice}");
    assert_eq!(invoice["number"], "API-2");
    assert_eq!(invoice["syntax"], "ubl");
    assert_eq!(invoice["net_total"], "120.50");
    assert_eq!(invoice["grants"][0]["grant_code"], code.as_str());
    let id = invoice["id"].as_i64().unwrap();
    let (status, _, read) = api.get(&format!("/invoices/{id}"), Some(&provider)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read, invoice);
    assert_eq!(api.get(&format!("/invoices/{id}"), Some(&funder)).await.0, 200);
    assert_eq!(api.get(&format!("/invoices/{id}"), Some(&startup)).await.0, 403);
    assert_eq!(api.get(&format!("/invoices/{}", id + 1000), Some(&provider)).await.0, 404);

    // The funder approves it; approving twice is a conflict.
    let (status, _, approved) = post(format!("/invoices/{id}/approve"), funder.clone(), Vec::new(), "application/json").await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "approved", "{approved}");
    let (status, _, again) = post(format!("/invoices/{id}/approve"), funder.clone(), Vec::new(), "application/json").await;
    assert_eq!(status, 409, "{again}");

    // More usage pushed through the API, invoiced as a Factur-X PDF, then disputed.
    let csv = usage_csv(&code, &["10.00", "2.50"]).into_bytes();
    let (status, _, queued) = post("/usage-files?submit=true".into(), provider.clone(), csv, "text/csv").await;
    assert_eq!(status, 202, "{queued}");
    let job = finished(&api, &provider, queued["status_url"].as_str().unwrap()).await;
    assert_eq!(job["upload_status"], "submitted", "{job}");
    let second = job["upload_id"].as_i64().unwrap();
    let pdf = crate::helpers::facturx_pdf(&crate::helpers::cii_invoice("API-3", SELLER, BUYER, &[(code.as_str(), "12.50")]));
    let (status, _, invoice) = post(format!("/invoices?upload={second}"), provider.clone(), pdf, "application/pdf").await;
    assert_eq!(status, 201, "{invoice}");
    assert_eq!(invoice["syntax"], "factur-x");
    assert_eq!(invoice["payable"], "15.00");
    let disputed_id = invoice["id"].as_i64().unwrap();
    // A dispute needs a reason.
    let (status, _, problem) = post(format!("/invoices/{disputed_id}/dispute"), funder.clone(), b"{}".to_vec(), "application/json").await;
    assert_eq!(status, 400, "{problem}");
    // An empty one is the request's fault field by field: 422, naming the field and the rule.
    let (status, _, problem) = post(format!("/invoices/{disputed_id}/dispute"), funder.clone(), br#"{"reason":""}"#.to_vec(), "application/json").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["path"], "reason", "{problem}");
    assert_eq!(problem["problems"][0]["code"], "invoice-dispute-reason-missing", "{problem}");
    let (status, _, disputed) = post(format!("/invoices/{disputed_id}/dispute"), funder.clone(), br#"{"reason":"Hours do not match our logs."}"#.to_vec(), "application/json").await;
    assert_eq!(status, 200, "{disputed}");
    assert_eq!(disputed["status"], "disputed");
    assert_eq!(disputed["dispute_reason"], "Hours do not match our logs.");
    // The provider cannot decide its own invoices: no such scope to offer it.
    assert_eq!(post(format!("/invoices/{disputed_id}/approve"), provider.clone(), Vec::new(), "application/json").await.0, 403);
    s.app.verify_ledger().unwrap();
}
both_backends!(invoices_are_sent_read_approved_and_disputed_through_the_api);

async fn a_funder_decides_an_application_and_reads_the_catalogue(backend: Backend) {
    let test = "a_funder_decides_an_application_and_reads_the_catalogue";
    let s = programme_with_application(backend, test).await;
    let mut conn = s.app.conn();
    let funder = token(&mut conn, "Test Funding Agency", "committee", &[Scope::DecisionsWrite, Scope::ProgrammesRead, Scope::CatalogueRead]);
    let startup = token(&mut conn, "Lumen Test Labs", "dash", &[Scope::GrantsRead, Scope::CatalogueRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    let path = format!("/applications/{}/decision", s.application_id);
    let decide = |body: &'static str, key: &'static str| {
        let (api, path, funder) = (&api, path.clone(), funder.clone());
        async move {
            let mut headers = vec![("Content-Type", "application/json")];
            if !key.is_empty() {
                headers.push(("Idempotency-Key", key));
            }
            api.send(reqwest::Method::POST, &path, Some(&funder), Some(body.as_bytes().to_vec()), &headers).await
        }
    };
    assert_eq!(decide(r#"{"decision":"maybe"}"#, "").await.0, 422);
    assert_eq!(decide(r#"{"decision":"approve"}"#, "").await.0, 422, "an approval names its amount");
    assert_eq!(decide(r#"{"decision":"approve","amount":"lots"}"#, "").await.0, 422);
    let (status, _, problem) = decide(r#"{"decision":"approve","amount":"90000"}"#, "").await;
    assert_eq!(status, 422, "over the programme's maximum award: {problem}");
    assert_eq!(problem["problems"][0]["path"], "amount", "{problem}");
    assert_eq!(decide(r#"{"verdict":"approve"}"#, "").await.0, 400);
    assert_eq!(decide("not json", "").await.0, 400);
    let (status, _, approved) = decide(r#"{"decision":"approve","amount":"40000.00"}"#, "committee-1").await;
    assert_eq!(status, 200, "{approved}");
    // An approval is an offer: committed, no grant until the startup accepts.
    assert_eq!(approved["status"], "offered");
    assert_eq!(approved["approved_amount"], "40000.00");
    assert!(approved["grant_code"].is_null() && approved["offer_expires_at"].is_string(), "{approved}");
    let (status, headers, replayed) = decide(r#"{"decision":"approve","amount":"40000.00"}"#, "committee-1").await;
    assert_eq!(status, 200);
    assert_eq!(replayed, approved);
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    // Deciding again without the key is a conflict, not a second grant.
    assert_eq!(decide(r#"{"decision":"reject","reason":"Changed our mind."}"#, "").await.0, 409);
    use computegrants::db::schema::grants;
    use diesel::prelude::*;
    assert_eq!(grants::table.count().get_result::<i64>(&mut conn).unwrap(), 0, "an offer, not yet a grant");
    // The startup has no decisions:write to use; an unknown application is not found.
    assert_eq!(api.send(reqwest::Method::POST, &path, Some(&startup), Some(b"{}".to_vec()), &[]).await.0, 403);
    assert_eq!(api.send(reqwest::Method::POST, "/applications/999999/decision", Some(&funder), Some(br#"{"decision":"reject","reason":"x"}"#.to_vec()), &[]).await.0, 404);

    // The catalogue, for anyone with the scope, paginated.
    let (status, _, catalogue) = api.get("/catalogue", Some(&startup)).await;
    assert_eq!(status, 200, "{catalogue}");
    assert_eq!(catalogue["items"][0]["provider"], "Test GPU Cloud");
    assert_eq!(catalogue["items"][0]["unit"], "GPU-hour");
    let (status, _, page) = api.get("/catalogue?limit=1", Some(&funder)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/catalogue?limit=0", Some(&funder)).await.0, 400);
    s.app.verify_ledger().unwrap();
}
both_backends!(a_funder_decides_an_application_and_reads_the_catalogue);

async fn two_pushes_racing_for_a_grants_last_credits_never_overdraw_it(backend: Backend) {
    let test = "two_pushes_racing_for_a_grants_last_credits_never_overdraw_it";
    let mut s = programme_with_application(backend, test).await;
    let code = approve(&mut s, "100").await;
    let mut conn = s.app.conn();
    let provider = token(&mut conn, "Test GPU Cloud", "billing", &[Scope::UsageWrite, Scope::GrantsRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    // Each file alone fits the grant (60 of 100); both together do not.
    let push = |costs: &'static [&'static str]| {
        let (api, provider, csv) = (&api, provider.clone(), usage_csv(&code, costs).into_bytes());
        async move { api.send(reqwest::Method::POST, "/usage-files?submit=true", Some(&provider), Some(csv), &[("Content-Type", "text/csv")]).await }
    };
    let ((a, _, first), (b, _, second)) = tokio::join!(push(&["30.00", "30.00"]), push(&["20.00", "40.00"]));
    assert_eq!((a, b), (202, 202), "{first} {second}");
    let first = finished(&api, &provider, first["status_url"].as_str().unwrap()).await;
    let second = finished(&api, &provider, second["status_url"].as_str().unwrap()).await;
    let submitted = [&first, &second].iter().filter(|j| j["upload_status"] == "submitted").count();
    assert_eq!(submitted, 1, "exactly one file holds the credits: {first} {second}");
    let (status, _, grant) = api.get(&format!("/grants/{code}"), Some(&provider)).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["held"], "60.00", "{grant}");
    assert_eq!(grant["balance"], "40.00", "{grant}");
    s.app.verify_ledger().unwrap();
}
both_backends!(two_pushes_racing_for_a_grants_last_credits_never_overdraw_it);

/// What schemathesis found: extractors answered plain text, other methods on a known path 404,
/// and the document promised `application/json` for errors sent as problem documents.
async fn unreadable_requests_get_problem_documents_and_the_document_says_so(backend: Backend) {
    let test = "unreadable_requests_get_problem_documents_and_the_document_says_so";
    let app = crate::helpers::TestApp::spawn(backend, test).await;
    app.create_member(identity::OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    let provider = token(&mut app.conn(), "Test GPU Cloud", "billing", &[Scope::GrantsRead, Scope::InvoicesWrite, Scope::UsageWrite]);
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    for path in ["/grants?limit=abc", "/grants?after=0", "/grants?after=-5", "/grants?limit=0"] {
        let (status, headers, problem) = api.get(path, Some(&provider)).await;
        assert_eq!(status, 400, "{path}: {problem}");
        assert_eq!(headers.get("content-type").unwrap(), "application/problem+json", "{path}");
        assert_eq!(problem["status"], 400, "{path}");
    }
    // A required query parameter missing or unreadable.
    for path in ["/invoices", "/invoices?upload=x"] {
        let (status, headers, problem) = api.send(reqwest::Method::POST, path, Some(&provider), Some(b"<x/>".to_vec()), &[]).await;
        assert_eq!(status, 400, "{path}: {problem}");
        assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
        assert_eq!(problem["code"], "api-query-invalid");
    }
    let (status, _, _) = api.send(reqwest::Method::POST, "/usage-files?submit=perhaps", Some(&provider), Some(b"x".to_vec()), &[]).await;
    assert_eq!(status, 400);
    // Another method on a known path: 405 with Allow; an unknown path stays 404.
    let (status, headers, problem) = api.send(reqwest::Method::DELETE, "/grants", Some(&provider), None, &[]).await;
    assert_eq!(status, 405, "{problem}");
    assert_eq!(headers.get("allow").unwrap(), "GET");
    assert_eq!(headers.get("content-type").unwrap(), "application/problem+json");
    assert_eq!(api.send(reqwest::Method::PUT, "/nothing-here", Some(&provider), None, &[]).await.0, 404);
    // The document: errors are problem documents, 401/403/429 everywhere a token is needed,
    // Retry-After on 429, files as binary bodies.
    let (_, _, doc) = api.get("/openapi.json", None).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            for status in ["401", "403", "429"] {
                assert!(op["responses"][status]["content"]["application/problem+json"].is_object(), "{method} {path} {status}");
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    assert!(response["content"].get("application/json").is_none(), "{method} {path} {status}");
                }
            }
            assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object(), "{method} {path}");
        }
    }
    assert_eq!(doc["paths"]["/api/v1/usage-files"]["post"]["requestBody"]["content"]["text/csv"]["schema"]["format"], "binary");
    assert!(doc["paths"]["/api/v1/invoices"]["post"]["requestBody"]["content"]["application/pdf"].is_object());
    assert_eq!(doc["paths"]["/api/v1/grants"]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit").unwrap()["schema"]["maximum"], 100);
}
both_backends!(unreadable_requests_get_problem_documents_and_the_document_says_so);

/// Two requests with one new Idempotency-Key at once: the key is claimed before the work, so
/// one does it and the other is told it is in progress (409) or replays its answer; never two jobs.
async fn two_requests_racing_with_one_new_idempotency_key_do_the_work_once(backend: Backend) {
    let test = "two_requests_racing_with_one_new_idempotency_key_do_the_work_once";
    let mut s = programme_with_application(backend, test).await;
    let code = approve(&mut s, "40000").await;
    let mut conn = s.app.conn();
    let provider = token(&mut conn, "Test GPU Cloud", "billing", &[Scope::UsageWrite]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    use computegrants::db::schema::usage_jobs;
    use diesel::prelude::*;
    for round in 0..5 {
        let key = format!("race-{round}");
        let csv = usage_csv(&code, &["1.00"]).into_bytes();
        let headers = [("Idempotency-Key", key.as_str()), ("Content-Type", "text/csv")];
        let push = || api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(csv.clone()), &headers);
        let ((a, _, first), (b, _, second)) = tokio::join!(push(), push());
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert!(statuses == [202, 202] || statuses == [202, 409], "{statuses:?} {first} {second}");
        if statuses == [202, 202] {
            assert_eq!(first, second, "the second replays the first");
        } else {
            let conflict = if a == 409 { &first } else { &second };
            assert_eq!(conflict["code"], "api-idempotency-key-in-progress", "{conflict}");
        }
        // Once answered, the key replays.
        let (status, headers, again) = push().await;
        assert_eq!(status, 202, "{again}");
        assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    }
    let jobs: i64 = usage_jobs::table.count().get_result(&mut conn).unwrap();
    assert_eq!(jobs, 5, "one job a key");
    // A claim left by a server that stopped mid-request: refused while recent, freed once stale.
    use computegrants::db::schema::api_idempotency;
    let token_id: i64 = computegrants::db::schema::api_tokens::table.select(computegrants::db::schema::api_tokens::id).first(&mut conn).unwrap();
    for (key, age) in [("recent", 1), ("abandoned", api_tokens::STALE_CLAIM_MINUTES + 1)] {
        diesel::insert_into(api_idempotency::table)
            .values((
                api_idempotency::token_id.eq(token_id),
                api_idempotency::idempotency_key.eq(key),
                api_idempotency::request_sha256.eq("whatever"),
                api_idempotency::status.eq(0),
                api_idempotency::body.eq(""),
                api_idempotency::created_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(age)),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let csv = usage_csv(&code, &["1.00"]).into_bytes();
    let (status, _, body) = api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(csv.clone()), &[("Idempotency-Key", "recent")]).await;
    assert_eq!(status, 409, "{body}");
    let (status, _, body) = api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(csv), &[("Idempotency-Key", "abandoned")]).await;
    assert_eq!(status, 202, "{body}");
    // A refused request frees its key: the same key then works.
    let (status, _, _) = api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(Vec::new()), &[("Idempotency-Key", "empty-first")]).await;
    assert_eq!(status, 422);
    let (status, _, body) = api.send(reqwest::Method::POST, "/usage-files", Some(&provider), Some(b"x".to_vec()), &[("Idempotency-Key", "empty-first")]).await;
    assert_eq!(status, 202, "{body}");
}
both_backends!(two_requests_racing_with_one_new_idempotency_key_do_the_work_once);

/// Lists are read a page at a time in SQL: walking `next` gives every row once, newest first,
/// the same rows as one large page.
async fn lists_walked_page_by_page_give_every_row_once_newest_first(backend: Backend) {
    let test = "lists_walked_page_by_page_give_every_row_once_newest_first";
    let app = crate::helpers::TestApp::spawn(backend, test).await;
    let mut conn = app.conn();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let funder = token(&mut conn, "Mission Calcul IA", "pages", &[Scope::GrantsRead, Scope::ProgrammesRead, Scope::CatalogueRead]);
    let provider = token(&mut conn, "Centre de Calcul Atlantique", "pages", &[Scope::GrantsRead, Scope::CatalogueRead]);
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    for (secret, list) in [(&funder, "/grants"), (&funder, "/programmes"), (&funder, "/catalogue"), (&provider, "/catalogue"), (&provider, "/grants")] {
        let (status, _, whole) = api.get(&format!("{list}?limit=100"), Some(secret)).await;
        assert_eq!(status, 200, "{whole}");
        assert!(whole["next"].is_null());
        let all: Vec<i64> = whole["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(!all.is_empty(), "{list}: {whole}");
        assert!(all.windows(2).all(|w| w[0] > w[1]), "{list}: newest first: {all:?}");
        let mut walked = Vec::new();
        let mut path = format!("{list}?limit=1");
        loop {
            let (status, _, page) = api.get(&path, Some(secret)).await;
            assert_eq!(status, 200, "{page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 1);
            walked.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
            match page["next"].as_i64() {
                Some(next) => path = format!("{list}?limit=1&after={next}"),
                None => break,
            }
        }
        assert_eq!(walked, all, "{list}");
    }
    // A programme's applications too.
    let (_, _, programmes) = api.get("/programmes", Some(&funder)).await;
    let id = programmes["items"][0]["id"].as_i64().unwrap();
    let (status, _, whole) = api.get(&format!("/programmes/{id}/applications"), Some(&funder)).await;
    assert_eq!(status, 200, "{whole}");
    let all: Vec<i64> = whole["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let (_, _, first) = api.get(&format!("/programmes/{id}/applications?limit=1"), Some(&funder)).await;
    assert_eq!(first["items"][0]["id"].as_i64(), all.first().copied());
    assert_eq!(first["next"].as_i64().is_some(), all.len() > 1);
}
both_backends!(lists_walked_page_by_page_give_every_row_once_newest_first);

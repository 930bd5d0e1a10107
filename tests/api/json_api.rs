//! The JSON API through real HTTP: tokens (browser, command line), scopes, the access policy,
//! problem documents in the caller's language, idempotent pushes and rate limits.

use crate::both_backends;
use crate::helpers::{Backend, usage_csv};
use crate::journey::{approve, programme_with_application};
use computegrants::domain::api_tokens::{self, NewToken, Scope};
use computegrants::domain::identity;

fn token(conn: &mut computegrants::db::AnyConnection, org: &str, name: &str, scopes: &[Scope]) -> String {
    let org = identity::find_org_by_name(conn, org).unwrap().unwrap();
    api_tokens::create(conn, &org, None, &NewToken { name: name.into(), scopes: scopes.to_vec(), expires_on: None }).unwrap().1
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, secret: Option<&str>, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
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
    async fn get(&self, path: &str, secret: Option<&str>) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
        self.send(reqwest::Method::GET, path, secret, None, &[]).await
    }
}

async fn a_provider_pushes_usage_and_reads_its_charges(backend: Backend) {
    let Some(mut s) = programme_with_application(backend, "a_provider_pushes_usage_and_reads_its_charges").await else { return };
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
    let Some(mut s) = programme_with_application(backend, "a_token_made_in_the_browser_works_until_revoked").await else { return };
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

//! Every route of the route table, as every role, in French: the access policy's answer, a page
//! in the asked language, and no catalogue key missing. A route added without a row in the table
//! never runs (the middleware refuses it); a row whose role may use it must answer with a page.

use crate::helpers::{Backend, Client, PASSWORD, id_from, usage_csv};
use crate::journey::{approve, programme_with_application};
use crate::both_backends;
use computegrants::db::schema::grants;
use computegrants::domain::access::{self, Role};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{GrantId, UploadId};
use computegrants::web::routes::ROUTES;
use diesel::prelude::*;

async fn every_route_answers_every_role_as_the_policy_says(backend: Backend) {
    let mut s = programme_with_application(backend, "every_route_answers_every_role_as_the_policy_says").await;
    let code = approve(&mut s, "40000").await;
    let grant_id: GrantId = grants::table.filter(grants::code.eq(&code)).select(grants::id).first(&mut s.app.conn()).unwrap();
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("october.csv", &usage_csv(&code, &["10.00"])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let upload_id: UploadId = id_from(&r.location);
    // A file large enough for the background job, refused (it bills an unknown grant).
    let big = usage_csv("NOT-A-GRANT", &["1.00"; 20]).repeat(40);
    let r = s.provider.upload("big.csv", &big).await;
    let job_path = r.location.unwrap();
    assert!(job_path.starts_with("/usage/jobs/"), "{job_path}");
    assert_eq!(s.provider.wait_for_job(&job_path).await.status, 200);
    let job_id = job_path.rsplit('/').next().unwrap().to_string();
    s.app.create_member(OrgKind::Platform, "Operations", "admin@ops.test");

    // Everyone in French, from a fresh browser.
    let as_french = |email: Option<&'static str>| {
        let app = &s.app;
        async move {
            let mut c = app.client_in("fr-FR,fr;q=0.9");
            if let Some(email) = email {
                c.refresh_csrf("/login").await;
                let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
                assert_eq!(r.status, 303, "{email}");
                c.refresh_csrf("/programmes").await;
                // A startup that signed up in English saved that language: it switches.
                assert_eq!(c.post("/language", &[("lang", "fr"), ("back", "/programmes")]).await.status, 303);
                c.refresh_csrf("/programmes").await;
            } else {
                c.refresh_csrf("/login").await;
            }
            c
        }
    };
    let people: Vec<(Role, Client)> = vec![
        (Role::Visitor, as_french(None).await),
        (Role::Startup, as_french(Some("founder@lumen.test")).await),
        (Role::Funder, as_french(Some("funder@agency.test")).await),
        (Role::Provider, as_french(Some("billing@gpu.test")).await),
        (Role::Admin, as_french(Some("admin@ops.test")).await),
    ];
    let own_id: std::collections::HashMap<Role, i64> = [
        (Role::Visitor, "nobody@nowhere.test"),
        (Role::Startup, "founder@lumen.test"),
        (Role::Funder, "funder@agency.test"),
        (Role::Provider, "billing@gpu.test"),
        (Role::Admin, "admin@ops.test"),
    ]
    .into_iter()
    .map(|(role, email)| {
        use computegrants::db::schema::users;
        let id = users::table.filter(users::email.eq(email)).select(users::id).first(&mut s.app.conn()).unwrap_or(0);
        (role, id)
    })
    .collect();
    let missing_before = computegrants::i18n::missing_lookups();
    let mut checked = 0;
    for rule in ROUTES {
        let id = match rule.path {
            p if p.starts_with("/programmes/") => s.programme_id.to_string(),
            p if p.starts_with("/applications/") => s.application_id.to_string(),
            p if p.starts_with("/grants/") => grant_id.to_string(),
            p if p.starts_with("/usage/jobs/") => job_id.clone(),
            p if p.starts_with("/usage/") => upload_id.to_string(),
            _ => "0".to_string(),
        };
        for (role, client) in &people {
            // Each person acts on themselves: the only member they surely may name.
            let id = if rule.path.starts_with("/organisation/members/") { own_id[role].to_string() } else { id.clone() };
            // Downloads name their format in the path: the walk asks for CSV.
            let path = rule.path.replace("{id}", &id).replace("{format}", "csv");
            let allowed = access::can(*role, rule.action);
            // Signing out or switching language would change who is asking for the rest of the walk.
            if allowed && matches!(rule.path, "/logout" | "/language" | "/account/password" | "/account/sessions/end-others") && rule.method == "post" {
                checked += 1;
                continue;
            }
            let r = if rule.method == "get" { client.get(&path).await } else { client.post(&path, &[]).await };
            let what = format!("{} {path} as {role:?}", rule.method.to_uppercase());
            assert!(r.status < 500, "{what}: {} {}", r.status, r.body);
            match (allowed, role) {
                (false, Role::Visitor) => {
                    assert_eq!(r.status, 303, "{what}");
                    assert!(r.location.as_deref().is_some_and(|l| l.starts_with("/login")), "{what}: {:?}", r.location);
                }
                (false, _) => {
                    assert_eq!(r.status, 404, "{what}");
                    assert!(r.body.contains("<html lang=\"fr\">") && r.body.contains("Page introuvable"), "{what}: {}", r.body);
                }
                (true, _) if rule.method == "get" => {
                    if *role == Role::Admin && path == "/" {
                        assert_eq!(r.location.as_deref(), Some("/admin"), "{what}");
                        checked += 1;
                        continue;
                    }
                    // A link without a valid token is the "link expired" page; the code step of a
                    // sign-in without a password first goes back to the password.
                    let expected = match rule.path {
                        "/invoices/{id}" | "/settlements/{id}" | "/settlements/{id}/pain.001.xml" => 404,
                        // No review is assigned in this walk (tests/api/reviews.rs walks them).
                        "/reviews/{id}" => 404,
                        // The walk's application is submitted, so frozen: only drafts and those
                        // sent back for changes are edited (tests/api/drafts.rs walks them).
                        "/applications/{id}/edit" => 409,
                        _ => 0,
                    };
                    let expected = if expected != 0 { expected } else { match path.as_str() {
                        "/password/reset" => 409,
                        "/invitations/accept" => 404,
                        "/login/code" => 303,
                        _ => 200,
                    } };
                    assert_eq!(r.status, expected, "{what}: {}", r.body);
                    if expected == 303 {
                        checked += 1;
                        continue;
                    }
                    // Downloads are data with fixed column names; pages are in the asked language.
                    if !path.ends_with(".csv") && !path.ends_with(".json") && !path.ends_with(".atom") {
                        assert!(r.body.contains("<html lang=\"fr\">"), "{what} is not in French");
                    }
                }
                // There is no invitation to withdraw, nor invoice, in this walk (tests/api/invoices.rs
                // checks who may see and decide invoices).
                (true, _) if rule.path.starts_with("/reviews/{id}/") => assert_eq!(r.status, 404, "{what}"),
                (true, _) if rule.path == "/organisation/invitations/{id}/revoke" || rule.path == "/organisation/api-tokens/{id}/revoke" || rule.path.starts_with("/invoices/{id}") => assert_eq!(r.status, 404, "{what}"),
                // A settlement needs approved invoices, which this walk has none of.
                (true, _) if rule.path == "/settlements" => assert_eq!(r.status, 422, "{what}"),
                // Allowed forms posted empty: refused as a form, never as not found.
                (true, _) => assert_ne!(r.status, 404, "{what}: {}", r.body),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROUTES.len() * people.len());
    assert_eq!(computegrants::i18n::missing_lookups(), missing_before, "a page looked up a key that no catalogue has (see the log)");
}
both_backends!(every_route_answers_every_role_as_the_policy_says);

//! Input an attacker (or a broken client) sends: control characters, huge fields, floods of the
//! same form. Refused at the edge with a field error, the same on both backends, nothing stored.

use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::journey::programme_with_application;
use crate::both_backends;
use computegrants::db::schema::{applications, organisations, programmes};
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

async fn control_characters_and_huge_fields_are_refused_with_field_errors(backend: Backend) {
    let app = TestApp::spawn(backend, "control_characters_and_huge_fields_are_refused_with_field_errors").await;
    app.create_member(OrgKind::Funder, "Agency", "funder@agency.test");
    let mut funder = app.login("funder@agency.test").await;
    funder.refresh_csrf("/programmes/new").await;
    // The defect: a NUL byte gave 500 on PostgreSQL and was stored on SQLite.
    let r = funder
        .post(
            "/programmes",
            &[("name", "Compute\u{0}Call"), ("description", "Line one\nline two"), ("currency", "EUR"), ("budget", "1000"), ("max_award", "10"), ("opens_on", "2026-01-01"), ("closes_on", "2026-12-31")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"name-error\"") && r.body.contains("control characters"), "{}", r.body);
    assert_eq!(programmes::table.count().get_result::<i64>(&mut app.conn()).unwrap(), 0);
    // Line breaks are fine in a description, as people type them.
    let r = funder
        .post(
            "/programmes",
            &[("name", "Compute Call"), ("description", "Line one\r\nline two"), ("currency", "EUR"), ("budget", "1000"), ("max_award", "10"), ("opens_on", "2026-01-01"), ("closes_on", "2026-12-31")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The defect: a 200 KB e-mail address was accepted at sign-up.
    let mut visitor = app.client();
    visitor.refresh_csrf("/signup").await;
    let huge = format!("{}@example.eu", "a".repeat(200_000));
    let r = visitor.post("/signup", &[("company_name", "Huge"), ("display_name", "H"), ("email", &huge), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Keep this under 254 characters"), "{}", &r.body[..r.body.len().min(2000)]);
    let count: i64 = organisations::table.filter(organisations::name.eq("Huge")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0, "nothing stored");
}
both_backends!(control_characters_and_huge_fields_are_refused_with_field_errors);

/// The defect: thirty applications from one startup to one programme were accepted in seconds.
async fn one_open_application_per_startup_and_programme(backend: Backend) {
    let s = programme_with_application(backend, "one_open_application_per_startup_and_programme").await;
    let path = format!("/programmes/{}/apply", s.programme_id);
    let mut startup = s.startup;
    startup.refresh_csrf(&path).await;
    let provider_id = s.provider_id.to_string();
    let fields = [("requested", "1000"), ("purpose", "Another try at the same programme, same company."), ("hardware", "GPU"), ("provider_id", provider_id.as_str())];
    let r = startup.post(&path, &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("already has an application to this programme"), "{}", r.body);
    // Many at once: the database's unique index holds where the check races.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let c = startup.clone_for_test();
        let path = path.clone();
        let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        tasks.push(actix_web::rt::spawn(async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post(&path, &borrowed).await.status
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == 422, "a concurrent duplicate answered {status}");
    }
    let open: i64 = applications::table.filter(applications::status.eq("submitted")).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(open, 1);
}
both_backends!(one_open_application_per_startup_and_programme);

/// The defect: a usage line with a 15 MB service name was accepted and stored.
async fn usage_lines_with_huge_texts_are_refused(backend: Backend) {
    let mut s = programme_with_application(backend, "usage_lines_with_huge_texts_are_refused").await;
    let code = crate::journey::approve(&mut s, "1000").await;
    let mut provider = s.provider;
    provider.refresh_csrf("/usage/new").await;
    let csv = crate::helpers::usage_csv(&code, &["1.00", "2.00"]).replacen("GPU compute", &"G".repeat(300), 1);
    let r = provider.upload("huge.csv", &csv).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("line 2, column ServiceName") && r.body.contains("is longer than 200 characters"), "{}", r.body);
    let stored: i64 = computegrants::db::schema::usage_lines::table.count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(stored, 0);
}
both_backends!(usage_lines_with_huge_texts_are_refused);

/// The upload checks the session, the role (the access policy, before the handler) and the CSRF
/// token before it reads the file: a file sent before the token is refused unread.
async fn an_upload_is_refused_before_its_file_is_read(backend: Backend) {
    let mut s = programme_with_application(backend, "an_upload_is_refused_before_its_file_is_read").await;
    let code = crate::journey::approve(&mut s, "1000").await;
    let mut provider = s.provider;
    provider.refresh_csrf("/usage/new").await;
    let csv = crate::helpers::usage_csv(&code, &["1.00"]);
    let file_first = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("usage.csv"))
        .text("csrf_token", provider.csrf.clone());
    let r = provider.http.post(format!("{}/usage", s.app.address)).multipart(file_first).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let wrong_token = reqwest::multipart::Form::new()
        .text("csrf_token", "0".repeat(64))
        .part("file", reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("usage.csv"));
    let r = provider.http.post(format!("{}/usage", s.app.address)).multipart(wrong_token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let stored: i64 = computegrants::db::schema::usage_uploads::table.count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(stored, 0);
    // In the form's order, with the session's token, it goes through.
    assert_eq!(provider.upload("usage.csv", &csv).await.status, 303);
}
both_backends!(an_upload_is_refused_before_its_file_is_read);

/// Found in review: a file billing two currencies was accepted, then could never be posted.
async fn a_usage_file_bills_in_one_currency(backend: Backend) {
    let mut s = programme_with_application(backend, "a_usage_file_bills_in_one_currency").await;
    let code = crate::journey::approve(&mut s, "1000").await;
    let mut provider = s.provider;
    provider.refresh_csrf("/usage/new").await;
    let mut csv = crate::helpers::usage_csv(&code, &["1.00", "2.00"]);
    csv = csv.replacen(",EUR,", ",CHF,", 2).replacen(",CHF,", ",EUR,", 1);
    let r = provider.upload("mixed.csv", &csv).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("but this file bills in EUR"), "{}", r.body);
}
both_backends!(a_usage_file_bills_in_one_currency);

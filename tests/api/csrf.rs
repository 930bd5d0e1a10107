//! Every state-changing form is refused without this session's CSRF token, and changes nothing.

use crate::helpers::{Backend, TestApp};
use crate::both_backends;
use computegrants::db::schema::programmes;
use computegrants::domain::access::{self, Role};
use computegrants::domain::identity::OrgKind;
use computegrants::web::routes;
use diesel::prelude::*;

async fn forms_without_the_token_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend, "forms_without_the_token_are_refused").await;
    app.create_member(OrgKind::Funder, "Agency", "funder@agency.test");
    let funder = app.login("funder@agency.test").await;
    let fields = [
        ("name", "Sneaky"),
        ("description", "Should never exist"),
        ("currency", "EUR"),
        ("budget", "1000"),
        ("max_award", "100"),
        ("opens_on", "2026-01-01"),
        ("closes_on", "2026-12-31"),
    ];
    let r = funder.post_raw("/programmes", &fields).await;
    assert_eq!(r.status, 403, "missing token");
    let mut wrong = vec![("csrf_token", "0000")];
    wrong.extend_from_slice(&fields);
    let r = funder.post_raw("/programmes", &wrong).await;
    assert_eq!(r.status, 403, "wrong token");
    assert!(r.body.contains("Form expired"));
    // Another session's token does not work either.
    let other = app.login("funder@agency.test").await;
    let mut foreign = vec![("csrf_token", other.csrf.as_str())];
    foreign.extend_from_slice(&fields);
    assert_eq!(funder.post_raw("/programmes", &foreign).await.status, 403);
    let count: i64 = programmes::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0, "nothing was created");

    // Every POST route of the route table refuses a missing token: 403 where the funder's role
    // may use the route, 404 where the access policy turns the funder away before any form is read.
    for rule in routes::ROUTES.iter().filter(|r| r.method == "post") {
        let path = rule.path.replace("{id}", "1");
        let r = funder.post_raw(&path, &[("x", "y")]).await;
        let expected = if access::can(Role::Funder, rule.action) { 403 } else { 404 };
        assert_eq!(r.status, expected, "POST {path} without a token");
    }
    let form = reqwest::multipart::Form::new().text("file", "BilledCost\n1\n");
    let r = funder.http.post(format!("{}/usage", app.address)).multipart(form).send().await.unwrap();
    // A funder may not upload usage at all: refused by the access policy before the body is read.
    assert_eq!(r.status().as_u16(), 404, "upload by a funder");
    let anonymous = app.client();
    assert_eq!(anonymous.post_raw("/login", &[("email", "funder@agency.test"), ("password", crate::helpers::PASSWORD)]).await.status, 403);
}
both_backends!(forms_without_the_token_are_refused);

//! Sessions cost what they must: anonymous visitors write nothing, pages are never cached,
//! and signing in still needs the token the anonymous page carried.

use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::both_backends;
use computegrants::db::schema::sessions;
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

async fn anonymous_visitors_write_no_session_rows(backend: Backend) {
    let Some(app) = TestApp::spawn(backend, "anonymous_visitors_write_no_session_rows").await else { return };
    app.create_member(OrgKind::Funder, "Agency", "funder@agency.test");
    let count = || sessions::table.count().get_result::<i64>(&mut app.conn()).unwrap();
    // The defect: 300 requests without a cookie wrote 300 session rows.
    for _ in 0..30 {
        let r = app.client().get("/login").await;
        assert_eq!(r.status, 200);
    }
    assert_eq!(count(), 0, "anonymous pages wrote session rows");
    // The anonymous page's token still protects the login form, and signing in makes one row.
    let mut c = app.client();
    c.refresh_csrf("/login").await;
    let forged = app.client();
    assert_eq!(forged.post_raw("/login", &[("csrf_token", c.csrf.as_str()), ("email", "funder@agency.test"), ("password", PASSWORD)]).await.status, 403, "a token is bound to its visitor's cookie");
    assert_eq!(c.post("/login", &[("email", "funder@agency.test"), ("password", PASSWORD)]).await.status, 303);
    assert_eq!(count(), 1);
}
both_backends!(anonymous_visitors_write_no_session_rows);

async fn pages_are_never_cached(backend: Backend) {
    let Some(app) = TestApp::spawn(backend, "pages_are_never_cached").await else { return };
    app.create_member(OrgKind::Funder, "Agency", "funder@agency.test");
    let c = app.login("funder@agency.test").await;
    for path in ["/", "/programmes", "/programmes/new", "/does-not-exist"] {
        let r = c.http.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
        assert!(r.headers().get("x-request-id").is_some(), "{path} carries its request id");
        assert!(r.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
}
both_backends!(pages_are_never_cached);

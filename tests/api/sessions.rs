//! Sessions cost what they must: anonymous visitors write nothing, pages are never cached,
//! and signing in still needs the token the anonymous page carried.

use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::both_backends;
use computegrants::db::schema::sessions;
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

async fn anonymous_visitors_write_no_session_rows(backend: Backend) {
    let app = TestApp::spawn(backend, "anonymous_visitors_write_no_session_rows").await;
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
    let app = TestApp::spawn(backend, "pages_are_never_cached").await;
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

/// The defect: sign-up said "An account with this email already exists", telling anyone which
/// addresses have accounts. Now the page is the same either way; the address's owner is mailed.
async fn sign_up_never_tells_whether_an_address_has_an_account(backend: Backend) {
    let app = TestApp::spawn(backend, "sign_up_never_tells_whether_an_address_has_an_account").await;
    app.create_member(OrgKind::Funder, "Agency", "taken@agency.test");
    let mut c = app.client();
    c.refresh_csrf("/signup").await;
    let taken = c.post("/signup", &[("company_name", "Curious"), ("display_name", "Eve"), ("email", "taken@agency.test"), ("password", PASSWORD)]).await;
    let fresh = c.post("/signup", &[("company_name", "Genuine"), ("display_name", "Ada"), ("email", "ada@genuine.test"), ("password", PASSWORD)]).await;
    assert_eq!((taken.status, taken.location.as_deref()), (303, Some("/signup/sent")));
    assert_eq!((fresh.status, fresh.location.as_deref()), (fresh.status, taken.location.as_deref()), "the same answer");
    let page = c.get("/signup/sent").await.body;
    assert!(page.contains("Check your inbox"));
    // The owner of the taken address hears about it; nothing was created for the stranger.
    let notice = app.mail.wait_for("Someone tried to register").await;
    assert!(notice.contains("taken@agency.test"), "{notice}");
    use computegrants::db::schema::organisations;
    let curious: i64 = organisations::table.filter(organisations::name.eq("Curious")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(curious, 0);
    // An unconfirmed address cannot sign in; its link signs it in, once.
    let mut other = app.client();
    other.refresh_csrf("/login").await;
    let r = other.post("/login", &[("email", "ada@genuine.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Confirm your address first"), "{}", r.body);
    let link = app.mail.verification_link("ada@genuine.test").await;
    let token = link.split('=').nth(1).unwrap_or_default().to_string();
    // Opening the link does not use it (mail scanners open links); the button does.
    assert_eq!(other.get(&link).await.status, 200);
    other.refresh_csrf(&link).await;
    let r = other.post("/verify", &[("token", token.as_str())]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/company")));
    let mut late = app.client();
    late.refresh_csrf(&link).await;
    let again = late.post("/verify", &[("token", token.as_str())]).await;
    assert_eq!(again.status, 409, "a link works once");
    assert!(again.body.contains("expired or was already used"));
}
both_backends!(sign_up_never_tells_whether_an_address_has_an_account);

/// Found in review: a registration never confirmed was a dead end. Registering again sends a new
/// link (the earlier ones stop working) and the new password is the one that counts.
async fn an_unconfirmed_registration_can_be_finished_later(backend: Backend) {
    let app = TestApp::spawn(backend, "an_unconfirmed_registration_can_be_finished_later").await;
    let mut c = app.client();
    c.refresh_csrf("/signup").await;
    let fields = |password: &'static str| vec![("company_name", "Lumen"), ("display_name", "Ada"), ("email", "ada@lumen.test"), ("password", password)];
    assert_eq!(c.post("/signup", &fields("first-password-long")).await.status, 303);
    let first = app.mail.verification_link("ada@lumen.test").await;
    app.mail.messages.lock().unwrap().clear();
    assert_eq!(c.post("/signup", &fields(PASSWORD)).await.status, 303, "the same company name is theirs");
    let second = app.mail.verification_link("ada@lumen.test").await;
    assert_ne!(first, second);
    let token = |link: &str| link.split('=').nth(1).unwrap_or_default().to_string();
    c.refresh_csrf(&first).await;
    assert_eq!(c.post("/verify", &[("token", token(&first).as_str())]).await.status, 409, "the earlier link is spent");
    assert_eq!(c.post("/verify", &[("token", token(&second).as_str())]).await.status, 303);
    let mut other = app.client();
    other.refresh_csrf("/login").await;
    assert_eq!(other.post("/login", &[("email", "ada@lumen.test"), ("password", PASSWORD)]).await.status, 303);
}
both_backends!(an_unconfirmed_registration_can_be_finished_later);

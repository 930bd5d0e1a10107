//! Every page checks who may see or change what; other organisations' things answer 404.

use crate::helpers::Backend;
use crate::journey::{approve, programme_with_application};
use crate::both_backends;
use computegrants::domain::identity::OrgKind;

async fn organisations_only_see_their_own(backend: Backend) {
    let mut s = programme_with_application(backend, "organisations_only_see_their_own").await;
    approve(&mut s, "10000").await;
    let application = format!("/applications/{}", s.application_id);
    let dashboard = s.startup.get("/").await.body;
    let grant_link = dashboard.find("/grants/").map(|i| &dashboard[i..]).unwrap();
    let grant = grant_link[..grant_link.find('"').unwrap()].to_string();
    assert_eq!(s.startup.get(&grant).await.status, 200);

    // Another startup: 404 on the first one's application and statement.
    let mut other = s.app.sign_up_startup("Other Startup", "other@startup.test").await;
    assert_eq!(other.get(&application).await.status, 404);
    assert_eq!(other.get(&grant).await.status, 404);
    other.refresh_csrf("/").await;
    assert_eq!(other.post(&format!("{application}/withdraw"), &[]).await.status, 404);

    // Another funder: 404 on the programme, its application and grant.
    s.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let other_funder = s.app.login("other@agency.test").await;
    assert_eq!(other_funder.get(&format!("/programmes/{}", s.programme_id)).await.status, 404);
    assert_eq!(other_funder.get(&application).await.status, 404);
    assert_eq!(other_funder.get(&grant).await.status, 404);

    // A provider cannot approve or read applications.
    let mut provider = s.provider;
    provider.refresh_csrf("/").await;
    assert_eq!(provider.get(&application).await.status, 404);
    assert_eq!(provider.post(&format!("{application}/decide"), &[("decision", "reject"), ("reason", "a provider should not decide")]).await.status, 404);
    // Startups cannot create programmes; providers cannot see the funder pages.
    other.refresh_csrf("/").await;
    assert_eq!(other.get("/programmes/new").await.status, 404);
    // The access policy answers before the form is even read.
    assert_eq!(other.post("/programmes", &[("name", "x")]).await.status, 404);
    assert_eq!(provider.get("/admin").await.status, 404);

    // A second provider cannot see the first one's uploads.
    s.app.create_member(OrgKind::Provider, "Other Cloud", "billing@other.test");
    let other_provider = s.app.login("billing@other.test").await;
    assert_eq!(other_provider.get("/usage/1").await.status, 404);

    // Not signed in: pages send to the login page.
    let anonymous = s.app.client();
    let r = anonymous.get(&application).await;
    assert_eq!(r.status, 303);
    // …and signing in comes back to the page that asked for it.
    assert_eq!(r.location, Some(format!("/login?next={application}")));
}
both_backends!(organisations_only_see_their_own);

async fn startup_must_register_company_before_applying(backend: Backend) {
    let s = programme_with_application(backend, "startup_must_register_company_before_applying").await;
    let mut c = s.app.client();
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", "Unregistered"), ("display_name", "A"), ("email", "a@unregistered.test"), ("password", "a-long-enough-password")]).await;
    assert_eq!(r.status, 303);
    s.app.confirm_address(&mut c, "a@unregistered.test").await;
    let r = c.get(&format!("/programmes/{}/apply", s.programme_id)).await;
    assert_eq!(r.location.as_deref(), Some("/company"));
    c.refresh_csrf("/company").await;
    let r = c.post("/company", &[("legal_name", ""), ("country", "XX"), ("registration_number", "<script>")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose the country"));
    assert!(!r.body.contains("<script>"), "input is escaped");
    assert!(r.body.contains("&#60;script&#62;") || r.body.contains("&lt;script&gt;"));
}
both_backends!(startup_must_register_company_before_applying);

async fn signup_and_login_errors_are_clear(backend: Backend) {
    let app = crate::helpers::TestApp::spawn(backend, "signup_and_login_errors_are_clear").await;
    let mut c = app.client();
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", ""), ("display_name", "Ann"), ("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Enter an email address"));
    assert!(r.body.contains("at least 12 characters"));
    assert!(r.body.contains("value=\"not-an-email\""), "input kept");
    c.refresh_csrf("/login").await;
    let r = c.post("/login", &[("email", "nobody@nowhere.test"), ("password", "whatever-password")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("do not match"));
    // The session id changes at login.
    app.create_member(OrgKind::Funder, "Agency", "f@agency.test");
    let before = c.get("/login").await;
    let token_before = crate::helpers::extract_csrf(&before.body).unwrap();
    c.csrf = token_before.clone();
    let r = c.post("/login", &[("email", "f@agency.test"), ("password", crate::helpers::PASSWORD)]).await;
    assert_eq!(r.status, 303);
    c.refresh_csrf("/").await;
    assert_ne!(c.csrf, token_before, "a new session (and CSRF token) after login");
}
both_backends!(signup_and_login_errors_are_clear);

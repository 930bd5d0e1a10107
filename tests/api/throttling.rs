//! Guessing passwords is slow: growing delays per account, a budget per client address, and the
//! right password refused too while an account is being guessed at.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp};
use computegrants::domain::identity::OrgKind;

async fn guessing_a_password_is_slowed_down(backend: Backend) {
    let app = TestApp::spawn(backend, "guessing_a_password_is_slowed_down").await;
    app.create_member(OrgKind::Funder, "Agency", "funder@agency.test");
    let mut c = app.client();
    c.refresh_csrf("/login").await;
    let attempt = |password: &'static str| {
        let c = c.clone_for_test();
        async move { c.post("/login", &[("email", "funder@agency.test"), ("password", password)]).await }
    };
    // The defect: 1,100 failures on one account, and the right password still worked.
    for _ in 0..3 {
        assert_eq!(attempt("wrong-password-guess").await.status, 422);
    }
    let r = attempt(PASSWORD).await;
    assert_eq!(r.status, 429, "while the account is being guessed at, even the right password waits");
    assert!(r.body.contains("Too many attempts"), "{}", r.body);
    // Other accounts are not locked out by it.
    app.create_member(OrgKind::Funder, "Agency", "colleague@agency.test");
    let r = c.post("/login", &[("email", "colleague@agency.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303);
    // After the wait, the right password works and the count starts again.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut c = app.client();
    c.refresh_csrf("/login").await;
    assert_eq!(c.post("/login", &[("email", "funder@agency.test"), ("password", PASSWORD)]).await.status, 303);
}
both_backends!(guessing_a_password_is_slowed_down);

async fn one_address_cannot_flood_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend, "one_address_cannot_flood_sign_in").await;
    let mut c = app.client();
    c.refresh_csrf("/login").await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let email = format!("nobody{i}@example.eu");
        let r = c.post("/login", &[("email", email.as_str()), ("password", "a-guess-of-some-length")]).await;
        statuses.push(r.status);
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 5, "a burst from one address is cut off: {statuses:?}");
    assert_eq!(statuses[0], 422, "the first attempts are answered normally");
}
both_backends!(one_address_cannot_flood_sign_in);

//! The audit log: who did what, when, from where and why, written with the change itself,
//! append-only, readable and exportable by administrators only.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD};
use crate::journey::{approve, programme_with_application};
use computegrants::domain::identity::OrgKind;
use diesel::connection::SimpleConnection;

async fn business_and_security_events_are_audited(backend: Backend) {
    let mut s = programme_with_application(backend, "business_and_security_events_are_audited").await;
    approve(&mut s, "40000").await;
    // A failed sign-in is recorded with the address typed.
    let mut stranger = s.app.client();
    stranger.refresh_csrf("/login").await;
    stranger.post("/login", &[("email", "funder@agency.test"), ("password", "not-the-password")]).await;

    s.app.create_member(OrgKind::Platform, "Operations", "admin@ops.test");
    let mut admin = s.app.client();
    admin.refresh_csrf("/login").await;
    assert_eq!(admin.post("/login", &[("email", "admin@ops.test"), ("password", PASSWORD)]).await.status, 303);
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    for action in ["programme created", "signed up", "address confirmed", "application submitted", "application approved", "sign-in failed", "signed in"] {
        assert!(page.body.contains(action), "{action} is in the log: {}", page.body);
    }
    assert!(page.body.contains("127.0.0.1"), "from where");
    let csv = admin.get("/admin/audit.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("id,at_utc,actor_user_id,actor,address,request_id,action,subject,detail"));
    assert!(csv.body.contains(&format!("application-approved,application:{}", s.application_id)), "{}", csv.body);
    // Only administrators read it.
    assert_eq!(s.funder.get("/admin/audit").await.status, 404);
    assert_eq!(s.funder.get("/admin/audit.csv").await.status, 404);
    // Append-only in the database itself.
    let mut conn = s.app.conn();
    assert!(conn.batch_execute("UPDATE audit_events SET actor = 'someone else'").is_err());
    assert!(conn.batch_execute("DELETE FROM audit_events").is_err());
}
both_backends!(business_and_security_events_are_audited);

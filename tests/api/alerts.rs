//! Notifications: raised once per person and event, listed in the app, mailed (over real SMTP)
//! in the person's language unless they chose otherwise.

use crate::both_backends;
use crate::helpers::{Backend, usage_csv};
use crate::journey::{approve, programme_with_application};
use computegrants::db::schema::{grants, notifications, users};
use computegrants::domain::alerts;
use diesel::prelude::*;
use std::time::Duration;

/// Uploads and submits usage for `code` from the setup's provider.
async fn charge(s: &mut crate::journey::Setup, file: &str, costs: &[&str], code: &str) {
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload(file, &usage_csv(code, costs)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let upload = r.location.unwrap();
    s.provider.refresh_csrf(&upload).await;
    assert_eq!(s.provider.post(&format!("{upload}/confirm"), &[]).await.status, 303);
}

fn mail_status(s: &crate::journey::Setup, email: &str, event_key: &str) -> Option<String> {
    notifications::table
        .inner_join(users::table.on(users::id.eq(notifications::user_id)))
        .filter(users::email.eq(email))
        .filter(notifications::event_key.eq(event_key))
        .select(notifications::mail_status)
        .first(&mut s.app.conn())
        .optional()
        .unwrap()
}

async fn credit_thresholds_are_told_once_each_and_mail_follows_choices(backend: Backend) {
    let mut s = programme_with_application(backend, "credit_thresholds_are_told_once_each_and_mail_follows_choices").await;
    let code = approve(&mut s, "1000").await;
    let grant_id: i64 = grants::table.filter(grants::code.eq(&code)).select(grants::id).first(&mut s.app.conn()).unwrap();

    // €600 of €1,000: past 50 %. The mail goes to the startup, with the grant's link.
    charge(&mut s, "a.csv", &["600"], &code).await;
    let mail = s.app.mail.wait_for("has used 50 % of its credit").await;
    assert!(mail.contains("founder@lumen.test"), "{mail}");
    assert!(mail.contains("Subject: Your grant's credit is being used up"), "{mail}");
    assert!(mail.contains(&format!("Grant {code} has used 50 % of its credit: €600.00 of €1,000.00.")), "{mail}");
    assert!(mail.contains(&format!("/grants/{grant_id}")), "{mail}");

    // The startup no longer wants these by mail; the next threshold is still listed.
    s.startup.refresh_csrf("/notifications").await;
    let r = s.startup.post("/notifications/mail", &[("application-received", "on"), ("decision", "on"), ("expiry-soon", "on")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // €250 more: €850, past 80 % (and not yet 100 %).
    charge(&mut s, "b.csv", &["250"], &code).await;
    let key80 = format!("credits-used:{code}:80");
    let mut status = None;
    for _ in 0..100 {
        status = mail_status(&s, "founder@lumen.test", &key80);
        if status.as_deref() != Some("pending") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status.as_deref(), Some("not-wanted"), "the 80 % alert is recorded and not mailed");
    assert!(!s.app.mail.messages.lock().unwrap().iter().any(|m| m.contains("has used 80 %")), "no mail for an unwanted kind");

    // Raising the same threshold again (another submission at the same level) keeps it once.
    let mut conn = s.app.conn();
    alerts::credits_used(&mut conn, computegrants::domain::GrantId::new(grant_id)).unwrap();
    let count: i64 = notifications::table.filter(notifications::event_key.like(format!("credits-used:{code}:%"))).count().get_result(&mut conn).unwrap();
    assert_eq!(count, 2, "50 % and 80 %, once each");

    // The list: newest first, the decision and the receipt too, all unread, then read.
    let page = s.startup.get("/notifications").await.body;
    let order: Vec<usize> = [format!("has used 80 %"), format!("has used 50 %"), "of credits are offered".into(), "was received".into()]
        .iter()
        .map(|needle| page.find(needle.as_str()).unwrap_or_else(|| panic!("{needle} in {page}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first: {page}");
    assert!(page.contains("4 unread notifications."), "{page}");
    assert!(!page.contains("id=\"mail-credits-used\" name=\"credits-used\" value=\"on\" checked"), "the choice is kept: {page}");
    s.startup.refresh_csrf("/notifications").await;
    assert_eq!(s.startup.post("/notifications/read", &[]).await.status, 303);
    assert!(s.startup.get("/notifications").await.body.contains("No unread notification."));
    // Without the form's token, nothing changes.
    let forged = s.startup.post_raw("/notifications/mail", &[("credits-used", "on")]).await;
    assert_eq!(forged.status, 403);
}
both_backends!(credit_thresholds_are_told_once_each_and_mail_follows_choices);

async fn grants_ending_soon_and_funders_digests_are_raised_once_a_day(backend: Backend) {
    let mut s = programme_with_application(backend, "grants_ending_soon_and_funders_digests_are_raised_once_a_day").await;
    let mut conn = s.app.conn();
    let today = chrono::Utc::now().date_naive();

    // One application awaits a decision: the funder's owner hears of it once today.
    assert_eq!(alerts::funder_digests(&mut conn, today).unwrap(), 1);
    assert_eq!(alerts::funder_digests(&mut conn, today).unwrap(), 0, "once a day");
    let mail = s.app.mail.wait_for("application to decide").await;
    assert!(mail.contains("funder@agency.test") && mail.contains("Awaiting you: one application to decide and no invoice to approve."), "{mail}");
    // In French for a funder who reads French.
    let funder_fr = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    assert!(funder_fr.get("/notifications").await.body.contains("Vous attendent : une candidature à décider et aucune facture à approuver."));

    let code = approve(&mut s, "1000").await;
    let until: chrono::NaiveDate = grants::table.filter(grants::code.eq(&code)).select(grants::valid_until).first(&mut conn).unwrap();
    // Forty days out: nothing yet. Twenty: the 30-day reminder, once. Five: the 7-day one.
    assert_eq!(alerts::expiry_reminders(&mut conn, until - chrono::Duration::days(40)).unwrap(), 0);
    assert_eq!(alerts::expiry_reminders(&mut conn, until - chrono::Duration::days(20)).unwrap(), 1);
    assert_eq!(alerts::expiry_reminders(&mut conn, until - chrono::Duration::days(19)).unwrap(), 0);
    assert_eq!(alerts::expiry_reminders(&mut conn, until - chrono::Duration::days(5)).unwrap(), 1);
    let mail = s.app.mail.wait_for("ends in 5 days").await;
    assert!(mail.contains("Subject: Your grant ends soon") && mail.contains(&format!("Grant {code} ends in 5 days")), "{mail}");
    // The funder's list holds only the funder's own notifications.
    assert!(!funder_fr.get("/notifications").await.body.contains(&code));
}
both_backends!(grants_ending_soon_and_funders_digests_are_raised_once_a_day);

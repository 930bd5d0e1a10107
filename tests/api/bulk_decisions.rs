//! Deciding from the ranking several at once (approval behind a confirmation page, all or
//! none), the reviewer told of an assignment (listed and mailed over SMTP), and the offers' gaps:
//! a lapse is audited, archiving a programme ends its open offers and returns their budget, and a
//! startup with a pending application or an open offer cannot apply to the programme again.

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use crate::journey::{Setup, programme_with_application};
use computegrants::db::schema::{applications, audit_events, ledger_entries, notifications, review_assignments, users};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{ApplicationId, ProgrammeId, offers};
use computegrants::ledger::{self, chart};
use diesel::prelude::*;
use std::time::Duration;

/// Cents the programme can still offer, and cents committed to open offers.
fn budget(app: &TestApp, programme: ProgrammeId) -> (i64, i64) {
    let mut conn = app.conn();
    let available = ledger::find_account_by_code(&mut conn, &chart::programme_available(programme.get(), "EUR").code).unwrap().unwrap();
    let offered = ledger::find_account_by_code(&mut conn, &chart::programme_offered(programme.get(), "EUR").code).unwrap().map(|a| a.credits_pending).unwrap_or(0);
    (available.available().cents(), offered)
}

fn status(app: &TestApp, id: ApplicationId) -> String {
    applications::table.find(id).select(applications::status).first(&mut app.conn()).unwrap()
}

fn hold_of(app: &TestApp, id: ApplicationId) -> Option<i64> {
    applications::table.find(id).select(applications::offer_hold_id).first(&mut app.conn()).unwrap()
}

fn entry_count(app: &TestApp) -> i64 {
    ledger_entries::table.count().get_result(&mut app.conn()).unwrap()
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    audit_events::table.filter(audit_events::action.eq(action)).count().get_result(&mut app.conn()).unwrap()
}

/// Another startup applies to the programme for `amount`.
async fn another_application(s: &Setup, company: &str, email: &str, amount: &str) -> ApplicationId {
    let mut c = s.app.sign_up_startup(company, email).await;
    let path = format!("/programmes/{}/apply", s.programme_id);
    c.refresh_csrf(&path).await;
    let provider = s.provider_id.to_string();
    let r = c.post(&path, &[("requested", amount), ("purpose", "Fine-tuning speech models for regional languages."), ("hardware", "GPU"), ("provider_id", &provider)]).await;
    assert_eq!(r.status, 303, "application failed: {}", r.body);
    id_from(&r.location)
}

async fn offer(s: &mut Setup, id: ApplicationId, amount: &str) {
    let path = format!("/applications/{id}");
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", amount), ("reason", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn approve_two_of_three_after_confirmation(backend: Backend) {
    let mut s = programme_with_application(backend, "approve_two_of_three_after_confirmation").await;
    let (pid, first) = (s.programme_id, s.application_id);
    let second = another_application(&s, "Borealis Compute", "founder@borealis.test", "20000").await;
    let third = another_application(&s, "Cirrus Models", "founder@cirrus.test", "30000").await;
    let ranking = format!("/programmes/{pid}/ranking");
    let page = s.funder.get(&ranking).await.body;
    // Each pending row offers its requested amount, editable.
    assert!(page.contains(&format!("name=\"amount_{second}\" value=\"20000.00\"")) && page.contains("formaction=\"/programmes/"), "{page}");
    s.funder.refresh_csrf(&ranking).await;
    let path = format!("{ranking}/approve");
    let (a, b) = (first.to_string(), second.to_string());
    let (amount_a, amount_b) = (format!("amount_{first}"), format!("amount_{second}"));
    let entries = entry_count(&s.app);

    // Nothing chosen: the ranking again with the problem.
    let r = s.funder.post(&path, &[(amount_a.as_str(), "40000")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Select at least one application."), "{}", r.body);

    // The first post lists each company and amount and the total against the budget.
    let form = [("application", a.as_str()), ("application", b.as_str()), (amount_a.as_str(), "40000"), (amount_b.as_str(), "20000")];
    let r = s.funder.post(&path, &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for needle in ["I confirm the approval of these applications.", "Lumen Test Labs", "Borealis Compute", "€40,000.00", "€20,000.00", "€60,000.00", "€100,000.00"] {
        assert!(r.body.contains(needle), "{needle}: {}", r.body);
    }
    assert!(!r.body.contains("Cirrus Models") && !r.body.contains("approve-over-budget"), "{}", r.body);
    assert_eq!((status(&s.app, first), status(&s.app, second)), ("submitted".to_string(), "submitted".to_string()), "nothing yet");
    assert_eq!(entry_count(&s.app), entries);

    // Confirmed: both offered with their holds, the third untouched.
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "yes"));
    let r = s.funder.post(&path, &confirmed).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!((status(&s.app, first), status(&s.app, second), status(&s.app, third)), ("offered".to_string(), "offered".to_string(), "submitted".to_string()));
    assert!(hold_of(&s.app, first).is_some() && hold_of(&s.app, second).is_some() && hold_of(&s.app, third).is_none());
    let approved: Option<i64> = applications::table.find(first).select(applications::approved_amount).first(&mut s.app.conn()).unwrap();
    assert_eq!(approved, Some(4_000_000), "the edited amount");
    assert_eq!(budget(&s.app, pid), (4_000_000, 6_000_000));
    assert_eq!(audit_count(&s.app, "application-approved"), 2);
    let offers_raised: i64 = notifications::table.filter(notifications::kind.eq("offer")).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(offers_raised, 2, "each startup is told");
    // Decided ones cannot be approved again.
    assert_eq!(s.funder.post(&path, &[("application", a.as_str()), (amount_a.as_str(), "1000"), ("confirm", "yes")]).await.status, 422);

    // A reviewer may not decide.
    s.app.create_member(OrgKind::Funder, "Test Funding Agency", "rita@agency.test");
    diesel::update(users::table.filter(users::email.eq("rita@agency.test"))).set(users::role.eq("reviewer")).execute(&mut s.app.conn()).unwrap();
    let mut rita = s.app.login("rita@agency.test").await;
    rita.refresh_csrf("/reviews").await;
    let c = third.to_string();
    let amount_c = format!("amount_{third}");
    assert_eq!(rita.post(&path, &[("application", c.as_str()), (amount_c.as_str(), "30000"), ("confirm", "yes")]).await.status, 404);
    assert_eq!(status(&s.app, third), "submitted");
}
both_backends!(approve_two_of_three_after_confirmation);

async fn one_refusal_approves_nothing_and_names_it(backend: Backend) {
    let mut s = programme_with_application(backend, "one_refusal_approves_nothing_and_names_it").await;
    let (pid, first) = (s.programme_id, s.application_id);
    let second = another_application(&s, "Borealis Compute", "founder@borealis.test", "55000").await;
    let ranking = format!("/programmes/{pid}/ranking");
    s.funder.refresh_csrf(&ranking).await;
    let path = format!("{ranking}/approve");
    let (a, b) = (first.to_string(), second.to_string());
    let (amount_a, amount_b) = (format!("amount_{first}"), format!("amount_{second}"));
    let form = [("application", a.as_str()), ("application", b.as_str()), (amount_a.as_str(), "50000"), (amount_b.as_str(), "55000")];
    // The confirmation page already warns that the total is over the budget.
    let r = s.funder.post(&path, &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("approve-over-budget") && r.body.contains("€105,000.00"), "{}", r.body);

    let entries = entry_count(&s.app);
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "yes"));
    let r = s.funder.post(&path, &confirmed).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&format!("Nothing was approved: APP-{second} (Borealis Compute) was refused.")), "{}", r.body);
    assert!(r.body.contains("€50,000.00"), "what is left is named: {}", r.body);
    assert_eq!((status(&s.app, first), status(&s.app, second)), ("submitted".to_string(), "submitted".to_string()), "the first is rolled back too");
    assert_eq!(entry_count(&s.app), entries, "no hold written");
    assert_eq!(budget(&s.app, pid), (10_000_000, 0));
    assert_eq!(audit_count(&s.app, "application-approved"), 0);
    let offers_raised: i64 = notifications::table.filter(notifications::kind.eq("offer")).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(offers_raised, 0);

    // An amount over the maximum award is refused the same way, naming the application.
    let r = s.funder.post(&path, &[("application", a.as_str()), (amount_a.as_str(), "70000"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&format!("Nothing was approved: APP-{first} (Lumen Test Labs) was refused.")), "{}", r.body);
    assert_eq!(status(&s.app, first), "submitted");
}
both_backends!(one_refusal_approves_nothing_and_names_it);

fn reviewer(app: &TestApp, email: &str) -> i64 {
    app.create_member(OrgKind::Funder, "Test Funding Agency", email);
    diesel::update(users::table.filter(users::email.eq(email))).set(users::role.eq("reviewer")).execute(&mut app.conn()).unwrap();
    users::table.filter(users::email.eq(email)).select(users::id).first(&mut app.conn()).unwrap()
}

async fn assign(funder: &mut Client, pid: ProgrammeId, application: ApplicationId, reviewer: i64) {
    funder.refresh_csrf(&format!("/programmes/{pid}/reviews")).await;
    let r = funder.post(&format!("/programmes/{pid}/reviewers"), &[("application_id", &application.to_string()), ("reviewer_id", &reviewer.to_string())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

fn mail_status(app: &TestApp, user: i64, kind: &str) -> Option<String> {
    notifications::table.filter(notifications::user_id.eq(user)).filter(notifications::kind.eq(kind)).select(notifications::mail_status).first(&mut app.conn()).optional().unwrap()
}

async fn the_assigned_reviewer_is_told_and_mailed(backend: Backend) {
    let mut s = programme_with_application(backend, "the_assigned_reviewer_is_told_and_mailed").await;
    let (pid, first) = (s.programme_id, s.application_id);
    let alice = reviewer(&s.app, "alice@agency.test");
    let bob = reviewer(&s.app, "bob@agency.test");
    assert_eq!(mail_status(&s.app, alice, "review-assigned"), None);
    assign(&mut s.funder, pid, first, alice).await;
    let assignment: i64 = review_assignments::table.filter(review_assignments::reviewer_id.eq(alice)).select(review_assignments::id).first(&mut s.app.conn()).unwrap();

    // Mailed over SMTP, with the link to the review page and never the company.
    let mail = s.app.mail.wait_for("You are asked to review application").await;
    assert!(mail.contains("alice@agency.test") && mail.contains("Subject: An application awaits your review"), "{mail}");
    assert!(mail.contains(&format!("APP-{first}")) && mail.contains(&format!("/reviews/{assignment}")) && !mail.contains("Lumen Test Labs"), "{mail}");
    // Listed in the reviewer's notifications, not in the manager's.
    let alice_client = s.app.login("alice@agency.test").await;
    let list = alice_client.get("/notifications").await.body;
    assert!(list.contains(&format!("You are asked to review application APP-{first} to Test Compute Call.")) && list.contains(&format!("/reviews/{assignment}")), "{list}");
    assert!(list.contains("id=\"mail-review-assigned\" name=\"review-assigned\" value=\"on\" checked"), "mailed by default: {list}");
    assert!(!s.funder.get("/notifications").await.body.contains("You are asked to review"));

    // Bob does not want it by mail: listed, not mailed.
    let mut bob_client = s.app.login("bob@agency.test").await;
    bob_client.refresh_csrf("/notifications").await;
    let r = bob_client.post("/notifications/mail", &[("funder-digest", "on")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let choices = bob_client.get("/notifications").await.body;
    assert!(choices.contains("id=\"mail-review-assigned\"") && !choices.contains("name=\"review-assigned\" value=\"on\" checked"), "{choices}");
    assign(&mut s.funder, pid, first, bob).await;
    let mut status = None;
    for _ in 0..100 {
        status = mail_status(&s.app, bob, "review-assigned");
        if status.as_deref() != Some("pending") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status.as_deref(), Some("not-wanted"));
    assert!(!s.app.mail.messages.lock().unwrap().iter().any(|m| m.contains("bob@agency.test") && m.contains("review")));
}
both_backends!(the_assigned_reviewer_is_told_and_mailed);

async fn a_lapse_is_audited(backend: Backend) {
    let mut s = programme_with_application(backend, "a_lapse_is_audited").await;
    let id = s.application_id;
    offer(&mut s, id, "50000").await;
    assert_eq!(audit_count(&s.app, "offer-lapsed"), 0);
    let later = chrono::Utc::now().naive_utc() + chrono::Duration::days(offers::OFFER_VALIDITY_DAYS + 1);
    assert_eq!(offers::lapse_due(&mut s.app.conn(), later).unwrap(), 1);
    assert_eq!(offers::lapse_due(&mut s.app.conn(), later).unwrap(), 0, "once");
    assert_eq!(status(&s.app, id), "lapsed");
    let rows: Vec<(Option<String>, String)> =
        audit_events::table.filter(audit_events::action.eq("offer-lapsed")).select((audit_events::subject, audit_events::actor)).load(&mut s.app.conn()).unwrap();
    assert_eq!(rows, vec![(Some(format!("application:{id}")), "system".to_string())]);
}
both_backends!(a_lapse_is_audited);

async fn archiving_ends_open_offers_and_returns_their_budget(backend: Backend) {
    let mut s = programme_with_application(backend, "archiving_ends_open_offers_and_returns_their_budget").await;
    let (pid, id) = (s.programme_id, s.application_id);
    offer(&mut s, id, "50000").await;
    assert_eq!(budget(&s.app, pid), (5_000_000, 5_000_000));
    let path = format!("/programmes/{pid}");
    s.funder.refresh_csrf(&path).await;
    // Closing keeps the offer: it was made in the open window and keeps its deadline.
    let r = s.funder.post(&format!("{path}/close"), &[("form", "close"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "offered");
    assert_eq!(budget(&s.app, pid), (5_000_000, 5_000_000));
    // Archiving ends it: the hold is voided, the audit says why, the startup is told.
    let r = s.funder.post(&format!("{path}/archive"), &[("form", "archive"), ("reason", "Call wound up."), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "lapsed");
    assert_eq!(budget(&s.app, pid), (10_000_000, 0), "the budget returns");
    let detail: Option<String> = audit_events::table.filter(audit_events::action.eq("offer-lapsed")).select(audit_events::detail).first(&mut s.app.conn()).unwrap();
    assert_eq!(detail.as_deref(), Some("programme archived: Call wound up."));
    let told = s.startup.get("/notifications").await.body;
    assert!(told.contains(&format!("application APP-{id} is withdrawn: the programme Test Compute Call was archived (Call wound up.)")), "{told}");
    // The offer can no longer be accepted.
    let app_path = format!("/applications/{id}");
    s.startup.refresh_csrf(&app_path).await;
    let r = s.startup.post(&format!("{app_path}/accept"), &[("declaration", "yes")]).await;
    assert_ne!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "lapsed");
}
both_backends!(archiving_ends_open_offers_and_returns_their_budget);

async fn a_second_application_is_refused(backend: Backend) {
    let mut s = programme_with_application(backend, "a_second_application_is_refused").await;
    let (pid, id) = (s.programme_id, s.application_id);
    let apply_path = format!("/programmes/{pid}/apply");
    let provider = s.provider_id.to_string();
    let again = [("requested", "10000"), ("purpose", "A second request for the same programme, please."), ("hardware", "GPU"), ("provider_id", provider.as_str())];
    s.startup.refresh_csrf(&apply_path).await;
    let r = s.startup.post(&apply_path, &again).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("already has an application to this programme awaiting a decision"), "{}", r.body);
    offer(&mut s, id, "50000").await;
    s.startup.refresh_csrf(&apply_path).await;
    let r = s.startup.post(&apply_path, &again).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("already has an offer from this programme awaiting its answer"), "{}", r.body);
    let count: i64 = applications::table.filter(applications::programme_id.eq(pid)).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(count, 1);
    // In French too, for a person who chose French.
    diesel::update(users::table.filter(users::email.eq("founder@lumen.test"))).set(users::locale.eq(Some("fr"))).execute(&mut s.app.conn()).unwrap();
    s.startup.refresh_csrf(&apply_path).await;
    let r = s.startup.post(&apply_path, &again).await;
    assert!(r.body.contains("Votre entreprise a déjà une offre de ce programme en attente de réponse"), "{}", r.body);
}
both_backends!(a_second_application_is_refused);

//! Offers: an approval commits the budget as an offer; the startup accepts it (confirming its de
//! minimis declaration) to get the grant, or declines it, or lets it lapse, and the budget returns.

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use crate::journey::{Setup, accept_offer, programme_with_application};
use computegrants::db::schema::{applications, de_minimis_awards, grants, ledger_entries, notifications};
use computegrants::domain::{ApplicationId, ProgrammeId, offers};
use computegrants::ledger::{self, chart};
use diesel::prelude::*;

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

fn entry_count(app: &TestApp) -> i64 {
    ledger_entries::table.count().get_result(&mut app.conn()).unwrap()
}

fn grant_count(app: &TestApp) -> i64 {
    grants::table.count().get_result(&mut app.conn()).unwrap()
}

async fn offer(s: &mut Setup, id: ApplicationId, amount: &str) -> crate::helpers::Reply {
    let path = format!("/applications/{id}");
    s.funder.refresh_csrf(&path).await;
    s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", amount), ("reason", "")]).await
}

/// Another startup applies to the same programme for `amount`.
async fn second_application(s: &Setup, amount: &str) -> (Client, ApplicationId) {
    let mut c = s.app.sign_up_startup("Borealis Compute", "founder@borealis.test").await;
    let path = format!("/programmes/{}/apply", s.programme_id);
    c.refresh_csrf(&path).await;
    let provider = s.provider_id.to_string();
    let r = c.post(&path, &[("requested", amount), ("purpose", "Fine-tuning speech models for regional languages."), ("hardware", "GPU"), ("provider_id", &provider)]).await;
    assert_eq!(r.status, 303, "application failed: {}", r.body);
    (c, id_from(&r.location))
}

/// An approval holds the amount on the programme's budget (no grant yet), so the budget cannot
/// be offered twice; the startup sees the offer and its deadline; acceptance without the
/// declaration is refused, with it the grant is issued and the hold becomes the award.
async fn an_offer_commits_the_budget_and_acceptance_issues_the_grant(backend: Backend) {
    let mut s = programme_with_application(backend, "an_offer_commits_the_budget_and_acceptance_issues_the_grant").await;
    assert_eq!(budget(&s.app, s.programme_id), (10_000_000, 0));
    let id = s.application_id;
    let r = offer(&mut s, id, "50000").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "offered");
    assert_eq!(grant_count(&s.app), 0, "no grant before acceptance");
    assert_eq!(budget(&s.app, s.programme_id), (5_000_000, 5_000_000), "50,000 committed");

    // The startup's people are told, once.
    let offers_raised: i64 = notifications::table.filter(notifications::kind.eq("offer")).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(offers_raised, 1);

    // A second offer over what is left is refused with the figure, nothing written.
    let (_, other) = second_application(&s, "55000").await;
    let before = entry_count(&s.app);
    let r = offer(&mut s, other, "55000").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("€50,000.00"), "{}", r.body);
    assert_eq!(status(&s.app, other), "submitted");
    assert_eq!(entry_count(&s.app), before);

    // The startup sees the offer, its deadline and its declaration.
    let page = s.startup.get(&format!("/applications/{id}")).await.body;
    let deadline = (chrono::Utc::now().date_naive() + chrono::Duration::days(offers::OFFER_VALIDITY_DAYS)).format("%-d %b %Y").to_string();
    assert!(page.contains("offer-summary") && page.contains("€50,000.00") && page.contains(&deadline), "{deadline}: {page}");
    assert!(page.contains("No other de minimis aid is declared") && page.contains("name=\"declaration\""), "{page}");

    // Without the declaration confirmed: refused, nothing changed.
    s.startup.refresh_csrf(&format!("/applications/{id}")).await;
    let r = s.startup.post(&format!("/applications/{id}/accept"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Confirm that your de minimis declaration is complete and true"), "{}", r.body);
    assert_eq!((status(&s.app, id), grant_count(&s.app), entry_count(&s.app)), ("offered".to_string(), 0, before));

    accept_offer(&mut s.startup, id).await;
    assert_eq!(status(&s.app, id), "approved");
    assert_eq!(budget(&s.app, s.programme_id), (5_000_000, 0), "the hold became the award");
    let mut conn = s.app.conn();
    let (code, amount): (String, i64) = grants::table.select((grants::code, grants::amount)).first(&mut conn).unwrap();
    assert_eq!(amount, 5_000_000);
    let grant_id: i64 = grants::table.select(grants::id).first(&mut conn).unwrap();
    let credits = ledger::find_account_by_code(&mut conn, &chart::grant_credits(&code, grant_id, "EUR").code).unwrap().unwrap();
    assert_eq!(credits.available().cents(), 5_000_000);
    assert_eq!(de_minimis_awards::table.count().get_result::<i64>(&mut conn).unwrap(), 1, "recorded for the register");

    // Accepting twice changes nothing; the funder sees the grant and the status.
    let again = s.startup.post(&format!("/applications/{id}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(grant_count(&s.app), 1);
    let seen = s.funder.get(&format!("/applications/{id}")).await.body;
    assert!(seen.contains(&code) && seen.contains("status approved"), "{seen}");
}
both_backends!(an_offer_commits_the_budget_and_acceptance_issues_the_grant);

/// Declining (after a confirmation page) and lapsing both return the budget, once.
async fn declined_and_lapsed_offers_return_the_budget(backend: Backend) {
    let mut s = programme_with_application(backend, "declined_and_lapsed_offers_return_the_budget").await;
    let id = s.application_id;
    assert_eq!(offer(&mut s, id, "50000").await.status, 303);
    assert_eq!(budget(&s.app, s.programme_id), (5_000_000, 5_000_000));

    // The first press only asks to confirm.
    let path = format!("/applications/{id}");
    s.startup.refresh_csrf(&path).await;
    let r = s.startup.post(&format!("{path}/decline"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Yes, decline the offer") && r.body.contains("€50,000.00"), "{}", r.body);
    assert_eq!(status(&s.app, id), "offered");
    let r = s.startup.post(&format!("{path}/decline"), &[("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "declined");
    assert_eq!(budget(&s.app, s.programme_id), (10_000_000, 0));
    let r = s.startup.post(&format!("{path}/decline"), &[("confirm", "yes")]).await;
    assert_eq!(r.status, 409, "declined once");
    assert!(s.funder.get(&path).await.body.contains("status declined"));

    // Another offer whose deadline passed: acceptance is refused, the lapse returns the budget.
    let (mut other_startup, other) = second_application(&s, "30000").await;
    assert_eq!(offer(&mut s, other, "30000").await.status, 303);
    assert_eq!(budget(&s.app, s.programme_id), (7_000_000, 3_000_000));
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
    diesel::update(applications::table.find(other)).set(applications::offer_expires_at.eq(Some(past))).execute(&mut s.app.conn()).unwrap();
    let before = entry_count(&s.app);
    other_startup.refresh_csrf(&format!("/applications/{other}")).await;
    let r = other_startup.post(&format!("/applications/{other}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("lapsed"), "{}", r.body);
    assert_eq!((grant_count(&s.app), entry_count(&s.app)), (0, before), "nothing written");

    let now = chrono::Utc::now().naive_utc();
    assert_eq!(offers::lapse_due(&mut s.app.conn(), now).unwrap(), 1);
    assert_eq!(status(&s.app, other), "lapsed");
    assert_eq!(budget(&s.app, s.programme_id), (10_000_000, 0));
    let after = entry_count(&s.app);
    assert_eq!(offers::lapse_due(&mut s.app.conn(), now).unwrap(), 0, "idempotent");
    assert_eq!(entry_count(&s.app), after);
    assert!(s.funder.get(&format!("/applications/{other}")).await.body.contains("status lapsed"));
}
both_backends!(declined_and_lapsed_offers_return_the_budget);

/// An offer lapsing within the reminder window is reminded once per person.
async fn an_offer_lapsing_soon_is_reminded_once(backend: Backend) {
    let mut s = programme_with_application(backend, "an_offer_lapsing_soon_is_reminded_once").await;
    let id = s.application_id;
    assert_eq!(offer(&mut s, id, "1000").await.status, 303);
    let now = chrono::Utc::now().naive_utc();
    assert_eq!(offers::remind_due(&mut s.app.conn(), now).unwrap(), 0, "30 days left: no reminder yet");
    let soon = now + chrono::Duration::days(3);
    diesel::update(applications::table.find(id)).set(applications::offer_expires_at.eq(Some(soon))).execute(&mut s.app.conn()).unwrap();
    assert_eq!(offers::remind_due(&mut s.app.conn(), now).unwrap(), 1);
    assert_eq!(offers::remind_due(&mut s.app.conn(), now).unwrap(), 0, "once");
    let list = s.startup.get("/notifications").await.body;
    assert!(list.contains(&format!("The offer of €1,000.00 on application APP-{id} lapses on")), "{list}");
}
both_backends!(an_offer_lapsing_soon_is_reminded_once);

/// Acceptance that would cross the de minimis ceiling is refused with the figures, nothing
/// changed; the offer stays open.
async fn acceptance_over_the_de_minimis_ceiling_is_refused(backend: Backend) {
    let mut s = programme_with_application(backend, "acceptance_over_the_de_minimis_ceiling_is_refused").await;
    let days_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(400)).to_string();
    s.startup.refresh_csrf("/organisation/company").await;
    let r = s.startup.post("/organisation/company/aid", &[("granted_on", &days_ago), ("aid_amount", "260000"), ("granting_body", "Bpifrance")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = s.application_id;
    assert_eq!(offer(&mut s, id, "50000").await.status, 303, "the check is at acceptance");
    let page = s.startup.get(&format!("/applications/{id}")).await.body;
    assert!(page.contains("Bpifrance") && page.contains("€260,000.00"), "the declared aid is shown: {page}");

    let before = entry_count(&s.app);
    s.startup.refresh_csrf(&format!("/applications/{id}")).await;
    let r = s.startup.post(&format!("/applications/{id}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("€260,000.00 + €50,000.00 exceeds the €300,000.00 ceiling"), "{}", r.body);
    assert_eq!((status(&s.app, id), grant_count(&s.app), entry_count(&s.app)), ("offered".to_string(), 0, before));
    assert_eq!(de_minimis_awards::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 0);
    assert_eq!(budget(&s.app, s.programme_id), (5_000_000, 5_000_000), "still committed");
}
both_backends!(acceptance_over_the_de_minimis_ceiling_is_refused);

/// Only the startup's own people answer its offer: not the funder, not another startup.
async fn only_the_startup_answers_its_offer(backend: Backend) {
    let mut s = programme_with_application(backend, "only_the_startup_answers_its_offer").await;
    let id = s.application_id;
    assert_eq!(offer(&mut s, id, "1000").await.status, 303);
    let path = format!("/applications/{id}");
    // The funder: the route is for startups.
    let r = s.funder.post(&format!("{path}/accept"), &[("declaration", "yes")]).await;
    assert!(matches!(r.status, 403 | 404), "{}", r.status);
    // Another startup: not its application.
    let (mut other, _) = second_application(&s, "1000").await;
    other.refresh_csrf("/applications").await;
    assert_eq!(other.post(&format!("{path}/accept"), &[("declaration", "yes")]).await.status, 404);
    assert_eq!(other.post(&format!("{path}/decline"), &[("confirm", "yes")]).await.status, 404);
    // Without the CSRF token: refused.
    let mut stale = s.startup.clone_for_test();
    stale.csrf = "forged".into();
    assert_eq!(stale.post(&format!("{path}/accept"), &[("declaration", "yes")]).await.status, 403);
    assert_eq!((status(&s.app, id), grant_count(&s.app)), ("offered".to_string(), 0));
}
both_backends!(only_the_startup_answers_its_offer);

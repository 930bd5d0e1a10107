//! Reviews through the pages as a browser sends them (with CSRF), on both backends: criteria and
//! scale, reviewers assigned by the funder, the conflict-of-interest declaration that comes
//! before a reviewer sees anything of the application, scores within the scale submitted once,
//! the ranking by exact weighted average, and rejecting several applications at once behind a
//! confirmation page; and the refusals (startups, other funders, reviewers not assigned).

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use crate::journey::{Setup, programme_with_application};
use computegrants::db::schema::{applications, audit_events, review_assignments, review_criteria, review_scores, users};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{ApplicationId, ProgrammeId};
use diesel::prelude::*;

/// A person of the test funder with `role`.
fn funder_person(app: &TestApp, email: &str, role: &str) {
    app.create_member(OrgKind::Funder, "Test Funding Agency", email);
    diesel::update(users::table.filter(users::email.eq(email))).set(users::role.eq(role)).execute(&mut app.conn()).unwrap();
}

fn user_id(app: &TestApp, email: &str) -> i64 {
    users::table.filter(users::email.eq(email)).select(users::id).first(&mut app.conn()).unwrap()
}

/// A second startup applies to the programme.
async fn second_application(s: &Setup) -> ApplicationId {
    let mut startup = s.app.sign_up_startup("Second Wave Labs", "founder@second.test").await;
    let programme_id = s.programme_id;
    startup.refresh_csrf(&format!("/programmes/{programme_id}/apply")).await;
    let provider_id = s.provider_id.to_string();
    let r = startup
        .post(
            &format!("/programmes/{programme_id}/apply"),
            &[("requested", "20000"), ("purpose", "Fine-tuning a speech model for regional languages."), ("hardware", "GPU"), ("provider_id", &provider_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    id_from(&r.location)
}

async fn set_criteria(funder: &mut Client, programme_id: ProgrammeId) {
    let path = format!("/programmes/{programme_id}/reviews");
    funder.refresh_csrf(&path).await;
    let r = funder
        .post(&format!("/programmes/{programme_id}/criteria"), &[("scale_min", "0"), ("scale_max", "5"), ("name-0", "Impact"), ("weight-0", "3"), ("name-1", "Team"), ("weight-1", "1")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn assign(funder: &Client, programme_id: ProgrammeId, application_id: ApplicationId, reviewer: i64) -> u16 {
    let reviewer = reviewer.to_string();
    let application = application_id.to_string();
    let r = funder.post(&format!("/programmes/{programme_id}/reviewers"), &[("application_id", &application), ("reviewer_id", &reviewer)]).await;
    r.status
}

fn assignment_of(app: &TestApp, application_id: ApplicationId, reviewer: i64) -> i64 {
    review_assignments::table
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::reviewer_id.eq(reviewer))
        .select(review_assignments::id)
        .first(&mut app.conn())
        .unwrap()
}

fn scores_count(app: &TestApp) -> i64 {
    review_scores::table.count().get_result(&mut app.conn()).unwrap()
}

async fn conflict_hides_and_scores_rank_exactly(backend: Backend) {
    let mut s = programme_with_application(backend, "conflict_hides_and_scores_rank_exactly").await;
    let (pid, first) = (s.programme_id, s.application_id);
    let second = second_application(&s).await;
    funder_person(&s.app, "alice@agency.test", "reviewer");
    funder_person(&s.app, "bob@agency.test", "reviewer");
    funder_person(&s.app, "dave@agency.test", "reviewer");
    funder_person(&s.app, "carol@agency.test", "member");
    let (alice_id, bob_id, dave_id, carol_id) = (user_id(&s.app, "alice@agency.test"), user_id(&s.app, "bob@agency.test"), user_id(&s.app, "dave@agency.test"), user_id(&s.app, "carol@agency.test"));

    // Criteria: a weight that is not positive is refused next to the field, nothing stored.
    s.funder.refresh_csrf(&format!("/programmes/{pid}/reviews")).await;
    let r = s.funder.post(&format!("/programmes/{pid}/criteria"), &[("scale_min", "0"), ("scale_max", "5"), ("name-0", "Impact"), ("weight-0", "0")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("The weight of “Impact” must be a whole number from 1 to 100."), "{}", r.body);
    assert_eq!(review_criteria::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 0);
    set_criteria(&mut s.funder, pid).await;

    // The manager assigns; a member who is not a reviewer is refused.
    for (application, reviewer) in [(first, alice_id), (first, bob_id), (second, bob_id)] {
        assert_eq!(assign(&s.funder, pid, application, reviewer).await, 303);
    }
    let r = s.funder.post(&format!("/programmes/{pid}/reviewers"), &[("application_id", &first.to_string()), ("reviewer_id", &carol_id.to_string())]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Choose a reviewer, programme manager or owner"), "{}", r.body);
    assert_eq!(assign(&s.funder, pid, first, alice_id).await, 422, "assigned once");

    // Alice sees only the programme and reference before declaring, then declares a conflict.
    let mut alice = s.app.login("alice@agency.test").await;
    let alice_first = assignment_of(&s.app, first, alice_id);
    let list = alice.get("/reviews").await.body;
    assert!(list.contains(&format!("APP-{first}")) && list.contains("Test Compute Call"), "{list}");
    let page = alice.get(&format!("/reviews/{alice_first}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("APP-{first}")) && !page.body.contains("Lumen Test Labs") && !page.body.contains("multilingual language model"), "{}", page.body);
    assert_eq!(alice.get(&format!("/applications/{first}")).await.status, 404, "not before declaring");
    // Nor through the programme's page or the inbox, which list applications with their company.
    let programme_page = alice.get(&format!("/programmes/{pid}")).await;
    assert_eq!(programme_page.status, 200);
    assert!(!programme_page.body.contains("Lumen Test Labs") && !programme_page.body.contains("review-links"), "{}", programme_page.body);
    let inbox = alice.get("/inbox").await;
    assert!(inbox.status == 200 && !inbox.body.contains("Lumen Test Labs"), "{}", inbox.body);
    assert!(s.funder.get(&format!("/programmes/{pid}")).await.body.contains(&format!("href=\"/programmes/{pid}/ranking\"")), "the manager finds the ranking");
    alice.refresh_csrf(&format!("/reviews/{alice_first}")).await;
    let r = alice.post(&format!("/reviews/{alice_first}/declare"), &[("note", "")]).await;
    assert_eq!(r.status, 422, "a choice is needed, none is pre-set");
    let r = alice.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "yes"), ("note", "bad\u{0}byte")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = alice.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "yes"), ("note", "I advised this startup last year.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(alice.get(&format!("/reviews/{alice_first}")).await.status, 404, "a conflict hides it");
    assert_eq!(alice.get(&format!("/applications/{first}")).await.status, 404);
    assert!(!alice.get("/reviews").await.body.contains(&format!("APP-{first}<")));
    let r = alice.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "no")]).await;
    assert_eq!(r.status, 404, "and cannot be taken back");
    let manage = s.funder.get(&format!("/programmes/{pid}/reviews")).await.body;
    assert!(manage.contains("Needs another reviewer"), "{manage}");

    // Bob cannot see the content before clearing, then clears and scores.
    let mut bob = s.app.login("bob@agency.test").await;
    let bob_first = assignment_of(&s.app, first, bob_id);
    assert_eq!(bob.get(&format!("/applications/{first}")).await.status, 404);
    assert!(!bob.get(&format!("/reviews/{bob_first}")).await.body.contains("multilingual language model"));
    bob.refresh_csrf(&format!("/reviews/{bob_first}")).await;
    let r = bob.post(&format!("/reviews/{bob_first}/submit"), &[("confirm", "yes")]).await;
    assert_eq!(r.status, 409, "no scoring before declaring: {}", r.body);
    assert_eq!(bob.post(&format!("/reviews/{bob_first}/declare"), &[("conflict", "no")]).await.status, 303);
    let page = bob.get(&format!("/reviews/{bob_first}")).await.body;
    assert!(page.contains("multilingual language model") && page.contains("Lumen Test Labs"), "{page}");
    assert_eq!(bob.get(&format!("/applications/{first}")).await.status, 200);

    let criteria: Vec<(i64, String)> = review_criteria::table.order(review_criteria::position).select((review_criteria::id, review_criteria::name)).load(&mut s.app.conn()).unwrap();
    let (impact, team) = (format!("score-{}", criteria[0].0), format!("score-{}", criteria[1].0));
    // Out of scale, or without the confirmation: refused, nothing stored.
    let r = bob.post(&format!("/reviews/{bob_first}/submit"), &[(&impact, "6"), (&team, "2"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("The score for “Impact” must be a whole number from 0 to 5."), "{}", r.body);
    let r = bob.post(&format!("/reviews/{bob_first}/submit"), &[(&impact, "4"), (&team, "2")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Tick the box to confirm"), "{}", r.body);
    assert_eq!(scores_count(&s.app), 0);
    let r = bob.post(&format!("/reviews/{bob_first}/submit"), &[(&impact, "4"), (&team, "2"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(scores_count(&s.app), 2);
    let r = bob.post(&format!("/reviews/{bob_first}/submit"), &[(&impact, "5"), (&team, "5"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 409, "submitted once: {}", r.body);
    let own = bob.get(&format!("/reviews/{bob_first}")).await.body;
    assert!(own.contains("Your submitted review"), "{own}");

    // After the first score the criteria are frozen.
    let r = s.funder.post(&format!("/programmes/{pid}/criteria"), &[("scale_min", "1"), ("scale_max", "10"), ("name-0", "Impact"), ("weight-0", "1")]).await;
    assert_eq!(r.status, 409, "{}", r.body);

    // The second application scores higher and ranks first.
    let bob_second = assignment_of(&s.app, second, bob_id);
    assert_eq!(bob.post(&format!("/reviews/{bob_second}/declare"), &[("conflict", "no")]).await.status, 303);
    assert_eq!(bob.post(&format!("/reviews/{bob_second}/submit"), &[(&impact, "5"), (&team, "5"), ("confirm", "yes")]).await.status, 303);
    let ranking = s.funder.get(&format!("/programmes/{pid}/ranking")).await.body;
    let (high, low) = (ranking.find("5.00").expect("5.00 in the ranking"), ranking.find("3.50").expect("3.50 in the ranking"));
    assert!(high < low, "{ranking}");
    assert!(ranking.find(&format!("APP-{second}<")).unwrap() < ranking.find(&format!("APP-{first}<")).unwrap(), "{ranking}");

    // Exact through the domain: (3×4 + 1×2) / (3 + 1).
    let funder_member = computegrants::domain::identity::member(&mut s.app.conn(), computegrants::domain::UserId::new(user_id(&s.app, "funder@agency.test"))).unwrap();
    let (_, ranked) = computegrants::domain::reviews::ranking(&mut s.app.conn(), &funder_member, pid).unwrap();
    let shown: Vec<String> = ranked.iter().map(|r| r.shown_average().map(|a| a.to_string()).unwrap_or_default()).collect();
    assert_eq!(shown, vec!["5.00".to_string(), "3.50".to_string()]);
    assert_eq!(ranked[1].average, computegrants::domain::reviews::weighted_average(&[vec![(3, 4), (1, 2)]]));

    // Another reviewer replaces the conflicted one.
    assert_eq!(assign(&s.funder, pid, first, dave_id).await, 303);
    assert!(!s.funder.get(&format!("/programmes/{pid}/reviews")).await.body.contains("Needs another reviewer"));
    let actions: Vec<String> = audit_events::table.select(audit_events::action).load(&mut s.app.conn()).unwrap();
    for wanted in ["review-criteria-set", "reviewer-assigned", "review-conflict-declared", "review-cleared", "review-submitted"] {
        assert!(actions.iter().any(|a| a == wanted), "{wanted} in {actions:?}");
    }
}

fn status_of(app: &TestApp, id: ApplicationId) -> String {
    applications::table.find(id).select(applications::status).first(&mut app.conn()).unwrap()
}

async fn several_rejected_after_confirmation(backend: Backend) {
    let mut s = programme_with_application(backend, "several_rejected_after_confirmation").await;
    let (pid, first) = (s.programme_id, s.application_id);
    let second = second_application(&s).await;
    let path = format!("/programmes/{pid}/ranking/reject");
    s.funder.refresh_csrf(&format!("/programmes/{pid}/ranking")).await;
    let (a, b) = (first.to_string(), second.to_string());
    let reason = "Outside the scope of this call.";

    // Nothing chosen, or a reason too short: the ranking again with the problem.
    let r = s.funder.post(&path, &[("reason", reason)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Select at least one application."), "{}", r.body);
    let r = s.funder.post(&path, &[("application", &a), ("reason", "no")]).await;
    assert_eq!(r.status, 422);
    // The first post only asks to confirm; nothing is rejected yet.
    let r = s.funder.post(&path, &[("application", &a), ("application", &b), ("reason", reason)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("I confirm the rejection of these applications.") && r.body.contains(&format!("APP-{first}")) && r.body.contains(&format!("APP-{second}")), "{}", r.body);
    assert_eq!((status_of(&s.app, first), status_of(&s.app, second)), ("submitted".to_string(), "submitted".to_string()));

    // A reviewer may not decide.
    funder_person(&s.app, "rita@agency.test", "reviewer");
    let mut rita = s.app.login("rita@agency.test").await;
    rita.refresh_csrf("/reviews").await;
    assert_eq!(rita.post(&path, &[("application", &a), ("reason", reason), ("confirm", "yes")]).await.status, 404);
    assert_eq!(status_of(&s.app, first), "submitted");

    let r = s.funder.post(&path, &[("application", &a), ("application", &b), ("reason", reason), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!((status_of(&s.app, first), status_of(&s.app, second)), ("rejected".to_string(), "rejected".to_string()));
    let rejected: i64 = audit_events::table.filter(audit_events::action.eq("application-rejected")).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(rejected, 2);
    // Decided ones cannot be rejected again.
    assert_eq!(s.funder.post(&path, &[("application", &a), ("reason", reason), ("confirm", "yes")]).await.status, 422);
}

async fn reviews_refuse_strangers(backend: Backend) {
    let mut s = programme_with_application(backend, "reviews_refuse_strangers").await;
    let (pid, first) = (s.programme_id, s.application_id);
    funder_person(&s.app, "alice@agency.test", "reviewer");
    funder_person(&s.app, "bob@agency.test", "reviewer");
    let (alice_id, bob_id) = (user_id(&s.app, "alice@agency.test"), user_id(&s.app, "bob@agency.test"));
    set_criteria(&mut s.funder, pid).await;
    assert_eq!(assign(&s.funder, pid, first, alice_id).await, 303);
    let alice_first = assignment_of(&s.app, first, alice_id);
    let criteria_form = [("scale_min", "0"), ("scale_max", "10"), ("name-0", "Other"), ("weight-0", "2")];
    let pages = [format!("/programmes/{pid}/reviews"), format!("/programmes/{pid}/ranking"), format!("/reviews/{alice_first}")];

    // The startup: none of it.
    s.startup.refresh_csrf("/applications").await;
    for page in &pages {
        assert_eq!(s.startup.get(page).await.status, 404, "{page}");
    }
    assert_eq!(s.startup.get("/reviews").await.status, 404);
    assert_eq!(s.startup.post(&format!("/programmes/{pid}/criteria"), &criteria_form).await.status, 404);
    assert_eq!(s.startup.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "no")]).await.status, 404);

    // Another funder: not found, nothing assigned.
    s.app.create_member(OrgKind::Funder, "Other Agency", "owner@other.test");
    let mut other = s.app.login("owner@other.test").await;
    other.refresh_csrf("/reviews").await;
    for page in &pages {
        assert_eq!(other.get(page).await.status, 404, "{page}");
    }
    assert_eq!(other.post(&format!("/programmes/{pid}/criteria"), &criteria_form).await.status, 404);
    let other_id = user_id(&s.app, "owner@other.test");
    assert_eq!(assign(&other, pid, first, other_id).await, 404);
    assert_eq!(assign(&s.funder, pid, first, other_id).await, 422, "not a person of this funder");
    assert_eq!(other.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "no")]).await.status, 404);

    // A reviewer not assigned: not the assignment, not the application, not the management pages.
    let mut bob = s.app.login("bob@agency.test").await;
    bob.refresh_csrf("/reviews").await;
    assert!(!bob.get("/reviews").await.body.contains(&format!("APP-{first}")));
    for page in &pages {
        assert_eq!(bob.get(page).await.status, 404, "{page}");
    }
    assert_eq!(bob.get(&format!("/applications/{first}")).await.status, 404);
    assert_eq!(bob.post(&format!("/reviews/{alice_first}/declare"), &[("conflict", "no")]).await.status, 404);
    assert_eq!(bob.post(&format!("/programmes/{pid}/criteria"), &criteria_form).await.status, 404);
    assert_eq!(assign(&bob, pid, first, bob_id).await, 404);

    // Nothing changed.
    let statuses: Vec<String> = review_assignments::table.select(review_assignments::status).load(&mut s.app.conn()).unwrap();
    assert_eq!(statuses, vec!["assigned".to_string()]);
    let weights: Vec<i64> = review_criteria::table.order(review_criteria::position).select(review_criteria::weight).load(&mut s.app.conn()).unwrap();
    assert_eq!(weights, vec![3, 1]);
    // The owner still sees the application as before.
    assert_eq!(s.funder.get(&format!("/applications/{first}")).await.status, 200);
    // The French pages carry the French words.
    let mut fr = s.app.client_in("fr-FR,fr");
    fr.refresh_csrf("/login").await;
    let r = fr.post("/login", &[("email", "alice@agency.test"), ("password", crate::helpers::PASSWORD)]).await;
    assert_eq!(r.status, 303);
    let page = fr.get(&format!("/reviews/{alice_first}")).await.body;
    assert!(page.contains("Conflit d’intérêts") && page.contains("Je n’ai aucun conflit d’intérêts"), "{page}");
}

both_backends!(conflict_hides_and_scores_rank_exactly, several_rejected_after_confirmation, reviews_refuse_strangers);

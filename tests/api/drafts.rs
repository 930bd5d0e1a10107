//! Application drafts (the startup's alone until submitted), requests for changes with a message
//! the startup sees and is mailed, resubmission with every revision kept and what changed shown,
//! no decision while changes are requested, and the inbox's review states.

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use crate::journey::{Setup, programme_with_application};
use computegrants::db::schema::{application_revisions, applications, notifications, review_assignments, users};
use computegrants::domain::ApplicationId;
use diesel::prelude::*;

fn status(app: &TestApp, id: ApplicationId) -> String {
    applications::table.find(id).select(applications::status).first(&mut app.conn()).unwrap()
}

fn revision_count(app: &TestApp, id: ApplicationId) -> i64 {
    application_revisions::table.filter(application_revisions::application_id.eq(id)).count().get_result(&mut app.conn()).unwrap()
}

fn received_count(app: &TestApp) -> i64 {
    notifications::table.filter(notifications::kind.eq("application-received")).count().get_result(&mut app.conn()).unwrap()
}

/// The inbox row of an application (the reference links to it).
fn row(id: ApplicationId) -> String {
    format!("<a class=\"code\" href=\"/applications/{id}\">APP-{id}</a>")
}

/// Another startup saves (`action` "draft") or submits an application for `amount`.
async fn other_startup(s: &Setup, company: &str, email: &str, amount: &str, purpose: &str, action: &str) -> (Client, ApplicationId) {
    let mut c = s.app.sign_up_startup(company, email).await;
    let path = format!("/programmes/{}/apply", s.programme_id);
    c.refresh_csrf(&path).await;
    let provider = s.provider_id.to_string();
    let r = c.post(&path, &[("requested", amount), ("purpose", purpose), ("hardware", "GPU"), ("provider_id", &provider), ("action", action)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    (c, id_from(&r.location))
}

async fn edit(c: &mut Client, s: &Setup, id: ApplicationId, amount: &str, purpose: &str, action: &str) -> crate::helpers::Reply {
    let path = format!("/applications/{id}/edit");
    c.refresh_csrf(&path).await;
    let provider = s.provider_id.to_string();
    c.post(&path, &[("requested", amount), ("purpose", purpose), ("hardware", "GPU"), ("provider_id", &provider), ("action", action)]).await
}

async fn request_changes(funder: &mut Client, id: ApplicationId, message: &str) -> crate::helpers::Reply {
    let path = format!("/applications/{id}");
    funder.refresh_csrf(&path).await;
    funder.post(&format!("{path}/request-changes"), &[("message", message)]).await
}

const PURPOSE: &str = "Fine-tuning speech models for regional languages.";

async fn a_draft_is_hidden_then_submitted_sent_back_and_resubmitted_with_its_revisions(backend: Backend) {
    let mut s = programme_with_application(backend, "a_draft_is_hidden_then_submitted_sent_back_and_resubmitted_with_its_revisions").await;
    let received = received_count(&s.app);
    // A draft may be incomplete (a short purpose); nothing is sent, nobody else sees it.
    let (mut wave, id) = other_startup(&s, "Wave Speech Labs", "founder@wave.test", "20000", "To be written", "draft").await;
    assert_eq!(status(&s.app, id), "draft");
    assert_eq!(received_count(&s.app), received, "no receipt for a draft");
    assert_eq!(revision_count(&s.app, id), 0);
    let page = wave.get(&format!("/applications/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("draft-notice") && page.body.contains(&format!("/applications/{id}/edit")), "{}", page.body);
    assert_eq!(s.funder.get(&format!("/applications/{id}")).await.status, 404);
    let inbox = s.funder.get("/inbox").await.body;
    assert!(inbox.contains(&row(s.application_id)) && !inbox.contains(&row(id)), "{inbox}");
    assert!(!s.funder.get("/inbox?status=draft").await.body.contains(&row(id)));
    let listed = s.funder.get(&format!("/programmes/{}", s.programme_id)).await.body;
    assert!(!listed.contains(&format!("APP-{id}")), "{listed}");

    // Submitting applies the submission rules: too short a purpose is refused, the draft stays.
    let r = edit(&mut wave, &s, id, "20000", "To be written", "submit").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(status(&s.app, id), "draft");
    // Saved edits keep it a draft; then it is submitted, with its receipt and revision 1.
    assert_eq!(edit(&mut wave, &s, id, "20000", PURPOSE, "draft").await.status, 303);
    assert_eq!(status(&s.app, id), "draft");
    let r = edit(&mut wave, &s, id, "20000", PURPOSE, "submit").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "submitted");
    assert_eq!(revision_count(&s.app, id), 1);
    assert_eq!(received_count(&s.app), received + 1);
    // Submitted: frozen.
    assert_eq!(wave.get(&format!("/applications/{id}/edit")).await.status, 409);
    let provider = s.provider_id.to_string();
    let r = wave.post(&format!("/applications/{id}/edit"), &[("requested", "1000"), ("purpose", PURPOSE), ("hardware", "GPU"), ("provider_id", &provider), ("action", "draft")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(revision_count(&s.app, id), 1);

    // The funder asks for changes: a too-short message is refused, nothing changes.
    let r = request_changes(&mut s.funder, id, "Too short").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(status(&s.app, id), "submitted");
    let message = "Please ask only for what the first phase needs.";
    let r = request_changes(&mut s.funder, id, message).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "changes_requested");

    // No decision until it is resubmitted.
    s.funder.refresh_csrf(&format!("/applications/{id}")).await;
    let r = s.funder.post(&format!("/applications/{id}/decide"), &[("decision", "reject"), ("amount", ""), ("reason", "Not a fit for this call.")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(status(&s.app, id), "changes_requested");

    // The startup sees the message on its application and gets it by mail, with the link.
    let page = wave.get(&format!("/applications/{id}")).await.body;
    assert!(page.contains("change-request") && page.contains(message), "{page}");
    let mail = s.app.mail.wait_for("only for what the first phase needs").await;
    assert!(mail.contains("founder@wave.test") && mail.contains(&format!("/applications/{id}")), "{mail}");

    // Edited and resubmitted: revision 2, and what changed is shown old → new.
    let r = edit(&mut wave, &s, id, "15000", PURPOSE, "submit").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s.app, id), "submitted");
    assert_eq!(revision_count(&s.app, id), 2);
    let page = s.funder.get(&format!("/applications/{id}")).await.body;
    assert!(page.contains("id=\"revision-1\"") && page.contains("id=\"revision-2\""), "{page}");
    let changes = &page[page.find("id=\"revision-changes\"").expect("changes table")..];
    let (old, new) = (changes.find("€20,000.00").expect("old amount"), changes.find("€15,000.00").expect("new amount"));
    assert!(old < new, "old before new: {changes}");
    assert!(page.contains("request-changes-form"), "it can be sent back again or decided");
}

async fn the_inbox_tells_review_decision_and_changes_states_apart(backend: Backend) {
    let mut s = programme_with_application(backend, "the_inbox_tells_review_decision_and_changes_states_apart").await;
    let reviewed = s.application_id;
    let (_, draft) = other_startup(&s, "Wave Speech Labs", "founder@wave.test", "20000", PURPOSE, "draft").await;
    let (_, sent_back) = other_startup(&s, "Borealis Compute", "founder@borealis.test", "30000", PURPOSE, "submit").await;
    assert_eq!(request_changes(&mut s.funder, sent_back, "Please detail the hardware you need.").await.status, 303);
    // A reviewer is assigned to the first application and has not submitted yet.
    let funder_id: i64 = users::table.filter(users::email.eq("funder@agency.test")).select(users::id).first(&mut s.app.conn()).unwrap();
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(review_assignments::table)
        .values((
            review_assignments::application_id.eq(reviewed),
            review_assignments::reviewer_id.eq(funder_id),
            review_assignments::assigned_by.eq(funder_id),
            review_assignments::assigned_at.eq(now),
            review_assignments::status.eq("assigned"),
        ))
        .execute(&mut s.app.conn())
        .unwrap();

    let shows = |body: &str, id: ApplicationId| body.contains(&row(id));
    let review = s.funder.get("/inbox?status=awaiting-review").await.body;
    assert!(shows(&review, reviewed) && !shows(&review, sent_back) && !shows(&review, draft), "{review}");
    let decision = s.funder.get("/inbox?status=awaiting-decision").await.body;
    assert!(!shows(&decision, reviewed) && !shows(&decision, sent_back) && !shows(&decision, draft), "{decision}");
    let changes = s.funder.get("/inbox?status=changes_requested").await.body;
    assert!(shows(&changes, sent_back) && !shows(&changes, reviewed), "{changes}");
    let all = s.funder.get("/inbox").await.body;
    assert!(shows(&all, reviewed) && shows(&all, sent_back) && !shows(&all, draft), "{all}");
    assert!(all.contains("value=\"awaiting-review\"") && !all.contains("value=\"draft\""), "{all}");

    // The review submitted: it now awaits a decision.
    diesel::update(review_assignments::table.filter(review_assignments::application_id.eq(reviewed)))
        .set((review_assignments::status.eq("submitted"), review_assignments::submitted_at.eq(Some(now))))
        .execute(&mut s.app.conn())
        .unwrap();
    let decision = s.funder.get("/inbox?status=awaiting-decision").await.body;
    assert!(shows(&decision, reviewed), "{decision}");
    assert!(!shows(&s.funder.get("/inbox?status=awaiting-review").await.body, reviewed));
}

both_backends!(a_draft_is_hidden_then_submitted_sent_back_and_resubmitted_with_its_revisions, the_inbox_tells_review_decision_and_changes_states_apart);

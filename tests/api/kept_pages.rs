//! The funder's dashboard, the sovereignty report, the programme's page and the grant's page are
//! kept between requests while neither the ledger nor the page state moves (see
//! `spending::SpendCache`): each must show a change on the very next request. On the dataset of
//! `transparency.rs`.

use crate::both_backends;
use crate::helpers::Backend;
use crate::transparency::{dataset, spend};
use computegrants::db::schema::{applications, grants as grant_rows, organisations, programme_cofunders, programmes as programme_rows, users};
use computegrants::domain::{grant_expiry, grants, identity, programmes, UserId};
use diesel::prelude::*;

fn member_by_email(conn: &mut computegrants::db::AnyConnection, email: &str) -> identity::Member {
    let id: i64 = users::table.filter(users::email.eq(email)).select(users::id).first(conn).unwrap();
    identity::member(conn, UserId::new(id)).unwrap()
}

async fn the_kept_dashboard_and_sovereignty_report_follow_changes(backend: Backend) {
    let d = dataset(backend, "the_kept_dashboard_and_sovereignty_report_follow_changes").await;
    let funder = d.app.login("funder@agency.test").await;
    // Dashboard: read twice (the second from what the first kept), then a renamed programme.
    let first = funder.get("/").await.body;
    assert_eq!(first, funder.get("/").await.body);
    diesel::update(programme_rows::table.find(d.programme_id.get())).set(programme_rows::name.eq("Kept Compute Renamed")).execute(&mut d.app.conn()).unwrap();
    let renamed = funder.get("/").await.body;
    assert!(renamed.contains("Kept Compute Renamed") && renamed != first, "{renamed}");
    // An application back to waiting for a decision: the pending count moves at once.
    let application: i64 = applications::table.filter(applications::programme_id.eq(d.programme_id.get())).order(applications::id).select(applications::id).first(&mut d.app.conn()).unwrap();
    diesel::update(applications::table.find(application)).set(applications::status.eq("submitted")).execute(&mut d.app.conn()).unwrap();
    assert_ne!(funder.get("/").await.body, renamed, "the pending count shows at once");

    // Sovereignty: a ledger movement (100.00 more at Alpha) and a provider moving its seat.
    let path = format!("/programmes/{}/sovereignty", d.programme_id);
    let before = funder.get(&path).await.body;
    assert_eq!(before, funder.get(&path).await.body);
    spend(&mut d.app.conn(), "spend-kept-more", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 10_000);
    let spent = funder.get(&path).await.body;
    assert_ne!(spent, before, "the new spend shows at once");
    assert!(spent.contains("1,100.00") && !before.contains("1,100.00"), "{spent}");
    diesel::update(organisations::table.filter(organisations::name.eq("Berg HPC"))).set(organisations::country.eq(Some("DE"))).execute(&mut d.app.conn()).unwrap();
    let moved = funder.get(&path).await.body;
    assert_ne!(moved, spent, "the provider's new country shows at once");
}

async fn the_kept_programme_and_grant_pages_follow_changes(backend: Backend) {
    let d = dataset(backend, "the_kept_programme_and_grant_pages_follow_changes").await;
    let funder = d.app.login("funder@agency.test").await;
    let member = member_by_email(&mut d.app.conn(), "funder@agency.test");
    let grant = grants::grant_by_code(&mut d.app.conn(), &d.grants[0]).unwrap().unwrap();

    // The grant's page: a ledger movement, then an extension (a grant change, with its reason).
    let path = format!("/grants/{}", grant.id);
    let first = funder.get(&path).await.body;
    assert_eq!(first, funder.get(&path).await.body);
    spend(&mut d.app.conn(), "spend-kept-grant", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 10_000);
    let spent = funder.get(&path).await.body;
    assert_ne!(spent, first, "the movement shows at once");
    let until = grant.valid_until + chrono::Duration::days(60);
    grant_expiry::extend(&mut d.app.conn(), &member, grant.id, until, "Kept pages extension reason.").unwrap();
    let extended = funder.get(&path).await.body;
    assert!(extended.contains("Kept pages extension reason.") && !spent.contains("Kept pages extension reason."), "{extended}");
    // What the page shows of the grant is rendered once and kept per language and per whether
    // reasons show: the provider never reads the funder's reason, a French funder reads French,
    // and the funder's forms still carry the funder's own token.
    let provider = d.app.login("billing@alpha.test").await;
    let provider_view = provider.get(&path).await.body;
    assert!(provider_view.contains("<h2>Statement</h2>") && !provider_view.contains("Kept pages extension reason."), "{provider_view}");
    assert!(!provider_view.contains("/extend\""), "the provider gets no funder's form");
    let french = d.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    let french_view = french.get(&path).await.body;
    assert!(french_view.contains("<h2>Relevé de compte</h2>") && !french_view.contains("<h2>Statement</h2>"), "{french_view}");
    let tokens = |body: &str| body.split("name=\"csrf_token\" value=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect::<std::collections::BTreeSet<_>>();
    let funder_view = funder.get(&path).await.body;
    assert!(funder_view.contains("/extend\""), "the funder's forms are there");
    let (funder_tokens, french_tokens) = (tokens(&funder_view), tokens(&french_view));
    assert!(funder_tokens.len() == 1 && french_tokens.len() == 1 && funder_tokens != french_tokens, "each session's forms carry its own token: {funder_tokens:?} {french_tokens:?}");

    // The programme's page: a change to its terms, then its author renamed (users are not
    // ledger entries nor programmes: the page state moves for their names too).
    let path = format!("/programmes/{}", d.programme_id);
    let before = funder.get(&path).await.body;
    assert_eq!(before, funder.get(&path).await.body);
    let closes = programmes::get(&mut d.app.conn(), d.programme_id).unwrap().closes_on + chrono::Duration::days(30);
    programmes::extend_closing(&mut d.app.conn(), &member, d.programme_id, closes, "Kept pages closing reason.").unwrap();
    let changed = funder.get(&path).await.body;
    assert!(changed.contains("Kept pages closing reason.") && !before.contains("Kept pages closing reason."), "{changed}");
    diesel::update(users::table.find(member.user.id.get())).set(users::display_name.eq("Renamée Kept")).execute(&mut d.app.conn()).unwrap();
    let renamed = funder.get(&path).await.body;
    assert!(renamed.contains("Renamée Kept") && !changed.contains("Renamée Kept"), "{renamed}");

    // The report section is rendered once and kept for every viewer of the same language who
    // may (or may not) run the programme: a ledger movement shows in it at once, a French
    // funder reads it in French, and an admin (who reads the report but does not run the
    // programme) never gets the funder's review links.
    let spent_before = renamed;
    spend(&mut d.app.conn(), "spend-kept-programme", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 12_345);
    let spent_after = funder.get(&path).await.body;
    assert_ne!(spent_after, spent_before, "the movement shows in the report at once");
    assert!(spent_after.contains("<h2>Report</h2>") && spent_after.contains("id=\"review-links\""), "{spent_after}");
    let french = d.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await.get(&path).await.body;
    assert!(french.contains("<h2>Bilan</h2>") && !french.contains("<h2>Report</h2>"), "{french}");
    d.app.create_member(identity::OrgKind::Platform, "Operations", "admin@ops.test");
    let mut admin = d.app.client();
    admin.refresh_csrf("/login").await;
    assert_eq!(admin.post("/login", &[("email", "admin@ops.test"), ("password", crate::helpers::PASSWORD)]).await.status, 303);
    let admin = admin.get(&path).await.body;
    assert!(admin.contains("<h2>Report</h2>") && !admin.contains("id=\"review-links\""), "{admin}");
    assert!(funder.get(&path).await.body.contains("id=\"review-links\""), "the admin's section did not replace the funder's");
}

/// Who may see a kept page is decided on every request, on the programme and the grant as they
/// stand at that request's state: an invitation to co-fund, its withdrawal, or a grant moved to
/// another provider shows on the very next request, even though the page itself was kept.
async fn who_may_see_a_kept_page_follows_changes(backend: Backend) {
    let d = dataset(backend, "who_may_see_a_kept_page_follows_changes").await;
    let lead = d.app.login("funder@agency.test").await;
    d.app.create_member(identity::OrgKind::Funder, "Région Test", "funder@region.test");
    let other = d.app.login("funder@region.test").await;
    let path = format!("/programmes/{}", d.programme_id);
    // The lead's visit keeps the page (and the programme behind the access check).
    assert_eq!(lead.get(&path).await.status, 200);
    assert_eq!(lead.get(&path).await.status, 200);
    assert_eq!(other.get(&path).await.status, 404, "not its programme");

    let region: i64 = organisations::table.filter(organisations::name.eq("Région Test")).select(organisations::id).first(&mut d.app.conn()).unwrap();
    let lead_member = member_by_email(&mut d.app.conn(), "funder@agency.test");
    diesel::insert_into(programme_cofunders::table)
        .values((
            programme_cofunders::programme_id.eq(d.programme_id.get()),
            programme_cofunders::funder_id.eq(region),
            programme_cofunders::invited_by.eq(lead_member.user.id.get()),
            programme_cofunders::invited_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(&mut d.app.conn())
        .unwrap();
    let invited = other.get(&path).await;
    assert_eq!(invited.status, 200, "an invited co-funder sees the programme at once");
    assert!(invited.body.contains("Sovereign Compute 2026"), "{}", invited.body);
    diesel::delete(programme_cofunders::table.filter(programme_cofunders::funder_id.eq(region))).execute(&mut d.app.conn()).unwrap();
    assert_eq!(other.get(&path).await.status, 404, "a withdrawn invitation hides it at once");

    // A grant at Alpha: Berg's people may not see it, until it is moved to Berg.
    let grant = grants::grant_by_code(&mut d.app.conn(), &d.grants[0]).unwrap().unwrap();
    let path = format!("/grants/{}", grant.id);
    let berg = d.app.login("billing@berg.test").await;
    let alpha = d.app.login("billing@alpha.test").await;
    assert_eq!(alpha.get(&path).await.status, 200);
    assert_eq!(alpha.get(&path).await.status, 200);
    assert_eq!(berg.get(&path).await.status, 404, "not its grant");
    let berg_id: i64 = organisations::table.filter(organisations::name.eq("Berg HPC")).select(organisations::id).first(&mut d.app.conn()).unwrap();
    diesel::update(grant_rows::table.find(grant.id.get())).set(grant_rows::provider_id.eq(berg_id)).execute(&mut d.app.conn()).unwrap();
    assert_eq!(berg.get(&path).await.status, 200, "the grant's new provider sees it at once");
    assert_eq!(alpha.get(&path).await.status, 404, "its former provider no longer does");
}

/// The state a signed-in request reads with its session is the one the pages would read
/// themselves: the ledger head's count and the page state's version.
async fn the_session_read_carries_the_page_state(backend: Backend) {
    let d = dataset(backend, "the_session_read_carries_the_page_state").await;
    let mut conn = d.app.conn();
    let funder = member_by_email(&mut conn, "funder@agency.test");
    let (token, _) = identity::start_session(&mut conn, Some(funder.user.id)).unwrap();
    let read = |conn: &mut computegrants::db::AnyConnection| identity::signed_in(conn, &token).unwrap().expect("the session is live").state;
    let before = read(&mut conn).expect("a signed-in session reads the state with it");
    assert_eq!(before, computegrants::domain::spending::ledger_state(&mut conn).unwrap());
    spend(&mut conn, "spend-state", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 100);
    let after = read(&mut conn).unwrap();
    assert_eq!(after, computegrants::domain::spending::ledger_state(&mut conn).unwrap());
    assert!(after.0 > before.0, "a ledger entry moves the count: {before:?} {after:?}");
    diesel::update(programme_rows::table.find(d.programme_id.get())).set(programme_rows::name.eq("State Renamed")).execute(&mut conn).unwrap();
    let renamed = read(&mut conn).unwrap();
    assert!(renamed.0 == after.0 && renamed.1 > after.1, "a renamed programme moves the version: {after:?} {renamed:?}");
}

/// What is kept at a request's state is served with no connection at all (`spending::Reads`),
/// access decided all the same; anything not kept, or kept at an older state, asks for one.
async fn a_kept_page_is_served_without_a_connection(backend: Backend) {
    use computegrants::domain::spending::{self, NoConnection, SpendCache};
    use computegrants::domain::{DomainError, sovereignty};
    let d = dataset(backend, "a_kept_page_is_served_without_a_connection").await;
    let mut conn = d.app.conn();
    let (cache, funder) = (SpendCache::default(), member_by_email(&mut conn, "funder@agency.test"));
    let at = spending::ledger_state(&mut conn).unwrap();
    let not_kept = |r: Result<_, DomainError>| matches!(r, Err(DomainError::NotKept));
    assert!(not_kept(sovereignty::of_programme(&mut NoConnection, &cache, Some(at), &funder, d.programme_id)), "nothing kept yet");
    let (_, read) = sovereignty::of_programme(&mut conn, &cache, Some(at), &funder, d.programme_id).unwrap();
    let (programme, kept) = sovereignty::of_programme(&mut NoConnection, &cache, Some(at), &funder, d.programme_id).expect("kept at this state");
    assert_eq!((programme.id, format!("{:?}", kept.figures)), (d.programme_id, format!("{:?}", read.figures)));
    // Without a state known to the request, the state itself needs a connection.
    assert!(not_kept(sovereignty::of_programme(&mut NoConnection, &cache, None, &funder, d.programme_id)));
    // Another funder is refused from what is kept, without a connection.
    let other = computegrants::domain::identity::create_member(&mut conn, computegrants::domain::identity::OrgKind::Funder, "Other Agency", "funder@other.test", "Other", crate::helpers::PASSWORD).unwrap();
    assert!(matches!(sovereignty::of_programme(&mut NoConnection, &cache, Some(at), &other, d.programme_id), Err(DomainError::NotFound)));
    // A movement of the ledger: what was kept is out of date, and a read is asked for again.
    let alpha = member_by_email(&mut conn, "billing@alpha.test");
    spend(&mut conn, "spend-no-connection", &d.grants[0], &alpha, 100);
    let moved = spending::ledger_state(&mut conn).unwrap();
    assert!(not_kept(sovereignty::of_programme(&mut NoConnection, &cache, Some(moved), &funder, d.programme_id)), "kept at {at:?}, asked at {moved:?}");
}

both_backends!(
    a_kept_page_is_served_without_a_connection,
    the_kept_dashboard_and_sovereignty_report_follow_changes,
    the_kept_programme_and_grant_pages_follow_changes,
    who_may_see_a_kept_page_follows_changes,
    the_session_read_carries_the_page_state
);

//! Co-funding: the lead invites another funder, which commits budget from its own commitments;
//! the programme page shows each funder's share.

use crate::both_backends;
use crate::helpers::Backend;
use crate::journey::programme_with_application;
use computegrants::db::schema::{ledger_accounts, ledger_entries, programmes};
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

async fn a_co_funder_commits_budget_and_the_shares_show_it(backend: Backend) {
    let mut s = programme_with_application(backend, "a_co_funder_commits_budget_and_the_shares_show_it").await;
    let region = s.app.create_member(OrgKind::Funder, "Région Sud Innovation", "cofunder@region.test");
    s.app.create_member(OrgKind::Funder, "Uninvited Agency", "other@uninvited.test");
    let page = format!("/programmes/{}", s.programme_id);

    // Before an invitation, the other funder sees nothing of the programme.
    let mut cofunder = s.app.login("cofunder@region.test").await;
    assert_eq!(cofunder.get(&page).await.status, 404);

    // The lead invites it by name (any case); wrong names are refused with a reason.
    s.funder.refresh_csrf(&page).await;
    let r = s.funder.post(&format!("{page}/cofunders"), &[("cofunder", "Nobody Fund")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("No funder named “Nobody Fund” is registered here."), "{}", r.body);
    let r = s.funder.post(&format!("{page}/cofunders"), &[("cofunder", "Test Funding Agency")]).await;
    assert!(r.status == 422 && r.body.contains("funds it already"), "{}", r.body);
    let r = s.funder.post(&format!("{page}/cofunders"), &[("cofunder", "région sud innovation")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = s.funder.post(&format!("{page}/cofunders"), &[("cofunder", "Région Sud Innovation")]).await;
    assert!(r.status == 422 && r.body.contains("is invited already"), "{}", r.body);

    // The co-funder sees the programme, but not its report or applications.
    cofunder.refresh_csrf(&page).await;
    let body = cofunder.get(&page).await.body;
    assert!(body.contains("Région Sud Innovation (invited)") && body.contains("action=\"/programmes/"), "{body}");
    assert!(!body.contains("Lumen Test Labs"), "no applications for a co-funder: {body}");
    // Committing needs the box ticked; then €50,000 moves from its commitments in one entry.
    let r = cofunder.post(&format!("{page}/cofund"), &[("budget", "50000")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let before: i64 = ledger_entries::table.count().get_result(&mut s.app.conn()).unwrap();
    let r = cofunder.post(&format!("{page}/cofund"), &[("budget", "50000"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut conn = s.app.conn();
    assert_eq!(ledger_entries::table.count().get_result::<i64>(&mut conn).unwrap(), before + 1);
    let key = format!("cofund:programme:{}:funder:{}:to:5000000", s.programme_id, region.org_id());
    assert_eq!(ledger_entries::table.filter(ledger_entries::idempotency_key.eq(&key)).count().get_result::<i64>(&mut conn).unwrap(), 1);
    let commitments: i64 = ledger_accounts::table.filter(ledger_accounts::code.eq(format!("funder:{}:commitments:EUR", region.org_id()))).select(ledger_accounts::debits_posted).first(&mut conn).unwrap();
    assert_eq!(commitments, 5_000_000);
    let budget: i64 = programmes::table.find(s.programme_id).select(programmes::budget).first(&mut conn).unwrap();
    assert_eq!(budget, 15_000_000);

    // Shares: the lead €100,000 (66.7 %), the co-funder €50,000 (33.3 %), on both sides.
    for who in [&s.funder, &cofunder] {
        let body = who.get(&page).await.body;
        assert!(body.contains("Test Funding Agency (lead funder)</th><td class=\"num\">€100,000.00</td><td class=\"num\">66.7 %</td>"), "{body}");
        assert!(body.contains("Région Sud Innovation</th><td class=\"num\">€50,000.00</td><td class=\"num\">33.3 %</td>"), "{body}");
    }
    // A startup sees the call, not who funds it; an uninvited funder and a startup cannot commit.
    assert!(!s.startup.get(&page).await.body.contains("id=\"shares\""));
    let mut other = s.app.login("other@uninvited.test").await;
    other.refresh_csrf("/programmes").await;
    assert_eq!(other.post(&format!("{page}/cofund"), &[("budget", "10"), ("confirm", "yes")]).await.status, 404);
    s.startup.refresh_csrf(&page).await;
    assert!(s.startup.post(&format!("{page}/cofund"), &[("budget", "10"), ("confirm", "yes")]).await.status >= 400);
    assert_eq!(programmes::table.find(s.programme_id).select(programmes::budget).first::<i64>(&mut conn).unwrap(), 15_000_000, "nothing changed");

    // In French.
    let fr = s.app.login_in("cofunder@region.test", "fr-FR,fr;q=0.9").await;
    assert!(fr.get(&page).await.body.contains("33,3 %"));
}
both_backends!(a_co_funder_commits_budget_and_the_shares_show_it);

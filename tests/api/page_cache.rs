//! Pages kept rendered between requests (the public transparency page, per language) and the
//! figures kept under them (programme report, transparency data) must change as soon as what
//! they show changes: a ledger movement, and also what is not a ledger entry — a renamed
//! organisation, an edited programme, a new application. On the dataset of `transparency.rs`.

use crate::both_backends;
use crate::helpers::Backend;
use crate::transparency::{dataset, spend};
use computegrants::db::schema::{organisations, programmes as programme_rows, users};
use computegrants::domain::identity;
use computegrants::domain::programmes;
use computegrants::domain::UserId;
use diesel::prelude::*;

fn member_by_email(conn: &mut computegrants::db::AnyConnection, email: &str) -> identity::Member {
    let id: i64 = users::table.filter(users::email.eq(email)).select(users::id).first(conn).unwrap();
    identity::member(conn, UserId::new(id)).unwrap()
}

async fn the_kept_public_page_follows_every_change_it_shows(backend: Backend) {
    let d = dataset(backend, "the_kept_public_page_follows_every_change_it_shows").await;
    let visitor = d.app.client();
    let french = d.app.client_in("fr-FR,fr");
    let gpu = |euros: &str| format!("<tr><th scope=\"row\">GPU</th><td class=\"num\">{euros}</td></tr>");
    // Read twice: the second answer comes from what the first kept, and is the same page.
    let first = visitor.get("/transparency").await.body;
    let again = visitor.get("/transparency").await.body;
    assert!(first.contains("Lumen Labs SAS") && first.contains(&gpu("€500.00")), "{first}");
    assert!(again.contains("Lumen Labs SAS") && again.contains(&gpu("€500.00")));
    assert!(french.get("/transparency").await.body.contains("Lumen Labs SAS"), "kept per language too");

    // A ledger movement (100.00 more GPU spending at Alpha) shows at once.
    spend(&mut d.app.conn(), "spend-big-more", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 10_000);
    let page = visitor.get("/transparency").await.body;
    assert!(page.contains(&gpu("€600.00")) && !page.contains(&gpu("€500.00")), "{page}");

    // A renamed beneficiary (no ledger entry) shows at once, in both languages.
    let lumen: i64 = organisations::table.filter(organisations::name.eq("Lumen Labs")).select(organisations::id).first(&mut d.app.conn()).unwrap();
    diesel::update(organisations::table.find(lumen)).set(organisations::legal_name.eq(Some("Lumière Labs SAS"))).execute(&mut d.app.conn()).unwrap();
    let page = visitor.get("/transparency").await.body;
    assert!(page.contains("Lumière Labs SAS") && !page.contains("Lumen Labs SAS"), "{page}");
    let fr = french.get("/transparency").await.body;
    assert!(fr.contains("Lumière Labs SAS") && !fr.contains("Lumen Labs SAS"), "{fr}");

    let page = visitor.get("/transparency").await.body;
    // A programme edit through the domain (its closing date moves; no ledger entry) shows at once.
    let funder = member_by_email(&mut d.app.conn(), "funder@agency.test");
    let closes = programmes::get(&mut d.app.conn(), d.programme_id).unwrap().closes_on + chrono::Duration::days(30);
    programmes::extend_closing(&mut d.app.conn(), &funder, d.programme_id, closes, "More time for applicants to apply.").unwrap();
    let row = |page: &str| {
        let start = page.find(&format!("<tr id=\"programme-{}\">", d.programme_id)).expect("the programme's row");
        page[start..start + page[start..].find("</tr>").unwrap()].to_string()
    };
    let before = row(&page);
    let after = row(&visitor.get("/transparency").await.body);
    assert_ne!(before, after, "the new closing date shows");

    // A renamed programme as well.
    diesel::update(programme_rows::table.find(d.programme_id.get())).set(programme_rows::name.eq("Sovereign Compute 2027")).execute(&mut d.app.conn()).unwrap();
    let page = visitor.get("/transparency").await.body;
    assert!(page.contains("Sovereign Compute 2027") && !page.contains("Sovereign Compute 2026"), "{page}");
}

async fn the_kept_programme_report_follows_names_and_movements(backend: Backend) {
    let d = dataset(backend, "the_kept_programme_report_follows_names_and_movements").await;
    let funder = d.app.login("funder@agency.test").await;
    let path = format!("/programmes/{}", d.programme_id);
    let first = funder.get(&path).await.body;
    assert!(first.contains("Lumen Labs") && first.contains(">€1,000.00</text>"), "{first}");
    assert!(funder.get(&path).await.body.contains("Lumen Labs"));
    // Renamed without a ledger entry: the report shows the new name at once.
    diesel::update(organisations::table.filter(organisations::name.eq("Lumen Labs"))).set(organisations::name.eq("Lumière Labs")).execute(&mut d.app.conn()).unwrap();
    let page = funder.get(&path).await.body;
    assert!(page.contains("Lumière Labs") && !page.contains("Lumen Labs"), "{page}");
    // A ledger movement: the total spent moves from 1,000.00 to 1,100.00.
    spend(&mut d.app.conn(), "spend-big-more", &d.grants[0], &member_by_email(&mut d.app.conn(), "billing@alpha.test"), 10_000);
    let page = funder.get(&path).await.body;
    assert!(page.contains(">€1,100.00</text>") && !page.contains(">€1,000.00</text>"), "{page}");
}

both_backends!(the_kept_public_page_follows_every_change_it_shows, the_kept_programme_report_follows_names_and_movements);

/// Viewers who find a kept value out of date wait for the one reading it and take what it read:
/// eight at once cause one read, not eight; a value read at a later state serves an earlier
/// one; and a state the kept value does not cover is read again.
fn one_read_serves_everyone_waiting_for_it(backend: Backend) {
    use computegrants::domain::spending::LedgerCache;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let db = crate::helpers::TestDb::new(backend, "one_read_serves_everyone_waiting_for_it");
    let cache: Arc<LedgerCache<i64, String>> = Arc::new(LedgerCache::default());
    let reads = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(std::sync::Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (cache, reads, start, mut conn) = (cache.clone(), reads.clone(), start.clone(), db.connect());
            std::thread::spawn(move || {
                start.wait();
                cache
                    .get_or_read_at(&mut conn, (10, 3), 7, |_| {
                        reads.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(200));
                        Ok("read at (10, 3)".to_string())
                    })
                    .unwrap()
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), "read at (10, 3)");
    }
    assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for eight viewers");
    let mut conn = db.connect();
    let again = |conn: &mut computegrants::db::AnyConnection, state| cache.get_or_read_at(conn, state, 7, |_| Ok(format!("read at {state:?}"))).unwrap();
    assert_eq!(again(&mut conn, (9, 3)), "read at (10, 3)", "an earlier state is covered by a later read");
    assert_eq!(again(&mut conn, (11, 3)), "read at (11, 3)", "a new ledger entry is read");
    assert_eq!(again(&mut conn, (11, 4)), "read at (11, 4)", "a new page state is read");
    assert_eq!(cache.kept_at(&7, (11, 4)).as_deref(), Some("read at (11, 4)"));
}
both_backends!(sync one_read_serves_everyone_waiting_for_it);

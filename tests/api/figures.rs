//! The programme's and the grant's figures (`domain::figures`): after a whole cycle (an award
//! accepted, usage held and approved, an offer still open, an expiry's clawback), each figure is
//! the sum of its entries page, the identities of the chart hold, the figures agree with the
//! accounts' own totals, and nobody but the programme's funder reads the programme's entries.

use crate::both_backends;
use crate::helpers::{Backend, entry, ubl_invoice, usage_csv};
use crate::invoices::held_usage;
use crate::journey::Setup;
use computegrants::db::schema::{grants, ledger_accounts, spend_days, users};
use computegrants::domain::figures::{self, Figure, GRANT_FIGURES, PROGRAMME_FIGURES};
use computegrants::domain::spending;
use computegrants::domain::identity::{self, Member, OrgKind};
use computegrants::domain::paging::{PageRequest, PAGE_SIZE};
use computegrants::domain::GrantId;
use computegrants::ledger::{self, EntryKind, chart};
use computegrants::money::Amount;
use diesel::prelude::*;

fn member(s: &Setup, email: &str) -> Member {
    let id = users::table.filter(users::email.eq(email)).select(users::id).first(&mut s.app.conn()).unwrap();
    identity::member(&mut s.app.conn(), id).unwrap()
}

/// Every page of a programme figure's entries: (sum of the rows, rows, the total shown).
fn programme_pages(s: &Setup, viewer: &Member, figure: Figure) -> (Amount, i64, Amount) {
    let (mut sum, mut rows, mut number) = (Amount::ZERO, 0, 1);
    loop {
        let page = figures::programme_entries(&mut s.app.conn(), viewer, s.programme_id, figure, None, PageRequest { number }).unwrap();
        for line in &page.entries.items {
            sum = sum.checked_add(line.amount).unwrap();
            assert!(!line.legs.is_empty(), "{figure}: entry #{} shows its legs", line.id);
        }
        rows += page.entries.items.len() as i64;
        if !page.entries.has_next() {
            assert_eq!(rows, page.entries.total, "{figure}: every entry counted once");
            return (sum, rows, page.total);
        }
        number += 1;
    }
}

fn grant_pages(s: &Setup, viewer: &Member, grant: GrantId, figure: Figure) -> Amount {
    let (_, page) = figures::grant_entries(&mut s.app.conn(), viewer, grant, figure, PageRequest::FIRST).unwrap();
    assert!(!page.entries.has_next());
    let sum = page.entries.items.iter().try_fold(Amount::ZERO, |a, l| a.checked_add(l.amount)).unwrap();
    assert_eq!(sum, page.total, "{figure}: the grant's page adds up to its figure");
    sum
}

fn available(s: &Setup, code: &str) -> Amount {
    let (cp, dp, dpend): (i64, i64, i64) = ledger_accounts::table
        .filter(ledger_accounts::code.eq(code))
        .select((ledger_accounts::credits_posted, ledger_accounts::debits_posted, ledger_accounts::debits_pending))
        .first(&mut s.app.conn())
        .unwrap();
    Amount::from_cents(cp - dp - dpend)
}

fn add(amounts: &[Amount]) -> Amount {
    amounts.iter().try_fold(Amount::ZERO, |a, b| a.checked_add(*b)).unwrap()
}

/// A second startup applies and is offered `amount`, which it leaves open.
async fn open_offer(s: &mut Setup, amount: &str) {
    let mut startup = s.app.sign_up_startup("Second Light Labs", "founder@second.test").await;
    let programme_id = s.programme_id;
    startup.refresh_csrf(&format!("/programmes/{programme_id}/apply")).await;
    let provider_id = s.provider_id.to_string();
    let r = startup
        .post(
            &format!("/programmes/{programme_id}/apply"),
            &[("requested", amount), ("purpose", "Fine-tuning speech models for regional languages."), ("hardware", "GPU"), ("provider_id", &provider_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", amount), ("reason", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn every_figure_is_the_sum_of_its_entries_and_the_identities_hold(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "every_figure_is_the_sum_of_its_entries_and_the_identities_hold").await;
    // 120.50 held, then approved: spent.
    let r = s.provider.upload_invoice(&upload, "INV-F1.xml", &ubl_invoice("INV-F1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let invoice = r.location.unwrap();
    s.funder.refresh_csrf(&invoice).await;
    assert_eq!(s.funder.post(&format!("{invoice}/approve"), &[]).await.status, 303);
    // 10.00 more, held.
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("december.csv", &usage_csv(&code, &["10.00"]).replace("T00:", "T07:")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second = r.location.unwrap();
    s.provider.refresh_csrf(&second).await;
    assert_eq!(s.provider.post(&format!("{second}/confirm"), &[]).await.status, 303);
    // An offer of 5,000 left open.
    open_offer(&mut s, "5000").await;
    // The grant expires: its free balance goes back to the (open) programme's budget.
    let grant_id: GrantId = grants::table.filter(grants::code.eq(&code)).select(grants::id).first(&mut s.app.conn()).unwrap();
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    diesel::update(grants::table.find(grant_id)).set((grants::valid_from.eq(yesterday - chrono::Duration::days(30)), grants::valid_until.eq(yesterday))).execute(&mut s.app.conn()).unwrap();
    let run = computegrants::domain::grant_expiry::expire_due(&mut s.app.conn(), chrono::Utc::now().date_naive(), "test").unwrap();
    assert_eq!(run.expired.len(), 1, "{run:?}");

    let funder = member(&s, "funder@agency.test");
    let figs = figures::programme_figures(&mut s.app.conn(), &funder, s.programme_id).unwrap();
    let f = |figure| figs.get(figure);
    // Each figure is the sum of its entries page(s).
    for figure in PROGRAMME_FIGURES {
        let (sum, rows, shown) = programme_pages(&s, &funder, figure);
        assert_eq!(sum, f(figure), "{figure}: the entries add up to the figure");
        assert_eq!(shown, f(figure), "{figure}: the page's total is the figure");
        if f(figure) != Amount::ZERO {
            assert!(rows > 0, "{figure}");
        }
    }
    // The figures of this cycle, and what the accounts hold.
    let cents = |c: i64| Amount::from_cents(c);
    assert_eq!(f(Figure::Budget), cents(10_000_000));
    assert_eq!(f(Figure::Awarded), cents(1_000_000));
    assert_eq!(f(Figure::Committed), cents(500_000));
    assert_eq!(f(Figure::Spent), cents(12_050));
    assert_eq!(f(Figure::Held), cents(1_000));
    assert_eq!(f(Figure::ClawedBack), cents(1_000_000 - 12_050 - 1_000));
    assert_eq!(f(Figure::Returned), f(Figure::ClawedBack), "the programme is open: all of it went back to the budget");
    assert_eq!(f(Figure::Unspent), Amount::ZERO);
    assert_eq!(f(Figure::Remaining), available(&s, &chart::programme_available(s.programme_id.get(), "EUR").code));
    assert_eq!(f(Figure::Committed), computegrants::domain::offers::committed(&mut s.app.conn(), &computegrants::domain::programmes::get(&mut s.app.conn(), s.programme_id).unwrap()).unwrap());
    assert_eq!(f(Figure::Unspent), available(&s, &format!("grant:{code}:credits")));
    // The identities of the module documentation.
    assert_eq!(add(&[f(Figure::Budget), f(Figure::Returned)]), add(&[f(Figure::Committed), f(Figure::Awarded), f(Figure::Remaining)]));
    assert_eq!(f(Figure::Awarded), add(&[f(Figure::Spent), f(Figure::Held), f(Figure::ClawedBack), f(Figure::Unspent)]));
    // The lead's part of the budget is all of it.
    assert_eq!(figs.shares.iter().map(|sh| sh.amount).collect::<Vec<_>>(), vec![f(Figure::Budget)]);

    // The grant's figures, for its startup.
    let startup = member(&s, "founder@lumen.test");
    let g: std::collections::HashMap<Figure, Amount> = figures::grant_figures(&mut s.app.conn(), &startup, grant_id).unwrap().into_iter().collect();
    for figure in GRANT_FIGURES {
        assert_eq!(grant_pages(&s, &startup, grant_id, figure), g[&figure], "{figure}");
    }
    assert_eq!(g[&Figure::Credited], add(&[g[&Figure::Spent], g[&Figure::Held], g[&Figure::ClawedBack], g[&Figure::Balance]]));
    assert_eq!(g[&Figure::Balance], available(&s, &format!("grant:{code}:credits")));
    assert_eq!((g[&Figure::Spent], g[&Figure::Held]), (cents(12_050), cents(1_000)));

    // Spending by provider and by month, read from the spend the ledger keeps (`spend_days`),
    // makes the same spent figure; the migration's backfill rebuilds those rows from the
    // postings alone.
    {
        let mut conn = s.app.conn();
        let scope = spending::Scope::Programme(s.programme_id);
        let providers = spending::by_provider(&mut conn, scope).unwrap();
        assert_eq!(add(&providers.iter().map(|p| p.amount).collect::<Vec<_>>()), f(Figure::Spent), "{providers:?}");
        assert_eq!(providers.iter().map(|p| (p.provider_id, p.hardware_kind.as_str())).collect::<Vec<_>>(), vec![(s.provider_id, "GPU")]);
        let months = spending::by_month(&mut conn, scope).unwrap();
        assert_eq!(add(&months.iter().map(|m| m.amount).collect::<Vec<_>>()), f(Figure::Spent), "{months:?}");
        let read = |conn: &mut computegrants::db::AnyConnection| -> Vec<(i64, i64, String, chrono::NaiveDate, i64, i64)> {
            spend_days::table
                .order((spend_days::programme_id, spend_days::account_id, spend_days::hardware_kind, spend_days::day))
                .select((spend_days::programme_id, spend_days::account_id, spend_days::hardware_kind, spend_days::day, spend_days::debits, spend_days::credits))
                .load(conn)
                .unwrap()
        };
        let kept = read(&mut conn);
        assert_eq!(kept.iter().map(|r| (r.2.as_str(), r.4, r.5)).collect::<Vec<_>>(), vec![("GPU", 0, 12_050)]);
        let up = match backend {
            Backend::Sqlite => include_str!("../../migrations/sqlite/2026-11-27-000035_spend_days/up.sql"),
            Backend::Postgres => include_str!("../../migrations/postgres/2026-11-27-000035_spend_days/up.sql"),
        };
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&format!("DROP TABLE spend_days; {up}")).unwrap();
        assert_eq!(read(&mut conn), kept);
        // A kept row that differs from the postings is caught.
        conn.batch_execute("UPDATE spend_days SET credits = credits + 1").unwrap();
        let err = ledger::verify(&mut conn).unwrap_err().to_string();
        assert!(err.contains("stored spend of programme") && err.contains("differs from its postings"), "{err}");
        conn.batch_execute("UPDATE spend_days SET credits = credits - 1").unwrap();
    }

    // The pages: the programme's figures link to their entries, which show the same total.
    let page = s.funder.get(&format!("/programmes/{}", s.programme_id)).await.body;
    assert!(page.contains(&format!("<a id=\"figure-spent\" href=\"/programmes/{}/entries?figure=spent\"", s.programme_id)), "{page}");
    assert!(page.contains("€120.50</a>"), "{page}");
    let r = s.funder.get(&format!("/programmes/{}/entries?figure=spent", s.programme_id)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("This entry makes €120.50."), "{}", r.body);
    assert!(r.body.contains("<caption>") && r.body.contains("scope=\"row\""), "an accessible table");
    let r = s.funder.get(&format!("/programmes/{}/entries?figure=committed", s.programme_id)).await;
    assert!(r.body.contains("€5,000.00") && r.body.contains(&format!("programme:{}:offered", s.programme_id)), "{}", r.body);
    let fr = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    let r = fr.get(&format!("/programmes/{}/entries?figure=held", s.programme_id)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Écritures derrière « Bloqué »"), "{}", r.body);
    let grant_page = s.startup.get(&format!("/grants/{grant_id}")).await.body;
    assert!(grant_page.contains(&format!("href=\"/grants/{grant_id}/entries?figure=held\"")), "{grant_page}");
    assert_eq!(s.startup.get(&format!("/grants/{grant_id}/entries?figure=spent")).await.status, 200);
    // Unknown figures are not found; the startup does not read the programme's entries.
    assert_eq!(s.funder.get(&format!("/programmes/{}/entries?figure=everything", s.programme_id)).await.status, 404);
    assert_eq!(s.funder.get(&format!("/grants/{grant_id}/entries?figure=budget")).await.status, 404);
    assert_eq!(s.startup.get(&format!("/programmes/{}/entries?figure=budget", s.programme_id)).await.status, 404);

    // Another funder finds nothing, on either page.
    s.app.create_member(OrgKind::Funder, "Another Ministry", "other@ministry.test");
    let other = s.app.login("other@ministry.test").await;
    for path in [format!("/programmes/{}/entries?figure=budget", s.programme_id), format!("/programmes/{}/entries?figure=budget&funder=1", s.programme_id), format!("/grants/{grant_id}/entries?figure=balance")] {
        assert_eq!(other.get(&path).await.status, 404, "{path}");
    }
    s.app.verify_ledger().unwrap();
}
both_backends!(every_figure_is_the_sum_of_its_entries_and_the_identities_hold);

async fn the_entries_of_a_figure_are_paged(backend: Backend) {
    let s = crate::journey::programme_with_application(backend, "the_entries_of_a_figure_are_paged").await;
    let funder = member(&s, "funder@agency.test");
    let programme = computegrants::domain::programmes::get(&mut s.app.conn(), s.programme_id).unwrap();
    // Seventy more fundings of one cent each, straight into the ledger.
    let mut conn = s.app.conn();
    let from = ledger::open_account(&mut conn, &chart::funder_commitments(programme.funder_id.get(), "EUR")).unwrap().id;
    let to = ledger::open_account(&mut conn, &chart::programme_available(programme.id.get(), "EUR")).unwrap().id;
    let extra = 70;
    for n in 0..extra {
        let mut e = entry(format!("test-fund:{n}")).kind(EntryKind::Fund).transfer(from, to, 1).build();
        e.links.programme_id = Some(programme.id.get());
        computegrants::db::write_transaction(&mut conn, |c| ledger::post(c, &e)).unwrap();
    }
    let (sum, rows, shown) = programme_pages(&s, &funder, Figure::Budget);
    assert_eq!(rows, extra + 1, "the opening's funding and the seventy");
    assert_eq!(sum, Amount::from_cents(10_000_000 + extra));
    assert_eq!(shown, sum);
    let first = figures::programme_entries(&mut conn, &funder, s.programme_id, Figure::Budget, None, PageRequest::FIRST).unwrap();
    assert_eq!(first.entries.items.len() as i64, PAGE_SIZE);
    let ids: Vec<i64> = first.entries.items.iter().map(|l| l.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    // Over HTTP: a link to the second page, which has the rest.
    let r = s.funder.get(&format!("/programmes/{}/entries?figure=budget", s.programme_id)).await;
    let next = format!("/programmes/{}/entries?figure=budget&#38;page=2", s.programme_id);
    assert!(r.body.contains(&next), "{}", r.body);
    let r = s.funder.get(&next.replace("&#38;", "&")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.matches("<tr><td>").count() as i64, extra + 1 - PAGE_SIZE, "{}", r.body);
}
both_backends!(the_entries_of_a_figure_are_paged);

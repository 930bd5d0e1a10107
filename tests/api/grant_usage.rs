//! A grant's page says what its credit was used for (by month, service and SKU, as charts with
//! their data tables) and when it runs out at the current rate, in the reader's language.

use crate::both_backends;
use crate::helpers::{Backend, usage_csv};
use crate::journey::{approve, programme_with_application};
use computegrants::db::schema::grants;
use computegrants::i18n::{self, Locale};
use chrono::Datelike;
use diesel::prelude::*;

async fn the_grant_page_breaks_usage_down_and_projects_the_run_out(backend: Backend) {
    let mut s = programme_with_application(backend, "the_grant_page_breaks_usage_down_and_projects_the_run_out").await;
    let code = approve(&mut s, "1000").await;
    let grant_id: i64 = grants::table.filter(grants::code.eq(&code)).select(grants::id).first(&mut s.app.conn()).unwrap();
    let path = format!("/grants/{grant_id}");

    // Before any usage: nothing to chart, nothing to project from.
    let page = s.startup.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No usage has been charged to this grant yet."), "{}", page.body);
    assert!(page.body.contains("no projection, as the grant was not used in the last 90 days."), "{}", page.body);
    assert!(!page.body.contains("<svg"), "no chart without usage");

    // €100 and €50 of GPU time today, submitted: €150 a day, €850 left, so five more days.
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let upload = provider.upload("today.csv", &usage_csv(&code, &["100.004", "49.996"])).await.location.unwrap();
    assert_eq!(provider.post(&format!("{upload}/confirm"), &[]).await.status, 303);

    let today = chrono::Utc::now().date_naive();
    let run_out = today + chrono::Duration::days(5);
    let page = s.startup.get(&path).await.body;
    let expected = format!("around {} (at €150.00 a day, the average of recent use).", i18n::date(Locale::En, run_out));
    assert!(page.contains(&expected), "expected {expected:?} in {page}");
    // Two charts (month, service), each titled for screen readers and with its data table.
    assert_eq!(page.matches("<svg class=\"chart\"").count(), 2, "{page}");
    assert!(page.contains("<title id=\"grant-by-month-title\">Usage by month</title>"));
    assert!(page.contains("<title id=\"grant-by-service-title\">Usage by service</title>"));
    // Exact sums, rounded once: 100.004 + 49.996 is €150.00, on one SKU row of two lines.
    let sku_table = &page[page.find("id=\"usage-by-sku\"").expect("the SKU table")..];
    assert!(sku_table.contains("<td>GPU compute</td><td></td><td class=\"num\">2</td><td class=\"num\">€150.00</td>"), "{sku_table}");

    // The funder reads the same in French.
    let funder = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    let page = funder.get(&path).await.body;
    assert!(page.contains(&format!("vers le {}", i18n::date(Locale::Fr, run_out))), "{page}");
    assert!(page.contains("Usage par service"), "{page}");

    // A startup that is not the grant's does not see it.
    let other = s.app.sign_up_startup("Other Labs", "founder@other.test").await;
    assert_eq!(other.get(&path).await.status, 404);
}
both_backends!(the_grant_page_breaks_usage_down_and_projects_the_run_out);

/// The funder's programme page draws the budget's burn-down and says when it runs out at the
/// recent pace; held usage is not spending, approved usage is.
async fn the_programme_page_projects_when_the_budget_runs_out(backend: Backend) {
    use crate::helpers::ubl_invoice;
    let (s, code, upload) = crate::invoices::held_usage(backend, "the_programme_page_projects_when_the_budget_runs_out").await;
    let mut funder = s.funder;
    let programme = format!("/programmes/{}", s.programme_id);
    let page = funder.get(&programme).await.body;
    assert!(!page.contains("id=\"exhaustion\""), "a hold is not spending: {page}");

    let invoice = ubl_invoice("INV-B1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let r = s.provider.upload_invoice(&upload, "INV-B1.xml", &invoice).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    funder.refresh_csrf(&path).await;
    assert_eq!(funder.post(&format!("{path}/approve"), &[]).await.status, 303);

    // €100,000 budget, €120.50 spent this month: €99,879.50 left, 828.87 months at that pace,
    // so the last of it goes 829 months from now.
    let this_month = chrono::Utc::now().date_naive().with_day(1).unwrap();
    let runs_out = this_month.checked_add_months(chrono::Months::new(829)).unwrap();
    let month = |locale: Locale, d: chrono::NaiveDate| format!("{} {}", i18n::text(locale, &format!("month-{}", d.month())), d.year());
    let page = funder.get(&programme).await.body;
    let expected = format!("around {}, at €120.50 a month (the average of the last 3 months).", month(Locale::En, runs_out));
    assert!(page.contains(&expected), "expected {expected:?} in {page}");
    assert!(page.contains("<title id=\"burn-down-title\">Budget left at the end of each month</title>"), "{page}");
    assert!(page.contains(&format!("<tr><th scope=\"row\">{}</th><td class=\"num\">€99,879.50</td></tr>", month(Locale::En, this_month))), "{page}");

    let french = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    let page = french.get(&programme).await.body;
    assert!(page.contains(&format!("vers {}", month(Locale::Fr, runs_out))), "{page}");
}
both_backends!(the_programme_page_projects_when_the_budget_runs_out);

/// The funder's programme page counts its grants by the startups' SME category, from their
/// company profiles (a startup without one is "not declared").
async fn the_programme_page_counts_grants_by_enterprise_category(backend: Backend) {
    let mut s = programme_with_application(backend, "the_programme_page_counts_grants_by_enterprise_category").await;
    approve(&mut s, "40000").await;
    let programme = format!("/programmes/{}", s.programme_id);
    let page = s.funder.get(&programme).await.body;
    assert!(page.contains("<tr><th scope=\"row\">not declared</th><td class=\"num\">1</td><td class=\"num\">€40,000.00</td></tr>"), "{page}");

    // 30 people and €6M turnover: a small enterprise (Recommendation 2003/361/EC, Annex, Art. 2(2)).
    let year_end = (chrono::Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    s.startup.refresh_csrf("/organisation/company").await;
    let r = s.startup.post("/organisation/company", &[("accounts_year_end", &year_end), ("staff_awu", "30"), ("turnover", "6000000"), ("balance_sheet", "5000000"), ("vat_number", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = s.funder.get(&programme).await.body;
    assert!(page.contains("<tr><th scope=\"row\">small enterprise</th><td class=\"num\">1</td><td class=\"num\">€40,000.00</td></tr>"), "{page}");
    assert!(!page.contains("not declared"), "{page}");
    let fr = s.app.login_in("funder@agency.test", "fr-FR,fr;q=0.9").await;
    assert!(fr.get(&programme).await.body.contains("Subventions par catégorie d&#39;entreprise"));
}
both_backends!(the_programme_page_counts_grants_by_enterprise_category);

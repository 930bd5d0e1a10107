//! The reserved quota for small structures (issue 10): a share of the budget only micro and small
//! enterprises draw on; medium-sized ones draw only on the rest; the programme page shows both.

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use computegrants::db::schema::{applications, ledger_entries, programmes};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{ApplicationId, ProgrammeId};
use diesel::prelude::*;

struct Quota {
    app: TestApp,
    funder: Client,
    provider_id: String,
    programme_id: ProgrammeId,
}

/// A funder opens a programme of 100,000 (at most 60,000 per award) with 60 % reserved for
/// micro and small enterprises: 60,000 reserved, 40,000 for the rest.
async fn programme_with_reserve(backend: Backend, test: &str) -> Quota {
    let app = TestApp::spawn(backend, test).await;
    app.create_member(OrgKind::Funder, "Test Funding Agency", "funder@agency.test");
    let provider = app.create_member(OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let mut funder = app.login("funder@agency.test").await;
    funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let r = funder
        .post(
            "/programmes",
            &[
                ("name", "Small Structures Call"),
                ("description", "Credits for AI startups, most of them reserved for small ones."),
                ("currency", "EUR"),
                ("budget", "100000"),
                ("max_award", "60000"),
                ("reserved_share", "60"),
                ("opens_on", &today.to_string()),
                ("closes_on", &closes),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "programme creation failed: {}", r.body);
    let programme_id: ProgrammeId = id_from(&r.location);
    Quota { app, funder, provider_id: provider.org_id().to_string(), programme_id }
}

/// Annual figures of a company of each size (Recommendation 2003/361/EC, Art. 2).
fn figures(size: &str) -> [&'static str; 3] {
    match size {
        "micro" => ["5", "1000000", "800000"],
        "small" => ["30", "6000000", "5000000"],
        _ => ["100", "20000000", "15000000"],
    }
}

/// A startup of `size` signs up, declares its company and applies for `amount`.
async fn applicant(q: &Quota, name: &str, email: &str, size: &str, amount: &str) -> (Client, ApplicationId) {
    let mut c = q.app.sign_up_startup(name, email).await;
    c.refresh_csrf("/organisation/company").await;
    let year_end = (chrono::Utc::now().date_naive() - chrono::Duration::days(100)).to_string();
    let [staff, turnover, balance] = figures(size);
    let r = c.post("/organisation/company", &[("accounts_year_end", &year_end), ("staff_awu", staff), ("turnover", turnover), ("balance_sheet", balance), ("vat_number", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = format!("/programmes/{}/apply", q.programme_id);
    c.refresh_csrf(&path).await;
    let r = c.post(&path, &[("requested", amount), ("purpose", "Training a multilingual language model for public services."), ("hardware", "GPU"), ("provider_id", &q.provider_id)]).await;
    assert_eq!(r.status, 303, "application failed: {}", r.body);
    (c, id_from(&r.location))
}

async fn offer(q: &mut Quota, id: ApplicationId, amount: &str) -> crate::helpers::Reply {
    let path = format!("/applications/{id}");
    q.funder.refresh_csrf(&path).await;
    q.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", amount), ("reason", "")]).await
}

fn status(app: &TestApp, id: ApplicationId) -> String {
    applications::table.find(id).select(applications::status).first(&mut app.conn()).unwrap()
}

fn entry_count(app: &TestApp) -> i64 {
    ledger_entries::table.count().get_result(&mut app.conn()).unwrap()
}

/// The row of pot `id` (`quota-reserved` or `quota-rest`) on the programme page.
fn pot_row(page: &str, id: &str) -> String {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id} row: {page}"));
    let end = page[start..].find("</tr>").map(|e| start + e).unwrap_or(page.len());
    page[start..end].to_string()
}

/// The amounts of a pot's row, in order: total, drawn, left.
fn pot(page: &str, id: &str) -> Vec<String> {
    pot_row(page, id).split("<td class=\"num\">").skip(1).map(|cell| cell.split("</td>").next().unwrap_or_default().to_string()).collect()
}

/// A medium enterprise draws only on the rest: above it the offer is refused with what the
/// rest allows and nothing is written; a declined offer returns its amount to the rest.
async fn a_medium_enterprise_is_refused_above_the_rest(backend: Backend) {
    let mut q = programme_with_reserve(backend, "a_medium_enterprise_is_refused_above_the_rest").await;
    let (mut medium, id) = applicant(&q, "Mediana Systems", "ceo@mediana.test", "medium", "50000").await;

    // The decision form says which pot it draws on and what is left there.
    let form = q.funder.get(&format!("/applications/{id}")).await.body;
    assert!(form.contains("id=\"quota-pot\"") && form.contains("medium-sized") && form.contains("€40,000.00 left"), "{form}");

    let before = entry_count(&q.app);
    let r = offer(&mut q, id, "45000").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("draws only on the rest of the budget") && r.body.contains("still allows €40,000.00"), "{}", r.body);
    assert_eq!(status(&q.app, id), "submitted", "nothing written");
    assert_eq!(entry_count(&q.app), before, "no ledger entry");

    // Within the rest it is offered, and recorded as medium.
    assert_eq!(offer(&mut q, id, "40000").await.status, 303);
    let category: Option<String> = applications::table.find(id).select(applications::quota_category).first(&mut q.app.conn()).unwrap();
    assert_eq!(category.as_deref(), Some("medium"));
    let page = q.funder.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert_eq!(pot(&page, "quota-rest"), ["€40,000.00", "€40,000.00", "€0.00"], "{page}");
    assert_eq!(pot(&page, "quota-reserved"), ["€60,000.00", "€0.00", "€60,000.00"], "{page}");

    // Declined, its amount returns to the rest.
    let path = format!("/applications/{id}");
    medium.refresh_csrf(&path).await;
    assert_eq!(medium.post(&format!("{path}/decline"), &[("confirm", "yes")]).await.status, 303);
    assert_eq!(status(&q.app, id), "declined");
    let page = q.funder.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert_eq!(pot(&page, "quota-rest"), ["€40,000.00", "€0.00", "€40,000.00"], "{page}");
}

/// Small and micro enterprises draw on the reserve first, then on the rest; the category used
/// is the one at decision time, so a later profile edit moves nothing between pots.
async fn small_enterprises_draw_past_the_reserve_into_the_rest(backend: Backend) {
    let mut q = programme_with_reserve(backend, "small_enterprises_draw_past_the_reserve_into_the_rest").await;
    let (mut edited, small) = applicant(&q, "Petite Labs", "ceo@petite.test", "small", "50000").await;
    let (_, micro) = applicant(&q, "Micro Forge", "ceo@microforge.test", "micro", "20000").await;
    let (_, medium) = applicant(&q, "Mediana Systems", "ceo@mediana.test", "medium", "40000").await;

    let form = q.funder.get(&format!("/applications/{small}")).await.body;
    assert!(form.contains("draws on the reserved pot first (€60,000.00 left)"), "{form}");
    assert_eq!(offer(&mut q, small, "50000").await.status, 303);
    // 10,000 left in the reserve: the micro one takes it and 10,000 of the rest.
    assert_eq!(offer(&mut q, micro, "20000").await.status, 303);
    let page = q.funder.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert_eq!(pot(&page, "quota-reserved"), ["€60,000.00", "€60,000.00", "€0.00"], "{page}");
    assert_eq!(pot(&page, "quota-rest"), ["€40,000.00", "€10,000.00", "€30,000.00"], "{page}");

    // The medium one has what the small ones left of the rest, no more.
    let before = entry_count(&q.app);
    let r = offer(&mut q, medium, "35000").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("still allows €30,000.00"), "{}", r.body);
    assert_eq!((status(&q.app, medium), entry_count(&q.app)), ("submitted".to_string(), before));

    // The small one's profile now says medium: its offer stays in the reserve.
    let recorded: Option<String> = applications::table.find(small).select(applications::quota_category).first(&mut q.app.conn()).unwrap();
    assert_eq!(recorded.as_deref(), Some("small"));
    edited.refresh_csrf("/organisation/company").await;
    let year_end = (chrono::Utc::now().date_naive() - chrono::Duration::days(100)).to_string();
    let [staff, turnover, balance] = figures("medium");
    assert_eq!(edited.post("/organisation/company", &[("accounts_year_end", &year_end), ("staff_awu", staff), ("turnover", turnover), ("balance_sheet", balance), ("vat_number", "")]).await.status, 303);
    let page = q.funder.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert_eq!(pot(&page, "quota-reserved"), ["€60,000.00", "€60,000.00", "€0.00"], "{page}");
    assert_eq!(pot(&page, "quota-rest"), ["€40,000.00", "€10,000.00", "€30,000.00"], "{page}");
    assert_eq!(offer(&mut q, medium, "30000").await.status, 303);

    // Startups see both pots too.
    let other = q.app.sign_up_startup("Onlooker", "ceo@onlooker.test").await;
    let page = other.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert!(page.contains("Reserved quota for small structures") && page.contains("60 % of the budget"), "{page}");
    assert_eq!(pot(&page, "quota-rest"), ["€40,000.00", "€40,000.00", "€0.00"], "{page}");
}

/// The share is a percentage from 0 to 100: anything else is refused with the field's error;
/// a draft's share may change, an open programme's may not.
async fn the_reserved_share_is_refused_out_of_range(backend: Backend) {
    let mut q = programme_with_reserve(backend, "the_reserved_share_is_refused_out_of_range").await;
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let count = |app: &TestApp| -> i64 { programmes::table.count().get_result(&mut app.conn()).unwrap() };
    let before = count(&q.app);
    for bad in ["101", "-1", "abc", "12.345"] {
        q.funder.refresh_csrf("/programmes/new").await;
        let fields = [
            ("name", "Bad Share Call"),
            ("description", "Credits."),
            ("currency", "EUR"),
            ("budget", "1000"),
            ("max_award", "100"),
            ("reserved_share", bad),
            ("opens_on", &today.to_string()),
            ("closes_on", &closes),
            ("lifecycle", "draft"),
        ];
        let r = q.funder.post("/programmes", &fields).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(r.body.contains("Give a percentage from 0 to 100"), "{bad}: {}", r.body);
    }
    assert_eq!(count(&q.app), before, "nothing created");

    // The programme page shows the share; the open programme's stored share is what was set.
    let share: i32 = programmes::table.find(q.programme_id).select(programmes::reserved_share_bp).first(&mut q.app.conn()).unwrap();
    assert_eq!(share, 6_000);
    let page = q.funder.get(&format!("/programmes/{}", q.programme_id)).await.body;
    assert!(page.contains("id=\"reserved-share\">60 % of the budget"), "{page}");

    // A draft takes a decimal share and may change it; without one it has no quota.
    q.funder.refresh_csrf("/programmes/new").await;
    let fields = [
        ("name", "Draft Share Call"),
        ("description", "Credits."),
        ("currency", "EUR"),
        ("budget", "1000"),
        ("max_award", "100"),
        ("reserved_share", "12,5"),
        ("opens_on", &today.to_string()),
        ("closes_on", &closes),
        ("lifecycle", "draft"),
    ];
    let r = q.funder.post("/programmes", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let draft: ProgrammeId = id_from(&r.location);
    let share: i32 = programmes::table.find(draft).select(programmes::reserved_share_bp).first(&mut q.app.conn()).unwrap();
    assert_eq!(share, 1_250);
    let page = q.funder.get(&format!("/programmes/{draft}")).await.body;
    assert!(page.contains("12.5 % of the budget") && page.contains("€125.00"), "{page}");
    let edit = format!("/programmes/{draft}/edit");
    q.funder.refresh_csrf(&edit).await;
    let mut fields = fields.to_vec();
    fields.retain(|(k, _)| *k != "lifecycle" && *k != "reserved_share");
    fields.push(("reserved_share", ""));
    let r = q.funder.post(&edit, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = q.funder.get(&format!("/programmes/{draft}")).await.body;
    assert!(page.contains("No reserved quota") && !page.contains("id=\"quota\""), "{page}");
}

both_backends!(a_medium_enterprise_is_refused_above_the_rest, small_enterprises_draw_past_the_reserve_into_the_rest, the_reserved_share_is_refused_out_of_range);

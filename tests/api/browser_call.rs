//! Issue 10's "Done when", in a real headless Chromium on both backends: a call from draft to
//! clawback. Two co-funders, eligibility rules, an ineligible applicant refused with its
//! reasons, an SME computed with a linked enterprise, a de minimis refusal, two reviewers one of
//! whom declares a conflict, the ranking, a partial award, its acceptance, the provider's usage,
//! an alert mail over real SMTP, the grant's expiry and its clawback; then the ledger verifies.
//! Enabled by COMPUTEGRANTS_TEST_BROWSER=1, like the journey of `browser.rs`.

use crate::both_backends;
use crate::browser_kit::{audit, axe_source, browser, check, click_and_wait, fill, norm, path, select, set_value, shot, sign_in, sign_out, start_driver, submit, text, text_of};
use crate::helpers::{Backend, TestApp, usage_csv};
use computegrants::db::schema::grants;
use computegrants::domain::grant_expiry;
use computegrants::domain::identity::OrgKind;
use computegrants::money::Amount;
use diesel::prelude::*;
use fantoccini::{Client, Locator};

const LEAD: &str = "Call Lead Agency";
const COFUNDER: &str = "Région Co-Fund";

/// Text as WebDriver reports it, on one line per row: no-break spaces and the tabs between
/// table cells read as spaces.
fn flat(text: &str) -> String {
    norm(text).replace('\t', " ")
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

/// The startup fills its company profile (accounts, founding date) in the browser.
async fn company_profile(c: &Client, base: &str, awu: &str, turnover: &str, balance_sheet: &str, founded_days_ago: i64) {
    c.goto(&format!("{base}/organisation/company")).await.unwrap();
    set_value(c, "#accounts_year_end", &days_ago(200)).await;
    fill(c, "#staff_awu", awu).await;
    fill(c, "#turnover", turnover).await;
    fill(c, "#balance_sheet", balance_sheet).await;
    set_value(c, "#founded_on", &days_ago(founded_days_ago)).await;
    submit(c, "/organisation/company").await;
    assert_eq!(path(c).await, "/organisation/company", "{}", text(c).await);
}

/// The startup applies through the form; returns the application's path.
async fn apply(c: &Client, base: &str, programme_path: &str, requested: &str, hardware: &str, provider_id: &str) -> String {
    c.goto(&format!("{base}{programme_path}/apply")).await.unwrap();
    fill(c, "#requested", requested).await;
    fill(c, "#purpose", "Training speech models for regional languages.").await;
    select(c, "#hardware", hardware).await;
    select(c, "#provider_id", provider_id).await;
    submit(c, &format!("{programme_path}/apply")).await;
    let application_path = path(c).await;
    assert!(application_path.starts_with("/applications/"), "{application_path}: {}", text(c).await);
    application_path
}

/// The manager assigns `reviewer` (a user id) to the application `application_id`.
async fn assign(c: &Client, application_id: &str, reviewer: i64) {
    select(c, &format!("#reviewer-{application_id}"), &reviewer.to_string()).await;
    click_and_wait(c, &format!("form:has(#reviewer-{application_id}) button[type='submit']")).await;
}

/// The reviewer's assignment for `reference` (e.g. APP-3), from the list of their reviews.
async fn assignment_path(c: &Client, base: &str, reference: &str) -> Option<String> {
    c.goto(&format!("{base}/reviews")).await.unwrap();
    let link = c.find(Locator::LinkText(reference)).await.ok()?;
    link.attr("href").await.unwrap()
}

/// The reviewer declares no conflict, then scores each criterion and confirms.
async fn clear_and_score(c: &Client, base: &str, reference: &str, scores: &[&str]) {
    let assignment = assignment_path(c, base, reference).await.unwrap_or_else(|| panic!("{reference} is assigned"));
    c.goto(&format!("{base}{assignment}")).await.unwrap();
    check(c, "input[name='conflict'][value='no']").await;
    submit(c, &format!("{assignment}/declare")).await;
    c.goto(&format!("{base}{assignment}")).await.unwrap();
    let fields = c.find_all(Locator::Css("input[name^='score-']")).await.unwrap();
    assert_eq!(fields.len(), scores.len(), "one score per criterion");
    for (field, score) in fields.iter().zip(scores) {
        field.clear().await.unwrap();
        field.send_keys(score).await.unwrap();
    }
    check(c, &format!("form[action='{assignment}/submit'] input[name='confirm']")).await;
    submit(c, &format!("{assignment}/submit")).await;
    c.goto(&format!("{base}{assignment}")).await.unwrap();
    assert!(c.find(Locator::Css("#your-scores")).await.is_ok(), "{reference} scored: {}", text(c).await);
}

/// The owner gives a member of the organisation the reviewer role on the organisation page.
async fn make_reviewer(c: &Client, base: &str, user_id: i64) {
    c.goto(&format!("{base}/organisation")).await.unwrap();
    select(c, &format!("#role-{user_id}"), "reviewer").await;
    submit(c, &format!("/organisation/members/{user_id}/role")).await;
}

async fn call_from_draft_to_clawback(backend: Backend) {
    let app = TestApp::spawn(backend, "call_from_draft_to_clawback").await;
    let axe = axe_source();
    let driver = start_driver().await;
    let c = browser(&driver).await;
    journey(&app, &c, &axe).await;
    c.close().await.unwrap();
    app.verify_ledger().expect("the ledger verifies");
}
both_backends!(browser call_from_draft_to_clawback);

async fn journey(app: &TestApp, c: &Client, axe: &Option<String>) {
    let base = app.address.clone();
    let base = base.as_str();
    // Accounts are created as the admin command does; everything after happens in the browser.
    let lead = "lead@call-agency.test";
    let cofunder = "cofunder@region-cofund.test";
    app.create_member(OrgKind::Funder, LEAD, lead);
    app.create_member(OrgKind::Funder, COFUNDER, cofunder);
    let alice = app.create_member(OrgKind::Funder, LEAD, "alice@call-agency.test").user.id.get();
    let bob = app.create_member(OrgKind::Funder, LEAD, "bob@call-agency.test").user.id.get();
    let provider = app.create_member(OrgKind::Provider, "Call Cloud", "billing@call-cloud.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let provider_id = provider.org_id().to_string();
    let (eligible, ineligible, aided) = ("founder@eligible-labs.test", "founder@old-iron.test", "founder@aided-robotics.test");
    app.sign_up_startup("Eligible Labs", eligible).await;
    app.sign_up_startup("Old Iron Works", ineligible).await;
    app.sign_up_startup("Aided Robotics", aided).await;

    // The lead funder drafts the programme, sets its eligibility rules, and opens it.
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}/programmes/new")).await.unwrap();
    fill(c, "#name", "Sovereign Compute Call").await;
    fill(c, "#description", "GPU credits for young European startups.").await;
    fill(c, "#budget", "100000").await;
    fill(c, "#max_award", "60000").await;
    select(c, "#unused_credit", "budget_while_open").await;
    // 60 % of the budget is reserved for micro and small enterprises (a share: it follows the
    // co-funder's top-up).
    fill(c, "#reserved_share", "60").await;
    click_and_wait(c, "form[action='/programmes'] button[name='lifecycle'][value='draft']").await;
    let programme_path = path(c).await;
    assert!(programme_path.starts_with("/programmes/"), "{programme_path}: {}", text(c).await);
    audit(c, axe, "the draft programme").await;
    check(c, "input[name='countries_rule'][value='any']").await;
    check(c, "input[name='limit_categories']").await;
    check(c, "input[name='categories'][value='micro']").await;
    check(c, "input[name='categories'][value='small']").await;
    fill(c, "#max_company_age_years", "5").await;
    check(c, "input[name='limit_hardware']").await;
    check(c, "input[name='hardware'][value='GPU']").await;
    submit(c, &format!("{programme_path}/eligibility")).await;
    assert!(text(c).await.contains("5 years"), "{}", text(c).await);
    check(c, &format!("form[action='{programme_path}/open'] input[name='confirm']")).await;
    submit(c, &format!("{programme_path}/open")).await;
    // A second funder is invited by name and commits its share.
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    fill(c, "#cofunder", COFUNDER).await;
    submit(c, &format!("{programme_path}/cofunders")).await;
    assert!(text_of(c, "#shares").await.contains(&format!("{COFUNDER} (invited)")), "{}", text(c).await);
    // The owner makes two of its people reviewers.
    make_reviewer(c, base, alice).await;
    make_reviewer(c, base, bob).await;
    sign_out(c).await;

    sign_in(c, base, cofunder).await;
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    audit(c, axe, "the programme as an invited co-funder").await;
    fill(c, "#cofund-amount", "50000").await;
    check(c, &format!("form[action='{programme_path}/cofund'] input[name='confirm']")).await;
    submit(c, &format!("{programme_path}/cofund")).await;
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    let shares = flat(&text_of(c, "#shares").await);
    assert!(shares.contains(&format!("{LEAD} (lead funder) €100,000.00 66.7 %")) && shares.contains(&format!("{COFUNDER} €50,000.00 33.3 %")), "{shares}");
    sign_out(c).await;

    // The eligible startup: small with its linked enterprise counted in full.
    sign_in(c, base, eligible).await;
    company_profile(c, base, "12", "1500000", "1200000", 700).await;
    fill(c, "#associate_name", "Eligible Holding SAS").await;
    select(c, "#associate_country", "FR").await;
    fill(c, "#associate_registration", "732 829 320").await;
    check(c, "input[name='relation'][value='linked']").await;
    fill(c, "#capital_share", "60").await;
    fill(c, "#voting_share", "60").await;
    fill(c, "#associate_awu", "5").await;
    fill(c, "#associate_turnover", "1000000").await;
    fill(c, "#associate_balance_sheet", "800000").await;
    submit(c, "/organisation/company/associates").await;
    let profile = norm(&text(c).await);
    assert!(profile.contains("Small enterprise") && profile.contains("Eligible Holding SAS"), "{profile}");
    assert!(profile.contains("€2,500,000.00") && profile.contains("€2,000,000.00"), "the totals add the linked enterprise in full: {profile}");
    audit(c, axe, "the company profile").await;
    // It saves a draft first (the funder sees nothing of it), then edits and submits it.
    c.goto(&format!("{base}{programme_path}/apply")).await.unwrap();
    fill(c, "#requested", "45000").await;
    fill(c, "#purpose", "Speech models.").await;
    select(c, "#hardware", "GPU").await;
    select(c, "#provider_id", &provider_id).await;
    click_and_wait(c, &format!("form[action='{programme_path}/apply'] button[value='draft']")).await;
    let eligible_path = path(c).await;
    assert!(eligible_path.starts_with("/applications/"), "{eligible_path}: {}", text(c).await);
    let eligible_id = eligible_path.rsplit('/').next().unwrap().to_string();
    audit(c, axe, "a draft application").await;
    c.goto(&format!("{base}{eligible_path}/edit")).await.unwrap();
    fill(c, "#requested", "40000").await;
    fill(c, "#purpose", "Training speech models for regional languages.").await;
    submit(c, &format!("{eligible_path}/edit")).await;
    assert_eq!(path(c).await, eligible_path, "{}", text(c).await);
    assert!(text(c).await.contains("submitted"), "{}", text(c).await);
    sign_out(c).await;

    // The lead asks for changes; the startup reads the request, edits and resubmits, and the
    // second revision shows what changed.
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}{eligible_path}")).await.unwrap();
    fill(c, "#message", "Please say which regional languages and how many GPU-hours each needs.").await;
    submit(c, &format!("{eligible_path}/request-changes")).await;
    sign_out(c).await;
    sign_in(c, base, eligible).await;
    c.goto(&format!("{base}{eligible_path}")).await.unwrap();
    assert!(text(c).await.contains("Please say which regional languages"), "{}", text(c).await);
    c.goto(&format!("{base}{eligible_path}/edit")).await.unwrap();
    fill(c, "#purpose", "Training speech models for Breton, Basque and Occitan: 4,000 GPU-hours each.").await;
    submit(c, &format!("{eligible_path}/edit")).await;
    let resubmitted = text(c).await;
    assert!(resubmitted.contains("Training speech models for Breton, Basque and Occitan"), "{resubmitted}");
    audit(c, axe, "a resubmitted application with its revisions").await;
    sign_out(c).await;

    // The ineligible startup: medium-sized, ten years old, asking for CPU time.
    sign_in(c, base, ineligible).await;
    company_profile(c, base, "80", "20000000", "15000000", 3660).await;
    let ineligible_path = apply(c, base, &programme_path, "20000", "CPU", &provider_id).await;
    let ineligible_id = ineligible_path.rsplit('/').next().unwrap().to_string();
    sign_out(c).await;

    // The startup with EUR 280,000 of de minimis aid in the last three years.
    sign_in(c, base, aided).await;
    company_profile(c, base, "5", "300000", "200000", 400).await;
    set_value(c, "#granted_on", &days_ago(400)).await;
    fill(c, "#aid_amount", "280000").await;
    fill(c, "#granting_body", "Bpifrance").await;
    submit(c, "/organisation/company/aid").await;
    assert!(norm(&text(c).await).contains("€280,000.00 of the €300,000.00 ceiling; €20,000.00 left"), "{}", text(c).await);
    let aided_path = apply(c, base, &programme_path, "30000", "GPU", &provider_id).await;
    let aided_id = aided_path.rsplit('/').next().unwrap().to_string();
    sign_out(c).await;

    // The lead reads each failing rule, and rejects the ineligible application from the
    // ranking behind a confirmation step.
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}{ineligible_path}")).await.unwrap();
    let reasons = text_of(c, "#ineligible-reasons").await;
    for reason in [
        "The company is a medium-sized enterprise, a category this programme does not accept.",
        "The company was founded 10 years ago; this programme accepts companies of at most 5 years.",
        "This programme does not fund CPU hardware.",
    ] {
        assert!(reasons.contains(reason), "{reason}: {reasons}");
    }
    audit(c, axe, "an ineligible application").await;
    c.goto(&format!("{base}{eligible_path}")).await.unwrap();
    let page = text(c).await;
    assert!(page.contains("Small enterprise") && !page.contains("Not eligible"), "{page}");
    c.goto(&format!("{base}{programme_path}/ranking")).await.unwrap();
    check(c, &format!("#select-{ineligible_id}")).await;
    fill(c, "#reason", "The company does not meet this call's eligibility rules.").await;
    // The ranking's form approves or rejects the ticked rows: the reject button.
    click_and_wait(c, &format!("form[action='{programme_path}/ranking/reject'] button[type='submit']:not([formaction])")).await;
    assert!(text(c).await.contains(&format!("APP-{ineligible_id}")), "the confirmation lists it");
    audit(c, axe, "the rejection to confirm").await;
    check(c, &format!("form[action='{programme_path}/ranking/reject'] input[name='confirm']")).await;
    submit(c, &format!("{programme_path}/ranking/reject")).await;
    c.goto(&format!("{base}{ineligible_path}")).await.unwrap();
    assert!(text(c).await.contains("rejected"), "{}", text(c).await);

    // Criteria, then reviewers: Alice on both remaining applications, Bob on the aided one.
    c.goto(&format!("{base}{programme_path}/reviews")).await.unwrap();
    fill(c, "#scale_min", "0").await;
    fill(c, "#scale_max", "5").await;
    fill(c, "#name-0", "Impact").await;
    fill(c, "#weight-0", "3").await;
    let two_criteria = c.find(Locator::Css("#name-1")).await.is_ok();
    if two_criteria {
        fill(c, "#name-1", "Team").await;
        fill(c, "#weight-1", "1").await;
    }
    submit(c, &format!("{programme_path}/criteria")).await;
    c.goto(&format!("{base}{programme_path}/reviews")).await.unwrap();
    assign(c, &eligible_id, alice).await;
    assign(c, &aided_id, alice).await;
    assign(c, &aided_id, bob).await;
    audit(c, axe, "the reviews to manage").await;
    sign_out(c).await;

    // Alice declares a conflict on the eligible startup's application: it disappears for her.
    sign_in(c, base, "alice@call-agency.test").await;
    let conflicted = assignment_path(c, base, &format!("APP-{eligible_id}")).await.expect("assigned");
    c.goto(&format!("{base}{conflicted}")).await.unwrap();
    assert!(!text(c).await.contains("Eligible Labs"), "nothing of the application before declaring");
    audit(c, axe, "a review before the declaration").await;
    check(c, "input[name='conflict'][value='yes']").await;
    fill(c, "#note", "I advised this startup last year.").await;
    submit(c, &format!("{conflicted}/declare")).await;
    assert!(assignment_path(c, base, &format!("APP-{eligible_id}")).await.is_none(), "a conflict hides it: {}", text(c).await);
    c.goto(&format!("{base}{conflicted}")).await.unwrap();
    assert!(!text(c).await.contains("Eligible Labs"));
    c.goto(&format!("{base}{eligible_path}")).await.unwrap();
    assert!(!text(c).await.contains("Training speech models"), "the application stays hidden");
    let scores: &[&str] = if two_criteria { &["3", "4"][..] } else { &["3"][..] };
    clear_and_score(c, base, &format!("APP-{aided_id}"), scores).await;
    audit(c, axe, "a submitted review").await;
    sign_out(c).await;

    // The manager sees the application needs another reviewer, and assigns Bob.
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}{programme_path}/reviews")).await.unwrap();
    assert!(text(c).await.contains("Needs another reviewer"), "{}", text(c).await);
    assign(c, &eligible_id, bob).await;
    assert!(!text(c).await.contains("Needs another reviewer"), "{}", text(c).await);
    sign_out(c).await;

    sign_in(c, base, "bob@call-agency.test").await;
    let (high, low): (&[&str], &[&str]) = if two_criteria { (&["5", "4"][..], &["2", "2"][..]) } else { (&["5"][..], &["2"][..]) };
    clear_and_score(c, base, &format!("APP-{eligible_id}"), high).await;
    clear_and_score(c, base, &format!("APP-{aided_id}"), low).await;
    sign_out(c).await;

    // The ranking puts the eligible startup first; the lead offers it part of what it asked.
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}{programme_path}/ranking")).await.unwrap();
    let ranking = flat(&text_of(c, "#ranking").await);
    let (first, second) = (ranking.find(&format!("APP-{eligible_id}")).expect("ranked"), ranking.find(&format!("APP-{aided_id}")).expect("ranked"));
    assert!(first < second, "{ranking}");
    let expected_top = if two_criteria { "4.75" } else { "5.00" };
    assert!(ranking.lines().nth(1).is_some_and(|row| row.contains(&format!("APP-{eligible_id}")) && row.contains(expected_top)), "{ranking}");
    shot(c, "call-ranking").await;
    audit(c, axe, "the ranking").await;
    for (application_path, amount) in [(&eligible_path, "25000"), (&aided_path, "30000")] {
        c.goto(&format!("{base}{application_path}")).await.unwrap();
        check(c, "input[name='decision'][value='approve']").await;
        fill(c, "#amount", amount).await;
        submit(c, &format!("{application_path}/decide")).await;
        assert!(text(c).await.contains("offered"), "{}", text(c).await);
    }

    // Both offers went to a small and a micro enterprise: they draw on the reserved pot
    // (60 % of 150,000); the rest is untouched.
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    assert_eq!(flat(&text_of(c, "#quota-reserved").await), "Reserved for micro and small enterprises €90,000.00 €55,000.00 €35,000.00");
    assert!(flat(&text_of(c, "#quota-rest").await).ends_with("€60,000.00 €0.00 €60,000.00"));
    sign_out(c).await;

    // The offer mail arrives over SMTP with the application's link.
    let mail = app.mail.wait_for(&format!("Application APP-{eligible_id} to Sovereign Compute Call: €25,000.00 of credits are offered")).await;
    assert!(mail.contains(eligible) && mail.contains(&eligible_path), "{mail}");

    // The aided startup's acceptance is refused with the de minimis figures; nothing moves.
    sign_in(c, base, aided).await;
    c.goto(&format!("{base}{aided_path}")).await.unwrap();
    check(c, "#declaration").await;
    submit(c, &format!("{aided_path}/accept")).await;
    let refusal = norm(&text(c).await);
    assert!(
        refusal.contains("already received €280,000.00 in the 3 years ending today, and €280,000.00 + €30,000.00 exceeds the €300,000.00 ceiling")
            && refusal.contains("At most €20,000.00 can be awarded"),
        "{refusal}"
    );
    audit(c, axe, "the de minimis refusal").await;
    sign_out(c).await;

    // The eligible startup accepts the partial award with its declaration.
    sign_in(c, base, eligible).await;
    c.goto(&format!("{base}{eligible_path}")).await.unwrap();
    assert!(norm(&text(c).await).contains("€25,000.00"), "{}", text(c).await);
    check(c, "#declaration").await;
    submit(c, &format!("{eligible_path}/accept")).await;
    let page = text(c).await;
    let code = page.split_whitespace().find(|w| w.starts_with("G-")).expect("grant code shown").to_string();
    sign_out(c).await;

    // The provider uploads 13,000.00 of usage (FOCUS, 1.5 GPU-hours a line, within the
    // catalogue's price) and confirms it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    std::fs::write(&file, usage_csv(&code, &["3000.00", "3000.00", "3000.00", "3000.00", "1000.00"])).unwrap();
    sign_in(c, base, "billing@call-cloud.test").await;
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    submit(c, "/usage").await;
    let upload_path = path(c).await;
    assert!(norm(&text(c).await).contains("€13,000.00"), "{}", text(c).await);
    submit(c, &format!("{upload_path}/confirm")).await;
    sign_out(c).await;

    // The startup is told by mail that half of its credit is used, with the grant's link.
    let grant_id: i64 = grants::table.filter(grants::code.eq(&code)).select(grants::id).first(&mut app.conn()).unwrap();
    let mail = app.mail.wait_for(&format!("Grant {code} has used 50 % of its credit")).await;
    assert!(mail.contains("€13,000.00 of €25,000.00") && mail.contains(&format!("/grants/{grant_id}")) && mail.contains(eligible), "{mail}");
    sign_in(c, base, eligible).await;
    c.goto(&format!("{base}/grants/{grant_id}")).await.unwrap();
    assert_eq!(norm(&text_of(c, "#held").await), "€13,000.00");
    assert_eq!(norm(&text_of(c, "#balance").await), "€12,000.00", "the balance after usage");
    sign_out(c).await;

    // The scheduler expires the grant the day after its validity: the free credit is clawed back.
    let valid_until: chrono::NaiveDate = grants::table.find(grant_id).select(grants::valid_until).first(&mut app.conn()).unwrap();
    let run = grant_expiry::expire_due(&mut app.conn(), valid_until + chrono::Duration::days(1), "scheduler").unwrap();
    assert_eq!(run.expired.len(), 1, "{run:?}");
    assert_eq!(run.expired[0].code, code);
    assert_eq!(run.expired[0].amount, Amount::from_cents(1_200_000), "the free credit, not the held usage");
    assert!(run.failed.is_empty(), "{run:?}");

    sign_in(c, base, eligible).await;
    c.goto(&format!("{base}/grants/{grant_id}")).await.unwrap();
    assert_eq!(text_of(c, "#grant-status").await, "expired");
    assert_eq!(norm(&text_of(c, "#clawed-back").await), "€12,000.00");
    assert!(text_of(c, "#grant-changes").await.contains("expired at the end of its validity"));
    shot(c, "call-clawback").await;
    audit(c, axe, "the expired grant").await;
    sign_out(c).await;

    // Aided Robotics never accepted: by then its offer has lapsed (the scheduler again) and its
    // 30,000 are free. The programme closed before the grant ended, so the clawed-back credit
    // went to its expired account, not back to the budget: 150,000 − 25,000 awarded.
    let lapsed = computegrants::domain::offers::lapse_due(&mut app.conn(), (valid_until + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap()).unwrap();
    assert_eq!(lapsed, 1, "the unaccepted offer lapses");
    sign_in(c, base, lead).await;
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    let report = flat(&text(c).await);
    assert_eq!(norm(&text_of(c, "#figure-remaining").await), "€125,000.00", "{report}");
    let row = report.lines().find(|l| l.contains(&code)).unwrap_or_default().to_string();
    assert!(row.contains("€25,000.00") && row.ends_with("€0.00"), "{row}");
    audit(c, axe, "the programme after the clawback").await;
    sign_out(c).await;
}

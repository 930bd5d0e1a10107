//! Programme lifecycle (draft → open → closed → archived) and eligibility rules, through the
//! pages as a browser sends them (with CSRF), on both backends: a draft is editable, invisible
//! to startups and unfunded until opened; after opening only the closing date may be extended
//! and the budget raised, each with a reason kept in the change log; a closed programme takes no
//! applications; an archived one is read-only; each failing eligibility rule is reported with
//! its reason, and an ineligible application is approved only with a recorded override.

use crate::both_backends;
use crate::helpers::{Backend, Client, TestApp, id_from};
use crate::journey::programme_with_application;
use computegrants::db::schema::{applications, audit_events, grants, ledger_entries, programme_changes, programmes};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::ProgrammeId;
use diesel::prelude::*;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The funder sends the new-programme form; `draft` presses "Save as draft".
async fn new_programme(funder: &mut Client, name: &str, budget: &str, draft: bool) -> ProgrammeId {
    funder.refresh_csrf("/programmes/new").await;
    let opens = today().to_string();
    let closes = (today() + chrono::Duration::days(30)).to_string();
    let mut fields = vec![
        ("name", name),
        ("description", "Credits for AI startups."),
        ("currency", "EUR"),
        ("budget", budget),
        ("max_award", "60000"),
        ("opens_on", opens.as_str()),
        ("closes_on", closes.as_str()),
    ];
    if draft {
        fields.push(("lifecycle", "draft"));
    }
    let r = funder.post("/programmes", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    id_from(&r.location)
}

fn status_of(app: &TestApp, id: ProgrammeId) -> String {
    programmes::table.find(id).select(programmes::status).first(&mut app.conn()).unwrap()
}

fn fund_entries(app: &TestApp, id: ProgrammeId) -> i64 {
    ledger_entries::table.filter(ledger_entries::programme_id.eq(id.get())).filter(ledger_entries::kind.eq("fund")).count().get_result(&mut app.conn()).unwrap()
}

fn available(app: &TestApp, id: ProgrammeId) -> computegrants::money::Amount {
    let mut conn = app.conn();
    let programme = computegrants::domain::programmes::get(&mut conn, id).unwrap();
    computegrants::domain::programmes::available(&mut conn, &programme).unwrap()
}

fn audit_actions(app: &TestApp) -> Vec<(String, Option<String>)> {
    audit_events::table.order(audit_events::id).select((audit_events::action, audit_events::detail)).load(&mut app.conn()).unwrap()
}

async fn draft_is_editable_invisible_and_funded_when_opened(backend: Backend) {
    let app = TestApp::spawn(backend, "draft_is_editable_invisible_and_funded_when_opened").await;
    app.create_member(OrgKind::Funder, "Draft Agency", "funder@draft.test");
    app.create_member(OrgKind::Funder, "Other Agency", "funder@other.test");
    let mut funder = app.login("funder@draft.test").await;
    let id = new_programme(&mut funder, "Quiet Draft Call", "100000", true).await;
    assert_eq!(status_of(&app, id), "draft");
    assert_eq!(fund_entries(&app, id), 0, "a draft is not funded");
    let page = funder.get(&format!("/programmes/{id}")).await.body;
    assert!(page.contains("Draft saved") && page.contains("Open the programme"), "{page}");

    // Invisible to startups: not listed, not found, no applications.
    let mut startup = app.sign_up_startup("Hidden Labs", "founder@hidden.test").await;
    assert!(!startup.get("/programmes").await.body.contains("Quiet Draft Call"));
    assert_eq!(startup.get(&format!("/programmes/{id}")).await.status, 404);
    assert!(!app.client().get("/transparency").await.body.contains("Quiet Draft Call"), "nor on the public page");
    startup.refresh_csrf("/programmes").await;
    let r = startup.post(&format!("/programmes/{id}/apply"), &[("requested", "1000"), ("purpose", "Training a model for public services."), ("hardware", "GPU"), ("provider_id", "1")]).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(applications::table.count().get_result::<i64>(&mut app.conn()).unwrap(), 0);
    // A startup may not open it, nor may another funder see or change it.
    assert_eq!(startup.post(&format!("/programmes/{id}/open"), &[("confirm", "yes")]).await.status, 404);
    let mut other = app.login("funder@other.test").await;
    assert_eq!(other.get(&format!("/programmes/{id}/edit")).await.status, 404);
    other.refresh_csrf("/programmes").await;
    assert_eq!(other.post(&format!("/programmes/{id}/open"), &[("confirm", "yes")]).await.status, 404);
    assert_eq!(status_of(&app, id), "draft");

    // Fully editable while a draft (the budget too).
    assert!(funder.get(&format!("/programmes/{id}/edit")).await.body.contains("Quiet Draft Call"));
    funder.refresh_csrf(&format!("/programmes/{id}/edit")).await;
    let closes = (today() + chrono::Duration::days(60)).to_string();
    let r = funder
        .post(
            &format!("/programmes/{id}/edit"),
            &[("name", "Corrected Call"), ("description", "Credits for AI startups."), ("currency", "EUR"), ("budget", "200000"), ("max_award", "50000"), ("opens_on", &today().to_string()), ("closes_on", &closes)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (name, budget): (String, i64) = programmes::table.find(id).select((programmes::name, programmes::budget)).first(&mut app.conn()).unwrap();
    assert_eq!((name.as_str(), budget), ("Corrected Call", 20_000_000));
    // A bad edit is refused next to its field, nothing changed.
    let r = funder.post(&format!("/programmes/{id}/edit"), &[("name", ""), ("description", "x"), ("currency", "EUR"), ("budget", "10"), ("max_award", "5"), ("opens_on", &today().to_string()), ("closes_on", &closes)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::name).first::<String>(&mut app.conn()).unwrap(), "Corrected Call");

    // Opening asks for confirmation, then funds the budget in one entry.
    funder.refresh_csrf(&format!("/programmes/{id}")).await;
    let r = funder.post(&format!("/programmes/{id}/open"), &[("form", "open")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Tick the box to confirm."), "{}", r.body);
    assert_eq!((status_of(&app, id).as_str(), fund_entries(&app, id)), ("draft", 0));
    let r = funder.post(&format!("/programmes/{id}/open"), &[("form", "open"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(&app, id), "open");
    assert_eq!(fund_entries(&app, id), 1);
    assert_eq!(available(&app, id).cents(), 20_000_000, "the budget as edited is funded");
    let page = funder.get(&format!("/programmes/{id}")).await.body;
    assert!(page.contains("Change log") && page.contains("Opened: budget reserved in the ledger"), "{page}");
    assert!(audit_actions(&app).iter().any(|(a, _)| a == "programme-opened"));

    // Open now: visible to startups; no longer editable (refused, nothing changed).
    assert_eq!(startup.get(&format!("/programmes/{id}")).await.status, 200);
    assert!(funder.get(&format!("/programmes/{id}/edit")).await.body.contains("no longer a draft"));
    let r = funder.post(&format!("/programmes/{id}/edit"), &[("name", "Sneaky"), ("description", "Credits."), ("currency", "EUR"), ("budget", "1"), ("max_award", "1"), ("opens_on", &today().to_string()), ("closes_on", &closes)]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Only a draft can be changed"), "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::budget).first::<i64>(&mut app.conn()).unwrap(), 20_000_000);
    // Opening twice is refused and posts nothing more.
    assert_eq!(funder.post(&format!("/programmes/{id}/open"), &[("form", "open"), ("confirm", "yes")]).await.status, 409);
    assert_eq!(fund_entries(&app, id), 1);
}
both_backends!(draft_is_editable_invisible_and_funded_when_opened);

async fn after_opening_only_extension_and_raise_with_a_reason(backend: Backend) {
    let mut s = programme_with_application(backend, "after_opening_only_extension_and_raise_with_a_reason").await;
    let id = s.programme_id;
    let path = format!("/programmes/{id}");
    let closes: chrono::NaiveDate = programmes::table.find(id).select(programmes::closes_on).first(&mut s.app.conn()).unwrap();
    s.funder.refresh_csrf(&path).await;
    let later = (closes + chrono::Duration::days(14)).to_string();
    let earlier = (closes - chrono::Duration::days(1)).to_string();

    // Extension: a reason is required and the date must be later; refused means unchanged.
    let r = s.funder.post(&format!("{path}/extend"), &[("form", "extend"), ("closes_on", &later), ("reason", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Say why"), "{}", r.body);
    let r = s.funder.post(&format!("{path}/extend"), &[("form", "extend"), ("closes_on", &earlier), ("reason", "Shortening it quietly.")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("must be later than the current one"), "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::closes_on).first::<chrono::NaiveDate>(&mut s.app.conn()).unwrap(), closes);
    let r = s.funder.post(&format!("{path}/extend"), &[("form", "extend"), ("closes_on", &later), ("reason", "Many startups asked for two more weeks.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::closes_on).first::<chrono::NaiveDate>(&mut s.app.conn()).unwrap(), closes + chrono::Duration::days(14));

    // Raise: only higher, with a reason; the top-up is one balanced ledger entry.
    let before = available(&s.app, id);
    let r = s.funder.post(&format!("{path}/raise"), &[("form", "raise"), ("budget", "90000"), ("reason", "Cutting the budget now.")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("can only be raised"), "{}", r.body);
    let r = s.funder.post(&format!("{path}/raise"), &[("form", "raise"), ("budget", "150000"), ("reason", "short")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(programmes::table.find(id).select(programmes::budget).first::<i64>(&mut s.app.conn()).unwrap(), 10_000_000);
    assert_eq!(fund_entries(&s.app, id), 1);
    let r = s.funder.post(&format!("{path}/raise"), &[("form", "raise"), ("budget", "150000"), ("reason", "The ministry added 50,000 euros.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::budget).first::<i64>(&mut s.app.conn()).unwrap(), 15_000_000);
    assert_eq!(fund_entries(&s.app, id), 2);
    assert_eq!(available(&s.app, id).cents(), before.cents() + 5_000_000);

    // Both in the change log on the page (with who and why) and in the audit log.
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("Closing date extended from") && page.contains("Many startups asked for two more weeks."), "{page}");
    assert!(page.contains("Budget raised from €100,000.00 to €150,000.00") && page.contains("The ministry added 50,000 euros."), "{page}");
    let changes: Vec<String> = programme_changes::table.filter(programme_changes::programme_id.eq(id.get())).order(programme_changes::id).select(programme_changes::kind).load(&mut s.app.conn()).unwrap();
    assert_eq!(changes, ["opened", "closing-extended", "budget-raised"]);
    let audit = audit_actions(&s.app);
    assert!(audit.iter().any(|(a, d)| a == "programme-budget-raised" && d.as_deref().is_some_and(|d| d.contains("The ministry added"))), "{audit:?}");
    assert!(audit.iter().any(|(a, d)| a == "programme-closing-extended" && d.as_deref().is_some_and(|d| d.contains("Many startups"))), "{audit:?}");
    // The startup sees the log too, without the names of the funder's staff.
    let page = s.startup.get(&path).await.body;
    assert!(page.contains("Budget raised from") && !page.contains("Test Person"), "{page}");

    // Anything else after opening is refused with a clear error, nothing changed.
    let r = s.funder.post(&format!("{path}/eligibility"), &[("countries_rule", "preset")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Only a draft can be changed"), "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::eligible_countries).first::<Option<String>>(&mut s.app.conn()).unwrap(), None);

    // Another funder and a startup are refused.
    s.app.create_member(OrgKind::Funder, "Other Agency", "funder@other.test");
    let mut other = s.app.login("funder@other.test").await;
    other.refresh_csrf("/programmes").await;
    assert_eq!(other.post(&format!("{path}/raise"), &[("budget", "999999"), ("reason", "Not my programme at all.")]).await.status, 404);
    s.startup.refresh_csrf(&path).await;
    assert_eq!(s.startup.post(&format!("{path}/extend"), &[("closes_on", "2100-01-01"), ("reason", "Not my programme at all.")]).await.status, 404);
    assert_eq!(programmes::table.find(id).select(programmes::budget).first::<i64>(&mut s.app.conn()).unwrap(), 15_000_000);
}
both_backends!(after_opening_only_extension_and_raise_with_a_reason);

async fn closed_takes_no_applications_and_archived_is_read_only(backend: Backend) {
    let mut s = programme_with_application(backend, "closed_takes_no_applications_and_archived_is_read_only").await;
    let id = s.programme_id;
    let path = format!("/programmes/{id}");
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/close"), &[("form", "close"), ("reason", "Budget fully planned.")]).await;
    assert_eq!(r.status, 422, "closing asks for confirmation");
    assert_eq!(status_of(&s.app, id), "open");
    let r = s.funder.post(&format!("{path}/close"), &[("form", "close"), ("reason", "Budget fully planned."), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(&s.app, id), "closed");

    // Closed: no more applications (the window's dates have not passed).
    let mut late = s.app.sign_up_startup("Late Labs", "founder@late.test").await;
    late.refresh_csrf(&path).await;
    let provider_id = s.provider_id.to_string();
    let r = late.post(&format!("{path}/apply"), &[("requested", "1000"), ("purpose", "Training a model for public services."), ("hardware", "GPU"), ("provider_id", &provider_id)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("is not accepting applications"), "{}", r.body);
    assert_eq!(applications::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 1);
    // Nor extension or raise.
    let r = s.funder.post(&format!("{path}/extend"), &[("form", "extend"), ("closes_on", "2100-01-01"), ("reason", "Reopening by the back door.")]).await;
    assert_eq!(r.status, 409, "{}", r.body);

    // Archived: read-only and out of the default list.
    let r = s.funder.post(&format!("{path}/archive"), &[("form", "archive"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(&s.app, id), "archived");
    assert!(!s.funder.get("/programmes").await.body.contains("Test Compute Call"));
    assert!(s.funder.get("/programmes?archived=1").await.body.contains("Test Compute Call"));
    let app_path = format!("/applications/{}", s.application_id);
    s.funder.refresh_csrf(&app_path).await;
    let r = s.funder.post(&format!("{app_path}/decide"), &[("decision", "approve"), ("amount", "1000"), ("reason", "")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("archived: it is read-only"), "{}", r.body);
    let status: String = applications::table.find(s.application_id).select(applications::status).first(&mut s.app.conn()).unwrap();
    assert_eq!(status, "submitted");
    assert_eq!(grants::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 0);
    let r = s.funder.post(&format!("{path}/close"), &[("form", "close"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 409, "an archived programme does not move again");
    let audit = audit_actions(&s.app);
    assert!(audit.iter().any(|(a, d)| a == "programme-closed" && d.as_deref() == Some("Budget fully planned.")), "{audit:?}");
    assert!(audit.iter().any(|(a, _)| a == "programme-archived"), "{audit:?}");
}
both_backends!(closed_takes_no_applications_and_archived_is_read_only);

async fn each_failing_rule_is_reported_and_approval_needs_an_override(backend: Backend) {
    let app = TestApp::spawn(backend, "each_failing_rule_is_reported_and_approval_needs_an_override").await;
    app.create_member(OrgKind::Funder, "Rules Agency", "funder@rules.test");
    let provider = app.create_member(OrgKind::Provider, "Rules Cloud", "billing@rules.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let mut funder = app.login("funder@rules.test").await;
    let id = new_programme(&mut funder, "Strict Call", "100000", true).await;
    let path = format!("/programmes/{id}");
    funder.refresh_csrf(&path).await;

    // Bad rules are refused next to their fields, nothing stored.
    let r = funder.post(&format!("{path}/eligibility"), &[("countries_rule", "list"), ("countries", "DE, FRA"), ("max_company_age_years", "old")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("“FRA” is not a two-letter ISO country code.") && r.body.contains("Enter a whole number of years"), "{}", r.body);
    assert_eq!(programmes::table.find(id).select(programmes::eligible_countries).first::<Option<String>>(&mut app.conn()).unwrap(), None);

    // Countries DE and BE; micro-enterprises only; at most 5 years old; GPU only.
    let r = funder
        .post(
            &format!("{path}/eligibility"),
            &[
                ("countries_rule", "list"),
                ("countries", "de, BE"),
                ("limit_categories", "on"),
                ("categories", "micro"),
                ("max_company_age_years", "5"),
                ("limit_hardware", "on"),
                ("hardware", "GPU"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = funder.get(&path).await.body;
    assert!(page.contains("DE,BE") && page.contains("micro-enterprise") && page.contains("5 years"), "{page}");
    let r = funder.post(&format!("{path}/open"), &[("form", "open"), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A French small enterprise founded ten years ago applies for CPU time.
    let mut startup = app.sign_up_startup("Old Labs", "founder@old.test").await;
    startup.refresh_csrf("/organisation/company").await;
    let founded = (today() - chrono::Duration::days(3660)).to_string();
    let year_end = (today() - chrono::Duration::days(200)).to_string();
    let r = startup
        .post("/organisation/company", &[("accounts_year_end", &year_end), ("staff_awu", "30"), ("turnover", "6000000"), ("balance_sheet", "5000000"), ("vat_number", ""), ("founded_on", &founded)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    startup.refresh_csrf(&format!("{path}/apply")).await;
    let provider_id = provider.org_id().to_string();
    let r = startup.post(&format!("{path}/apply"), &[("requested", "50000"), ("purpose", "Training a model for public services."), ("hardware", "CPU"), ("provider_id", &provider_id)]).await;
    assert_eq!(r.status, 303, "an ineligible application is kept, not lost: {}", r.body);
    let application_id: computegrants::domain::ApplicationId = id_from(&r.location);
    let reasons: Option<String> = applications::table.find(application_id).select(applications::ineligible_reasons).first(&mut app.conn()).unwrap();
    assert_eq!(reasons.as_deref(), Some("country:FR\ncategory:small\nage:10:5\nhardware:CPU"));

    // The funder sees each reason.
    let app_path = format!("/applications/{application_id}");
    let page = funder.get(&app_path).await.body;
    for reason in [
        "The company is registered in FR, a country this programme does not accept.",
        "The company is a small enterprise, a category this programme does not accept.",
        "The company was founded 10 years ago; this programme accepts companies of at most 5 years.",
        "This programme does not fund CPU hardware.",
    ] {
        assert!(page.contains(reason), "{reason}: {page}");
    }
    assert!(page.contains("Not eligible"), "{page}");
    // Flagged in the programme's list of applications too.
    assert!(funder.get(&path).await.body.contains("not eligible"));

    // Approval without an override reason is refused, nothing written.
    funder.refresh_csrf(&app_path).await;
    let r = funder.post(&format!("{app_path}/decide"), &[("decision", "approve"), ("amount", "40000"), ("reason", ""), ("override_reason", "")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("This application fails eligibility rules"), "{}", r.body);
    let status: String = applications::table.find(application_id).select(applications::status).first(&mut app.conn()).unwrap();
    assert_eq!(status, "submitted");
    assert_eq!(grants::table.count().get_result::<i64>(&mut app.conn()).unwrap(), 0);

    // With a reason: approved, the reason stored, shown and audited.
    let why = "Strategic project for the region, approved by the board.";
    let r = funder.post(&format!("{app_path}/decide"), &[("decision", "approve"), ("amount", "40000"), ("reason", ""), ("override_reason", why)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (status, stored): (String, Option<String>) = applications::table.find(application_id).select((applications::status, applications::override_reason)).first(&mut app.conn()).unwrap();
    assert_eq!((status.as_str(), stored.as_deref()), ("offered", Some(why)), "an approval is an offer");
    assert!(funder.get(&app_path).await.body.contains("Approved although ineligible"));
    assert!(audit_actions(&app).iter().any(|(a, d)| a == "eligibility-overridden" && d.as_deref() == Some(why)));
    // The programme's rules are shown to the startup too.
    let page = startup.get(&path).await.body;
    assert!(page.contains("Eligibility") && page.contains("micro-enterprise"), "{page}");
}
both_backends!(each_failing_rule_is_reported_and_approval_needs_an_override);

/// A programme without rules: the application is eligible and approved as before, no override.
async fn without_rules_applications_are_eligible(backend: Backend) {
    let mut s = programme_with_application(backend, "without_rules_applications_are_eligible").await;
    let reasons: Option<String> = applications::table.find(s.application_id).select(applications::ineligible_reasons).first(&mut s.app.conn()).unwrap();
    assert_eq!(reasons, None);
    let page = s.funder.get(&format!("/applications/{}", s.application_id)).await.body;
    assert!(page.contains("Eligible: the application meets every rule") && !page.contains("override_reason"), "{page}");
    let code = crate::journey::approve(&mut s, "40000").await;
    assert!(code.starts_with("G-"), "{code}");
}
both_backends!(without_rules_applications_are_eligible);

/// The JSON API creates programmes open (funded) as before, or as a draft with `"status":
/// "draft"` (unfunded, not listed to startups); another status is refused.
async fn the_api_creates_open_programmes_or_drafts(backend: Backend) {
    use crate::json_api::{Api, token};
    use computegrants::domain::api_tokens::Scope;
    let s = programme_with_application(backend, "the_api_creates_open_programmes_or_drafts").await;
    let funder = token(&mut s.app.conn(), "Test Funding Agency", "grant tool", &[Scope::ProgrammesRead, Scope::ProgrammesWrite]);
    let startup = token(&mut s.app.conn(), "Lumen Test Labs", "dashboard", &[Scope::ProgrammesRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    let closes = (today() + chrono::Duration::days(30)).to_string();
    let call = |status: Option<&str>| {
        let mut body = serde_json::json!({"name": "API Call", "description": "Credits.", "currency": "EUR", "budget": "1000.00", "max_award": "100.00", "opens_on": today().to_string(), "closes_on": closes});
        if let Some(status) = status {
            body["status"] = serde_json::Value::String(status.into());
        }
        serde_json::to_vec(&body).unwrap()
    };
    let json = [("Content-Type", "application/json")];
    let (status, _, draft) = api.send(reqwest::Method::POST, "/programmes", Some(&funder), Some(call(Some("draft"))), &json).await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "draft");
    let draft_id = ProgrammeId::new(draft["id"].as_i64().unwrap());
    assert_eq!(fund_entries(&s.app, draft_id), 0);
    let (status, _, open) = api.send(reqwest::Method::POST, "/programmes", Some(&funder), Some(call(None)), &json).await;
    assert_eq!(status, 201, "{open}");
    assert_eq!(open["status"], "open");
    assert_eq!(fund_entries(&s.app, ProgrammeId::new(open["id"].as_i64().unwrap())), 1);
    let (status, _, problem) = api.send(reqwest::Method::POST, "/programmes", Some(&funder), Some(call(Some("archived"))), &json).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("status"), "{problem}");
    // Startups list open programmes only.
    let (status, _, list) = api.get("/programmes", Some(&startup)).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert!(!ids.contains(&draft_id.get()) && ids.contains(&open["id"].as_i64().unwrap()), "{list}");
}
both_backends!(the_api_creates_open_programmes_or_drafts);

/// Through the domain and the JSON API: rules set on a draft, an ineligible application kept
/// with its reason, the API's approval refused without `override_reason` and recorded with it.
async fn the_api_approves_an_ineligible_application_only_with_an_override(backend: Backend) {
    use crate::json_api::{Api, token};
    use computegrants::domain::api_tokens::Scope;
    use computegrants::domain::{eligibility, programmes as domain};
    let mut s = programme_with_application(backend, "the_api_approves_an_ineligible_application_only_with_an_override").await;
    let funder = s.app.create_member(OrgKind::Funder, "GPU Only Agency", "funder@gpu-only.test");
    let startup = s.app.create_member(OrgKind::Startup, "Unregistered Labs", "founder@unregistered.test");
    let new = domain::NewProgramme {
        name: "GPU Only Call".into(),
        description: "Credits for GPU time only.".into(),
        currency: "EUR".into(),
        budget: computegrants::money::Amount::from_cents(10_000_000),
        max_award: computegrants::money::Amount::from_cents(5_000_000),
        opens_on: today(),
        closes_on: today() + chrono::Duration::days(10),
        price_tolerance_percent: domain::DEFAULT_PRICE_TOLERANCE,
        hold_days: domain::DEFAULT_HOLD_DAYS,
        credits_cover: domain::CreditsCover::Net,
        unused_credit: Default::default(),
        reserved_share_bp: 0,
    };
    let id = {
        let mut conn = s.app.conn();
        let draft = domain::create_draft(&mut conn, &funder, &new).unwrap();
        // Only the funder who owns the draft sets its rules; a startup and another funder find nothing.
        let rules = eligibility::Rules { hardware: Some(vec!["GPU".into()]), ..eligibility::Rules::default() };
        assert!(matches!(domain::set_eligibility(&mut conn, &startup, draft.id, &rules), Err(computegrants::domain::DomainError::NotFound)));
        let bad = eligibility::Rules { hardware: Some(vec!["QPU".into()]), ..eligibility::Rules::default() };
        assert!(matches!(domain::set_eligibility(&mut conn, &funder, draft.id, &bad), Err(computegrants::domain::DomainError::Invalid(_))));
        domain::set_eligibility(&mut conn, &funder, draft.id, &rules).unwrap();
        domain::open(&mut conn, &funder, draft.id).unwrap();
        draft.id
    };
    let path = format!("/programmes/{id}");
    s.startup.refresh_csrf(&format!("{path}/apply")).await;
    let provider_id = s.provider_id.to_string();
    let r = s.startup.post(&format!("{path}/apply"), &[("requested", "100"), ("purpose", "Inference on CPUs for a public service."), ("hardware", "CPU"), ("provider_id", &provider_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let application_id: computegrants::domain::ApplicationId = id_from(&r.location);

    let secret = token(&mut s.app.conn(), "GPU Only Agency", "grant tool", &[Scope::DecisionsWrite, Scope::ProgrammesRead]);
    let api = Api { base: s.app.address.clone(), http: reqwest::Client::new() };
    let json = [("Content-Type", "application/json")];
    let decide = |body: serde_json::Value| serde_json::to_vec(&body).unwrap();
    let url = format!("/applications/{application_id}/decision");
    let (status, _, problem) = api.send(reqwest::Method::POST, &url, Some(&secret), Some(decide(serde_json::json!({"decision": "approve", "amount": "100.00"}))), &json).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("override_reason"), "{problem}");
    assert_eq!(grants::table.filter(grants::application_id.eq(application_id)).count().get_result::<i64>(&mut s.app.conn()).unwrap(), 0);
    let why = "CPU inference is in scope for this pilot.";
    let (status, _, out) = api.send(reqwest::Method::POST, &url, Some(&secret), Some(decide(serde_json::json!({"decision": "approve", "amount": "100.00", "override_reason": why}))), &json).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["ineligible_reasons"], serde_json::json!(["hardware:CPU"]));
    assert_eq!(out["override_reason"], why);
    assert_eq!(out["status"], "offered", "an approval is an offer: {out}");
    assert!(audit_actions(&s.app).iter().any(|(a, d)| a == "eligibility-overridden" && d.as_deref() == Some(why)));
}
both_backends!(the_api_approves_an_ineligible_application_only_with_an_override);

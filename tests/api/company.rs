//! The company and EU rules of issue 10 through the pages: the company profile and its SME
//! category (Recommendation 2003/361/EC), registration numbers checked in the person's language,
//! the de minimis ceiling at the award (Regulation (EU) 2023/2831) and the register export.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::journey::programme_with_application;
use computegrants::db::schema::{applications, de_minimis_awards, grants, ledger_entries, organisations};
use diesel::prelude::*;

/// A date `days` before today, as a date input sends it.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

/// Annex, Art. 6(2): a linked enterprise counts in full and makes a small company medium-sized;
/// the funder deciding sees the category and its working on the application page.
async fn company_profile_with_a_linked_enterprise_is_medium(backend: Backend) {
    let mut s = programme_with_application(backend, "company_profile_with_a_linked_enterprise_is_medium").await;
    let c = &mut s.startup;
    c.refresh_csrf("/organisation/company").await;
    let r = c.post("/organisation/company", &[("accounts_year_end", &days_ago(200)), ("staff_awu", "30"), ("turnover", "6000000"), ("balance_sheet", "5000000"), ("vat_number", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/organisation/company").await.body;
    assert!(page.contains("Small enterprise"), "{page}");
    let r = c
        .post(
            "/organisation/company/associates",
            &[
                ("associate_name", "Lumen Holding SA"),
                ("associate_country", "FR"),
                ("associate_registration", "732 829 320"),
                ("relation", "linked"),
                ("capital_share", "60"),
                ("voting_share", "60"),
                ("associate_awu", "40"),
                ("associate_turnover", "8000000"),
                ("associate_balance_sheet", "7000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/organisation/company").await.body;
    assert!(page.contains("Medium-sized enterprise"), "{page}");
    assert!(page.contains("Lumen Holding SA") && page.contains("732829320"), "stored normalised: {page}");
    assert!(page.contains("€14,000,000.00") && page.contains("€12,000,000.00"), "the totals add the linked enterprise in full: {page}");
    assert!(page.contains("The medium-sized-enterprise ceilings are met"), "{page}");

    // A partner outside 25–50 % is refused with the article's reason, nothing stored.
    let r = c
        .post(
            "/organisation/company/associates",
            &[
                ("associate_name", "Small Stake GmbH"),
                ("associate_country", "DE"),
                ("associate_registration", "HRB 245871"),
                ("relation", "partner"),
                ("capital_share", "10"),
                ("voting_share", "20"),
                ("associate_awu", "1"),
                ("associate_turnover", "1000"),
                ("associate_balance_sheet", "1000"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("a partner enterprise is held at 25 % to 50 % (declared 20 %)"), "{}", r.body);
    assert!(!r.body.contains("<td>Small Stake GmbH</td>"));

    // The funder deciding sees the category and the de minimis headroom.
    let page = s.funder.get(&format!("/applications/{}", s.application_id)).await.body;
    assert!(page.contains("Medium-sized enterprise"), "{page}");
    assert!(page.contains("€0.00 of the €300,000.00 ceiling; €300,000.00 left"), "{page}");

    // Removing the linked enterprise makes it small again.
    let id: i64 = computegrants::db::schema::company_associates::table.select(computegrants::db::schema::company_associates::id).first(&mut s.app.conn()).unwrap();
    let c = &mut s.startup;
    assert_eq!(c.post(&format!("/organisation/company/associates/{id}/remove"), &[]).await.status, 303);
    assert!(c.get("/organisation/company").await.body.contains("Small enterprise"));
    // Each change is in the audit log, the refused one is not.
    use computegrants::db::schema::audit_events;
    let logged: Vec<String> = audit_events::table.filter(audit_events::action.eq("company-profile-changed")).order(audit_events::id).select(audit_events::detail.assume_not_null()).load(&mut s.app.conn()).unwrap();
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert!(logged[1].starts_with("linked enterprise added: Lumen Holding SA (FR 732 829 320), holding 60 %"), "{logged:?}");
}
both_backends!(company_profile_with_a_linked_enterprise_is_medium);

/// A French SIREN with a wrong Luhn key is refused with the reason in the person's language, and
/// nothing is stored.
async fn invalid_siren_is_refused_in_french(backend: Backend) {
    let app = TestApp::spawn(backend, "invalid_siren_is_refused_in_french").await;
    let mut c = app.client_in("fr-FR,fr;q=0.9");
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", "Lumière"), ("display_name", "Inès"), ("email", "ines@lumiere.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.confirm_address(&mut c, "ines@lumiere.test").await;
    c.refresh_csrf("/company").await;
    let r = c.post("/company", &[("legal_name", "Lumière SAS"), ("country", "FR"), ("registration_number", "732 829 321")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("La clé de contrôle de ce SIREN est fausse"), "{}", r.body);
    let r = c.post("/company", &[("legal_name", "Lumière SAS"), ("country", "FR"), ("registration_number", "732 829 32")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Un numéro français est un SIREN (9 chiffres) ou un SIRET (14 chiffres) ; celui-ci en a 8."), "{}", r.body);
    let r = c.post("/company", &[("legal_name", "Lumière SAS"), ("country", "FR"), ("registration_number", "FR 41 303 265 045")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("La clé de ce numéro de TVA français devrait être 40, et non 41."), "{}", r.body);
    let stored: Option<String> =
        organisations::table.filter(organisations::name.eq("Lumière")).select(organisations::registration_number).first(&mut app.conn()).unwrap();
    assert_eq!(stored, None, "nothing stored");
    // A valid SIRET is accepted and stored without its spaces.
    let r = c.post("/company", &[("legal_name", "Lumière SAS"), ("country", "FR"), ("registration_number", "732 829 320 00074")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stored: Option<String> =
        organisations::table.filter(organisations::name.eq("Lumière")).select(organisations::registration_number).first(&mut app.conn()).unwrap();
    assert_eq!(stored.as_deref(), Some("73282932000074"));
    // A VAT number on the profile is checked the same way.
    c.refresh_csrf("/organisation/company").await;
    let r = c.post("/organisation/company", &[("accounts_year_end", &days_ago(30)), ("staff_awu", "3,5"), ("turnover", "100 000"), ("balance_sheet", "80 000"), ("vat_number", "US123")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("« US » n&#39;est pas le préfixe d&#39;un numéro de TVA de l&#39;UE"), "{}", r.body);
}
both_backends!(invalid_siren_is_refused_in_french);

fn ledger_entry_count(app: &TestApp) -> i64 {
    ledger_entries::table.count().get_result(&mut app.conn()).unwrap()
}

/// Regulation (EU) 2023/2831, Art. 3(2): with EUR 260,000 of declared aid in the last three
/// years, an award of 50,000 is refused with the figures and nothing written; 40,000 reaches
/// the ceiling exactly and is awarded, and recorded for the register, which the funder exports.
async fn award_over_the_de_minimis_ceiling_is_refused_and_the_export_lists_awards(backend: Backend) {
    let mut s = programme_with_application(backend, "award_over_the_de_minimis_ceiling_is_refused_and_the_export_lists_awards").await;
    let c = &mut s.startup;
    c.refresh_csrf("/organisation/company").await;
    // Older than three years: not counted.
    let r = c.post("/organisation/company/aid", &[("granted_on", &days_ago(3 * 366 + 2)), ("aid_amount", "90000"), ("granting_body", "Old Regional Fund")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = c.post("/organisation/company/aid", &[("granted_on", &days_ago(400)), ("aid_amount", "260000"), ("granting_body", "Bpifrance")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/organisation/company").await.body;
    assert!(page.contains("€260,000.00 of the €300,000.00 ceiling; €40,000.00 left"), "{page}");

    // The funder's offer stands; the check is at acceptance, with the declaration confirmed.
    let path = format!("/applications/{}", s.application_id);
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "50000"), ("reason", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let before = ledger_entry_count(&s.app);
    s.startup.refresh_csrf(&path).await;
    let r = s.startup.post(&format!("{path}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("already received €260,000.00 in the 3 years ending today, and €260,000.00 + €50,000.00 exceeds the €300,000.00 ceiling"), "{}", r.body);
    assert!(r.body.contains("At most €40,000.00 can be awarded"), "{}", r.body);
    assert_eq!(ledger_entry_count(&s.app), before, "no ledger change");
    let mut conn = s.app.conn();
    let status: String = applications::table.find(s.application_id).select(applications::status).first(&mut conn).unwrap();
    assert_eq!(status, "offered");
    assert_eq!(grants::table.count().get_result::<i64>(&mut conn).unwrap(), 0);
    assert_eq!(de_minimis_awards::table.count().get_result::<i64>(&mut conn).unwrap(), 0);

    // The startup declines it and applies again; an offer reaching the ceiling exactly is accepted.
    assert_eq!(s.startup.post(&format!("{path}/decline"), &[("confirm", "yes")]).await.status, 303);
    let apply = format!("/programmes/{}/apply", s.programme_id);
    s.startup.refresh_csrf(&apply).await;
    let provider_id = s.provider_id.to_string();
    let r = s.startup.post(&apply, &[("requested", "40000"), ("purpose", "Training a multilingual language model for public services."), ("hardware", "GPU"), ("provider_id", &provider_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    s.application_id = crate::helpers::id_from(&r.location);
    crate::journey::approve(&mut s, "40000").await;
    let code: String = grants::table.select(grants::code).first(&mut conn).unwrap();

    // The startup now has no headroom: the award counts as platform aid.
    let page = s.startup.get("/organisation/company").await.body;
    assert!(page.contains("€300,000.00 of the €300,000.00 ceiling; €0.00 left") && page.contains(&code), "{page}");

    // The register export lists the award, for the funder only.
    let r = s.funder.get("/funder/de-minimis.csv").await;
    assert_eq!(r.status, 200);
    let mut lines = r.body.lines();
    assert_eq!(lines.next(), Some("aid_id,beneficiary_name,beneficiary_identifier,beneficiary_country,sme_category,amount,currency,granted_on,granting_authority,regulation"));
    let row = lines.next().expect("one award");
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(row, format!("{code},Lumen Test Labs SAS,123456782,FR,,40000.00,EUR,{today},Test Funding Agency,2023/2831"));
    assert_eq!(s.startup.get("/funder/de-minimis.csv").await.status, 404, "funders only");
}
both_backends!(award_over_the_de_minimis_ceiling_is_refused_and_the_export_lists_awards);

/// Cells that start like a formula are neutralised in the export.
async fn the_de_minimis_export_neutralises_formulas(backend: Backend) {
    let mut s = programme_with_application(backend, "the_de_minimis_export_neutralises_formulas").await;
    s.startup.refresh_csrf("/company").await;
    let r = s.startup.post("/company", &[("legal_name", "=HYPERLINK(\"x\")"), ("country", "FR"), ("registration_number", "123 456 782")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    crate::journey::approve(&mut s, "1000").await;
    let csv = s.funder.get("/funder/de-minimis.csv").await.body;
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
}
both_backends!(the_de_minimis_export_neutralises_formulas);

/// Regulation (EU) 2023/2831, Art. 2(2): a linked enterprise that is also a startup here is part
/// of the single undertaking, so its aid counts; the refusal is worded in the funder's language.
async fn aid_of_a_linked_enterprise_on_the_platform_counts(backend: Backend) {
    use computegrants::domain::company::{self, NewAid};
    use computegrants::domain::identity::{self, CompanyDetails, OrgKind};
    use computegrants::money::Amount;
    let mut s = programme_with_application(backend, "aid_of_a_linked_enterprise_on_the_platform_counts").await;
    // The parent company is a startup of the platform too, with EUR 270,000 of declared aid.
    let mut conn = s.app.conn();
    let parent = s.app.create_member(OrgKind::Startup, "Lumen Parent", "cfo@lumen-parent.test");
    identity::register_company(&mut conn, parent.org_id(), &CompanyDetails { legal_name: "Lumen Parent SA", country: "FR", registration_number: "732829320" }).unwrap();
    let parent = identity::member(&mut conn, parent.user.id).unwrap();
    let granted_on = chrono::Utc::now().date_naive() - chrono::Duration::days(100);
    company::add_declared_aid(&mut conn, &parent, &NewAid { granted_on, amount: Amount::from_cents(27_000_000), granting_body: "Région Occitanie".into() }).unwrap();

    // Before the startup declares the link, the award would pass: check on the decision page.
    let page = s.funder.get(&format!("/applications/{}", s.application_id)).await.body;
    assert!(page.contains("€0.00 of the €300,000.00 ceiling"), "{page}");

    let c = &mut s.startup;
    c.refresh_csrf("/organisation/company").await;
    let fields = [
        ("associate_name", "Lumen Parent SA"),
        ("associate_country", "FR"),
        // Its SIRET: the same company as the SIREN it registered with.
        ("associate_registration", "732 829 320 00074"),
        ("relation", "linked"),
        ("capital_share", "100"),
        ("voting_share", "100"),
        ("associate_awu", "5"),
        ("associate_turnover", "1000000"),
        ("associate_balance_sheet", "1000000"),
    ];
    assert_eq!(c.post("/organisation/company/associates", &fields).await.status, 303);

    // The funder sees the parent's aid and may still offer; the startup, reading French, is
    // refused at acceptance with the figures.
    let path = format!("/applications/{}", s.application_id);
    s.funder.refresh_csrf(&path).await;
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("Région Occitanie") && page.contains("Lumen Parent"), "the parent's aid is listed: {page}");
    let r = s.funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "50000"), ("reason", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let startup = &mut s.startup;
    startup.refresh_csrf(&path).await;
    assert_eq!(startup.post("/language", &[("lang", "fr")]).await.status, 303);
    startup.refresh_csrf(&path).await;
    let r = startup.post(&format!("{path}/accept"), &[("declaration", "yes")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Cette attribution dépasserait le plafond de minimis"), "{}", r.body);
    assert!(r.body.contains("270\u{202f}000,00\u{a0}€") && r.body.contains("300\u{202f}000,00\u{a0}€"), "{}", r.body);
    assert_eq!(grants::table.count().get_result::<i64>(&mut conn).unwrap(), 0);
}
both_backends!(aid_of_a_linked_enterprise_on_the_platform_counts);

/// Through the JSON API: the decision is an offer; the startup's acceptance goes through the same
/// de minimis check (Regulation (EU) 2023/2831, Art. 3(2)): refused with the figures in a problem
/// document, nothing written.
async fn the_api_decision_is_refused_over_the_de_minimis_ceiling(backend: Backend) {
    use computegrants::domain::api_tokens::{self, NewToken, Scope};
    use computegrants::domain::identity;
    let mut s = programme_with_application(backend, "the_api_decision_is_refused_over_the_de_minimis_ceiling").await;
    s.startup.refresh_csrf("/organisation/company").await;
    let r = s.startup.post("/organisation/company/aid", &[("granted_on", &days_ago(10)), ("aid_amount", "280000"), ("granting_body", "Bpifrance")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut conn = s.app.conn();
    let funder = identity::find_org_by_name(&mut conn, "Test Funding Agency").unwrap().unwrap();
    let secret = api_tokens::create(&mut conn, &funder, None, &NewToken { name: "committee".into(), scopes: vec![Scope::DecisionsWrite], expires_on: None }).unwrap().1;
    let startup = identity::find_org_by_name(&mut conn, "Lumen Test Labs").unwrap().unwrap();
    let startup_secret = api_tokens::create(&mut conn, &startup, None, &NewToken { name: "back-office".into(), scopes: vec![Scope::ApplicationsWrite], expires_on: None }).unwrap().1;
    let post = |path: String, secret: String, body: &'static str| async move {
        let r = reqwest::Client::new().post(path).bearer_auth(&secret).header("Content-Type", "application/json").body(body).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let base = format!("{}/api/v1/applications/{}", s.app.address, s.application_id);
    let (status, body) = post(format!("{base}/decision"), secret.clone(), r#"{"decision":"approve","amount":"40000.00"}"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"offered\"") && body.contains("\"offer_expires_at\":\"") && body.contains("\"grant_code\":null"), "{body}");
    // The funder cannot answer for the startup.
    let (status, _) = post(format!("{base}/accept"), secret, r#"{"declaration_confirmed":true}"#).await;
    assert!(matches!(status, 403 | 404), "{status}");
    let before = ledger_entry_count(&s.app);
    let (status, body) = post(format!("{base}/accept"), startup_secret.clone(), r#"{"declaration_confirmed":true}"#).await;
    assert!(matches!(status, 400 | 422), "{status} {body}");
    assert!(body.contains("exceeds the €300,000.00 ceiling") && body.contains("At most €20,000.00 can be awarded"), "{body}");
    assert_eq!(ledger_entry_count(&s.app), before);
    assert_eq!(grants::table.count().get_result::<i64>(&mut conn).unwrap(), 0);
    // Declining through the API returns the budget.
    let (status, body) = post(format!("{base}/decline"), startup_secret, "").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"declined\""), "{body}");
}
both_backends!(the_api_decision_is_refused_over_the_de_minimis_ceiling);

/// Two acceptances racing for the same startup are counted one after the other: with EUR 250,000
/// already received, only one of two awards of 40,000 passes (Regulation (EU) 2023/2831, Art. 3(2)).
async fn two_awards_racing_for_the_same_startup_never_cross_the_ceiling(backend: Backend) {
    use computegrants::domain::ApplicationId;
    let mut s = programme_with_application(backend, "two_awards_racing_for_the_same_startup_never_cross_the_ceiling").await;
    s.startup.refresh_csrf("/organisation/company").await;
    let r = s.startup.post("/organisation/company/aid", &[("granted_on", &days_ago(30)), ("aid_amount", "250000"), ("granting_body", "Bpifrance")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A second call, and a second application to it.
    s.funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let r = s
        .funder
        .post("/programmes", &[("name", "Second Call"), ("description", "More credits."), ("currency", "EUR"), ("budget", "100000"), ("max_award", "60000"), ("opens_on", &today.to_string()), ("closes_on", &closes)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second: computegrants::domain::ProgrammeId = crate::helpers::id_from(&r.location);
    s.startup.refresh_csrf(&format!("/programmes/{second}/apply")).await;
    let provider_id = s.provider_id.to_string();
    let r = s
        .startup
        .post(&format!("/programmes/{second}/apply"), &[("requested", "40000"), ("purpose", "Fine-tuning the model on regional languages."), ("hardware", "GPU"), ("provider_id", &provider_id)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let other: ApplicationId = crate::helpers::id_from(&r.location);
    s.funder.refresh_csrf(&format!("/applications/{other}")).await;
    let funder = &s.funder;
    let decide = |id: ApplicationId| async move { funder.post(&format!("/applications/{id}/decide"), &[("decision", "approve"), ("amount", "40000"), ("reason", "")]).await };
    let (a, b) = tokio::join!(decide(s.application_id), decide(other));
    assert_eq!([a.status, b.status], [303, 303], "the check is at acceptance: {} / {}", a.body, b.body);
    s.startup.refresh_csrf(&format!("/applications/{other}")).await;
    let startup = &s.startup;
    let accept = |id: ApplicationId| async move { startup.post(&format!("/applications/{id}/accept"), &[("declaration", "yes")]).await };
    let (a, b) = tokio::join!(accept(s.application_id), accept(other));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 422], "{} / {}", a.body, b.body);
    assert_eq!(grants::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 1);
}
both_backends!(two_awards_racing_for_the_same_startup_never_cross_the_ceiling);

/// How a grant ends, for the de minimis tests below.
#[derive(Clone, Copy)]
enum End {
    Revoked,
    Expired,
}

/// Regulation (EU) 2023/2831 (see `eu::de_minimis`): an ended grant counts the credits its
/// startup drew, not those taken back unused, whether it was revoked or expired. A grant of
/// 10,000 with 120.50 spent, then ended, counts 120.50 against the ceiling. Before the fix a
/// revoked grant counted nothing (a startup could spend, be revoked and be awarded again as if
/// it had received no aid) and an expired one counted 10,000.
async fn an_ended_grant_counts_what_was_drawn(backend: Backend, test: &str, end: End) {
    use crate::helpers::ubl_invoice;
    let (mut s, code, upload) = crate::invoices::held_usage(backend, test).await;
    let r = s.provider.upload_invoice(&upload, "INV-R1.xml", &ubl_invoice("INV-R1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let invoice = r.location.unwrap();
    s.funder.refresh_csrf(&invoice).await;
    assert_eq!(s.funder.post(&format!("{invoice}/approve"), &[]).await.status, 303);
    s.startup.refresh_csrf("/organisation/company").await;
    let r = s.startup.post("/organisation/company/aid", &[("granted_on", &days_ago(30)), ("aid_amount", "250000"), ("granting_body", "Bpifrance")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = s.startup.get("/organisation/company").await.body;
    assert!(page.contains("€260,000.00 of the €300,000.00 ceiling; €40,000.00 left"), "the whole award counts while it runs: {page}");

    let (id, valid_until): (i64, chrono::NaiveDate) = grants::table.filter(grants::code.eq(&code)).select((grants::id, grants::valid_until)).first(&mut s.app.conn()).unwrap();
    match end {
        End::Revoked => {
            let grant = format!("/grants/{id}");
            s.funder.refresh_csrf(&grant).await;
            let r = s.funder.post(&format!("{grant}/revoke"), &[("revoke_reason", "The project stopped."), ("confirm", "yes")]).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        End::Expired => {
            let run = computegrants::domain::grant_expiry::expire_due(&mut s.app.conn(), valid_until + chrono::Duration::days(1), "test").unwrap();
            assert_eq!(run.expired.len(), 1, "{run:?}");
        }
    }
    let page = s.startup.get("/organisation/company").await.body;
    assert!(page.contains("€250,120.50 of the €300,000.00 ceiling; €49,879.50 left"), "ended, the 120.50 drawn still counts and the rest does not: {page}");
    assert!(page.contains(&code), "the grant is still listed among the aid: {page}");
}

async fn a_revoked_grant_counts_what_was_drawn_as_de_minimis_aid(backend: Backend) {
    an_ended_grant_counts_what_was_drawn(backend, "a_revoked_grant_counts_what_was_drawn_as_de_minimis_aid", End::Revoked).await;
}
both_backends!(a_revoked_grant_counts_what_was_drawn_as_de_minimis_aid);

async fn an_expired_grant_counts_what_was_drawn_as_de_minimis_aid(backend: Backend) {
    an_ended_grant_counts_what_was_drawn(backend, "an_expired_grant_counts_what_was_drawn_as_de_minimis_aid", End::Expired).await;
}
both_backends!(an_expired_grant_counts_what_was_drawn_as_de_minimis_aid);

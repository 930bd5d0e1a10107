//! Grants end: at the end of their validity (the scheduler's `expire_due`, the `grants expire`
//! command) or revoked by their funder, their unused credit clawed back in one balanced entry to
//! where the programme says, once however often it runs; held usage waits for its invoice and
//! whatever comes back later is swept too. Funders extend and revoke with reasons the startup
//! reads; nobody else can.

use crate::both_backends;
use crate::cli::cli;
use crate::helpers::{Backend, TestApp, id_from, ubl_invoice, usage_csv};
use crate::invoices::held_usage;
use crate::journey::{Setup, approve, programme_with_application};
use computegrants::db::schema::{audit_events, grant_changes, grants, ledger_accounts, ledger_entries, programmes};
use computegrants::domain::grant_expiry::{self, Destination};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::{ApplicationId, GrantId, ProgrammeId};
use computegrants::money::Amount;
use diesel::prelude::*;

const SELLER: &str = "Test GPU Cloud SAS";
const FUNDER: &str = "Test Funding Agency";

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The grant's id and code (each test has one).
fn the_grant(s: &Setup) -> (GrantId, String) {
    grants::table.order(grants::id.desc()).select((grants::id, grants::code)).first(&mut s.app.conn()).unwrap()
}

/// Ends the grant's validity yesterday, as if its year had run out.
fn end_validity_yesterday(s: &Setup, id: GrantId) {
    let yesterday = today() - chrono::Duration::days(1);
    diesel::update(grants::table.find(id)).set((grants::valid_from.eq(yesterday - chrono::Duration::days(30)), grants::valid_until.eq(yesterday))).execute(&mut s.app.conn()).unwrap();
}

/// (debits posted, credits posted, debits pending) of the account with this code; zeros if none.
fn account(s: &Setup, code: &str) -> (i64, i64, i64) {
    ledger_accounts::table
        .filter(ledger_accounts::code.eq(code))
        .select((ledger_accounts::debits_posted, ledger_accounts::credits_posted, ledger_accounts::debits_pending))
        .first(&mut s.app.conn())
        .unwrap_or((0, 0, 0))
}

fn entries(s: &Setup) -> i64 {
    ledger_entries::table.count().get_result(&mut s.app.conn()).unwrap()
}

/// Entries whose key starts with `prefix`, with the number of their postings.
fn keyed(s: &Setup, prefix: &str) -> Vec<String> {
    ledger_entries::table.filter(ledger_entries::idempotency_key.like(format!("{prefix}%"))).order(ledger_entries::id).select(ledger_entries::idempotency_key).load(&mut s.app.conn()).unwrap()
}

fn status(s: &Setup, id: GrantId) -> String {
    grants::table.find(id).select(grants::status).first(&mut s.app.conn()).unwrap()
}

async fn expiry_returns_unused_credit_to_the_open_programmes_budget_once(backend: Backend) {
    let mut s = programme_with_application(backend, "expiry_returns_unused_credit_to_the_open_programmes_budget_once").await;
    approve(&mut s, "10000").await;
    let (id, code) = the_grant(&s);
    let available = format!("programme:{}:available", s.programme_id);
    assert_eq!(account(&s, &available), (1_000_000, 10_000_000, 0));
    end_validity_yesterday(&s, id);

    // Valid until yesterday: as of yesterday it has not ended yet.
    let run = grant_expiry::expire_due(&mut s.app.conn(), today() - chrono::Duration::days(1), "test").unwrap();
    assert!(run.is_empty(), "{run:?}");
    assert_eq!(status(&s, id), "active");

    let before = entries(&s);
    let run = grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap();
    assert_eq!(run.expired, vec![grant_expiry::Clawback { code: code.clone(), amount: Amount::from_cents(1_000_000), currency: "EUR".into(), destination: Destination::Budget }]);
    assert!(run.swept.is_empty() && run.failed.is_empty(), "{run:?}");
    assert_eq!(entries(&s), before + 1, "one entry");
    assert_eq!(keyed(&s, "expire:G-"), vec![format!("expire:{code}")]);
    // The programme is open: the budget has it back; the grant has nothing left.
    assert_eq!(account(&s, &available), (1_000_000, 11_000_000, 0));
    assert_eq!(account(&s, &format!("grant:{code}:credits")), (1_000_000, 1_000_000, 0));
    assert_eq!(account(&s, &format!("programme:{}:expired", s.programme_id)), (0, 0, 0));
    assert_eq!(status(&s, id), "expired");

    // Twice, and from a second connection as another server would: nothing more is posted.
    let again = grant_expiry::expire_due(&mut s.app.conn(), today() + chrono::Duration::days(3), "test").unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(entries(&s), before + 1);
    let changes: i64 = grant_changes::table.filter(grant_changes::grant_id.eq(id)).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(changes, 1);
    let audited: i64 = audit_events::table.filter(audit_events::action.eq("grant-expired")).filter(audit_events::subject.eq(format!("grant:{code}"))).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(audited, 1);

    // The startup reads it on its grant page; an expired grant takes no more usage.
    assert!(s.startup.get("/").await.body.contains("<span class=\"status expired\">expired</span>"), "the dashboard shows it");
    let page = s.startup.get(&format!("/grants/{id}")).await.body;
    assert!(page.contains("id=\"grant-status\"><span class=\"status expired\">expired</span>"), "{page}");
    assert!(page.contains("expired at the end of its validity") && page.contains("€10,000.00"), "{page}");
    assert!(page.contains("<dd id=\"spent\">€0.00</dd>") && page.contains("<dd id=\"clawed-back\">€10,000.00</dd>"), "clawed back is not spent: {page}");
    let report = s.funder.get(&format!("/programmes/{}", s.programme_id)).await.body;
    assert!(report.contains(&format!("{code}</a></td><td>Lumen Test Labs</td><td class=\"num\">€10,000.00</td><td class=\"num\">€0.00</td><td class=\"num\">€0.00</td>")), "{report}");
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("late.csv", &usage_csv(&code, &["10.00"])).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("expired"), "{}", r.body);
    s.app.verify_ledger().unwrap();
}
both_backends!(expiry_returns_unused_credit_to_the_open_programmes_budget_once);

/// A funder opens a programme choosing where unused credit goes; a startup applies and is
/// awarded 10,000.
async fn programme_choosing(backend: Backend, test: &str, unused_credit: &str) -> Setup {
    let app = TestApp::spawn(backend, test).await;
    app.create_member(OrgKind::Funder, FUNDER, "funder@agency.test");
    let provider_member = app.create_member(OrgKind::Provider, "Test GPU Cloud", "billing@gpu.test");
    crate::helpers::add_catalogue(&mut app.conn(), &provider_member);
    let mut funder = app.login("funder@agency.test").await;
    funder.refresh_csrf("/programmes/new").await;
    assert!(funder.get("/programmes/new").await.body.contains("name=\"unused_credit\""));
    let (opens, closes) = (today().to_string(), (today() + chrono::Duration::days(30)).to_string());
    let fields = [("name", "Lapse Call"), ("description", "Credits that lapse."), ("currency", "EUR"), ("budget", "100000"), ("max_award", "60000"), ("opens_on", opens.as_str()), ("closes_on", closes.as_str())];
    // An unknown choice is refused with the field named.
    let mut bad = fields.to_vec();
    bad.push(("unused_credit", "to-the-funder"));
    let r = funder.post("/programmes", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose where unused credit goes."), "{}", r.body);
    let mut good = fields.to_vec();
    good.push(("unused_credit", unused_credit));
    let r = funder.post("/programmes", &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let programme_id: ProgrammeId = id_from(&r.location);
    let stored: String = programmes::table.find(programme_id).select(programmes::unused_credit).first(&mut app.conn()).unwrap();
    assert_eq!(stored, unused_credit);
    let shown = funder.get(&format!("/programmes/{programme_id}")).await.body;
    let label = if unused_credit == "expired" { "always lapsed" } else { "back to the programme&#39;s budget" };
    assert!(shown.contains("id=\"unused-credit\">") && shown.contains(label), "{shown}");
    let mut startup = app.sign_up_startup("Lumen Test Labs", "founder@lumen.test").await;
    startup.refresh_csrf(&format!("/programmes/{programme_id}/apply")).await;
    let provider_id = provider_member.org_id().to_string();
    let r = startup
        .post(&format!("/programmes/{programme_id}/apply"), &[("requested", "50000"), ("purpose", "Training a multilingual language model for public services."), ("hardware", "GPU"), ("provider_id", &provider_id)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let application_id: ApplicationId = id_from(&r.location);
    let provider = app.login("billing@gpu.test").await;
    let mut s = Setup { app, funder, startup, provider, provider_id: provider_member.org_id(), programme_id, application_id };
    approve(&mut s, "10000").await;
    s
}

async fn the_command_expires_as_of_a_day_into_the_expired_account(backend: Backend) {
    let s = programme_choosing(backend, "the_command_expires_as_of_a_day_into_the_expired_account", "expired").await;
    let (id, code) = the_grant(&s);
    let until: chrono::NaiveDate = grants::table.find(id).select(grants::valid_until).first(&mut s.app.conn()).unwrap();
    let url = s.app.db.url.clone();

    // A day that is not one: exit 2, said plainly, nothing done.
    let bad = cli(&url, &["grants", "expire", "--as-of", "next tuesday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("“next tuesday” is not a date: use YYYY-MM-DD"), "{}", String::from_utf8_lossy(&bad.stderr));
    // As of the last valid day: nothing to expire.
    let early = cli(&url, &["grants", "expire", "--as-of", &until.to_string()]);
    assert!(early.status.success(), "{}", String::from_utf8_lossy(&early.stderr));
    assert!(String::from_utf8_lossy(&early.stdout).contains("0 grants expired and 0 swept as of"), "{}", String::from_utf8_lossy(&early.stdout));
    assert_eq!(status(&s, id), "active");

    // The day after: the programme says its unused credit always lapses.
    let after = (until + chrono::Duration::days(1)).to_string();
    let out = cli(&url, &["grants", "expire", "--as-of", &after]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("expired {code}: €10,000.00 clawed back to the programme's expired account")), "{stdout}");
    assert!(stdout.contains("1 grant expired and 0 swept as of"), "{stdout}");
    assert_eq!(account(&s, &format!("programme:{}:expired", s.programme_id)), (0, 1_000_000, 0));
    assert_eq!(account(&s, &format!("programme:{}:available", s.programme_id)), (1_000_000, 10_000_000, 0), "the budget does not get it back");
    let effective: chrono::NaiveDate = ledger_entries::table.filter(ledger_entries::idempotency_key.eq(format!("expire:{code}"))).select(ledger_entries::effective_on).first(&mut s.app.conn()).unwrap();
    assert_eq!(effective, until + chrono::Duration::days(1), "dated the first day the grant was no longer valid");

    // Running it again posts nothing; the ledger verifies from the command line too.
    let before = entries(&s);
    let again = cli(&url, &["grants", "expire", "--as-of", &after]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 grants expired"), "{}", String::from_utf8_lossy(&again.stdout));
    assert_eq!(entries(&s), before);
    let verify = cli(&url, &["verify"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}
both_backends!(the_command_expires_as_of_a_day_into_the_expired_account);

async fn usage_held_at_expiry_is_paid_or_swept_and_nothing_is_stranded(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "usage_held_at_expiry_is_paid_or_swept_and_nothing_is_stranded").await;
    // A second file, 10.00 more, held too.
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("december.csv", &usage_csv(&code, &["10.00"]).replace("T00:", "T07:")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second = r.location.unwrap();
    s.provider.refresh_csrf(&second).await;
    assert_eq!(s.provider.post(&format!("{second}/confirm"), &[]).await.status, 303);
    let (id, _) = the_grant(&s);
    let credits = format!("grant:{code}:credits");
    assert_eq!(account(&s, &credits), (0, 1_000_000, 13_050));

    // The grant ends with 130.50 held: only its free 9,869.50 is clawed back.
    end_validity_yesterday(&s, id);
    let run = grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap();
    assert_eq!(run.expired.len(), 1);
    assert_eq!(run.expired[0].amount, Amount::from_cents(986_950));
    assert_eq!(account(&s, &credits), (986_950, 1_000_000, 13_050), "the holds stay for the funder's decision");

    // The first invoice is approved: the provider is paid from its hold, nothing comes back.
    let r = s.provider.upload_invoice(&upload, "INV-E1.xml", &ubl_invoice("INV-E1", SELLER, FUNDER, &[(code.as_str(), "120.50")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let first_invoice = r.location.unwrap();
    s.funder.refresh_csrf(&first_invoice).await;
    assert_eq!(s.funder.post(&format!("{first_invoice}/approve"), &[]).await.status, 303);
    assert_eq!(account(&s, &credits), (999_000, 1_000_000, 1_000));
    let run = grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap();
    assert!(run.is_empty(), "nothing came back: {run:?}");

    // The second is disputed: its 10.00 come back to the ended grant, and the next run sweeps them.
    let r = s.provider.upload_invoice(&second, "INV-E2.xml", &ubl_invoice("INV-E2", SELLER, FUNDER, &[(code.as_str(), "10.00")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second_invoice = r.location.unwrap();
    s.funder.refresh_csrf(&second_invoice).await;
    assert_eq!(s.funder.post(&format!("{second_invoice}/dispute"), &[("reason", "Not our project's hours.")]).await.status, 303);
    assert_eq!(account(&s, &credits), (999_000, 1_000_000, 0), "10.00 free again on an expired grant");
    let run = grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap();
    assert_eq!(run.swept, vec![grant_expiry::Clawback { code: code.clone(), amount: Amount::from_cents(1_000), currency: "EUR".into(), destination: Destination::Budget }]);
    assert_eq!(account(&s, &credits), (1_000_000, 1_000_000, 0), "nothing stranded on the grant");
    let keys = keyed(&s, &format!("clawback:{code}:"));
    assert_eq!(keys.len(), 1, "{keys:?}");
    // Swept once: running again finds nothing.
    let before = entries(&s);
    assert!(grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap().is_empty());
    assert_eq!(entries(&s), before);
    // Every cent accounted for: 10,000 awarded = 120.50 paid + 9,869.50 + 10.00 clawed back.
    let available = format!("programme:{}:available", s.programme_id);
    assert_eq!(account(&s, &available), (1_000_000, 10_000_000 + 986_950 + 1_000, 0));
    assert_eq!(account(&s, &format!("provider:{}:payable:EUR", s.provider_id)).1, 12_050);
    let page = s.startup.get(&format!("/grants/{id}")).await.body;
    assert!(page.contains("<dd id=\"spent\">€120.50</dd>") && page.contains("<dd id=\"clawed-back\">€9,879.50</dd>"), "{page}");
    s.app.verify_ledger().unwrap();
}
both_backends!(usage_held_at_expiry_is_paid_or_swept_and_nothing_is_stranded);

async fn the_funder_extends_and_revokes_with_reasons_the_startup_reads(backend: Backend) {
    let mut s = programme_with_application(backend, "the_funder_extends_and_revokes_with_reasons_the_startup_reads").await;
    let code = approve(&mut s, "10000").await;
    let (id, _) = the_grant(&s);
    let page = format!("/grants/{id}");
    let until: chrono::NaiveDate = grants::table.find(id).select(grants::valid_until).first(&mut s.app.conn()).unwrap();
    // The startup sees no forms; the funder does.
    assert!(!s.startup.get(&page).await.body.contains("/extend"));
    s.funder.refresh_csrf(&page).await;
    let funder_page = s.funder.get(&page).await.body;
    assert!(funder_page.contains(&format!("action=\"/grants/{id}/extend\"")) && funder_page.contains(&format!("action=\"/grants/{id}/revoke\"")), "{funder_page}");

    let later = until + chrono::Duration::days(90);
    let r = s.funder.post(&format!("{page}/extend"), &[("valid_until", &later.to_string()), ("extend_reason", "The cluster was late by three months.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(grants::table.find(id).select(grants::valid_until).first::<chrono::NaiveDate>(&mut s.app.conn()).unwrap(), later);
    let startup_page = s.startup.get(&page).await.body;
    assert!(startup_page.contains("The cluster was late by three months.") && startup_page.contains("extended to"), "{startup_page}");
    // The startup reads it in French as well.
    let mut fr = s.app.login("founder@lumen.test").await;
    fr.refresh_csrf(&page).await;
    assert_eq!(fr.post("/language", &[("lang", "fr")]).await.status, 303);
    let fr_page = fr.get(&page).await.body;
    assert!(fr_page.contains("prolongée jusqu&#39;au"), "French page: {fr_page}");
    assert_eq!(fr.post("/language", &[("lang", "en")]).await.status, 303);

    // A file checked while the grant is active, not yet submitted.
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("pending.csv", &usage_csv(&code, &["10.00"])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let pending_upload = r.location.unwrap();
    // Revoking asks first, changing nothing.
    let before = entries(&s);
    let reason = "The startup closed its AI team.";
    let r = s.funder.post(&format!("{page}/revoke"), &[("revoke_reason", reason)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Revoking cannot be undone") && r.body.contains("€10,000.00") && r.body.contains("name=\"confirm\" value=\"yes\""), "{}", r.body);
    assert_eq!((status(&s, id), entries(&s)), ("active".to_string(), before));
    // Confirmed: revoked, the unused credit back to the open programme's budget, in one entry.
    let r = s.funder.post(&format!("{page}/revoke"), &[("revoke_reason", reason), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s, id), "revoked");
    assert_eq!(entries(&s), before + 1);
    assert_eq!(keyed(&s, "revoke:"), vec![format!("revoke:{code}")]);
    assert_eq!(account(&s, &format!("programme:{}:available", s.programme_id)), (1_000_000, 11_000_000, 0));
    let startup_page = s.startup.get(&page).await.body;
    assert!(startup_page.contains(reason) && startup_page.contains("<span class=\"status revoked\">revoked</span>"), "{startup_page}");
    // Recorded in the audit log, with the funder and the reason.
    let audited: Vec<(String, Option<String>)> = audit_events::table
        .filter(audit_events::action.like("grant-%"))
        .order(audit_events::id)
        .select((audit_events::action, audit_events::detail))
        .load(&mut s.app.conn())
        .unwrap();
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert_eq!(audited[0].0, "grant-extended");
    assert_eq!(audited[1], ("grant-revoked".to_string(), Some(reason.to_string())));

    // Revoked is final: no second revocation, no extension, no more usage.
    assert!(!s.funder.get(&page).await.body.contains(&format!("action=\"/grants/{id}/revoke\"")), "no forms on an ended grant");
    let r = s.funder.post(&format!("{page}/revoke"), &[("revoke_reason", reason)]).await;
    assert_eq!(r.status, 409, "not even the confirmation page: {}", r.body);
    assert!(r.body.contains("is revoked already"), "{}", r.body);
    let r = s.funder.post(&format!("{page}/revoke"), &[("revoke_reason", reason), ("confirm", "yes")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = s.funder.post(&format!("{page}/extend"), &[("valid_until", &(later + chrono::Duration::days(1)).to_string()), ("extend_reason", "Try again.")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(entries(&s), before + 1);
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("after.csv", &usage_csv(&code, &["10.00"])).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("revoked"), "{}", r.body);
    // The file checked before the revocation cannot be submitted after it.
    s.provider.refresh_csrf(&pending_upload).await;
    let r = s.provider.post(&format!("{pending_upload}/confirm"), &[]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains(&format!("Grant {code} has been revoked since this file was checked")), "{}", r.body);
    assert_eq!(entries(&s), before + 1, "no hold placed");
    // Nothing left to sweep.
    assert!(grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap().is_empty());
    // The startup was told of both, with the funder's reasons, in its list and by mail.
    let told = s.startup.get("/notifications").await.body;
    assert!(told.contains(&format!("Grant {code} now ends on")) && told.contains("The cluster was late by three months."), "{told}");
    assert!(told.contains(&format!("Grant {code} was revoked; €10,000.00 of unused credit went back to the funder.")), "{told}");
    let mail = s.app.mail.wait_for(&format!("Grant {code} was revoked")).await;
    assert!(mail.contains("Subject: A change to your grant") && mail.contains(reason), "{mail}");
}
both_backends!(the_funder_extends_and_revokes_with_reasons_the_startup_reads);

async fn only_the_programmes_funder_changes_a_grant_and_bad_input_changes_nothing(backend: Backend) {
    let mut s = programme_with_application(backend, "only_the_programmes_funder_changes_a_grant_and_bad_input_changes_nothing").await;
    approve(&mut s, "10000").await;
    let (id, _) = the_grant(&s);
    let page = format!("/grants/{id}");
    let until: chrono::NaiveDate = grants::table.find(id).select(grants::valid_until).first(&mut s.app.conn()).unwrap();
    let later = (until + chrono::Duration::days(30)).to_string();
    let unchanged = |s: &Setup| {
        let (status, valid_until): (String, chrono::NaiveDate) = grants::table.find(id).select((grants::status, grants::valid_until)).first(&mut s.app.conn()).unwrap();
        let changes: i64 = grant_changes::table.count().get_result(&mut s.app.conn()).unwrap();
        assert_eq!((status.as_str(), valid_until, changes), ("active", until, 0));
    };
    let before = entries(&s);

    // The startup: the policy refuses before any form is read.
    s.startup.refresh_csrf(&page).await;
    assert_eq!(s.startup.post(&format!("{page}/extend"), &[("valid_until", &later), ("extend_reason", "We would like more time.")]).await.status, 404);
    assert_eq!(s.startup.post(&format!("{page}/revoke"), &[("revoke_reason", "No."), ("confirm", "yes")]).await.status, 404);
    // The provider, and another funder: not found.
    s.provider.refresh_csrf("/").await;
    assert_eq!(s.provider.post(&format!("{page}/revoke"), &[("revoke_reason", "No."), ("confirm", "yes")]).await.status, 404);
    s.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let mut other = s.app.login("other@agency.test").await;
    other.refresh_csrf("/").await;
    assert_eq!(other.post(&format!("{page}/extend"), &[("valid_until", &later), ("extend_reason", "Not my programme.")]).await.status, 404);
    assert_eq!(other.post(&format!("{page}/revoke"), &[("revoke_reason", "Not my programme.")]).await.status, 404, "not even the confirmation page");
    assert_eq!(other.post(&format!("{page}/revoke"), &[("revoke_reason", "Not my programme."), ("confirm", "yes")]).await.status, 404);
    unchanged(&s);

    // The funder's mistakes: a day not later, no reason, no date, no reason to revoke.
    s.funder.refresh_csrf(&page).await;
    let r = s.funder.post(&format!("{page}/extend"), &[("valid_until", &until.to_string()), ("extend_reason", "Same day.")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose a day after") && r.body.contains("aria-invalid=\"true\" aria-describedby=\"valid_until-error\""), "{}", r.body);
    let r = s.funder.post(&format!("{page}/extend"), &[("valid_until", &later), ("extend_reason", "   ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Give a reason: the startup reads it.") && r.body.contains("extend_reason-error"), "{}", r.body);
    let r = s.funder.post(&format!("{page}/extend"), &[("valid_until", "soon"), ("extend_reason", "Because.")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Enter a date as YYYY-MM-DD."), "{}", r.body);
    let r = s.funder.post(&format!("{page}/revoke"), &[("revoke_reason", ""), ("confirm", "yes")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("revoke_reason-error"), "{}", r.body);
    // Without the form's token: refused.
    let r = s.funder.post_raw(&format!("{page}/revoke"), &[("revoke_reason", "Forged."), ("confirm", "yes")]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    unchanged(&s);
    assert_eq!(entries(&s), before);
}
both_backends!(only_the_programmes_funder_changes_a_grant_and_bad_input_changes_nothing);

/// A second server over the same database, in this process; its maintenance thread starts with
/// an expiry run.
fn second_server(url: &str) -> computegrants::startup::SpawnedServer {
    use computegrants::config::{MailSettings, Settings};
    let dead_smtp = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = Settings {
        database_url: url.to_string(),
        bind: "127.0.0.1:0".into(),
        public_url: None,
        secure_cookies: false,
        mail: MailSettings { smtp_url: Some(format!("smtp://127.0.0.1:{dead_smtp}")), outbox: tempfile::tempdir().unwrap().keep(), from: "ComputeGrants <noreply@test.local>".into() },
        pool_size: Some(2),
        trust_forwarded_for: false,
        api_requests_per_minute: computegrants::config::DEFAULT_API_REQUESTS_PER_MINUTE,
        transparency_threshold: computegrants::config::DEFAULT_TRANSPARENCY_THRESHOLD,
        de_minimis: Default::default(),
        usage: computegrants::config::UsageSettings::new(tempfile::tempdir().unwrap().keep()),
    };
    computegrants::Application::spawn(settings).expect("application starts")
}

async fn the_scheduler_expires_at_start_and_racing_runs_post_once(backend: Backend) {
    let mut s = programme_with_application(backend, "the_scheduler_expires_at_start_and_racing_runs_post_once").await;
    let first = approve(&mut s, "10000").await;
    let (id, _) = the_grant(&s);
    end_validity_yesterday(&s, id);

    // A server starting over the database expires the grant on its own, as `system`.
    let _second = second_server(&s.app.db.url);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status(&s, id) != "expired" {
        assert!(std::time::Instant::now() < deadline, "the scheduler did not expire {first}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let actor: String = audit_events::table.filter(audit_events::action.eq("grant-expired")).select(audit_events::actor).first(&mut s.app.conn()).unwrap();
    assert_eq!(actor, "system");
    assert_eq!(keyed(&s, &format!("expire:{first}")).len(), 1);

    // A second grant for the same startup, ended too; two runs race for it.
    s.startup.refresh_csrf(&format!("/programmes/{}/apply", s.programme_id)).await;
    let provider_id = s.provider_id.to_string();
    let r = s
        .startup
        .post(&format!("/programmes/{}/apply", s.programme_id), &[("requested", "5000"), ("purpose", "Fine-tuning the model for the health service."), ("hardware", "GPU"), ("provider_id", &provider_id)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    s.application_id = id_from(&r.location);
    approve(&mut s, "5000").await;
    let (second, code) = the_grant(&s);
    assert_ne!(second, id);
    end_validity_yesterday(&s, second);
    let before = entries(&s);
    let runs: Vec<grant_expiry::ExpiryRun> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2).map(|_| scope.spawn(|| grant_expiry::expire_due(&mut s.app.conn(), today(), "test").unwrap())).collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let expired: Vec<&grant_expiry::Clawback> = runs.iter().flat_map(|r| &r.expired).collect();
    assert_eq!(expired.len(), 1, "one of the two expired it: {runs:?}");
    assert!(runs.iter().all(|r| r.failed.is_empty()), "{runs:?}");
    assert_eq!(expired[0].amount, Amount::from_cents(500_000));
    assert_eq!(entries(&s), before + 1);
    assert_eq!(keyed(&s, &format!("expire:{code}")).len(), 1);
    let changes: i64 = grant_changes::table.filter(grant_changes::grant_id.eq(second)).count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(changes, 1);
    s.app.verify_ledger().unwrap();
}
both_backends!(the_scheduler_expires_at_start_and_racing_runs_post_once);

async fn the_json_api_opens_a_programme_whose_unused_credit_lapses(backend: Backend) {
    use crate::json_api::{Api, token};
    use computegrants::domain::api_tokens::Scope;
    let app = TestApp::spawn(backend, "the_json_api_opens_a_programme_whose_unused_credit_lapses").await;
    app.create_member(OrgKind::Funder, FUNDER, "funder@agency.test");
    let secret = token(&mut app.conn(), FUNDER, "grant tool", &[Scope::ProgrammesWrite]);
    let api = Api { base: app.address.clone(), http: reqwest::Client::new() };
    let (opens, closes) = (today().to_string(), (today() + chrono::Duration::days(30)).to_string());
    let call = |unused: &str| serde_json::json!({"name": "API Call", "description": "Credits.", "currency": "EUR", "budget": "1000.00", "max_award": "500.00", "opens_on": opens, "closes_on": closes, "unused_credit": unused});
    let send = |v: serde_json::Value| api.send(reqwest::Method::POST, "/programmes", Some(&secret), Some(serde_json::to_vec(&v).unwrap()), &[("Content-Type", "application/json")]);
    let (status, _, problem) = send(call("to-the-funder")).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("unused_credit"), "{problem}");
    let (status, _, programme) = send(call("expired")).await;
    assert_eq!(status, 201, "{programme}");
    let id = ProgrammeId::new(programme["id"].as_i64().unwrap());
    let stored: String = programmes::table.find(id).select(programmes::unused_credit).first(&mut app.conn()).unwrap();
    assert_eq!(stored, "expired");
}
both_backends!(the_json_api_opens_a_programme_whose_unused_credit_lapses);

//! The journey in a real headless Chromium through chromedriver: enabled by
//! COMPUTEGRANTS_TEST_BROWSER=1 (needs Debian's chromium and chromium-driver).

use crate::browser_kit::{audit, axe_source, browser, fill, norm, path, select, shot, sign_in, sign_out, start_driver, submit, text};
use crate::helpers::{Backend, TestApp, usage_csv};
use computegrants::domain::identity::OrgKind;
use computegrants::ledger;
use fantoccini::{Client, Locator};
use std::time::Duration;

/// What the journey expects to read, per language.
struct Words {
    lang: &'static str,
    empty_amount: &'static str,
    submitted: &'static str,
    approved: &'static str,
    offered: &'static str,
    refused: &'static str,
    refused_where: &'static str,
    charged: &'static str,
    /// Spent on the grant: what was charged less the provider's credit note.
    spent: &'static str,
    pending: &'static str,
    held: &'static str,
    approved_invoice: &'static str,
    balance: &'static str,
    award: &'static str,
    usage: &'static str,
    budget: &'static str,
    requested: &'static str,
    credit_note: &'static str,
    disputed_invoice: &'static str,
}

const ENGLISH: Words = Words {
    lang: "en",
    empty_amount: "Enter an amount",
    submitted: "submitted",
    approved: "approved",
    offered: "offered",
    refused: "was not accepted",
    refused_where: "line 2, column 6 (BilledCost)",
    charged: "€1,500.00",
    spent: "€1,399.89",
    pending: "pending",
    held: "held on the grants until the funder approves",
    approved_invoice: "approved",
    // 25,000 awarded − 1,500.00 approved + 100.11 credited back by the provider's credit note.
    balance: "€23,600.11",
    award: "award",
    usage: "usage",
    budget: "200,000",
    requested: "30000",
    credit_note: "Credit note from the provider",
    disputed_invoice: "disputed",
};

const FRENCH: Words = Words {
    lang: "fr",
    empty_amount: "Saisissez un montant",
    submitted: "déposée",
    approved: "retenue",
    offered: "offerte",
    refused: "n'a pas été accepté",
    refused_where: "BilledCost",
    charged: "1\u{202f}500,00\u{a0}€",
    spent: "1\u{202f}399,89\u{a0}€",
    pending: "en attente",
    held: "bloqués sur les aides jusqu'à ce que le financeur approuve",
    approved_invoice: "approuvée",
    balance: "23\u{202f}600,11\u{a0}€",
    award: "attribution",
    usage: "usage",
    budget: "200 000",
    requested: "30 000,00",
    credit_note: "Avoir du fournisseur",
    disputed_invoice: "contestée",
};

/// True when the page is wider than the window: it would scroll sideways.
async fn scrolls_sideways(c: &Client) -> bool {
    c.execute("return document.documentElement.scrollWidth > window.innerWidth + 1;", vec![]).await.unwrap().as_bool().unwrap_or(true)
}

/// On a 390 px wide phone, no page scrolls sideways (tables scroll inside their own box) and
/// codes such as G-2026-0006 never wrap.
async fn check_narrow_screen(c: &Client, base: &str, pages: &[String]) {
    c.set_window_size(390, 844).await.unwrap();
    for page in pages {
        c.goto(&format!("{base}{page}")).await.unwrap();
        assert!(!scrolls_sideways(c).await, "{page} scrolls sideways at 390 px");
        let wrapping = c
            .execute("return [...document.querySelectorAll('code, .code')].filter(e => getComputedStyle(e).whiteSpace !== 'nowrap').length;", vec![])
            .await
            .unwrap();
        assert_eq!(wrapping.as_i64(), Some(0), "{page}: a code may wrap");
    }
    shot(c, "5-phone-statement").await;
    c.set_window_size(1280, 1000).await.unwrap();
}

/// Chooses the page language with the switcher, as a person would (no JavaScript involved).
async fn choose_language(c: &Client, base: &str, lang: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    let current = c.execute("return document.documentElement.lang;", vec![]).await.unwrap();
    if current.as_str() != Some(lang) {
        submit(c, "/language").await;
    }
    let now = c.execute("return document.documentElement.lang;", vec![]).await.unwrap();
    assert_eq!(now.as_str(), Some(lang), "the switcher changed the language");
}

#[actix_web::test]
#[cfg_attr(computegrants_no_browser, ignore = "needs Chromium: set COMPUTEGRANTS_TEST_BROWSER=1 (CI does)")]
async fn journey_in_a_real_browser() {
    let app = TestApp::spawn(Backend::Sqlite, "journey_in_a_real_browser").await;
    let axe = axe_source();
    let driver = start_driver().await;
    let c = browser(&driver).await;
    for words in [&ENGLISH, &FRENCH] {
        journey(&app, &c, &axe, words).await;
    }
    c.close().await.unwrap();
    ledger::verify(&mut app.conn()).expect("ledger verifies");
}

async fn journey(app: &TestApp, c: &Client, axe: &Option<String>, w: &Words) {
    let lang = w.lang;
    let funder_email = format!("funder-{lang}@browser.test");
    let provider_email = format!("billing-{lang}@browser.test");
    let startup_email = format!("ada-{lang}@browser-startup.test");
    app.create_member(OrgKind::Funder, &format!("Browser Agency {lang}"), &funder_email);
    let provider = app.create_member(OrgKind::Provider, &format!("Browser Cloud {lang}"), &provider_email);
    crate::helpers::add_catalogue(&mut app.conn(), &provider);
    let base = app.address.clone();
    let base = base.as_str();
    choose_language(c, base, lang).await;

    // Funder opens a programme.
    sign_in(c, base, &funder_email).await;
    c.goto(&format!("{base}/programmes/new")).await.unwrap();
    fill(c, "#name", &format!("Browser Compute Call {lang}")).await;
    fill(c, "#description", "GPU credits for startups, tested in a browser.").await;
    fill(c, "#budget", "").await;
    submit(c, "/programmes").await;
    assert!(text(c).await.contains(w.empty_amount), "an empty budget is refused next to its field");
    shot(c, &format!("1-programme-form-error-{lang}")).await;
    audit(c, axe, "the programme form with errors").await;
    assert_eq!(c.find(Locator::Css("#name")).await.unwrap().prop("value").await.unwrap(), Some(format!("Browser Compute Call {lang}")), "input kept");
    fill(c, "#budget", w.budget).await;
    fill(c, "#max_award", "50000").await;
    submit(c, "/programmes").await;
    let programme_path = path(c).await;
    assert!(programme_path.starts_with("/programmes/"), "{programme_path}");
    // The funder invites a reviewer to the organisation.
    let reviewer_email = format!("reviewer-{lang}@browser.test");
    c.goto(&format!("{base}/organisation")).await.unwrap();
    audit(c, axe, "the organisation page").await;
    fill(c, "#email", &reviewer_email).await;
    select(c, "#invite-role", "reviewer").await;
    submit(c, "/organisation/invitations").await;
    assert!(text(c).await.contains(&reviewer_email), "the pending invitation is listed");
    sign_out(c).await;
    reviewer_joins_with_a_second_factor(app, c, axe, &reviewer_email, &programme_path).await;

    // A startup signs up, registers its company and applies.
    c.goto(&format!("{base}/signup")).await.unwrap();
    audit(c, axe, "the sign-up form").await;
    fill(c, "#company_name", &format!("Browser Startup {lang}")).await;
    fill(c, "#display_name", "Ada").await;
    fill(c, "#email", &startup_email).await;
    fill(c, "#password", crate::helpers::PASSWORD).await;
    submit(c, "/signup").await;
    assert_eq!(path(c).await, "/signup/sent");
    audit(c, axe, "the check-your-inbox page").await;
    // The person opens the link of the mail that arrived over SMTP.
    let link = app.mail.verification_link(&startup_email).await;
    c.goto(&format!("{base}{link}")).await.unwrap();
    audit(c, axe, "the confirm-your-address page").await;
    submit(c, "/verify").await;
    assert_eq!(path(c).await, "/company");
    audit(c, axe, "the company form").await;
    fill(c, "#legal_name", "Browser Startup SAS").await;
    select(c, "#country", "FR").await;
    fill(c, "#registration_number", "552 100 554").await;
    submit(c, "/company").await;
    c.goto(&format!("{base}{programme_path}/apply")).await.unwrap();
    audit(c, axe, "the application form").await;
    fill(c, "#requested", w.requested).await;
    fill(c, "#purpose", "Training speech models for regional languages.").await;
    select(c, "#hardware", "GPU").await;
    select(c, "#provider_id", &provider.org_id().to_string()).await;
    submit(c, &format!("{programme_path}/apply")).await;
    let application_path = path(c).await;
    assert!(text(c).await.contains(w.submitted));
    sign_out(c).await;

    // The funder approves 25,000: the decision is not pre-set, the funder chooses it.
    sign_in(c, base, &funder_email).await;
    c.goto(&format!("{base}{application_path}")).await.unwrap();
    c.find(Locator::Css("input[name='decision'][value='approve']")).await.unwrap().click().await.unwrap();
    fill(c, "#amount", "25000").await;
    submit(c, &format!("{application_path}/decide")).await;
    let page = text(c).await;
    assert!(page.contains(w.offered), "{page}");
    shot(c, &format!("2-application-offered-{lang}")).await;
    audit(c, axe, "the decided application").await;
    sign_out(c).await;

    // The startup accepts the offer, confirming its de minimis declaration.
    sign_in(c, base, &startup_email).await;
    c.goto(&format!("{base}{application_path}")).await.unwrap();
    audit(c, axe, "the offer to accept").await;
    c.find(Locator::Css("#declaration")).await.unwrap().click().await.unwrap();
    submit(c, &format!("{application_path}/accept")).await;
    let page = text(c).await;
    assert!(page.contains(w.approved), "{page}");
    shot(c, &format!("2-application-approved-{lang}")).await;
    audit(c, axe, "the accepted offer").await;
    let code = page.split_whitespace().find(|w| w.starts_with("G-")).expect("grant code shown").to_string();
    sign_out(c).await;

    // The provider uploads a FOCUS file through the file input and confirms.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    std::fs::write(&file, usage_csv(&code, &["1200.50", "299.495"])).unwrap();
    sign_in(c, base, &provider_email).await;
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, usage_csv(&code, &["12.5x", "99999"]).replace(",EUR,", ",EURO,")).unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&bad.display().to_string()).await.unwrap();
    submit(c, "/usage").await;
    let refused = text(c).await;
    assert!(refused.contains(w.refused) && refused.contains(w.refused_where), "{refused}");
    shot(c, &format!("3-usage-refused-{lang}")).await;
    audit(c, axe, "the refused upload").await;
    // A large file goes to the background job: its page refreshes itself until the job is
    // done, then lists the problems with a CSV download.
    let large = dir.path().join("large.csv");
    std::fs::write(&large, usage_csv("NOT-A-GRANT", &["1.00"; 20]).repeat(40)).unwrap();
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&large.display().to_string()).await.unwrap();
    submit(c, "/usage").await;
    assert!(path(c).await.starts_with("/usage/jobs/"), "{}", path(c).await);
    let mut finished = false;
    for _ in 0..100 {
        if c.find(Locator::Css("#problems-csv")).await.is_ok() {
            finished = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(finished, "the job page showed the outcome by itself: {}", text(c).await);
    shot(c, &format!("3-usage-job-refused-{lang}")).await;
    audit(c, axe, "a background job's outcome").await;
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    submit(c, "/usage").await;
    let preview = text(c).await;
    assert!(norm(&preview).contains(&norm(w.charged)) && preview.contains(w.pending), "{preview}");
    shot(c, &format!("3-usage-preview-{lang}")).await;
    audit(c, axe, "the usage preview").await;
    let upload_path = path(c).await;
    submit(c, &format!("{upload_path}/confirm")).await;
    assert!(text(c).await.contains(w.held), "{}", text(c).await);
    // The provider invoices the funder (UBL) for the held usage, through the file input.
    let invoice = dir.path().join("invoice.xml");
    let agency = format!("Browser Agency {lang}");
    std::fs::write(&invoice, crate::helpers::ubl_invoice(&format!("BR-{lang}-1"), "Browser Cloud SAS", &agency, &[(code.as_str(), "1500.00")])).unwrap();
    c.find(Locator::Css("#invoice-file")).await.unwrap().send_keys(&invoice.display().to_string()).await.unwrap();
    submit(c, &format!("{upload_path}/invoice")).await;
    let invoice_path = path(c).await;
    assert!(invoice_path.starts_with("/invoices/"), "{invoice_path}: {}", text(c).await);
    audit(c, axe, "the provider's invoice").await;
    sign_out(c).await;

    // The funder approves it from the inbox: the held credits are spent.
    sign_in(c, base, &funder_email).await;
    c.goto(&format!("{base}/invoices")).await.unwrap();
    audit(c, axe, "the invoices inbox").await;
    c.find(Locator::Css(&format!("a[href='{invoice_path}']"))).await.unwrap().click().await.unwrap();
    audit(c, axe, "an invoice awaiting approval").await;
    submit(c, &format!("{invoice_path}/approve")).await;
    let status = c.find(Locator::Css("#invoice-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, w.approved_invoice);
    shot(c, &format!("3-invoice-approved-{lang}")).await;
    sign_out(c).await;

    // The provider answers the approved invoice with a credit note of 100.11: the published
    // EN 16931 UBL example (CEN TC 434), addressed to this funder, grant and invoice.
    sign_in(c, base, &provider_email).await;
    c.goto(&format!("{base}{invoice_path}")).await.unwrap();
    audit(c, axe, "an approved invoice, as its provider").await;
    let preceding = format!("BR-{lang}-1");
    // Without the shared fixtures, the same credit note built from the test invoice.
    let xml = if cfg!(computegrants_no_fixtures) {
        crate::credit_notes::ubl_credit_note("018304 / 28865", &agency, &preceding, &[(code.as_str(), "100.11")])
    } else {
        crate::credit_notes::fixture_credit_note(&agency, &code, &preceding)
    };
    let note = dir.path().join("credit-note.xml");
    std::fs::write(&note, xml).unwrap();
    c.find(Locator::Css("#credit-note-file")).await.unwrap().send_keys(&note.display().to_string()).await.unwrap();
    submit(c, &format!("{invoice_path}/credit-notes")).await;
    assert_eq!(path(c).await, invoice_path, "{}", text(c).await);
    let listed = c.find(Locator::Css("#credit-notes")).await.unwrap().text().await.unwrap();
    assert!(listed.contains("018304"), "{listed}");
    shot(c, &format!("3-credit-note-{lang}")).await;
    audit(c, axe, "the invoice with its credit note").await;

    // The provider adds an offering to its catalogue.
    c.goto(&format!("{base}/catalogue")).await.unwrap();
    let sku = format!("BR-L40S-{lang}");
    fill(c, "#sku_id", &sku).await;
    fill(c, "#service_name", "GPU inference").await;
    fill(c, "#name", "NVIDIA L40S").await;
    fill(c, "#region", "fr-par-1").await;
    select(c, "#country", "FR").await;
    fill(c, "#unit", "GPU-hour").await;
    fill(c, "#price", "1.10").await;
    submit(c, "/catalogue").await;
    assert!(text(c).await.contains(&sku), "{}", text(c).await);
    audit(c, axe, "the catalogue").await;

    // A second file is invoiced as a Factur-X PDF (CII inside), which the funder will dispute.
    c.goto(&format!("{base}/usage/new")).await.unwrap();
    let second = dir.path().join("usage-2.csv");
    std::fs::write(&second, usage_csv(&code, &["40.00"])).unwrap();
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&second.display().to_string()).await.unwrap();
    submit(c, "/usage").await;
    let second_upload = path(c).await;
    submit(c, &format!("{second_upload}/confirm")).await;
    let pdf = dir.path().join("invoice-2.pdf");
    std::fs::write(&pdf, crate::helpers::facturx_pdf(&crate::helpers::cii_invoice(&format!("BR-{lang}-2"), "Browser Cloud SAS", &agency, &[(code.as_str(), "40.00")]))).unwrap();
    c.find(Locator::Css("#invoice-file")).await.unwrap().send_keys(&pdf.display().to_string()).await.unwrap();
    submit(c, &format!("{second_upload}/invoice")).await;
    let disputed_path = path(c).await;
    assert!(disputed_path.starts_with("/invoices/") && disputed_path != invoice_path, "{disputed_path}: {}", text(c).await);
    sign_out(c).await;

    // The funder disputes the Factur-X invoice with a reason, and pays the approved one (less
    // its credit note) by SEPA credit transfer.
    sign_in(c, base, &funder_email).await;
    c.goto(&format!("{base}{disputed_path}")).await.unwrap();
    fill(c, &format!("form[action='{disputed_path}/dispute'] textarea"), "This month's usage was not agreed with the startup.").await;
    submit(c, &format!("{disputed_path}/dispute")).await;
    let status = c.find(Locator::Css("#invoice-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, w.disputed_invoice);
    audit(c, axe, "a disputed invoice").await;
    c.goto(&format!("{base}/invoices")).await.unwrap();
    let approved_id = invoice_path.rsplit('/').next().unwrap();
    c.find(Locator::Css(&format!("#pay-{approved_id}"))).await.unwrap().click().await.unwrap();
    fill(c, "#reference", &format!("BR-PAY-{lang}")).await;
    fill(c, "#debtor_iban", "FR76 3000 6000 0112 3456 7890 189").await;
    fill(c, "#debtor_bic", "AGRIFRPP").await;
    submit(c, "/settlements").await;
    let settlement_path = path(c).await;
    assert!(settlement_path.starts_with("/settlements/"), "{settlement_path}: {}", text(c).await);
    let paid = c.find(Locator::Css("#settled-invoices")).await.unwrap().text().await.unwrap();
    assert!(paid.contains(&format!("BR-{lang}-1")), "{paid}");
    let pain = c.find(Locator::Css(&format!("a[href='{settlement_path}/pain.001.xml']"))).await.unwrap().attr("href").await.unwrap().unwrap();
    let stranger = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let xml = stranger.get(format!("{base}{pain}")).send().await.unwrap();
    assert_eq!(xml.status().as_u16(), 303, "the payment file is the funder's alone: a stranger is sent to sign in");
    shot(c, &format!("3-settlement-{lang}")).await;
    audit(c, axe, "the settlement").await;
    // The programme report's spending charts, and the sovereignty reports (charts included).
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    assert!(c.find(Locator::Css("svg.chart[role='img'] title")).await.is_ok(), "the programme report draws its spending");
    audit(c, axe, "the programme report with its charts").await;
    c.goto(&format!("{base}{programme_path}/sovereignty")).await.unwrap();
    audit(c, axe, "the programme's sovereignty report").await;
    shot(c, &format!("3-sovereignty-{lang}")).await;
    c.goto(&format!("{base}/reports/sovereignty")).await.unwrap();
    audit(c, axe, "the sovereignty report across programmes").await;
    // The grant's usage (charts, SKU table, run-out) and the funder's notifications.
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    let grant_href = c.find(Locator::Css("a.code[href^='/grants/']")).await.unwrap().attr("href").await.unwrap().unwrap();
    c.goto(&format!("{base}{grant_href}")).await.unwrap();
    assert!(c.find(Locator::Css("#run-out")).await.is_ok(), "the grant page projects its run-out");
    audit(c, axe, "the grant's usage and statement").await;
    c.goto(&format!("{base}/notifications")).await.unwrap();
    audit(c, axe, "the notifications").await;
    sign_out(c).await;
    // The public transparency page, without signing in.
    c.goto(&format!("{base}/transparency")).await.unwrap();
    assert!(c.find(Locator::Css("svg.chart")).await.is_ok(), "the public page draws the spending");
    audit(c, axe, "the public transparency page").await;

    // The startup sees its balance and statement.
    sign_in(c, base, &startup_email).await;
    c.find(Locator::LinkText(&code)).await.unwrap().click().await.unwrap();
    let grant_path = path(c).await;
    let balance = c.find(Locator::Css("#balance")).await.unwrap().text().await.unwrap();
    assert_eq!(norm(&balance), norm(w.balance));
    let spent = c.find(Locator::Css("#spent")).await.unwrap().text().await.unwrap();
    assert_eq!(norm(&spent), norm(w.spent), "the approved usage less the provider's credit note is spent");
    let statement = c.find(Locator::Css("#statement")).await.unwrap().text().await.unwrap();
    assert!(statement.contains(w.award) && statement.contains(w.usage) && statement.contains(w.credit_note), "{statement}");
    shot(c, &format!("4-startup-statement-{lang}")).await;
    audit(c, axe, "the grant statement").await;
    for page in ["/", "/applications", "/programmes", "/company", "/account"] {
        c.goto(&format!("{base}{page}")).await.unwrap();
        let html_lang = c.execute("return document.documentElement.lang;", vec![]).await.unwrap();
        assert_eq!(html_lang.as_str(), Some(lang), "{page}");
        audit(c, axe, page).await;
    }
    let pages: Vec<String> = vec!["/".into(), grant_path, application_path.clone(), "/programmes".into(), "/company".into()];
    check_narrow_screen(c, base, &pages).await;
    sign_out(c).await;
}

/// The invited reviewer opens the mailed link, joins, turns on a second factor with the key the
/// page shows (as an authenticator app would read it), and signs in again with a recovery code.
async fn reviewer_joins_with_a_second_factor(app: &TestApp, c: &Client, axe: &Option<String>, email: &str, programme_path: &str) {
    let base = app.address.as_str();
    let link = {
        let mut found = None;
        for _ in 0..100 {
            found = app.mail.messages.lock().unwrap().iter().rev().find(|m| m.contains(email) && m.contains("/invitations/accept?token=")).cloned();
            if found.is_some() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let mail = found.unwrap_or_else(|| panic!("no invitation mailed to {email}"));
        let start = mail.find("/invitations/accept?token=").unwrap();
        format!("/invitations/accept?token={}", mail[start + 26..].chars().take_while(|c| c.is_ascii_hexdigit()).collect::<String>())
    };
    c.goto(&format!("{base}{link}")).await.unwrap();
    audit(c, axe, "the invitation page").await;
    fill(c, "#display_name", "Rémi Reviewer").await;
    fill(c, "#password", crate::helpers::PASSWORD).await;
    submit(c, "/invitations/accept").await;
    assert_eq!(path(c).await, "/");
    // Set up the second factor.
    c.goto(&format!("{base}/account/two-factor")).await.unwrap();
    audit(c, axe, "the two-factor set-up page").await;
    let secret = c.find(Locator::Css("#totp-secret")).await.unwrap().text().await.unwrap();
    let code = computegrants::domain::identity::two_factor::code_at(secret.trim(), chrono::Utc::now().timestamp() as u64).unwrap();
    fill(c, "#code", &code).await;
    submit(c, "/account/two-factor").await;
    let codes: Vec<String> = {
        let list = c.find(Locator::Css("#recovery-codes")).await.unwrap().text().await.unwrap();
        list.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(codes.len(), computegrants::domain::identity::two_factor::RECOVERY_CODES);
    audit(c, axe, "the recovery codes").await;
    sign_out(c).await;
    // Signing in now asks for a code after the password; a recovery code does.
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#email", email).await;
    fill(c, "#password", crate::helpers::PASSWORD).await;
    submit(c, "/login").await;
    assert_eq!(path(c).await, "/login/code");
    audit(c, axe, "the sign-in code page").await;
    fill(c, "#code", &codes[0]).await;
    submit(c, "/login/code").await;
    assert_eq!(path(c).await, "/");
    // A reviewer reads the programme but is offered no decision or new programme.
    c.goto(&format!("{base}{programme_path}")).await.unwrap();
    assert!(c.find(Locator::Css("a[href='/programmes/new']")).await.is_err());
    sign_out(c).await;
}

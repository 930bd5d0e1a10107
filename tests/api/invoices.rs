//! Invoices against held usage: every way an invoice fails to reconcile is named and stores
//! nothing; a dispute releases the held credits and tells the provider why; only the invoice's
//! funder decides, and other organisations do not see it.

use crate::both_backends;
use crate::helpers::{Backend, ubl_invoice, usage_csv};
use crate::journey::{Setup, approve, programme_with_application};
use computegrants::db::schema::{invoices, usage_uploads};
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

/// An approved grant with a submitted upload charging it 120.50; returns (setup, code, upload path).
pub async fn held_usage(backend: Backend, test: &str) -> (Setup, String, String) {
    let mut s = programme_with_application(backend, test).await;
    let code = approve(&mut s, "10000").await;
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("november.csv", &usage_csv(&code, &["100.25", "20.25"])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let upload = r.location.unwrap();
    s.provider.refresh_csrf(&upload).await;
    assert_eq!(s.provider.post(&format!("{upload}/confirm"), &[]).await.status, 303);
    s.provider.refresh_csrf(&upload).await;
    (s, code, upload)
}

fn invoices_stored(s: &Setup) -> i64 {
    invoices::table.count().get_result(&mut s.app.conn()).unwrap()
}

async fn an_invoice_that_does_not_reconcile_is_refused_with_every_reason(backend: Backend) {
    let (s, code, upload) = held_usage(backend, "an_invoice_that_does_not_reconcile_is_refused_with_every_reason").await;
    let p = &s.provider;
    // The wrong amount for the grant, and a line naming no grant of this usage.
    let wrong = ubl_invoice("INV-1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.49"), ("G-1999-0001", "5.00")]);
    let r = p.upload_invoice(&upload, "INV-1.xml", &wrong).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("the invoice bills 120.49 net but €120.50 is held"), "{}", r.body);
    assert!(r.body.contains("does not name a grant of this usage (found “G-1999-0001”)"), "{}", r.body);
    assert!(r.body.contains("/Invoice/InvoiceLine"), "the place in the XML is named: {}", r.body);
    // Addressed to someone other than the funder.
    let stranger = ubl_invoice("INV-2", "Test GPU Cloud SAS", "Another Ministry", &[(code.as_str(), "120.50")]);
    let r = p.upload_invoice(&upload, "INV-2.xml", &stranger).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The buyer is “Another Ministry”"), "{}", r.body);
    // Not XML at all, and an empty file.
    let r = p.upload_invoice(&upload, "INV.pdf", "%PDF-1.7 not an invoice").await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = p.upload_invoice(&upload, "empty.xml", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose an invoice file"), "{}", r.body);
    // An EN 16931 rule broken: the totals do not add up (BR-CO-10 family).
    let broken = ubl_invoice("INV-3", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")])
        .replace(r#"<cbc:LineExtensionAmount currencyID="EUR">120.50</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount"#, r#"<cbc:LineExtensionAmount currencyID="EUR">999.99</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount"#);
    let r = p.upload_invoice(&upload, "INV-3.xml", &broken).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("BR-CO-10"), "{}", r.body);
    assert_eq!(invoices_stored(&s), 0, "nothing stored");

    // A clean one is accepted; the same number again is refused, and so is a second invoice
    // for the same grant.
    let clean = ubl_invoice("INV-4", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    assert_eq!(p.upload_invoice(&upload, "INV-4.xml", &clean).await.status, 303);
    let r = p.upload_invoice(&upload, "INV-4.xml", &clean).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already sent an invoice numbered INV-4"), "{}", r.body);
    let second = ubl_invoice("INV-5", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let r = p.upload_invoice(&upload, "INV-5.xml", &second).await;
    assert!(r.body.contains("is already invoiced"), "{}", r.body);
    assert_eq!(invoices_stored(&s), 1);
}
both_backends!(an_invoice_that_does_not_reconcile_is_refused_with_every_reason);

async fn a_disputed_invoice_releases_the_credits_and_says_why(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "a_disputed_invoice_releases_the_credits_and_says_why").await;
    let invoice = ubl_invoice("INV-9", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let r = s.provider.upload_invoice(&upload, "INV-9.xml", &invoice).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();

    // Others see nothing of it; the startup neither.
    s.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let other = s.app.login("other@agency.test").await;
    assert_eq!(other.get(&path).await.status, 404);
    assert_eq!(s.startup.get(&path).await.status, 404);
    assert_eq!(s.startup.get("/invoices").await.status, 404);
    // The provider cannot decide its own invoice.
    s.provider.refresh_csrf(&path).await;
    assert_eq!(s.provider.post(&format!("{path}/approve"), &[]).await.status, 404);

    // A dispute needs a reason.
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/dispute"), &[("reason", "  ")]).await;
    assert_eq!(r.status, 422);
    let r = s.funder.post(&format!("{path}/dispute"), &[("reason", "Line 2 bills hours outside the grant's project.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The credits are back; the provider reads why; the upload says disputed.
    let grant = s.startup.get("/").await.body;
    let link = &grant[grant.find("/grants/").unwrap()..];
    let statement = s.startup.get(&link[..link.find('"').unwrap()]).await.body;
    assert!(statement.contains("<dd id=\"balance\">€10,000.00</dd>") && statement.contains("<dd id=\"held\">€0.00</dd>"), "{statement}");
    let page = s.provider.get(&upload).await.body;
    assert!(page.contains("Line 2 bills hours outside the grant") && page.contains("disputed"), "{page}");
    let status: String = usage_uploads::table.select(usage_uploads::status).first(&mut s.app.conn()).unwrap();
    assert_eq!(status, "disputed");
    // Decided once.
    assert_eq!(s.funder.post(&format!("{path}/approve"), &[]).await.status, 409);
    let _ = &mut s;
}
both_backends!(a_disputed_invoice_releases_the_credits_and_says_why);

/// Two funders' members approving the same invoice at once spend the credits once.
async fn racing_approvals_spend_once(backend: Backend) {
    let (s, code, upload) = held_usage(backend, "racing_approvals_spend_once").await;
    let invoice = ubl_invoice("INV-7", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-7.xml", &invoice).await.location.unwrap();
    let mut a = s.app.login("funder@agency.test").await;
    let mut b = s.app.login("funder@agency.test").await;
    a.refresh_csrf(&path).await;
    b.refresh_csrf(&path).await;
    let approve = format!("{path}/approve");
    let (ra, rb) = tokio::join!(a.post(&approve, &[]), b.post(&approve, &[]));
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one approval, one 'already decided'");
    s.app.verify_ledger().unwrap();
}
both_backends!(racing_approvals_spend_once);

/// The same cycle with a CII invoice and with a Factur-X PDF (CII inside), as French SMEs send.
async fn cii_and_factur_x_invoices_are_accepted(backend: Backend) {
    use crate::helpers::{cii_invoice, facturx_pdf};
    let (mut s, code, upload) = held_usage(backend, "cii_and_factur_x_invoices_are_accepted").await;
    let cii = cii_invoice("CII-1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let r = s.provider.upload_invoice(&upload, "CII-1.xml", &cii).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    assert!(s.funder.get(&path).await.body.contains("UN/CEFACT CII"));
    // A second usage file, invoiced with a Factur-X PDF.
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("december.csv", &usage_csv(&code, &["7.00"])).await;
    let second = r.location.unwrap();
    s.provider.refresh_csrf(&second).await;
    assert_eq!(s.provider.post(&format!("{second}/confirm"), &[]).await.status, 303);
    s.provider.refresh_csrf(&second).await;
    let pdf = facturx_pdf(&cii_invoice("FX-1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "6.00")]));
    let r = s.provider.upload_invoice_bytes(&second, "FX-1.pdf", pdf).await;
    assert_eq!(r.status, 422, "the PDF's invoice is checked like any other: 6.00 is not the 7.00 held");
    assert!(r.body.contains("bills 6.00 net but €7.00 is held"), "{}", r.body);
    let pdf = facturx_pdf(&cii_invoice("FX-2", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "7.00")]));
    let r = s.provider.upload_invoice_bytes(&second, "FX-2.pdf", pdf).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let fx = r.location.unwrap();
    assert!(s.funder.get(&fx).await.body.contains("Factur-X"));
    // A plain PDF and the real ZUGFeRD 1 file of the shared fixtures are refused with their reason.
    let r = s.provider.upload_invoice_bytes(&second, "scan.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF".to_vec()).await;
    assert!(r.body.contains("carries no EN 16931 invoice"), "{}", r.body);
    if cfg!(computegrants_no_fixtures) {
        eprintln!("*** without the shared fixtures (see build.rs): the real ZUGFeRD 1 file is not tried ***");
    } else {
        let r = s.provider.upload_invoice_bytes(&second, "fail1.pdf", crate::helpers::fixture("facturx/fail1.pdf")).await;
        assert!(r.body.contains("ZUGFeRD 1"), "{}", r.body);
    }
    for p in [&path, &fx] {
        s.funder.refresh_csrf(p).await;
        assert_eq!(s.funder.post(&format!("{p}/approve"), &[]).await.status, 303);
    }
    s.app.verify_ledger().unwrap();
}
both_backends!(cii_and_factur_x_invoices_are_accepted);

/// The pain.001.001.09 schema, from the `sepaxml` package on PyPI (`pip install --no-deps
/// sepaxml`), or PAIN001_XSD.
fn pain_001_schema() -> Option<std::path::PathBuf> {
    if let Ok(path) = std::env::var("PAIN001_XSD") {
        return Some(path.into());
    }
    let out = std::process::Command::new("python3").args(["-c", "import sepaxml, os; print(os.path.dirname(sepaxml.__file__))"]).output().ok()?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let path = std::path::Path::new(&dir).join("schemas/pain.001.001.09.xsd");
    path.exists().then_some(path)
}

async fn approved_invoices_are_paid_with_a_valid_sepa_file(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "approved_invoices_are_paid_with_a_valid_sepa_file").await;
    let invoice = ubl_invoice("INV-P1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-P1.xml", &invoice).await.location.unwrap();
    let invoice_id = path.rsplit('/').next().unwrap().to_string();
    // Not approved yet: it cannot be paid.
    s.funder.refresh_csrf("/invoices").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let pay = |iban: &'static str| {
        let id = invoice_id.clone();
        let date = today.clone();
        move |c: &crate::helpers::Client| {
            let fields = vec![
                ("invoice".to_string(), id.clone()),
                ("paid_on".to_string(), date.clone()),
                ("reference".to_string(), "CG-2026-11 batch 1".to_string()),
                ("debtor_iban".to_string(), iban.to_string()),
                ("debtor_bic".to_string(), "BNPAFRPP".to_string()),
            ];
            let c = c.clone_for_test();
            async move {
                let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                c.post("/settlements", &refs).await
            }
        }
    };
    assert_eq!(pay("FR76 3000 4000 0312 3456 7890 143")(&s.funder).await.status, 422, "an unapproved invoice is not paid");
    s.funder.refresh_csrf(&path).await;
    assert_eq!(s.funder.post(&format!("{path}/approve"), &[]).await.status, 303);
    s.funder.refresh_csrf("/invoices").await;
    let inbox = s.funder.get("/invoices").await.body;
    assert!(inbox.contains(&format!("name=\"invoice\" value=\"{invoice_id}\"")), "an approved invoice can be ticked: {inbox}");
    let r = pay("FR76 3000 4000 0312 3456 7890 144")(&s.funder).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("not a valid IBAN"), "{}", r.body);
    let r = pay("FR76 3000 4000 0312 3456 7890 143")(&s.funder).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let settlement = r.location.unwrap();
    assert!(s.funder.get(&settlement).await.body.contains("€144.60"), "the amount due, VAT included: 120.50 + 24.10");
    assert_eq!(pay("FR76 3000 4000 0312 3456 7890 143")(&s.funder).await.status, 422, "paid once");

    // The ledger: the provider is owed nothing more; the funder has paid out the net amount.
    use computegrants::db::schema::ledger_accounts;
    let balances: Vec<(String, i64, i64)> = ledger_accounts::table
        .filter(ledger_accounts::purpose.eq_any(["payable", "settled"]))
        .select((ledger_accounts::purpose, ledger_accounts::debits_posted, ledger_accounts::credits_posted))
        .order(ledger_accounts::purpose)
        .load(&mut s.app.conn())
        .unwrap();
    assert_eq!(balances, vec![("payable".to_string(), 12_050, 12_050), ("settled".to_string(), 0, 12_050)]);
    s.app.verify_ledger().unwrap();

    // The SEPA file is valid against the ISO 20022 schema.
    let file = s.funder.get(&format!("{settlement}/pain.001.xml")).await;
    assert_eq!(file.status, 200);
    assert!(file.body.contains("<InstdAmt Ccy=\"EUR\">144.60</InstdAmt>") && file.body.contains("<IBAN>FR7630006000011234567890189</IBAN>"), "{}", file.body);
    match pain_001_schema() {
        Some(xsd) => {
            let dir = tempfile::tempdir().unwrap();
            let xml = dir.path().join("pain.xml");
            std::fs::write(&xml, &file.body).unwrap();
            let out = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&xml).output().expect("xmllint (Debian libxml2-utils)");
            assert!(out.status.success(), "pain.001 invalid: {}", String::from_utf8_lossy(&out.stderr));
        }
        None if std::env::var("COMPUTEGRANTS_REQUIRE_TOOLS").as_deref() == Ok("1") => panic!("the pain.001.001.09 schema is missing: pip install --no-deps sepaxml"),
        None => eprintln!("\n*** SKIPPED the pain.001 schema check: pip install --no-deps sepaxml ***\n"),
    }
    // Others cannot see it.
    assert_eq!(s.provider.get(&settlement).await.status, 404);
    let _ = &mut s;
}
both_backends!(approved_invoices_are_paid_with_a_valid_sepa_file);

/// The startup reads every line charged to its grant, filtered and a page at a time, and flags
/// one it does not recognise; the funder sees the flag beside the invoice.
async fn startups_read_and_flag_their_usage_lines(backend: Backend) {
    let mut s = programme_with_application(backend, "startups_read_and_flag_their_usage_lines").await;
    let code = approve(&mut s, "10000").await;
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ChargeCategory\n");
    for i in 0..250u32 {
        let (h, m) = (i % 24, i / 24);
        csv.push_str(&format!("{today}T{h:02}:{m:02}:00Z,{today}T{h:02}:{m:02}:59Z,GPU compute,0.01,GPU-hour,0.01,EUR,{code},Usage\n"));
    }
    s.provider.refresh_csrf("/usage/new").await;
    let upload = s.provider.upload("many.csv", &csv).await.location.unwrap();
    let grant_page = {
        let home = s.startup.get("/").await.body;
        let at = home.find("/grants/").unwrap();
        home[at..at + home[at..].find('"').unwrap()].to_string()
    };
    // Not submitted yet: the provider's draft is not a charge.
    assert!(s.startup.get(&format!("{grant_page}/usage")).await.body.contains("0 lines."));
    s.provider.refresh_csrf(&upload).await;
    assert_eq!(s.provider.post(&format!("{upload}/confirm"), &[]).await.status, 303);
    let first = s.startup.get(&format!("{grant_page}/usage")).await.body;
    assert!(first.contains("250 lines.") && first.contains("Page 1 of 3"), "{first}");
    assert_eq!(first.matches("name=\"line\"").count(), 100, "a page of 100 lines, each with its flag form");
    let last = s.startup.get(&format!("{grant_page}/usage?page=2")).await.body;
    assert_eq!(last.matches("name=\"line\"").count(), 50);
    let none = s.startup.get(&format!("{grant_page}/usage?service=Storage")).await.body;
    assert!(none.contains("0 lines."), "filtered by service");
    let past = (today - chrono::Duration::days(3)).to_string();
    assert!(s.startup.get(&format!("{grant_page}/usage?until={past}")).await.body.contains("0 lines."), "filtered by period");
    // Flag one line.
    let at = first.find("name=\"line\" value=\"").unwrap() + 19;
    let line_id: String = first[at..].chars().take_while(char::is_ascii_digit).collect();
    s.startup.refresh_csrf(&format!("{grant_page}/usage")).await;
    let r = s.startup.post(&format!("{grant_page}/flags"), &[("line", line_id.as_str()), ("reason", "")]).await;
    assert_eq!(r.status, 400, "a flag says why");
    let r = s.startup.post(&format!("{grant_page}/flags"), &[("line", line_id.as_str()), ("reason", "We ran no job at that time.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(s.startup.get(&format!("{grant_page}/usage")).await.body.contains("We ran no job at that time."));
    // Others do not see the grant's lines; the provider cannot flag.
    let other = s.app.sign_up_startup("Nosy Startup", "nosy@startup.test").await;
    assert_eq!(other.get(&format!("{grant_page}/usage")).await.status, 404);
    s.provider.refresh_csrf(&upload).await;
    assert_eq!(s.provider.post(&format!("{grant_page}/flags"), &[("line", line_id.as_str()), ("reason", "x")]).await.status, 404);
    // The funder sees the flag beside the invoice.
    let invoice = ubl_invoice("INV-F1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "2.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-F1.xml", &invoice).await.location.unwrap();
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("One line flagged by the startup") && page.contains("We ran no job at that time."), "{page}");
}
both_backends!(startups_read_and_flag_their_usage_lines);

/// The funder approves part of an invoice with a reason: only that part is spent, the rest of
/// the hold returns to the grant, the provider reads why, and the payment is in proportion.
async fn part_of_an_invoice_is_approved_with_a_reason(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "part_of_an_invoice_is_approved_with_a_reason").await;
    let invoice = ubl_invoice("INV-H1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-H1.xml", &invoice).await.location.unwrap();
    s.funder.refresh_csrf(&path).await;
    let field = format!("amount_{code}");
    let r = s.funder.post(&format!("{path}/approve"), &[(field.as_str(), "100"), ("reason", "")]).await;
    assert_eq!(r.status, 422, "a part approval says why");
    let r = s.funder.post(&format!("{path}/approve"), &[(field.as_str(), "500"), ("reason", "x")]).await;
    assert_eq!(r.status, 422, "no more than is held");
    let r = s.funder.post(&format!("{path}/approve"), &[(field.as_str(), "100.00"), ("reason", "20.50 EUR of idle time is not eligible.")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let grant = {
        let home = s.startup.get("/").await.body;
        let at = home.find("/grants/").unwrap();
        home[at..at + home[at..].find('"').unwrap()].to_string()
    };
    let statement = s.startup.get(&grant).await.body;
    assert!(statement.contains("<dd id=\"spent\">€100.00</dd>") && statement.contains("<dd id=\"held\">€0.00</dd>") && statement.contains("<dd id=\"balance\">€9,900.00</dd>"), "{statement}");
    let page = s.provider.get(&path).await.body;
    assert!(page.contains("idle time is not eligible") && page.contains("€100.00"), "{page}");
    // Paid in proportion: 144.60 due × 100.00 / 120.50 = 120.00.
    s.funder.refresh_csrf("/invoices").await;
    let id = path.rsplit('/').next().unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let r = s
        .funder
        .post("/settlements", &[("invoice", id), ("paid_on", today.as_str()), ("reference", "PART-1"), ("debtor_iban", "DE89370400440532013000"), ("debtor_bic", "COBADEFFXXX")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let file = s.funder.get(&format!("{}/pain.001.xml", r.location.unwrap())).await.body;
    assert!(file.contains("<InstdAmt Ccy=\"EUR\">120.00</InstdAmt>"), "{file}");
    s.app.verify_ledger().unwrap();
}
both_backends!(part_of_an_invoice_is_approved_with_a_reason);

/// Holds expire after the programme's hold period: the credits return to the grant and what
/// waited on them says "expired", never left dangling; an expired invoice cannot be approved.
async fn holds_expire_after_the_programmes_hold_period(backend: Backend) {
    use computegrants::domain::invoicing;
    let (mut s, code, upload) = held_usage(backend, "holds_expire_after_the_programmes_hold_period").await;
    let invoice = ubl_invoice("INV-E1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-E1.xml", &invoice).await.location.unwrap();
    let now = chrono::Utc::now().naive_utc();
    // Within the 60 days nothing happens.
    assert_eq!(invoicing::expire_overdue(&mut s.app.conn(), now + chrono::Duration::days(59)).unwrap(), 0);
    assert_eq!(invoicing::expire_overdue(&mut s.app.conn(), now + chrono::Duration::days(61)).unwrap(), 1);
    assert_eq!(invoicing::expire_overdue(&mut s.app.conn(), now + chrono::Duration::days(62)).unwrap(), 0, "released once");
    let status: String = usage_uploads::table.select(usage_uploads::status).first(&mut s.app.conn()).unwrap();
    assert_eq!(status, "expired");
    let page = s.provider.get(&path).await.body;
    assert!(page.contains("invoice-status\">expired"), "{page}");
    let grant = {
        let home = s.startup.get("/").await.body;
        let at = home.find("/grants/").unwrap();
        home[at..at + home[at..].find('"').unwrap()].to_string()
    };
    let statement = s.startup.get(&grant).await.body;
    assert!(statement.contains("<dd id=\"balance\">€10,000.00</dd>") && statement.contains("<dd id=\"held\">€0.00</dd>"), "{statement}");
    s.funder.refresh_csrf(&path).await;
    let r = s.funder.post(&format!("{path}/approve"), &[]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("expired"), "{}", r.body);
    s.app.verify_ledger().unwrap();
    let _ = &mut s;
}
both_backends!(holds_expire_after_the_programmes_hold_period);

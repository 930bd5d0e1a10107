//! Credit notes (EN 16931 type 381) against approved and disputed invoices: the credits return
//! to the grants through the ledger, every refusal leaves the ledger as it was, and a settlement
//! pays approved less credited. Also: programmes whose credits cover amounts VAT included, and
//! the funder's inbox filtered by programme.

use crate::both_backends;
use crate::helpers::{Backend, Client, Reply, cii_invoice, facturx_pdf, ubl_invoice, usage_csv};
use crate::invoices::held_usage;
use crate::journey::Setup;
use computegrants::db::schema::{credit_notes, ledger_accounts, ledger_entries, programmes};
use computegrants::domain::identity::OrgKind;
use diesel::prelude::*;

const SELLER: &str = "Test GPU Cloud SAS";
const FUNDER: &str = "Test Funding Agency";

/// The demo's UBL invoice turned into a UBL 2.1 `CreditNote` referencing `preceding` (BT-25).
pub fn ubl_credit_note(number: &str, buyer: &str, preceding: &str, lines: &[(&str, &str)]) -> String {
    ubl_invoice(number, SELLER, buyer, lines)
        .replace("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")
        .replace("<Invoice ", "<CreditNote ")
        .replace("</Invoice>", "</CreditNote>")
        .replace("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>")
        .replace("cac:InvoiceLine>", "cac:CreditNoteLine>")
        .replace("cbc:InvoicedQuantity", "cbc:CreditedQuantity")
        .replace(
            "</cbc:DocumentCurrencyCode>",
            &format!("</cbc:DocumentCurrencyCode>\n  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{preceding}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"),
        )
}

/// The test CII invoice as a CII credit note (type 381) referencing `preceding`.
pub fn cii_credit_note(number: &str, buyer: &str, preceding: &str, lines: &[(&str, &str)]) -> String {
    cii_invoice(number, SELLER, buyer, lines).replace("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>381</ram:TypeCode>").replace(
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        &format!("</ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{preceding}</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>"),
    )
}

/// Sends a credit note from the invoice's page, as its form does.
pub async fn upload_credit_note(c: &Client, invoice_path: &str, filename: &str, content: Vec<u8>) -> Reply {
    let mime = if filename.ends_with(".pdf") { "application/pdf" } else { "application/xml" };
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", c.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(content).file_name(filename.to_string()).mime_str(mime).unwrap());
    let r = c.http.post(format!("{}{invoice_path}/credit-notes", c.base)).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Reply { status, location, body: r.text().await.unwrap() }
}

/// An approved invoice `number` of 120.50 net (144.60 due) for the held usage; returns its path.
async fn approved_invoice(s: &mut Setup, code: &str, upload: &str, number: &str) -> String {
    let invoice = ubl_invoice(number, SELLER, FUNDER, &[(code, "120.50")]);
    let r = s.provider.upload_invoice(upload, &format!("{number}.xml"), &invoice).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    s.funder.refresh_csrf(&path).await;
    assert_eq!(s.funder.post(&format!("{path}/approve"), &[]).await.status, 303);
    s.provider.refresh_csrf(&path).await;
    path
}

async fn grant_page(s: &Setup) -> String {
    let home = s.startup.get("/").await.body;
    let at = home.find("/grants/").unwrap();
    home[at..at + home[at..].find('"').unwrap()].to_string()
}

/// (debits posted, credits posted) of the accounts with this purpose.
fn totals(s: &Setup, purpose: &str) -> (i64, i64) {
    ledger_accounts::table
        .filter(ledger_accounts::purpose.eq(purpose))
        .select((ledger_accounts::debits_posted, ledger_accounts::credits_posted))
        .first(&mut s.app.conn())
        .unwrap_or((0, 0))
}

fn entries(s: &Setup) -> i64 {
    ledger_entries::table.count().get_result(&mut s.app.conn()).unwrap()
}

/// hledger and bean-check recompute every balance of the exported journal.
fn exports_balance(s: &Setup) {
    let dir = tempfile::tempdir().unwrap();
    if crate::export::tool("hledger") {
        let file = crate::export::export(&s.app.db.url, "hledger", dir.path());
        let check = std::process::Command::new("hledger").arg("-f").arg(&file).args(["check", "-s"]).output().unwrap();
        assert!(check.status.success(), "hledger check -s: {}", String::from_utf8_lossy(&check.stderr));
    }
    if crate::export::tool("bean-check") {
        let file = crate::export::export(&s.app.db.url, "beancount", dir.path());
        let check = std::process::Command::new("bean-check").arg(&file).output().unwrap();
        assert!(check.status.success(), "bean-check: {}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    }
}

async fn ubl_and_cii_credit_notes_return_credits_to_the_grant(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "ubl_and_cii_credit_notes_return_credits_to_the_grant").await;
    let path = approved_invoice(&mut s, &code, &upload, "INV-C1").await;
    let grant = grant_page(&s).await;
    assert!(s.startup.get(&grant).await.body.contains("<dd id=\"balance\">€9,879.50</dd>"));
    assert_eq!(totals(&s, "payable"), (0, 12_050));

    // A UBL CreditNote for 20.50 of it: the grant gets 20.50 back, the provider is owed less.
    let note = ubl_credit_note("CN-1", FUNDER, "INV-C1", &[(code.as_str(), "20.50")]);
    let r = upload_credit_note(&s.provider, &path, "CN-1.xml", note.into_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(path.as_str()));
    let statement = s.startup.get(&grant).await.body;
    assert!(statement.contains("<dd id=\"balance\">€9,900.00</dd>"), "{statement}");
    // Spent is usage less what providers credited back, in the summary as in the figures.
    assert!(statement.contains("<dd id=\"spent\">€100.00</dd>") && statement.contains("href=\"/grants/") && statement.contains(">€100.00</a>"), "{statement}");
    assert!(statement.contains("Credit note from the provider") && statement.contains("<code>CN-1</code>"), "the statement shows the credit: {statement}");
    assert_eq!(totals(&s, "payable"), (2_050, 12_050));
    // The funder's report counts it as the statement does: awarded stays 10,000.00 (a credit
    // note is no award) and spent is 100.00, on the page and in the JSON export.
    let report = s.funder.get(&format!("/programmes/{}", s.programme_id)).await.body;
    let row = format!("{code}</a></td><td>Lumen Test Labs</td><td class=\"num\">€10,000.00</td><td class=\"num\">€100.00</td><td class=\"num\">€9,900.00</td>");
    assert!(report.contains(&row), "{report}");
    let json: serde_json::Value = serde_json::from_str(&s.funder.get(&format!("/programmes/{}/grants.json", s.programme_id)).await.body).unwrap();
    let line = &json["rows"][0];
    assert_eq!((line["awarded"]["amount"].as_str(), line["spent"]["amount"].as_str(), line["remaining"]["amount"].as_str()), (Some("10000.00"), Some("100.00"), Some("9900.00")), "{json}");
    // The funder reads it on the invoice, with what is left to pay: 144.60 − 24.60.
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("id=\"credit-notes\"") && page.contains("<code>CN-1</code>") && page.contains("credited to the grants"), "{page}");
    assert!(page.contains("<dd id=\"to-pay\">€120.00</dd>") && page.contains("<dd id=\"credited\">€20.50</dd>"), "{page}");

    // A CII credit note (type 381) inside a Factur-X PDF for the remaining 100.00.
    let pdf = facturx_pdf(&cii_credit_note("CN-2", FUNDER, "INV-C1", &[(code.as_str(), "100.00")]));
    let r = upload_credit_note(&s.provider, &path, "CN-2.pdf", pdf).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(s.startup.get(&grant).await.body.contains("<dd id=\"balance\">€10,000.00</dd>"));
    assert_eq!(totals(&s, "payable"), (12_050, 12_050), "the provider is owed nothing for this invoice");
    // A plain CII credit note for one more cent: nothing is left to credit.
    let before = entries(&s);
    let r = upload_credit_note(&s.provider, &path, "CN-3.xml", cii_credit_note("CN-3", FUNDER, "INV-C1", &[(code.as_str(), "0.01")]).into_bytes()).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("only €0.00 is left to credit on invoice INV-C1"), "{}", r.body);
    assert_eq!(entries(&s), before);
    // Wholly credited, the invoice has nothing left to pay and cannot be ticked for payment.
    let inbox = s.funder.get("/invoices").await.body;
    assert!(!inbox.contains("name=\"invoice\""), "{inbox}");

    let syntaxes: Vec<String> = credit_notes::table.order(credit_notes::id).select(credit_notes::syntax).load(&mut s.app.conn()).unwrap();
    assert_eq!(syntaxes, ["ubl", "factur-x"]);
    s.app.verify_ledger().unwrap();
    exports_balance(&s);
}
both_backends!(ubl_and_cii_credit_notes_return_credits_to_the_grant);

async fn refused_credit_notes_leave_the_ledger_unchanged(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "refused_credit_notes_leave_the_ledger_unchanged").await;
    let path = approved_invoice(&mut s, &code, &upload, "INV-R1").await;
    let before = (entries(&s), totals(&s, "payable"), totals(&s, "credits"));
    let send = |number: &str, preceding: &str, amount: &str| ubl_credit_note(number, FUNDER, preceding, &[(code.as_str(), amount)]).into_bytes();
    let refused = [
        (send("CN-X1", "INV-NOPE", "10.00"), "references invoice INV-NOPE, which is not one of your invoices"),
        (send("CN-X2", "INV-R1", "200.00"), "credits €200.00 but only €120.50 is left to credit on invoice INV-R1"),
        (String::from_utf8(send("CN-X3", "INV-R1", "10.00")).unwrap().replace("EUR", "USD").into_bytes(), "The credit note is in USD but the invoice is in EUR"),
        (ubl_credit_note("CN-X4", "Another Ministry", "INV-R1", &[(code.as_str(), "10.00")]).into_bytes(), "The buyer is “Another Ministry”"),
        (send("INV-R1", "INV-R1", "10.00"), "already sent a credit note or invoice numbered INV-R1"),
        (ubl_invoice("CN-X5", SELLER, FUNDER, &[(code.as_str(), "10.00")]).into_bytes(), "is not a credit note (type 380)"),
        (ubl_credit_note("CN-X6", FUNDER, "INV-R1", &[("G-1999-0001", "10.00")]).into_bytes(), "does not name a grant of invoice INV-R1"),
    ];
    for (document, why) in refused {
        let r = upload_credit_note(&s.provider, &path, "note.xml", document).await;
        assert_eq!(r.status, 422, "{why}: {}", r.body);
        assert!(r.body.contains(why), "{why}: {}", r.body);
    }
    assert_eq!((entries(&s), totals(&s, "payable"), totals(&s, "credits")), before, "every refusal leaves the ledger as it was");
    // A number once: the second CN-D1 is refused.
    assert_eq!(upload_credit_note(&s.provider, &path, "d.xml", send("CN-D1", "INV-R1", "10.00")).await.status, 303);
    let after_one = (entries(&s), totals(&s, "payable"));
    let r = upload_credit_note(&s.provider, &path, "d.xml", send("CN-D1", "INV-R1", "5.00")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already sent a credit note or invoice numbered CN-D1"), "{}", r.body);
    assert_eq!((entries(&s), totals(&s, "payable")), after_one);
    assert_eq!(after_one.0, before.0 + 1, "one entry for the one accepted credit note");
    // Another provider's invoice is not there for it.
    s.app.create_member(OrgKind::Provider, "Other Cloud", "billing@other.test");
    let mut stranger = s.app.login("billing@other.test").await;
    stranger.refresh_csrf("/usage/new").await;
    assert_eq!(upload_credit_note(&stranger, &path, "x.xml", send("CN-S1", "INV-R1", "1.00")).await.status, 404);
    // Nor can a funder or a startup send one.
    s.funder.refresh_csrf(&path).await;
    assert_eq!(upload_credit_note(&s.funder, &path, "x.xml", send("CN-S2", "INV-R1", "1.00")).await.status, 404);
    assert_eq!((entries(&s), totals(&s, "payable")), after_one);
    assert_eq!(credit_notes::table.count().get_result::<i64>(&mut s.app.conn()).unwrap(), 1);
    s.app.verify_ledger().unwrap();
}
both_backends!(refused_credit_notes_leave_the_ledger_unchanged);

async fn a_settlement_pays_approved_less_credited(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "a_settlement_pays_approved_less_credited").await;
    let path = approved_invoice(&mut s, &code, &upload, "INV-S1").await;
    let note = ubl_credit_note("CN-S1", FUNDER, "INV-S1", &[(code.as_str(), "20.50")]);
    assert_eq!(upload_credit_note(&s.provider, &path, "CN-S1.xml", note.into_bytes()).await.status, 303);
    s.funder.refresh_csrf("/invoices").await;
    let id = path.rsplit('/').next().unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let r = s
        .funder
        .post("/settlements", &[("invoice", id), ("paid_on", today.as_str()), ("reference", "CN-PAY-1"), ("debtor_iban", "DE89370400440532013000"), ("debtor_bic", "COBADEFFXXX")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let settlement = r.location.unwrap();
    // 144.60 due less the credit note's 24.60 due.
    let file = s.funder.get(&format!("{settlement}/pain.001.xml")).await.body;
    assert!(file.contains("<InstdAmt Ccy=\"EUR\">120.00</InstdAmt>") && file.contains("<CtrlSum>120.00</CtrlSum>"), "{file}");
    // The ledger: 120.50 approved, 20.50 credited back, 100.00 settled; nothing owed.
    assert_eq!(totals(&s, "settled"), (0, 10_000));
    assert_eq!(totals(&s, "payable"), (12_050, 12_050));
    // A paid invoice takes no more credit notes.
    s.provider.refresh_csrf(&path).await;
    let r = upload_credit_note(&s.provider, &path, "late.xml", ubl_credit_note("CN-S2", FUNDER, "INV-S1", &[(code.as_str(), "1.00")]).into_bytes()).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Invoice INV-S1 is already paid"), "{}", r.body);
    s.app.verify_ledger().unwrap();
}
both_backends!(a_settlement_pays_approved_less_credited);

async fn a_credit_note_answers_a_disputed_invoice_without_moving_credits(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "a_credit_note_answers_a_disputed_invoice_without_moving_credits").await;
    let invoice = ubl_invoice("INV-D1", SELLER, FUNDER, &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-D1.xml", &invoice).await.location.unwrap();
    // Before a decision there is nothing to credit.
    s.provider.refresh_csrf(&path).await;
    let r = upload_credit_note(&s.provider, &path, "early.xml", ubl_credit_note("CN-E1", FUNDER, "INV-D1", &[(code.as_str(), "20.50")]).into_bytes()).await;
    assert!(r.status == 422 && r.body.contains("is not approved or disputed"), "{}", r.body);
    s.funder.refresh_csrf(&path).await;
    assert_eq!(s.funder.post(&format!("{path}/dispute"), &[("reason", "20.50 of idle time.")]).await.status, 303);
    let before = (entries(&s), totals(&s, "credits"));
    s.provider.refresh_csrf(&path).await;
    assert!(s.provider.get(&path).await.body.contains("id=\"credit-note-file\""), "the provider is offered the form");
    let r = upload_credit_note(&s.provider, &path, "CN-D1.xml", ubl_credit_note("CN-D1", FUNDER, "INV-D1", &[(code.as_str(), "20.50")]).into_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!((entries(&s), totals(&s, "credits")), before, "nothing is held any more: the ledger does not move");
    let page = s.funder.get(&path).await.body;
    assert!(page.contains("<code>CN-D1</code>") && page.contains("recorded (invoice disputed)"), "{page}");
    assert!(s.startup.get(&grant_page(&s).await).await.body.contains("<dd id=\"balance\">€10,000.00</dd>"));
    s.app.verify_ledger().unwrap();
}
both_backends!(a_credit_note_answers_a_disputed_invoice_without_moving_credits);

/// A programme whose credits cover amounts VAT included reconciles an invoice whose gross per
/// grant equals the hold and refuses the net one; a net programme the reverse.
async fn credits_cover_net_or_vat_included_amounts(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "credits_cover_net_or_vat_included_amounts").await;
    // Net (the default): 100.42 + 20 % VAT = 120.50 gross is not the 120.50 held net.
    let gross_one = ubl_invoice("INV-G1", SELLER, FUNDER, &[(code.as_str(), "100.42")]);
    let r = s.provider.upload_invoice(&upload, "INV-G1.xml", &gross_one).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("the invoice bills 100.42 net but €120.50 is held"), "{}", r.body);
    // The same programme covering amounts VAT included: the net invoice is refused, the gross one accepted.
    diesel::update(programmes::table.find(s.programme_id)).set(programmes::credits_cover.eq("gross")).execute(&mut s.app.conn()).unwrap();
    let net_one = ubl_invoice("INV-N1", SELLER, FUNDER, &[(code.as_str(), "120.50")]);
    let r = s.provider.upload_invoice(&upload, "INV-N1.xml", &net_one).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("the invoice bills 144.60 VAT included but €120.50 is held"), "{}", r.body);
    // Per grant: each line's net plus its own VAT, summed exactly and rounded once:
    // 60.21 × 1.2 + 40.21 × 1.2 = 72.252 + 48.252 = 120.504 → 120.50.
    let split = ubl_invoice("INV-G2", SELLER, FUNDER, &[(code.as_str(), "60.21"), (code.as_str(), "40.21")]);
    let r = s.provider.upload_invoice(&upload, "INV-G2.xml", &split).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location.unwrap();
    s.funder.refresh_csrf(&path).await;
    assert_eq!(s.funder.post(&format!("{path}/approve"), &[]).await.status, 303);
    // A credit note in a VAT-inclusive programme credits its gross: 10.00 + 2.00.
    s.provider.refresh_csrf(&path).await;
    let r = upload_credit_note(&s.provider, &path, "CN-G1.xml", ubl_credit_note("CN-G1", FUNDER, "INV-G2", &[(code.as_str(), "10.00")]).into_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(s.startup.get(&grant_page(&s).await).await.body.contains("<dd id=\"balance\">€9,891.50</dd>"), "10,000 − 120.50 + 12.00");
    s.app.verify_ledger().unwrap();

    // The setting is chosen with the programme's other spending settings, and shown.
    s.funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let r = s
        .funder
        .post(
            "/programmes",
            &[
                ("name", "VAT-inclusive Call"),
                ("description", "Credits cover VAT."),
                ("currency", "EUR"),
                ("budget", "1000"),
                ("max_award", "500"),
                ("credits_cover", "gross"),
                ("opens_on", &today.to_string()),
                ("closes_on", &(today + chrono::Duration::days(5)).to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = s.funder.get(&r.location.unwrap()).await.body;
    assert!(page.contains("<dd id=\"credits-cover\">amounts VAT included</dd>"), "{page}");
    let (opens, closes) = (today.to_string(), (today + chrono::Duration::days(5)).to_string());
    let r = s
        .funder
        .post("/programmes", &[("name", "Bad"), ("description", "x"), ("currency", "EUR"), ("budget", "1000"), ("max_award", "500"), ("credits_cover", "half"), ("opens_on", &opens), ("closes_on", &closes)])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose net amounts or amounts VAT included."), "{}", r.body);
}
both_backends!(credits_cover_net_or_vat_included_amounts);

/// The funder's inbox filtered by programme shows only that programme's invoices.
async fn the_inbox_filters_by_programme_and_status(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "the_inbox_filters_by_programme_and_status").await;
    let first = s.programme_id;
    // A second programme, the same startup awarded a grant in it, and usage on that grant.
    s.funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let r = s
        .funder
        .post(
            "/programmes",
            &[("name", "Second Call"), ("description", "More credits."), ("currency", "EUR"), ("budget", "50000"), ("max_award", "20000"), ("opens_on", &today.to_string()), ("closes_on", &(today + chrono::Duration::days(9)).to_string())],
        )
        .await;
    let second: i64 = crate::helpers::id_from(&r.location);
    s.startup.refresh_csrf(&format!("/programmes/{second}/apply")).await;
    let provider_id = s.provider_id.to_string();
    let r = s
        .startup
        .post(&format!("/programmes/{second}/apply"), &[("requested", "1000"), ("purpose", "A second project on other hardware."), ("hardware", "GPU"), ("provider_id", &provider_id)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let application = r.location.unwrap();
    s.funder.refresh_csrf(&application).await;
    assert_eq!(s.funder.post(&format!("{application}/decide"), &[("decision", "approve"), ("amount", "1000"), ("reason", "")]).await.status, 303);
    crate::journey::accept_offer(&mut s.startup, crate::helpers::id_from(&Some(application.clone()))).await;
    let page = s.funder.get(&application).await.body;
    let at = page.find("G-").unwrap();
    let code2 = page[at..at + 11].to_string();
    assert_ne!(code, code2);
    s.provider.refresh_csrf("/usage/new").await;
    let upload2 = s.provider.upload("second.csv", &usage_csv(&code2, &["7.00"])).await.location.unwrap();
    s.provider.refresh_csrf(&upload2).await;
    assert_eq!(s.provider.post(&format!("{upload2}/confirm"), &[]).await.status, 303);
    s.provider.refresh_csrf(&upload2).await;
    assert_eq!(s.provider.upload_invoice(&upload2, "B.xml", &ubl_invoice("INV-SECOND", SELLER, FUNDER, &[(code2.as_str(), "7.00")])).await.status, 303);
    s.provider.refresh_csrf(&upload).await;
    let a = s.provider.upload_invoice(&upload, "A.xml", &ubl_invoice("INV-FIRST", SELLER, FUNDER, &[(code.as_str(), "120.50")])).await;
    assert_eq!(a.status, 303, "{}", a.body);

    let all = s.funder.get("/invoices").await.body;
    assert!(all.contains("INV-FIRST") && all.contains("INV-SECOND"), "{all}");
    assert!(all.contains("id=\"filter-programme\"") && all.contains("Second Call"), "the filter offers the funder's programmes: {all}");
    let one = s.funder.get(&format!("/invoices?programme={first}&status=")).await.body;
    assert!(one.contains("INV-FIRST") && !one.contains("INV-SECOND"), "{one}");
    assert!(one.contains(&format!("<option value=\"{first}\" selected>")), "the filter is kept: {one}");
    let two = s.funder.get(&format!("/invoices?programme={second}")).await.body;
    assert!(!two.contains("INV-FIRST") && two.contains("INV-SECOND"), "{two}");
    // By status: approve the first; only it is approved.
    s.funder.refresh_csrf(&a.location.clone().unwrap()).await;
    assert_eq!(s.funder.post(&format!("{}/approve", a.location.unwrap()), &[]).await.status, 303);
    let approved = s.funder.get("/invoices?programme=&status=approved").await.body;
    assert!(approved.contains("INV-FIRST") && !approved.contains("INV-SECOND"), "{approved}");
    let waiting = s.funder.get(&format!("/invoices?programme={first}&status=awaiting-approval")).await.body;
    assert!(!waiting.contains("INV-FIRST") && !waiting.contains("INV-SECOND"), "{waiting}");
    // Nonsense filters mean "all", and another funder's programme shows nothing of this one.
    assert!(s.funder.get("/invoices?programme=abc&status=nope").await.body.contains("INV-SECOND"));
    s.app.create_member(OrgKind::Funder, "Other Agency", "other@agency.test");
    let other = s.app.login("other@agency.test").await;
    let theirs = other.get(&format!("/invoices?programme={first}")).await.body;
    assert!(!theirs.contains("INV-FIRST"), "{theirs}");
}
both_backends!(the_inbox_filters_by_programme_and_status);

/// The real EN 16931 credit note of the shared fixtures (CEN TC 434's UBL example), its buyer,
/// grant reference (BT-10) and preceding invoice (BT-25, which the example leaves out) set to
/// this test's: every other element as published.
pub fn fixture_credit_note(buyer: &str, grant: &str, preceding: &str) -> String {
    let xml = String::from_utf8(crate::helpers::fixture("einvoice/ubl-tc434-creditnote1.xml")).unwrap();
    xml.replace("<cbc:RegistrationName>My Customer Company</cbc:RegistrationName>", &format!("<cbc:RegistrationName>{buyer}</cbc:RegistrationName>")).replace(
            "<cbc:BuyerReference>018304 / 28865</cbc:BuyerReference>",
            &format!("<cbc:BuyerReference>{grant}</cbc:BuyerReference>\n\t<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{preceding}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"),
        )
}

async fn the_published_ubl_credit_note_is_accepted(backend: Backend) {
    let (mut s, code, upload) = held_usage(backend, "the_published_ubl_credit_note_is_accepted").await;
    let note = fixture_credit_note(FUNDER, &code, "INV-F1");
    let path = approved_invoice(&mut s, &code, &upload, "INV-F1").await;
    let r = upload_credit_note(&s.provider, &path, "ubl-tc434-creditnote1.xml", note.into_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // 100.11, VAT exempt: 10,000 − 120.50 + 100.11.
    assert!(s.startup.get(&grant_page(&s).await).await.body.contains("<dd id=\"balance\">€9,979.61</dd>"));
    assert!(s.funder.get(&path).await.body.contains("018304"), "the credit note's own number is listed");
    s.app.verify_ledger().unwrap();
}
both_backends!(fixtures the_published_ubl_credit_note_is_accepted);

//! Downloads of tables (CSV, XLSX, JSON) and the auditors' journal of a programme, on the
//! transparency dataset (three awards of 150,000, 100,000 and 50,000; spending of 1,000.00,
//! one beneficiary's legal name a formula): each file answers with its type and name, carries
//! the page's figures, is refused to whoever may not see the page, and neutralises formulas.

use crate::both_backends;
use crate::helpers::{Backend, Client};
use crate::transparency::{Dataset, dataset};
use computegrants::db::schema::{ledger_accounts, ledger_postings};
use computegrants::domain::identity::OrgKind;
use computegrants::domain::programmes::{self, NewProgramme};
use computegrants::money::Amount;
use diesel::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const FUNDER: &str = "funder@agency.test";

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Download {
    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("UTF-8")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.bytes)))
    }

    /// Header row and records of a CSV download.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let text = self.text();
        assert!(text.contains("\r\n"), "RFC 4180 line ends");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        (header, rows)
    }
}

async fn fetch(c: &Client, path: &str) -> Download {
    let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    Download { status: r.status().as_u16(), content_type, disposition, bytes: r.bytes().await.unwrap().to_vec() }
}

/// Fetches `path` and checks the status, type and file name of the download.
async fn download(c: &Client, path: &str, filename: &str) -> Download {
    let d = fetch(c, path).await;
    assert_eq!(d.status, 200, "{path}: {}", String::from_utf8_lossy(&d.bytes));
    let expected_type = match filename.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8; header=present",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/json",
    };
    assert_eq!(d.content_type, expected_type, "{path}");
    assert_eq!(d.disposition, format!("attachment; filename=\"{filename}\""), "{path}");
    d
}

async fn the_programme_grants_download_in_three_formats_with_the_pages_figures(backend: Backend) {
    let d = dataset(backend, "the_programme_grants_download_in_three_formats_with_the_pages_figures").await;
    let id = d.programme_id;
    let funder = d.app.login(FUNDER).await;
    let page = funder.get(&format!("/programmes/{id}")).await.body;
    for ext in ["csv", "xlsx", "json"] {
        assert!(page.contains(&format!("href=\"/programmes/{id}/grants.{ext}\"")), "a {ext} link under the table");
        assert!(page.contains(&format!("href=\"/programmes/{id}/spending.{ext}\"")), "a {ext} link under the spending");
    }
    assert!(page.contains(&format!("action=\"/programmes/{id}/journal.csv\"")), "the journal's form");

    let csv = download(&funder, &format!("/programmes/{id}/grants.csv"), &format!("computegrants-programme-{id}-grants.csv")).await;
    let (header, rows) = csv.csv();
    assert_eq!(header, ["Grant", "Startup", "Awarded", "Spent", "Remaining", "Currency"]);
    assert_eq!(rows.len(), 3);
    let big = rows.iter().find(|r| r[0] == d.grants[0]).unwrap();
    // Awarded 150,000.00; spent 500.00: 600.00 of usage less the 100.00 credit note, as the
    // grant's statement counts it (a credit note is not an award).
    assert_eq!(big[1..], ["Lumen Labs", "150000.00", "500.00", "149500.00", "EUR"]);
    // The page shows the same figures.
    for shown in ["€150,000.00", "€500.00", "€149,500.00"] {
        assert!(page.contains(&format!("<td class=\"num\">{shown}</td>")), "{shown} on the page");
    }

    let json = download(&funder, &format!("/programmes/{id}/grants.json"), &format!("computegrants-programme-{id}-grants.json")).await.json();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let small = rows.iter().find(|r| r["grant"] == d.grants[2].as_str()).unwrap();
    assert_eq!(small["awarded"], serde_json::json!({"amount": "50000.00", "currency": "EUR"}));
    assert_eq!(small["spent"]["amount"], "300.00");
    assert_eq!(small["remaining"]["amount"], "49700.00");
    assert_eq!(json["columns"][2]["kind"], "money");

    // Headers in the reader's language; the machine keys stay.
    let fr = d.app.login_in(FUNDER, "fr-FR,fr").await;
    let (header, _) = download(&fr, &format!("/programmes/{id}/grants.csv"), &format!("computegrants-programme-{id}-grants.csv")).await.csv();
    assert_eq!(header[0], computegrants::i18n::text(computegrants::i18n::Locale::Fr, "col-grant"));
    assert_ne!(header[0], "Grant");
    assert_eq!(download(&fr, &format!("/programmes/{id}/grants.json"), &format!("computegrants-programme-{id}-grants.json")).await.json()["columns"][0]["key"], "grant");

    // An extension that is not a format is no page.
    assert_eq!(fetch(&funder, &format!("/programmes/{id}/grants.exe")).await.status, 404);
    assert_eq!(fetch(&funder, "/programmes/abc/grants.csv").await.status, 404);
}
both_backends!(the_programme_grants_download_in_three_formats_with_the_pages_figures);

async fn the_downloads_are_refused_to_whoever_may_not_see_the_page(backend: Backend) {
    let d = dataset(backend, "the_downloads_are_refused_to_whoever_may_not_see_the_page").await;
    let id = d.programme_id;
    d.app.create_member(OrgKind::Funder, "Another Agency", "other@agency.test");
    let other = d.app.login("other@agency.test").await;
    let startup = d.app.login("founder@lumen.test").await;
    let provider = d.app.login("billing@alpha.test").await;
    let visitor = d.app.client();
    let paths = ["grants.csv", "grants.xlsx", "spending.json", "sovereignty.csv", "journal.csv", "journal.json"].map(|p| format!("/programmes/{id}/{p}"));
    for path in &paths {
        for (who, c) in [("another funder", &other), ("the startup", &startup), ("a provider", &provider)] {
            let r = fetch(c, path).await;
            assert_eq!(r.status, 404, "{who} on {path}");
            assert!(!String::from_utf8_lossy(&r.bytes).contains("150000"), "{who} sees no figure");
        }
        let r = fetch(&visitor, path).await;
        assert_ne!(r.status, 200, "a visitor on {path}");
        assert!(!r.disposition.contains("attachment") && !String::from_utf8_lossy(&r.bytes).contains("150000"), "a visitor is given no file");
    }
    for path in ["/reports/sovereignty.csv", "/reports/spending.xlsx"] {
        assert_eq!(fetch(&startup, path).await.status, 404, "{path} is for funders");
    }
    // The other funder's reports across its programmes hold none of this one's spending.
    let json = download(&other, "/reports/spending.json", "computegrants-spending.json").await.json();
    assert_eq!(json["rows"].as_array().unwrap().len(), 0);
}
both_backends!(the_downloads_are_refused_to_whoever_may_not_see_the_page);

async fn the_sovereignty_and_spending_downloads_match_the_report(backend: Backend) {
    let d = dataset(backend, "the_sovereignty_and_spending_downloads_match_the_report").await;
    let id = d.programme_id;
    let funder = d.app.login(FUNDER).await;
    let page = funder.get(&format!("/programmes/{id}/sovereignty")).await.body;
    assert!(page.contains(&format!("href=\"/programmes/{id}/sovereignty.xlsx\"")) && page.contains(&format!("href=\"/programmes/{id}/spending.csv\"")));
    assert!(page.contains("<dd id=\"total-EUR\">€1,000.00</dd>"), "{page}");

    let json = download(&funder, &format!("/programmes/{id}/sovereignty.json"), &format!("computegrants-programme-{id}-sovereignty.json")).await.json();
    let figure = |fid: &str| json["rows"].as_array().unwrap().iter().find(|r| r["figure_id"] == fid).unwrap_or_else(|| panic!("{fid}")).clone();
    assert_eq!(figure("total")["amount"]["amount"], "1000.00");
    // Headquarters: Alpha (FR, 700.00) in the EU, Berg (CH, 300.00) outside.
    assert_eq!(figure("hq-eu")["amount"]["amount"], "700.00");
    assert_eq!(figure("hq-eu")["share"], "70.0");
    assert_eq!(figure("hq-outside")["amount"]["amount"], "300.00");
    assert!(page.contains("<tr id=\"hq-eu-EUR\"><th scope=\"row\">At providers headquartered in the EU/EEA</th><td class=\"num\">€700.00</td><td class=\"num\">70.0%</td></tr>"), "the page shows the same: {page}");

    let (header, rows) = download(&funder, &format!("/programmes/{id}/spending.csv"), &format!("computegrants-programme-{id}-spending.csv")).await.csv();
    assert_eq!(header, ["Provider", "Country code", "Provider's country", "Hardware kind", "Amount", "Currency"]);
    let mut by_kind: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        by_kind.insert(r[3].clone(), r[4].clone());
    }
    assert_eq!(by_kind, BTreeMap::from([("GPU".into(), "500.00".into()), ("IPU".into(), "300.00".into()), ("OPU".into(), "200.00".into())]));
    assert!(rows.iter().any(|r| r[0] == "Berg HPC" && r[1] == "CH" && r[2] == "Switzerland"), "{rows:?}");

    // Across the funder's programmes: the same, as it has only this one.
    let across = download(&funder, "/reports/sovereignty.csv", "computegrants-sovereignty.csv").await;
    assert!(across.text().contains("EUR,total,Total spent,1000.00,\r\n") || across.csv().1.iter().any(|r| r[1] == "total" && r[3] == "1000.00"), "{}", across.text());
    download(&funder, "/reports/spending.xlsx", "computegrants-spending.xlsx").await;
}
both_backends!(the_sovereignty_and_spending_downloads_match_the_report);

async fn the_public_awards_download_neutralises_formulas(backend: Backend) {
    let d = dataset(backend, "the_public_awards_download_neutralises_formulas").await;
    let visitor = d.app.client();
    let page = visitor.get("/transparency").await.body;
    assert!(page.contains("href=\"/transparency/awards.xlsx\""), "linked under the awards");
    let (header, rows) = download(&visitor, "/transparency/awards.csv", "computegrants-awards.csv").await.csv();
    assert_eq!(header[1], "Beneficiary");
    assert_eq!(rows.len(), 2, "the award below the threshold is not published");
    let formula = rows.iter().find(|r| r[0] == d.grants[1]).unwrap();
    assert_eq!(formula[1], "'=HYPERLINK(\"http://evil.test\",\"x\") Ltd", "neutralised");
    assert_eq!(formula[3], "100000.00");
    assert_eq!(formula[5], chrono::Utc::now().date_naive().to_string(), "an ISO date");
    let json = download(&visitor, "/transparency/awards.json", "computegrants-awards.json").await.json();
    assert!(json["rows"].as_array().unwrap().iter().any(|r| r["beneficiary"] == "=HYPERLINK(\"http://evil.test\",\"x\") Ltd"), "JSON keeps the name");
    // The Atom feed keeps its own route.
    assert!(fetch(&visitor, "/transparency/awards.atom").await.content_type.starts_with("application/atom+xml"));
}
both_backends!(the_public_awards_download_neutralises_formulas);

/// Every entry id moving the programme's accounts, read straight from the postings: holds (an
/// offer awaiting acceptance, usage awaiting approval) reserve and move nothing, so are left out.
fn entries_touching(d: &Dataset, codes: &[String]) -> BTreeSet<i64> {
    let mut conn = d.app.conn();
    ledger_postings::table
        .inner_join(ledger_accounts::table)
        .inner_join(computegrants::db::schema::ledger_entries::table)
        .filter(ledger_accounts::code.eq_any(codes))
        .filter(computegrants::db::schema::ledger_entries::phase.ne("pending"))
        .select(ledger_postings::entry_id)
        .load::<i64>(&mut conn)
        .unwrap()
        .into_iter()
        .collect()
}

async fn the_journal_balances_and_covers_exactly_the_programmes_postings(backend: Backend) {
    let d = dataset(backend, "the_journal_balances_and_covers_exactly_the_programmes_postings").await;
    let id = d.programme_id;
    // A second programme of the same funder: its budget comes from the same commitments
    // account, and its entry must not be in the first one's journal.
    let other = {
        let mut conn = d.app.conn();
        use computegrants::db::schema::users;
        let user: i64 = users::table.filter(users::email.eq(FUNDER)).select(users::id).first(&mut conn).unwrap();
        let funder = computegrants::domain::identity::member(&mut conn, computegrants::domain::UserId::new(user)).unwrap();
        let today = chrono::Utc::now().date_naive();
        let new = NewProgramme {
            name: "Other call".into(),
            description: "Another programme.".into(),
            currency: "EUR".into(),
            budget: Amount::from_cents(5_000_000),
            max_award: Amount::from_cents(1_000_000),
            opens_on: today,
            closes_on: today + chrono::Duration::days(30),
            price_tolerance_percent: programmes::DEFAULT_PRICE_TOLERANCE,
            hold_days: programmes::DEFAULT_HOLD_DAYS,
            credits_cover: programmes::CreditsCover::Net,
            unused_credit: Default::default(),
            reserved_share_bp: 0,
        };
        programmes::create(&mut conn, &funder, &new).unwrap()
    };
    let funder = d.app.login(FUNDER).await;
    let csv = download(&funder, &format!("/programmes/{id}/journal.csv"), &format!("computegrants-programme-{id}-journal-all.csv")).await;
    let (header, rows) = csv.csv();
    assert_eq!(header, ["Entry", "Date", "Kind", "Idempotency key", "Account", "Debit", "Credit", "Currency", "Description"]);

    // Debits equal credits in every entry.
    let mut per_entry: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for r in &rows {
        let cents = |t: &str| if t.is_empty() { 0 } else { Amount::parse(t).unwrap().cents() };
        let e = per_entry.entry(r[0].parse().unwrap()).or_default();
        e.0 += cents(&r[5]);
        e.1 += cents(&r[6]);
        assert!(r[5].is_empty() != r[6].is_empty(), "a posting is a debit or a credit: {r:?}");
    }
    for (entry, (debits, credits)) in &per_entry {
        assert_eq!(debits, credits, "entry {entry} balances");
    }
    // Exactly the entries touching the programme's budget and its grants' credits.
    let mut codes: Vec<String> = d.grants.iter().map(|g| format!("grant:{g}:credits")).collect();
    codes.push(format!("programme:{id}:available"));
    let expected = entries_touching(&d, &codes);
    assert_eq!(per_entry.keys().copied().collect::<BTreeSet<i64>>(), expected);
    // Fund, three awards, three spends and a credit note: eight entries.
    assert_eq!(expected.len(), 8, "{rows:?}");
    assert!(!entries_touching(&d, &[format!("programme:{}:available", other.id)]).iter().any(|e| per_entry.contains_key(e)), "not the other programme's");
    assert!(rows.iter().any(|r| r[4].starts_with("provider:") && r[3] == "spend-big"), "the payable leg of a spend comes with it");

    // The same in JSON and XLSX.
    let json = download(&funder, &format!("/programmes/{id}/journal.json"), &format!("computegrants-programme-{id}-journal-all.json")).await.json();
    assert_eq!(json["rows"].as_array().unwrap().len(), rows.len());

    // A period: none of it after today; a date that is not one is refused, clearly.
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let later = download(&funder, &format!("/programmes/{id}/journal.csv?from={tomorrow}"), &format!("computegrants-programme-{id}-journal-from-{tomorrow}.csv")).await;
    assert_eq!(later.csv().1.len(), 0);
    let bad = fetch(&funder, &format!("/programmes/{id}/journal.csv?from=2026-13-45")).await;
    assert_eq!(bad.status, 400);
    assert!(String::from_utf8_lossy(&bad.bytes).contains("is not a date (YYYY-MM-DD)"));
    let backwards = fetch(&funder, &format!("/programmes/{id}/journal.csv?from=2026-02-01&to=2026-01-01")).await;
    assert_eq!(backwards.status, 400);
    assert!(String::from_utf8_lossy(&backwards.bytes).contains("The period ends before it starts."));

    // The command line writes the same journal.
    let out = crate::cli::cli(&d.app.db.url, &["export-programme-journal", "--programme", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), csv.text());
    let out = crate::cli::cli(&d.app.db.url, &["export-programme-journal", "--programme", "999999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No programme 999999"));
}
both_backends!(the_journal_balances_and_covers_exactly_the_programmes_postings);

/// Reads an XLSX file with openpyxl: per sheet row, each cell's value, its Python type and its
/// number format; plus whether the header is bold and where the panes are frozen.
const READ_XLSX: &str = r#"
import json, sys, datetime, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
def cell(c):
    v = c.value
    if isinstance(v, datetime.datetime): v = v.date().isoformat()
    return {"value": v, "type": type(c.value).__name__, "format": c.number_format}
print(json.dumps({"frozen": ws.freeze_panes, "bold": all(c.font.b for c in ws[1]), "rows": [[cell(c) for c in row] for row in ws.iter_rows()]}))
"#;

fn openpyxl_missing() -> Option<String> {
    match std::process::Command::new("python3").args(["-c", "import openpyxl"]).output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => Some(e.to_string()),
    }
}

fn read_xlsx(bytes: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("download.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3").args(["-c", READ_XLSX]).arg(&path).output().unwrap();
    assert!(out.status.success(), "openpyxl could not read the file: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn the_xlsx_holds_real_numbers_and_dates_equal_to_the_json(backend: Backend) {
    if let Some(why) = openpyxl_missing() {
        if std::env::var("COMPUTEGRANTS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("python3 cannot import openpyxl ({why}): pip install openpyxl");
        }
        eprintln!("SKIPPED the_xlsx_holds_real_numbers_and_dates_equal_to_the_json: python3 cannot import openpyxl ({why}); `pip install openpyxl` to run it");
        return;
    }
    let d = dataset(backend, "the_xlsx_holds_real_numbers_and_dates_equal_to_the_json").await;
    let id = d.programme_id;
    let funder = d.app.login(FUNDER).await;

    let xlsx = read_xlsx(&download(&funder, &format!("/programmes/{id}/grants.xlsx"), &format!("computegrants-programme-{id}-grants.xlsx")).await.bytes);
    assert_eq!(xlsx["frozen"], "A2", "the header row is frozen");
    assert_eq!(xlsx["bold"], true, "the header row is bold");
    let rows = xlsx["rows"].as_array().unwrap();
    assert_eq!(rows[0].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect::<Vec<_>>(), ["Grant", "Startup", "Awarded", "Spent", "Remaining", "Currency"]);
    let json = download(&funder, &format!("/programmes/{id}/grants.json"), &format!("computegrants-programme-{id}-grants.json")).await.json();
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), json_rows.len() + 1);
    for (cells, j) in rows[1..].iter().zip(json_rows) {
        assert_eq!(cells[0]["value"], j["grant"]);
        for (i, key) in [(2, "awarded"), (3, "spent"), (4, "remaining")] {
            let cell = &cells[i];
            assert!(matches!(cell["type"].as_str(), Some("float" | "int")), "{key} is a number cell: {cell}");
            assert_eq!(cell["format"], "#,##0.00");
            let cents = (cell["value"].as_f64().unwrap() * 100.0).round() as i64;
            assert_eq!(cents, Amount::parse(j[key]["amount"].as_str().unwrap()).unwrap().cents(), "{key} of {}", j["grant"]);
        }
    }
    assert!(rows[1..].iter().any(|r| r[2]["value"].as_f64() == Some(150_000.0) && r[3]["value"].as_f64() == Some(500.0)), "the page's €150,000.00 and €500.00");

    // Dates are date cells; a formula stays text, neutralised.
    let awards = read_xlsx(&download(&funder, "/transparency/awards.xlsx", "computegrants-awards.xlsx").await.bytes);
    let rows = awards["rows"].as_array().unwrap();
    let formula = rows.iter().find(|r| r[0]["value"] == d.grants[1].as_str()).unwrap();
    assert_eq!(formula[1]["value"], "'=HYPERLINK(\"http://evil.test\",\"x\") Ltd");
    assert_eq!(formula[1]["type"], "str");
    assert_eq!(formula[5]["type"], "datetime", "{formula:?}");
    assert_eq!(formula[5]["value"], chrono::Utc::now().date_naive().to_string());
    assert_eq!(formula[5]["format"], "yyyy-mm-dd");

    // Shares are fractions shown as percentages.
    let figures = read_xlsx(&download(&funder, &format!("/programmes/{id}/sovereignty.xlsx"), &format!("computegrants-programme-{id}-sovereignty.xlsx")).await.bytes);
    let hq_eu = figures["rows"].as_array().unwrap().iter().find(|r| r[1]["value"] == "hq-eu").unwrap().clone();
    assert_eq!(hq_eu[3]["value"].as_f64(), Some(700.0));
    assert_eq!(hq_eu[4]["value"].as_f64(), Some(0.7));
    assert_eq!(hq_eu[4]["format"], "0.0%");
}
both_backends!(the_xlsx_holds_real_numbers_and_dates_equal_to_the_json);

async fn a_grants_statement_downloads_for_whoever_sees_the_grant(backend: Backend) {
    let d = dataset(backend, "a_grants_statement_downloads_for_whoever_sees_the_grant").await;
    let grant = computegrants::domain::grants::grant_by_code(&mut d.app.conn(), &d.grants[0]).unwrap().unwrap();
    let startup = d.app.login("founder@lumen.test").await;
    let page = startup.get(&format!("/grants/{}", grant.id)).await.body;
    assert!(page.contains(&format!("href=\"/grants/{}/statement.xlsx\"", grant.id)));
    assert!(page.contains("<dd id=\"balance\">€149,500.00</dd>"), "{page}");
    let name = format!("computegrants-grant-{}-statement", d.grants[0].to_ascii_lowercase());
    let (header, rows) = download(&startup, &format!("/grants/{}/statement.csv", grant.id), &format!("{name}.csv")).await.csv();
    assert_eq!(header, ["Entry", "Date", "Kind", "Description", "Charged", "Credited", "Balance", "Currency"]);
    // The award, the spend and the credit note, oldest first, the balance running to the page's.
    let figures: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[4].as_str(), r[5].as_str(), r[6].as_str())).collect();
    assert_eq!(figures, [("", "150000.00", "150000.00"), ("600.00", "", "149400.00"), ("", "100.00", "149500.00")]);
    assert_eq!(rows[0][3], format!("Credits of grant {} awarded", d.grants[0]), "worded as on the page");
    for who in ["funder@agency.test", "billing@alpha.test"] {
        let c = d.app.login(who).await;
        assert_eq!(download(&c, &format!("/grants/{}/statement.json", grant.id), &format!("{name}.json")).await.json()["rows"].as_array().unwrap().len(), 3, "{who}");
    }
    for who in ["founder@petit.test", "billing@berg.test"] {
        let c = d.app.login(who).await;
        assert_eq!(fetch(&c, &format!("/grants/{}/statement.csv", grant.id)).await.status, 404, "{who} does not see another's grant");
    }
}
both_backends!(a_grants_statement_downloads_for_whoever_sees_the_grant);

async fn an_uploads_usage_lines_download_with_their_exact_costs(backend: Backend) {
    let mut s = crate::journey::programme_with_application(backend, "an_uploads_usage_lines_download_with_their_exact_costs").await;
    let code = crate::journey::approve(&mut s, "40000").await;
    s.provider.refresh_csrf("/usage/new").await;
    let r = s.provider.upload("october.csv", &crate::helpers::usage_csv(&code, &["10.123456789012", "-2.50", "5"])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let upload: computegrants::domain::UploadId = crate::helpers::id_from(&r.location);
    let page = s.provider.get(&format!("/usage/{upload}")).await.body;
    assert!(page.contains(&format!("href=\"/usage/{upload}/lines.csv\"")));
    let (header, rows) = download(&s.provider, &format!("/usage/{upload}/lines.csv"), &format!("computegrants-upload-{upload}-lines.csv")).await.csv();
    assert_eq!(header, ["Line", "Grant", "Service", "Quantity", "Unit", "Billed cost"]);
    let costs: Vec<&str> = rows.iter().map(|r| r[5].as_str()).collect();
    assert_eq!(costs.len(), 3);
    assert!(costs[0].starts_with("10.123456789012"), "every digit kept: {costs:?}");
    assert!(rows.iter().all(|r| r[1] == code && r[3] == "1.5"), "{rows:?}");
    let json = download(&s.provider, &format!("/usage/{upload}/lines.json"), &format!("computegrants-upload-{upload}-lines.json")).await.json();
    assert_eq!(json["columns"][5]["kind"], "decimal");
    assert_eq!(json["rows"][0]["billed_cost"].as_str(), Some(costs[0]));
    if openpyxl_missing().is_none() {
        let xlsx = read_xlsx(&download(&s.provider, &format!("/usage/{upload}/lines.xlsx"), &format!("computegrants-upload-{upload}-lines.xlsx")).await.bytes);
        assert_eq!(xlsx["rows"][1][5]["value"].as_f64(), Some(10.123456789012), "a number cell");
    }
    for c in [&s.startup, &s.funder] {
        assert_eq!(fetch(c, &format!("/usage/{upload}/lines.csv")).await.status, 404, "the provider's and admins' only");
    }
}
both_backends!(an_uploads_usage_lines_download_with_their_exact_costs);

async fn the_de_minimis_register_downloads_as_xlsx_and_json_for_its_funder(backend: Backend) {
    let mut s = crate::journey::programme_with_application(backend, "the_de_minimis_register_downloads_as_xlsx_and_json_for_its_funder").await;
    let code = crate::journey::approve(&mut s, "40000").await;
    let list = s.funder.get("/programmes").await.body;
    assert!(list.contains("href=\"/funder/de-minimis.xlsx\"") && list.contains("href=\"/funder/de-minimis.json\""));
    let json = download(&s.funder, "/funder/de-minimis.json", "computegrants-de-minimis-awards.json").await.json();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["aid_id"], code.as_str());
    assert_eq!(rows[0]["amount"], serde_json::json!({"amount": "40000.00", "currency": "EUR"}));
    assert_eq!(rows[0]["granted_on"], chrono::Utc::now().date_naive().to_string());
    // The CSV is the same register, with its machine headers.
    let csv = s.funder.get("/funder/de-minimis.csv").await.body;
    assert!(csv.contains(&format!("{code},")) && csv.contains(",40000.00,EUR,"), "{csv}");
    if openpyxl_missing().is_none() {
        let xlsx = read_xlsx(&download(&s.funder, "/funder/de-minimis.xlsx", "computegrants-de-minimis-awards.xlsx").await.bytes);
        assert_eq!(xlsx["rows"][0][0]["value"], "Aid ID");
        assert_eq!(xlsx["rows"][1][5]["value"].as_f64(), Some(40000.0));
        assert_eq!(xlsx["rows"][1][7]["type"], "datetime");
    }
    for c in [&s.startup, &s.provider] {
        assert_eq!(fetch(c, "/funder/de-minimis.xlsx").await.status, 404, "funders only");
    }
}
both_backends!(the_de_minimis_register_downloads_as_xlsx_and_json_for_its_funder);

/// The postings of a downloaded journal, header left out.
fn journal_rows(d: &Download) -> Vec<Vec<String>> {
    d.csv().1
}

async fn the_journal_follows_an_invoice_through_hold_approval_and_payment(backend: Backend) {
    let (mut s, code, upload) = crate::invoices::held_usage(backend, "the_journal_follows_an_invoice_through_hold_approval_and_payment").await;
    let id = s.programme_id;
    let journal = format!("/programmes/{id}/journal.csv");
    let name = format!("computegrants-programme-{id}-journal-all.csv");
    // The usage is held: a reservation, not a movement, so not in the journal yet.
    let held = journal_rows(&download(&s.funder, &journal, &name).await);
    let kinds: BTreeSet<&str> = held.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(held.len(), 4, "the budget's funding and the award, two postings each: {held:?}");
    assert!(!held.iter().any(|r| r[4].starts_with("provider:")), "no payable yet: {kinds:?}");

    let invoice = crate::helpers::ubl_invoice("INV-J1", "Test GPU Cloud SAS", "Test Funding Agency", &[(code.as_str(), "120.50")]);
    let path = s.provider.upload_invoice(&upload, "INV-J1.xml", &invoice).await.location.unwrap();
    let invoice_id = path.rsplit('/').next().unwrap().to_string();
    s.funder.refresh_csrf(&path).await;
    assert_eq!(s.funder.post(&format!("{path}/approve"), &[]).await.status, 303);
    let approved = journal_rows(&download(&s.funder, &journal, &name).await);
    let payable: Vec<&Vec<String>> = approved.iter().filter(|r| r[4].starts_with("provider:")).collect();
    assert_eq!(payable.len(), 1, "{approved:?}");
    assert_eq!((payable[0][5].as_str(), payable[0][6].as_str()), ("", "120.50"), "the provider is owed the approved usage");
    let entry = &payable[0][0];
    let grant_leg = approved.iter().find(|r| &r[0] == entry && r[4] == format!("grant:{code}:credits")).expect("the grant's leg of the same entry");
    assert_eq!(grant_leg[5], "120.50");

    // Paying the provider moves payable to settled: no programme account, so not in the journal.
    s.funder.refresh_csrf("/invoices").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let r = s
        .funder
        .post(
            "/settlements",
            &[("invoice", invoice_id.as_str()), ("paid_on", today.as_str()), ("reference", "CG batch"), ("debtor_iban", "FR76 3000 4000 0312 3456 7890 143"), ("debtor_bic", "BNPAFRPP")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let paid = journal_rows(&download(&s.funder, &journal, &name).await);
    assert_eq!(paid, approved, "the payment is not the programme's");
    assert!(!paid.iter().any(|r| r[4].contains(":settled")));
}
both_backends!(the_journal_follows_an_invoice_through_hold_approval_and_payment);

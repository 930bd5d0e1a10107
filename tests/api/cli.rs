//! The command line: the demo data verifies, `verify` names a broken entry and exits non-zero,
//! and `admin create-user` reads the password from standard input.

use crate::helpers::{Backend, TestDb};
use crate::both_backends;
use computegrants::domain::{demo, identity};
use diesel::connection::SimpleConnection;
use std::io::Write;
use std::process::{Command, Stdio};

/// The command in English whatever the machine's language (tests read its words).
pub fn cli(db_url: &str, args: &[&str]) -> std::process::Output {
    cli_in("C", db_url, args)
}

fn cli_in(lang: &str, db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_computegrants"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .arg("--database-url")
        .arg(db_url)
        .args(args)
        .output()
        .unwrap()
}

async fn demo_data_verifies_and_tampering_is_named(backend: Backend) {
    let db = TestDb::new(backend, "demo_data_verifies_and_tampering_is_named");
    let mut conn = db.connect();
    let logins = demo::load(&mut conn).unwrap();
    assert_eq!(demo::load(&mut conn).unwrap(), logins, "loading twice changes nothing");
    for (_, email) in &logins {
        assert!(identity::authenticate(&mut conn, email, demo::DEMO_PASSWORD).unwrap().is_some(), "{email} can sign in");
    }
    let ok = cli(&db.url, &["verify"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ledger OK: 11 entries, 18 postings"), "{}", String::from_utf8_lossy(&ok.stdout));
    // The command line speaks the environment's language.
    let fr = cli_in("fr_FR.UTF-8", &db.url, &["verify"]);
    assert!(String::from_utf8_lossy(&fr.stdout).contains("grand livre vérifié\u{202f}: 11 écritures, 18 mouvements"), "{}", String::from_utf8_lossy(&fr.stdout));

    let drop = match backend {
        Backend::Sqlite => "DROP TRIGGER ledger_postings_no_update;",
        Backend::Postgres => "DROP TRIGGER ledger_postings_append_only ON ledger_postings;",
    };
    conn.batch_execute(drop).unwrap();
    conn.batch_execute("UPDATE ledger_postings SET amount = amount + 100 WHERE entry_id = 5").unwrap();
    let bad = cli(&db.url, &["verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("entry 5"), "{stderr}");
}
both_backends!(demo_data_verifies_and_tampering_is_named);

#[test]
fn admin_create_user_reads_the_password_from_stdin() {
    let db = TestDb::new(Backend::Sqlite, "admin_create_user");
    let mut child = Command::new(env!("CARGO_BIN_EXE_computegrants"))
        .args(["--database-url", &db.url, "admin", "create-user", "--email", "Ops@Agency.eu", "--role", "admin", "--org", "Operations"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-sufficiently-long-password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut conn = db.connect();
    let user = identity::authenticate(&mut conn, "ops@agency.eu", "a-sufficiently-long-password").unwrap().expect("user can sign in");
    assert!(user.password_hash.starts_with("$argon2id$"), "argon2id: {}", user.password_hash);
    let refused = cli(&db.url, &["admin", "create-user", "--email", "x@y.eu", "--role", "wizard", "--org", "X"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role"));
}

fn inspect(path: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    inspect_in(path, "en_GB.UTF-8")
}

/// `inspect --format json` with the language of the environment set to `lang` (as `LANG`).
fn inspect_in(path: &std::path::Path, lang: &str) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_computegrants"))
        .arg("inspect")
        .arg(path)
        .args(["--format", "json"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), json)
}

#[test]
#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]
fn inspect_reports_every_shared_fixture_and_refuses_bad_files() {
    let shared = std::path::Path::new(env!("COMPUTEGRANTS_FIXTURES_DIR"));
    let (code, json) = inspect(&shared.join("einvoice/ubl-tc434-example1.xml"));
    assert_eq!(code, Some(0));
    assert_eq!(json["kind"], "ubl_invoice");
    assert_eq!(json["number"], "12115118");
    assert_eq!(json["currency"], "EUR");
    assert_eq!(json["lines"], 20);
    assert_eq!(json["totals"]["tax_inclusive"], "250.33");
    assert_eq!(json["totals"]["payable"], "250.33");
    assert_eq!(json["problems"].as_array().unwrap().len(), 0);
    let (code, json) = inspect(&shared.join("einvoice/CII_example1.xml"));
    assert_eq!((code, json["kind"].as_str(), json["totals"]["tax"].as_str()), (Some(0), Some("cii_invoice"), Some("20.73")));
    let (code, json) = inspect(&shared.join("einvoice/ubl-tc434-creditnote1.xml"));
    assert_eq!((code, json["kind"].as_str(), json["totals"]["payable"].as_str()), (Some(0), Some("ubl_credit_note"), Some("100.11")));
    let (code, json) = inspect(&shared.join("focus/focus-1.0-sample-1000.csv"));
    assert_eq!(code, Some(0));
    assert_eq!(json["kind"], "focus");
    assert_eq!(json["lines"], 1000);
    assert_eq!(json["totals"]["billed_cost"], "20.52022672899");

    let dir = tempfile::tempdir().unwrap();
    // Problems: exit 1, each with rule, location, message.
    let broken = std::fs::read_to_string(shared.join("einvoice/ubl-tc434-example1.xml")).unwrap().replace(">250.33</cbc:PayableAmount>", ">250.30</cbc:PayableAmount>");
    std::fs::write(dir.path().join("broken.xml"), broken).unwrap();
    let (code, json) = inspect(&dir.path().join("broken.xml"));
    assert_eq!(code, Some(1));
    let problem = &json["problems"][0];
    assert_eq!(problem["rule"], "BR-CO-16");
    assert!(problem["location"].as_str().unwrap().contains("/Invoice"));
    assert!(problem["message"].as_str().unwrap().contains("250.30"));
    assert_eq!(problem["code"], "einvoice-amount-due-mismatch");
    assert_eq!((problem["args"]["stated"].as_str(), problem["args"]["expected"].as_str()), (Some("250.30"), Some("250.33")));
    // The same problem in French, the language of LANG=fr_FR.UTF-8: amounts with a decimal comma.
    let (_, french) = inspect_in(&dir.path().join("broken.xml"), "fr_FR.UTF-8");
    let problem = &french["problems"][0];
    assert_eq!(problem["code"], "einvoice-amount-due-mismatch");
    assert!(problem["message"].as_str().unwrap().starts_with("le montant à payer (BT-115) est de 250,30"), "{problem}");
    std::fs::write(dir.path().join("usage.csv"), "BilledCost,BillingCurrency\n1,EUR\n").unwrap();
    assert_eq!(inspect(&dir.path().join("usage.csv")).0, Some(1));
    // Unreadable: exit 2, with the reason.
    std::fs::write(dir.path().join("xxe.xml"), r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>"#).unwrap();
    let (code, json) = inspect(&dir.path().join("xxe.xml"));
    assert_eq!(code, Some(2));
    assert!(json["error"].as_str().unwrap().contains("DTD"), "{json}");
    assert_eq!(json["code"], "einvoice-dtd");
    assert_eq!(inspect(&dir.path().join("missing.csv")).0, Some(2));
}

/// A backup taken while writers are busy is a consistent database: it migrates, verifies, and
/// holds at least what was committed before it started.
#[test]
fn a_backup_under_write_load_restores_and_verifies() {
    use computegrants::ledger::{self, AccountSpec, LimitRule, Side};
    let db = TestDb::new(Backend::Sqlite, "a_backup_under_write_load_restores_and_verifies");
    let mut conn = db.connect();
    demo::load(&mut conn).unwrap();
    let spec = |code: &str, side| AccountSpec { code: code.into(), owner_kind: "provider", owner_id: 999, purpose: "load", currency: "EUR".into(), normal_side: side, limit: LimitRule::None };
    let source = ledger::open_account(&mut conn, &spec("load:source", Side::Debit)).unwrap().id;
    let sink = ledger::open_account(&mut conn, &spec("load:sink", Side::Credit)).unwrap().id;
    let before: i64 = ledger::verify(&mut conn).unwrap().entries as i64;
    // Writers post entries for as long as the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (url, stop) = (db.url.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut conn = computegrants::db::connect(&url).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 5_000 {
                let e = crate::helpers::entry(&format!("load:{n}")).transfer(source, sink, 100).build();
                computegrants::db::write_transaction(&mut conn, |c| ledger::post(c, &e)).unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.sqlite3");
    let out = cli(&db.url, &["backup", "--output", copy.to_str().unwrap()]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(written > 0, "the writers were busy during the backup");
    // Restored elsewhere: the ledger verifies and holds everything committed before the backup.
    let restored = cli(copy.to_str().unwrap(), &["verify"]);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let mut copy_conn = computegrants::db::connect(copy.to_str().unwrap()).unwrap();
    let entries = ledger::verify(&mut copy_conn).unwrap().entries as i64;
    assert!(entries >= before, "the backup holds {entries} entries, {before} existed before it");
    // A second backup to the same file is refused rather than overwriting it.
    let again = cli(&db.url, &["backup", "--output", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}

/// `usage import` runs the browser's pipeline from the command line: accepted (0), refused
/// with its problems (1), unreadable or unknown provider (2); `--submit` places the holds.
async fn usage_import_runs_the_same_pipeline(backend: Backend) {
    let mut s = crate::journey::programme_with_application(backend, "usage_import_runs_the_same_pipeline").await;
    let code = crate::journey::approve(&mut s, "10000").await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, crate::helpers::usage_csv(&code, &["10.00", "5.25"])).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, crate::helpers::usage_csv(&code, &["abc"])).unwrap();
    let url = s.app.db.url.clone();
    let import = |args: &[&str]| {
        let mut all = vec!["usage", "import"];
        all.extend_from_slice(args);
        cli(&url, &all)
    };
    let out = import(&["--provider", "Test GPU Cloud", "--submit", "--format", "json", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((json["status"].as_str(), json["lines"].as_i64()), (Some("submitted"), Some(2)));
    assert_eq!(json["charges"][0]["charged"], "15.25");
    let out = import(&["--provider", "Test GPU Cloud", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("line 2, column 6 (BilledCost)"), "{}", String::from_utf8_lossy(&out.stdout));
    let out = import(&["--provider", "Nobody", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // The same file again is refused as already submitted.
    let out = import(&["--provider", "Test GPU Cloud", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    // The held amount shows on the startup's grant.
    let home = s.startup.get("/").await.body;
    let at = home.find("/grants/").unwrap();
    let statement = s.startup.get(&home[at..at + home[at..].find('"').unwrap()]).await.body;
    assert!(statement.contains("<dd id=\"held\">€15.25</dd>"), "{statement}");
}
both_backends!(usage_import_runs_the_same_pipeline);

//! The ledger, exported through the CLI, is accepted by hledger and Beancount, and hledger's
//! balances equal the app's own, account by account. The tools are Debian's `hledger` and
//! PyPI's `beancount`; without them the test says so loudly, and fails instead when
//! COMPUTEGRANTS_REQUIRE_TOOLS=1 (as CI sets it).

use crate::both_backends;
use crate::helpers::{Backend, TestDb, entry};
use computegrants::db::{self, AnyConnection};
use computegrants::ledger::export::{journal_account, signed_balance};
use computegrants::ledger::{self, AccountSpec, EntryKind, LimitRule, NewEntry, Resolution, Side};
use computegrants::money::Amount;
use std::collections::BTreeMap;
use std::process::Command;

pub fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        let message = format!("{name} is not installed (Debian hledger; pip install beancount)");
        if std::env::var("COMPUTEGRANTS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{message}");
        }
        eprintln!("\n*** SKIPPED export check with {name}: {message} ***\n");
    }
    found
}

fn generated(key: String, from: i64, to: i64, cents: i64, kind: EntryKind) -> NewEntry {
    entry(key.clone())
        .kind(kind)
        .description(format!("Generated \"{key}\"; with | odd characters"))
        .effective_on(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(cents % 300))
        .actor("generator")
        .transfer(from, to, cents)
        .build()
}

/// About 3,200 entries over 50 accounts: funding, usage, holds posted in part or voided.
fn generate(conn: &mut AnyConnection) -> usize {
    let open = |conn: &mut AnyConnection, code: String, side: Side, limit: LimitRule| {
        let spec = AccountSpec { code, owner_kind: "grant", owner_id: 0, purpose: "generated", currency: "EUR".into(), normal_side: side, limit };
        db::write_transaction(conn, |c| ledger::open_account(c, &spec)).unwrap().id
    };
    let source = open(conn, "funder:1:commitments:EUR".into(), Side::Debit, LimitRule::None);
    let grants: Vec<i64> = (0..40).map(|i| open(conn, format!("grant:G-2026-{i:04}:credits"), Side::Credit, LimitRule::DebitsMustNotExceedCredits)).collect();
    let providers: Vec<i64> = (0..9).map(|i| open(conn, format!("provider:{i}:payable:EUR"), Side::Credit, LimitRule::None)).collect();
    let mut entries: Vec<NewEntry> = grants.iter().enumerate().map(|(i, g)| generated(format!("fund:{i}"), source, *g, 100_000, EntryKind::Fund)).collect();
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    for n in 0..3_100 {
        let g = grants[(next() % 40) as usize];
        let p = providers[(next() % 9) as usize];
        entries.push(generated(format!("usage:{n}"), g, p, 1 + (next() % 1_000) as i64, EntryKind::Usage));
    }
    let mut total = 0;
    for batch in entries.chunks(500) {
        total += db::write_transaction(conn, |c| ledger::post_many(c, batch)).unwrap().len();
    }
    for n in 0..60 {
        let h = db::write_transaction(conn, |c| ledger::hold(c, &generated(format!("hold:{n}"), grants[n % 40], providers[n % 9], 1_000, EntryKind::Usage), None)).unwrap();
        let resolution = match n % 3 {
            0 => Some(Resolution::Post(Some(Amount::from_cents(333)))),
            1 => Some(Resolution::Void),
            _ => None,
        };
        if let Some(r) = resolution {
            db::write_transaction(conn, |c| ledger::resolve_hold(c, h.entry_id, r, &format!("resolve:{n}"), "generator")).unwrap();
            total += 1;
        }
        total += 1;
    }
    total
}

pub fn export(db_url: &str, format: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join(format!("ledger.{format}"));
    let out = Command::new(env!("CARGO_BIN_EXE_computegrants"))
        .args(["--database-url", db_url, "export-journal", "--format", format, "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "export failed: {}", String::from_utf8_lossy(&out.stderr));
    file
}

fn export_is_accepted_by_hledger_and_beancount(backend: Backend) {
    let (has_hledger, has_beancount) = (tool("hledger"), tool("bean-check"));
    if !has_hledger && !has_beancount {
        return;
    }
    let db = TestDb::new(backend, "export_is_accepted_by_hledger_and_beancount");
    let mut conn = db.connect();
    let entries = generate(&mut conn);
    assert!(entries > 3_000);
    ledger::verify(&mut conn).unwrap();
    let dir = tempfile::tempdir().unwrap();

    if has_hledger {
        let file = export(&db.url, "hledger", dir.path());
        let check = Command::new("hledger").arg("-f").arg(&file).args(["check", "-s"]).output().unwrap();
        assert!(check.status.success(), "hledger check -s: {}", String::from_utf8_lossy(&check.stderr));
        let report = Command::new("hledger").arg("-f").arg(&file).args(["bal", "--flat", "-N", "--empty", "-O", "csv"]).output().unwrap();
        assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
        let theirs: BTreeMap<String, String> = String::from_utf8(report.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut cells = l.split("\",\"");
                Some((cells.next()?.trim_matches('"').to_string(), cells.next()?.trim_matches('"').to_string()))
            })
            .collect();
        let ours: BTreeMap<String, String> = ledger::all_accounts(&mut conn)
            .unwrap()
            .iter()
            .map(|a| {
                let cents = signed_balance(a);
                let text = if cents == 0 { "0".to_string() } else { format!("{} EUR", Amount::from_cents(cents).plain()) };
                (journal_account(a), text)
            })
            .collect();
        assert_eq!(theirs.len(), ours.len(), "hledger sees {} accounts, the app has {}", theirs.len(), ours.len());
        for (account, balance) in &ours {
            assert_eq!(theirs.get(account), Some(balance), "balance of {account}");
        }
    }
    if has_beancount {
        let file = export(&db.url, "beancount", dir.path());
        let check = Command::new("bean-check").arg(&file).output().unwrap();
        assert!(check.status.success(), "bean-check: {}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    }
}

both_backends!(sync export_is_accepted_by_hledger_and_beancount);

//! Ledger throughput, printed as figures: `cargo bench --bench ledger`.
//!
//! On SQLite (a file in a temporary folder) and on PostgreSQL when COMPUTEGRANTS_BENCH_POSTGRES_URL
//! (or COMPUTEGRANTS_TEST_POSTGRES_URL) names a server: durable single-entry commits per second,
//! batched postings per second, and `verify` over 1,000,000 postings.
//! BENCH_POSTINGS overrides the size of the verify run.

use computegrants::db::{self, AnyConnection, Backend};
use computegrants::ledger::{self, AccountSpec, EntryKind, Leg, LimitRule, Links, NewEntry, Side};
use computegrants::money::Amount;
use diesel::connection::SimpleConnection;
use std::time::Instant;

const ACCOUNTS: usize = 1_000;

fn entry(key: String, from: i64, to: i64, cents: i64) -> NewEntry {
    NewEntry {
        idempotency_key: key,
        kind: EntryKind::Usage,
        description: "benchmark usage".into(),
        effective_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        actor: "bench".into(),
        links: Links::default(),
        legs: vec![
            Leg { account_id: from, side: Side::Debit, amount: Amount::from_cents(cents) },
            Leg { account_id: to, side: Side::Credit, amount: Amount::from_cents(cents) },
        ],
    }
}

/// A source, 1,000 limited grant accounts funded generously, and a payable account.
fn setup(conn: &mut AnyConnection) -> (i64, Vec<i64>, i64) {
    let open = |conn: &mut AnyConnection, code: String, side: Side, limit: LimitRule| {
        let spec = AccountSpec { code, owner_kind: "grant", owner_id: 0, purpose: "bench", currency: "EUR".into(), normal_side: side, limit };
        db::write_transaction(conn, |c| ledger::open_account(c, &spec)).unwrap().id
    };
    let source = open(conn, "source".into(), Side::Debit, LimitRule::None);
    let payable = open(conn, "payable".into(), Side::Credit, LimitRule::None);
    let grants: Vec<i64> = (0..ACCOUNTS).map(|i| open(conn, format!("grant:{i}"), Side::Credit, LimitRule::DebitsMustNotExceedCredits)).collect();
    let funding: Vec<NewEntry> = grants.iter().enumerate().map(|(i, g)| entry(format!("fund:{i}"), source, *g, 1_000_000_000)).collect();
    db::write_transaction(conn, |c| ledger::post_many(c, &funding)).unwrap();
    (source, grants, payable)
}

fn run(label: &str, url: &str, verify_postings: usize) {
    println!("\n== {label}");
    let mut conn = db::connect(url).unwrap();
    db::run_migrations(&mut conn).unwrap();
    let (_, grants, payable) = setup(&mut conn);

    let singles: usize = std::env::var("BENCH_SINGLES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let started = Instant::now();
    for i in 0..singles {
        let e = entry(format!("single:{i}"), grants[i % ACCOUNTS], payable, 1 + (i % 500) as i64);
        db::write_transaction(&mut conn, |c| ledger::post(c, &e)).unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!("single-entry commits: {singles} in {secs:.2} s = {:.0} commits/s ({:.0} postings/s), one transaction each", singles as f64 / secs, 2.0 * singles as f64 / secs);

    let batch = 5_000;
    let batches = 20;
    let started = Instant::now();
    for b in 0..batches {
        let entries: Vec<NewEntry> = (0..batch).map(|i| entry(format!("batch:{b}:{i}"), grants[(b * batch + i) % ACCOUNTS], payable, 1 + (i % 700) as i64)).collect();
        db::write_transaction(&mut conn, |c| ledger::post_many(c, &entries)).unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let postings = 2 * batch * batches;
    println!("batched: {postings} postings in {secs:.2} s = {:.0} postings/s ({batch} entries a transaction)", postings as f64 / secs);

    // Fill up to the verify size, then time verify over everything.
    let have = 2 * (ACCOUNTS + singles + batch * batches);
    let mut remaining = verify_postings.saturating_sub(have) / 2;
    let mut b = 0;
    let started = Instant::now();
    while remaining > 0 {
        let n = remaining.min(10_000);
        let entries: Vec<NewEntry> = (0..n).map(|i| entry(format!("fill:{b}:{i}"), grants[i % ACCOUNTS], payable, 1 + (i % 300) as i64)).collect();
        db::write_transaction(&mut conn, |c| ledger::post_many(c, &entries)).unwrap();
        remaining -= n;
        b += 1;
    }
    println!("filled to {verify_postings} postings in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let report = ledger::verify(&mut conn).unwrap();
    println!(
        "verify: {} entries, {} postings, {} accounts in {:.2} s ({:.0} postings/s)",
        report.entries,
        report.postings,
        report.accounts,
        started.elapsed().as_secs_f64(),
        report.postings as f64 / started.elapsed().as_secs_f64()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists harness-less benches this way.
    }
    let verify_postings: usize = std::env::var("BENCH_POSTINGS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let wanted = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bench.sqlite3").display().to_string();
    if wanted.contains("sqlite") {
        run("SQLite (WAL, synchronous=FULL)", &sqlite, verify_postings);
    }
    if !wanted.contains("postgres") {
        return;
    }

    let pg = std::env::var("COMPUTEGRANTS_BENCH_POSTGRES_URL").or_else(|_| std::env::var("COMPUTEGRANTS_TEST_POSTGRES_URL"));
    match pg {
        Ok(base) if db::Backend::of_url(&base) == Backend::Postgres => {
            let name = format!("cg_bench_{}", std::process::id());
            let mut admin = db::connect(&base).unwrap();
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
            admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
            let url = format!("{}/{name}", base.rsplit_once('/').map(|(p, _)| p).unwrap_or(&base));
            let label = if base.contains("%2F") { "PostgreSQL (Unix socket, synchronous_commit on)" } else { "PostgreSQL (TCP loopback, synchronous_commit on)" };
            run(label, &url, verify_postings);
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
        }
        _ => println!("\n== PostgreSQL: skipped (set COMPUTEGRANTS_BENCH_POSTGRES_URL)"),
    }
}

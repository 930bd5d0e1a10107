//! A provider's month of usage, end to end, beside the database's own bulk loader, in one run:
//! `cargo bench --bench usage_import`.
//!
//! Generates one FOCUS 1.2-shaped file (1,000,000 lines, ~30 columns, ~400 MB; set
//! BENCH_USAGE_LINES to change) billing the demo data's Helios grant at catalogue prices, then
//! times, on the same file:
//! - SQLite: `sqlite3 .import` of the raw CSV into a table (the baseline), and this pipeline (read,
//!   check every line against grants and catalogue, store every line, place the holds);
//! - PostgreSQL (when COMPUTEGRANTS_BENCH_POSTGRES_URL or COMPUTEGRANTS_TEST_POSTGRES_URL is set):
//!   `psql \copy` into a table, and this pipeline.
//! It prints both times, their ratio and the pipeline's peak resident memory (reset before each
//! backend's run). The pipeline runs in this process exactly as `computegrants usage import
//! --submit` runs it.

use computegrants::db::{self, AnyConnection, Backend};
use computegrants::domain::identity;
use computegrants::domain::usage::{self, Source, UploadOutcome};
use diesel::connection::SimpleConnection;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const HEADER: &str = "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ListCost,ListUnitPrice,ContractedCost,PricingQuantity,PricingUnit,ConsumedQuantity,ConsumedUnit,InvoiceId,InvoiceIssuerName,ProviderName,RegionId,ResourceId,ServiceName,ServiceCategory,SkuId,SubAccountId,Tags";

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts the peak-memory count afresh (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One line a second from midnight today for `lines` seconds (grants are valid from the day
/// they are awarded), 0.001 GPU-hour at the catalogue's 2.40 EUR.
fn generate(path: &Path, lines: u64, grant: &str) {
    let today = chrono::Utc::now().date_naive();
    let start = today.and_hms_opt(0, 0, 0).unwrap();
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    writeln!(out, "{HEADER}").unwrap();
    for i in 0..lines {
        // Spread over the day (1M lines: 11-12 a second, from a thousand resources).
        let from = start + chrono::Duration::milliseconds((i as i64 * 86_000_000) / lines as i64);
        let to = from + chrono::Duration::seconds(1);
        let (from, to) = (from.format("%Y-%m-%dT%H:%M:%SZ"), to.format("%Y-%m-%dT%H:%M:%SZ"));
        writeln!(
            out,
            "ACC-0001,Helios GPU Cloud billing,EUR,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,NULL,NVIDIA H100 SXM GPU-hour in Paris-Saclay,Usage-Based,{from},{to},0.0024,0.0024,0.0024,2.40,0.0024,0.001,GPU-hour,0.001,GPU-hour,INV-2026-10-{:04},Helios GPU Cloud SAS,Helios GPU Cloud,fr-par-1,vm-h100-{:06}-{i},NVIDIA H100 SXM,Compute,HEL-H100-SXM,{grant},\"{{\"\"team\"\":\"\"ml\"\",\"\"project\"\":\"\"llm-{}\"\"}}\"",
            i % 50,
            i % 1_000,
            i % 17
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// Migrated, with the demo data; Helios's member and the grant it bills.
fn seeded(url: &str) -> (AnyConnection, identity::Member, String) {
    let mut conn = db::connect(url).unwrap();
    db::run_migrations(&mut conn).unwrap();
    db::without_time_budget(&mut conn).unwrap();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let user = identity::find_user_by_email(&mut conn, "billing@helios-gpu.demo").unwrap().unwrap();
    let helios = identity::member(&mut conn, user.id).unwrap();
    use computegrants::db::schema::grants;
    use diesel::prelude::*;
    let grant: String = grants::table.filter(grants::provider_id.eq(helios.org_id())).select(grants::code).first(&mut conn).unwrap();
    (conn, helios, grant)
}

/// When each phase began, to show where the time goes.
struct Phases {
    started: Instant,
    marks: Vec<(String, f64)>,
}

impl usage::Watch for Phases {
    fn phase(&mut self, phase: usage::JobPhase) {
        self.marks.push((phase.as_str().to_string(), self.started.elapsed().as_secs_f64()));
    }
}

/// The pipeline end to end: seconds, and the peak memory meanwhile.
fn pipeline(conn: &mut AnyConnection, helios: &identity::Member, file: &Path, lines: u64) -> (f64, f64) {
    reset_peak_rss();
    let started = Instant::now();
    let mut phases = Phases { started, marks: Vec::new() };
    let outcome = usage::upload_from(conn, helios, "october.csv", &Source::File(file.to_path_buf()), u64::MAX, &mut phases).unwrap();
    phases.marks.push(("holding".into(), started.elapsed().as_secs_f64()));
    let view = match outcome {
        UploadOutcome::Pending(view) => view,
        UploadOutcome::Refused(r) => panic!("refused: {:?}", &r.problems.shown[..r.problems.shown.len().min(5)]),
    };
    let view = usage::confirm(conn, helios, view.upload.id).unwrap();
    let secs = started.elapsed().as_secs_f64();
    phases.marks.push(("done".into(), secs));
    let shown: Vec<String> = phases.marks.iter().map(|(name, at)| format!("{name} at {at:.2} s")).collect();
    println!("  phases: {}", shown.join(", "));
    assert_eq!(view.upload.line_count as u64, lines);
    (secs, peak_rss_mb())
}

fn columns_ddl() -> String {
    HEADER.split(',').map(|c| format!("\"{c}\" TEXT")).collect::<Vec<_>>().join(", ")
}

fn report(backend: &str, tool: &str, baseline: f64, ours: f64, rss: f64, lines: u64) {
    println!("{backend}: {tool} {baseline:.2} s · pipeline {ours:.2} s ({:.0} lines/s) · ratio {:.2}× · pipeline peak RSS {rss:.0} MB", lines as f64 / ours, ours / baseline);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    computegrants::i18n::init().unwrap();
    let lines: u64 = std::env::var("BENCH_USAGE_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("october.csv");

    // SQLite.
    let url = dir.path().join("bench.sqlite3").display().to_string();
    let (mut conn, helios, grant) = seeded(&url);
    let started = Instant::now();
    generate(&file, lines, &grant);
    let bytes = std::fs::metadata(&file).unwrap().len();
    println!("generated {lines} lines, {:.1} MB, in {:.1} s", bytes as f64 / 1e6, started.elapsed().as_secs_f64());
    let import_db = dir.path().join("import.sqlite3");
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&import_db)
        .arg(format!("CREATE TABLE usage ({});", columns_ddl()))
        .arg(format!(".import --csv --skip 1 {} usage", file.display()))
        .status()
        .expect("sqlite3 on the PATH (Debian package sqlite3)");
    assert!(status.success());
    let baseline = started.elapsed().as_secs_f64();
    let (ours, rss) = pipeline(&mut conn, &helios, &file, lines);
    report("SQLite", "sqlite3 .import", baseline, ours, rss, lines);
    drop(conn);

    // PostgreSQL.
    let pg = std::env::var("COMPUTEGRANTS_BENCH_POSTGRES_URL").or_else(|_| std::env::var("COMPUTEGRANTS_TEST_POSTGRES_URL"));
    let Ok(base) = pg.map_err(|_| ()).and_then(|b| if db::Backend::of_url(&b) == Backend::Postgres { Ok(b) } else { Err(()) }) else {
        println!("PostgreSQL: skipped (set COMPUTEGRANTS_BENCH_POSTGRES_URL)");
        return;
    };
    let name = format!("cg_bench_import_{}", std::process::id());
    let mut admin = db::connect(&base).unwrap();
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').map(|(p, _)| p).unwrap_or(&base));
    let (mut conn, helios, pg_grant) = seeded(&url);
    if pg_grant != grant {
        generate(&file, lines, &pg_grant);
    }
    conn.batch_execute(&format!("CREATE TABLE bulk_usage ({})", columns_ddl())).unwrap();
    let started = Instant::now();
    let status = Command::new("psql")
        .arg(&url)
        .arg("-q")
        .arg("-c")
        .arg(format!("\\copy bulk_usage FROM '{}' WITH (FORMAT csv, HEADER true)", file.display()))
        .status()
        .expect("psql on the PATH");
    assert!(status.success());
    let baseline = started.elapsed().as_secs_f64();
    let (ours, rss) = pipeline(&mut conn, &helios, &file, lines);
    report("PostgreSQL", "psql \\copy", baseline, ours, rss, lines);
    drop(conn);
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
}

//! The pages funders and the public open, at national scale, over real HTTP: `cargo bench --bench pages`.
//!
//! For each size (BENCH_GRANTS grants, default 10,000, and a tenth of it) and each backend
//! (SQLite in a fresh file; PostgreSQL in a fresh database when COMPUTEGRANTS_BENCH_POSTGRES_URL
//! or COMPUTEGRANTS_TEST_POSTGRES_URL names a server), it builds the dataset with the real
//! binary's `demo --scale` (BENCH_CYCLES billing cycles, default 125: about 5,000,000 postings at
//! 10,000 grants, and one grant with a 20,000-entry statement), starts `computegrants serve`,
//! signs in as the funder of the first programme, and then drives each page with 64 concurrent
//! connections for BENCH_SECONDS (default 10), `/healthz` first as the reference of the same run.
//! It prints requests per second, p50 and p99, and each page's share of `/healthz`'s throughput.
//! Pages the server does not have (404) are reported as such, not measured.
//! BENCH_DATABASE_URL measures a database `computegrants demo --scale` built before instead
//! (one size, one backend), since building millions of postings takes longer than measuring.

use diesel::prelude::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 64;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server measured: this build's, or BENCH_SERVER_BINARY (an earlier build, to compare).
fn binary() -> String {
    std::env::var("BENCH_SERVER_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_computegrants").to_string())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Builds the dataset in `url` with the binary, as a user would.
fn build(url: &str, grants: usize, cycles: usize, dir: &std::path::Path) -> Duration {
    let started = Instant::now();
    let status = Command::new(binary())
        .args(["demo", "--scale", &grants.to_string(), "--cycles", &cycles.to_string(), "--statement-entries", "20000"])
        .env("DATABASE_URL", url)
        .current_dir(dir)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "demo --scale failed");
    started.elapsed()
}

fn serve(url: &str, dir: &std::path::Path) -> (Server, String) {
    let port = free_port();
    let child = Command::new(binary())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("USAGE_DIR", dir.join("usage"))
        .env("MAIL_OUTBOX", dir.join("outbox"))
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Server(child), format!("http://127.0.0.1:{port}"))
}

fn csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

async fn signed_in(base: &str, email: &str) -> reqwest::Client {
    let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    for _ in 0..100 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = http.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let token = csrf(&page).expect("a CSRF token on the sign-in page");
    let r = http
        .post(format!("{base}/login"))
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", computegrants::domain::demo::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "sign-in refused");
    http
}

struct Figures {
    requests: usize,
    errors: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// 64 connections asking for `path` as fast as answers come, for `seconds`.
async fn drive(http: &reqwest::Client, base: &str, path: &str, seconds: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        tasks.push(tokio::spawn(async move {
            let (mut times, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < deadline {
                let t = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let (mut times, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (t, e) = task.await.unwrap();
        times.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let at = |q: f64| times.get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1))).copied().unwrap_or_default();
    Figures { requests: times.len(), errors, per_second: times.len() as f64 / elapsed, p50: at(0.50), p99: at(0.99) }
}

async fn measure(label: &str, url: &str, grants: usize, cycles: usize, seconds: u64, reused: bool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("usage")).unwrap();
    std::fs::create_dir_all(dir.path().join("outbox")).unwrap();
    // A database built before (BENCH_DATABASE_URL) is measured as it is: building 5,000,000
    // postings takes longer than measuring them.
    let built = if reused { Duration::ZERO } else { build(url, grants, cycles, dir.path()) };
    let mut conn = computegrants::db::connect(url).unwrap();
    use computegrants::db::schema::{grants as g, ledger_entries, ledger_postings, organisations, programmes};
    let postings: i64 = ledger_postings::table.count().get_result(&mut conn).unwrap();
    let entries: i64 = ledger_entries::table.count().get_result(&mut conn).unwrap();
    let programme: i64 = programmes::table.filter(programmes::name.eq("Scale Compute Call 001")).select(programmes::id).first(&mut conn).unwrap();
    let heavy: i64 = g::table
        .inner_join(organisations::table.on(organisations::id.eq(g::startup_id)))
        .filter(organisations::name.eq("Scale Heavy User"))
        .select(g::id)
        .first(&mut conn)
        .unwrap();
    let heavy_entries: i64 = computegrants::db::schema::ledger_postings::table
        .inner_join(computegrants::db::schema::ledger_accounts::table)
        .filter(computegrants::db::schema::ledger_accounts::owner_kind.eq("grant"))
        .filter(computegrants::db::schema::ledger_accounts::owner_id.eq(heavy))
        .count()
        .get_result(&mut conn)
        .unwrap_or(0);
    let grants: i64 = g::table.count().get_result(&mut conn).unwrap();
    println!("\n== {label}: {grants} grants, {entries} entries, {postings} postings (built in {:.0} s); the long statement has {heavy_entries} entries", built.as_secs_f64());
    let (_server, base) = serve(url, dir.path());
    let http = signed_in(&base, "funder1@scale.demo").await;
    let pages = [
        ("/healthz (reference)", "/healthz".to_string()),
        ("funder dashboard", "/".to_string()),
        ("programme report", format!("/programmes/{programme}")),
        ("sovereignty report", format!("/programmes/{programme}/sovereignty")),
        ("grant statement (long)", format!("/grants/{heavy}")),
        ("public transparency page", "/transparency".to_string()),
    ];
    println!("{:<28} {:>10} {:>8} {:>9} {:>9} {:>13} {:>9}", "page", "requests", "req/s", "p50 ms", "p99 ms", "of /healthz", "first ms");
    let mut reference = f64::NAN;
    for (name, path) in pages {
        // The first visit reads what later visits find kept: its time is what a change costs.
        let started = Instant::now();
        let probe = http.get(format!("{base}{path}")).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
        let first = started.elapsed();
        if probe == 404 {
            println!("{name:<28} (no such page on this server)");
            continue;
        }
        let f = drive(&http, &base, &path, seconds).await;
        if reference.is_nan() {
            reference = f.per_second;
        }
        println!(
            "{name:<28} {:>10} {:>8.0} {:>9.1} {:>9.1} {:>12.2} {:>9.1}{}",
            f.requests,
            f.per_second,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.per_second / reference,
            first.as_secs_f64() * 1e3,
            if f.errors > 0 { format!("  ({} errors)", f.errors) } else { String::new() }
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let grants = env_usize("BENCH_GRANTS", 10_000);
    let cycles = env_usize("BENCH_CYCLES", 125);
    let seconds = env_usize("BENCH_SECONDS", 10) as u64;
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        let label = if url.starts_with("postgres") { "PostgreSQL (built before)" } else { "SQLite (built before)" };
        measure(label, &url, grants, cycles, seconds, true).await;
        return;
    }
    let postgres = std::env::var("COMPUTEGRANTS_BENCH_POSTGRES_URL").or_else(|_| std::env::var("COMPUTEGRANTS_TEST_POSTGRES_URL")).ok();
    for size in [grants / 10, grants] {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}/bench.db", dir.path().display());
        measure("SQLite", &sqlite, size.max(1), cycles, seconds, false).await;
        if let Some(server) = &postgres {
            let name = format!("computegrants_pages_bench_{}", std::process::id());
            let mut admin = computegrants::db::connect(server).unwrap();
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).unwrap();
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).unwrap();
            let url = match server.rsplit_once('/') {
                Some((head, _)) => format!("{head}/{name}"),
                None => server.clone(),
            };
            measure("PostgreSQL", &url, size.max(1), cycles, seconds, false).await;
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).unwrap();
        }
    }
}

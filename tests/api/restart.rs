//! The database goes away under load and comes back; the app recovers by itself.
//!
//! PostgreSQL: a server of the test's own (initdb into a temporary folder, run as the
//! `postgres` user when the tests run as root) is stopped and started again while funders keep
//! creating programmes: its connections die mid-request, new ones are refused for a while. On
//! SQLite, which has no server, the nearest event is another process holding the database file
//! exclusively (a backup, an operator's `sqlite3` shell). In both cases every answer "done" is
//! still true afterwards, nothing half-done is shown as done, and the app serves again without a
//! restart of its own.

use crate::helpers::{Client, PASSWORD};
use computegrants::config::{MailSettings, Settings};
use computegrants::db::{self, schema::programmes};
use computegrants::domain::identity::{self, OrgKind};
use diesel::prelude::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A PostgreSQL server of the test's own.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// `None` (said loudly, or a failure when CI requires every tool) without PostgreSQL's
    /// server programs.
    fn start() -> Option<PrivatePostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|versions| {
            let mut found: Vec<PathBuf> = versions.flatten().map(|v| v.path().join("bin")).filter(|b| b.join("initdb").exists()).collect();
            found.sort();
            found.pop()
        });
        let Some(bin) = bin else {
            if std::env::var("COMPUTEGRANTS_REQUIRE_TOOLS").as_deref() == Ok("1") {
                panic!("PostgreSQL's server programs are not under /usr/lib/postgresql (apt-get install postgresql)");
            }
            eprintln!("\n*** SKIPPED the PostgreSQL restart test: no initdb under /usr/lib/postgresql ***\n");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        // initdb refuses to run as root: the server runs as `postgres`, which must own the folder.
        let as_postgres = running_as_root();
        if as_postgres {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap();
            assert!(status.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = PrivatePostgres { dir, bin, port, as_postgres };
        let data = pg.data();
        pg.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
        pg.ctl("start");
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program).display().to_string();
        let output = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--", &program]).args(args).output().unwrap()
        } else {
            Command::new(&program).args(args).output().unwrap()
        };
        assert!(output.status.success(), "{program} {args:?}: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    }

    fn ctl(&self, action: &str) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        let log = self.dir.path().join("server.log").display().to_string();
        let data = self.data();
        match action {
            "start" => self.run("pg_ctl", &["-D", &data, "-o", &options, "-l", &log, "-w", "start"]),
            // Fast: open transactions are rolled back and every connection is cut, as in a
            // real restart for maintenance.
            _ => self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]),
        }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres?gssencmode=disable", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data();
        let program = self.bin.join("pg_ctl").display().to_string();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--", &program]).args(args).output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// The app, in this process, on `url`; returns its address and the server (stopped when dropped).
fn spawn_app(url: &str) -> (String, computegrants::startup::SpawnedServer) {
    let dead_smtp = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = Settings {
        database_url: url.to_string(),
        bind: "127.0.0.1:0".into(),
        public_url: None,
        secure_cookies: false,
        mail: MailSettings {
            smtp_url: Some(format!("smtp://127.0.0.1:{dead_smtp}")),
            outbox: tempfile::tempdir().unwrap().keep(),
            from: "ComputeGrants <noreply@test.local>".into(),
        },
        pool_size: Some(6),
        trust_forwarded_for: false,
        api_requests_per_minute: computegrants::config::DEFAULT_API_REQUESTS_PER_MINUTE,
        transparency_threshold: computegrants::config::DEFAULT_TRANSPARENCY_THRESHOLD,
        de_minimis: Default::default(),
        usage: computegrants::config::UsageSettings::new(tempfile::tempdir().unwrap().keep()),
    };
    let server = computegrants::Application::spawn(settings).expect("application starts");
    let address = format!("http://127.0.0.1:{}", server.port());
    (address, server)
}

async fn sign_in(base: &str, email: &str) -> Client {
    let mut c = Client {
        base: base.to_string(),
        http: reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap(),
        csrf: String::new(),
    };
    c.refresh_csrf("/login").await;
    assert_eq!(c.post("/login", &[("email", email), ("password", PASSWORD)]).await.status, 303);
    c.refresh_csrf("/programmes/new").await;
    c
}

/// What the writers saw.
#[derive(Default, Debug)]
struct Tally {
    done: Vec<i64>,
    refused: std::collections::BTreeMap<u16, usize>,
    /// When the first write succeeded after the outage began.
    recovered_after: Option<Duration>,
    /// Writes that succeeded after the database was back.
    after_outage: usize,
}

/// Funders create programmes as fast as they can while `outage` runs; returns what they saw.
async fn writers_through<F: std::future::Future<Output = ()>>(base: &str, funders: &[String], outage: F, outage_starts: Instant) -> Tally {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (w, email) in funders.iter().enumerate() {
        let c = sign_in(base, email).await;
        let stop = stop.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut seen: Vec<(Instant, Result<i64, u16>)> = Vec::new();
            let today = chrono::Utc::now().date_naive();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let name = format!("Call {w}-{n}");
                let fields = [
                    ("csrf_token", c.csrf.as_str()),
                    ("name", name.as_str()),
                    ("description", "Credits."),
                    ("currency", "EUR"),
                    ("budget", "1000"),
                    ("max_award", "100"),
                    ("opens_on", &today.to_string()),
                    ("closes_on", &(today + chrono::Duration::days(30)).to_string()),
                ];
                let answer = c.http.post(format!("{}/programmes", c.base)).form(&fields).send().await;
                let outcome = match answer {
                    Ok(r) if r.status().as_u16() == 303 => {
                        let id = r.headers().get("location").and_then(|v| v.to_str().ok()).and_then(|l| l.rsplit('/').next()?.parse().ok()).expect("an id");
                        Ok(id)
                    }
                    Ok(r) => Err(r.status().as_u16()),
                    // The connection itself failed: counted as 0.
                    Err(_) => Err(0),
                };
                seen.push((Instant::now(), outcome));
                actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            }
            seen
        }));
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    outage.await;
    let back = Instant::now();
    // Keep writing for a while after the database is back.
    actix_web::rt::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut tally = Tally::default();
    let mut failed_since: Option<Instant> = None;
    let mut all: Vec<(Instant, Result<i64, u16>)> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_by_key(|(at, _)| *at);
    for (at, outcome) in all {
        match outcome {
            Ok(id) => {
                tally.done.push(id);
                if at > back {
                    tally.after_outage += 1;
                }
                if at > outage_starts && failed_since.is_some() && tally.recovered_after.is_none() {
                    tally.recovered_after = Some(at - outage_starts);
                }
            }
            Err(status) => {
                *tally.refused.entry(status).or_default() += 1;
                failed_since.get_or_insert(at);
            }
        }
    }
    tally
}

fn check(url: &str, tally: &Tally, label: &str) {
    let mut conn = db::connect(url).unwrap();
    let stored: Vec<i64> = programmes::table.select(programmes::id).load(&mut conn).unwrap();
    for id in &tally.done {
        assert!(stored.contains(id), "{label}: programme {id} was answered as created but is not stored");
    }
    assert!(!tally.done.is_empty());
    // Refusals say "busy, try again" (503 with Retry-After): the database's absence is not a
    // bug of ours (it was a 500), and never a success that did not happen.
    for status in tally.refused.keys() {
        assert_eq!(*status, 503, "{label}: refused with {status}");
    }
    eprintln!(
        "{label}: {} programmes created and stored ({} after the outage), refusals by status {:?}, first success after a refusal: {:?}",
        tally.done.len(),
        tally.after_outage,
        tally.refused,
        tally.recovered_after
    );
}

fn funders_on(url: &str, n: usize) -> Vec<String> {
    let mut conn = db::connect(url).unwrap();
    db::run_migrations(&mut conn).unwrap();
    (0..n)
        .map(|i| {
            let email = format!("funder{i}@restart.test");
            identity::create_member(&mut conn, OrgKind::Funder, &format!("Agency {i}"), &email, "Funder", PASSWORD).unwrap();
            email
        })
        .collect()
}

#[actix_web::test]
#[cfg_attr(computegrants_no_postgres, ignore = "needs PostgreSQL: set COMPUTEGRANTS_TEST_POSTGRES_URL (CI does)")]
async fn postgres_restarted_under_load() {
    let Some(pg) = PrivatePostgres::start() else { return };
    let pg = std::sync::Arc::new(pg);
    let url = pg.url();
    let funders = funders_on(&url, 4);
    let (base, _server) = spawn_app(&url);
    let started = Instant::now();
    let server = pg.clone();
    let outage = async move {
        let stopping = server.clone();
        actix_web::rt::task::spawn_blocking(move || stopping.ctl("stop")).await.unwrap();
        actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
        actix_web::rt::task::spawn_blocking(move || server.ctl("start")).await.unwrap();
    };
    let tally = writers_through(&base, &funders, outage, started + Duration::from_millis(500)).await;
    check(&url, &tally, "PostgreSQL restarted");
    assert!(tally.after_outage > 0, "the app served writes again after the restart, by itself");
    // And it still answers its health check and pages.
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[actix_web::test]
async fn sqlite_file_held_by_another_process_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("app.sqlite3").display().to_string();
    let funders = funders_on(&url, 4);
    let (base, _server) = spawn_app(&url);
    let started = Instant::now();
    let holder_url = url.clone();
    let outage = async move {
        // Another process (here a thread with its own connection, as `sqlite3` would be)
        // takes the write lock and keeps it for two seconds.
        let held = std::thread::spawn(move || {
            use diesel::connection::SimpleConnection;
            let mut conn = db::connect(&holder_url).unwrap();
            conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
            std::thread::sleep(Duration::from_secs(2));
            conn.batch_execute("COMMIT").unwrap();
        });
        while !held.is_finished() {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        held.join().unwrap();
    };
    let tally = writers_through(&base, &funders, outage, started + Duration::from_millis(500)).await;
    check(&url, &tally, "SQLite file held");
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

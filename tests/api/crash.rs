//! The server process killed with SIGKILL in the middle of work, on both backends: a usage
//! import (upload and submission, which holds the charges), an application's submission and a funder's approval run at
//! once, the process dies at a different moment each round, and it is started again. Each
//! piece of work happened entirely or not at all, every answer "done" that reached a client
//! is still true after the restart, and the ledger verifies.

use crate::both_backends;
use crate::helpers::{Backend, Client, PASSWORD, TestDb, usage_csv};
use computegrants::db::schema::{applications, grants, ledger_entries, usage_uploads};
use computegrants::domain::identity::{self, CompanyDetails, OrgKind};
use diesel::prelude::*;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The real binary, serving the test's database, with mail to a port where nobody listens (mail
/// waits in the outbox, which is what is checked).
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(db_url: &str, port: u16) -> Server {
        Server::start_with(db_url, port, &[]).await
    }

    async fn start_with(db_url: &str, port: u16, env: &[(&str, String)]) -> Server {
        let dead_smtp = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_computegrants"))
            .args(["--database-url", db_url, "serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("SMTP_URL", format!("smtp://127.0.0.1:{dead_smtp}"))
            .env("LANG", "C")
            .env("RUST_LOG", "off")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        for _ in 0..200 {
            if probe.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Server { child, base };
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start on {base}");
    }

    /// SIGKILL: no shutdown, no flushing, no rollback but the database's own.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(base: &str) -> Client {
    Client {
        base: base.to_string(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
        csrf: String::new(),
    }
}

async fn sign_in(base: &str, email: &str) -> Client {
    let mut c = client(base);
    c.refresh_csrf("/login").await;
    let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303, "{email}: {}", r.body);
    c
}

/// Points a signed-in client (its cookies survive the restart) at the new server.
fn moved(c: &Client, base: &str) -> Client {
    Client { base: base.to_string(), http: c.http.clone(), csrf: c.csrf.clone() }
}

/// A request that may be cut off by the kill: its status, or `None` when no answer arrived.
async fn try_post(c: &Client, path: &str, fields: &[(&str, &str)]) -> Option<(u16, Option<String>)> {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", c.csrf.as_str())];
    all.extend_from_slice(fields);
    let r = c.http.post(format!("{}{path}", c.base)).form(&all).send().await.ok()?;
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Some((r.status().as_u16(), location))
}

async fn try_upload(c: &Client, name: &str, content: String) -> Option<(u16, Option<String>)> {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", c.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(content.into_bytes()).file_name(name.to_string()).mime_str("text/csv").unwrap());
    let r = c.http.post(format!("{}/usage", c.base)).multipart(form).send().await.ok()?;
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Some((r.status().as_u16(), location))
}

const ROUNDS: usize = 12;

async fn a_killed_server_leaves_all_or_nothing(backend: Backend) {
    let db = TestDb::new(backend, "a_killed_server_leaves_all_or_nothing");
    let mut conn = db.connect();
    identity::create_member(&mut conn, OrgKind::Funder, "Crash Agency", "funder@crash.test", "Funder", PASSWORD).unwrap();
    let provider = identity::create_member(&mut conn, OrgKind::Provider, "Crash Cloud", "billing@crash.test", "Billing", PASSWORD).unwrap();
    crate::helpers::add_catalogue(&mut conn, &provider);
    let startups: Vec<String> = (0..=ROUNDS).map(|i| format!("founder{i}@crash.test")).collect();
    for (i, email) in startups.iter().enumerate() {
        let m = identity::create_member(&mut conn, OrgKind::Startup, &format!("Crash Startup {i}"), email, "Founder", PASSWORD).unwrap();
        let details = CompanyDetails { legal_name: &format!("Crash Startup {i} SAS"), country: "FR", registration_number: "552 100 554" };
        identity::register_company(&mut conn, m.org_id(), &details).unwrap();
    }
    drop(conn);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Server::start(&db.url, port).await;

    // A programme and one approved grant for the provider to bill, before any kill.
    let mut funder = sign_in(&server.base, "funder@crash.test").await;
    funder.refresh_csrf("/programmes/new").await;
    let today = chrono::Utc::now().date_naive();
    let r = funder
        .post(
            "/programmes",
            &[
                ("name", "Crash Call"),
                ("description", "Credits."),
                ("currency", "EUR"),
                ("budget", "1000000"),
                ("max_award", "50000"),
                ("opens_on", &today.to_string()),
                ("closes_on", &(today + chrono::Duration::days(30)).to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let programme = r.location.unwrap();
    let apply = |c: &Client| {
        let (c, path) = (c.clone_for_test(), format!("{programme}/apply"));
        let provider_id = provider.org_id().to_string();
        async move { try_post(&c, &path, &[("requested", "20000"), ("purpose", "Training a speech model for public services."), ("hardware", "GPU"), ("provider_id", &provider_id)]).await }
    };
    let mut first = sign_in(&server.base, &startups[0]).await;
    first.refresh_csrf(&format!("{programme}/apply")).await;
    let r = first.post(&format!("{programme}/apply"), &[("requested", "20000"), ("purpose", "Training a speech model for public services."), ("hardware", "GPU"), ("provider_id", &provider.org_id().to_string())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let first_application = r.location.unwrap();
    funder.refresh_csrf(&first_application).await;
    assert_eq!(try_post(&funder, &format!("{first_application}/decide"), &[("decision", "approve"), ("amount", "20000")]).await.unwrap().0, 303);
    first.refresh_csrf(&first_application).await;
    assert_eq!(try_post(&first, &format!("{first_application}/accept"), &[("declaration", "yes")]).await.unwrap().0, 303, "the offer is accepted");
    let code: String = grants::table.select(grants::code).first(&mut db.connect()).unwrap();
    let mut provider_client = sign_in(&server.base, "billing@crash.test").await;
    provider_client.refresh_csrf("/usage/new").await;

    // Each round: the previous round's application is approved while a new one is submitted and
    // a usage file is uploaded and posted; the process dies after a different delay each time.
    let mut pending_application: Option<String> = None;
    let mut done_answers: Vec<String> = Vec::new();
    for round in 1..=ROUNDS {
        let mut startup = sign_in(&server.base, &startups[round]).await;
        startup.refresh_csrf(&format!("{programme}/apply")).await;
        if let Some(app) = &pending_application {
            funder.refresh_csrf(app).await;
        }
        provider_client.refresh_csrf("/usage/new").await;
        let submission = actix_web::rt::spawn(apply(&startup));
        let approval = pending_application.clone().map(|app| {
            let f = funder.clone_for_test();
            actix_web::rt::spawn(async move { (app.clone(), try_post(&f, &format!("{app}/decide"), &[("decision", "approve"), ("amount", "1000")]).await) })
        });
        let import = {
            let p = provider_client.clone_for_test();
            let csv = usage_csv(&code, &[&format!("{round}.25"), "3.50"]);
            actix_web::rt::spawn(async move {
                let uploaded = try_upload(&p, &format!("round-{round}.csv"), csv).await;
                let Some((303, Some(upload))) = uploaded else { return (None, uploaded) };
                let confirm = try_post(&p, &format!("{upload}/confirm"), &[]).await;
                (Some(upload), confirm)
            })
        };
        // 4, 7, 10 … 37 ms: before, in the middle of, and after the work (about 30 ms here).
        actix_web::rt::time::sleep(Duration::from_millis(1 + 3 * round as u64)).await;
        server.kill();
        let (status, location) = submission.await.unwrap().unwrap_or((0, None));
        if status == 303 {
            done_answers.push(format!("submitted {}", location.clone().unwrap()));
        }
        if let Some(approval) = approval {
            let (app, answer) = approval.await.unwrap();
            if answer.is_some_and(|(s, _)| s == 303) {
                done_answers.push(format!("approved {app}"));
            }
        }
        let (upload, confirm) = import.await.unwrap();
        if let (Some(upload), Some((303, _))) = (&upload, confirm) {
            done_answers.push(format!("held {upload}"));
        }
        eprintln!("crash round {round}: killed after {} ms; answers \"done\" so far: {}", 1 + 3 * round, done_answers.len());
        server = Server::start(&db.url, port).await;
        funder = moved(&funder, &server.base);
        provider_client = moved(&provider_client, &server.base);
        // The next round approves this round's application if it was saved.
        pending_application = (status == 303).then(|| location.unwrap());
        check_all_or_nothing(&db, &done_answers, round);
    }
    server.kill();
}
both_backends!(a_killed_server_leaves_all_or_nothing);

/// What the database holds after a kill and restart.
fn check_all_or_nothing(db: &TestDb, done: &[String], round: usize) {
    let mut conn = db.connect();
    db.verify_ledger().unwrap_or_else(|e| panic!("round {round}: the ledger does not verify: {e}"));
    // Approvals are offers: each offered (or accepted) application has its hold on the budget
    // and its offer notification; only the accepted one has a grant and an award entry.
    let offered: Vec<i64> =
        applications::table.filter(applications::status.eq_any(["offered", "approved"])).select(applications::id).load(&mut conn).unwrap();
    let approved: Vec<i64> = applications::table.filter(applications::status.eq("approved")).select(applications::id).order(applications::id).load(&mut conn).unwrap();
    let granted: Vec<i64> = grants::table.select(grants::application_id).order(grants::application_id).load(&mut conn).unwrap();
    assert_eq!(approved, granted, "round {round}: every accepted application, and only those, has a grant");
    let awards: i64 = ledger_entries::table.filter(ledger_entries::kind.eq("award")).count().get_result(&mut conn).unwrap();
    assert_eq!(awards as usize, approved.len(), "round {round}: one award entry per grant");
    let offer_holds: i64 = ledger_entries::table.filter(ledger_entries::kind.eq("offer")).filter(ledger_entries::phase.eq("pending")).count().get_result(&mut conn).unwrap();
    assert_eq!(offer_holds as usize, offered.len(), "round {round}: one hold per offer");
    let told: i64 = computegrants::db::schema::notifications::table.filter(computegrants::db::schema::notifications::kind.eq("offer")).count().get_result(&mut conn).unwrap();
    assert_eq!(told as usize, offered.len(), "round {round}: one offer notification per offer");
    // Imports: a submitted upload has its holds; a pending one has none.
    let uploads: Vec<(i64, String)> = usage_uploads::table.select((usage_uploads::id, usage_uploads::status)).load(&mut conn).unwrap();
    for (id, status) in &uploads {
        let entries: i64 = ledger_entries::table.filter(ledger_entries::usage_upload_id.eq(id)).count().get_result(&mut conn).unwrap();
        match status.as_str() {
            "submitted" => assert!(entries > 0, "round {round}: upload {id} is submitted without holds"),
            _ => assert_eq!(entries, 0, "round {round}: upload {id} is {status} but has entries"),
        }
    }
    // Every "done" a client received is still true.
    for answer in done {
        let (what, path) = answer.split_once(' ').unwrap();
        let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let holds = match what {
            "submitted" => applications::table.find(id).count().get_result::<i64>(&mut conn).unwrap() == 1,
            "approved" => offered.contains(&id),
            "held" => uploads.iter().any(|(u, s)| *u == id && s == "submitted"),
            _ => unreachable!(),
        };
        assert!(holds, "round {round}: the client was told {answer:?} but it is not so");
    }
}

/// A large usage file checked by the background job, the server killed while the job runs
/// (at a different moment each round), then started again: the job is picked up again and
/// finishes with the whole file stored, or nothing of it, and the ledger verifies.
async fn a_killed_import_job_resumes_after_restart(backend: Backend) {
    use computegrants::db::schema::{usage_jobs, usage_lines};
    let db = TestDb::new(backend, "a_killed_import_job_resumes_after_restart");
    let mut conn = db.connect();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let password = computegrants::domain::demo::DEMO_PASSWORD;
    let helios = identity::find_user_by_email(&mut conn, "billing@helios-gpu.demo").unwrap().unwrap();
    let code: String = grants::table.filter(grants::provider_id.eq(helios.organisation_id)).select(grants::code).first(&mut conn).unwrap();
    drop(conn);
    let files = tempfile::tempdir().unwrap();
    // Every file goes to the background job.
    let env = [("USAGE_INLINE_BYTES", "0".to_string()), ("USAGE_DIR", files.path().display().to_string())];
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Server::start_with(&db.url, port, &env).await;
    const LINES: usize = 20_000;
    let today = chrono::Utc::now().date_naive();
    for (round, delay_ms) in [5u64, 80, 300, 900].into_iter().enumerate() {
        let mut provider = client(&server.base);
        provider.refresh_csrf("/login").await;
        let r = provider.post("/login", &[("email", "billing@helios-gpu.demo"), ("password", password)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        provider.refresh_csrf("/usage/new").await;
        let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ResourceId\n");
        for i in 0..LINES {
            let (h, m) = (i / 60 % 24, i % 60);
            csv.push_str(&format!("{today}T{h:02}:{m:02}:00Z,{today}T{h:02}:{m:02}:59Z,NVIDIA H100 SXM,HEL-H100-SXM,0.001,GPU-hour,0.0024,EUR,{code},crash-{round}-{i}\n"));
        }
        let (status, job) = try_upload(&provider, &format!("round-{round}.csv"), csv).await.expect("the upload is answered before the kill");
        assert_eq!(status, 303);
        let job = job.unwrap();
        actix_web::rt::time::sleep(Duration::from_millis(delay_ms)).await;
        server.kill();
        server = Server::start_with(&db.url, port, &env).await;
        let provider = moved(&provider, &server.base);
        let page = provider.wait_for_job(&job).await;
        assert_eq!(page.status, 303, "round {round}: the job finished after the restart: {}", page.body);
        let mut conn = db.connect();
        let (status, upload, attempts): (String, Option<i64>, i32) = usage_jobs::table
            .filter(usage_jobs::filename.eq(format!("round-{round}.csv")))
            .select((usage_jobs::status, usage_jobs::upload_id, usage_jobs::attempts))
            .first(&mut conn)
            .unwrap();
        assert_eq!(status, "accepted", "round {round}");
        let stored: i64 = usage_lines::table.filter(usage_lines::upload_id.eq(upload.unwrap())).count().get_result(&mut conn).unwrap();
        assert_eq!(stored, LINES as i64, "round {round}: the whole file, once");
        let uploads: i64 = usage_uploads::table.filter(usage_uploads::filename.eq(format!("round-{round}.csv"))).count().get_result(&mut conn).unwrap();
        assert_eq!(uploads, 1, "round {round}: one upload, never a part of one");
        db.verify_ledger().unwrap_or_else(|e| panic!("round {round}: the ledger does not verify: {e}"));
        eprintln!("crash job round {round}: killed {delay_ms} ms after the upload; attempts {attempts}");
    }
    assert_eq!(std::fs::read_dir(files.path()).unwrap().count(), 0, "received files are removed once checked");
    server.kill();
}
both_backends!(a_killed_import_job_resumes_after_restart);

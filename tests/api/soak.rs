//! A soak test: 64 simulated people of every role use the app at once for a while (five minutes
//! in CI), on loopback, with a short pause between clicks. It reports, per route, the requests,
//! the errors (target: none) and the 50th and 99th percentile latencies, and fails on any error.
//!
//! Long, so ignored in an ordinary `cargo test`; CI runs it alone, after the other tests:
//! `cargo test --test api soak -- --ignored --nocapture --test-threads=1`.
//! `COMPUTEGRANTS_SOAK_SECONDS` sets the duration (default 300).

use crate::helpers::{Backend, Client, PASSWORD, TestDb, usage_csv};
use computegrants::config::{MailSettings, Settings};
use computegrants::db::schema::{applications, grants};
use computegrants::domain::identity::{self, CompanyDetails, MemberRole, OrgKind};
use diesel::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Latencies and errors per route, shared by every simulated person.
#[derive(Default)]
struct Figures {
    routes: BTreeMap<String, (Vec<Duration>, usize)>,
    /// The first few errors, to show.
    samples: Vec<String>,
}

type Shared = Arc<Mutex<Figures>>;

/// A small deterministic random source per person (xorshift), so that runs are comparable.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// One person's browser; every request is timed under its route's name.
struct Person {
    c: Client,
    figures: Shared,
    dice: Dice,
}

impl Person {
    async fn request(&mut self, route: &str, method: &str, path: &str, fields: Option<&[(&str, &str)]>, expected: &[u16]) -> Option<(u16, Option<String>, String)> {
        let url = format!("{}{path}", self.c.base);
        let started = Instant::now();
        let sent = match fields {
            None => self.c.http.get(&url).send().await,
            Some(fields) => {
                let mut all: Vec<(&str, &str)> = vec![("csrf_token", self.c.csrf.as_str())];
                all.extend_from_slice(fields);
                self.c.http.post(&url).form(&all).send().await
            }
        };
        let outcome = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
                match r.text().await {
                    Ok(body) => Ok((status, location, body)),
                    Err(e) => Err(format!("{e}")),
                }
            }
            Err(e) => Err(format!("{e}")),
        };
        let elapsed = started.elapsed();
        let mut figures = self.figures.lock().unwrap();
        let label = format!("{method} {route}");
        let entry = figures.routes.entry(label.clone()).or_default();
        entry.0.push(elapsed);
        match outcome {
            Ok((status, location, body)) if expected.contains(&status) => {
                if let Some(token) = crate::helpers::extract_csrf(&body) {
                    self.c.csrf = token;
                }
                Some((status, location, body))
            }
            Ok((status, _, body)) => {
                entry.1 += 1;
                if figures.samples.len() < 10 {
                    figures.samples.push(format!("{label} ({path}): {status} {}", body.chars().take(300).collect::<String>()));
                }
                None
            }
            Err(e) => {
                entry.1 += 1;
                if figures.samples.len() < 10 {
                    figures.samples.push(format!("{label} ({path}): {e}"));
                }
                None
            }
        }
    }

    async fn get(&mut self, route: &str, path: &str) -> Option<String> {
        self.request(route, "GET", path, None, &[200]).await.map(|(_, _, body)| body)
    }

    async fn think(&mut self) {
        // 100 to 500 ms between clicks: quick people.
        let ms = 100 + self.dice.below(400);
        actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// The first `/applications/N` link of a page.
fn first_link(body: &str, prefix: &str) -> Option<String> {
    let start = body.find(&format!("href=\"{prefix}"))? + 6;
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_string())
}

fn spawn_app(url: &str) -> (String, computegrants::startup::SpawnedServer) {
    let settings = Settings {
        database_url: url.to_string(),
        bind: "127.0.0.1:0".into(),
        public_url: None,
        secure_cookies: false,
        mail: MailSettings {
            smtp_url: None,
            outbox: tempfile::tempdir().unwrap().keep(),
            from: "ComputeGrants <noreply@test.local>".into(),
        },
        // The default pool, as a real deployment on this machine would have.
        pool_size: None,
        // Each simulated person comes from an address of their own (as X-Forwarded-For from a
        // proxy says), as 64 people on 64 machines would: sign-in limits are per address.
        trust_forwarded_for: true,
        api_requests_per_minute: computegrants::config::DEFAULT_API_REQUESTS_PER_MINUTE,
        transparency_threshold: computegrants::config::DEFAULT_TRANSPARENCY_THRESHOLD,
        de_minimis: Default::default(),
        usage: computegrants::config::UsageSettings::new(tempfile::tempdir().unwrap().keep()),
    };
    let server = computegrants::Application::spawn(settings).expect("application starts");
    let address = format!("http://127.0.0.1:{}", server.port());
    (address, server)
}

async fn signed_in(base: &str, email: &str, figures: &Shared, seed: u64) -> Person {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", format!("10.0.{}.{}", seed / 250, 1 + seed % 250).parse().unwrap());
    let mut c = Client {
        base: base.to_string(),
        http: reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .unwrap(),
        csrf: String::new(),
    };
    c.refresh_csrf("/login").await;
    if !email.is_empty() {
        let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status, 303, "{email}: {}", r.body);
        c.refresh_csrf("/account").await;
    }
    Person { c, figures: figures.clone(), dice: Dice(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0x2545_F491_4F6C_DD1D)) }
}

struct World {
    /// The call startups apply to (funder 0's).
    programme: String,
    /// Each funder's own call, which its people look after.
    calls: Vec<String>,
    providers: Vec<i64>,
    /// Grant codes per provider index.
    codes: Vec<Vec<String>>,
}

async fn startup_life(mut p: Person, world: Arc<World>, provider: i64, until: Instant) {
    let apply = format!("{}/apply", world.programme);
    while Instant::now() < until {
        match p.dice.below(10) {
            0..=2 => {
                p.get("/", "/").await;
            }
            3 | 4 => {
                p.get("/programmes", "/programmes").await;
            }
            5 | 6 => {
                if let Some(body) = p.get("/applications", "/applications").await {
                    if let Some(link) = first_link(&body, "/applications/") {
                        p.get("/applications/{id}", &link).await;
                    }
                }
            }
            7 => {
                if let Some(body) = p.get("/", "/").await {
                    if let Some(link) = first_link(&body, "/grants/") {
                        p.get("/grants/{id}", &link).await;
                    }
                }
            }
            _ => {
                // Apply; if an application is open already (422), withdraw it instead.
                p.get("/programmes/{id}/apply", &apply).await;
                let provider_id = provider.to_string();
                let fields = [("requested", "500"), ("purpose", "Fine-tuning a model for a public service pilot."), ("hardware", "GPU"), ("provider_id", provider_id.as_str())];
                let answer = p.request("/programmes/{id}/apply", "POST", &apply, Some(&fields), &[303, 422]).await;
                if let Some((422, _, _)) = answer {
                    if let Some(body) = p.get("/applications", "/applications").await {
                        if let Some(link) = first_link(&body, "/applications/") {
                            if p.get("/applications/{id}", &link).await.is_some_and(|b| b.contains("/withdraw\"")) {
                                p.request("/applications/{id}/withdraw", "POST", &format!("{link}/withdraw"), Some(&[]), &[303, 409]).await;
                            }
                        }
                    }
                }
            }
        }
        p.think().await;
    }
}

async fn funder_life(mut p: Person, world: Arc<World>, agency: usize, decides: bool, until: Instant) {
    let call = world.calls[agency].clone();
    while Instant::now() < until {
        match p.dice.below(10) {
            0..=2 => {
                p.get("/", "/").await;
            }
            3..=5 => {
                p.get("/programmes/{id}", &call).await;
            }
            6 => {
                p.get("/organisation", "/organisation").await;
            }
            _ => {
                // Open a pending application and, for those who decide, approve a little.
                if let Some(body) = p.get("/programmes/{id}", &call).await {
                    let pending = body.split("<tr").find(|row| row.contains("/applications/") && (row.contains("submitted") || row.contains("déposée"))).and_then(|row| first_link(row, "/applications/"));
                    if let Some(link) = pending {
                        p.get("/applications/{id}", &link).await;
                        if decides {
                            p.request("/applications/{id}/decide", "POST", &format!("{link}/decide"), Some(&[("decision", "approve"), ("amount", "100"), ("reason", "")]), &[303, 409, 422]).await;
                        }
                    }
                }
            }
        }
        p.think().await;
    }
}

async fn provider_life(mut p: Person, world: Arc<World>, index: usize, person: usize, until: Instant) {
    let mut n = 0u64;
    while Instant::now() < until {
        match p.dice.below(10) {
            0..=2 => {
                p.get("/", "/").await;
            }
            3..=5 => {
                if let Some(body) = p.get("/usage", "/usage").await {
                    if let Some(link) = first_link(&body, "/usage/") {
                        if link != "/usage/new" {
                            p.get("/usage/{id}", &link).await;
                        }
                    }
                }
            }
            6 => {
                p.get("/catalogue", "/catalogue").await;
            }
            _ => {
                // Upload a small usage file for one of its grants, then post it.
                n += 1;
                let codes = &world.codes[index];
                let code = &codes[(p.dice.below(codes.len() as u64)) as usize];
                // Each file differs (the same file twice is refused as a duplicate).
                let cost = format!("0.{person:02}{n:04}");
                let csv = usage_csv(code, &[cost.as_str(), "0.05"]);
                p.get("/usage/new", "/usage/new").await;
                let form = reqwest::multipart::Form::new()
                    .text("csrf_token", p.c.csrf.clone())
                    .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(format!("soak-{index}-{n}.csv")).mime_str("text/csv").unwrap());
                let started = Instant::now();
                let sent = p.c.http.post(format!("{}/usage", p.c.base)).multipart(form).send().await;
                let location = {
                    let mut figures = p.figures.lock().unwrap();
                    let entry = figures.routes.entry("POST /usage".into()).or_default();
                    entry.0.push(started.elapsed());
                    match &sent {
                        Ok(r) if r.status().as_u16() == 303 => r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string),
                        Ok(r) => {
                            entry.1 += 1;
                            let line = format!("POST /usage: {}", r.status());
                            if figures.samples.len() < 10 {
                                figures.samples.push(line);
                            }
                            None
                        }
                        Err(e) => {
                            entry.1 += 1;
                            let line = format!("POST /usage: {e}");
                            if figures.samples.len() < 10 {
                                figures.samples.push(line);
                            }
                            None
                        }
                    }
                };
                if let Some(upload) = location {
                    p.get("/usage/{id}", &upload).await;
                    p.request("/usage/{id}/confirm", "POST", &format!("{upload}/confirm"), Some(&[]), &[303, 409]).await;
                }
            }
        }
        p.think().await;
    }
}

async fn admin_life(mut p: Person, until: Instant) {
    while Instant::now() < until {
        match p.dice.below(3) {
            0 => p.get("/admin", "/admin").await,
            1 => p.get("/admin/audit", "/admin/audit").await,
            _ => p.get("/programmes", "/programmes").await,
        };
        p.think().await;
    }
}

async fn visitor_life(mut p: Person, until: Instant) {
    while Instant::now() < until {
        match p.dice.below(3) {
            0 => p.get("/", "/").await,
            1 => p.get("/login", "/login").await,
            _ => p.get("/signup", "/signup").await,
        };
        p.think().await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn soak(backend: Backend) {
    let seconds: u64 = std::env::var("COMPUTEGRANTS_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let db = TestDb::new(backend, "soak");
    let mut conn = db.connect();
    // 24 startups, 16 people in two funders, 12 in three providers, 4 platform people, 8 visitors.
    let add = |conn: &mut computegrants::db::AnyConnection, kind, org: &str, email: &str, role: MemberRole| {
        let m = identity::create_member(conn, kind, org, email, "Soak Person", PASSWORD).unwrap();
        diesel::update(computegrants::db::schema::users::table.find(m.user.id)).set(computegrants::db::schema::users::role.eq(role.as_str())).execute(conn).unwrap();
        m
    };
    let funder_roles = [MemberRole::Owner, MemberRole::ProgrammeManager, MemberRole::ProgrammeManager, MemberRole::Reviewer, MemberRole::Reviewer, MemberRole::Billing, MemberRole::Member, MemberRole::Auditor];
    let mut funders = Vec::new();
    for f in 0..2 {
        for (i, role) in funder_roles.iter().enumerate() {
            let email = format!("funder{f}-{i}@soak.test");
            add(&mut conn, OrgKind::Funder, &format!("Soak Agency {f}"), &email, if i == 0 { MemberRole::Owner } else { *role });
            funders.push((f, email, matches!(role, MemberRole::Owner | MemberRole::ProgrammeManager)));
        }
    }
    let mut providers = Vec::new();
    let mut provider_ids = Vec::new();
    for p in 0..3 {
        for i in 0..4 {
            let email = format!("provider{p}-{i}@soak.test");
            let m = add(&mut conn, OrgKind::Provider, &format!("Soak Cloud {p}"), &email, if i == 0 { MemberRole::Owner } else { MemberRole::Billing });
            if i == 0 {
                provider_ids.push(m.org_id().get());
                crate::helpers::add_catalogue(&mut conn, &m);
            }
            providers.push((p, email));
        }
    }
    let mut startups = Vec::new();
    for s in 0..24 {
        let email = format!("founder{s}@soak.test");
        let m = add(&mut conn, OrgKind::Startup, &format!("Soak Startup {s}"), &email, MemberRole::Owner);
        identity::register_company(&mut conn, m.org_id(), &CompanyDetails { legal_name: &format!("Soak Startup {s} SAS"), country: "FR", registration_number: "552 100 554" }).unwrap();
        startups.push(email);
    }
    let admins: Vec<String> = (0..4).map(|i| format!("ops{i}@soak.test")).collect();
    for (i, email) in admins.iter().enumerate() {
        add(&mut conn, OrgKind::Platform, "Soak Operations", email, if i == 0 { MemberRole::Owner } else { MemberRole::Auditor });
    }
    let (base, _server) = spawn_app(&db.url);
    let figures: Shared = Arc::default();

    // Each funder opens a call; every startup applies to funder 0's once, is approved and accepts, so
    // that providers have grants to bill from the start.
    let today = chrono::Utc::now().date_naive();
    let mut calls = Vec::new();
    let mut owners = Vec::new();
    for f in 0..2 {
        let mut owner = signed_in(&base, &format!("funder{f}-0@soak.test"), &figures, 900 + f).await;
        owner.c.refresh_csrf("/programmes/new").await;
        let r = owner
            .c
            .post(
                "/programmes",
                &[
                    ("name", &format!("Soak Call {f}")),
                    ("description", "Credits for the soak test."),
                    ("currency", "EUR"),
                    ("budget", "100000000"),
                    ("max_award", "60000"),
                    ("opens_on", &today.to_string()),
                    ("closes_on", &(today + chrono::Duration::days(60)).to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        calls.push(r.location.unwrap());
        owners.push(owner);
    }
    let programme = calls[0].clone();
    let owner = &mut owners[0];
    for (s, email) in startups.iter().enumerate() {
        let mut p = signed_in(&base, email, &figures, s as u64).await;
        p.c.refresh_csrf(&format!("{programme}/apply")).await;
        let provider_id = provider_ids[s % 3].to_string();
        let r = p.c.post(&format!("{programme}/apply"), &[("requested", "50000"), ("purpose", "Training a model for the soak test of the platform."), ("hardware", "GPU"), ("provider_id", &provider_id)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let application = r.location.unwrap();
        owner.c.refresh_csrf(&application).await;
        let r = owner.c.post(&format!("{application}/decide"), &[("decision", "approve"), ("amount", "50000"), ("reason", "")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The startup accepts the offer.
        p.c.refresh_csrf(&application).await;
        let r = p.c.post(&format!("{application}/accept"), &[("declaration", "yes")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mut codes = vec![Vec::new(); 3];
    for (code, provider_id) in grants::table.select((grants::code, grants::provider_id)).load::<(String, i64)>(&mut conn).unwrap() {
        let index = provider_ids.iter().position(|p| *p == provider_id).unwrap();
        codes[index].push(code);
    }
    let world = Arc::new(World { programme, calls, providers: provider_ids.clone(), codes });
    figures.lock().unwrap().routes.clear();

    // Everyone signs in, then the clock starts.
    let mut people = Vec::new();
    for (i, email) in startups.iter().enumerate() {
        people.push((0u8, i, signed_in(&base, email, &figures, i as u64).await));
    }
    for (i, (_, email, _)) in funders.iter().enumerate() {
        people.push((1, i, signed_in(&base, email, &figures, 100 + i as u64).await));
    }
    for (i, (_, email)) in providers.iter().enumerate() {
        people.push((2, i, signed_in(&base, email, &figures, 200 + i as u64).await));
    }
    for (i, email) in admins.iter().enumerate() {
        people.push((3, i, signed_in(&base, email, &figures, 300 + i as u64).await));
    }
    for i in 0..8 {
        people.push((4, i, signed_in(&base, "", &figures, 400 + i as u64).await));
    }
    assert_eq!(people.len(), 64);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (kind, i, person) in people {
        let world = world.clone();
        tasks.push(match kind {
            0 => actix_web::rt::spawn(startup_life(person, world.clone(), world.providers[i % 3], until)),
            1 => actix_web::rt::spawn(funder_life(person, world, funders[i].0, funders[i].2, until)),
            2 => actix_web::rt::spawn(provider_life(person, world, providers[i].0, i, until)),
            3 => actix_web::rt::spawn(admin_life(person, until)),
            _ => actix_web::rt::spawn(visitor_life(person, until)),
        });
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();

    // The report.
    let figures = figures.lock().unwrap();
    let mut report = format!("soak on {backend:?}: 64 people for {:.0} s\n", elapsed.as_secs_f64());
    report.push_str(&format!("{:<36} {:>8} {:>7} {:>9} {:>9} {:>9}\n", "route", "requests", "errors", "p50 ms", "p99 ms", "max ms"));
    let (mut total, mut errors) = (0usize, 0usize);
    for (route, (latencies, errs)) in &figures.routes {
        let mut sorted = latencies.clone();
        sorted.sort();
        total += sorted.len();
        errors += errs;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        report.push_str(&format!(
            "{route:<36} {:>8} {:>7} {:>9.1} {:>9.1} {:>9.1}\n",
            sorted.len(),
            errs,
            ms(percentile(&sorted, 50.0)),
            ms(percentile(&sorted, 99.0)),
            ms(*sorted.last().unwrap_or(&Duration::ZERO))
        ));
    }
    report.push_str(&format!("total: {total} requests ({:.0}/s), {errors} errors\n", total as f64 / elapsed.as_secs_f64()));
    eprintln!("\n{report}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join(format!("soak-{backend:?}.txt").to_lowercase());
    let _ = std::fs::write(&out, &report);
    assert_eq!(errors, 0, "errors during the soak: {:#?}", figures.samples);
    assert!(total > 1000, "the soak made too few requests to mean anything: {total}");
    // Grants never went below zero and the books still balance.
    db.verify_ledger().expect("the ledger verifies after the soak");
    let open: i64 = applications::table.count().get_result(&mut db.connect()).unwrap();
    assert!(open >= 24);
}

mod soak_test {
    #[test]
    #[ignore = "a five-minute soak per backend: CI runs it alone with --ignored"]
    fn sqlite() {
        actix_web::rt::System::new().block_on(super::soak(crate::helpers::Backend::Sqlite));
    }

    #[test]
    #[ignore = "a five-minute soak per backend: CI runs it alone with --ignored"]
    fn postgres() {
        actix_web::rt::System::new().block_on(super::soak(crate::helpers::Backend::Postgres));
    }
}

//! Test harness: a real server on a free port over a real database (a fresh SQLite file, or a
//! fresh PostgreSQL database dropped afterwards), a real SMTP listener, and one HTTP client with
//! its own cookie jar per person.

use computegrants::config::{MailSettings, Settings};
use computegrants::db::{self, AnyConnection};
use computegrants::domain::identity::{self, Member, OrgKind};
use computegrants::ledger::{self, EntryKind, Leg, Links, NewEntry, Side, VerifyError, VerifyReport};
use computegrants::money::Amount;
use computegrants::Application;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PASSWORD: &str = "correct-horse-battery";
pub const POSTGRES_VAR: &str = "COMPUTEGRANTS_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use. Tests that need it are *ignored* when the suite was
/// built without COMPUTEGRANTS_TEST_POSTGRES_URL (see `build.rs`); one that runs without it
/// (the test binary started by hand with the variable since unset) fails rather than pass
/// without having run.
pub fn postgres_url(test: &str) -> String {
    let Ok(url) = std::env::var(POSTGRES_VAR) else {
        panic!("{test} needs PostgreSQL: set {POSTGRES_VAR} (e.g. postgres://postgres@127.0.0.1:5432/postgres)");
    };
    without_gssapi(&url)
}

/// libpq tries GSSAPI encryption first when it is built with Kerberos, and Kerberos' own
/// mutexes are torn down when the test process exits: a background thread still talking to
/// PostgreSQL at that moment aborted the whole run after every test had passed. The test
/// server never offers GSSAPI, so the tests do not ask for it.
fn without_gssapi(url: &str) -> String {
    if url.contains("gssencmode=") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}gssencmode=disable")
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    hex::encode(bytes)
}

/// A file of the shared fixtures (real FOCUS exports and EN 16931 invoices, found by
/// `build.rs`), for tests that are ignored when the fixtures are not there.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("COMPUTEGRANTS_FIXTURES_DIR")).join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

impl TestDb {
    /// A fresh database for `test`: a SQLite file in a temporary folder, or a PostgreSQL database
    /// created on the server of COMPUTEGRANTS_TEST_POSTGRES_URL (dropped afterwards).
    pub fn new(backend: Backend, test: &str) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = dir.path().join("test.sqlite3").display().to_string();
                TestDb { url, _dir: Some(dir), pg_admin: None }
            }
            Backend::Postgres => {
                let base = postgres_url(test);
                let name = format!("cg_test_{}", random_suffix());
                let mut admin = db::connect(&base).expect("connect to the PostgreSQL admin database");
                use diesel::connection::SimpleConnection;
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                let url = match base.rsplit_once('/') {
                    Some((prefix, last)) if !prefix.ends_with('/') => {
                        let query = last.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                        format!("{prefix}/{name}{query}")
                    }
                    _ => format!("{base}/{name}"),
                };
                TestDb { url, _dir: None, pg_admin: Some((base, name)) }
            }
        }
    }

    pub fn connect(&self) -> AnyConnection {
        let mut conn = db::connect(&self.url).unwrap();
        db::run_migrations(&mut conn).unwrap();
        conn
    }

    /// `ledger::verify` over this database.
    pub fn verify_ledger(&self) -> Result<VerifyReport, VerifyError> {
        ledger::verify(&mut self.connect())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg_admin {
            if let Ok(mut admin) = db::connect(base) {
                use diesel::connection::SimpleConnection;
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A minimal SMTP server that records every message it is given.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> (SmtpSink, u16) {
        let sink = SmtpSink::start_on(0).await;
        sink
    }

    /// A sink on `port` (0: any free port), for tests that start the mail server late.
    pub async fn start_on(port: u16) -> (SmtpSink, u16) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = SmtpSink::default();
        let messages = sink.messages.clone();
        actix_web::rt::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let messages = messages.clone();
                actix_web::rt::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut in_data = false;
                    let mut data = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                messages.lock().unwrap().push(decode_quoted_printable(&std::mem::take(&mut data)));
                                let _ = write.write_all(b"250 OK queued\r\n").await;
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"502 not implemented\r\n",
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        (sink, port)
    }

    /// The path of the verification link last mailed to `email` (bounded wait).
    pub async fn verification_link(&self, email: &str) -> String {
        for _ in 0..100 {
            let found = self.messages.lock().unwrap().iter().rev().find(|m| m.contains(email) && m.contains("/verify?token=")).cloned();
            if let Some(mail) = found {
                let start = mail.find("/verify?token=").unwrap();
                let token: String = mail[start + 14..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
                return format!("/verify?token={token}");
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no verification mail to {email}; got {:?}", self.messages.lock().unwrap());
    }

    /// Waits (bounded) for a message containing `needle`.
    pub async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..100 {
            if let Some(m) = self.messages.lock().unwrap().iter().find(|m| m.contains(needle)) {
                return m.clone();
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail containing {needle:?} arrived; got {:?}", self.messages.lock().unwrap());
    }
}

/// Undoes quoted-printable soft line breaks and byte escapes, as a mail client does.
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit() {
            out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The usage file limit of test apps.
pub const TEST_USAGE_MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Usage files larger than this are checked by the background job in test apps.
pub const TEST_USAGE_INLINE_BYTES: u64 = 64 * 1024;

pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub mail: SmtpSink,
    server: computegrants::startup::SpawnedServer,
}

impl TestApp {
    pub async fn spawn(backend: Backend, test: &str) -> TestApp {
        let (mail, smtp_port) = SmtpSink::start().await;
        TestApp::spawn_with_smtp(backend, test, mail, smtp_port)
    }

    /// An app whose mail goes to `smtp_port`, where a sink may or may not listen yet.
    pub fn spawn_with_smtp(backend: Backend, test: &str, mail: SmtpSink, smtp_port: u16) -> TestApp {
        TestApp::spawn_with_settings(backend, test, mail, smtp_port, |_| {})
    }

    /// An app allowing `per_minute` API requests a token (twice that a client address).
    pub async fn spawn_with_api_limit(backend: Backend, test: &str, per_minute: u32) -> TestApp {
        let (mail, smtp_port) = SmtpSink::start().await;
        TestApp::spawn_with_settings(backend, test, mail, smtp_port, |s| s.api_requests_per_minute = per_minute)
    }

    /// An app with the test settings as `adjust` leaves them.
    pub fn spawn_with_settings(backend: Backend, test: &str, mail: SmtpSink, smtp_port: u16, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let db = TestDb::new(backend, test);
        let outbox = tempfile::tempdir().unwrap().keep();
        let mut settings = Settings {
            database_url: db.url.clone(),
            bind: "127.0.0.1:0".into(),
            public_url: None,
            secure_cookies: false,
            mail: MailSettings { smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")), outbox, from: "ComputeGrants <noreply@test.local>".into() },
            pool_size: Some(4),
            trust_forwarded_for: false,
            // Small limits so that tests reach them quickly: files over 64 KiB go to the background job.
            api_requests_per_minute: computegrants::config::DEFAULT_API_REQUESTS_PER_MINUTE,
            transparency_threshold: computegrants::config::DEFAULT_TRANSPARENCY_THRESHOLD,
            de_minimis: Default::default(),
            usage: computegrants::config::UsageSettings { dir: tempfile::tempdir().unwrap().keep(), max_bytes: TEST_USAGE_MAX_BYTES, inline_bytes: TEST_USAGE_INLINE_BYTES },
        };
        adjust(&mut settings);
        let server = Application::spawn(settings).expect("application starts");
        let address = format!("http://127.0.0.1:{}", server.port());
        TestApp { address, db, mail, server }
    }

    pub fn conn(&self) -> AnyConnection {
        self.db.connect()
    }

    /// Stops the server now (as dropping the app does) and returns how many of its background
    /// threads were still running once it had waited for them.
    pub fn stop_server(&mut self) -> usize {
        self.server.stop()
    }

    /// What the guard checks when the app is dropped: `ledger::verify` over the test's database.
    pub fn verify_ledger(&self) -> Result<VerifyReport, VerifyError> {
        self.db.verify_ledger()
    }

    /// Creates a member the way the `admin create-user` command does.
    pub fn create_member(&self, kind: OrgKind, org: &str, email: &str) -> Member {
        identity::create_member(&mut self.conn(), kind, org, email, "Test Person", PASSWORD).unwrap()
    }

    pub fn client(&self) -> Client {
        self.client_with(reqwest::header::HeaderMap::new())
    }

    /// A client whose browser asks for `language` (an `Accept-Language` value such as `fr-FR,fr`).
    pub fn client_in(&self, language: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, language.parse().unwrap());
        self.client_with(headers)
    }

    fn client_with(&self, headers: reqwest::header::HeaderMap) -> Client {
        Client {
            base: self.address.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(headers)
                .redirect(reqwest::redirect::Policy::none())
                // The server closes a connection idle for 5 s (actix's keep-alive): reusing one
                // it is closing fails the request (IncompleteMessage) when a slow step, such as
                // another person's sign-in under load, leaves a client idle that long.
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
            csrf: String::new(),
        }
    }

    /// Signs in `email` from a fresh client that asks for `language`.
    pub async fn login_in(&self, email: &str, language: &str) -> Client {
        let mut c = self.client_in(language);
        c.refresh_csrf("/login").await;
        let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status, 303, "login of {email} failed: {}", r.body);
        c.refresh_csrf("/").await;
        c
    }

    /// A signed-in client for an existing user.
    pub async fn login(&self, email: &str) -> Client {
        let mut c = self.client();
        c.refresh_csrf("/login").await;
        let r = c.post("/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status, 303, "login of {email} failed: {}", r.body);
        c.refresh_csrf("/").await;
        c
    }

    /// Opens the verification link mailed to `email`, as its owner would: signed in, on to the
    /// company details.
    pub async fn confirm_address(&self, c: &mut Client, email: &str) {
        let link = self.mail.verification_link(email).await;
        // The link shows a button; pressing it (with this browser's token) confirms.
        c.refresh_csrf(&link).await;
        let token = link.split('=').nth(1).unwrap_or_default().to_string();
        let r = c.post("/verify", &[("token", token.as_str())]).await;
        assert_eq!(r.status, 303, "verification link {link}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some("/company"));
    }

    /// Signs a startup up through the browser forms and registers its company.
    pub async fn sign_up_startup(&self, company: &str, email: &str) -> Client {
        let mut c = self.client();
        c.refresh_csrf("/signup").await;
        let r = c.post("/signup", &[("company_name", company), ("display_name", "Founder"), ("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status, 303, "signup failed: {}", r.body);
        assert_eq!(r.location.as_deref(), Some("/signup/sent"));
        self.confirm_address(&mut c, email).await;
        c.refresh_csrf("/company").await;
        let r = c.post("/company", &[("legal_name", &format!("{company} SAS")), ("country", "FR"), ("registration_number", "123 456 782")]).await;
        assert_eq!(r.status, 303, "company registration failed: {}", r.body);
        c
    }
}

/// Every test that runs the app ends with a ledger that verifies: a test that leaves one that
/// does not fails here, naming the problem (unless it is failing already). This runs before the
/// fields are dropped, so before a PostgreSQL test database is.
impl Drop for TestApp {
    fn drop(&mut self) {
        // Its background threads must not outlive the test: one still inside a database call
        // when the test process exits can crash it.
        self.server.stop();
        if std::thread::panicking() {
            return;
        }
        if let Err(problem) = self.verify_ledger() {
            panic!("the test left a ledger that does not verify: {problem}");
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

impl Client {
    async fn reply(r: reqwest::Response) -> Reply {
        let status = r.status().as_u16();
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        Reply { status, location, body: r.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::reply(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    /// Loads a page and keeps the CSRF token it carries.
    pub async fn refresh_csrf(&mut self, path: &str) {
        let page = self.get(path).await;
        self.csrf = extract_csrf(&page.body).unwrap_or_else(|| panic!("no CSRF token on {path} ({}): {}", page.status, page.body));
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (for CSRF tests).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        Self::reply(self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap()).await
    }

    pub async fn upload(&self, filename: &str, content: &str) -> Reply {
        self.upload_bytes(filename, content.as_bytes().to_vec()).await
    }

    /// Sends a usage file (CSV or gzip) through the upload form.
    pub async fn upload_bytes(&self, filename: &str, content: Vec<u8>) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", self.csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(content).file_name(filename.to_string()).mime_str("text/csv").unwrap());
        Self::reply(self.http.post(format!("{}/usage", self.base)).multipart(form).send().await.unwrap()).await
    }

    /// Follows a background job's page until the job is finished: the redirect to its upload
    /// (accepted) or the page saying what went wrong.
    pub async fn wait_for_job(&self, job_path: &str) -> Reply {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let page = self.get(job_path).await;
            let running = page.status == 200 && page.body.contains("http-equiv=\"refresh\"");
            if !running || std::time::Instant::now() > deadline {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

/// The id at the end of a redirect such as `/applications/17`, as the type the caller names
/// (`ApplicationId`, `UploadId`, …).
pub fn id_from<Id: std::str::FromStr>(location: &Option<String>) -> Id {
    location.as_deref().and_then(|l| l.rsplit('/').next()).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no id in {location:?}"))
}

/// Runs a test body once per backend, as the two tests `name::sqlite` and `name::postgres`:
/// `both_backends!(a, b)` for `async fn a(backend: Backend)`, `both_backends!(sync a, b)` for a
/// plain `fn`, `both_backends!(browser a)` for a test in Chromium, `both_backends!(fixtures a)`
/// for one reading the shared fixtures. A test whose PostgreSQL, browser or fixtures this build
/// was not given (`build.rs`) is *ignored*, with what to set.
#[macro_export]
macro_rules! both_backends {
    (sync $($name:ident),+ $(,)?) => {
        $(mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite)
            }
            #[test]
            #[cfg_attr(computegrants_no_postgres, ignore = "needs PostgreSQL: set COMPUTEGRANTS_TEST_POSTGRES_URL (CI does)")]
            fn postgres() {
                super::$name($crate::helpers::Backend::Postgres)
            }
        })+
    };
    (fixtures $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@async
            [#[cfg_attr(computegrants_no_fixtures, ignore = "needs the shared fixtures: ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]]
            [#[cfg_attr(any(computegrants_no_postgres, computegrants_no_fixtures), ignore = "needs PostgreSQL and the shared fixtures: COMPUTEGRANTS_TEST_POSTGRES_URL, and ../shared/fixtures or COMPUTEGRANTS_FIXTURES (see build.rs)")]]
            $($name),+);
    };
    (browser $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@async
            [#[cfg_attr(computegrants_no_browser, ignore = "needs Chromium: set COMPUTEGRANTS_TEST_BROWSER=1 (CI does)")]]
            [#[cfg_attr(any(computegrants_no_postgres, computegrants_no_browser), ignore = "needs PostgreSQL and Chromium: set COMPUTEGRANTS_TEST_POSTGRES_URL and COMPUTEGRANTS_TEST_BROWSER=1 (CI does)")]]
            $($name),+);
    };
    // The two async tests of each name, with the attributes that say when each is ignored; one
    // name at a time, so that the attributes repeat once per test.
    (@async [$(#[$sqlite:meta])*] [$(#[$postgres:meta])*] $name:ident $(, $rest:ident)*) => {
        mod $name {
            #[actix_web::test]
            $(#[$sqlite])*
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[actix_web::test]
            $(#[$postgres])*
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
        $crate::both_backends!(@async [$(#[$sqlite])*] [$(#[$postgres])*] $($rest),*);
    };
    (@async [$($sqlite:tt)*] [$($postgres:tt)*]) => {};
    ($($name:ident),+ $(,)?) => {
        $crate::both_backends!(@async [] [#[cfg_attr(computegrants_no_postgres, ignore = "needs PostgreSQL: set COMPUTEGRANTS_TEST_POSTGRES_URL (CI does)")]] $($name),+);
    };
}

/// A ledger entry for a test, e.g. `entry("spend").debit(grant, 300).credit(payable, 300).build()`
/// or `entry("spend").transfer(grant, payable, 300).build()`: a usage entry dated 2026-11-23 by
/// `test`, described as `test <key>`, unless told otherwise.
pub fn entry(key: impl Into<String>) -> EntryBuilder {
    let key = key.into();
    EntryBuilder(NewEntry {
        description: format!("test {key}"),
        idempotency_key: key,
        kind: EntryKind::Usage,
        effective_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        actor: "test".into(),
        links: Links::default(),
        legs: Vec::new(),
    })
}

#[must_use]
pub struct EntryBuilder(NewEntry);

impl EntryBuilder {
    pub fn kind(mut self, kind: EntryKind) -> Self {
        self.0.kind = kind;
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.0.description = description.into();
        self
    }

    pub fn effective_on(mut self, day: chrono::NaiveDate) -> Self {
        self.0.effective_on = day;
        self
    }

    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.0.actor = actor.into();
        self
    }

    pub fn debit(self, account_id: i64, cents: i64) -> Self {
        self.leg(account_id, Side::Debit, cents)
    }

    pub fn credit(self, account_id: i64, cents: i64) -> Self {
        self.leg(account_id, Side::Credit, cents)
    }

    /// `cents` from `from` (debited) to `to` (credited).
    pub fn transfer(self, from: i64, to: i64, cents: i64) -> Self {
        self.debit(from, cents).credit(to, cents)
    }

    fn leg(mut self, account_id: i64, side: Side, cents: i64) -> Self {
        self.0.legs.push(Leg { account_id, side, amount: Amount::from_cents(cents) });
        self
    }

    pub fn build(self) -> NewEntry {
        self.0
    }
}

/// A FOCUS usage CSV charging `grant` one line per cost, on today's date.
pub fn usage_csv(grant: &str, costs: &[&str]) -> String {
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ChargeCategory\n");
    for (i, cost) in costs.iter().enumerate() {
        csv.push_str(&format!("{today}T{i:02}:00:00Z,{today}T{i:02}:59:59Z,GPU compute,1.5,GPU-hour,{cost},EUR,{grant},Usage\n"));
    }
    csv
}

impl Client {
    /// The same session in a second handle (the cookie jar is shared).
    pub fn clone_for_test(&self) -> Client {
        Client { base: self.base.clone(), http: self.http.clone(), csrf: self.csrf.clone() }
    }
}

/// A minimal EN 16931 UBL 2.1 invoice (the demo data's builder), one line per (grant code, net
/// amount).
pub fn ubl_invoice(number: &str, seller: &str, buyer: &str, lines: &[(&str, &str)]) -> String {
    computegrants::domain::demo::ubl_invoice(number, seller, buyer, lines)
}

impl Client {
    /// Sends an invoice file for a submitted upload, as the upload page's form does.
    pub async fn upload_invoice(&self, upload_path: &str, filename: &str, content: &str) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", self.csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(content.as_bytes().to_vec()).file_name(filename.to_string()).mime_str("application/xml").unwrap());
        Self::reply(self.http.post(format!("{}{upload_path}/invoice", self.base)).multipart(form).send().await.unwrap()).await
    }
}

/// The same invoice as [`ubl_invoice`] in UN/CEFACT CII, each line's grant code as its object
/// identifier (an additional referenced document of type 130).
pub fn cii_invoice(number: &str, seller: &str, buyer: &str, lines: &[(&str, &str)]) -> String {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let net: Decimal = lines.iter().map(|(_, a)| Decimal::from_str(a).unwrap()).sum();
    let tax = (net * Decimal::from_str("0.2").unwrap()).round_dp(2);
    let gross = net + tax;
    let today = chrono::Utc::now().date_naive().format("%Y%m%d");
    let mut items = String::new();
    for (i, (code, amount)) in lines.iter().enumerate() {
        items.push_str(&format!(
            r#"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID></ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>GPU compute</ram:Name></ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{amount}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="HUR">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{amount}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation><ram:AdditionalReferencedDocument><ram:IssuerAssignedID>{code}</ram:IssuerAssignedID><ram:TypeCode>130</ram:TypeCode></ram:AdditionalReferencedDocument></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>
"#,
            n = i + 1
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">{today}</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
{items}<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>{seller}</ram:Name><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR32123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty><ram:BuyerTradeParty><ram:Name>{buyer}</ram:Name><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress></ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:ApplicableTradeTax><ram:CalculatedAmount>{tax}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>{net}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{net}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">{tax}</ram:TaxTotalAmount><ram:GrandTotalAmount>{gross}</ram:GrandTotalAmount><ram:DuePayableAmount>{gross}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"#
    )
}

/// A PDF carrying `xml` as its embedded `factur-x.xml` (compressed, as producers do), shaped
/// like a Factur-X file as far as the reader looks: catalogue, name tree, file specification
/// and the embedded-file stream.
pub fn facturx_pdf(xml: &str) -> Vec<u8> {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(xml.as_bytes(), 6);
    let mut pdf = Vec::new();
    pdf.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    pdf.extend_from_slice(b"1 0 obj << /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(factur-x.xml) 3 0 R] >> >> /AF [3 0 R] >> endobj\n");
    pdf.extend_from_slice(b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n");
    pdf.extend_from_slice(b"3 0 obj << /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /AFRelationship /Data /EF << /F 4 0 R >> >> endobj\n");
    pdf.extend_from_slice(format!("4 0 obj << /Type /EmbeddedFile /Subtype /text#2Fxml /Filter /FlateDecode /Length {} >>\nstream\n", packed.len()).as_bytes());
    pdf.extend_from_slice(&packed);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    pdf
}

impl Client {
    /// Sends raw invoice bytes (a PDF) for a submitted upload.
    pub async fn upload_invoice_bytes(&self, upload_path: &str, filename: &str, content: Vec<u8>) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", self.csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(content).file_name(filename.to_string()).mime_str("application/pdf").unwrap());
        Self::reply(self.http.post(format!("{}{upload_path}/invoice", self.base)).multipart(form).send().await.unwrap()).await
    }
}

/// The test provider's catalogue: "GPU compute" by the GPU-hour at 2,000.00 EUR (a price high
/// enough for every usage file the tests send), valid from a month ago.
pub fn add_catalogue(conn: &mut AnyConnection, provider: &Member) {
    let from = chrono::Utc::now().date_naive() - chrono::Duration::days(30);
    let new = computegrants::domain::catalogue::NewOffering {
        name: "GPU compute".into(),
        service_name: "GPU compute".into(),
        hardware_kind: "GPU".into(),
        unit: "GPU-hour".into(),
        price: "2000.00".into(),
        currency: "EUR".into(),
        valid_from: from.to_string(),
        ..Default::default()
    };
    computegrants::domain::catalogue::add(conn, provider, &new).unwrap();
}

/// An open programme in euros, open from today for 30 days: `budget` and `max_award` in cents.
pub fn new_programme(budget: i64, max_award: i64) -> computegrants::domain::programmes::NewProgramme {
    use computegrants::domain::programmes;
    let today = chrono::Utc::now().date_naive();
    programmes::NewProgramme {
        name: "Compute Call".into(),
        description: "Credits for AI startups.".into(),
        currency: "EUR".into(),
        budget: computegrants::money::Amount::from_cents(budget),
        max_award: computegrants::money::Amount::from_cents(max_award),
        opens_on: today,
        closes_on: today + chrono::Duration::days(30),
        price_tolerance_percent: programmes::DEFAULT_PRICE_TOLERANCE,
        hold_days: programmes::DEFAULT_HOLD_DAYS,
        credits_cover: programmes::CreditsCover::Net,
        unused_credit: programmes::UnusedCredit::default(),
        reserved_share_bp: 0,
    }
}

//! Building and running the HTTP application.

use crate::config::Settings;
use crate::db::{self, DbError};
use crate::mail::{MailError, Mailer};
use crate::web::{self, AppState};
use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware};
use std::net::TcpListener;

/// Request bodies larger than this are refused; usage uploads have their own limit.
const FORM_LIMIT_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    #[error("cannot read or create the server secret: {0}")]
    Secret(String),
    #[error(transparent)]
    Catalogue(#[from] crate::i18n::CatalogueError),
    #[error("cannot create the folder for usage files {0}: {1}")]
    UsageDir(String, std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

/// How often expired sessions are removed.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Housekeeping on a thread of its own, so no request pays for it: expired sessions are purged
/// and usage holds past their programme's hold period released, on a schedule. Deleting rows that are already expired is idempotent, so several servers
/// running it over one database agree.
fn start_maintenance(pool: db::Pool, workers: &mut Workers) -> std::sync::mpsc::Sender<()> {
    // The thread ends when the server that owns the sender is gone, rather than keeping its
    // pool (and the pool's connections) alive until the process exits.
    let (keep_alive, stopped) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name("maintenance".into()).spawn(move || {
        loop {
            // Grants past their validity expire and their unused credit is clawed back: at
            // start, then on each tick (idempotent: another server's run posts nothing twice).
            match pool.get().map_err(|e| e.to_string()).and_then(|mut c| crate::domain::grant_expiry::expire_due(&mut c, crate::domain::clock::today(), "system").map_err(|e| e.to_string())) {
                Ok(run) if !run.is_empty() => log::info!("grant expiry: {} expired, {} swept, {} failed {:?}", run.expired.len(), run.swept.len(), run.failed.len(), run.failed),
                Ok(_) => {}
                Err(e) => log::warn!("grant expiry failed: {e}"),
            }
            // Offers past their deadline lapse (their budget returns), and offers lapsing soon
            // are reminded: both guarded by the offer's status and keys, so idempotent.
            let offers = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                let now = crate::domain::clock::now();
                let lapsed = crate::domain::offers::lapse_due(&mut c, now).map_err(|e| e.to_string())?;
                let reminded = crate::domain::offers::remind_due(&mut c, now).map_err(|e| e.to_string())?;
                Ok::<_, String>((lapsed, reminded))
            });
            match offers {
                Ok((0, 0)) => {}
                Ok((lapsed, reminded)) => log::info!("offers: {lapsed} lapsed, {reminded} reminder(s) raised"),
                Err(e) => log::warn!("offer lapse failed: {e}"),
            }
            match stopped.recv_timeout(PURGE_EVERY) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
            let purged = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                crate::domain::identity::purge_expired_sessions(&mut c).map_err(|e| e.to_string())
            });
            match purged {
                Ok(n) if n > 0 => log::info!("purged {n} expired session(s)"),
                Ok(_) => {}
                Err(e) => log::warn!("session purge failed: {e}"),
            }
            let expired = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                crate::domain::invoicing::expire_overdue(&mut c, crate::domain::clock::now()).map_err(|e| e.to_string())
            });
            match expired {
                Ok(n) if n > 0 => log::info!("released {n} usage hold(s) past their programme's hold period"),
                Ok(_) => {}
                Err(e) => log::warn!("hold expiry failed: {e}"),
            }
            // Reminders and digests are keyed by grant and day: running again raises nothing new.
            let today = crate::domain::clock::today();
            let alerted = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                let reminders = crate::domain::alerts::expiry_reminders(&mut c, today).map_err(|e| e.to_string())?;
                let digests = crate::domain::alerts::funder_digests(&mut c, today).map_err(|e| e.to_string())?;
                Ok(reminders + digests)
            });
            match alerted {
                Ok(n) if n > 0 => log::info!("raised {n} notification(s): grants ending soon, funders' digests"),
                Ok(_) => {}
                Err(e) => log::warn!("notifications failed: {e}"),
            }
        }
    });
    match spawned {
        Ok(handle) => workers.0.push(handle),
        Err(e) => log::warn!("no maintenance thread: {e}"),
    }
    keep_alive
}

/// How often the mail worker looks for due mail when nobody wakes it.
const MAIL_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends queued mail (see `domain::outbox`) on a thread of its own: a slow or absent mail
/// server never holds a request. Several servers over one database each run one; a mail is
/// claimed by one of them only. The thread ends when the server that woke it is gone.
fn start_mail_worker(pool: db::Pool, mailer: Mailer, public_url: String, workers: &mut Workers) -> std::sync::mpsc::Sender<()> {
    use crate::domain::outbox;
    let (wake, wakeups) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name("mail".into()).spawn(move || {
        loop {
            match wakeups.recv_timeout(MAIL_POLL) {
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
            // Notifications raised since (by requests, jobs or commands) become mail first.
            let alerts = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| crate::domain::alerts::queue_mails(&mut conn, &public_url, 100).map_err(|e| e.to_string()));
            if let Err(e) = alerts {
                log::warn!("mail worker: cannot turn notifications into mail: {e}");
            }
            // Drain what is due, one mail at a time: a claim is fresh when its mail is sent (a
            // slow server cannot outlast the stale-claim window for mail still waiting in a
            // batch), and no database connection is held while the mail server answers.
            loop {
                let claimed = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| outbox::claim_due(&mut conn, 1).map_err(|e| e.to_string()));
                let queued = match claimed {
                    Ok(mut batch) => match batch.pop() {
                        Some(queued) => queued,
                        None => break,
                    },
                    Err(e) => {
                        log::warn!("mail worker: cannot read the outbox: {e}");
                        break;
                    }
                };
                let sent = mailer.send(&queued.mail());
                let recorded = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                    match &sent {
                        Ok(()) => outbox::mark_sent(&mut conn, queued.id),
                        Err(e) => {
                            log::warn!("mail {} to {} not sent (attempt {}): {e}", queued.id, queued.recipient, queued.attempts + 1);
                            outbox::mark_failed(&mut conn, &queued, &e.to_string())
                        }
                    }
                    .map_err(|e| e.to_string())
                });
                if let Err(e) = recorded {
                    log::error!("mail worker: cannot record mail {}: {e}", queued.id);
                }
            }
        }
    });
    match spawned {
        Ok(handle) => workers.0.push(handle),
        Err(e) => log::error!("no mail worker: {e}"),
    }
    wake
}

/// A received usage file no job names is removed at start-up once it is this old.
const STRAY_FILE_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often the usage worker looks for queued files when nobody wakes it (files queued by
/// another server, leases run out).
const USAGE_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Checks usage files queued by large uploads (see `domain::usage::jobs`) on a thread of its
/// own, one file at a time. At start it re-queues the jobs a crash cut short. Several servers
/// over one database each run one; a job is claimed by one of them only.
fn start_usage_worker(pool: db::Pool, dir: std::path::PathBuf, max_bytes: u64, workers: &mut Workers) -> std::sync::mpsc::Sender<()> {
    use crate::domain::usage::jobs;
    let (wake, wakeups) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name("usage".into()).spawn(move || {
        match pool.get().map_err(|e| e.to_string()).and_then(|mut c| jobs::requeue_orphans(&mut c).map_err(|e| e.to_string())) {
            Ok(n) if n > 0 => log::warn!("resuming {n} usage file job(s) cut short by a stop"),
            Ok(_) => {}
            Err(e) => log::warn!("usage worker: cannot look for interrupted jobs: {e}"),
        }
        let stray = pool.get().map_err(|e| e.to_string()).and_then(|mut c| jobs::sweep_stray_files(&mut c, &dir, STRAY_FILE_AGE).map_err(|e| e.to_string()));
        match stray {
            Ok(n) if n > 0 => log::info!("removed {n} received usage file(s) that no job names"),
            Ok(_) => {}
            Err(e) => log::warn!("usage worker: cannot sweep {}: {e}", dir.display()),
        }
        loop {
            loop {
                let (mut conn, mut progress) = match (pool.get(), pool.get()) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(e), _) | (_, Err(e)) => {
                        log::warn!("usage worker: no database connection: {e}");
                        break;
                    }
                };
                let job = match jobs::claim_next(&mut conn, crate::domain::clock::now()) {
                    Ok(Some(job)) => job,
                    Ok(None) => break,
                    Err(e) => {
                        log::warn!("usage worker: cannot claim a job: {e}");
                        break;
                    }
                };
                let started = std::time::Instant::now();
                match jobs::run(&mut conn, &mut progress, &job, max_bytes) {
                    Ok(status) => log::info!("usage job {} ({}): {} in {:.1} s", job.id, job.filename, status.as_str(), started.elapsed().as_secs_f64()),
                    // A database that went away: the lease runs out and the job is tried again.
                    Err(crate::domain::DomainError::Database(e)) => log::warn!("usage job {}: database failed, will retry: {e}", job.id),
                    Err(e) => {
                        log::error!("usage job {}: {e}", job.id);
                        if let Err(e) = jobs::give_up(&mut conn, &job, &e.to_string()) {
                            log::error!("usage job {}: cannot record its failure: {e}", job.id);
                        }
                    }
                }
            }
            match wakeups.recv_timeout(USAGE_POLL) {
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    });
    match spawned {
        Ok(handle) => workers.0.push(handle),
        Err(e) => log::error!("no usage worker: {e}"),
    }
    wake
}

/// The background threads of one application. A process that exits while one of them is inside a
/// database client call can crash in the client library's exit handlers, so whoever stops a
/// server waits for its threads (`join`) before going on.
#[derive(Default)]
pub struct Workers(Vec<std::thread::JoinHandle<()>>);

impl Workers {
    /// Waits, at most `patience`, for every thread to end (each ends at once when its server's
    /// state is dropped, or when the work in hand is done). Returns how many still run.
    pub fn join(self, patience: std::time::Duration) -> usize {
        let deadline = std::time::Instant::now() + patience;
        let mut running = self.0;
        loop {
            let (done, still): (Vec<_>, Vec<_>) = running.into_iter().partition(|w| w.is_finished());
            for worker in done {
                if worker.join().is_err() {
                    log::error!("a background thread panicked");
                }
            }
            running = still;
            if running.is_empty() || std::time::Instant::now() >= deadline {
                return running.len();
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// How long a stopping server waits for its background threads.
const WORKER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(15);

pub struct Application {
    port: u16,
    server: Server,
    workers: Workers,
}

impl Application {
    /// Connects, migrates and binds. With `bind` port 0 the system picks a free port, which is
    /// how tests run many servers side by side.
    pub fn build(mut settings: Settings) -> Result<Application, StartupError> {
        crate::i18n::init()?;
        let pool = db::pool(&settings.database_url, settings.pool_size)?;
        let secret = {
            let mut conn = pool.get().map_err(DbError::from)?;
            db::run_migrations(&mut conn)?;
            crate::domain::identity::server_secret(&mut conn).map_err(|e| StartupError::Secret(e.to_string()))?
        };
        let mut workers = Workers::default();
        let maintenance = start_maintenance(pool.clone(), &mut workers);
        let mailer = Mailer::new(&settings.mail)?;
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?;
        let port = listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?.port();
        if settings.public_url.is_none() {
            let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
            settings.public_url = Some(format!("http://{host}:{port}"));
        }
        let hsts = settings.secure_cookies;
        let mail_wakeup = start_mail_worker(pool.clone(), mailer, settings.public_url.clone().unwrap_or_default(), &mut workers);
        std::fs::create_dir_all(&settings.usage.dir).map_err(|e| StartupError::UsageDir(settings.usage.dir.display().to_string(), e))?;
        let usage_wakeup = start_usage_worker(pool.clone(), settings.usage.dir.clone(), settings.usage.max_bytes, &mut workers);
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        // An organisation may use half the database connections at once.
        let share = usize::try_from(pool.max_size() / 2).unwrap_or(1);
        let api_throttle = crate::web::api::ApiThrottle::new(settings.api_requests_per_minute);
        let state = actix_web::web::Data::new(AppState {
            pool,
            mail_wakeup,
            usage_wakeup,
            settings,
            secret,
            throttle: crate::web::throttle::LoginThrottle::new(),
            api_throttle,
            hashing: tokio::sync::Semaphore::new(cores),
            fair_share: crate::web::fair_share::FairShare::new(share),
            spend_cache: std::sync::Arc::new(crate::domain::spending::SpendCache::default()),
            _maintenance: maintenance,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(actix_web::web::FormConfig::default().limit(FORM_LIMIT_BYTES))
                .app_data(actix_web::web::PayloadConfig::new(FORM_LIMIT_BYTES))
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "same-origin"))
                        .add(("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'")),
                )
                // Served over HTTPS (secure cookies): browsers must never fall back to HTTP.
                .wrap(middleware::Condition::new(
                    hsts,
                    middleware::DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains")),
                ))
                .wrap(middleware::Logger::new("%a \"%r\" %s %b %Dms request=%{x-request-id}o"))
                .configure(web::routes)
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind { addr: "listener".into(), source })?
        .run();
        Ok(Application { port, server, workers })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (a signal, or its handle), then waits for the
    /// background threads to end.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        // The server and its state are gone: the background threads end at once, or when the
        // work in hand is done.
        let running = self.workers.join(WORKER_PATIENCE);
        if running > 0 {
            log::warn!("{running} background thread(s) still running at exit");
        }
        served
    }

    /// Builds the application and serves it from a thread of its own (with its own runtime),
    /// for callers that run servers side by side with other work: tests, benchmarks. Dropping
    /// (or `stop`ping) the result stops the server and waits for its threads.
    pub fn spawn(settings: Settings) -> Result<SpawnedServer, StartupError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("http-server".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    match Application::build(settings) {
                        Ok(app) => {
                            let _ = ready_tx.send(Ok((app.port, app.server.handle())));
                            let served = app.server.await;
                            (served, app.workers.join(WORKER_PATIENCE))
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            (Ok(()), 0)
                        }
                    }
                })
            })
            .map_err(|source| StartupError::Bind { addr: "server thread".into(), source })?;
        match ready_rx.recv() {
            Ok(Ok((port, handle))) => Ok(SpawnedServer { port, handle, thread: Some(thread) }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(StartupError::Bind { addr: "server thread".into(), source: std::io::Error::other("the server thread ended before it started") })
            }
        }
    }
}

/// A server running on a thread of its own (see `Application::spawn`).
pub struct SpawnedServer {
    port: u16,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<(std::io::Result<()>, usize)>>,
}

impl SpawnedServer {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server at once (connections in progress are dropped) and waits until it and
    /// its background threads have ended (at most 15 s for those). Returns how many of its
    /// background threads were still running then.
    pub fn stop(&mut self) -> usize {
        let Some(thread) = self.thread.take() else { return 0 };
        // The command is sent when `stop` is called; the server's own thread carries it out.
        drop(self.handle.stop(false));
        match thread.join() {
            Ok((served, running)) => {
                if let Err(e) = served {
                    log::warn!("the server ended with an error: {e}");
                }
                running
            }
            Err(_) => {
                log::error!("the server thread panicked");
                0
            }
        }
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        self.stop();
    }
}

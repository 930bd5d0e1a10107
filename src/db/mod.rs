//! Storage: one connection type over SQLite and PostgreSQL, a pool, embedded migrations.
//!
//! The backend is chosen by the URL's scheme: `postgres://` or `postgresql://` is PostgreSQL,
//! anything else is a SQLite file path (created with its folder on first use).

pub mod schema;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Longest a PostgreSQL statement may run on a pooled connection.
pub const POSTGRES_STATEMENT_TIMEOUT_MS: u32 = 30_000;
/// Longest a request waits for a pooled connection.
pub const POOL_WAIT_SECONDS: u64 = 10;

/// Lifts the statement time budget, for commands that read the whole database on purpose.
pub fn without_time_budget(conn: &mut AnyConnection) -> Result<(), diesel::result::Error> {
    match conn {
        AnyConnection::Postgresql(_) => conn.batch_execute("SET statement_timeout = 0"),
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// Rows per multi-row `INSERT`, and values per `IN (…)` list, in every batched statement. Each
/// value is a bound parameter: the widest batched row, a ledger entry (16 columns), makes 16,000,
/// under SQLite's limit of 32,766 (PostgreSQL allows 65,535). `ledger::store` asserts it.
pub const CHUNK_ROWS: usize = 1_000;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A round trip to the database, for health checks.
pub fn ping(conn: &mut AnyConnection) -> Result<(), diesel::result::Error> {
    conn.batch_execute("SELECT 1")
}

/// Opens one connection to the database named by `url`, configured for this application.
pub fn connect(url: &str) -> Result<AnyConnection, DbError> {
    match Backend::of_url(url) {
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url)?;
            conn.set_instrumentation(note_failed_queries);
            // A request has a time budget: no statement holds a connection (and its locks)
            // longer than this. Commands that read everything (verify, export) lift it.
            conn.batch_execute(&format!("SET statement_timeout = {POSTGRES_STATEMENT_TIMEOUT_MS}"))?;
            Ok(AnyConnection::Postgresql(conn))
        }
        Backend::Sqlite => {
            keep_query_plans();
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() && !parent.exists() {
                    std::fs::create_dir_all(parent)
                        .map_err(|source| DbError::Folder { path: parent.display().to_string(), source })?;
                }
            }
            let mut conn = diesel::SqliteConnection::establish(path)?;
            // WAL lets readers run beside the writer. FULL syncs the log at every commit: an
            // acknowledged ledger entry survives a power cut, not only a crash of the process.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;"
            ))?;
            Ok(AnyConnection::Sqlite(conn))
        }
    }
}

/// Turns on SQLite's query planner stability guarantee for every connection this process opens.
///
/// SQLite plans a statement again when a bound parameter that its plan looked at is bound anew,
/// and it looks at a bound `LIMIT`: diesel's `.first()` binds `LIMIT 1`, so each of those
/// statements, though kept prepared, was parsed and planned afresh at every use (a twentieth of
/// a report page's CPU under load). With the guarantee a statement keeps its one plan; there are
/// no statistics (no `ANALYZE`) that another value could pick a better plan from anyway.
fn keep_query_plans() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: `enable_query_plan_stability` has the signature SQLite calls an automatic
        // extension with, and only calls `sqlite3_db_config` on the handle it is given.
        let rc = unsafe { libsqlite3_sys::sqlite3_auto_extension(Some(enable_query_plan_stability)) };
        if rc != libsqlite3_sys::SQLITE_OK {
            log::warn!("SQLite did not take the query plan setting (code {rc}): statements are planned at each use");
        }
    });
}

/// Called by SQLite for each connection it opens (see [`keep_query_plans`]).
unsafe extern "C" fn enable_query_plan_stability(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite passes the connection being opened; the option takes an int and a
    // nullable pointer to write the new setting to.
    unsafe { libsqlite3_sys::sqlite3_db_config(db, libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG, 1 as std::ffi::c_int, std::ptr::null_mut::<std::ffi::c_int>()) };
    // A connection without the setting still works, only slower: never refuse to open it.
    libsqlite3_sys::SQLITE_OK
}

/// r2d2 manager that keeps our choice of backend and SQLite pragmas on every pooled connection.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        connect(&self.url).map_err(|e| match e {
            DbError::Connect(c) => r2d2::Error::ConnectionError(c),
            DbError::Query(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(other.to_string())),
        })
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection is thrown away rather than reused when its request panicked (it may be
    /// in the middle of a transaction: reused, it would hold locks and swallow the next
    /// request's writes) or when it is still inside a transaction on its way back to the pool.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        if std::thread::panicking() {
            return true;
        }
        match conn {
            AnyConnection::Postgresql(pg) => {
                use diesel::connection::{AnsiTransactionManager, TransactionManager};
                let status = AnsiTransactionManager::transaction_manager_status_mut(pg);
                // Err: the transaction manager is in an error state; Some: still inside a transaction.
                let in_transaction = !matches!(status.transaction_depth(), Ok(None));
                // A connection whose query failed may have lost its server (restarted, or the
                // connection killed): one ping tells, and a lost one is replaced. Connections
                // are not pinged when handed out, which cost a round trip per read.
                let failed = QUERY_FAILED.replace(false);
                let lost = !in_transaction && failed && pg.batch_execute("SELECT 1").is_err();
                QUERY_FAILED.set(false);
                in_transaction || lost
            }
            AnyConnection::Sqlite(_) => IN_SQLITE_WRITE.get(),
        }
    }
}

/// Notes on this thread that a PostgreSQL query failed (see `has_broken`).
fn note_failed_queries(event: diesel::connection::InstrumentationEvent<'_>) {
    if let diesel::connection::InstrumentationEvent::FinishQuery { error: Some(_), .. } = event {
        QUERY_FAILED.set(true);
    }
}

/// Builds the pool. SQLite gets fewer connections: it has one writer at a time anyway.
pub fn pool(url: &str, max_size: Option<u32>) -> Result<Pool, DbError> {
    let default_size = match Backend::of_url(url) {
        Backend::Sqlite => 8,
        Backend::Postgres => 10,
    };
    Ok(r2d2::Pool::builder()
        .max_size(max_size.unwrap_or(default_size))
        // Waiting longer for a connection only piles requests up: past this, the request is
        // answered "busy, try again" (503) and the pool is left to those already served.
        .connection_timeout(Duration::from_secs(POOL_WAIT_SECONDS))
        // A connection is checked when it comes back after a failure (see `has_broken`), not
        // with a `SELECT 1` each time it is handed out: on PostgreSQL that was one more round
        // trip for every read of every request.
        .test_on_check_out(false)
        .build(ConnectionManager { url: url.to_string() })?)
}

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

thread_local! {
    /// Whether this thread is inside a SQLite [`write_transaction`]. A pooled connection is used
    /// by one thread at a time and `write_transaction` is synchronous, so per-thread is exact.
    static IN_SQLITE_WRITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Whether a PostgreSQL query failed on this thread since a connection last came back to
    /// the pool. A pooled connection is used by the thread that took it, so the flag meets it
    /// on its way back.
    static QUERY_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

struct SqliteWriteGuard;

impl SqliteWriteGuard {
    fn enter() -> SqliteWriteGuard {
        IN_SQLITE_WRITE.set(true);
        SqliteWriteGuard
    }
}

impl Drop for SqliteWriteGuard {
    fn drop(&mut self) {
        IN_SQLITE_WRITE.set(false);
    }
}

/// Runs `work` in a transaction that writes: `BEGIN IMMEDIATE` on SQLite, so a writer takes the
/// write lock up front instead of failing on upgrade; a plain transaction on PostgreSQL, whose
/// writers serialise on the rows they lock. Nested calls join the outer transaction, so a larger
/// operation (the demo loader, say) can compose smaller atomic ones into one.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Sqlite(_) if IN_SQLITE_WRITE.get() => work(conn),
        AnyConnection::Sqlite(_) => {
            // The MultiConnection wrapper cannot lend out the inner SqliteConnection to
            // `immediate_transaction` while `work` still needs the wrapper, so the statement is
            // issued by hand with the same commit/rollback discipline.
            conn.batch_execute("BEGIN IMMEDIATE")?;
            let outcome = {
                // Reset even when `work` panics: the thread goes back to a pool and a stale flag
                // would make its next transaction skip BEGIN.
                let _inside = SqliteWriteGuard::enter();
                work(conn)
            };
            match outcome {
                Ok(value) => match conn.batch_execute("COMMIT") {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        Err(e.into())
                    }
                },
                Err(e) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
        AnyConnection::Postgresql(_) => conn.transaction(work),
    }
}

pub fn backend(conn: &AnyConnection) -> Backend {
    match conn {
        AnyConnection::Sqlite(_) => Backend::Sqlite,
        AnyConnection::Postgresql(_) => Backend::Postgres,
    }
}

/// Runs the same diesel expression on the concrete connection of either backend, for the few
/// statements `MultiConnection` cannot express (multi-row `INSERT … VALUES`), and for the
/// query every signed-in request makes (`identity::signed_in`): on the concrete connection a
/// prepared statement is found by its type, without writing its SQL out again.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite($c) => $body,
            $crate::db::AnyConnection::Postgresql($c) => $body,
        }
    };
}

#[cfg(test)]
mod tests {
    use libsqlite3_sys as ffi;

    /// How many times SQLite planned `SELECT x FROM t LIMIT ?` again over three uses, each
    /// binding `LIMIT 1` as diesel's `.first()` does, on a fresh in-memory connection.
    fn replans_of_a_bound_limit() -> i32 {
        // SAFETY: plain use of the SQLite C API on a connection and statement owned here,
        // finalized and closed before returning.
        unsafe {
            let mut db = std::ptr::null_mut();
            assert_eq!(ffi::sqlite3_open(c":memory:".as_ptr(), &mut db), ffi::SQLITE_OK);
            let setup = c"CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);";
            assert_eq!(ffi::sqlite3_exec(db, setup.as_ptr(), None, std::ptr::null_mut(), std::ptr::null_mut()), ffi::SQLITE_OK);
            let mut stmt = std::ptr::null_mut();
            assert_eq!(ffi::sqlite3_prepare_v3(db, c"SELECT x FROM t LIMIT ?".as_ptr(), -1, ffi::SQLITE_PREPARE_PERSISTENT as u32, &mut stmt, std::ptr::null_mut()), ffi::SQLITE_OK);
            for _ in 0..3 {
                assert_eq!(ffi::sqlite3_bind_int64(stmt, 1, 1), ffi::SQLITE_OK);
                assert_eq!(ffi::sqlite3_step(stmt), ffi::SQLITE_ROW);
                ffi::sqlite3_reset(stmt);
            }
            let replans = ffi::sqlite3_stmt_status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
            ffi::sqlite3_finalize(stmt);
            ffi::sqlite3_close(db);
            replans
        }
    }

    #[test]
    fn a_statement_with_a_bound_limit_is_planned_once() {
        super::keep_query_plans();
        assert_eq!(replans_of_a_bound_limit(), 0, "a kept statement is not planned again at each use");
        // Without the setting, SQLite plans it again at each new binding: what this guards.
        // SAFETY: removes, then puts back, the entry point `keep_query_plans` registered.
        unsafe { ffi::sqlite3_cancel_auto_extension(Some(super::enable_query_plan_stability)) };
        let without = replans_of_a_bound_limit();
        unsafe { ffi::sqlite3_auto_extension(Some(super::enable_query_plan_stability)) };
        assert!(without >= 2, "without the guarantee the statement was planned {without} more times");
    }
}

//! A stopped server leaves nothing running behind it: its background threads (mail, usage
//! files, maintenance) end and its database connections close. A thread still inside a
//! database client call when the process exits can crash it in the client library's exit
//! handlers, which is what the test process itself did now and then before servers were
//! stopped.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The database connections other than the caller's own open on the test's database.
fn other_connections(app: &TestApp, backend: Backend) -> i64 {
    match backend {
        Backend::Postgres => {
            let computegrants::db::AnyConnection::Postgresql(c) = &mut app.conn() else { unreachable!() };
            diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
                .get_result::<Count>(c)
                .unwrap()
                .n
        }
        // SQLite: the process's open descriptors on the database file.
        Backend::Sqlite => {
            let file = std::fs::canonicalize(&app.db.url).unwrap();
            std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter(|target| *target == file)
                .count() as i64
        }
    }
}

async fn a_stopped_server_leaves_no_thread_and_no_connection(backend: Backend) {
    let mut app = TestApp::spawn(backend, "a_stopped_server_leaves_no_thread_and_no_connection").await;
    // Pages and a sign-up (which queues mail) have the pool and the workers use the database.
    let mut c = app.client();
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", "Halt SAS"), ("display_name", "Founder"), ("email", "halt@example.eu"), ("password", crate::helpers::PASSWORD)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.mail.verification_link("halt@example.eu").await;
    assert!(other_connections(&app, backend) > 0, "the running server holds connections");

    let still_running = app.stop_server();
    assert_eq!(still_running, 0, "background threads still running after the server stopped");
    assert_eq!(other_connections(&app, backend), 0, "connections still open after the server stopped");
    // Stopped means stopped: nothing answers any more.
    assert!(reqwest::get(format!("{}/healthz", app.address)).await.is_err());
}

both_backends!(a_stopped_server_leaves_no_thread_and_no_connection);

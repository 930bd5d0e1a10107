//! The command line: the demo data verifies, `verify` names a broken entry and exits non-zero,
//! and `admin create-user` reads the password from standard input.

use crate::helpers::{Backend, TestDb};
use crate::on_both_backends;
use computegrants::domain::{accounts, demo};
use diesel::connection::SimpleConnection;
use std::io::Write;
use std::process::{Command, Stdio};

fn cli(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_computegrants")).arg("--database-url").arg(db_url).args(args).output().unwrap()
}

async fn demo_data_verifies_and_tampering_is_named(backend: Backend) {
    let Some(db) = TestDb::new(backend, "demo_data_verifies_and_tampering_is_named") else { return };
    let mut conn = db.connect();
    let logins = demo::load(&mut conn).unwrap();
    assert_eq!(demo::load(&mut conn).unwrap(), logins, "loading twice changes nothing");
    for (_, email) in &logins {
        assert!(accounts::authenticate(&mut conn, email, demo::DEMO_PASSWORD).unwrap().is_some(), "{email} can sign in");
    }
    let ok = cli(&db.url, &["verify"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ledger OK: 6 entries, 12 postings"));

    let drop = match backend {
        Backend::Sqlite => "DROP TRIGGER ledger_postings_no_update;",
        Backend::Postgres => "DROP TRIGGER ledger_postings_append_only ON ledger_postings;",
    };
    conn.batch_execute(drop).unwrap();
    conn.batch_execute("UPDATE ledger_postings SET amount = amount + 100 WHERE entry_id = 5").unwrap();
    let bad = cli(&db.url, &["verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("entry 5"), "{stderr}");
}
on_both_backends!(demo_data_verifies_and_tampering_is_named);

#[test]
fn admin_create_user_reads_the_password_from_stdin() {
    let db = TestDb::new(Backend::Sqlite, "admin_create_user").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_computegrants"))
        .args(["--database-url", &db.url, "admin", "create-user", "--email", "Ops@Agency.eu", "--role", "admin", "--org", "Operations"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-sufficiently-long-password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut conn = db.connect();
    let user = accounts::authenticate(&mut conn, "ops@agency.eu", "a-sufficiently-long-password").unwrap().expect("user can sign in");
    assert!(user.password_hash.starts_with("$argon2id$"), "argon2id: {}", user.password_hash);
    let refused = cli(&db.url, &["admin", "create-user", "--email", "x@y.eu", "--role", "wizard", "--org", "X"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role"));
}

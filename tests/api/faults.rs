//! What a failure inside a request leaves behind: nothing half-done, and a pool that still works.

use crate::helpers::{Backend, TestDb};
use crate::journey::programme_with_application;
use crate::both_backends;
use computegrants::db::{self, schema::organisations};
use diesel::prelude::*;
use std::panic::AssertUnwindSafe;

fn add_organisation(conn: &mut db::AnyConnection, name: &str) -> Result<(), diesel::result::Error> {
    diesel::insert_into(organisations::table)
        .values((organisations::kind.eq("funder"), organisations::name.eq(name), organisations::created_at.eq(chrono::Utc::now().naive_utc())))
        .execute(conn)
        .map(|_| ())
}

/// The defect: a request that panicked inside a transaction returned its connection to the pool
/// still `idle in transaction`; later requests on it answered "done" while nothing was saved.
async fn a_connection_whose_request_panicked_is_never_reused(backend: Backend) {
    let test_db = TestDb::new(backend, "a_connection_whose_request_panicked_is_never_reused");
    drop(test_db.connect());
    let pool = db::pool(&test_db.url, Some(1)).unwrap();
    let pool_for_panic = pool.clone();
    let outcome = std::thread::spawn(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut conn = pool_for_panic.get().unwrap();
            let _: Result<(), diesel::result::Error> = db::write_transaction(&mut conn, |c| {
                add_organisation(c, "Half-written")?;
                panic!("a bug in the middle of a transaction");
            });
        }))
    })
    .join()
    .unwrap();
    assert!(outcome.is_err(), "the work panicked");
    // The pool's next user (on another thread, as the blocking pool would) commits for real.
    let pool_after = pool.clone();
    std::thread::spawn(move || {
        let mut conn = pool_after.get().unwrap();
        db::write_transaction(&mut conn, |c| add_organisation(c, "Committed")).unwrap();
    })
    .join()
    .unwrap();
    let names: Vec<String> = organisations::table.select(organisations::name).order(organisations::name).load(&mut test_db.connect()).unwrap();
    assert_eq!(names, vec!["Committed".to_string()], "the panicked write is gone, the next one is saved");
}
both_backends!(a_connection_whose_request_panicked_is_never_reused);

/// Pooled connections are not pinged when handed out (a round trip per read); one whose server
/// went away is found when its query fails, and replaced, so the next request works.
#[test]
#[cfg_attr(computegrants_no_postgres, ignore = "needs PostgreSQL: set COMPUTEGRANTS_TEST_POSTGRES_URL (CI does)")]
fn a_connection_the_server_dropped_is_replaced() {
    let test_db = TestDb::new(Backend::Postgres, "a_connection_the_server_dropped_is_replaced");
    drop(test_db.connect());
    let pool = db::pool(&test_db.url, Some(1)).unwrap();
    let backend_pid = |conn: &mut db::AnyConnection| diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()")).get_result::<i32>(conn);
    let first = backend_pid(&mut pool.get().unwrap()).unwrap();
    // The server ends that connection, as a restart or an administrator would.
    let ended: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("pg_terminate_backend({first})"))).get_result(&mut test_db.connect()).unwrap();
    assert!(ended);
    let mut conn = pool.get().unwrap();
    assert!(backend_pid(&mut conn).is_err(), "the pool handed out the dropped connection, unchecked");
    drop(conn);
    let mut conn = pool.get().unwrap();
    let second = backend_pid(&mut conn).expect("the next request gets a working connection");
    assert_ne!(first, second);
}

/// The defect: a programme closing in the year 262142 (PostgreSQL accepts it) made an approval
/// overflow its date arithmetic and panic. Dates are checked: the funder gets a form error.
async fn an_approval_never_overflows_a_date(backend: Backend) {
    let s = programme_with_application(backend, "an_approval_never_overflows_a_date").await;
    use computegrants::db::schema::{applications, programmes};
    let far = chrono::NaiveDate::from_ymd_opt(262_142, 12, 31).unwrap();
    let stored = diesel::update(programmes::table.find(s.programme_id)).set(programmes::closes_on.eq(far)).execute(&mut s.app.conn());
    let mut funder = s.funder;
    let path = format!("/applications/{}", s.application_id);
    funder.refresh_csrf(&path).await;
    match backend {
        // SQLite compares dates as text, so its CHECK (opens_on <= closes_on) already refuses `+262142-…`.
        Backend::Sqlite => assert!(stored.is_err(), "SQLite refuses the far date itself"),
        Backend::Postgres => {
            stored.unwrap();
            let r = funder.post(&format!("{path}/decide"), &[("decision", "approve"), ("amount", "1000")]).await;
            assert_eq!(r.status, 422, "{}", r.body);
            let status: String = applications::table.find(s.application_id).select(applications::status).first(&mut s.app.conn()).unwrap();
            assert_eq!(status, "submitted", "nothing was decided");
        }
    }
    // The server still answers normally afterwards.
    assert_eq!(funder.get(&path).await.status, 200);
    // And a programme cannot be created with such dates in the first place.
    funder.refresh_csrf("/programmes/new").await;
    let r = funder
        .post(
            "/programmes",
            &[("name", "Far"), ("description", "Far future"), ("currency", "EUR"), ("budget", "1000"), ("max_award", "10"), ("opens_on", "2026-01-01"), ("closes_on", "262142-12-31")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}
both_backends!(an_approval_never_overflows_a_date);

/// The defect: mail was sent on a background thread after the change committed; with the mail
/// server down it was lost. Now it waits in the outbox and is delivered, once, when the server
/// comes back. The mail here is a sign-up's verification link, which nobody can do without.
async fn mail_waits_for_a_mail_server_that_is_down(backend: Backend) {
    use crate::helpers::{PASSWORD, SmtpSink, TestApp};
    use computegrants::db::schema::mail_outbox;
    // A port with no mail server behind it, yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with_smtp(backend, "mail_waits_for_a_mail_server_that_is_down", SmtpSink::default(), port);
    let mut c = app.client();
    c.refresh_csrf("/signup").await;
    let r = c.post("/signup", &[("company_name", "Lumen"), ("display_name", "Ada"), ("email", "founder@lumen.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 303, "the sign-up is accepted although mail cannot go out: {}", r.body);
    // It waits in the outbox, with the reason.
    let mut waited = 0;
    let (attempts, error) = loop {
        let row: (i32, Option<String>) = mail_outbox::table.select((mail_outbox::attempts, mail_outbox::last_error)).first(&mut app.conn()).unwrap();
        if row.0 >= 1 || waited > 100 {
            break row;
        }
        waited += 1;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(attempts >= 1 && error.is_some(), "a failed attempt is recorded: {attempts} {error:?}");
    // The mail server comes back: the mail is delivered, once, and its link works.
    let (sink, _) = SmtpSink::start_on(port).await;
    let link = sink.verification_link("founder@lumen.test").await;
    let mut status = String::new();
    for _ in 0..100 {
        status = mail_outbox::table.select(mail_outbox::status).first(&mut app.conn()).unwrap();
        if status == "sent" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "sent");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages.lock().unwrap().len(), 1, "delivered once");
    c.refresh_csrf(&link).await;
    let token = link.split('=').nth(1).unwrap_or_default().to_string();
    assert_eq!(c.post("/verify", &[("token", token.as_str())]).await.location.as_deref(), Some("/company"));
}
both_backends!(mail_waits_for_a_mail_server_that_is_down);

/// The defect: two requests opening the same ledger account for the first time raced on
/// PostgreSQL, and the loser answered 409 with "duplicate key value violates unique constraint".
fn first_use_of_an_account_by_two_requests_at_once(backend: Backend) {
    use computegrants::ledger::{self, AccountSpec, LimitRule, Side};
    let test_db = TestDb::new(backend, "first_use_of_an_account_by_two_requests_at_once");
    drop(test_db.connect());
    let spec = || AccountSpec {
        code: "provider:7:payable:EUR".into(),
        owner_kind: "provider",
        owner_id: 7,
        purpose: "payable",
        currency: "EUR".into(),
        normal_side: Side::Credit,
        limit: LimitRule::None,
    };
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let url = test_db.url.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = db::connect(&url).unwrap();
                barrier.wait();
                db::write_transaction(&mut conn, |c| {
                    let account = ledger::open_account(c, &spec())?;
                    // Hold the first transaction open so that the other one meets it.
                    if i == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(300));
                    }
                    Ok::<_, ledger::LedgerError>(account.id)
                })
            })
        })
        .collect();
    let ids: Vec<i64> = workers.into_iter().map(|w| w.join().unwrap().expect("both requests get the account")).collect();
    assert_eq!(ids[0], ids[1], "one account");
}
both_backends!(sync first_use_of_an_account_by_two_requests_at_once);

/// The defect: ten concurrent views of one large upload held every database connection for
/// half a minute and everyone else got errors. One organisation now has a share of the
/// capacity; past it, its own requests wait or are told "busy" (503), and others are served.
async fn one_organisation_cannot_starve_the_others(backend: Backend) {
    let mut s = programme_with_application(backend, "one_organisation_cannot_starve_the_others").await;
    let code = crate::journey::approve(&mut s, "50000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let costs: Vec<String> = (0..24).map(|i| format!("0.{i:02}")).collect();
    let one_day = crate::helpers::usage_csv(&code, &costs.iter().map(String::as_str).collect::<Vec<_>>());
    // A large file (under the test apps' 2 MiB limit): the same day's lines over many resources.
    let mut big = one_day.clone();
    for r in 1..600 {
        big.push_str(&one_day.lines().skip(1).map(|l| format!("{}\n", l.replace("GPU compute", &format!("GPU compute {r}")))).collect::<String>());
    }
    let flood: Vec<_> = (0..6)
        .map(|i| {
            let (c, body) = (provider.clone_for_test(), big.clone());
            actix_web::rt::spawn(async move { c.upload(&format!("big-{i}.csv"), &body).await.status })
        })
        .collect();
    // While the provider floods, a startup is served.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    let dashboard = s.startup.get("/").await;
    assert_eq!(dashboard.status, 200, "another organisation is served during the flood");
    for upload in flood {
        let status = upload.await.unwrap();
        assert!(matches!(status, 303 | 422 | 503), "the flood is answered, never with an error of ours: {status}");
    }
}
both_backends!(one_organisation_cannot_starve_the_others);

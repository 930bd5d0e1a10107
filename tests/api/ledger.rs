//! The ledger's guarantees, checked directly against both backends.

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestDb, entry};
use computegrants::db::{self, AnyConnection};
use computegrants::db::schema::{ledger_accounts, ledger_kind_totals, ledger_postings};
use computegrants::ledger::{self, AccountSpec, EntryKind, LedgerError, LimitRule, NewEntry, Side};
use computegrants::money::Amount;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn account(conn: &mut AnyConnection, code: &str, side: Side, limit: LimitRule) -> i64 {
    ledger::open_account(
        conn,
        &AccountSpec { code: code.into(), owner_kind: "grant", owner_id: 1, purpose: "test", currency: "EUR".into(), normal_side: side, limit },
    )
    .unwrap()
    .id
}

fn post(conn: &mut AnyConnection, e: &NewEntry) -> Result<ledger::Posted, LedgerError> {
    db::write_transaction(conn, |c| ledger::post(c, e))
}

struct Books {
    source: i64,
    grant: i64,
    payable: i64,
}

/// A source, a limited grant holding 100.00, and a payable account.
fn books(conn: &mut AnyConnection) -> Books {
    let source = account(conn, "source", Side::Debit, LimitRule::None);
    let grant = account(conn, "grant", Side::Credit, LimitRule::DebitsMustNotExceedCredits);
    let payable = account(conn, "payable", Side::Credit, LimitRule::None);
    post(conn, &entry("fund").transfer(source, grant, 10_000).build()).unwrap();
    Books { source, grant, payable }
}

fn balances(conn: &mut AnyConnection) -> Vec<(String, i64, i64, i64, i64)> {
    ledger_accounts::table
        .order(ledger_accounts::id)
        .select((ledger_accounts::code, ledger_accounts::debits_posted, ledger_accounts::credits_posted, ledger_accounts::debits_pending, ledger_accounts::credits_pending))
        .load(conn)
        .unwrap()
}

fn with_db(backend: Backend, test: &str) -> (TestDb, AnyConnection) {
    let db = TestDb::new(backend, test);
    let conn = db.connect();
    (db, conn)
}

fn refusals_change_nothing(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "refusals_change_nothing");
    let b = books(&mut conn);
    let before = balances(&mut conn);
    let unbalanced = entry("unbalanced").debit(b.grant, 100).credit(b.payable, 99).build();
    assert!(matches!(post(&mut conn, &unbalanced), Err(LedgerError::Unbalanced { .. })));
    assert!(matches!(post(&mut conn, &entry("overdraw").transfer(b.grant, b.payable, 10_001).build()), Err(LedgerError::LimitExceeded { .. })));
    assert!(matches!(post(&mut conn, &entry("zero").transfer(b.grant, b.payable, 0).build()), Err(LedgerError::NonPositiveAmount)));
    let single = entry("single").debit(b.grant, 5).build();
    assert!(matches!(post(&mut conn, &single), Err(LedgerError::TooFewPostings)));
    assert!(matches!(post(&mut conn, &entry("ghost").transfer(b.grant, 999_999, 5).build()), Err(LedgerError::UnknownAccount(999_999))));
    assert_eq!(balances(&mut conn), before, "refused operations leave every balance identical");
    // Spending exactly the balance is allowed; one cent more is not.
    post(&mut conn, &entry("all").transfer(b.grant, b.payable, 10_000).build()).unwrap();
    assert!(matches!(post(&mut conn, &entry("one-more").transfer(b.grant, b.payable, 1).build()), Err(LedgerError::LimitExceeded { .. })));
    ledger::verify(&mut conn).unwrap();
    let _ = b.source;
}

fn idempotent_retries(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "idempotent_retries");
    let b = books(&mut conn);
    let first = post(&mut conn, &entry("usage:1").transfer(b.grant, b.payable, 250).build()).unwrap();
    assert!(!first.replayed);
    let before = balances(&mut conn);
    let again = post(&mut conn, &entry("usage:1").transfer(b.grant, b.payable, 250).build()).unwrap();
    assert_eq!(again, ledger::Posted { entry_id: first.entry_id, replayed: true });
    assert_eq!(balances(&mut conn), before, "a replay writes nothing");
    assert!(matches!(post(&mut conn, &entry("usage:1").transfer(b.grant, b.payable, 251).build()), Err(LedgerError::IdempotencyConflict(_))));
    assert_eq!(ledger::verify(&mut conn).unwrap().entries, 2);
}

fn append_only_in_the_database(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "append_only_in_the_database");
    books(&mut conn);
    for statement in [
        "UPDATE ledger_postings SET amount = amount + 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET description = 'changed'",
        "DELETE FROM ledger_entries",
    ] {
        let err = conn.batch_execute(statement).expect_err(statement);
        assert!(err.to_string().contains("append-only"), "{statement}: {err}");
    }
    // The balance limit holds in the database itself, even for a writer that skips the ledger.
    let err = conn.batch_execute("UPDATE ledger_accounts SET debits_posted = credits_posted + 1 WHERE code = 'grant'").expect_err("overdraw");
    assert!(err.to_string().to_lowercase().contains("check"), "{err}");
    ledger::verify(&mut conn).unwrap();
}

fn verify_catches_tampering(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "verify_catches_tampering");
    let b = books(&mut conn);
    let spent = post(&mut conn, &entry("spend").transfer(b.grant, b.payable, 300).build()).unwrap();
    ledger::verify(&mut conn).unwrap();
    let drop_triggers = match backend {
        Backend::Sqlite => "DROP TRIGGER ledger_postings_no_update; DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete; DROP TRIGGER ledger_postings_no_delete;",
        Backend::Postgres => "DROP TRIGGER ledger_postings_append_only ON ledger_postings; DROP TRIGGER ledger_entries_append_only ON ledger_entries;",
    };
    conn.batch_execute(drop_triggers).unwrap();

    // Change both legs of an entry consistently: it still balances, but the hash gives it away.
    conn.batch_execute(&format!("UPDATE ledger_postings SET amount = 200 WHERE entry_id = {}", spent.entry_id)).unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains(&format!("entry {}", spent.entry_id)) && err.contains("payload hash"), "{err}");
    conn.batch_execute(&format!("UPDATE ledger_postings SET amount = 300 WHERE entry_id = {}", spent.entry_id)).unwrap();
    ledger::verify(&mut conn).unwrap();

    // Stored totals that differ from the postings.
    conn.batch_execute("UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE code = 'payable'").unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains("account payable") && err.contains("differ from its postings"), "{err}");
    conn.batch_execute("UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE code = 'payable'").unwrap();

    // Per-kind totals (what the figures read) that differ from the postings, or that have none.
    conn.batch_execute(&format!("UPDATE ledger_kind_totals SET credits = credits + 1 WHERE account_id = {}", b.payable)).unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains("account payable") && err.contains("usage totals") && err.contains("differ from its postings"), "{err}");
    conn.batch_execute(&format!("UPDATE ledger_kind_totals SET credits = credits - 1 WHERE account_id = {}", b.payable)).unwrap();
    conn.batch_execute(&format!("INSERT INTO ledger_kind_totals (account_id, kind, debits, credits) VALUES ({}, 'award', 0, 5)", b.payable)).unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains("account payable") && err.contains("award totals") && err.contains("no postings"), "{err}");
    conn.batch_execute("DELETE FROM ledger_kind_totals WHERE kind = 'award'").unwrap();
    ledger::verify(&mut conn).unwrap();

    // One unbalanced posting.
    conn.batch_execute(&format!("UPDATE ledger_postings SET amount = 301 WHERE entry_id = {} AND direction = 'credit'", spent.entry_id)).unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains(&format!("entry {}", spent.entry_id)), "{err}");
    conn.batch_execute(&format!("UPDATE ledger_postings SET amount = 300 WHERE entry_id = {} AND direction = 'credit'", spent.entry_id)).unwrap();

    // Removing the newest entry (and fixing the balances to match) breaks the chain head.
    conn.batch_execute(&format!(
        "DELETE FROM ledger_postings WHERE entry_id = {id}; DELETE FROM ledger_entries WHERE id = {id};
         UPDATE ledger_accounts SET debits_posted = 0 WHERE code = 'grant';
         UPDATE ledger_accounts SET credits_posted = 0 WHERE code = 'payable';
         UPDATE ledger_kind_totals SET debits = 0 WHERE account_id = {grant};
         UPDATE ledger_kind_totals SET credits = 0 WHERE account_id = {payable};",
        id = spent.entry_id,
        grant = b.grant,
        payable = b.payable
    ))
    .unwrap();
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains("ledger head"), "{err}");
    let postings: i64 = ledger_postings::table.count().get_result(&mut conn).unwrap();
    assert_eq!(postings, 2);
}

/// Many threads spend the same grant at once: never overdrawn, nothing lost.
fn concurrent_spending_never_overdraws(backend: Backend) {
    let (db, mut conn) = with_db(backend, "concurrent_spending_never_overdraws");
    let b = books(&mut conn); // 100.00 available
    let threads = 8;
    let per_thread = 10;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let url = db.url.clone();
            std::thread::spawn(move || {
                let mut conn = db::connect(&url).unwrap();
                let mut ok = 0;
                for i in 0..per_thread {
                    // 80 attempts of 1.50 against 100.00: exactly 66 can succeed.
                    match post(&mut conn, &entry(format!("spend:{t}:{i}")).transfer(b.grant, b.payable, 150).build()) {
                        Ok(p) if !p.replayed => ok += 1,
                        Ok(_) => panic!("unexpected replay"),
                        Err(LedgerError::LimitExceeded { .. }) => {}
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
                ok
            })
        })
        .collect();
    let succeeded: i64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(succeeded, 66, "100.00 / 1.50 = 66 whole spends");
    let grant = ledger::account(&mut conn, b.grant).unwrap();
    assert_eq!(grant.balance().cents(), 10_000 - 66 * 150);
    assert!(!grant.balance().is_negative());
    let report = ledger::verify(&mut conn).unwrap();
    assert_eq!(report.entries, 67);
}

/// Many threads retry the same idempotency key at once: exactly one entry.
fn concurrent_retries_post_once(backend: Backend) {
    let (db, mut conn) = with_db(backend, "concurrent_retries_post_once");
    let b = books(&mut conn);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || {
                let mut conn = db::connect(&url).unwrap();
                post(&mut conn, &entry("same-key").transfer(b.grant, b.payable, 500).build()).unwrap()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|p| !p.replayed).count(), 1);
    assert!(results.iter().all(|p| p.entry_id == results[0].entry_id));
    assert_eq!(ledger::account(&mut conn, b.grant).unwrap().balance().cents(), 9_500);
}

both_backends!(
    sync refusals_change_nothing,
    idempotent_retries,
    append_only_in_the_database,
    verify_catches_tampering,
    concurrent_spending_never_overdraws,
    concurrent_retries_post_once
);

fn resolve(conn: &mut AnyConnection, hold: i64, r: ledger::Resolution, key: &str) -> Result<ledger::Posted, LedgerError> {
    db::write_transaction(conn, |c| ledger::resolve_hold(c, hold, r, key, "test"))
}

fn hold(conn: &mut AnyConnection, e: &NewEntry, expires_at: Option<chrono::NaiveDateTime>) -> Result<ledger::Posted, LedgerError> {
    db::write_transaction(conn, |c| ledger::hold(c, e, expires_at))
}

fn holds_reserve_and_resolve_once(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "holds_reserve_and_resolve_once");
    let b = books(&mut conn); // 100.00
    let first = hold(&mut conn, &entry("hold:1").transfer(b.grant, b.payable, 6_000).build(), None).unwrap();
    let grant = ledger::account(&mut conn, b.grant).unwrap();
    assert_eq!((grant.balance().cents(), grant.available().cents(), grant.debits_pending), (10_000, 4_000, 6_000));
    // Pending amounts count against the limit.
    let before = balances(&mut conn);
    assert!(matches!(hold(&mut conn, &entry("hold:2").transfer(b.grant, b.payable, 5_000).build(), None), Err(LedgerError::LimitExceeded { .. })));
    assert!(matches!(post(&mut conn, &entry("spend").transfer(b.grant, b.payable, 4_001).build()), Err(LedgerError::LimitExceeded { .. })));
    assert_eq!(balances(&mut conn), before);

    // Post 45.00 of the 60.00 held: the rest is released.
    let posted = resolve(&mut conn, first.entry_id, ledger::Resolution::Post(Some(Amount::from_cents(4_500))), "post:1").unwrap();
    let grant = ledger::account(&mut conn, b.grant).unwrap();
    assert_eq!((grant.balance().cents(), grant.available().cents(), grant.debits_pending), (5_500, 5_500, 0));
    assert_eq!(ledger::account(&mut conn, b.payable).unwrap().balance().cents(), 4_500);
    // A retry returns the first answer; any other resolution is refused.
    assert_eq!(resolve(&mut conn, first.entry_id, ledger::Resolution::Post(Some(Amount::from_cents(4_500))), "post:1").unwrap(), ledger::Posted { entry_id: posted.entry_id, replayed: true });
    assert!(matches!(resolve(&mut conn, first.entry_id, ledger::Resolution::Void, "void:1"), Err(LedgerError::AlreadyResolved(..))));
    assert!(matches!(resolve(&mut conn, posted.entry_id, ledger::Resolution::Void, "void:x"), Err(LedgerError::NotAHold(_))));

    // Void releases everything; posting more than held is refused.
    let second = hold(&mut conn, &entry("hold:3").transfer(b.grant, b.payable, 1_000).build(), None).unwrap();
    assert!(matches!(resolve(&mut conn, second.entry_id, ledger::Resolution::Post(Some(Amount::from_cents(1_001))), "post:3"), Err(LedgerError::MoreThanHeld { .. })));
    resolve(&mut conn, second.entry_id, ledger::Resolution::Void, "void:3").unwrap();
    assert_eq!(ledger::account(&mut conn, b.grant).unwrap().available().cents(), 5_500);

    // Expiry: a hold past its time cannot be posted, and expire_holds releases it once.
    let past = computegrants::domain::clock::now() - chrono::Duration::seconds(5);
    let third = hold(&mut conn, &entry("hold:4").transfer(b.grant, b.payable, 2_000).build(), Some(past)).unwrap();
    assert!(matches!(resolve(&mut conn, third.entry_id, ledger::Resolution::Post(None), "post:4"), Err(LedgerError::HoldExpired(..))));
    let future = computegrants::domain::clock::now() + chrono::Duration::hours(1);
    hold(&mut conn, &entry("hold:5").transfer(b.grant, b.payable, 500).build(), Some(future)).unwrap();
    let now = computegrants::domain::clock::now();
    assert_eq!(db::write_transaction(&mut conn, |c| ledger::expire_holds(c, now)).unwrap(), 1);
    assert_eq!(db::write_transaction(&mut conn, |c| ledger::expire_holds(c, now)).unwrap(), 0);
    let grant = ledger::account(&mut conn, b.grant).unwrap();
    assert_eq!((grant.available().cents(), grant.debits_pending), (5_000, 500));
    let report = ledger::verify(&mut conn).unwrap();
    assert_eq!(report.entries, 8, "fund, four holds, one post, one void, one expiry");
    let statement = ledger::statement(&mut conn, b.grant).unwrap();
    assert_eq!(statement.last().unwrap().balance.cents(), 5_500, "holds are not statement lines");
}

fn batches_are_all_or_nothing(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "batches_are_all_or_nothing");
    let b = books(&mut conn); // 100.00
    let batch: Vec<NewEntry> = (0..1_500).map(|i| entry(format!("batch:{i}")).transfer(b.grant, b.payable, 5).build()).collect();
    let posted = db::write_transaction(&mut conn, |c| ledger::post_many(c, &batch)).unwrap();
    assert_eq!(posted.len(), 1_500);
    assert!(posted.iter().all(|p| !p.replayed));
    assert_eq!(ledger::account(&mut conn, b.grant).unwrap().balance().cents(), 10_000 - 7_500);
    // The same batch again is a replay; a batch that overdraws half-way writes nothing.
    let again = db::write_transaction(&mut conn, |c| ledger::post_many(c, &batch)).unwrap();
    assert!(again.iter().zip(&posted).all(|(a, p)| a.replayed && a.entry_id == p.entry_id));
    let before = balances(&mut conn);
    let overdraw: Vec<NewEntry> = (0..600).map(|i| entry(format!("over:{i}")).transfer(b.grant, b.payable, 5).build()).collect();
    assert!(matches!(db::write_transaction(&mut conn, |c| ledger::post_many(c, &overdraw)), Err(LedgerError::LimitExceeded { .. })));
    assert_eq!(balances(&mut conn), before);
    // Repeating a key inside one batch posts once.
    let twice = vec![entry("dup").transfer(b.grant, b.payable, 7).build(), entry("dup").transfer(b.grant, b.payable, 7).build()];
    let r = db::write_transaction(&mut conn, |c| ledger::post_many(c, &twice)).unwrap();
    assert_eq!(r[0].entry_id, r[1].entry_id);
    assert!(!r[0].replayed && r[1].replayed);
    assert_eq!(ledger::verify(&mut conn).unwrap().entries, 1 + 1_500 + 1);
}

/// Many threads race to resolve the same hold: exactly one wins.
fn concurrent_resolution_happens_once(backend: Backend) {
    let (db, mut conn) = with_db(backend, "concurrent_resolution_happens_once");
    let b = books(&mut conn);
    let held = hold(&mut conn, &entry("hold").transfer(b.grant, b.payable, 3_000).build(), None).unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let url = db.url.clone();
            std::thread::spawn(move || {
                let mut conn = db::connect(&url).unwrap();
                let r = if t % 2 == 0 { ledger::Resolution::Post(None) } else { ledger::Resolution::Void };
                resolve(&mut conn, held.entry_id, r, &format!("resolve:{t}"))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(LedgerError::AlreadyResolved(..)))));
    let grant = ledger::account(&mut conn, b.grant).unwrap();
    assert_eq!(grant.debits_pending, 0);
    assert!(grant.balance().cents() == 10_000 || grant.balance().cents() == 7_000);
    ledger::verify(&mut conn).unwrap();
}

both_backends!(sync holds_reserve_and_resolve_once, batches_are_all_or_nothing, concurrent_resolution_happens_once);

fn corrections_are_reversing_entries(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "corrections_are_reversing_entries");
    let b = books(&mut conn); // 100.00
    let spend = post(&mut conn, &entry("spend").transfer(b.grant, b.payable, 4_000).build()).unwrap();
    let reversed = db::write_transaction(&mut conn, |c| ledger::reverse(c, spend.entry_id, "billed twice", "test")).unwrap();
    assert_eq!(ledger::account(&mut conn, b.grant).unwrap().balance().cents(), 10_000);
    assert_eq!(ledger::account(&mut conn, b.payable).unwrap().balance().cents(), 0);
    let stored = ledger::entry(&mut conn, reversed.entry_id).unwrap();
    assert_eq!((stored.kind.as_str(), stored.reverses_entry_id), ("reversal", Some(spend.entry_id)));
    // Once: a second reversal is the first one replayed.
    let again = db::write_transaction(&mut conn, |c| ledger::reverse(c, spend.entry_id, "billed twice", "test")).unwrap();
    assert_eq!(again, ledger::Posted { entry_id: reversed.entry_id, replayed: true });
    // A reversal obeys limits: the funding cannot be taken back once it is spent.
    post(&mut conn, &entry("spend-again").transfer(b.grant, b.payable, 9_000).build()).unwrap();
    let funding = ledger::statement(&mut conn, b.grant).unwrap()[0].entry_id;
    let before = balances(&mut conn);
    assert!(matches!(db::write_transaction(&mut conn, |c| ledger::reverse(c, funding, "clawback", "test")), Err(LedgerError::LimitExceeded { .. })));
    assert_eq!(balances(&mut conn), before);
    // Holds are resolved, not reversed.
    let held = hold(&mut conn, &entry("h").transfer(b.grant, b.payable, 100).build(), None).unwrap();
    assert!(matches!(db::write_transaction(&mut conn, |c| ledger::reverse(c, held.entry_id, "x", "test")), Err(LedgerError::NotReversible(_))));
    ledger::verify(&mut conn).unwrap();
}

both_backends!(sync corrections_are_reversing_entries);

/// The harness's own promise: a test whose app is left with a ledger that does not verify fails
/// when the app is dropped, naming the problem.
async fn an_unverifiable_ledger_fails_the_test(backend: Backend) {
    let app = TestApp::spawn(backend, "an_unverifiable_ledger_fails_the_test").await;
    let mut conn = app.conn();
    let source = account(&mut conn, "source", Side::Debit, LimitRule::None);
    let payable = account(&mut conn, "payable", Side::Credit, LimitRule::None);
    post(&mut conn, &entry("fund").transfer(source, payable, 500).build()).unwrap();
    app.verify_ledger().unwrap();
    // A writer that bypasses the ledger: the stored total no longer equals the postings.
    conn.batch_execute("UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE code = 'payable'").unwrap();
    drop(conn);
    let problem = app.verify_ledger().unwrap_err().to_string();
    assert!(problem.contains("account payable") && problem.contains("differ from its postings"), "{problem}");
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(app))).expect_err("dropping the app fails the test");
    let message = panic.downcast_ref::<String>().map(String::as_str).unwrap_or_default();
    assert!(message.contains("does not verify") && message.contains(&problem), "{message}");
}

both_backends!(an_unverifiable_ledger_fails_the_test);

/// A stored value this version does not know (written by a newer version, or by hand) stops the
/// operation that reads it. Before, an unknown kind was silently re-posted as usage.
fn unknown_stored_values_are_refused(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "unknown_stored_values_are_refused");
    let b = books(&mut conn);
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let held = hold(&mut conn, &entry("hold:1").transfer(b.grant, b.payable, 1_000).build(), Some(day(2030))).unwrap();
    let drop_trigger = match backend {
        Backend::Sqlite => "DROP TRIGGER ledger_entries_no_update;",
        Backend::Postgres => "DROP TRIGGER ledger_entries_append_only ON ledger_entries;",
    };
    conn.batch_execute(drop_trigger).unwrap();
    conn.batch_execute(&format!("UPDATE ledger_entries SET kind = 'refund' WHERE id = {}", held.entry_id)).unwrap();
    let before = balances(&mut conn);

    let refused = resolve(&mut conn, held.entry_id, ledger::Resolution::Void, "void:1");
    assert!(
        matches!(&refused, Err(LedgerError::UnknownValue { column: "ledger_entries.kind", value }) if value == "refund"),
        "{refused:?}"
    );
    let expired = db::write_transaction(&mut conn, |c| ledger::expire_holds(c, day(2031)));
    assert!(matches!(expired, Err(LedgerError::UnknownValue { column: "ledger_entries.kind", .. })), "{expired:?}");
    assert_eq!(balances(&mut conn), before, "nothing was written");
    let err = ledger::verify(&mut conn).unwrap_err().to_string();
    assert!(err.contains(&format!("entry {}", held.entry_id)) && err.contains("unknown kind"), "{err}");
}

both_backends!(sync unknown_stored_values_are_refused);

/// A statement read a page at a time, newest first, gives the same movements and running
/// balances as the whole statement read at once, reversed, whichever page is asked for.
fn a_statement_read_page_by_page_matches_the_whole_one(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "a_statement_read_page_by_page_matches_the_whole_one");
    let b = books(&mut conn);
    for i in 0..123 {
        let e = if i % 10 == 3 { entry(&format!("back-{i}")).transfer(b.payable, b.grant, 7).build() } else { entry(&format!("use-{i}")).transfer(b.grant, b.payable, 11 + i).build() };
        if i % 7 == 0 {
            // Held, then posted in part: the statement shows the posting, never the hold.
            let held = hold(&mut conn, &e, None).unwrap();
            resolve(&mut conn, held.entry_id, ledger::Resolution::Post(Some(Amount::from_cents(5))), &format!("post-{i}")).unwrap();
        } else {
            post(&mut conn, &e).unwrap();
        }
    }
    // One hold still pending: not a movement yet.
    hold(&mut conn, &entry("pending").transfer(b.grant, b.payable, 3).build(), None).unwrap();
    let whole = ledger::statement(&mut conn, b.grant).unwrap();
    assert_eq!(whole.len(), 124);
    let mut paged = Vec::new();
    for page in 0..4 {
        let (lines, more) = ledger::statement_page(&mut conn, b.grant, page * 50, 50).unwrap();
        assert_eq!(lines.len(), [50, 50, 24, 0][page as usize]);
        assert_eq!(more, page < 2, "page {page}");
        paged.extend(lines);
    }
    paged.reverse();
    let key = |l: &ledger::StatementLine| (l.entry_id, l.debit, l.credit, l.balance);
    assert_eq!(paged.iter().map(key).collect::<Vec<_>>(), whole.iter().map(key).collect::<Vec<_>>());
    // The newest line's balance is the account's.
    let (first, _) = ledger::statement_page(&mut conn, b.grant, 0, 1).unwrap();
    assert_eq!(first[0].balance, whole.last().unwrap().balance);
}
both_backends!(sync a_statement_read_page_by_page_matches_the_whole_one);

/// The per-kind totals the figures read: kept by every write (holds count only once posted, in
/// part or whole), and rebuilt by the migration's backfill from the postings alone to the same rows.
fn kind_totals_follow_postings_and_the_backfill_rebuilds_them(backend: Backend) {
    let (_db, mut conn) = with_db(backend, "kind_totals_follow_postings");
    let b = books(&mut conn); // 100.00 by a usage entry
    let mut award = entry("award").transfer(b.source, b.grant, 2_500).build();
    award.kind = EntryKind::Award;
    post(&mut conn, &award).unwrap();
    post(&mut conn, &entry("spend").transfer(b.grant, b.payable, 700).build()).unwrap();
    let held = hold(&mut conn, &entry("hold").transfer(b.grant, b.payable, 900).build(), None).unwrap();
    hold(&mut conn, &entry("open-hold").transfer(b.grant, b.payable, 50).build(), None).unwrap();
    resolve(&mut conn, held.entry_id, ledger::Resolution::Post(Some(Amount::from_cents(400))), "post-part").unwrap();
    let read = |conn: &mut AnyConnection| -> Vec<(i64, String, i64, i64)> {
        ledger_kind_totals::table
            .order((ledger_kind_totals::account_id, ledger_kind_totals::kind))
            .select((ledger_kind_totals::account_id, ledger_kind_totals::kind, ledger_kind_totals::debits, ledger_kind_totals::credits))
            .load(conn)
            .unwrap()
    };
    let kept = read(&mut conn);
    assert_eq!(
        kept,
        vec![
            (b.source, "award".to_string(), 2_500, 0),
            (b.source, "usage".to_string(), 10_000, 0),
            (b.grant, "award".to_string(), 0, 2_500),
            (b.grant, "usage".to_string(), 1_100, 10_000),
            (b.payable, "usage".to_string(), 0, 1_100),
        ]
    );
    ledger::verify(&mut conn).unwrap();
    let up = match backend {
        Backend::Sqlite => include_str!("../../migrations/sqlite/2026-11-27-000034_ledger_kind_totals/up.sql"),
        Backend::Postgres => include_str!("../../migrations/postgres/2026-11-27-000034_ledger_kind_totals/up.sql"),
    };
    conn.batch_execute(&format!("DROP TABLE ledger_kind_totals; {up}")).unwrap();
    assert_eq!(read(&mut conn), kept);
    ledger::verify(&mut conn).unwrap();
}
both_backends!(sync kind_totals_follow_postings_and_the_backfill_rebuilds_them);

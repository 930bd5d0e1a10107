//! Usage files streamed to disk and checked by the background job: progress, outcome, gzip,
//! problems kept with the job, resumption after a crash, and racing submissions.

use crate::both_backends;
use crate::helpers::{Backend, TEST_USAGE_INLINE_BYTES};
use crate::journey::{approve, programme_with_application};
use computegrants::db::schema::{usage_jobs, usage_lines, usage_uploads};
use computegrants::domain::usage::{self, JobStatus, jobs};
use computegrants::ledger;
use diesel::prelude::*;
use std::io::Write;

/// `lines` usage lines for `grant`, one a minute from midnight today, each costing `cost`.
fn many_lines(grant: &str, lines: usize, cost: &str) -> String {
    lines_for(grant, lines, cost, "vm")
}

/// The same, the resources named `{resources}-{i}`.
fn lines_for(grant: &str, lines: usize, cost: &str, resources: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ResourceId\n");
    for i in 0..lines {
        let (h, m) = ((i / 60) % 24, i % 60);
        csv.push_str(&format!("{today}T{h:02}:{m:02}:00Z,{today}T{h:02}:{m:02}:59Z,GPU compute,0.001,GPU-hour,{cost},EUR,{grant},{resources}-{i}\n"));
    }
    csv
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn a_large_file_is_checked_in_the_background(backend: Backend) {
    let mut s = programme_with_application(backend, "a_large_file_is_checked_in_the_background").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let csv = many_lines(&code, 1_400, "0.01");
    assert!(csv.len() as u64 > TEST_USAGE_INLINE_BYTES, "large enough for the background job");
    let r = provider.upload_bytes("october.csv", csv.into_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let job_path = r.location.clone().unwrap();
    assert!(job_path.starts_with("/usage/jobs/"), "{job_path}");
    let done = provider.wait_for_job(&job_path).await;
    assert_eq!(done.status, 303, "the finished job leads to its upload: {}", done.body);
    let upload_path = done.location.unwrap();
    let page = provider.get(&upload_path).await;
    assert!(page.body.contains("october.csv") && page.body.contains("1,400"), "{}", page.body);
    let mut conn = s.app.conn();
    let lines: i64 = usage_lines::table.count().get_result(&mut conn).unwrap();
    assert_eq!(lines, 1_400);
    let (status, read, stored): (String, i64, String) = usage_jobs::table.select((usage_jobs::status, usage_jobs::lines_read, usage_jobs::stored_path)).first(&mut conn).unwrap();
    assert_eq!((status.as_str(), read), ("accepted", 1_400));
    assert!(!std::path::Path::new(&stored).exists(), "the received file is removed once checked");
    // The provider's list shows the job; nobody else sees it.
    assert!(provider.get("/usage").await.body.contains(&job_path));
    assert_eq!(s.startup.get(&job_path).await.status, 404);
    assert_eq!(s.funder.get(&job_path).await.status, 404);
}
both_backends!(a_large_file_is_checked_in_the_background);

async fn a_refused_large_file_keeps_its_problems_with_the_job(backend: Backend) {
    let mut s = programme_with_application(backend, "a_refused_large_file_keeps_its_problems_with_the_job").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let mut csv = many_lines(&code, 1_400, "0.01");
    // Line 1,001 (header is line 1) gets a cost that is not a number; line 1,201 names no grant.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[1_000] = lines[1_000].replace(",0.01,", ",abc,");
    lines[1_200] = lines[1_200].replace(&format!(",{code},"), ",,");
    csv = lines.join("\r\n") + "\r\n";
    let r = provider.upload_bytes("bad.csv", csv.into_bytes()).await;
    let job_path = r.location.clone().unwrap();
    let page = provider.wait_for_job(&job_path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("line 1,001,") && page.body.contains("line 1,201,"), "true line numbers in a CRLF file: {}", page.body);
    assert!(page.body.contains("nothing was stored"), "{}", page.body);
    let csv = provider.get(&format!("{job_path}/problems.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.lines().any(|l| l.starts_with("1001,")) && csv.body.lines().any(|l| l.starts_with("1201,")), "{}", csv.body);
    let uploads: i64 = usage_uploads::table.count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(uploads, 0, "a refused file stores nothing");
    // The same page in French, from what was kept.
    let mut fr = s.app.login_in("billing@gpu.test", "fr").await;
    fr.refresh_csrf("/usage").await;
    let page = fr.get(&job_path).await;
    assert!(page.body.contains("ligne 1") && page.body.contains("Corrigez le fichier"), "{}", page.body);
}
both_backends!(a_refused_large_file_keeps_its_problems_with_the_job);

async fn a_gzip_file_is_read_as_its_csv(backend: Backend) {
    let mut s = programme_with_application(backend, "a_gzip_file_is_read_as_its_csv").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    // Small once compressed (checked while the browser waits) and large (in the background).
    for (name, lines) in [("small.csv.gz", 30), ("large.csv.gz", 1_400)] {
        let csv = lines_for(&code, lines, "0.02", name);
        let r = provider.upload_bytes(name, gzip(csv.as_bytes())).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mut location = r.location.unwrap();
        if location.starts_with("/usage/jobs/") {
            location = provider.wait_for_job(&location).await.location.expect("accepted");
        }
        let upload: usage::Upload = {
            let id: computegrants::domain::UploadId = location.rsplit('/').next().unwrap().parse().unwrap();
            usage_uploads::table.find(id).select(usage::Upload::as_select()).first(&mut s.app.conn()).unwrap()
        };
        assert_eq!(upload.line_count, lines as i64, "{name}");
        // Provider exports resend the same period: the second file, gzip or not, is recognised.
        if lines == 30 {
            provider.refresh_csrf(&location).await;
            assert_eq!(provider.post(&format!("{location}/confirm"), &[]).await.status, 303);
            let again = provider.upload("small-again.csv", &csv).await;
            assert_eq!(again.status, 422, "the same content, uncompressed, is the same file");
            assert!(again.body.contains("already submitted"), "{}", again.body);
        }
    }
}
both_backends!(a_gzip_file_is_read_as_its_csv);

/// A job cut short (its worker died) is claimed again and finishes; after too many attempts it
/// is marked failed with its reason. Storing is one transaction, so nothing half-stored remains.
/// No server runs here: the test plays the workers, on the demo data.
async fn an_interrupted_job_is_resumed_or_failed(backend: Backend) {
    let db = crate::helpers::TestDb::new(backend, "an_interrupted_job_is_resumed_or_failed");
    let mut conn = db.connect();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let user = computegrants::domain::identity::find_user_by_email(&mut conn, "billing@helios-gpu.demo").unwrap().unwrap();
    let member = computegrants::domain::identity::member(&mut conn, user.id).unwrap();
    let code: String = computegrants::db::schema::grants::table
        .filter(computegrants::db::schema::grants::provider_id.eq(member.org_id()))
        .select(computegrants::db::schema::grants::code)
        .first(&mut conn)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.upload");
    std::fs::write(&path, helios_lines(&code, 50)).unwrap();
    let id = jobs::enqueue(&mut conn, &member, "usage.csv", &path, 5_000, true).unwrap();
    let now = chrono::Utc::now().naive_utc();
    {
        // A first worker claims it ... and its process dies: its connection goes with it.
        let mut doomed = db.connect();
        let claimed = jobs::claim_next(&mut doomed, now).unwrap().expect("claimed");
        assert_eq!((claimed.id, claimed.status), (id, JobStatus::Running));
        if backend == Backend::Postgres {
            let mut other = db.connect();
            assert!(jobs::claim_next(&mut other, now).unwrap().is_none(), "a live worker's job is not taken from it");
        }
    }
    // On SQLite a restarting server re-queues it; on PostgreSQL the dead session's lock is free.
    if backend == Backend::Sqlite {
        assert_eq!(jobs::requeue_orphans(&mut conn).unwrap(), 1);
    }
    let again = claim_when_free(&mut conn, now).await.expect("claimed again once its worker is gone");
    assert_eq!((again.id, again.attempts), (id, 2));
    let mut progress = db.connect();
    assert_eq!(jobs::run(&mut conn, &mut progress, &again, 1 << 30).unwrap(), JobStatus::Accepted);
    jobs::unlock(&mut conn, id);
    let job = jobs::job_of(&mut conn, &member, id).unwrap();
    let upload = usage::view(&mut conn, &member, job.upload_id.unwrap()).unwrap();
    assert_eq!(upload.upload.status, usage::UploadStatus::Submitted, "submitted as asked: its holds placed");
    assert_eq!(upload.upload.line_count, 50);
    assert!(!path.exists(), "the received file is removed once checked");
    ledger::verify(&mut conn).unwrap();

    // A job that keeps dying is failed with its reason, not tried for ever.
    std::fs::write(&path, helios_lines(&code, 5)).unwrap();
    let id = jobs::enqueue(&mut conn, &member, "doomed.csv", &path, 500, false).unwrap();
    for _ in 0..jobs::MAX_ATTEMPTS {
        let mut doomed = db.connect();
        assert_eq!(claim_when_free(&mut doomed, now).await.unwrap().id, id);
        if backend == Backend::Sqlite {
            jobs::requeue_orphans(&mut conn).unwrap();
        }
    }
    let mut job = jobs::job_of(&mut conn, &member, id).unwrap();
    // The last worker's session may take a moment to end on the server.
    for _ in 0..50 {
        assert!(jobs::claim_next(&mut conn, now).unwrap().is_none(), "never a fourth attempt");
        job = jobs::job_of(&mut conn, &member, id).unwrap();
        if job.status == JobStatus::Failed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.failure_message().unwrap().key, "usage-job-interrupted");
    let uploads: i64 = usage_uploads::table.filter(usage_uploads::filename.eq("doomed.csv")).count().get_result(&mut conn).unwrap();
    assert_eq!(uploads, 0);
}
both_backends!(an_interrupted_job_is_resumed_or_failed);

/// Claims the next job, waiting up to five seconds for a dead worker's PostgreSQL session (and
/// its lock on the job) to end: the server notices a closed connection a moment later.
async fn claim_when_free(conn: &mut computegrants::db::AnyConnection, now: chrono::NaiveDateTime) -> Option<usage::UsageJob> {
    for _ in 0..50 {
        if let Some(job) = jobs::claim_next(conn, now).unwrap() {
            return Some(job);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

/// Lines billing the demo's Helios grant at its catalogue price (H100, 2.40 EUR a GPU-hour).
fn helios_lines(grant: &str, lines: usize) -> String {
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ResourceId\n");
    for i in 0..lines {
        csv.push_str(&format!("{today}T10:{:02}:00Z,{today}T10:{:02}:59Z,NVIDIA H100 SXM,HEL-H100-SXM,1,GPU-hour,2.40,EUR,{grant},job-vm-{i}\n", i % 60, i % 60));
    }
    csv
}

/// Two submissions racing for the last credits of one grant: one wins, the other is refused
/// whole, and the grant is never overdrawn.
async fn racing_submissions_never_overdraw_a_grant(backend: Backend) {
    let mut s = programme_with_application(backend, "racing_submissions_never_overdraw_a_grant").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let mut pending = Vec::new();
    for (name, cost) in [("a.csv", "700.00"), ("b.csv", "600.00"), ("c.csv", "650.00")] {
        let r = provider.upload(name, &crate::helpers::usage_csv(&code, &[cost])).await;
        assert_eq!(r.status, 303, "each fits on its own: {}", r.body);
        pending.push(r.location.unwrap());
    }
    provider.refresh_csrf(&pending[0]).await;
    let posts = pending.iter().map(|path| {
        let client = provider.clone_for_test();
        let path = format!("{path}/confirm");
        async move { client.post(&path, &[]).await.status }
    });
    let statuses = futures_util::future::join_all(posts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "exactly one wins: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 2, "the others are refused: {statuses:?}");
    let mut conn = s.app.conn();
    ledger::verify(&mut conn).unwrap();
    let grant = computegrants::domain::grants::grant_by_code(&mut conn, &code).unwrap().unwrap();
    let account = ledger::find_account_by_code(&mut conn, &grant.credits_account_code()).unwrap().unwrap();
    assert!(!account.available().is_negative(), "never overdrawn");
    assert!(account.available().cents() >= 30_000, "only one of the three was held: {:?}", account.available());
}
both_backends!(racing_submissions_never_overdraw_a_grant);

/// Text with backslashes, tabs and line breaks is stored exactly as sent (PostgreSQL's COPY
/// text format escapes them; SQLite binds them).
async fn provider_text_is_stored_exactly(backend: Backend) {
    let mut s = programme_with_application(backend, "provider_text_is_stored_exactly").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let today = chrono::Utc::now().date_naive();
    let resource = "vm\\01\t\"east\"\nrack \\N";
    let quoted = format!("\"{}\"", resource.replace('"', "\"\""));
    let csv = format!(
        "ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ResourceId\n\
         {today}T01:00:00Z,{today}T01:59:59Z,GPU compute,1,GPU-hour,3.25,EUR,{code},{quoted}\n\
         {today}T02:00:00Z,{today}T02:59:59Z,GPU compute,1,GPU-hour,1.00,EUR,{code},\n"
    );
    let r = provider.upload("escapes.csv", &csv).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stored: Vec<(Option<String>, String)> = usage_lines::table
        .order(usage_lines::line_number)
        .select((usage_lines::resource_id, usage_lines::billed_cost))
        .load(&mut s.app.conn())
        .unwrap();
    assert_eq!(stored, vec![(Some(resource.to_string()), "3.25".to_string()), (None, "1.00".to_string())]);
}
both_backends!(provider_text_is_stored_exactly);

/// A received file that no job names (the server stopped between receiving and queueing it)
/// is removed once old; a queued job's file and a file still arriving are kept.
async fn stray_received_files_are_swept(backend: Backend) {
    let db = crate::helpers::TestDb::new(backend, "stray_received_files_are_swept");
    let mut conn = db.connect();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let user = computegrants::domain::identity::find_user_by_email(&mut conn, "billing@helios-gpu.demo").unwrap().unwrap();
    let member = computegrants::domain::identity::member(&mut conn, user.id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let old = |name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, "x").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(hour_ago).unwrap();
        path
    };
    let stray = old("stray.upload");
    let queued = old("queued.upload");
    jobs::enqueue(&mut conn, &member, "queued.csv", &queued, 1, false).unwrap();
    let arriving = dir.path().join("arriving.upload");
    std::fs::write(&arriving, "x").unwrap();
    let other = old("notes.txt");
    assert_eq!(jobs::sweep_stray_files(&mut conn, dir.path(), std::time::Duration::from_secs(3600)).unwrap(), 1);
    assert!(!stray.exists() && queued.exists() && arriving.exists() && other.exists());
}
both_backends!(stray_received_files_are_swept);

/// A job stopped after its upload was stored and before the job recorded it (a kill between
/// the two commits): run again, it takes up the stored upload instead of storing the file a
/// second time, and places the holds once.
async fn a_job_stopped_after_storing_takes_up_its_upload_when_run_again(backend: Backend) {
    let db = crate::helpers::TestDb::new(backend, "a_job_stopped_after_storing_takes_up_its_upload_when_run_again");
    let mut conn = db.connect();
    computegrants::domain::demo::load(&mut conn).unwrap();
    let user = computegrants::domain::identity::find_user_by_email(&mut conn, "billing@helios-gpu.demo").unwrap().unwrap();
    let member = computegrants::domain::identity::member(&mut conn, user.id).unwrap();
    let code: String = computegrants::db::schema::grants::table
        .filter(computegrants::db::schema::grants::provider_id.eq(member.org_id()))
        .select(computegrants::db::schema::grants::code)
        .first(&mut conn)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.upload");
    std::fs::write(&path, helios_lines(&code, 40)).unwrap();
    let id = jobs::enqueue(&mut conn, &member, "usage.csv", &path, 5_000, true).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let job = jobs::claim_next(&mut conn, now).unwrap().expect("claimed");
    let mut progress = db.connect();
    assert_eq!(jobs::run(&mut conn, &mut progress, &job, 1 << 30).unwrap(), JobStatus::Accepted);
    jobs::unlock(&mut conn, id);
    let first = jobs::job_of(&mut conn, &member, id).unwrap().upload_id.unwrap();
    // Back to the state a kill leaves: the upload stored (and here submitted), the job still
    // running without it, its file still there.
    std::fs::write(&path, helios_lines(&code, 40)).unwrap();
    diesel::update(usage_jobs::table.filter(usage_jobs::id.eq(id)))
        .set((usage_jobs::status.eq("running"), usage_jobs::phase.eq("storing"), usage_jobs::upload_id.eq(None::<i64>), usage_jobs::finished_at.eq(None::<chrono::NaiveDateTime>)))
        .execute(&mut conn)
        .unwrap();
    let held_before = ledger::verify(&mut conn).unwrap();
    let job = jobs::job_of(&mut conn, &member, id).unwrap();
    assert_eq!(jobs::run(&mut conn, &mut progress, &job, 1 << 30).unwrap(), JobStatus::Accepted);
    let job = jobs::job_of(&mut conn, &member, id).unwrap();
    assert_eq!(job.upload_id, Some(first), "the stored upload is taken up");
    let uploads: i64 = usage_uploads::table.filter(usage_uploads::provider_id.eq(member.org_id())).filter(usage_uploads::filename.eq("usage.csv")).count().get_result(&mut conn).unwrap();
    assert_eq!(uploads, 1, "never stored twice");
    let after = ledger::verify(&mut conn).unwrap();
    assert_eq!(after.entries, held_before.entries, "no second hold");
    assert!(!path.exists());
}
both_backends!(a_job_stopped_after_storing_takes_up_its_upload_when_run_again);

//! Usage files checked in the background. A large upload is streamed to disk and queued here; a
//! worker claims it, runs the same pipeline as a small upload (`upload_from`, then `confirm`
//! when asked to submit), and records the outcome. The provider's page reads the progress.
//!
//! Crash safety: storing an upload is one transaction, so a job cut short by a crash left
//! nothing behind. A job cut short is claimed again, up to [`MAX_ATTEMPTS`] times, then marked
//! failed with its reason. How a worker tells that a running job's worker died: on SQLite, one
//! server owns the file, so at start-up every running job is an orphan; on PostgreSQL the
//! worker holds an advisory lock on the job for as long as it runs, which the server releases
//! when the worker's session ends (a killed process included), so a running job whose lock can
//! be taken is an orphan. A lease that progress renews covers a worker that hangs.

use super::{Source, UploadOutcome, Watch, upload_from};
use crate::db::AnyConnection;
use crate::db::schema::usage_jobs;
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, OrNotFound};
use crate::domain::identity::{self, Member};
use crate::domain::ids::{JobId, OrgId, UploadId, UserId};
use crate::formats::Problems;
use crate::messages::Message;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use std::path::{Path, PathBuf};

crate::text_enum! {
    /// Queued → running → accepted, refused (the file has problems) or failed (it could not be
    /// read to the end: the reason is kept).
    pub enum JobStatus ("usage job status") {
        Queued = "queued",
        Running = "running",
        Accepted = "accepted",
        Refused = "refused",
        Failed = "failed",
    }
}

crate::text_enum! {
    /// What a running job is doing, for its progress page.
    pub enum JobPhase ("usage job phase") {
        Waiting = "waiting",
        Checking = "checking",
        Storing = "storing",
        Holding = "holding",
        Finished = "finished",
    }
}

impl JobStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Accepted | JobStatus::Refused | JobStatus::Failed)
    }
}

/// A job interrupted this many times is not tried again.
pub const MAX_ATTEMPTS: i32 = 3;

/// How long a claimed job is its worker's without news; progress renews it. Storing is one
/// transaction that cannot report (on SQLite no other write can happen meanwhile), so it is
/// given a long lease.
const LEASE: i64 = 120;
const STORING_LEASE: i64 = 30 * 60;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = usage_jobs)]
pub struct UsageJob {
    pub id: JobId,
    pub provider_id: OrgId,
    pub requested_by: UserId,
    pub filename: String,
    pub stored_path: String,
    pub size_bytes: i64,
    pub submit: bool,
    #[diesel(deserialize_as = String)]
    pub status: JobStatus,
    #[diesel(deserialize_as = String)]
    pub phase: JobPhase,
    pub lines_read: i64,
    pub problems_found: i64,
    pub attempts: i32,
    pub upload_id: Option<UploadId>,
    pub problems: Option<String>,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
}

impl UsageJob {
    /// A refused file's problems.
    pub fn problems(&self) -> Option<Problems> {
        self.problems.as_deref().map(super::stored_problems::from_json)
    }

    /// Why a failed job failed, as a message.
    pub fn failure_message(&self) -> Option<Message> {
        let failure = self.failure.as_deref()?;
        let (key, detail) = failure.split_once(": ").unwrap_or((failure, ""));
        let key = crate::i18n::static_name(key).unwrap_or("usage-job-failed-other");
        Some(Message::new(key).with("detail", detail))
    }

    /// Where the file waits while the job runs.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.stored_path)
    }
}

/// Queues a stored file for checking (and submitting, if `submit`) by `by`'s organisation.
pub fn enqueue(conn: &mut AnyConnection, by: &Member, filename: &str, stored: &Path, size: u64, submit: bool) -> DomainResult<JobId> {
    if !crate::domain::access::permits(Some(by), crate::domain::access::Action::UploadUsage) {
        return Err(DomainError::Forbidden("only providers upload usage"));
    }
    let filename: String = filename.rsplit(['/', '\\']).next().unwrap_or("usage.csv").chars().take(200).collect();
    Ok(diesel::insert_into(usage_jobs::table)
        .values((
            usage_jobs::provider_id.eq(by.org_id()),
            usage_jobs::requested_by.eq(by.user.id),
            usage_jobs::filename.eq(filename),
            usage_jobs::stored_path.eq(stored.to_string_lossy().as_ref()),
            usage_jobs::size_bytes.eq(i64::try_from(size).unwrap_or(i64::MAX)),
            usage_jobs::submit.eq(submit),
            usage_jobs::status.eq(JobStatus::Queued.as_str()),
            usage_jobs::phase.eq(JobPhase::Waiting.as_str()),
            usage_jobs::created_at.eq(clock::now()),
        ))
        .returning(usage_jobs::id)
        .get_result(conn)?)
}

/// A job, for the provider that sent it (or a platform admin).
pub fn job_of(conn: &mut AnyConnection, by: &Member, id: JobId) -> DomainResult<UsageJob> {
    let job: UsageJob = usage_jobs::table.find(id).select(UsageJob::as_select()).first(conn).or_not_found()?;
    if !crate::domain::access::may_view_upload(by, job.provider_id) {
        return Err(DomainError::NotFound);
    }
    Ok(job)
}

/// A provider's latest jobs, newest first.
pub fn jobs_of(conn: &mut AnyConnection, by: &Member, limit: i64) -> DomainResult<Vec<UsageJob>> {
    Ok(usage_jobs::table
        .filter(usage_jobs::provider_id.eq(by.org_id()))
        .order(usage_jobs::id.desc())
        .limit(limit)
        .select(UsageJob::as_select())
        .load(conn)?)
}

/// The advisory lock class of usage jobs (PostgreSQL's two-key form: class, job id).
const LOCK_CLASS: i32 = 0x5553_4147; // "USAG"

diesel::define_sql_function! { fn pg_try_advisory_lock(class: diesel::sql_types::Integer, id: diesel::sql_types::Integer) -> diesel::sql_types::Bool; }
diesel::define_sql_function! { fn pg_advisory_unlock(class: diesel::sql_types::Integer, id: diesel::sql_types::Integer) -> diesel::sql_types::Bool; }

/// Takes the job's lock on this connection (PostgreSQL); SQLite needs none. `false`: another
/// live worker holds it.
fn lock(conn: &mut AnyConnection, id: JobId) -> DomainResult<bool> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            // Job ids fold onto the lock's 32-bit key; a clash only makes two jobs wait on one another.
            let key = (id.get() % i64::from(i32::MAX)) as i32;
            Ok(diesel::select(pg_try_advisory_lock(LOCK_CLASS, key)).get_result(pg)?)
        }
        AnyConnection::Sqlite(_) => Ok(true),
    }
}

/// Releases the job's lock, before the connection goes back to the pool.
pub fn unlock(conn: &mut AnyConnection, id: JobId) {
    if let AnyConnection::Postgresql(pg) = conn {
        let key = (id.get() % i64::from(i32::MAX)) as i32;
        if let Err(e) = diesel::select(pg_advisory_unlock(LOCK_CLASS, key)).get_result::<bool>(pg) {
            log::warn!("usage job {id}: lock not released: {e}");
        }
    }
}

/// Claims the oldest job waiting, or a running one whose worker died (its lock is free, or its
/// lease ran out). The update is conditional on what was read, so two workers never claim one
/// job. On PostgreSQL the claiming connection keeps the job's lock: call [`unlock`] when done.
pub fn claim_next(conn: &mut AnyConnection, now: NaiveDateTime) -> DomainResult<Option<UsageJob>> {
    let mut passed_over: Vec<JobId> = Vec::new();
    loop {
        // `started_at` holds the lease's end while a job runs (see `renew`).
        let candidate: Option<(JobId, String, i32, Option<NaiveDateTime>)> = usage_jobs::table
            .filter(usage_jobs::status.eq_any([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
            .filter(usage_jobs::id.ne_all(&passed_over))
            .order(usage_jobs::id)
            .select((usage_jobs::id, usage_jobs::status, usage_jobs::attempts, usage_jobs::started_at))
            .first(conn)
            .optional()?;
        let Some((id, status, attempts, lease)) = candidate else { return Ok(None) };
        let running = status == JobStatus::Running.as_str();
        let lease_over = lease.is_some_and(|until| until < now);
        if running && !lease_over && matches!(conn, AnyConnection::Sqlite(_)) {
            // Its worker is this server's own (orphans were re-queued at start-up).
            passed_over.push(id);
            continue;
        }
        if !lock(conn, id)? {
            // A live worker has it (or is claiming it right now).
            passed_over.push(id);
            continue;
        }
        if attempts >= MAX_ATTEMPTS {
            fail(conn, id, "usage-job-interrupted", &attempts.to_string())?;
            unlock(conn, id);
            continue;
        }
        let claimed = diesel::update(
            usage_jobs::table
                .filter(usage_jobs::id.eq(id))
                .filter(usage_jobs::status.eq(&status))
                // Each claim counts an attempt: the count says nobody claimed it since it was read.
                .filter(usage_jobs::attempts.eq(attempts)),
        )
        .set((
            usage_jobs::status.eq(JobStatus::Running.as_str()),
            usage_jobs::phase.eq(JobPhase::Waiting.as_str()),
            usage_jobs::attempts.eq(attempts + 1),
            usage_jobs::started_at.eq(Some(now + Duration::seconds(LEASE))),
            usage_jobs::lines_read.eq(0),
            usage_jobs::problems_found.eq(0),
        ))
        .execute(conn)?;
        if claimed == 1 {
            return Ok(Some(usage_jobs::table.find(id).select(UsageJob::as_select()).first(conn)?));
        }
        unlock(conn, id);
    }
}

/// At start-up: the jobs this server can tell were cut short (on SQLite, where one server owns
/// the file, every running job) are queued again at once, and their count returned.
pub fn requeue_orphans(conn: &mut AnyConnection) -> DomainResult<usize> {
    if !matches!(conn, AnyConnection::Sqlite(_)) {
        // On PostgreSQL other servers may be running jobs: their leases say when to step in.
        return Ok(0);
    }
    Ok(diesel::update(usage_jobs::table.filter(usage_jobs::status.eq(JobStatus::Running.as_str())))
        .set((usage_jobs::status.eq(JobStatus::Queued.as_str()), usage_jobs::phase.eq(JobPhase::Waiting.as_str())))
        .execute(conn)?)
}

fn renew(conn: &mut AnyConnection, id: JobId, phase: JobPhase, lines: u64, problems: u64, lease_seconds: i64) -> DomainResult<()> {
    diesel::update(usage_jobs::table.filter(usage_jobs::id.eq(id)).filter(usage_jobs::status.eq(JobStatus::Running.as_str())))
        .set((
            usage_jobs::phase.eq(phase.as_str()),
            usage_jobs::lines_read.eq(i64::try_from(lines).unwrap_or(i64::MAX)),
            usage_jobs::problems_found.eq(i64::try_from(problems).unwrap_or(i64::MAX)),
            usage_jobs::started_at.eq(Some(clock::now() + Duration::seconds(lease_seconds))),
        ))
        .execute(conn)?;
    Ok(())
}

fn fail(conn: &mut AnyConnection, id: JobId, key: &str, detail: &str) -> DomainResult<()> {
    diesel::update(usage_jobs::table.filter(usage_jobs::id.eq(id)))
        .set((
            usage_jobs::status.eq(JobStatus::Failed.as_str()),
            usage_jobs::phase.eq(JobPhase::Finished.as_str()),
            usage_jobs::failure.eq(Some(format!("{key}: {detail}"))),
            usage_jobs::finished_at.eq(Some(clock::now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Progress written to the job's row as the first pass reads (a second connection would wait
/// on SQLite's write lock during the storing transaction, so that phase is announced before).
struct JobWatch<'c> {
    conn: &'c mut AnyConnection,
    id: JobId,
    phase: JobPhase,
    lines: u64,
    problems: u64,
}

impl Watch for JobWatch<'_> {
    fn job(&self) -> Option<JobId> {
        Some(self.id)
    }

    fn phase(&mut self, phase: JobPhase) {
        self.phase = phase;
        let lease = if phase == JobPhase::Storing { STORING_LEASE } else { LEASE };
        if let Err(e) = renew(self.conn, self.id, phase, self.lines, self.problems, lease) {
            log::warn!("usage job {}: progress not recorded: {e}", self.id);
        }
    }

    fn lines(&mut self, read: u64, problems: u64) {
        self.lines = read;
        self.problems = problems;
        if let Err(e) = renew(self.conn, self.id, self.phase, read, problems, LEASE) {
            log::warn!("usage job {}: progress not recorded: {e}", self.id);
        }
    }
}

/// Runs a claimed job to its end: the upload checked and stored (and submitted when asked), or
/// refused with its problems, or failed with its reason. The stored file is removed once the
/// job is finished. `max_bytes` is the upload limit.
pub fn run(conn: &mut AnyConnection, progress_conn: &mut AnyConnection, job: &UsageJob, max_bytes: u64) -> DomainResult<JobStatus> {
    let member = match identity::member(conn, job.requested_by) {
        Ok(m) => m,
        Err(e) => {
            fail(conn, job.id, "usage-job-requester-gone", &e.to_string())?;
            return Ok(JobStatus::Failed);
        }
    };
    let path = job.path();
    // A run stopped after storing the upload and before recording it (a crash, a kill) left the
    // upload stored under this job: this run takes it up instead of storing the file twice.
    let stored: Option<UploadId> = crate::db::schema::usage_uploads::table
        .filter(crate::db::schema::usage_uploads::job_id.eq(Some(job.id.get())))
        .select(crate::db::schema::usage_uploads::id)
        .first(conn)
        .optional()?;
    let outcome = match stored {
        Some(upload_id) => Ok(UploadOutcome::Pending(super::view(conn, &member, upload_id)?)),
        None if !path.exists() => {
            fail(conn, job.id, "usage-job-file-missing", &job.filename)?;
            return Ok(JobStatus::Failed);
        }
        None => {
            // Progress is written on a connection of its own: the pipeline's is busy reading.
            let mut watch = JobWatch { conn: progress_conn, id: job.id, phase: JobPhase::Checking, lines: 0, problems: 0 };
            upload_from(conn, &member, &job.filename, &Source::File(path.clone()), max_bytes, &mut watch)
        }
    };
    let status = match outcome {
        Ok(UploadOutcome::Pending(view)) => {
            let upload_id = view.upload.id;
            let mut problems = None;
            if job.submit && view.upload.status == super::UploadStatus::Pending {
                renew(conn, job.id, JobPhase::Holding, view.upload.line_count.unsigned_abs(), 0, LEASE)?;
                if let Err(e) = super::confirm(conn, &member, upload_id) {
                    let message = match e {
                        DomainError::Conflict(message) => message,
                        other => return Err(other),
                    };
                    let mut refused = Problems::default();
                    refused.push(crate::formats::Problem::file(message));
                    problems = Some(refused);
                }
            }
            diesel::update(usage_jobs::table.filter(usage_jobs::id.eq(job.id)))
                .set((
                    usage_jobs::status.eq(JobStatus::Accepted.as_str()),
                    usage_jobs::phase.eq(JobPhase::Finished.as_str()),
                    usage_jobs::upload_id.eq(Some(upload_id)),
                    usage_jobs::lines_read.eq(view.upload.line_count),
                    // Checked and stored, but its holds refused: kept as pending, and the page says why.
                    usage_jobs::problems.eq(problems.as_ref().map(super::stored_problems::to_json)),
                    usage_jobs::finished_at.eq(Some(clock::now())),
                ))
                .execute(conn)?;
            JobStatus::Accepted
        }
        Ok(UploadOutcome::Refused(refusal)) => {
            diesel::update(usage_jobs::table.filter(usage_jobs::id.eq(job.id)))
                .set((
                    usage_jobs::status.eq(JobStatus::Refused.as_str()),
                    usage_jobs::phase.eq(JobPhase::Finished.as_str()),
                    usage_jobs::lines_read.eq(i64::try_from(refusal.lines).unwrap_or(i64::MAX)),
                    usage_jobs::problems_found.eq(i64::try_from(refusal.problems.total()).unwrap_or(i64::MAX)),
                    usage_jobs::problems.eq(Some(super::stored_problems::to_json(&refusal.problems))),
                    usage_jobs::finished_at.eq(Some(clock::now())),
                ))
                .execute(conn)?;
            JobStatus::Refused
        }
        Err(e) => return Err(e),
    };
    if let Err(e) = std::fs::remove_file(&path) {
        log::warn!("usage job {}: stored file {} not removed: {e}", job.id, path.display());
    }
    Ok(status)
}

/// Records that a job could not be run to its end (the database failed under it, say): kept
/// as failed with the reason, never left running.
pub fn give_up(conn: &mut AnyConnection, job: &UsageJob, reason: &str) -> DomainResult<()> {
    fail(conn, job.id, "usage-job-failed-other", reason)?;
    let _ = std::fs::remove_file(job.path());
    Ok(())
}

/// Files in `dir` that no waiting or running job names, received more than `older_than` ago:
/// left by a server stopped between receiving a file and queueing it. Removed; their count
/// returned. Younger files may belong to a request still being received.
pub fn sweep_stray_files(conn: &mut AnyConnection, dir: &Path, older_than: std::time::Duration) -> DomainResult<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    let live: std::collections::HashSet<String> = usage_jobs::table
        .filter(usage_jobs::status.eq_any([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
        .select(usage_jobs::stored_path)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "upload") || live.contains(path.to_string_lossy().as_ref()) {
            continue;
        }
        let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|at| now.duration_since(at).ok());
        if age.is_some_and(|age| age > older_than) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

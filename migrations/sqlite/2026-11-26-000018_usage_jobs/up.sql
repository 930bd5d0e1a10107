-- Usage files of any size are streamed to disk and checked by a background job whose progress
-- the provider's page shows. A job interrupted by a crash is picked up again at start-up (its
-- work is one transaction, so nothing of it was kept) or marked failed with its reason.
CREATE TABLE usage_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    requested_by BIGINT NOT NULL REFERENCES users (id),
    filename TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    submit BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'accepted', 'refused', 'failed')),
    phase TEXT NOT NULL CHECK (phase IN ('waiting', 'checking', 'storing', 'holding', 'finished')),
    lines_read BIGINT NOT NULL DEFAULT 0,
    problems_found BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    upload_id BIGINT REFERENCES usage_uploads (id),
    problems TEXT,
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX usage_jobs_status ON usage_jobs (status, id);
CREATE INDEX usage_jobs_provider ON usage_jobs (provider_id, id);

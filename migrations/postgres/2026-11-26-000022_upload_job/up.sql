-- The job that stored an upload: a job run again after a crash between storing its upload and
-- recording it finds the upload instead of storing the file twice.
ALTER TABLE usage_uploads ADD COLUMN job_id BIGINT NULL;
CREATE UNIQUE INDEX usage_uploads_job ON usage_uploads (job_id) WHERE job_id IS NOT NULL;

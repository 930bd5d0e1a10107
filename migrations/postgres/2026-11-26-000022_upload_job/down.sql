DROP INDEX usage_uploads_job;
ALTER TABLE usage_uploads DROP COLUMN job_id;

DROP TABLE usage_jobs;

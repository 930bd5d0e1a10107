# Background usage-file jobs: streaming, progress, resume.

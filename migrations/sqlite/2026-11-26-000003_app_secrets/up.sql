-- Secrets the servers share, created on first start: the key that signs anonymous visitors'
-- CSRF tokens, so that a visitor who has not signed in costs no database write.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

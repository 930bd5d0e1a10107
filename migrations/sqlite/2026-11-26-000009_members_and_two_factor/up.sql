-- Roles inside an organisation. SQLite cannot change a CHECK in place: the column is rebuilt.
ALTER TABLE users ADD COLUMN member_role TEXT NOT NULL DEFAULT 'member' CHECK (member_role IN ('owner', 'programme_manager', 'reviewer', 'billing', 'member', 'auditor'));
UPDATE users SET member_role = role;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users RENAME COLUMN member_role TO role;
-- A member an owner removed keeps their row (the audit log and the ledger name them) but can
-- no longer sign in.
ALTER TABLE users ADD COLUMN removed_at TIMESTAMP;

-- Owners invite people by e-mail: the mail carries a random token, the database its SHA-256.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'programme_manager', 'reviewer', 'billing', 'member', 'auditor')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

-- Two-factor authentication (TOTP, RFC 6238): the shared secret once confirmed, and the last
-- time step used, so that a code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE organisations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use recovery codes, kept as SHA-256 (they are random, not chosen by people).
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

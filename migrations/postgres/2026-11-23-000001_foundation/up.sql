-- Organisations, people and sessions.
CREATE TABLE organisations (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('platform', 'funder', 'startup', 'provider')),
    name TEXT NOT NULL UNIQUE,
    legal_name TEXT,
    country TEXT,
    registration_number TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Programmes, applications, grants.
CREATE TABLE programmes (
    id BIGSERIAL PRIMARY KEY,
    funder_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    currency TEXT NOT NULL,
    budget BIGINT NOT NULL CHECK (budget > 0),
    max_award BIGINT NOT NULL CHECK (max_award > 0),
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (opens_on <= closes_on),
    CHECK (max_award <= budget)
);

CREATE TABLE provider_offerings (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    hardware_kind TEXT NOT NULL CHECK (hardware_kind IN ('GPU', 'IPU', 'OPU', 'CPU')),
    description TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    currency TEXT NOT NULL
);

CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    startup_id BIGINT NOT NULL REFERENCES organisations (id),
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    requested BIGINT NOT NULL CHECK (requested > 0),
    purpose TEXT NOT NULL,
    hardware TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    approved_amount BIGINT CHECK (approved_amount > 0),
    decision_reason TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX applications_programme ON applications (programme_id);
CREATE INDEX applications_startup ON applications (startup_id);

CREATE TABLE grants (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    startup_id BIGINT NOT NULL REFERENCES organisations (id),
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'revoked')),
    created_at TIMESTAMP NOT NULL
);

-- Provider usage files and the lines they carried, kept at full precision.
CREATE TABLE usage_uploads (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    filename TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_cost TEXT NOT NULL,
    line_count BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'posted')),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    confirmed_by BIGINT REFERENCES users (id),
    confirmed_at TIMESTAMP
);
CREATE INDEX usage_uploads_provider ON usage_uploads (provider_id);

CREATE TABLE usage_lines (
    id BIGSERIAL PRIMARY KEY,
    upload_id BIGINT NOT NULL REFERENCES usage_uploads (id),
    line_number BIGINT NOT NULL,
    grant_id BIGINT NOT NULL REFERENCES grants (id),
    charge_period_start TIMESTAMP NOT NULL,
    charge_period_end TIMESTAMP NOT NULL,
    service_name TEXT NOT NULL,
    consumed_quantity TEXT NOT NULL,
    consumed_unit TEXT NOT NULL,
    billed_cost TEXT NOT NULL,
    currency TEXT NOT NULL
);
CREATE INDEX usage_lines_upload ON usage_lines (upload_id);

-- What each upload charges each grant, in cents (largest-remainder rounding of the lines).
CREATE TABLE usage_charges (
    id BIGSERIAL PRIMARY KEY,
    upload_id BIGINT NOT NULL REFERENCES usage_uploads (id),
    grant_id BIGINT NOT NULL REFERENCES grants (id),
    amount BIGINT NOT NULL CHECK (amount >= 0),
    UNIQUE (upload_id, grant_id)
);

-- The double-entry ledger.
CREATE TABLE ledger_accounts (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('funder', 'programme', 'grant', 'provider')),
    owner_id BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    currency TEXT NOT NULL,
    normal_side TEXT NOT NULL CHECK (normal_side IN ('debit', 'credit')),
    limit_rule TEXT NOT NULL CHECK (limit_rule IN ('none', 'debits_must_not_exceed_credits', 'credits_must_not_exceed_debits')),
    debits_posted BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at TIMESTAMP NOT NULL,
    -- The balance limit is enforced by the database too, not only by the ledger module.
    CHECK (limit_rule <> 'debits_must_not_exceed_credits' OR debits_posted + debits_pending <= credits_posted),
    CHECK (limit_rule <> 'credits_must_not_exceed_debits' OR credits_posted + credits_pending <= debits_posted)
);

CREATE TABLE ledger_entries (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    effective_on DATE NOT NULL,
    actor TEXT NOT NULL,
    programme_id BIGINT REFERENCES programmes (id),
    grant_id BIGINT REFERENCES grants (id),
    usage_upload_id BIGINT REFERENCES usage_uploads (id),
    reverses_entry_id BIGINT REFERENCES ledger_entries (id),
    created_at TIMESTAMP NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX ledger_entries_grant ON ledger_entries (grant_id);

CREATE TABLE ledger_postings (
    id BIGSERIAL PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES ledger_entries (id),
    account_id BIGINT NOT NULL REFERENCES ledger_accounts (id),
    direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL
);
CREATE INDEX ledger_postings_entry ON ledger_postings (entry_id);
CREATE INDEX ledger_postings_account ON ledger_postings (account_id);

-- One row: the head of the hash chain. Every ledger write updates it first, which serialises
-- writers on PostgreSQL (row lock) as BEGIN IMMEDIATE does on SQLite.
CREATE TABLE ledger_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    entry_count BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, entry_count, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only, enforced by the database itself.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

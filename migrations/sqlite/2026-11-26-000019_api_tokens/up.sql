-- API tokens: an organisation's machines (a provider's billing system, a funder's grant tool)
-- call the JSON API with a bearer token. Only the SHA-256 of the secret is kept; the scopes
-- (space-separated, see domain::api_tokens::Scope) narrow what the organisation may do.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id, id);

-- The first answer to each Idempotency-Key of a token, replayed when the same request comes
-- again; another request under the same key is refused.
CREATE TABLE api_idempotency (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id),
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);

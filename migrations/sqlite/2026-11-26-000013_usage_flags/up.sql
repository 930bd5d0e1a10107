-- A startup flags a usage line it does not recognise; the funder sees the flag beside the
-- invoice that bills it.
CREATE TABLE usage_flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    line_id BIGINT NOT NULL REFERENCES usage_lines (id),
    grant_id BIGINT NOT NULL REFERENCES grants (id),
    reason TEXT NOT NULL,
    flagged_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (line_id)
);
CREATE INDEX usage_flags_grant ON usage_flags (grant_id);
CREATE INDEX usage_lines_grant ON usage_lines (grant_id, charge_period_start);

PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE applications_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    created_at TIMESTAMP NOT NULL,
    ineligible_reasons TEXT,
    override_reason TEXT,
    overridden_by BIGINT REFERENCES users (id),
    overridden_at TIMESTAMP
);
-- Offers still open, declined or lapsed have no place in the old model: they go back to rejected.
INSERT INTO applications_old SELECT id, programme_id, startup_id, provider_id, requested, purpose, hardware,
    CASE WHEN status IN ('offered', 'declined', 'lapsed') THEN 'rejected' ELSE status END,
    approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at FROM applications;
DROP TABLE applications;
ALTER TABLE applications_old RENAME TO applications;
CREATE INDEX applications_programme ON applications (programme_id);
CREATE INDEX applications_startup ON applications (startup_id);
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status = 'submitted';
COMMIT;
PRAGMA foreign_keys = ON;

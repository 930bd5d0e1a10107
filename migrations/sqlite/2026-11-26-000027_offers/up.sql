-- An approval is an offer the startup accepts (then 'approved', with its grant) or declines,
-- or lets lapse at its deadline. While offered, the amount is held on the programme's budget
-- (ledger hold `offer_hold_id`). SQLite cannot widen a CHECK in place: the table is rebuilt
-- (https://www.sqlite.org/lang_altertable.html#otheralter), keeping every id.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE applications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    startup_id BIGINT NOT NULL REFERENCES organisations (id),
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    requested BIGINT NOT NULL CHECK (requested > 0),
    purpose TEXT NOT NULL,
    hardware TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'offered', 'approved', 'declined', 'lapsed', 'rejected', 'withdrawn')),
    approved_amount BIGINT CHECK (approved_amount > 0),
    decision_reason TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    ineligible_reasons TEXT,
    override_reason TEXT,
    overridden_by BIGINT REFERENCES users (id),
    overridden_at TIMESTAMP,
    offer_expires_at TIMESTAMP,
    offer_hold_id BIGINT REFERENCES ledger_entries (id),
    responded_by BIGINT REFERENCES users (id),
    responded_at TIMESTAMP
);
INSERT INTO applications_new (id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at)
    SELECT id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_programme ON applications (programme_id);
CREATE INDEX applications_startup ON applications (startup_id);
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status = 'submitted';
-- The maintenance thread looks for offers past their deadline.
CREATE INDEX applications_open_offers ON applications (offer_expires_at) WHERE status = 'offered';
COMMIT;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;

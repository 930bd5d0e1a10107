-- Holds expire after a period each programme sets: an expired hold is released and its
-- invoice (or usage) is marked expired, never left waiting. SQLite cannot change a CHECK in
-- place: the status columns are rebuilt (and the index on one of them with it).
ALTER TABLE programmes ADD COLUMN hold_days INTEGER NOT NULL DEFAULT 60 CHECK (hold_days BETWEEN 1 AND 3650);

DROP INDEX invoices_funder;
ALTER TABLE invoices ADD COLUMN new_status TEXT NOT NULL DEFAULT 'awaiting-approval' CHECK (new_status IN ('awaiting-approval', 'approved', 'disputed', 'expired'));
UPDATE invoices SET new_status = status;
ALTER TABLE invoices DROP COLUMN status;
ALTER TABLE invoices RENAME COLUMN new_status TO status;
CREATE INDEX invoices_funder ON invoices (funder_id, status);

ALTER TABLE usage_uploads ADD COLUMN new_status TEXT NOT NULL DEFAULT 'pending' CHECK (new_status IN ('pending', 'submitted', 'approved', 'disputed', 'expired'));
UPDATE usage_uploads SET new_status = status;
ALTER TABLE usage_uploads DROP COLUMN status;
ALTER TABLE usage_uploads RENAME COLUMN new_status TO status;

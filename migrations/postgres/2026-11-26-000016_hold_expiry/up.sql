-- Holds expire after a period each programme sets: an expired hold is released and its
-- invoice (or usage) is marked expired, never left waiting.
ALTER TABLE programmes ADD COLUMN hold_days INTEGER NOT NULL DEFAULT 60 CHECK (hold_days BETWEEN 1 AND 3650);
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('awaiting-approval', 'approved', 'disputed', 'expired'));
ALTER TABLE usage_uploads DROP CONSTRAINT usage_uploads_status_check;
ALTER TABLE usage_uploads ADD CONSTRAINT usage_uploads_status_check CHECK (status IN ('pending', 'submitted', 'approved', 'disputed', 'expired'));

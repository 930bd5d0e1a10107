UPDATE usage_uploads SET status = 'disputed' WHERE status = 'expired';
ALTER TABLE usage_uploads DROP CONSTRAINT usage_uploads_status_check;
ALTER TABLE usage_uploads ADD CONSTRAINT usage_uploads_status_check CHECK (status IN ('pending', 'submitted', 'approved', 'disputed'));
UPDATE invoices SET status = 'disputed' WHERE status = 'expired';
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('awaiting-approval', 'approved', 'disputed'));
ALTER TABLE programmes DROP COLUMN hold_days;

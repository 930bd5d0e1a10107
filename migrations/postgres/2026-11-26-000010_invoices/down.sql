ALTER TABLE usage_charges DROP COLUMN invoice_id;
ALTER TABLE usage_charges DROP COLUMN hold_entry_id;
DROP TABLE invoices;
ALTER TABLE usage_uploads DROP CONSTRAINT usage_uploads_status_check;
UPDATE usage_uploads SET status = CASE status WHEN 'pending' THEN 'pending' ELSE 'posted' END;
ALTER TABLE usage_uploads ADD CONSTRAINT usage_uploads_status_check CHECK (status IN ('pending', 'posted'));

ALTER TABLE usage_charges DROP COLUMN invoice_id;
ALTER TABLE usage_charges DROP COLUMN hold_entry_id;
DROP TABLE invoices;
ALTER TABLE usage_uploads ADD COLUMN old_status TEXT NOT NULL DEFAULT 'pending' CHECK (old_status IN ('pending', 'posted'));
UPDATE usage_uploads SET old_status = CASE status WHEN 'pending' THEN 'pending' ELSE 'posted' END;
ALTER TABLE usage_uploads DROP COLUMN status;
ALTER TABLE usage_uploads RENAME COLUMN old_status TO status;

DROP INDEX applications_open_offers;
ALTER TABLE applications DROP COLUMN responded_at;
ALTER TABLE applications DROP COLUMN responded_by;
ALTER TABLE applications DROP COLUMN offer_hold_id;
ALTER TABLE applications DROP COLUMN offer_expires_at;
UPDATE applications SET status = 'rejected' WHERE status IN ('offered', 'declined', 'lapsed');
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn'));

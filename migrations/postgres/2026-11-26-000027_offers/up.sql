-- An approval is an offer the startup accepts (then 'approved', with its grant) or declines,
-- or lets lapse at its deadline. While offered, the amount is held on the programme's budget
-- (ledger hold `offer_hold_id`).
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (status IN ('submitted', 'offered', 'approved', 'declined', 'lapsed', 'rejected', 'withdrawn'));
ALTER TABLE applications ADD COLUMN offer_expires_at TIMESTAMP;
ALTER TABLE applications ADD COLUMN offer_hold_id BIGINT REFERENCES ledger_entries (id);
ALTER TABLE applications ADD COLUMN responded_by BIGINT REFERENCES users (id);
ALTER TABLE applications ADD COLUMN responded_at TIMESTAMP;
-- The maintenance thread looks for offers past their deadline.
CREATE INDEX applications_open_offers ON applications (offer_expires_at) WHERE status = 'offered';

DROP TABLE credit_note_grants;
DROP TABLE credit_notes;
ALTER TABLE invoices DROP COLUMN credited_payable;
ALTER TABLE invoices DROP COLUMN credited;
ALTER TABLE invoices DROP COLUMN ledger_total;
ALTER TABLE programmes DROP COLUMN credits_cover;

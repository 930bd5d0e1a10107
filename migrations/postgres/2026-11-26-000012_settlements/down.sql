ALTER TABLE invoices DROP COLUMN settlement_id;
ALTER TABLE invoices DROP COLUMN payee_bic;
ALTER TABLE invoices DROP COLUMN payee_iban;
DROP TABLE settlements;

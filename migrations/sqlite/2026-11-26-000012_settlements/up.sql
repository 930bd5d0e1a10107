-- The funder pays providers for approved invoices: a settlement records the payment (date,
-- bank reference, the funder's account) and can be downloaded as an ISO 20022 pain.001 file.
CREATE TABLE settlements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    funder_id BIGINT NOT NULL REFERENCES organisations (id),
    paid_on DATE NOT NULL,
    reference TEXT NOT NULL,
    debtor_name TEXT NOT NULL,
    debtor_iban TEXT NOT NULL,
    debtor_bic TEXT NOT NULL,
    currency TEXT NOT NULL,
    total BIGINT NOT NULL CHECK (total > 0),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX settlements_funder ON settlements (funder_id);

-- Where the provider is paid (BT-84, BT-86), as its invoice says; and the settlement that paid it.
ALTER TABLE invoices ADD COLUMN payee_iban TEXT;
ALTER TABLE invoices ADD COLUMN payee_bic TEXT;
ALTER TABLE invoices ADD COLUMN settlement_id BIGINT REFERENCES settlements (id);
